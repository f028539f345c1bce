"""The same storage on PostgreSQL: Rasa's tracker store, the staff database, the staff app and
retention. Runs when LSE_PG_HOST (and the other LSE_PG_* variables) are set, as .ci/run does;
skipped otherwise. It makes two fresh databases for itself (the role needs CREATEDB) and drops
them afterwards."""
import dataclasses
import datetime as dt
import uuid

import pytest
import requests

from bot.lse.storage import PostgresConfig
from servers import Servers, free_port
from tests.staff import seed
from tests.staff.helpers import StaffClient, cli_env, model_path, run_cli

PG = PostgresConfig.from_env()
pytestmark = pytest.mark.skipif(PG is None, reason="PostgreSQL not configured (LSE_PG_HOST)")
USER = ("pg-beheerder", "een-lang-postgres-wachtwoord")
IDENTIFIERS = ["06-12345678", "0612345678", "j.smit@example.org", "111222333",
               "NL91ABNA0417164300", "2511 CV"]



def connect(database):
    import psycopg2
    return psycopg2.connect(host=PG.host, port=PG.port, user=PG.user, password=PG.password,
                            dbname=database)


@pytest.fixture(scope="module")
def pg(tmp_path_factory):
    suffix = uuid.uuid4().hex[:8]
    config = dataclasses.replace(PG, db=f"lse_test_{suffix}", staff_db=f"lse_staff_test_{suffix}")
    admin = connect(PG.db)
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in (config.db, config.staff_db):
            cursor.execute(f'CREATE DATABASE "{name}"')
    store = seed.store_for(postgres=config)
    now = dt.datetime.now(seed.AMSTERDAM)
    seed.write(store, "pg-verlopen", seed.short_conversation(now - dt.timedelta(days=35)))
    seed.write(store, "pg-ouder", seed.worried_parent())
    store.engine.dispose()
    made = run_cli(["create-user", USER[0], "--admin"], cli_env(postgres_env=config.env()),
                   USER[1] + "\n")
    assert made.returncode == 0, made.stderr
    log_dir = tmp_path_factory.mktemp("pg-logs")
    servers = Servers(model=model_path(), rasa_port=free_port(), action_port=free_port(),
                      web_port=free_port(), postgres=config, log_dir=log_dir,
                      extra_env={"LSE_STAFF_PURGE_DELAY_SECONDS": "2",
                                 "LSE_STAFF_INDEX_INTERVAL_SECONDS": "2"})
    servers.start()
    try:
        yield servers, config, log_dir
    finally:
        servers.stop()
        with admin.cursor() as cursor:
            for name in (config.db, config.staff_db):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def all_text(database):
    """Every text value in every table of a database."""
    with connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("select table_name, column_name from information_schema.columns "
                       "where table_schema = 'public' and data_type in ('text', 'character varying')")
        columns = cursor.fetchall()
        values = []
        for table, column in columns:
            cursor.execute(f'select "{column}" from "{table}"')
            values += [row[0] for row in cursor.fetchall() if row[0]]
    connection.close()
    return "\n".join(values)


def test_conversations_on_postgresql(pg):
    servers, config, log_dir = pg
    client_id = "pg-" + uuid.uuid4().hex[:8]
    sender = servers.stored_id(client_id)  # what staff see: an HMAC of the client's id
    messages = ["mijn zoon van 17 kijkt IS-filmpjes, bel 06-12345678 of j.smit@example.org",
                "bsn 111222333, rekening NL91ABNA0417164300, postcode 2511 CV 4",
                "Contact met een medewerker"]
    for message in messages:
        answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                               json={"sender": client_id, "message": message}, timeout=60)
        assert answer.status_code == 200 and answer.json()

    tracker_text = all_text(config.db)
    assert "[telefoonnummer]" in tracker_text and "[bsn]" in tracker_text
    assert "IS-filmpjes" in tracker_text

    client = StaffClient(servers.web_url).logged_in(*USER)
    listing = client.get("/staff/api/conversations").json()
    ids = {row["id"]: row for row in listing["conversations"]}
    assert sender in ids and "pg-ouder" in ids
    assert ids["pg-ouder"]["role"] == "family" and ids["pg-ouder"]["contact_closed"] == 1
    assert [row["id"] for row in client.get("/staff/api/conversations",
                                             params={"q": "filmpjes"}).json()["conversations"]] == [sender]
    yesterday = (dt.datetime.now(seed.AMSTERDAM).date() - dt.timedelta(days=1)).isoformat()
    found = client.get("/staff/api/conversations", params={
        "from": yesterday, "to": yesterday, "role": "family", "flag": "contact_closed"}).json()
    assert [row["id"] for row in found["conversations"]] == ["pg-ouder"]
    assert client.get("/staff/api/conversations", params={"q": "' OR 1=1 --"}).json()["total"] == 0

    page = client.get(f"/staff/conversations/{sender}").text
    assert "[telefoonnummer]" in page and "IS-filmpjes" in page
    token = client.csrf(f"/staff/conversations/{sender}")
    assert client.post(f"/staff/conversations/{sender}/tags",
                       data={"csrf_token": token, "tag": "postgres"}).status_code == 303
    exported = client.post("/staff/export", data={"csrf_token": token, "ids": sender,
                                                  "format": "json"}).json()
    assert exported["conversations"][0]["tags"] == ["postgres"]

    # Nothing identifying in either database or in the logs.
    everything = tracker_text + all_text(config.staff_db)
    logs = "\n".join(path.read_text(errors="replace") for path in log_dir.glob("*.log"))
    for item in IDENTIFIERS:
        assert item not in everything and item not in logs, item

    # Retention: the automatic purge took the conversation of 35 days ago.
    assert client.get("/staff/api/conversations/pg-verlopen").status_code == 404
    assert "pg-verlopen" not in client.get("/staff/api/conversations").text

    # Delete on request.
    answer = client.post(f"/staff/conversations/{sender}/delete",
                         data={"csrf_token": token, "confirm": sender})
    assert answer.status_code == 303
    assert client.get(f"/staff/api/conversations/{sender}").status_code == 404
    assert "IS-filmpjes" not in all_text(config.db)
    with connect(config.staff_db) as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from staff_tags where sender_id = %s", (sender,))
        assert cursor.fetchone()[0] == 0
        cursor.execute("select count(*) from staff_conversations where sender_id = %s", (sender,))
        assert cursor.fetchone()[0] == 0
    connection.close()


# --- without servers: the index, logins and retention on PostgreSQL -----------------------

@pytest.fixture(scope="module")
def pg_databases():
    from web.staff.db import Databases
    suffix = uuid.uuid4().hex[:8]
    config = dataclasses.replace(PG, db=f"lse_idx_{suffix}", staff_db=f"lse_idx_staff_{suffix}")
    admin = connect(PG.db)
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in (config.db, config.staff_db):
            cursor.execute(f'CREATE DATABASE "{name}"')
    store = seed.store_for(postgres=config)
    databases = Databases.connect(None, None, config)
    try:
        yield databases, store, config
    finally:
        databases.dispose()
        store.engine.dispose()
        with admin.cursor() as cursor:
            for name in (config.db, config.staff_db):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_slot_values_nobody_allowed_do_not_break_the_index_on_postgresql(pg_databases,
                                                                          monkeypatch, caplog):
    """Review H1: a 40-character language, or one with a NUL, is not indexed, and the
    refresh goes on; a row PostgreSQL still refuses is skipped, not the whole batch."""
    import sqlalchemy as sa

    from tests.staff.test_index import poisoned
    from web.staff import db, index
    databases, store, _ = pg_databases
    now = dt.datetime.now(seed.AMSTERDAM)
    seed.write(store, "pg-vergiftigd", poisoned(now - dt.timedelta(hours=2)))
    only_bad = seed.short_conversation(now - dt.timedelta(hours=1))
    only_bad.events = [event for event in only_bad.events
                       if getattr(event, "key", None) != "language"]
    only_bad.slot("language", "x" * 40)
    seed.write(store, "pg-alleen-fout", only_bad)
    seed.write(store, "pg-gewoon", seed.worried_parent(now - dt.timedelta(minutes=30)))
    assert index.refresh(databases, None)
    with databases.staff.connect() as connection:
        found = {row.sender_id: row for row in connection.execute(sa.select(db.conversations))}
    assert found["pg-vergiftigd"].language == "nl" and found["pg-vergiftigd"].role is None
    assert found["pg-alleen-fout"].language is None
    assert "\x00" not in found["pg-vergiftigd"].search_text
    assert found["pg-gewoon"].role == "family"

    original = index.Summary.row

    def row(summary):
        values = original(summary)
        if summary.sender_id == "pg-vergiftigd":
            values["language"] = "x" * 40  # VARCHAR(5): PostgreSQL refuses the row
        return values

    monkeypatch.setattr(index.Summary, "row", row)
    seed.write(store, "pg-nieuw", seed.short_conversation(now, "geheim-nieuw bericht"))
    with caplog.at_level("ERROR", logger="web.staff.index"):
        index.rebuild(databases)
    with databases.staff.connect() as connection:
        ids = {row[0] for row in connection.execute(sa.select(db.conversations.c.sender_id))}
    assert ids == {"pg-alleen-fout", "pg-gewoon", "pg-nieuw"}
    assert "pg-vergiftigd" in caplog.text and "xxxxx" not in caplog.text
    assert "geheim" not in caplog.text


def test_parallel_bad_logins_get_at_most_the_free_attempts_on_postgresql(pg_databases):
    """Review M3 (c): 20 parallel bad logins record at most 5 'invalid' outcomes."""
    from concurrent.futures import ThreadPoolExecutor

    from web.staff import auth
    databases, _, _ = pg_databases
    auth.create_user(databases, "pg-anna", "correct horse battery")
    policy = auth.LoginPolicy()
    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(lambda _: auth.login(databases, "pg-anna", "fout", "10.2.2.2",
                                                      policy).outcome, range(20)))
    assert outcomes.count("invalid") <= policy.max_failures_per_user, outcomes
    assert auth.login(databases, "pg-anna", "correct horse battery", "10.3.3.3",
                      policy).outcome == "ok"


def test_purge_leaves_no_dead_rows_and_no_tag_text_on_postgresql(pg_databases):
    """Review M5: VACUUM after the purge (n_dead_tup 0 for the purged tables), and a tag
    "broer Ahmed" is in no staff table after its conversation is deleted."""
    from web.staff import index, queries, retention
    databases, store, config = pg_databases
    now = dt.datetime.now(seed.AMSTERDAM)
    for number in range(20):
        seed.write(store, f"pg-oud-{number}", seed.short_conversation(now - dt.timedelta(days=40)))
    seed.write(store, "pg-verzoek", seed.short_conversation(now, "mijn broer Ahmed"))
    index.refresh(databases, None)
    assert queries.add_tag(databases, "pg-verzoek", "broer Ahmed", "anna")
    queries.set_note(databases, "pg-verzoek", "Ahmed belt terug", "anna")
    result = retention.purge(databases, 30, by="test")
    assert result.conversations >= 20
    retention.delete_conversation(databases, "pg-verzoek", by="anna")
    assert "Ahmed" not in all_text(config.staff_db)
    assert "Ahmed" not in all_text(config.db)
    for database, tables in ((config.db, ("events",)),
                             (config.staff_db, ("staff_conversations", "staff_tags",
                                                "staff_notes"))):
        with connect(database) as connection, connection.cursor() as cursor:
            cursor.execute("select pg_stat_clear_snapshot()")
            cursor.execute("select relname, n_dead_tup, last_vacuum from pg_stat_user_tables "
                           "where relname = any(%s)", (list(tables),))
            stats = {name: (dead, vacuumed) for name, dead, vacuumed in cursor.fetchall()}
        connection.close()
        for table in tables:
            assert stats[table][1] is not None, table  # VACUUM ran
            assert stats[table][0] == 0, (table, stats[table])


def test_an_intent_name_too_long_for_the_inbox_does_not_stop_the_index(pg_databases, caplog):
    """H1 for every indexed value: an intent name of 120 characters (what `/ /xxx…` made of
    an unknown intent) must not stop the conversation index on PostgreSQL."""
    import sqlalchemy as sa

    from web.staff import db, index
    databases, store, _ = pg_databases
    now = dt.datetime.now(seed.AMSTERDAM)
    script = seed.Script(now - dt.timedelta(minutes=5))
    script.user("geheim-lange-intentie", "i" * 120, 0.2)
    seed.write(store, "pg-lange-intentie", script)
    seed.write(store, "pg-daarna", seed.short_conversation(now))
    with caplog.at_level("ERROR", logger="web.staff.index"):
        assert index.refresh(databases, None)
    with databases.staff.connect() as connection:
        ids = {row[0] for row in connection.execute(sa.select(db.conversations.c.sender_id))}
    assert {"pg-lange-intentie", "pg-daarna"} <= ids
    assert "geheim" not in caplog.text
