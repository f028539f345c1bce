"""Rasa input channels with checks on every message before the NLU runs.

`RestInput` and `SocketIOInput` keep the names, URLs and message formats of Rasa's
own `rest` and `socketio` channels (POST /webhooks/rest/webhook and socket.io on
/socket.io), and add:
- a friendly answer, without running the NLU, for an empty message, a message
  without words (emoji only), a message that is not text, or one that is too long;
- removal of control characters and of a leading '/', so typed text can never
  trigger an intent or set a slot;
- a 400 answer for a body that is not a JSON object (deep nesting included) or has no
  valid sender; 413 for a body over MAX_BODY_BYTES, refused before it is parsed; socket.io
  packets over MAX_BODY_BYTES close the connection (engine.io `max_http_buffer_size`);
- stored conversation ids that are an HMAC of the client's id (bot/lse/sender_ids.py), so
  what staff see and export is never the id a client uses to write into a conversation;
- a socket holds one session (room) at a time, and a session belongs to the first socket
  that asked for it while that socket is connected: another socket that sends the same
  session id gets a new session and never the first one's replies;
- per-conversation and per-address rate limits (bot/lse/rate_limit.py) with a friendly
  "wait a moment and send it again";
- the checks, redaction, language detection and danger screen of a message run in a
  worker thread, not on Sanic's event loop;
- no visitor text in the logs;
- only the metadata key `language` is accepted from the client; the detected
  language of the message is added, so the opening is in the visitor's language;
- the danger screen (bot/nlu/danger_screen.py, of the loaded model) on every message: its kind goes into the
  metadata, so that a conversation that starts with danger gets the crisis text before the
  opening; a message too long for the NLU that holds danger gets the crisis text with the
  request to write less.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import logging_config, rasa_patches
from bot.lse import crisis, origins, rate_limit, sender_ids
from bot.lse.facts import Facts, load_facts
from bot.lse.language import SUPPORTED, detect_language, warm_up
from bot.lse.message_checks import CheckedMessage, check_message
from bot.lse.redaction import redact
from bot.lse.texts import render
from bot.nlu.danger_screen import danger_verdict

logger = logging.getLogger(__name__)

# Rasa loads this module through credentials.yml when the server starts (after it has
# configured structlog): from then on no log line holds a visitor's text.
rasa_patches.apply()
logging_config.install_structlog()

# A conversation id chosen by the client (REST `sender`, socket.io `session_id`): 1 to 128
# letters, digits, '_' or '-', the whole string (no trailing newline), so every uuid4 hex
# passes, all-digit ones included. It is never stored: the stored conversation id is an
# HMAC of it with the server's secret (bot/lse/sender_ids.py), so a client id made of an
# e-mail address or phone number never becomes a stored conversation id, and a stored id
# that staff see cannot be used to write into or read from the conversation.
SENDER_PATTERN = sender_ids.CLIENT_ID
SESSION_ID_PATTERN = sender_ids.SESSION_ID
valid_sender = sender_ids.valid_client_id
DEFAULT_ORIGINS = origins.DEFAULT_ORIGINS
# Largest request body (REST) and socket.io packet. A message is at most
# facts.max_message_length (1000) characters: even as JSON \u escapes that is under 7 KB.
MAX_BODY_BYTES = 64 * 1024

_SECRET: Dict[str, bytes] = {}


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


def _client_address(request: Any) -> Optional[str]:
    """The client's address: the one a configured proxy passes (Sanic's PROXIES_COUNT /
    REAL_IP_HEADER, e.g. SANIC_PROXIES_COUNT=1 behind the cluster's nginx), else the peer."""
    if request is None:
        return None
    try:
        return request.remote_addr or request.ip or None
    except Exception:  # an address is a help for limits, never a reason to fail
        return None


def _clean_metadata(raw: Any, text: str) -> Dict[str, Any]:
    """Keep only what we use: the language, as the page says or as detected, and the kind
    of danger the screen finds in the message (read by action_session_start)."""
    requested = raw.get("language") if isinstance(raw, dict) else None
    detected = detect_language(text)
    language = detected or (requested if requested in SUPPORTED else None)
    metadata: Dict[str, Any] = {"language": language} if language else {}
    signal = danger_verdict(text)
    if signal.found:
        metadata["danger"] = signal.kind
    return metadata


async def _conversation_language(request: Request, sender_id: Optional[str]) -> Optional[str]:
    """The language slot of an existing conversation, for replies made in the channel."""
    if not sender_id:
        return None
    try:
        agent = request.app.ctx.agent
        tracker = await agent.tracker_store.retrieve(sender_id)
        return tracker.get_slot("language") if tracker else None
    except Exception:  # a reply in Dutch is better than no reply
        logger.warning("could not read the language of a conversation", exc_info=True)
        return None


def _prepare(checked: CheckedMessage, raw_metadata: Any) -> "tuple[str, Dict[str, Any]]":
    """Redaction, language and danger screen of a checked message (in a worker thread)."""
    text = redact(checked.text)  # no identifiers reach the NLU, tracker store or logs
    return text, _clean_metadata(raw_metadata, text)


class _CheckedInput:
    facts: Facts
    limits: rate_limit.ChannelLimits

    def _init_checks(self) -> None:
        self.facts = load_facts()
        self.limits = rate_limit.ChannelLimits.from_environment()
        warm_up()

    def check(self, raw: Any) -> CheckedMessage:
        return check_message(raw, self.facts.max_message_length)

    async def check_async(self, raw: Any) -> CheckedMessage:
        return await asyncio.to_thread(self.check, raw)

    async def prepare(self, checked: CheckedMessage, raw_metadata: Any
                      ) -> "tuple[str, Dict[str, Any]]":
        return await asyncio.to_thread(_prepare, checked, raw_metadata)

    def rate_limited_reply(self, language: Optional[str]) -> str:
        return render("input_rate_limited", language, self.facts)

    def problem_reply(self, checked: CheckedMessage, language: Optional[str]) -> str:
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

    def failure_reply(self, language: Optional[str]) -> str:
        # Something broke while handling a fine message: apologise and give the contact.
        return render("internal_error", language, self.facts)


class RestInput(_CheckedInput, InputChannel):
    """Rasa's REST channel with checks. POST /webhooks/rest/webhook."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        return cls()

    def __init__(self) -> None:
        self._init_checks()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
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
            payload = _parse_json(request.body or b"")
            if not isinstance(payload, dict):
                return response.json({"error": "The body must be a JSON object."}, status=400)
            sender = payload.get("sender")
            if isinstance(sender, int) and not isinstance(sender, bool):
                sender = str(sender)
            if not valid_sender(sender):
                return response.json(
                    {"error": "'sender' must be a random id of 1 to 128 letters, digits, _ or -"},
                    status=400)
            stored = stored_sender_id(sender)

            def answer(messages: list) -> HTTPResponse:
                # The client knows its conversation by its own id, never by the stored one.
                return response.json([dict(m, recipient_id=sender) for m in messages])

            if not self.limits.allow(stored, _client_address(request)):
                language = await _conversation_language(request, stored)
                return answer([{"text": self.rate_limited_reply(language)}])

            checked = await self.check_async(payload.get("message"))
            if not checked.ok:
                language = await _conversation_language(request, stored)
                reply = await asyncio.to_thread(self.problem_reply, checked, language)
                return answer([{"text": reply}])

            collector = CollectingOutputChannel()
            text, metadata = await self.prepare(checked, payload.get("metadata"))
            message = UserMessage(
                text,
                collector,
                stored,
                input_channel=self.name(),
                metadata=metadata,
            )
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("rest: handling a message was cancelled (conversation %s)", stored)
                raise
            except Exception:
                logger.exception("rest: handling a message failed (conversation %s)", stored)
                language = await _conversation_language(request, stored)
                collector.messages.append({"text": self.failure_reply(language)})
            return answer(collector.messages)

        return webhook


class SocketIOInput(_CheckedInput, InputChannel):
    """Rasa's socket.io channel with checks and an origin allow-list."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SocketIOInput":
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
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        session_persistence: bool = True,
        socketio_path: Text = "/socket.io",
        cors_allowed_origins: Iterable[str] = DEFAULT_ORIGINS,
    ) -> None:
        self._init_checks()
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.namespace = namespace
        self.session_persistence = session_persistence
        self.socketio_path = socketio_path
        self.cors_allowed_origins = list(cors_allowed_origins)
        self.sio: Optional[AsyncServer] = None

    def get_output_channel(self) -> Optional[SocketIOOutput]:
        if self.sio is None:
            return None
        return SocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
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
        sessions: Dict[str, str] = {}
        rooms: Dict[str, str] = {}
        holders: Dict[str, str] = {}
        addresses: Dict[str, Optional[str]] = {}
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
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            address = _client_address(environ.get("sanic.request"))
            if address and not connections.allow(address):
                return False
            addresses[sid] = address
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            await leave(sid)
            addresses.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if not sender_ids.valid_session_id(requested):
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
        async def handle_message(sid: Text, data: Any) -> None:
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
            if not self.limits.allow(sender_id, addresses.get(sid)):
                await say(sid, self.rate_limited_reply(await self._language_of(sender_id)))
                return
            checked = await self.check_async(data.get("message"))
            if not checked.ok:
                language = await self._language_of(sender_id)
                await say(sid, await asyncio.to_thread(self.problem_reply, checked, language))
                return
            raw_metadata = data.get("metadata")
            if isinstance(raw_metadata, str):
                raw_metadata = (_parse_json(raw_metadata)
                                if len(raw_metadata) <= MAX_BODY_BYTES else None)
            text, metadata = await self.prepare(checked, raw_metadata)
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("socketio: handling a message failed (conversation %s)", sender_id)
                await say(sid, self.failure_reply(await self._language_of(sender_id)))

        @socketio_webhook.listener("after_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self._app = app

        return socketio_webhook

    async def _language_of(self, sender_id: str) -> Optional[str]:
        app = getattr(self, "_app", None)
        agent = getattr(app.ctx, "agent", None) if app is not None else None
        if agent is None:
            return None
        try:
            tracker = await agent.tracker_store.retrieve(sender_id)
            return tracker.get_slot("language") if tracker else None
        except Exception:
            logger.warning("could not read the language of a conversation", exc_info=True)
            return None
