"""The export reads conversations in batches: a fixed number of queries per batch of
conversations, not two per conversation (no servers)."""
import datetime as dt
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.staff import seed
from web.staff import index, queries
from web.staff.db import Databases

NOW = dt.datetime.now(seed.AMSTERDAM)
COUNT = 50


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    store = seed.store_for(tmp / "conversations.db")
    for number in range(COUNT):
        # The worried parent writes last night (closed: the contact answer says so).
        script = (seed.worried_parent(seed.last_night(22, number)) if number % 5 == 0
                  else seed.short_conversation(NOW - dt.timedelta(hours=number + 1),
                                               f"vraag nummer {number}"))
        seed.write(store, f"gesprek-{number:02d}", script)
    store.engine.dispose()
    found = Databases.connect(tmp / "conversations.db", tmp / "staff.db")
    assert index.refresh(found)
    for number in range(0, COUNT, 7):
        queries.add_tag(found, f"gesprek-{number:02d}", "terugbellen", "beheerder")
        queries.set_note(found, f"gesprek-{number:02d}", f"notitie {number}", "beheerder")
    queries.set_reviewed(found, "gesprek-03", True, "beheerder")
    yield found
    found.dispose()


@contextmanager
def counted(databases):
    """Counts the statements sent to either database."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engines = (databases.staff, databases.tracker)
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", count)


def ids(numbers):
    return [f"gesprek-{number:02d}" for number in numbers]


def test_fifty_conversations_take_four_queries(databases):
    wanted = ids(reversed(range(COUNT)))
    with counted(databases) as statements:
        records = queries.export_records(databases, wanted)
    # Index rows, their tags, their notes (staff database), the events (tracker database).
    assert len(statements) == 4, statements
    assert [record["id"] for record in records] == wanted
    # The same records as exporting each conversation on its own.
    assert records == [queries.export_records(databases, [one])[0] for one in wanted]
    parent = records[-1]
    assert parent["id"] == "gesprek-00" and parent["tags"] == ["terugbellen"]
    assert parent["note"] == "notitie 0" and parent["role"] == "family"
    assert parent["messages"][1]["text"].startswith("Mijn dochter van 15")
    assert records[COUNT - 1 - 3]["reviewed"] is True
    assert records[COUNT - 1 - 3]["messages"][1]["text"] == "vraag nummer 3"


def test_the_number_of_queries_grows_with_batches_not_conversations(databases, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_BATCH", 20)
    wanted = ids(range(COUNT)) + ["bestaat-niet"]
    with counted(databases) as statements:
        records = queries.export_records(databases, wanted)
    assert len(statements) == 3 * 4, statements  # 51 conversations: three batches of 20
    assert [record["id"] for record in records] == wanted[:-1]  # an unknown id: no record
    with counted(databases) as statements:
        assert queries.export_records(databases, ["bestaat-niet"]) == []
    assert len(statements) <= 4
