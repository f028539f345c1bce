"""The conversation index: one row per conversation in `staff_conversations`.

The conversation list, its filters and the overview charts read only this table, so a page
stays fast with tens of thousands of conversations. It is kept up to date incrementally:
`refresh` looks at events after the last event id it has seen (the watermark) and
recomputes the rows of the conversations those events belong to, from all of their events.
Recomputing a whole conversation (not adding to counters) makes a refresh idempotent, so it
may look back a little (LOOK_BACK ids): PostgreSQL can commit a lower id after a higher one,
and such a late event is still picked up by the next refresh.

Refreshes, deletions and the purge take the same lock (a write on the one row of
`staff_index_state`, in the staff database), so they never interleave, also across
processes (the web app and the command line tool).
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

from bot.lse import contract
from web.staff import db, events, inbox
from web.staff.db import Databases

logger = logging.getLogger(__name__)

LOOK_BACK = 200
BATCH_EVENTS = 20_000
SENDER_CHUNK = 400
FIRST_MESSAGE_LENGTH = 280
SEARCH_TEXT_LENGTH = 6000

_process_lock = threading.Lock()
DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"


@functools.cache
def slot_values(name: str) -> tuple[str, ...]:
    """The values a categorical slot may have, from domain.yml (the one place they are
    defined). A slot value from the tracker outside these is not indexed: a visitor can get
    any string into a slot (Rasa does not check categorical values), and the index must
    neither store it nor fail on it."""
    with open(DOMAIN_FILE, encoding="utf-8") as handle:
        slots = (yaml.safe_load(handle) or {}).get("slots") or {}
    return tuple(str(value) for value in (slots.get(name) or {}).get("values") or ())


def _allowed(name: str, value: Any) -> str | None:
    return value if isinstance(value, str) and value in slot_values(name) else None


def _column_size(column: str) -> int | None:
    return getattr(db.conversations.c[column].type, "length", None)


def clean_text(value: Any, size: int | None = None) -> str | None:
    """A string both databases take: no NUL (PostgreSQL refuses it), no lone surrogates
    (they cannot be encoded), at most `size` characters (the column's size)."""
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:size] if size else text


@dataclass
class Summary:
    sender_id: str
    started_at: float = 0.0
    last_event_at: float = 0.0
    role: str | None = None
    language: str | None = None
    first_message: str | None = None
    user_messages: int = 0
    bot_messages: int = 0
    danger_112: int = 0
    danger_113: int = 0
    contact_open: int = 0
    contact_closed: int = 0
    fallbacks: int = 0
    texts: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        # Every string is cleaned and cut to its column, whatever reached the tracker.
        search = clean_text(" \n".join(self.texts).lower(), SEARCH_TEXT_LENGTH)
        first = clean_text(self.first_message or "", min(
            FIRST_MESSAGE_LENGTH, _column_size("first_message") or FIRST_MESSAGE_LENGTH))
        return {
            "sender_id": self.sender_id, "started_at": self.started_at,
            "last_event_at": self.last_event_at,
            "role": clean_text(_allowed("role", self.role), _column_size("role")),
            "language": clean_text(_allowed("language", self.language),
                                   _column_size("language")),
            "first_message": first or None,
            "user_messages": self.user_messages, "bot_messages": self.bot_messages,
            "danger_112": self.danger_112, "danger_113": self.danger_113,
            "contact_open": self.contact_open, "contact_closed": self.contact_closed,
            "fallbacks": self.fallbacks, "search_text": search,
        }


def summarize(sender_id: str, rows: Iterable[Any]) -> Summary | None:
    """The index row of one conversation from its events (id order)."""
    summary = Summary(sender_id)
    seen = False
    for row in rows:
        timestamp = float(row.timestamp or 0.0)
        if not seen:
            summary.started_at = timestamp
            seen = True
        summary.started_at = min(summary.started_at, timestamp)
        summary.last_event_at = max(summary.last_event_at, timestamp)
        kind = row.type_name
        if kind == events.USER:
            text = events.user_message(row).text
            summary.user_messages += 1
            if summary.first_message is None and text:
                summary.first_message = text
            if text:
                summary.texts.append(text)
            if row.intent_name == contract.INTENT_NLU_FALLBACK:
                summary.fallbacks += 1
        elif kind == events.BOT:
            summary.bot_messages += 1
        elif kind == events.ACTION:
            if row.action_name == contract.ACTION_WARN_DANGER:
                summary.danger_112 += 1
            elif row.action_name == contract.ACTION_WARN_SUICIDE:
                summary.danger_113 += 1
        elif kind == events.SLOT:
            name, value = events.slot(row)
            if name == contract.SLOT_ROLE:
                summary.role = _allowed(contract.SLOT_ROLE, value)
            elif name == contract.SLOT_LANGUAGE:
                # An unknown value is no language: the last valid one stays.
                summary.language = _allowed(contract.SLOT_LANGUAGE, value) or summary.language
            elif name == contract.SLOT_OFFICE_OPEN and isinstance(value, bool):
                if value:
                    summary.contact_open += 1
                else:
                    summary.contact_closed += 1
        elif kind == events.RESTART:
            summary.role = None
    return summary if seen else None


def _events_of(tracker: Connection, senders: Sequence[str]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {sender: [] for sender in senders}
    e = db.events.c
    query = (sa.select(e.id, e.sender_id, e.type_name, e.timestamp, e.intent_name,
                       e.action_name,
                       sa.case((e.type_name.in_(events.WITH_DATA), e.data),
                               else_=sa.null())
                       .label("data"))
             .where(e.sender_id.in_(list(senders))).order_by(e.id))
    for row in tracker.execute(query):
        grouped[row.sender_id].append(row)
    return grouped


def lock(staff: Connection) -> int:
    """Takes the index lock inside the caller's transaction; returns the watermark."""
    staff.execute(db.index_state.update().where(db.index_state.c.id == 1)
                  .values(updated_at=time.time()))
    return int(staff.execute(sa.select(db.index_state.c.watermark)
                             .where(db.index_state.c.id == 1)).scalar_one())


def set_watermark(staff: Connection, watermark: int) -> None:
    staff.execute(db.index_state.update().where(db.index_state.c.id == 1)
                  .values(watermark=watermark, updated_at=time.time()))


def write_summaries(staff: Connection, tracker: Connection, senders: Sequence[str]) -> int:
    """Recomputes the rows of `senders`; a conversation without events loses its row."""
    written = 0
    for start in range(0, len(senders), SENDER_CHUNK):
        chunk = list(senders[start:start + SENDER_CHUNK])
        grouped = _events_of(tracker, chunk)
        staff.execute(db.conversations.delete().where(db.conversations.c.sender_id.in_(chunk)))
        rows = []
        for sender in chunk:
            summary = summarize(sender, grouped.get(sender, []))
            if summary is not None:
                rows.append(summary.row())
        written += _insert_rows(staff, rows)
        inbox.write_queue(staff, chunk, grouped)  # the inbox's messages to review
    return written


def _insert_rows(staff: Connection, rows: list[dict[str, Any]]) -> int:
    """Inserts index rows; when the batch fails, row by row, skipping (and logging, without
    any text) a row the database still refuses, so one bad conversation cannot stop the
    index for everyone."""
    if not rows:
        return 0
    try:
        with staff.begin_nested():
            staff.execute(db.conversations.insert(), rows)
        return len(rows)
    except (sa.exc.SQLAlchemyError, ValueError):
        pass
    written = 0
    for row in rows:
        try:
            with staff.begin_nested():
                staff.execute(db.conversations.insert(), [row])
            written += 1
        except (sa.exc.SQLAlchemyError, ValueError) as error:
            # The error's text can hold the row's values: only its class is logged.
            logger.error("index: conversation %s not indexed (%s)", row.get("sender_id"),
                         type(error).__name__)
    return written


def refresh(databases: Databases, max_events: int | None = BATCH_EVENTS) -> bool:
    """Takes new events into the index, at most about `max_events` of them (None: all).

    Returns True when the index is up to date afterwards."""
    with _process_lock:
        while True:
            done = _refresh_batch(databases, BATCH_EVENTS if max_events is None
                                  else min(max_events, BATCH_EVENTS))
            if done:
                return True
            if max_events is not None:
                max_events -= BATCH_EVENTS
                if max_events <= 0:
                    return False


def _refresh_batch(databases: Databases, limit: int) -> bool:
    e = db.events.c
    with databases.staff.begin() as staff, databases.tracker.connect() as tracker:
        watermark = lock(staff)
        newest = tracker.execute(sa.select(sa.func.max(e.id))).scalar()
        if newest is None or newest <= watermark:
            if newest is not None and newest < watermark:
                set_watermark(staff, newest)
            elif newest is None and watermark:
                set_watermark(staff, 0)
            return True
        start = max(0, watermark - LOOK_BACK) if watermark else 0
        rows = tracker.execute(sa.select(e.id, e.sender_id).where(e.id > start)
                               .order_by(e.id).limit(limit + LOOK_BACK)).all()
        senders = list(OrderedDict.fromkeys(row.sender_id for row in rows))
        last_id = rows[-1].id if rows else watermark
        started = time.monotonic()
        written = write_summaries(staff, tracker, senders)
        set_watermark(staff, max(last_id, watermark))
        logger.debug("index: %d conversations updated up to event %d in %.2f s", written,
                    max(last_id, watermark), time.monotonic() - started)
        return last_id >= newest


def rebuild(databases: Databases) -> None:
    """Forgets the index and builds it again from all events."""
    with _process_lock:
        with databases.staff.begin() as staff:
            lock(staff)
            staff.execute(db.conversations.delete())
            staff.execute(db.queue.delete())
            set_watermark(staff, 0)
    refresh(databases, max_events=None)
