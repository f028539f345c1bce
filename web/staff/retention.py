"""Deleting conversations: one on request, and all that are older than the retention period.

A conversation's age is the time since its last event, so a conversation that goes on is
not cut in half. Its events (tracker database) and everything staff added to it (index row,
tags, note, review mark, inbox rows and labels) are deleted together. Training examples staff
took from it (text only) survive the purge; a delete on request removes them too. What is
logged is a count and the ids, never content; the audit log records who asked for it.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from web.staff import db, inbox, index
from web.staff.db import Databases

logger = logging.getLogger("web.staff.retention")

DAY = 86_400
CHUNK = 500
# How long a deleted conversation's id refuses its old events (bot/tracker_store.py): longer
# than any message can be in flight.
TOMBSTONE_SECONDS = 15 * 60
# wal_checkpoint: tries, and how long each waits for a reader
CHECKPOINT_ATTEMPTS = 6
CHECKPOINT_BUSY_MS = 100


@dataclass(frozen=True)
class PurgeResult:
    conversations: int
    events: int
    cutoff: float


def _delete(staff: Connection, tracker: Connection, senders: Sequence[str],
            with_examples: bool = False) -> int:
    deleted_events = 0
    for start in range(0, len(senders), CHUNK):
        chunk = list(senders[start:start + CHUNK])
        deleted_events += tracker.execute(
            db.events.delete().where(db.events.c.sender_id.in_(chunk))).rowcount or 0
        for table in (db.conversations, db.tags, db.notes):
            staff.execute(table.delete().where(table.c.sender_id.in_(chunk)))
        # The inbox's rows; a visitor's delete also takes the training examples made from
        # the conversation, the purge leaves them (text only, no longer linked).
        inbox.delete_for(staff, chunk, with_examples)
    return deleted_events


def _tombstone(tracker: Connection, senders: Sequence[str], before: float, now: float) -> None:
    """Marks deleted conversations in the tracker database, so that a message in flight
    (a tracker Rasa read before the delete) cannot write their old events back: the tracker
    store drops events of these ids up to `before` (bot/tracker_store.py)."""
    t = db.deleted_senders
    tracker.execute(t.delete().where(t.c.created_at < now - TOMBSTONE_SECONDS))
    for start in range(0, len(senders), CHUNK):
        chunk = list(senders[start:start + CHUNK])
        tracker.execute(t.delete().where(t.c.sender_id.in_(chunk)))
        tracker.execute(t.insert(), [{"sender_id": sender, "deleted_before": before,
                                      "created_at": now} for sender in chunk])


def _scrub_audit(staff: Connection) -> None:
    """The audit log keeps who did what when, never content: tag names written there by
    earlier versions are removed."""
    a = db.audit_log.c
    staff.execute(db.audit_log.update().where(a.action.in_(("tag", "untag")),
                                              a.detail.is_not(None)).values(detail=None))


def _lower_watermark(staff: Connection, tracker: Connection, watermark: int) -> None:
    # SQLite gives a new event the highest id plus one, so after deleting the newest
    # events an id below the watermark can come back: the index must look there again.
    newest = tracker.execute(sa.select(sa.func.max(db.events.c.id))).scalar() or 0
    if newest < watermark:
        index.set_watermark(staff, newest)


def checkpoint(engine: sa.engine.Engine, attempts: int = CHECKPOINT_ATTEMPTS) -> bool:
    """SQLite in write-ahead-log mode: copies the log into the file and empties it, so no
    earlier version of a deleted page stays behind in the -wal file. A reader on an older
    snapshot keeps the checkpoint from finishing (busy, or fewer frames checkpointed than
    the log has): then it is tried again after a short, growing pause. False when it still
    did not finish (the next purge or delete tries again)."""
    delay = 0.05
    with engine.connect() as connection:
        previous = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {CHECKPOINT_BUSY_MS}")
        try:
            for attempt in range(attempts):
                busy, log, checkpointed = connection.exec_driver_sql(
                    "PRAGMA wal_checkpoint(TRUNCATE)").one()
                # Not in WAL mode: (0, -1, -1).
                if busy == 0 and log == checkpointed:
                    return True
                if attempt + 1 < attempts:
                    time.sleep(delay)
                    delay *= 2
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous or 0)}")
    logger.warning("retention: the write-ahead log of %s is still in use by a reader; "
                   "it is emptied at the next purge or delete", Path(engine.url.database).name)
    return False


def _flush_sqlite_log(databases: Databases) -> None:
    for engine in (databases.tracker, databases.staff):
        if engine.url.get_backend_name() == "sqlite":
            checkpoint(engine)


def vacuum(databases: Databases) -> None:
    """PostgreSQL: VACUUM the tables a delete touched, so the deleted rows do not stay as
    dead tuples until autovacuum comes by. (Their bytes can stay in free space and in
    the WAL and backups for as long as those are kept: docs/deployment.md.)"""
    for engine, tables in ((databases.tracker, (db.events.name, db.deleted_senders.name)),
                           (databases.staff, tuple(db.staff_metadata.tables))):
        if engine.url.get_backend_name() != "postgresql":
            continue
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in tables:
                    connection.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
        except sa.exc.SQLAlchemyError as error:
            logger.warning("retention: VACUUM failed (%s)", type(error).__name__)


def purge_logs(log_dir: Path, retention_days: int, now: float | None = None) -> list[Path]:
    """Removes rotated log files (`*.log.<time>`, servers.rotate_logs rotates them daily)
    last written more than `retention_days` ago: logs are kept no longer than the
    conversations. The live `*.log` files are left to the rotation."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    if not log_dir.is_dir():
        return removed
    for path in sorted(log_dir.glob("*.log.*")):
        if path.is_symlink() or not path.is_file() or path.name.endswith(".start"):
            continue
        if now - path.stat().st_mtime > retention_days * DAY:
            path.unlink()
            removed.append(path)
    if removed:
        logger.info("retention: %d log files older than %d days removed", len(removed),
                    retention_days)
    return removed


def delete_conversation(databases: Databases, sender_id: str, by: str) -> int:
    """Deletes one conversation; returns the number of events deleted."""
    now = time.time()
    with databases.staff.begin() as staff, databases.tracker.begin() as tracker:
        watermark = index.lock(staff)
        newest = tracker.execute(sa.select(sa.func.max(db.events.c.timestamp))
                                 .where(db.events.c.sender_id == sender_id)).scalar()
        _tombstone(tracker, [sender_id], max(now, float(newest or 0.0)), now)
        deleted = _delete(staff, tracker, [sender_id], with_examples=True)
        _lower_watermark(staff, tracker, watermark)
        staff.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="delete", sender_id=sender_id,
            detail=f"{deleted} events"))
    _flush_sqlite_log(databases)
    vacuum(databases)
    logger.info("retention: conversation %s deleted on request by %s (%d events)",
                sender_id, by, deleted)
    return deleted


def _delete_orphans(staff: Connection, tracker: Connection) -> None:
    """Tags and notes of conversations that no longer have events (deleted elsewhere)."""
    annotated = sorted({row[0] for row in staff.execute(sa.select(db.tags.c.sender_id))}
                       | {row[0] for row in staff.execute(sa.select(db.notes.c.sender_id))}
                       | inbox.annotated_senders(staff))
    for start in range(0, len(annotated), CHUNK):
        chunk = annotated[start:start + CHUNK]
        alive = {row[0] for row in tracker.execute(
            sa.select(db.events.c.sender_id).where(db.events.c.sender_id.in_(chunk)).distinct())}
        gone = [sender for sender in chunk if sender not in alive]
        if gone:
            for table in (db.tags, db.notes):
                staff.execute(table.delete().where(table.c.sender_id.in_(gone)))
            inbox.delete_for(staff, gone, with_examples=False)


def expired_conversations(tracker: Connection, cutoff: float) -> list[str]:
    e = db.events.c
    query = (sa.select(e.sender_id).group_by(e.sender_id)
             .having(sa.func.max(e.timestamp) < cutoff))
    return [row.sender_id for row in tracker.execute(query)]


def purge(databases: Databases, retention_days: int, by: str = "system",
          now: float | None = None) -> PurgeResult:
    """Deletes every conversation whose last event is older than `retention_days`."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (now if now is not None else time.time()) - retention_days * DAY
    with databases.staff.begin() as staff, databases.tracker.begin() as tracker:
        watermark = index.lock(staff)
        senders = expired_conversations(tracker, cutoff)
        # Staff data of conversations whose events are already gone.
        stale = [row.sender_id for row in staff.execute(
            sa.select(db.conversations.c.sender_id)
            .where(db.conversations.c.last_event_at < cutoff))]
        senders = sorted(set(senders) | set(stale))
        _tombstone(tracker, senders, cutoff, time.time())
        deleted = _delete(staff, tracker, senders)
        _scrub_audit(staff)
        _delete_orphans(staff, tracker)
        _lower_watermark(staff, tracker, watermark)
        staff.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="purge", sender_id=None,
            detail=f"{len(senders)} gesprekken, {deleted} events, ouder dan "
                   f"{retention_days} dagen"))
    _flush_sqlite_log(databases)
    vacuum(databases)
    logger.info("retention: purge by %s deleted %d conversations (%d events) older than %d days",
                by, len(senders), deleted, retention_days)
    if senders:
        logger.info("retention: deleted conversation ids: %s", ", ".join(senders))
    return PurgeResult(len(senders), deleted, cutoff)
