"""The conversation index and retention on their own (no servers): incremental refreshes,
recomputation, ids that SQLite hands out again after a delete, and the purge."""
import datetime as dt
import sqlite3
import time

import pytest
import sqlalchemy as sa

from tests.staff import seed
from web.staff import db, index, queries, retention
from web.staff.db import Databases

NOW = dt.datetime.now(seed.AMSTERDAM)
# The worried parent's script says the line is closed: date it when it is.
PARENT_AT = seed.closed_at_or_before(NOW - dt.timedelta(hours=3))


@pytest.fixture
def setup(tmp_path):
    tracker_db = tmp_path / "conversations.db"
    store = seed.store_for(tracker_db)
    databases = Databases.connect(tracker_db, tmp_path / "staff.db")
    yield store, databases, tracker_db
    store.engine.dispose()
    databases.dispose()


def rows(databases):
    with databases.staff.connect() as connection:
        return {row.sender_id: row for row in connection.execute(sa.select(db.conversations))}


def watermark(databases):
    with databases.staff.connect() as connection:
        return connection.execute(sa.select(db.index_state.c.watermark)).scalar_one()


def test_summary_of_a_conversation(setup):
    store, databases, _ = setup
    seed.write(store, "ouder", seed.worried_parent(PARENT_AT))
    seed.write(store, "vraag", seed.not_understood(NOW - dt.timedelta(hours=1)))
    assert index.refresh(databases)
    found = rows(databases)
    parent = found["ouder"]
    assert parent.role == "family" and parent.language == "nl"
    assert parent.first_message.startswith("Mijn dochter van 15")
    assert (parent.user_messages, parent.bot_messages) == (2, 3)
    assert (parent.contact_open, parent.contact_closed, parent.danger_112) == (0, 1, 0)
    assert abs(parent.started_at - PARENT_AT.timestamp()) < 5
    assert found["vraag"].fallbacks == 1 and found["vraag"].role is None
    assert "telegramgroepen" in parent.search_text


def test_refresh_is_incremental_and_idempotent(setup):
    store, databases, _ = setup
    # It goes on later at a moment the line is closed (the script says so): start before it.
    goes_on_at = seed.closed_at_or_before(NOW)
    seed.write(store, "a", seed.short_conversation(goes_on_at - dt.timedelta(hours=2)))
    index.refresh(databases)
    first = watermark(databases)
    assert first > 0
    assert index.refresh(databases)  # nothing new: nothing changes
    assert watermark(databases) == first
    # The conversation goes on: its row is recomputed, not counted twice.
    tracker = seed.Script(goes_on_at)
    tracker.events = []
    tracker.user("Contact met een medewerker", "ask_contact")
    tracker.contact_closed()
    before = rows(databases)["a"]
    import asyncio
    existing = asyncio.run(store.retrieve("a"))
    for event in tracker.events:
        existing.update(event)
    asyncio.run(store.save(existing))
    index.refresh(databases)
    after = rows(databases)["a"]
    assert after.user_messages == before.user_messages + 1
    assert after.contact_closed == 1 and after.started_at == before.started_at
    index.refresh(databases)
    assert rows(databases)["a"].user_messages == after.user_messages
    # A rebuild gives the same rows.
    index.rebuild(databases)
    assert rows(databases)["a"] == after


def test_small_batches_catch_up(setup):
    store, databases, _ = setup
    for number in range(30):
        seed.write(store, f"c{number}", seed.short_conversation(NOW - dt.timedelta(minutes=number)))
    original = index.BATCH_EVENTS
    index.BATCH_EVENTS = 25
    try:
        assert not index.refresh(databases, max_events=25)  # not everything yet
        assert index.refresh(databases, max_events=None)
    finally:
        index.BATCH_EVENTS = original
    assert len(rows(databases)) == 30


def test_ids_handed_out_again_after_a_delete_are_indexed(setup, monkeypatch):
    store, databases, tracker_db = setup
    monkeypatch.setattr(index, "LOOK_BACK", 0)  # only the lowered watermark can save us
    seed.write(store, "oud", seed.short_conversation(NOW - dt.timedelta(hours=5)))
    seed.write(store, "nieuw", seed.short_conversation(NOW - dt.timedelta(hours=1)))
    index.refresh(databases)
    retention.delete_conversation(databases, "nieuw", by="test")
    # SQLite gives the next event the highest id plus one: the ids of "nieuw" come back.
    seed.write(store, "daarna", seed.short_conversation(NOW))
    with sqlite3.connect(tracker_db) as connection:
        low = connection.execute("select min(id) from events where sender_id = 'daarna'").fetchone()[0]
    assert low <= 2 * len(seed.short_conversation(NOW).events)
    index.refresh(databases)
    assert set(rows(databases)) == {"oud", "daarna"}


def test_purge_keeps_what_is_young_enough(setup):
    store, databases, _ = setup
    seed.write(store, "40-dagen", seed.short_conversation(NOW - dt.timedelta(days=40)))
    seed.write(store, "29-dagen", seed.short_conversation(NOW - dt.timedelta(days=29)))
    # Started 40 days ago, but the visitor wrote again yesterday: kept.
    going_on = seed.short_conversation(NOW - dt.timedelta(days=40))
    going_on.clock = (NOW - dt.timedelta(days=1)).timestamp()
    going_on.user("ben er weer", "greet")
    seed.write(store, "loopt-nog", going_on)
    index.refresh(databases)
    queries.add_tag(databases, "40-dagen", "oud", "test")
    queries.set_note(databases, "40-dagen", "notitie", "test")
    result = retention.purge(databases, 30, by="test")
    assert result.conversations == 1 and result.events > 0
    assert set(rows(databases)) == {"29-dagen", "loopt-nog"}
    with databases.staff.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(db.tags)).scalar() == 0
        assert connection.execute(sa.select(sa.func.count()).select_from(db.notes)).scalar() == 0
        audit = connection.execute(sa.select(db.audit_log.c.detail)
                                   .where(db.audit_log.c.action == "purge")).scalar_one()
    assert audit.startswith("1 gesprekken")
    with pytest.raises(ValueError):
        retention.purge(databases, 0)


def test_list_query_uses_bound_parameters(setup):
    store, databases, _ = setup
    seed.write(store, "x", seed.short_conversation(NOW, "100% zeker_weten"))
    index.refresh(databases)
    flt = queries.ListFilter(search="100%")
    assert [row["sender_id"] for row in queries.list_conversations(databases, flt).rows] == ["x"]
    assert queries.list_conversations(databases, queries.ListFilter(search="1%0")).total == 0
    assert queries.list_conversations(databases, queries.ListFilter(search="zeker_")).total == 1
    assert queries.list_conversations(databases, queries.ListFilter(search="zekerx")).total == 0
    started = time.perf_counter()
    queries.list_conversations(databases, queries.ListFilter(flags=tuple(queries.FLAGS)))
    assert time.perf_counter() - started < 1


def poisoned(start):
    """A conversation whose slots got values nobody allowed (review H1: `/ /greet{...}`)."""
    script = seed.short_conversation(start, "mijn broer\x00 praat over de strijd " + "x" * 400)
    script.slot("language", "x" * 40)
    script.slot("role", "a\x00")
    script.slot("language", "a\x00")
    return script


def test_slot_values_nobody_allowed_are_not_indexed(setup):
    store, databases, _ = setup
    seed.write(store, "vergiftigd", poisoned(NOW - dt.timedelta(hours=2)))
    seed.write(store, "gewoon", seed.worried_parent(NOW - dt.timedelta(hours=1)))
    assert index.refresh(databases)
    found = rows(databases)
    bad = found["vergiftigd"]
    # The language slot was "nl" before the bad values: that stays; the role is unknown.
    assert bad.language == "nl" and bad.role is None
    assert "\x00" not in bad.first_message and "\x00" not in bad.search_text
    assert len(bad.first_message) <= db.conversations.c.first_message.type.length
    assert found["gewoon"].role == "family"
    # The allowed values are those of domain.yml.
    assert index.slot_values("language") == ("nl", "en")
    assert set(index.slot_values("role")) == {"family", "professional", "individual"}
    assert queries.ROLES[:-1] == index.slot_values("role")


def test_a_row_the_database_refuses_is_skipped_and_logged_without_text(setup, monkeypatch,
                                                                       caplog):
    store, databases, _ = setup
    for sender in ("eerste", "kapot", "derde"):
        seed.write(store, sender, seed.short_conversation(NOW, f"geheim-{sender} verhaal"))
    original = index.Summary.row

    def row(summary):
        values = original(summary)
        if summary.sender_id == "kapot":
            values["started_at"] = None  # NOT NULL: the database refuses this row
        return values

    monkeypatch.setattr(index.Summary, "row", row)
    with caplog.at_level("ERROR", logger="web.staff.index"):
        assert index.refresh(databases)
    assert set(rows(databases)) == {"eerste", "derde"}
    assert "kapot" in caplog.text and "geheim" not in caplog.text


def test_csv_cells_are_never_formulas_also_after_spaces():
    for value in ("=1+1", " =1+1", "  +SUM(A1)", "\t=1", " @x", "\u00a0-1"):
        assert queries._cell(value).startswith("'"), value
    assert queries._cell("gewoon een zin") == "gewoon een zin"


def staff_text(staff_db):
    """Every value in every table of the staff database, as text."""
    with sqlite3.connect(staff_db) as connection:
        return "\n".join(connection.iterdump())


def test_a_deleted_conversation_leaves_no_text_in_any_staff_table(setup, tmp_path):
    """Review M5: the audit keeps who did what when, not what staff wrote."""
    store, databases, _ = setup
    seed.write(store, "verzoek", seed.short_conversation(NOW, "mijn broer Ahmed radicaliseert"))
    seed.write(store, "ander", seed.short_conversation(NOW))
    index.refresh(databases)
    assert queries.add_tag(databases, "verzoek", "broer Ahmed", "anna")
    queries.remove_tag(databases, "verzoek", "broer Ahmed", "anna")
    assert queries.add_tag(databases, "verzoek", "broer Ahmed", "anna")
    queries.set_note(databases, "verzoek", "Ahmed is 17, moeder belt terug", "anna")
    assert "Ahmed" in staff_text(tmp_path / "staff.db")
    retention.delete_conversation(databases, "verzoek", by="anna")
    dump = staff_text(tmp_path / "staff.db")
    assert "Ahmed" not in dump and "ahmed" not in dump
    with databases.staff.connect() as connection:
        actions = [row.action for row in connection.execute(
            sa.select(db.audit_log.c.action).where(db.audit_log.c.sender_id == "verzoek")
            .order_by(db.audit_log.c.id))]
    assert actions == ["tag", "untag", "tag", "note", "delete"]


def test_the_purge_removes_tag_names_older_versions_wrote_into_the_audit_log(setup, tmp_path):
    _, databases, _ = setup
    with databases.staff.begin() as connection:
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username="anna", action="tag", sender_id="x", detail="broer Ahmed"))
    retention.purge(databases, 30, by="test")
    assert "Ahmed" not in staff_text(tmp_path / "staff.db")


def test_the_purge_removes_rotated_logs_older_than_the_retention(tmp_path):
    import os
    logs = tmp_path / "log"
    logs.mkdir()
    old = time.time() - 31 * retention.DAY
    for name, when in (("rasa-server-5005.log.20260101T000000Z", old),
                       ("web-8000.log.20260102T000000Z", time.time() - 2 * retention.DAY),
                       ("rasa-server-5005.log", old), (".rasa-server-5005.log.start", old)):
        (logs / name).write_text("regel\n")
        os.utime(logs / name, (when, when))
    removed = retention.purge_logs(logs, 30)
    assert [path.name for path in removed] == ["rasa-server-5005.log.20260101T000000Z"]
    assert sorted(path.name for path in logs.iterdir()) == [
        ".rasa-server-5005.log.start", "rasa-server-5005.log", "web-8000.log.20260102T000000Z"]
