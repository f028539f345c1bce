"""Rasa's SQL tracker store, with the same tables and rows and less work per message.

Rasa 3.6's `SQLTrackerStore` runs inside Rasa's event loop, so while it works every other
conversation waits. The profile of a message (docs/performance.md) showed 4.7 ms of 17 ms in
`save` and 1.5 ms in `retrieve` on SQLite, mostly spent outside the database:
- SQLAlchemy 1.4 gives a SQLite file no connection pool, so every `retrieve` and every
  `save` opened the file again and read its schema;
- `save` goes through the ORM: a new session, a query object built and compiled for each
  call, and one INSERT statement per event.

`LseSQLTrackerStore` keeps Rasa's table, its columns and what goes into them (the staff app,
`rasa export` and the PostgreSQL setup of `make cluster` read them as before) and changes how
they are written and read:
- `save`: the same count of the events already stored since the last session start (Rasa's
  rule for which events are new), then one multi-row INSERT, with statements built once;
- `retrieve`: the same query (events since the latest `session_started`, in id order) as a
  prebuilt statement, without ORM objects;
- SQLite only: one pool of connections that stay open, in write-ahead-log mode
  (`journal_mode=WAL`; `synchronous=FULL`, so a committed message survives a power cut),
  with `busy_timeout` so a second process (the staff app, a second Sanic worker) waits for
  the write lock instead of failing.

A conversation deleted by staff (web/staff/retention.py) leaves a tombstone for some
minutes in `lse_deleted_senders`: `save` writes nothing of a tracker that still holds events
from before the delete, so a tracker Rasa read just before it (a message in flight) cannot
write the deleted conversation back (review L7). A new conversation under the same id (all
its events after the delete) is stored as usual.

A slot value is checked before it is stored: a categorical slot (role, language, crisis)
keeps only a value domain.yml lists, anything else is stored as null (Rasa itself does not
check them, and a visitor could get any string into a slot: review H1). The short indexed
columns (`intent_name`, `action_name`) are cut to their size.

With `POSTGRESQL_SCHEMA` set, Rasa's own code runs (it checks the schema per session).
Configured in endpoints.yml as `type: bot.tracker_store.LseSQLTrackerStore`. If Rasa cannot
import that class it silently falls back to an in-memory store, so
tests/unit/test_tracker_store.py loads endpoints.yml the way Rasa does and checks the class.
"""
from __future__ import annotations

import itertools
import json
import os
from typing import Any

import sqlalchemy as sa
from rasa.core.constants import POSTGRESQL_SCHEMA
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import DEFAULT_CATEGORICAL_SLOT_VALUE
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.slots import CategoricalSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import QueuePool

BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 4

# The same table as web/staff/db.py's `deleted_senders` (tests/unit/test_tracker_store.py).
tombstone_metadata = sa.MetaData()
deleted_senders = sa.Table(
    "lse_deleted_senders", tombstone_metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("deleted_before", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def pooled_sqlite_engine(url: Any) -> sa.engine.Engine:
    """An engine for a SQLite file whose connections stay open, in WAL mode."""
    engine = sa.create_engine(url, poolclass=QueuePool, pool_size=POOL_SIZE, max_overflow=4,
                              connect_args={"check_same_thread": False,
                                            "timeout": BUSY_TIMEOUT_MS / 1000})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _short(value: Any, size: int = 255) -> Any:
    return value[:size] if isinstance(value, str) else value


class LseSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore with prebuilt statements; for SQLite, pooled connections."""

    engine: sa.engine.Engine  # made by Rasa's __init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self.engine.dispose()
            self.engine = pooled_sqlite_engine(url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            with self.engine.connect():
                pass  # WAL mode is a property of the file: set it now, for every reader
        try:
            tombstone_metadata.create_all(self.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError:
            # Another process (the staff app, a second replica) made it at the same moment.
            tombstone_metadata.create_all(self.engine, checkfirst=True)
        self._build_statements()

    def _build_statements(self) -> None:
        events = self.SQLEvent.__table__
        self._table = events
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender,
                   events.c.type_name == SessionStarted.type_name)
            .scalar_subquery())
        since_session_start = sa.and_(
            events.c.sender_id == sender,
            sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
        self._count_latest_session = sa.select(sa.func.count()).select_from(events).where(
            since_session_start)
        self._events_latest_session = sa.select(events.c.data).where(
            since_session_start).order_by(events.c.id)
        self._events_all_sessions = sa.select(events.c.data).where(
            events.c.sender_id == sender).order_by(events.c.id)
        self._deleted_before = sa.select(deleted_senders.c.deleted_before).where(
            deleted_senders.c.sender_id == sender)

    def _checked(self, data: dict[str, Any]) -> dict[str, Any]:
        """A slot event with a value its categorical slot does not allow gets null."""
        if data.get("event") != "slot" or self.domain is None:
            return data
        value = data.get("value")
        slot = next((slot for slot in self.domain.slots if slot.name == data.get("name")), None)
        if isinstance(slot, CategoricalSlot) and value is not None and not (
                isinstance(value, str) and value.lower() in slot.values
                and value.lower() != DEFAULT_CATEGORICAL_SLOT_VALUE):
            return {**data, "value": None}
        return data

    @staticmethod
    def _rasa_code_needed() -> bool:
        return bool(os.environ.get(POSTGRESQL_SCHEMA))

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        if self._rasa_code_needed():
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        statement = (self._events_all_sessions if fetch_events_from_all_sessions
                     else self._events_latest_session)
        with self.engine.connect() as connection:
            rows = connection.execute(statement, {"sender_id": sender_id}).fetchall()
        events = [json.loads(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self._rasa_code_needed():
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = connection.execute(self._count_latest_session,
                                        {"sender_id": tracker.sender_id}).scalar() or 0
            deleted_before = connection.execute(self._deleted_before,
                                                {"sender_id": tracker.sender_id}).scalar()
            new = [event.as_dict() for event in
                   itertools.islice(tracker.events, stored, len(tracker.events))]
            if deleted_before is not None and any(
                    (data.get("timestamp") or 0.0) <= deleted_before for data in new):
                # A tracker read before staff deleted its conversation: nothing of it is
                # written back (the visitor's next message starts a new conversation).
                return
            rows: list[dict[str, Any]] = []
            for data, event in zip(new, itertools.islice(tracker.events, stored, None), strict=False):
                data = self._checked(data)
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": _short(data.get("parse_data", {}).get("intent", {})
                                          .get(INTENT_NAME_KEY)),
                    "action_name": _short(data.get("name")),
                    "data": json.dumps(data),
                })
            if rows:
                connection.execute(self._table.insert(), rows)
