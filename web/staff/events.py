"""Rasa's events as the staff app reads them: the one place that knows the shape of the
`data` column of Rasa's `events` table (the event's dict as JSON).

The index (web/staff/index.py), the transcripts and exports (web/staff/queries.py) and the
inbox (web/staff/inbox.py) read rows of that table (`type_name`, `intent_name`,
`action_name`, `data`) and take what they need from here. Whatever reached the tracker
store is read defensively: a missing or malformed field is empty, never an exception, so
one odd event can neither break a page nor stop the index.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

# The event types (Rasa's `type_name`) the staff app reads.
USER, BOT, ACTION, SLOT = "user", "bot", "action", "slot"
SESSION_STARTED, RESTART = "session_started", "restart"
# The only types whose `data` the staff app needs; the index reads no other data.
WITH_DATA = (USER, BOT, SLOT)


def load(data: str | None) -> dict[str, Any]:
    """The event's dict from the `data` column; {} when it is not a JSON object."""
    try:
        value = json.loads(data or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass
class UserMessage:
    """A visitor's message (a `user` event): the text as stored (the channel redacted it)
    and what the NLU made of it."""
    text: str = ""
    intent: str | None = None       # the intent Rasa chose (the column, else parse_data)
    confidence: float | None = None
    ranking: list[tuple[str, float]] = field(default_factory=list)  # intent_ranking, in order
    entities: list[tuple[str, str]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)  # the channel's metadata
    danger: dict[str, Any] = field(default_factory=dict)    # the danger screen's verdict


def user_message(row: Any) -> UserMessage:
    """The UserMessage of a `user` event row (`data`, and `intent_name` when it has one)."""
    data = load(row.data)
    parse = _dict(data.get("parse_data"))
    intent = _dict(parse.get("intent"))
    ranking = [(str(entry.get("name")), _number(entry.get("confidence")) or 0.0)
               for entry in _list(parse.get("intent_ranking")) if isinstance(entry, dict)]
    entities = [(str(entity.get("entity")), str(entity.get("value")))
                for entity in _list(parse.get("entities")) if isinstance(entity, dict)]
    name = getattr(row, "intent_name", None) or intent.get("name")
    return UserMessage(text=_text(data.get("text")), intent=str(name) if name else None,
                       confidence=_number(intent.get("confidence")),
                       ranking=ranking, entities=entities,
                       metadata=_dict(data.get("metadata")), danger=_dict(parse.get("danger")))


@dataclass
class BotMessage:
    """What the assistant said (a `bot` event): its text and the buttons it offered."""
    text: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)


def bot_message(row: Any) -> BotMessage:
    data = load(row.data)
    buttons = [button for button in _list(_dict(data.get("data")).get("buttons"))
               if isinstance(button, dict)]
    return BotMessage(text=_text(data.get("text")), buttons=buttons)


def slot(row: Any) -> tuple[Any, Any]:
    """(name, value) of a `slot` event, as stored (either may be missing: None)."""
    data = load(row.data)
    return data.get("name"), data.get("value")
