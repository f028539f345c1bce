"""Issue 11, point 8 (review M6): searching the visitors' messages needs the account's search
right ("may search", given with the command line tool) or an admin account. A staff member
without it gets a Dutch refusal instead of results (403), no search box, and an audit row;
the filters that are not free text stay open to every staff member."""
import dataclasses
import datetime as dt
import sqlite3
import time
import uuid

import pytest
import sqlalchemy as sa

from bot.lse.storage import PostgresConfig
from tests.staff import seed
from tests.staff.helpers import FALLBACK_ID, PARENT_ID, READER
from web.staff import auth
from web.staff.db import Databases, sqlite_url
from web.staff.queries import search_hash
from web.staff.routes import SEARCH_REFUSED

YESTERDAY = (dt.datetime.now(seed.AMSTERDAM).date() - dt.timedelta(days=1)).isoformat()


def audit_rows(stack, after=0):
    with sqlite3.connect(stack.staff_db) as connection:
        return connection.execute("select id, username, action, detail from staff_audit_log "
                                  "where id > ? order by id", (after,)).fetchall()


def last_audit_id(stack):
    rows = audit_rows(stack)
    return rows[-1][0] if rows else 0


def api_ids(client, **params):
    answer = client.get("/staff/api/conversations", params=params)
    assert answer.status_code == 200, answer.text
    return [row["id"] for row in answer.json()["conversations"]]


def test_staff_without_the_search_right_get_a_refusal_instead_of_results(stack):
    reader = stack.reader()
    before = last_audit_id(stack)
    for query in ("telegramgroepen", "Dochter Telegramgroepen", PARENT_ID):
        page = reader.get("/staff/", params={"q": query})
        assert page.status_code == 403
        assert SEARCH_REFUSED in page.text
        # no results: no conversation, no link to one, no count, no exports
        assert "Mijn dochter" not in page.text and PARENT_ID not in page.text
        assert "/staff/conversations/" not in page.text and "export" not in page.text
        assert 'name="q"' not in page.text  # and no search box
        answer = reader.get("/staff/api/conversations", params={"q": query, "role": "family"})
        assert answer.status_code == 403
        assert answer.json() == {"error": SEARCH_REFUSED}
    rows = audit_rows(stack, before)
    assert [(user, action) for _, user, action, _ in rows] == [(READER[0], "search_refused")] * 6
    assert rows[0][3] == f"zoekvraag #{search_hash('telegramgroepen')}, geweigerd: geen zoekrecht"
    assert rows[2][3] == (f"zoekvraag #{search_hash('dochter telegramgroepen')}, "
                          "geweigerd: geen zoekrecht")
    assert not any("telegram" in detail or PARENT_ID in detail for *_, detail in rows)
    # The filter export is for admins (who may search) only: refused as well.
    assert reader.get("/staff/export", params={"format": "json", "q": "dochter"}).status_code \
        == 403
    assert "zoeken geweigerd (geen zoekrecht)" in stack.admin().get("/staff/audit").text


def test_staff_without_the_search_right_still_filter_and_read(stack):
    reader = stack.reader()
    page = reader.get("/staff/")
    assert page.status_code == 200
    assert 'name="q"' not in page.text and 'id="no-search"' in page.text
    assert 'name="role"' in page.text and 'name="flag"' in page.text
    assert "/staff/conversations/" in page.text
    # date, role, flags, language: open
    assert api_ids(reader, **{"from": YESTERDAY, "to": YESTERDAY, "role": "family",
                              "flag": "contact_closed", "language": "nl"}) == [PARENT_ID]
    assert FALLBACK_ID in api_ids(reader, flag="fallback")
    filtered = reader.get("/staff/", params={"from": YESTERDAY, "to": YESTERDAY,
                                             "role": "family", "flag": "contact_closed"})
    assert filtered.status_code == 200 and "Mijn dochter van 15" in filtered.text
    # a tag: open too (the reader sets one and takes it away again)
    tag = f"lezer-{uuid.uuid4().hex[:6]}"
    token = reader.csrf(f"/staff/conversations/{FALLBACK_ID}")
    assert reader.post(f"/staff/conversations/{FALLBACK_ID}/tags",
                       data={"csrf_token": token, "tag": tag}).status_code == 303
    try:
        assert api_ids(reader, tag=tag) == [FALLBACK_ID]
    finally:
        reader.post(f"/staff/conversations/{FALLBACK_ID}/tags/remove",
                    data={"csrf_token": token, "tag": tag})
    assert reader.get(f"/staff/conversations/{PARENT_ID}").status_code == 200
    assert reader.get("/staff/overview").status_code == 200


def test_staff_with_the_search_right_and_admins_get_results(stack):
    before = last_audit_id(stack)
    for client in (stack.staff(), stack.admin()):  # --may-search, and an admin without it
        assert api_ids(client, q="telegramgroepen") == [PARENT_ID]
        page = client.get("/staff/", params={"q": "telegramgroepen"})
        assert page.status_code == 200 and SEARCH_REFUSED not in page.text
        assert "Mijn dochter van 15" in page.text and 'name="q"' in page.text
    rows = [row for row in audit_rows(stack, before) if row[2] != "login"]
    assert [(user, action) for _, user, action, _ in rows] == [
        ("medewerker", "search"), ("medewerker", "search"),
        ("beheerder", "search"), ("beheerder", "search")]
    assert rows[0][3] == f"zoekvraag #{search_hash('telegramgroepen')}, pagina 1, 1 resultaten"


def test_the_search_right_is_given_and_taken_back_with_the_cli(stack):
    reader = stack.reader()  # an open session: the right counts from its next request
    before = last_audit_id(stack)
    granted = stack.cli("grant-search", READER[0].upper())
    assert granted.returncode == 0, granted.stderr
    assert "mag nu zoeken" in granted.stdout
    try:
        assert "lezer\tmedewerker met zoekrecht" in stack.cli("list-users").stdout
        assert api_ids(reader, q="telegramgroepen") == [PARENT_ID]
        page = reader.get("/staff/", params={"q": "telegramgroepen"})
        assert page.status_code == 200 and 'name="q"' in page.text
        assert "lezer (zoekrecht)" in stack.admin().get("/staff/audit").text
    finally:
        revoked = stack.cli("revoke-search", READER[0])
    assert revoked.returncode == 0, revoked.stderr
    assert "mag niet meer zoeken" in revoked.stdout
    assert reader.get("/staff/api/conversations", params={"q": "telegramgroepen"}).status_code \
        == 403
    listing = stack.cli("list-users").stdout
    assert "lezer\tmedewerker\n" in listing and "medewerker\tmedewerker met zoekrecht" in listing
    rows = [(user, action, detail) for _, user, action, detail in audit_rows(stack, before)]
    changes = [row for row in rows if row[1] in ("grant_search", "revoke_search")]
    assert [(action, detail) for _, action, detail in changes] == [
        ("grant_search", "lezer"), ("revoke_search", "lezer")]
    assert all(user.startswith("cli:") for user, _, _ in changes)
    assert ("lezer", "search_refused") in [(user, action) for user, action, _ in rows]
    assert stack.cli("grant-search", "bestaat-niet").returncode == 2
    audit = stack.admin().get("/staff/audit").text
    assert "zoekrecht gegeven" in audit and "zoekrecht ingetrokken" in audit


def test_create_user_with_the_search_right(stack):
    name = f"zoeker-{uuid.uuid4().hex[:6]}"
    made = stack.cli("create-user", name, "--may-search", stdin="een-wachtwoord-om-te-zoeken\n")
    assert made.returncode == 0, made.stderr
    assert "(met zoekrecht)" in made.stdout
    client = stack.client().logged_in(name, "een-wachtwoord-om-te-zoeken")
    assert api_ids(client, q="telegramgroepen") == [PARENT_ID]
    stack.cli("deactivate-user", name)


# --- the start-up migration: a staff database from before the column ---------------------

# staff_users as it was before the column (as SQLAlchemy created it on either database)
OLD_METADATA = sa.MetaData()
OLD_USERS = sa.Table(
    "staff_users", OLD_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False))
PG = PostgresConfig.from_env()
BACKENDS = ["sqlite"] + (["postgresql"] if PG else [])


@pytest.fixture(params=BACKENDS)
def old_databases(request, tmp_path):
    """connect() for a staff database whose staff_users has no may_search column yet and
    already holds an account (on PostgreSQL when LSE_PG_* is set, as .ci/run does)."""
    if request.param == "sqlite":
        engine = sa.create_engine(sqlite_url(tmp_path / "staff.db"), future=True)
        config = None
    else:
        import psycopg2
        suffix = uuid.uuid4().hex[:8]
        config = dataclasses.replace(PG, db=f"lse_mig_{suffix}", staff_db=f"lse_mig_staff_{suffix}")
        admin = psycopg2.connect(host=PG.host, port=PG.port, user=PG.user, password=PG.password,
                                 dbname=PG.db)
        admin.autocommit = True
        with admin.cursor() as cursor:
            for name in (config.db, config.staff_db):
                cursor.execute(f'CREATE DATABASE "{name}"')
        engine = sa.create_engine(config.sqlalchemy_url(config.staff_db), future=True)
    OLD_METADATA.create_all(engine)
    with engine.begin() as connection:
        connection.execute(OLD_USERS.insert().values(
            username="oud-account", password_hash=auth._hasher.hash("een-oud-wachtwoord-12"),
            is_admin=False, active=True, created_at=time.time()))
    engine.dispose()
    opened = []

    def connect():
        databases = Databases.connect(tmp_path / "c.db", tmp_path / "staff.db", config)
        opened.append(databases)
        return databases

    yield connect
    for databases in opened:
        databases.dispose()
    if config is not None:
        with admin.cursor() as cursor:
            for name in (config.db, config.staff_db):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_an_older_staff_database_gets_the_column_at_start_up(old_databases):
    databases = old_databases()
    columns = {c["name"]: c for c in sa.inspect(databases.staff).get_columns("staff_users")}
    assert "may_search" in columns and not columns["may_search"]["nullable"]
    result = auth.login(databases, "oud-account", "een-oud-wachtwoord-12", "192.0.2.1",
                        auth.LoginPolicy())
    assert result.outcome == "ok"
    assert result.session.staff.may_search is False and not result.session.staff.can_search
    auth.set_may_search(databases, "oud-account", True, by="test")
    assert auth.session_for(databases, result.token, auth.LoginPolicy()).staff.can_search
    made = auth.create_user(databases, "nieuw-account", "een-nieuw-wachtwoord")
    assert made.may_search is False
    # A second start (or a second process) finds the column and changes nothing.
    again = old_databases()
    with again.staff.connect() as connection:
        assert connection.execute(sa.text("SELECT username, may_search FROM staff_users "
                                          "ORDER BY id")).all() == [("oud-account", True),
                                                                    ("nieuw-account", False)]
