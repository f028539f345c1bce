"""Rasa input channels with checks on every message before the NLU runs.

`RestInput` and `SocketIOInput` keep the names, URLs and message formats of Rasa's
own `rest` and `socketio` channels (POST /webhooks/rest/webhook and socket.io on
/socket.io), and add:
- a friendly answer, without running the NLU, for an empty message, a message
  without words (emoji only), a message that is not text, or one that is too long;
- removal of control characters and of a leading '/', so typed text can never
  trigger an intent or set a slot;
- a 400 answer for a body that is not a JSON object or has no valid sender;
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
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import rasa_patches
from bot.lse import crisis
from bot.lse.facts import Facts, load_facts
from bot.lse.language import SUPPORTED, detect_language, warm_up
from bot.lse.message_checks import CheckedMessage, check_message
from bot.lse.redaction import redact
from bot.lse.texts import render
from bot.nlu.danger_screen import danger_verdict

logger = logging.getLogger(__name__)

# Rasa loads this module through credentials.yml when the server starts.
rasa_patches.apply()

# A conversation id chosen by the client: letters, digits, '_' and '-' only, with at least
# one letter. So an e-mail address (no '@' or '.') or a bare phone number (digits only) can
# never become a stored conversation id; random ids (uuid4 hex) always pass.
SENDER_PATTERN = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9_-]{1,128}$")


def valid_sender(sender: Any) -> bool:
    return isinstance(sender, str) and bool(SENDER_PATTERN.match(sender))


SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DEFAULT_ORIGINS = ["http://localhost:8000", "http://127.0.0.1:8000"]


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


class _CheckedInput:
    facts: Facts

    def _init_checks(self) -> None:
        self.facts = load_facts()
        warm_up()

    def check(self, raw: Any) -> CheckedMessage:
        return check_message(raw, self.facts.max_message_length)

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

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                payload = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "The body must be a JSON object."}, status=400)
            if not isinstance(payload, dict):
                return response.json({"error": "The body must be a JSON object."}, status=400)
            sender = payload.get("sender")
            if isinstance(sender, int) and not isinstance(sender, bool):
                sender = str(sender)
            if not valid_sender(sender):
                return response.json(
                    {"error": "'sender' must be a random id of 1 to 128 letters, digits, _ or -"},
                    status=400)

            checked = self.check(payload.get("message"))
            if not checked.ok:
                language = await _conversation_language(request, sender)
                return response.json(
                    [{"recipient_id": sender, "text": self.problem_reply(checked, language)}])

            collector = CollectingOutputChannel()
            text = redact(checked.text)  # no identifiers reach the NLU, tracker store or logs
            message = UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                metadata=_clean_metadata(payload.get("metadata"), text),
            )
            try:
                await on_new_message(message)
            except asyncio.CancelledError:
                logger.error("rest: handling a message was cancelled (sender %s)", sender)
                raise
            except Exception:
                logger.exception("rest: handling a message failed (sender %s)", sender)
                language = await _conversation_language(request, sender)
                collector.messages.append(
                    {"recipient_id": sender, "text": self.failure_reply(language)})
            return response.json(collector.messages)

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
            credentials.get("cors_allowed_origins") or DEFAULT_ORIGINS,
        )

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        session_persistence: bool = True,
        socketio_path: Text = "/socket.io",
        cors_allowed_origins: Iterable[str] = tuple(DEFAULT_ORIGINS),
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
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        sessions: Dict[str, str] = {}

        async def say(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if (not isinstance(requested, str) or not SESSION_ID_PATTERN.match(requested)
                    or not valid_sender(requested)):
                requested = uuid.uuid4().hex
            sessions[sid] = requested
            if self.session_persistence:
                entered = sio.enter_room(sid, requested, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", requested, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                await say(sid, render("input_not_text", None, self.facts))
                return
            if self.session_persistence:
                sender_id = sessions.get(sid)
                if sender_id is None or data.get("session_id") not in (None, sender_id):
                    # A message for a session this socket did not open: ask for a new one.
                    await sio.emit("session_confirm_required", {}, room=sid, namespace=self.namespace)
                    return
            else:
                sender_id = sid
            checked = self.check(data.get("message"))
            if not checked.ok:
                language = await self._language_of(sender_id)
                await say(sid, self.problem_reply(checked, language))
                return
            raw_metadata = data.get("metadata")
            if isinstance(raw_metadata, str):
                try:
                    raw_metadata = json.loads(raw_metadata)
                except ValueError:
                    raw_metadata = None
            text = redact(checked.text)  # no identifiers reach the NLU, tracker store or logs
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=_clean_metadata(raw_metadata, text),
            )
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("socketio: handling a message failed (sender %s)", sender_id)
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
