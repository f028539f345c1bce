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
from dataclasses import dataclass
from typing import List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from web.staff import db, inbox, index
from web.staff.db import Databases

logger = logging.getLogger("web.staff.retention")

DAY = 86_400
CHUNK = 500


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


def _lower_watermark(staff: Connection, tracker: Connection, watermark: int) -> None:
    # SQLite gives a new event the highest id plus one, so after deleting the newest
    # events an id below the watermark can come back: the index must look there again.
    newest = tracker.execute(sa.select(sa.func.max(db.events.c.id))).scalar() or 0
    if newest < watermark:
        index.set_watermark(staff, newest)


def _flush_sqlite_log(databases: Databases) -> None:
    """With SQLite in write-ahead-log mode, copy the log into the file and empty it, so no
    earlier version of a deleted page stays behind in the -wal file."""
    for engine in (databases.tracker, databases.staff):
        if engine.url.get_backend_name() == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def delete_conversation(databases: Databases, sender_id: str, by: str) -> int:
    """Deletes one conversation; returns the number of events deleted."""
    with databases.staff.begin() as staff, databases.tracker.begin() as tracker:
        watermark = index.lock(staff)
        deleted = _delete(staff, tracker, [sender_id], with_examples=True)
        _lower_watermark(staff, tracker, watermark)
        staff.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="delete", sender_id=sender_id,
            detail=f"{deleted} events"))
    _flush_sqlite_log(databases)
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


def expired_conversations(tracker: Connection, cutoff: float) -> List[str]:
    e = db.events.c
    query = (sa.select(e.sender_id).group_by(e.sender_id)
             .having(sa.func.max(e.timestamp) < cutoff))
    return [row.sender_id for row in tracker.execute(query)]


def purge(databases: Databases, retention_days: int, by: str = "system",
          now: Optional[float] = None) -> PurgeResult:
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
        deleted = _delete(staff, tracker, senders)
        _delete_orphans(staff, tracker)
        _lower_watermark(staff, tracker, watermark)
        staff.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="purge", sender_id=None,
            detail=f"{len(senders)} gesprekken, {deleted} events, ouder dan "
                   f"{retention_days} dagen"))
    _flush_sqlite_log(databases)
    logger.info("retention: purge by %s deleted %d conversations (%d events) older than %d days",
                by, len(senders), deleted, retention_days)
    if senders:
        logger.info("retention: deleted conversation ids: %s", ", ".join(senders))
    return PurgeResult(len(senders), deleted, cutoff)
