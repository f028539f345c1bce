"""bot/tracker_store.py: the store of endpoints.yml writes and reads exactly what Rasa's
SQLTrackerStore writes and reads, on SQLite in WAL mode with pooled connections."""
import asyncio
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore, create_tracker_store
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.tracker_store import LseSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
COLUMNS = "sender_id, type_name, timestamp, intent_name, action_name, data"


def run(coroutine):
    return asyncio.new_event_loop().run_until_complete(coroutine)


def _session(start: float, text: str, intent: str):
    # As Rasa logs them: the session_started event comes from the action, and the
    # action_session_start event is stamped after the action ran.
    return [
        ActionExecuted("action_session_start", timestamp=start + 0.0015),
        SessionStarted(timestamp=start + 0.001),
        ActionExecuted("action_listen", timestamp=start + 0.002),
        UserUttered(text, {"name": intent, "confidence": 0.97}, timestamp=start + 0.003),
        SlotSet("role", "family", timestamp=start + 0.004),
        ActionExecuted("utter_explain_family_support", timestamp=start + 0.005),
        BotUttered("Familieondersteuning ...", timestamp=start + 0.006),
        ActionExecuted("action_listen", timestamp=start + 0.007),
    ]


def _ours(path: Path) -> LseSQLTrackerStore:
    return LseSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def _rows(path: Path):
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT {COLUMNS} FROM events ORDER BY id").fetchall()


def test_endpoints_yml_gives_this_store_and_not_rasas_in_memory_fallback(tmp_path):
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    config = endpoints.tracker_store
    store = create_tracker_store(
        EndpointConfig(type=config.type, **{**config.kwargs, "db": str(tmp_path / "t.db")}),
        DOMAIN)
    assert type(store) is LseSQLTrackerStore
    with sqlite3.connect(tmp_path / "t.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _turn(tracker, text, timestamp):
    # As Rasa does per message: the retrieved tracker (the latest session) plus new events.
    for event in (UserUttered(text, {"name": "ask_contact", "confidence": 0.9},
                              timestamp=timestamp),
                  ActionExecuted("action_offer_contact", timestamp=timestamp + 0.001),
                  BotUttered("Bel 088 ...", timestamp=timestamp + 0.002),
                  ActionExecuted("action_listen", timestamp=timestamp + 0.003)):
        tracker.update(event)
    return tracker


def test_same_rows_as_rasas_store_and_only_new_events_are_added(tmp_path):
    first = _session(1_000.0, "mijn zoon radicaliseert", "role_family")
    second = _session(9_000.0, "hallo", "greet")
    for store, _path in ((_ours(tmp_path / "ours.db"), tmp_path / "ours.db"),
                        (SQLTrackerStore(domain=DOMAIN, dialect="sqlite",
                                         db=str(tmp_path / "rasa.db")), tmp_path / "rasa.db")):
        tracker = DialogueStateTracker.from_events("abc123", first, DOMAIN.slots)
        run(store.save(tracker))
        run(store.save(tracker))  # nothing new: nothing added
        run(store.save(_turn(run(store.retrieve("abc123")), "hoe bel ik jullie", 2_000.0)))
        tracker = run(store.retrieve("abc123"))
        for event in second:  # a new session in the same conversation
            tracker.update(event)
        run(store.save(tracker))
        run(store.save(_turn(run(store.retrieve("abc123")), "mail", 9_100.0)))
    ours, rasas = _rows(tmp_path / "ours.db"), _rows(tmp_path / "rasa.db")
    assert len(ours) == len(first) + 4 + len(second) + 4
    assert ours == rasas


def test_retrieve_gives_rasas_trackers_for_the_latest_and_for_all_sessions(tmp_path):
    events = _session(1_000.0, "ik wil eruit", "role_individual") + \
        _session(9_000.0, "hallo", "greet")
    ours = _ours(tmp_path / "c.db")
    run(ours.save(DialogueStateTracker.from_events("abc123", events, DOMAIN.slots)))
    rasas = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"))
    latest, rasa_latest = run(ours.retrieve("abc123")), run(rasas.retrieve("abc123"))
    full, rasa_full = (run(ours.retrieve_full_tracker("abc123")),
                       run(rasas.retrieve_full_tracker("abc123")))
    assert list(latest.events) == list(rasa_latest.events)
    assert len(latest.events) == len(_session(0, "", "greet"))  # the latest session
    assert latest.latest_message.text == "hallo"
    assert list(full.events) == list(rasa_full.events) == events
    assert latest.get_slot("role") == "family"
    assert run(ours.retrieve("nobody")) is None


def test_connections_are_pooled_and_a_second_process_can_read_while_it_writes(tmp_path):
    ours = _ours(tmp_path / "p.db")
    tracker = DialogueStateTracker.from_events("abc123", _session(1.0, "hoi", "greet"),
                                               DOMAIN.slots)
    run(ours.save(tracker))
    reader = sqlite3.connect(tmp_path / "p.db")
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 8
    # A reader in the middle of a transaction does not block the writer in WAL mode.
    run(ours.save(_turn(run(ours.retrieve("abc123")), "nog een vraag", 5.0)))
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 8  # its snapshot
    reader.rollback()
    assert reader.execute("SELECT count(*) FROM events").fetchone()[0] == 12
    reader.close()
    assert ours.engine.pool.checkedin() >= 1  # the connection went back to the pool


@pytest.mark.parametrize("schema", ["", "lse"])
def test_rasas_own_code_runs_when_a_postgresql_schema_is_set(monkeypatch, schema):
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)
    assert LseSQLTrackerStore._rasa_code_needed() is bool(schema)


def test_a_message_in_flight_cannot_write_a_deleted_conversation_back(tmp_path):
    """Review L7: retrieve, delete (staff), then save: no old events come back; the next
    message under the same id is a new conversation and is stored."""
    import time

    from web.staff import retention
    from web.staff.db import Databases

    path = tmp_path / "c.db"
    ours = _ours(path)
    now = time.time()
    run(ours.save(DialogueStateTracker.from_events(
        "abc123", _session(now - 60, "mijn zoon radicaliseert", "role_family"), DOMAIN.slots)))
    in_flight = run(ours.retrieve("abc123"))
    databases = Databases.connect(path, tmp_path / "staff.db")
    assert retention.delete_conversation(databases, "abc123", by="test") == 8
    run(ours.save(_turn(in_flight, "hoe bel ik jullie", now - 1)))
    assert _rows(path) == []
    assert run(ours.retrieve("abc123")) is None
    # A new conversation under the same id, after the delete, is kept.
    later = time.time() + 1
    run(ours.save(DialogueStateTracker.from_events(
        "abc123", _session(later, "hallo", "greet"), DOMAIN.slots)))
    texts = [row[5] for row in _rows(path) if row[1] == "user"]
    assert len(texts) == 1 and "hallo" in texts[0] and "radicaliseert" not in texts[0]
    databases.dispose()


def test_the_tombstone_table_is_the_staff_apps():
    from sqlalchemy.schema import CreateTable

    from bot.tracker_store import deleted_senders
    from web.staff import db
    assert str(CreateTable(deleted_senders)) == str(CreateTable(db.deleted_senders))


def test_slot_values_domain_yml_does_not_allow_are_stored_as_null(tmp_path):
    """Review H1: `/ /greet{"language": "xxxx…"}` must not put any string into the store."""
    import json
    events = _session(1_000.0, "hallo", "greet") + [
        SlotSet("language", "x" * 40, timestamp=1_000.1),
        SlotSet("role", "a\x00", timestamp=1_000.2),
        SlotSet("language", "EN", timestamp=1_000.3),
        SlotSet("role", {"name": "family"}, timestamp=1_000.4),
        SlotSet("office_open", True, timestamp=1_000.5),
        UserUttered("/x", {"name": "i" * 400, "confidence": 1.0}, timestamp=1_000.6),
    ]
    ours = _ours(tmp_path / "c.db")
    run(ours.save(DialogueStateTracker.from_events("abc123", events, DOMAIN.slots)))
    slots = [(json.loads(row[5])["name"], json.loads(row[5])["value"])
             for row in _rows(tmp_path / "c.db") if row[1] == "slot"]
    assert slots == [("role", "family"), ("language", None), ("role", None), ("language", "EN"),
                     ("role", None), ("office_open", True)]
    assert all(row[3] is None or len(row[3]) <= 255 for row in _rows(tmp_path / "c.db"))
