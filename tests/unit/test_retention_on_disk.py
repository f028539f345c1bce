"""Retention must remove a conversation's text from the SQLite files, not only unlink it."""
import json
import time


from web.staff import db, retention
from web.staff.db import Databases

MARKER = "zorgen-over-mijn-neef-" * 20


def _raw_bytes(path):
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_deleted_conversation_text_is_gone_from_the_files(tmp_path):
    tracker_db, staff_db = tmp_path / "conversations.db", tmp_path / "staff.db"
    databases = Databases.connect(tracker_db, staff_db)
    with databases.tracker.begin() as connection:
        for sender in ("keep01", "gone01"):
            connection.execute(db.events.insert().values(
                sender_id=sender, type_name="user", timestamp=time.time(),
                intent_name="role_family", action_name=None,
                data=json.dumps({"event": "user", "text": f"{sender} {MARKER}"})))
    assert b"gone01 " + MARKER.encode() in _raw_bytes(tracker_db)
    retention.delete_conversation(databases, "gone01", by="test")
    databases.dispose()
    raw = _raw_bytes(tracker_db)
    assert b"gone01 " + MARKER.encode() not in raw
    assert b"keep01 " + MARKER.encode() in raw
