"""Rasa input channels with checks on every message before the NLU runs.

`RestInput` and `SocketIOInput` are subclasses of Rasa's own `rest` and `socketio` channels
and keep their names, URLs and message formats (POST /webhooks/rest/webhook and socket.io
on /socket.io). Both hand every message to one path, `CheckedInput.process_message`:

    rate limits -> check_message -> redact -> language and danger screen -> Rasa
    (on_new_message) -> an apology if Rasa fails

with the friendly answers (rate limited, a message the NLU does not get, an apology) in the
conversation's language, looked up one way (`conversation_language`). What the path adds:
- a friendly answer, without running the NLU, for an empty message, a message
  without words (emoji only), a message that is not text, or one that is too long;
- removal of control characters and of a leading '/', so typed text can never
  trigger an intent or set a slot;
- per-conversation and per-address rate limits (bot/lse/rate_limit.py) with a friendly
  "wait a moment and send it again";
- the checks, redaction, language detection and danger screen of a message run in a
  worker thread, not on Sanic's event loop;
- only the metadata key `language` is accepted from the client; the detected
  language of the message is added, so the opening is in the visitor's language;
- the danger screen (bot/nlu/danger_screen.py, of the loaded model) on every message: its kind goes into the
  metadata, so that a conversation that starts with danger gets the crisis text before the
  opening; a message too long for the NLU that holds danger gets the crisis text with the
  request to write less.
What the channels add around it:
- a 400 answer for a body that is not a JSON object (deep nesting included) or has no
  valid sender; 413 for a body over MAX_BODY_BYTES, refused before it is parsed; socket.io
  packets over MAX_BODY_BYTES close the connection (engine.io `max_http_buffer_size`);
- stored conversation ids that are an HMAC of the client's id (bot/lse/sender_ids.py), so
  what staff see and export is never the id a client uses to write into a conversation;
- a socket holds one session (room) at a time, and a session belongs to the first socket
  that asked for it while that socket is connected: another socket that sends the same
  session id gets a new session and never the first one's replies;
- no visitor text in the logs (bot/logging_config.py, installed when a channel is made).
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    OutputChannel,
    UserMessage,
)
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import logging_config
from bot.lse import crisis, origins, rate_limit, sender_ids
from bot.lse.facts import Facts, load_facts
from bot.lse.language import SUPPORTED, detect_language, warm_up
from bot.lse.message_checks import CheckedMessage, check_message
from bot.lse.redaction import redact
from bot.lse.texts import render
from bot.nlu.danger_screen import danger_verdict

logger = logging.getLogger(__name__)

# A conversation id chosen by the client (REST `sender`, socket.io `session_id`): 1 to 128
# letters, digits, '_' or '-', the whole string (no trailing newline); socket.io session
# ids 16 to 64 of them. Every uuid4 hex passes, all-digit ones included. It is never
# stored: the stored conversation id is an HMAC of it with the server's secret
# (bot/lse/sender_ids.py), so a client id made of an e-mail address or phone number never
# becomes a stored conversation id, and a stored id that staff see cannot be used to write
# into or read from the conversation.
SENDER_PATTERN = sender_ids.CLIENT_ID
SESSION_ID_PATTERN = sender_ids.SESSION_ID
valid_sender = sender_ids.valid_client_id
DEFAULT_ORIGINS = origins.DEFAULT_ORIGINS
# Largest request body (REST) and socket.io packet. A message is at most
# facts.max_message_length (1000) characters: even as JSON \u escapes that is under 7 KB.
MAX_BODY_BYTES = 64 * 1024

# What process_message did with a message.
LIMITED = "limited"  # over a rate limit: asked to wait, not handled
REFUSED = "refused"  # the checks refused it: a friendly answer, the NLU never saw it
HANDLED = "handled"  # Rasa handled it
FAILED = "failed"  # Rasa failed on it: an apology with the contact details

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Reply = Callable[[str], Awaitable[None]]

_SECRET: dict[str, bytes] = {}


def _secret() -> bytes:
    if "value" not in _SECRET:
        _SECRET["value"] = sender_ids.load_secret()
    return _SECRET["value"]


def stored_sender_id(client_id: str) -> str:
    """The conversation id the tracker store and the staff app use for `client_id`."""
    return sender_ids.stored_id(client_id, _secret())


def _limit_body_size(app: Any, _loop: Any = None) -> None:
    """Sanic refuses bodies over REQUEST_MAX_SIZE with 413 while reading them (default
    100 MB); Rasa's app does not lower it."""
    if app.config.REQUEST_MAX_SIZE > MAX_BODY_BYTES:
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    if app.config.WEBSOCKET_MAX_SIZE > MAX_BODY_BYTES:
        app.config.WEBSOCKET_MAX_SIZE = MAX_BODY_BYTES


def _parse_json(body: Any) -> Any:
    """json.loads, with None for anything that is not JSON, too deeply nested included
    (json raises RecursionError for `[` * 100000)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
        return None


def _client_address(request: Any) -> str | None:
    """The client's address: the one a configured proxy passes (Sanic's PROXIES_COUNT /
    REAL_IP_HEADER, e.g. SANIC_PROXIES_COUNT=1 behind the cluster's nginx), else the peer."""
    if request is None:
        return None
    try:
        return request.remote_addr or request.ip or None
    except Exception:  # an address is a help for limits, never a reason to fail
        return None


def _agent(app: Any) -> Any:
    """The agent Rasa keeps on its Sanic app (None before it is loaded, or without an app)."""
    return getattr(getattr(app, "ctx", None), "agent", None)


def _clean_metadata(raw: Any, text: str) -> dict[str, Any]:
    """Keep only what we use: the language, as the page says or as detected, and the kind
    of danger the screen finds in the message (read by action_session_start)."""
    requested = raw.get("language") if isinstance(raw, dict) else None
    detected = detect_language(text)
    language = detected or (requested if requested in SUPPORTED else None)
    metadata: dict[str, Any] = {"language": language} if language else {}
    signal = danger_verdict(text)
    if signal.found:
        metadata["danger"] = signal.kind
    return metadata


async def conversation_language(agent: Any, sender_id: str | None) -> str | None:
    """The language slot of a stored conversation, for the answers a channel gives itself
    (None: no agent yet, no such conversation, or the store failed; they are in Dutch)."""
    if agent is None or not sender_id:
        return None
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
        return tracker.get_slot("language") if tracker else None
    except Exception:  # a reply in Dutch is better than no reply
        logger.warning("could not read the language of a conversation", exc_info=True)
        return None


def _prepare(checked: CheckedMessage, raw_metadata: Any) -> tuple[str, dict[str, Any]]:
    """Redaction, language and danger screen of a checked message (in a worker thread)."""
    text = redact(checked.text)  # no identifiers reach the NLU, tracker store or logs
    return text, _clean_metadata(raw_metadata, text)


@dataclass(frozen=True)
class IncomingMessage:
    """A message as a channel received it, before any check."""

    sender_id: str  # the stored conversation id (stored_sender_id of the client's id)
    text: Any  # what the client sent as the message: not checked, may be anything
    metadata: Any = None  # what the client sent as metadata: not checked either
    client_address: str | None = None  # for the per-address rate limit


class CheckedInput:
    """The message path both channels share (a mixin for an InputChannel)."""

    facts: Facts
    limits: Any  # rate_limit.ChannelLimits, or rate_limit.Unlimited with LSE_RATE_LIMITS=off

    def _init_checks(self) -> None:
        self.facts = load_facts()
        self.limits = rate_limit.ChannelLimits.from_environment()
        warm_up()
        # Rasa makes its channels after it configured structlog (rasa/__main__.py): from
        # now on no log line holds a visitor's text.
        logging_config.install_structlog()

    async def process_message(
        self,
        message: IncomingMessage,
        output: OutputChannel,
        reply: Reply,
        on_new_message: OnNewMessage,
        agent: Any = None,
    ) -> str:
        """The one path of a message, for every channel: rate limits, check_message, redact,
        language and danger screen (in a worker thread), then Rasa's `on_new_message` with
        `output` for the bot's answers. The channel's own answers (asked to wait, a message
        the NLU does not get, an apology when Rasa fails) go through `reply`, in the
        conversation's language (from `agent`'s tracker store). Returns LIMITED, REFUSED,
        HANDLED or FAILED."""
        sender_id = message.sender_id
        if not self.limits.allow(sender_id, message.client_address):
            await reply(self.rate_limited_reply(await conversation_language(agent, sender_id)))
            return LIMITED
        checked = await asyncio.to_thread(self.check, message.text)
        if not checked.ok:
            language = await conversation_language(agent, sender_id)
            await reply(await asyncio.to_thread(self.problem_reply, checked, language))
            return REFUSED
        text, metadata = await asyncio.to_thread(_prepare, checked, message.metadata)
        try:
            await on_new_message(UserMessage(text, output, sender_id,
                                             input_channel=self.name(),  # type: ignore[attr-defined]
                                             metadata=metadata))
        except asyncio.CancelledError:
            logger.error("%s: handling a message was cancelled (conversation %s)",
                         self.name(), sender_id)  # type: ignore[attr-defined]
            raise
        except Exception:
            logger.exception("%s: handling a message failed (conversation %s)",
                             self.name(), sender_id)  # type: ignore[attr-defined]
            await reply(self.failure_reply(await conversation_language(agent, sender_id)))
            return FAILED
        return HANDLED

    def check(self, raw: Any) -> CheckedMessage:
        return check_message(raw, self.facts.max_message_length)

    def rate_limited_reply(self, language: str | None) -> str:
        return render("input_rate_limited", language, self.facts)

    def problem_reply(self, checked: CheckedMessage, language: str | None) -> str:
        """The friendly answer to a message the NLU does not get. A long message can be
        someone in crisis: when the danger screen finds danger in it, the crisis text
        comes first."""
        reply = render("input_" + str(checked.problem), language, self.facts)
        text = checked.raw_text
        if text:
            signal = danger_verdict(text)
            if signal.found:
                kind = crisis.crisis_kind(
                    crisis.SUICIDE if signal.kind == crisis.SUICIDE else crisis.HARM_OTHERS,
                    signal.as_dict())
                reply = render(crisis.TEXT_FOR_KIND[kind], language, self.facts) + "\n\n" + reply
        return reply

    def failure_reply(self, language: str | None) -> str:
        # Something broke while handling a fine message: apologise and give the contact.
        return render("internal_error", language, self.facts)


class RestInput(CheckedInput, RasaRestInput):
    """Rasa's REST channel with checks. POST /webhooks/rest/webhook.

    Rasa's hooks `_extract_sender`, `_extract_message`, `get_metadata` and
    `_extract_input_channel` are overridden. Its `blueprint` is not used, because before
    its handler runs we must answer a body that is not a JSON object or has no valid
    sender with a 400 (Rasa's `request.json` raises a 500 on deep nesting, and it makes up
    a new sender for a missing one); and around it we need what Rasa's handler does not
    do: the message path (process_message, with a friendly answer instead of an empty
    list when Rasa fails), the stored (HMAC) sender id with the client's own id as
    `recipient_id` in the answer, and no client-chosen `input_channel` or `?stream=true`
    (Rasa's stream would skip all of it).
    """

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    def __init__(self) -> None:
        self._init_checks()

    @staticmethod
    def _payload(request: Request) -> Any:
        """The parsed body (None when it is not JSON), parsed once per request."""
        if not hasattr(request.ctx, "lse_payload"):
            request.ctx.lse_payload = _parse_json(request.body or b"")
        return request.ctx.lse_payload

    async def _extract_sender(self, req: Request) -> str | None:
        """The client's id, or None when it is not valid. A sender sent as a JSON number is
        taken as its decimal digits (Rasa's REST channel accepts numbers), so "0612345678"
        sent as the number 612345678 is another conversation: clients send strings."""
        payload = self._payload(req)
        sender = payload.get("sender") if isinstance(payload, dict) else None
        if isinstance(sender, int) and not isinstance(sender, bool):
            sender = str(sender)
        return sender if isinstance(sender, str) and valid_sender(sender) else None

    def _extract_message(self, req: Request) -> Any:
        """The message as sent: process_message checks it (it need not be text)."""
        payload = self._payload(req)
        return payload.get("message") if isinstance(payload, dict) else None

    def get_metadata(self, request: Request) -> Any:
        """The metadata as sent: process_message keeps only the language."""
        payload = self._payload(request)
        return payload.get("metadata") if isinstance(payload, dict) else None

    def _extract_input_channel(self, req: Request) -> str:
        # Rasa lets the client name the input channel; it is stored, so we do not.
        return self.name()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("custom_webhook_LseRestInput", __name__)
        webhook.listener("main_process_start")(_limit_body_size)
        webhook.listener("before_server_start")(_limit_body_size)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:  # Sanic's cap, should it be raised
                return response.json({"error": "The body is too large."}, status=413)
            if not isinstance(self._payload(request), dict):
                return response.json({"error": "The body must be a JSON object."}, status=400)
            sender = await self._extract_sender(request)
            if sender is None:
                return response.json(
                    {"error": "'sender' must be a random id of 1 to 128 letters, digits, _ or -"},
                    status=400)
            collector = CollectingOutputChannel()

            async def reply(text: str) -> None:
                collector.messages.append({"text": text})

            await self.process_message(
                IncomingMessage(stored_sender_id(sender), self._extract_message(request),
                                self.get_metadata(request), _client_address(request)),
                collector, reply, on_new_message, _agent(request.app))
            # The client knows its conversation by its own id, never by the stored one.
            return response.json([dict(m, recipient_id=sender) for m in collector.messages])

        return webhook


class SocketIOInput(CheckedInput, RasaSocketIOInput):
    """Rasa's socket.io channel with checks and an origin allow-list.

    Rasa's socket.io blueprint has no hooks (its handlers are closures), and ours differs in
    what each handler does: sessions belong to one socket, rooms are the stored (HMAC)
    ids, connections are rate limited, and every message goes through process_message.
    So the blueprint is ours; the events, their payloads and the output channel are Rasa's.
    """

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
            # LSE_ALLOWED_ORIGINS (the setting the web app's /api uses too), else the list
            # in credentials.yml, else the demo site on localhost.
            origins.allowed_origins(
                default=credentials.get("cors_allowed_origins") or DEFAULT_ORIGINS),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        session_persistence: bool = True,
        socketio_path: str = "/socket.io",
        cors_allowed_origins: Iterable[str] = DEFAULT_ORIGINS,
    ) -> None:
        # Rasa's attributes (no JWT: the widget has no login); metadata_key "metadata".
        RasaSocketIOInput.__init__(self, user_message_evt, bot_message_evt, namespace,
                                   session_persistence, socketio_path)
        self._init_checks()
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.namespace = namespace
        self.session_persistence = session_persistence
        self.socketio_path = socketio_path
        self.cors_allowed_origins = list(cors_allowed_origins)
        self.sio: AsyncServer | None = None
        self._app: Any = None

    def get_output_channel(self) -> SocketIOOutput | None:
        if self.sio is None:
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def _extract_metadata(self, data: dict[str, Any]) -> Any:
        """The metadata of a user_uttered event as sent; like Rasa's, it may be a JSON string."""
        raw_metadata = data.get(self.metadata_key)
        if isinstance(raw_metadata, str):
            raw_metadata = (_parse_json(raw_metadata)
                            if len(raw_metadata) <= MAX_BODY_BYTES else None)
        return raw_metadata

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # max_http_buffer_size: engine.io refuses a larger packet before it is decoded
        # (polling: 413-like error; websocket: the connection is closed).
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins,
                          max_http_buffer_size=MAX_BODY_BYTES)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        socketio_webhook.listener("main_process_start")(_limit_body_size)
        socketio_webhook.listener("before_server_start")(_limit_body_size)
        self.sio = sio
        # sid -> the client's session id; sid -> stored conversation id (the room);
        # stored id -> the sid that holds it; sid -> client address.
        sessions: dict[str, str] = {}
        rooms: dict[str, str] = {}
        holders: dict[str, str] = {}
        addresses: dict[str, str | None] = {}
        connections = rate_limit.RateLimiter(*rate_limit.CONNECTIONS_PER_ADDRESS)
        self._sessions, self._rooms, self._holders = sessions, rooms, holders

        async def say(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        async def leave(sid: str) -> None:
            room = rooms.pop(sid, None)
            sessions.pop(sid, None)
            if room is None:
                return
            if holders.get(room) == sid:
                del holders[room]
            if self.session_persistence:
                left = sio.leave_room(sid, room, namespace=self.namespace)
                if inspect.isawaitable(left):
                    await left

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            address = _client_address(environ.get("sanic.request"))
            if address and not connections.allow(address):
                return False
            addresses[sid] = address
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            await leave(sid)
            addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(requested, str) or not sender_ids.valid_session_id(requested):
                requested = uuid.uuid4().hex
            if sessions.get(sid) == requested:
                await sio.emit("session_confirm", requested, room=sid, namespace=self.namespace)
                return
            # One session per socket: a second request leaves the first room.
            await leave(sid)
            stored = stored_sender_id(requested)
            holder = holders.get(stored)
            if holder is not None and holder != sid:
                # Another connected socket holds this session: this one gets a new one
                # (and so never the other's replies). A page reload closes the old socket
                # first, so a reloaded widget keeps its conversation.
                requested = uuid.uuid4().hex
                stored = stored_sender_id(requested)
            sessions[sid] = requested
            rooms[sid] = stored
            holders[stored] = sid
            if self.session_persistence:
                entered = sio.enter_room(sid, stored, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", requested, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                await say(sid, render("input_not_text", None, self.facts))
                return
            if self.session_persistence:
                session = sessions.get(sid)
                if session is None or data.get("session_id") not in (None, session):
                    # A message for a session this socket did not open: ask for a new one.
                    await sio.emit("session_confirm_required", {}, room=sid, namespace=self.namespace)
                    return
                sender_id = rooms[sid]
            else:
                sender_id = stored_sender_id(sid)

            async def reply(text: str) -> None:
                await say(sid, text)

            await self.process_message(
                IncomingMessage(sender_id, data.get("message"), self._extract_metadata(data),
                                addresses.get(sid)),
                SocketIOOutput(sio, self.bot_message_evt), reply, on_new_message,
                _agent(self._app))

        @socketio_webhook.listener("after_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        return socketio_webhook
