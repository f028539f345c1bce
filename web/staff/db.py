"""The two databases of the staff app, with SQLAlchemy Core so SQLite and PostgreSQL both work.

- The tracker database: Rasa's SQL tracker store, table `events` (read, and deleted from
  by retention). Its definition here matches Rasa's own, so either side may create it.
- The staff database: accounts, sessions, login attempts, tags, notes and review marks, the
  audit log, and `staff_conversations`, an index with one row per conversation that the
  conversation list reads (see web/staff/index.py), so no page view scans all events.
- The inbox (web/staff/inbox.py): `staff_queue`, an index of the visitor messages that may
  need a look (filled by the same refresh), staff flags and labels, and training examples
  (text only, linked to their conversation through `staff_queue_labels`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.lse.storage import PostgresConfig

logger = logging.getLogger(__name__)

tracker_metadata = sa.MetaData()

# Exactly Rasa 3.6's SQLTrackerStore.SQLEvent.
events = sa.Table(
    "events", tracker_metadata,
    sa.Column("id", sa.Integer, sa.Sequence("events_seq", optional=True), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

# Conversations deleted in the last minutes (web/staff/retention.py): the tracker store
# (bot/tracker_store.py, the same definition) drops events of these ids up to
# `deleted_before`, so a message in flight cannot write a deleted conversation back.
deleted_senders = sa.Table(
    "lse_deleted_senders", tracker_metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("deleted_before", sa.Float, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

staff_metadata = sa.MetaData()

users = sa.Table(
    "staff_users", staff_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False),
    # May search the visitors' messages (free text); admins always may (review M6).
    # Added to existing databases at start-up (ADDED_COLUMNS).
    sa.Column("may_search", sa.Boolean, nullable=False, default=False,
              server_default=sa.false()),
)

sessions = sa.Table(
    "staff_sessions", staff_metadata,
    # SHA-256 of the cookie value: a copy of the database gives no usable session.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen_at", sa.Float, nullable=False),
)

login_throttle = sa.Table(
    "staff_login_throttle", staff_metadata,
    # "a:" + SHA-256 of (typed username, address) or "i:" + SHA-256 of the address
    # (web/staff/auth.py): never the typed text
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_failure_at", sa.Float, nullable=False, default=0.0),
    sa.Column("blocked_until", sa.Float, nullable=False, default=0.0),
)
# Before: the typed usernames of failed logins, in plain text; dropped when found.
LEGACY_TABLES = ("staff_login_failures",)
# Columns that came after a table's first version: (table, column), added at start-up to a
# database made before them, with the column's server default for the existing rows.
ADDED_COLUMNS = (("staff_users", "may_search"),)

tags = sa.Table(
    "staff_tags", staff_metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("added_at", sa.Float, nullable=False),
    sa.Index("ix_staff_tags_tag", "tag"),
)

notes = sa.Table(
    "staff_notes", staff_metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("updated_by", sa.String(64)),
    sa.Column("updated_at", sa.Float),
    sa.Column("reviewed", sa.Boolean, nullable=False, default=False),
    sa.Column("reviewed_by", sa.String(64)),
    sa.Column("reviewed_at", sa.Float),
)

audit_log = sa.Table(
    "staff_audit_log", staff_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    # view, print, export, api_view, tag, untag, note, reviewed, delete, purge, login, logout
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("sender_id", sa.String(255), index=True),
    # never conversation content: counts, formats, tag names
    sa.Column("detail", sa.String(255)),
)

conversations = sa.Table(
    "staff_conversations", staff_metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_event_at", sa.Float, nullable=False),
    sa.Column("role", sa.String(20)),
    sa.Column("language", sa.String(5)),
    sa.Column("first_message", sa.String(300)),
    sa.Column("user_messages", sa.Integer, nullable=False, default=0),
    sa.Column("bot_messages", sa.Integer, nullable=False, default=0),
    sa.Column("danger_112", sa.Integer, nullable=False, default=0),
    sa.Column("danger_113", sa.Integer, nullable=False, default=0),
    sa.Column("contact_open", sa.Integer, nullable=False, default=0),
    sa.Column("contact_closed", sa.Integer, nullable=False, default=0),
    sa.Column("fallbacks", sa.Integer, nullable=False, default=0),
    # the visitor's messages, lower case, for the free-text search
    sa.Column("search_text", sa.Text, nullable=False, default=""),
    sa.Index("ix_staff_conversations_started_at", "started_at"),
    sa.Index("ix_staff_conversations_last_event_at", "last_event_at"),
)

# --- the inbox (web/staff/inbox.py): messages to review, labels, training examples ----------

# An index like staff_conversations: one row per visitor message that may need a look,
# recomputed by the same refresh (web/staff/index.py), deleted with its conversation.
queue = sa.Table(
    "staff_queue", staff_metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),  # events.id
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("language", sa.String(5)),
    sa.Column("text", sa.Text, nullable=False),  # as stored (redacted by the channel)
    sa.Column("intent", sa.String(80)),
    sa.Column("confidence", sa.Float),
    sa.Column("intent_2", sa.String(80)),
    sa.Column("confidence_2", sa.Float),
    sa.Column("intent_3", sa.String(80)),
    sa.Column("confidence_3", sa.Float),
    sa.Column("bot_before", sa.Text),
    sa.Column("bot_after", sa.Text),
    sa.Column("fallback", sa.Boolean, nullable=False, default=False),
    sa.Column("danger", sa.Boolean, nullable=False, default=False),
    sa.Column("danger_kind", sa.String(20)),
    sa.Column("role_correction", sa.Boolean, nullable=False, default=False),
    sa.Column("flagged", sa.Boolean, nullable=False, default=False),
    # the other message of a role correction (the one it corrected, or its correction)
    sa.Column("related_text", sa.Text),
    sa.Index("ix_staff_queue_at", "at"),
    sa.Index("ix_staff_queue_intent_at", "intent", "at"),
)

# "Beoordeel dit bericht": a staff member put a message in the queue from a transcript.
queue_flags = sa.Table(
    "staff_queue_flags", staff_metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("flagged_by", sa.String(64), nullable=False),
    sa.Column("flagged_at", sa.Float, nullable=False),
)

# A training example: text only (redacted, edited by the reviewer), no conversation id, so
# it outlives the retention purge of its conversation.
training_examples = sa.Table(
    "staff_training_examples", staff_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(80), nullable=False),            # what staff say it is
    sa.Column("predicted_intent", sa.String(80)),                  # what the assistant chose
    sa.Column("language", sa.String(5)),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

# The label of a queued message, and the link from its training example to the
# conversation: a visitor's delete removes the examples linked here, the purge removes only
# these rows (the example stays, no longer linked to anything).
queue_labels = sa.Table(
    "staff_queue_labels", staff_metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("verdict", sa.String(12), nullable=False),           # correct, other, unusable
    sa.Column("intent", sa.String(80)),
    sa.Column("predicted_intent", sa.String(80)),
    sa.Column("example_id", sa.Integer,
              sa.ForeignKey("staff_training_examples.id", ondelete="SET NULL")),
    sa.Column("labelled_by", sa.String(64), nullable=False),
    sa.Column("labelled_at", sa.Float, nullable=False, index=True),
)

index_state = sa.Table(
    "staff_index_state", staff_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # highest events.id taken into the index
    sa.Column("watermark", sa.Integer, nullable=False, default=0),
    sa.Column("updated_at", sa.Float, nullable=False, default=0.0),
)


def make_engine(url: Any) -> Engine:
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, future=True)

        @sa.event.listens_for(engine, "connect")
        def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
            # Deleted conversations are overwritten with zeros in the file, not only
            # unlinked: retention must not leave their text in free pages.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, future=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def add_missing_columns(engine: Engine, metadata: sa.MetaData, added: Any) -> None:
    """ALTER TABLE ... ADD COLUMN for each (table, column) of `added` the database lacks,
    as the column is defined in `metadata` (type, NOT NULL, server default). Another
    process may add it at the same moment: PostgreSQL's IF NOT EXISTS, and on SQLite a
    "duplicate column" error after a fresh look."""
    for table_name, column_name in added:
        if column_name in {c["name"] for c in sa.inspect(engine).get_columns(table_name)}:
            continue
        column = metadata.tables[table_name].c[column_name]
        preparer = engine.dialect.identifier_preparer
        spec = sa.schema.CreateColumn(column).compile(dialect=engine.dialect)
        exists = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
        statement = (f"ALTER TABLE {preparer.quote(table_name)} ADD COLUMN {exists}{spec}")
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(statement)
        except sa.exc.OperationalError:
            if column_name not in {c["name"] for c in sa.inspect(engine).get_columns(table_name)}:
                raise
        logger.info("staff database: column %s.%s added", table_name, column_name)


@dataclass
class Databases:
    tracker: Engine
    staff: Engine

    @classmethod
    def connect(cls, tracker_db: Path, staff_db: Path,
                postgres: PostgresConfig | None = None) -> Databases:
        if postgres:
            databases = cls(make_engine(postgres.sqlalchemy_url(postgres.db)),
                            make_engine(postgres.sqlalchemy_url(postgres.staff_db)))
        else:
            databases = cls(make_engine(sqlite_url(tracker_db)), make_engine(sqlite_url(staff_db)))
        databases.create_tables()
        return databases

    @classmethod
    def from_settings(cls, settings: Any) -> Databases:
        return cls.connect(settings.tracker_db, settings.staff_db, settings.postgres)

    def create_tables(self) -> None:
        try:
            tracker_metadata.create_all(self.tracker, checkfirst=True)
        except sa.exc.SQLAlchemyError:
            # Rasa may be creating the same table at this moment; it exists afterwards.
            logger.warning("events table: created by another process meanwhile")
            tracker_metadata.create_all(self.tracker, checkfirst=True)
        new_queue = not sa.inspect(self.staff).has_table(queue.name)
        staff_metadata.create_all(self.staff, checkfirst=True)
        with self.staff.begin() as connection:
            for name in LEGACY_TABLES:
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        add_missing_columns(self.staff, staff_metadata, ADDED_COLUMNS)
        with self.staff.begin() as connection:
            if connection.execute(sa.select(index_state.c.id)).first() is None:
                connection.execute(index_state.insert().values(id=1, watermark=0, updated_at=0.0))
            elif new_queue:
                # A database from before the inbox: the index refresh goes through every
                # conversation again (in batches), so the queue also gets the messages of
                # the conversations that were already there.
                connection.execute(index_state.update().values(watermark=0))

    def dispose(self) -> None:
        self.tracker.dispose()
        self.staff.dispose()
