"""Retention must remove a conversation's text from the SQLite files, not only unlink it.

The tracker database is written the way production writes it: by bot/tracker_store.py's
engine, in write-ahead-log mode, so the deleted pages pass through the -wal file."""
import json
import logging
import sqlite3
import time

from bot.tracker_store import pooled_sqlite_engine
from web.staff import db, retention
from web.staff.db import Databases, sqlite_url

MARKER = "zorgen-over-mijn-neef-" * 20


def _raw_bytes(path):
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def _wal_size(path):
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _write(tracker_db, senders, when=None):
    """As Rasa's tracker store writes (WAL mode, pooled connections that stay open)."""
    engine = pooled_sqlite_engine(sqlite_url(tracker_db))
    db.tracker_metadata.create_all(engine)
    with engine.begin() as connection:
        for sender in senders:
            connection.execute(db.events.insert().values(
                sender_id=sender, type_name="user", timestamp=when or time.time(),
                intent_name="role_family", action_name=None,
                data=json.dumps({"event": "user", "text": f"{sender} {MARKER}"})))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    return engine


def test_deleted_conversation_text_is_gone_from_the_files(tmp_path):
    tracker_db, staff_db = tmp_path / "conversations.db", tmp_path / "staff.db"
    rasa = _write(tracker_db, ("keep01", "gone01"))
    databases = Databases.connect(tracker_db, staff_db)
    assert b"gone01 " + MARKER.encode() in _raw_bytes(tracker_db)
    retention.delete_conversation(databases, "gone01", by="test")
    assert _wal_size(tracker_db) == 0
    raw = _raw_bytes(tracker_db)
    assert b"gone01 " + MARKER.encode() not in raw
    assert b"keep01 " + MARKER.encode() in raw
    databases.dispose()
    rasa.dispose()


def test_a_reader_during_the_delete_is_waited_for_and_the_next_purge_empties_the_log(
        tmp_path, caplog):
    """Review L5: the checkpoint's result is checked. A reader on an old snapshot keeps it
    from finishing; the delete says so (and does not hang), and the next purge empties it."""
    tracker_db, staff_db = tmp_path / "conversations.db", tmp_path / "staff.db"
    rasa = _write(tracker_db, ("keep02", "gone02"))
    databases = Databases.connect(tracker_db, staff_db)
    reader = sqlite3.connect(tracker_db)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 2  # holds a snapshot
    with caplog.at_level(logging.WARNING, logger="web.staff.retention"):
        retention.delete_conversation(databases, "gone02", by="test")
    assert "still in use by a reader" in caplog.text
    assert "zorgen" not in caplog.text
    assert _wal_size(tracker_db) > 0  # the reader's snapshot needs the old pages
    reader.rollback()
    reader.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="web.staff.retention"):
        retention.purge(databases, 30, by="test")
    assert "still in use" not in caplog.text
    assert _wal_size(tracker_db) == 0
    raw = _raw_bytes(tracker_db)
    assert b"gone02 " + MARKER.encode() not in raw and b"keep02 " + MARKER.encode() in raw
    databases.dispose()
    rasa.dispose()


def test_checkpoint_reports_success_outside_wal_mode(tmp_path):
    databases = Databases.connect(tmp_path / "c.db", tmp_path / "s.db")
    assert retention.checkpoint(databases.staff) is True  # rollback journal: (0, -1, -1)
    databases.dispose()
