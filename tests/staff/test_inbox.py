"""The staff inbox (web/staff/inbox.py): which messages the queue holds and why, labelling with
its audit, the training examples and their link to the conversation (purge and delete), the
export to Rasa NLU YAML (accepted by `rasa data validate` with bot/data), quality per week,
and every route over HTTP against the real servers (staff only, CSRF, admin-only export)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.lse.storage import PostgresConfig
from tests.staff import seed
from tests.staff.helpers import ADMIN, CSRF_RE, STAFF
from tests.trackers import stored_tracker
from web.staff import db, inbox, index, retention
from web.staff.db import Databases

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime.now(seed.AMSTERDAM)
PG = PostgresConfig.from_env()
STORED_PHONE = "[telefoonnummer]"  # what the channel stores instead of the number
BACKENDS = ["sqlite"] + (["postgresql"] if PG else [])


def user(script: seed.Script, text: str, intent: str, confidence: float, ranking=(),
         danger=None, metadata=None) -> seed.Script:
    """A visitor message as Rasa records it: parse_data with the ranking and, when the
    danger screen found something, its verdict; the channel's metadata."""
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
             "intent_ranking": [{"name": intent, "confidence": confidence}]
             + [{"name": name, "confidence": value} for name, value in ranking]}
    if danger:
        parse["danger"] = danger
    script.events.append(UserUttered(text, intent=parse["intent"], parse_data=parse,
                                     timestamp=script.tick(), input_channel="rest",
                                     metadata=metadata or {}))
    return script


def correction(start: dt.datetime, phone: str = "0612345678") -> seed.Script:
    """A parent's message (sure), then 'no, it is for my work' with a phone number in it (as
    the live stack's channel stores it: "[telefoonnummer]"; the privacy tests search its
    database files for the raw number)."""
    script = seed.Script(start)
    user(script, "ik maak me zorgen om mijn neef", "role_family", 0.95)
    script.slot("role", "family").action("action_explain_family_support")
    script.bot("Uitleg voor naasten").action("action_listen")
    user(script, f"nee ik vraag het voor mijn werk, bel {phone}", "role_professional", 0.45,
         [("role_family", 0.30), ("ask_contact", 0.10), ("greet", 0.05)])
    script.slot("role", "professional").action("utter_explain_professional_services")
    script.bot("Uitleg voor professionals").action("action_listen")
    user(script, "dank je wel", "thank", 0.97)
    script.action("utter_thank").bot("Graag gedaan.").action("action_listen")
    return script


def mixed(start: dt.datetime) -> seed.Script:
    """A danger hit of the screen (in the metadata only), a clarifying question after a
    message the NLU was fairly sure of, and an English message with low confidence."""
    script = seed.Script(start)
    user(script, "ik wil er niet meer zijn", "danger_suicide", 1.0,
         danger={"kind": "suicide", "imminent": False, "cues": ["niet meer zijn"]})
    script.action("action_warn_suicide").bot("Bel 113.").action("action_listen")
    user(script, "ik zie het somber in", "role_unclear", 0.62, metadata={"danger": "suicide"})
    script.action("action_clarify").bot("Ik begrijp je niet goed.").action("action_listen")
    user(script, "how long is the waiting list", "ask_practical", 0.31,
         [("ask_opening_hours", 0.28)], metadata={"language": "en"})
    script.action("action_explain_practical").bot("A staff member knows.")
    return script.action("action_listen")


def _sqlite(tmp_path):
    tracker_db = tmp_path / "conversations.db"
    store = seed.store_for(tracker_db)
    databases = Databases.connect(tracker_db, tmp_path / "staff.db")
    yield store, databases, tracker_db
    store.engine.dispose()
    databases.dispose()


@pytest.fixture
def sqlite_setup(tmp_path):
    yield from _sqlite(tmp_path)


@pytest.fixture(params=BACKENDS)
def setup(request, tmp_path):
    """SQLite files, and PostgreSQL too when the LSE_PG_* variables are set (.ci/run): two
    fresh databases, dropped afterwards."""
    if request.param == "sqlite":
        yield from _sqlite(tmp_path)
        return
    import psycopg2
    suffix = uuid.uuid4().hex[:8]
    config = dataclasses.replace(PG, db=f"lse_inbox_{suffix}", staff_db=f"lse_inbox_staff_{suffix}")
    admin = psycopg2.connect(host=PG.host, port=PG.port, user=PG.user, password=PG.password,
                             dbname=PG.db)
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in (config.db, config.staff_db):
            cursor.execute(f'CREATE DATABASE "{name}"')
    store = seed.store_for(postgres=config)
    databases = Databases.connect(tmp_path / "unused.db", tmp_path / "unused-staff.db", config)
    try:
        yield store, databases, None
    finally:
        store.engine.dispose()
        databases.dispose()
        with admin.cursor() as cursor:
            for name in (config.db, config.staff_db):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def user_event(databases, sender, text):
    """The events.id of a visitor message."""
    e = db.events.c
    with databases.tracker.connect() as connection:
        rows = connection.execute(sa.select(e.id, e.data).where(
            e.sender_id == sender, e.type_name == "user").order_by(e.id)).all()
    return next(row.id for row in rows if f'"text": "{text}"' in row.data)


def queue(databases):
    with databases.staff.connect() as connection:
        return {row.text: row for row in connection.execute(sa.select(db.queue))}


def count(databases, table):
    with databases.staff.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def audit_rows(databases, action):
    with databases.staff.connect() as connection:
        return connection.execute(sa.select(db.audit_log).where(
            db.audit_log.c.action == action).order_by(db.audit_log.c.id)).all()


# --- the queue index ----------------------------------------------------------------------

def test_the_queue_holds_what_may_be_misunderstood_and_why(setup):
    store, databases, _ = setup
    seed.write(store, "correctie", correction(NOW - dt.timedelta(hours=3)))
    seed.write(store, "gemengd", mixed(NOW - dt.timedelta(hours=2)))
    seed.write(store, "niet-begrepen", seed.not_understood(NOW - dt.timedelta(hours=1)))
    assert index.refresh(databases)
    rows = queue(databases)
    # Not in the queue: a sure message nobody corrected ("dank je wel", 0.97).
    assert "dank je wel" not in rows
    corrected = rows["ik maak me zorgen om mijn neef"]
    # (The channel redacts before Rasa stores a message; these events were written without it.)
    fix = rows["nee ik vraag het voor mijn werk, bel 0612345678"]
    assert corrected.role_correction and fix.role_correction
    assert fix.related_text == "Corrigeert: ik maak me zorgen om mijn neef"
    assert corrected.related_text.startswith("Later gecorrigeerd met: nee ik vraag het")
    assert (fix.bot_before, fix.bot_after) == ("Uitleg voor naasten", "Uitleg voor professionals")
    assert (fix.intent, fix.confidence) == ("role_professional", 0.45)
    assert (fix.intent_2, fix.confidence_2, fix.intent_3) == ("role_family", 0.30, "ask_contact")
    danger = rows["ik wil er niet meer zijn"]
    assert danger.danger and danger.danger_kind == "suicide" and danger.bot_after == "Bel 113."
    clarified = rows["ik zie het somber in"]
    assert clarified.fallback and clarified.danger and clarified.danger_kind == "suicide"
    english = rows["how long is the waiting list"]
    assert english.language == "en" and not english.fallback and not english.danger
    assert rows["blorp fnerk zzzt"].fallback and rows["blorp fnerk zzzt"].intent == "nlu_fallback"

    page = inbox.list_queue(databases, inbox.QueueFilter(), threshold=0.5)
    assert page.total == 6
    assert page.counts == {"all": 6, "fallback": 2, "low_confidence": 2, "role_correction": 2,
                           "danger": 2, "flagged": 0}
    # Newest first, each with its reasons.
    assert page.rows[0]["text"] == "blorp fnerk zzzt"
    reasons = {row["text"]: row["reasons"] for row in page.rows}
    # What staff see is redacted again, the related text too.
    shown = {row["text"]: row for row in page.rows}
    assert "nee ik vraag het voor mijn werk, bel [telefoonnummer]" in shown
    assert shown["ik maak me zorgen om mijn neef"]["related_text"] == (
        "Later gecorrigeerd met: nee ik vraag het voor mijn werk, bel [telefoonnummer]")
    assert not any("0612345678" in str(value) for row in page.rows for value in row.values())
    assert reasons["nee ik vraag het voor mijn werk, bel [telefoonnummer]"] == [
        "low_confidence", "role_correction"]
    assert reasons["ik zie het somber in"] == ["danger", "fallback"]

    def texts(**filters):
        flt = inbox.QueueFilter(**filters)
        return {row["text"] for row in inbox.list_queue(databases, flt, 0.5).rows}

    assert texts(reason="low_confidence") == {
        "nee ik vraag het voor mijn werk, bel [telefoonnummer]", "how long is the waiting list"}
    assert texts(reason="danger") == {"ik wil er niet meer zijn", "ik zie het somber in"}
    assert texts(intent="ask_practical") == {"how long is the waiting list"}
    assert texts(language="en") == {"how long is the waiting list"}
    assert texts(date_from=NOW.date() + dt.timedelta(days=1)) == set()
    assert len(texts(date_from=NOW.date() - dt.timedelta(days=1), date_to=NOW.date())) == 6


def test_the_low_confidence_threshold_is_a_setting(setup, monkeypatch):
    store, databases, _ = setup
    seed.write(store, "gemengd", mixed(NOW - dt.timedelta(hours=2)))
    script = seed.Script(NOW - dt.timedelta(hours=1))
    user(script, "wat kost het", "ask_costs", 0.85)
    user(script, "is het gratis", "ask_costs", 0.95)
    seed.write(store, "bijna-zeker", script)
    index.refresh(databases)

    def low(threshold):
        return inbox.list_queue(databases, inbox.QueueFilter(reason="low_confidence"),
                                threshold).total

    # 0.31 and 0.85 (0.62 got the clarifying question: a fallback, not "twijfel"); the
    # threshold cannot go above the ceiling of what the index keeps (0.9).
    assert (low(0.3), low(0.5), low(0.86), low(1.0)) == (0, 1, 2, 2)
    assert "is het gratis" not in queue(databases)
    from web.settings import Settings
    monkeypatch.setenv("LSE_STAFF_INBOX_LOW_CONFIDENCE", "0.7")
    assert Settings.from_env().staff_inbox_low_confidence == 0.7
    monkeypatch.delenv("LSE_STAFF_INBOX_LOW_CONFIDENCE")
    assert Settings.from_env().staff_inbox_low_confidence == inbox.DEFAULT_LOW_CONFIDENCE


def test_the_queue_follows_new_events_and_a_rebuild(setup):
    store, databases, _ = setup
    script = seed.not_understood(NOW - dt.timedelta(hours=1))
    seed.write(store, "later", script)
    index.refresh(databases)
    assert set(queue(databases)) == {"blorp fnerk zzzt"}
    user(script, "wat kost het eigenlijk", "ask_costs", 0.4)
    script.action("utter_costs").bot("Het is gratis.")
    seed.write(store, "later", script)
    index.refresh(databases)
    assert queue(databases)["wat kost het eigenlijk"].bot_after == "Het is gratis."
    before = {text: tuple(row) for text, row in queue(databases).items()}
    index.rebuild(databases)
    assert {text: tuple(row) for text, row in queue(databases).items()} == before


def test_a_database_from_before_the_inbox_gets_its_queue(sqlite_setup, tmp_path):
    store, databases, tracker_db = sqlite_setup
    seed.write(store, "van-voor-de-inbox", seed.not_understood(NOW - dt.timedelta(hours=1)))
    index.refresh(databases)
    databases.dispose()
    with sqlite3.connect(tmp_path / "staff.db") as connection:  # as an older version left it
        for table in ("staff_queue_labels", "staff_training_examples", "staff_queue_flags",
                      "staff_queue"):
            connection.execute(f"drop table {table}")
    again = Databases.connect(tracker_db, tmp_path / "staff.db")
    try:
        assert index.refresh(again)
        assert set(queue(again)) == {"blorp fnerk zzzt"}
        assert len(inbox.list_queue(again, inbox.QueueFilter(), 0.5).rows) == 1
    finally:
        again.dispose()


def test_every_intent_has_a_dutch_description_from_docs():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    descriptions = inbox.intent_descriptions()
    assert set(descriptions) == set(domain["intents"])
    assert len(descriptions) == len(domain["intents"])
    assert descriptions["danger_suicide"].startswith("gedachten aan zelfdoding")
    assert all(len(text) > 5 and "|" not in text for text in descriptions.values())


# --- labels and examples ------------------------------------------------------------------

def event_of(databases, text):
    return queue(databases)[text].event_id


def test_labelling_with_privacy_check_audit_and_a_second_reviewer(setup):
    store, databases, _ = setup
    seed.write(store, "correctie", correction(NOW - dt.timedelta(hours=3)))
    index.refresh(databases)
    first = event_of(databases, "ik maak me zorgen om mijn neef")
    fix = event_of(databases, "nee ik vraag het voor mijn werk, bel 0612345678")

    with pytest.raises(inbox.LabelError, match="persoonsgegevens"):
        inbox.label(databases, first, "other", "role_professional", None, False, "anna")
    with pytest.raises(inbox.LabelError, match="intentie uit de lijst"):
        inbox.label(databases, first, "other", "no_such_intent", None, True, "anna")
    with pytest.raises(inbox.LabelError):
        inbox.label(databases, first, "maybe", None, None, True, "anna")
    with pytest.raises(inbox.LabelError, match="niet \\(meer\\)"):
        inbox.label(databases, 999_999, "unusable", None, None, True, "anna")
    assert count(databases, db.queue_labels) == 0 and count(databases, db.training_examples) == 0

    # The reviewer edits the text: a name out; an e-mail address typed in is redacted again.
    assert inbox.label(databases, first, "other", "role_professional",
                       "ik maak me zorgen om een\nleerling, mail piet@example.nl", True,
                       "anna") == "other"
    assert inbox.label(databases, fix, "correct", None, None, True, "anna") == "correct"
    with databases.staff.connect() as connection:
        examples = {row.text: row for row in connection.execute(sa.select(db.training_examples))}
    assert set(examples) == {"ik maak me zorgen om een leerling, mail [e-mailadres]",
                             "nee ik vraag het voor mijn werk, bel [telefoonnummer]"}
    edited = examples["ik maak me zorgen om een leerling, mail [e-mailadres]"]
    assert (edited.intent, edited.predicted_intent) == ("role_professional", "role_family")
    # The example has no conversation id; the label row links it.
    assert "sender_id" not in db.training_examples.c
    with databases.staff.connect() as connection:
        links = connection.execute(sa.select(db.queue_labels)).all()
    assert {(link.sender_id, link.example_id is not None) for link in links} == {
        ("correctie", True)}

    # A second reviewer sees the label and changes it: the same example, updated.
    page = inbox.list_queue(databases, inbox.QueueFilter(status="labelled"), 0.5)
    assert {row["labelled_by"] for row in page.rows} == {"anna"}
    assert inbox.list_queue(databases, inbox.QueueFilter(), 0.5).total == 0  # nothing open
    inbox.label(databases, first, "other", "role_individual", "ik zit zelf in een groep", True,
                "bram")
    assert count(databases, db.training_examples) == 2
    inbox.label(databases, fix, "unusable", None, None, False, "bram")  # no check needed
    assert count(databases, db.training_examples) == 1

    rows = audit_rows(databases, "label")
    assert [(row.username, row.sender_id) for row in rows] == [
        ("anna", "correctie"), ("anna", "correctie"), ("bram", "correctie"), ("bram", "correctie")]
    details = [row.detail for row in rows]
    assert details[0] == "role_family -> role_professional, tekst aangepast"
    assert details[1] == "klopt: role_professional"
    assert details[2].startswith("role_family -> role_individual (was other van anna)")
    assert details[3] == "niet bruikbaar (was correct van anna)"
    # Who, what and when; never the text.
    assert not any("neef" in detail or "leerling" in detail or "groep" in detail
                   for detail in details)


def test_a_staff_flag_puts_a_message_in_the_queue(setup):
    store, databases, _ = setup
    seed.write(store, "correctie", correction(NOW - dt.timedelta(hours=3)))
    index.refresh(databases)
    thanks = user_event(databases, "correctie", "dank je wel")
    assert not inbox.flag(databases, "een-ander-gesprek", thanks, "anna")
    assert inbox.flag(databases, "correctie", thanks, "anna")
    assert inbox.flag(databases, "correctie", thanks, "anna")  # twice: still one flag
    assert count(databases, db.queue_flags) == 1
    rows = queue(databases)
    assert rows["dank je wel"].flagged
    page = inbox.list_queue(databases, inbox.QueueFilter(reason="flagged"), 0.5)
    assert [row["text"] for row in page.rows] == ["dank je wel"]
    assert page.rows[0]["reasons"] == ["flagged"]
    # The flag survives a refresh and a rebuild of the index.
    index.rebuild(databases)
    assert queue(databases)["dank je wel"].flagged
    assert [row.detail for row in audit_rows(databases, "flag")] == [f"bericht {thanks}"] * 2


def test_the_purge_keeps_examples_and_a_visitors_delete_removes_them(setup):
    store, databases, _ = setup
    seed.write(store, "oud", correction(NOW - dt.timedelta(days=40)))
    seed.write(store, "verzoek", mixed(NOW - dt.timedelta(hours=2)))
    index.refresh(databases)
    inbox.label(databases, event_of(databases, "ik maak me zorgen om mijn neef"), "other",
                "role_professional", "ik maak me zorgen om een leerling", True, "anna")
    inbox.label(databases, event_of(databases, "ik zie het somber in"), "other",
                "danger_suicide", None, True, "anna")
    inbox.label(databases, event_of(databases, "how long is the waiting list"), "correct",
                None, None, True, "anna")
    dank = user_event(databases, "oud", "dank je wel")
    inbox.flag(databases, "oud", dank, "anna")
    assert count(databases, db.training_examples) == 3

    retention.purge(databases, 30)
    # The old conversation is gone with its queue rows, flag and label (the link) ...
    with databases.staff.connect() as connection:
        for table in (db.queue, db.queue_flags, db.queue_labels):
            senders = {row[0] for row in connection.execute(sa.select(table.c.sender_id))}
            assert "oud" not in senders, table.name
        examples = {row.text for row in connection.execute(sa.select(db.training_examples.c.text))}
    # ... its example stays, as text only.
    assert "ik maak me zorgen om een leerling" in examples and len(examples) == 3

    retention.delete_conversation(databases, "verzoek", "anna")
    with databases.staff.connect() as connection:
        examples = {row.text for row in connection.execute(sa.select(db.training_examples.c.text))}
        for table in (db.queue, db.queue_flags, db.queue_labels):
            assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    assert examples == {"ik maak me zorgen om een leerling"}


# --- export ---------------------------------------------------------------------------------

def labelled_examples(databases, examples):
    """Training examples as the label step stores them (text, intent, predicted intent)."""
    now = dt.datetime.now().timestamp()
    with databases.staff.begin() as connection:
        for offset, (text, intent, predicted) in enumerate(examples):
            connection.execute(db.training_examples.insert().values(
                text=text, intent=intent, predicted_intent=predicted, language="nl",
                created_at=now + offset, updated_at=now + offset))


EXAMPLES = [
    ("ik vraag het voor mijn werk als buurtcoach", "role_professional", "role_family"),
    ("Ik vraag het  voor mijn werk als BUURTCOACH", "role_professional", "role_unclear"),  # twice
    ("ik wil iemand spreken", "role_professional", "ask_contact"),   # already in bot/data
    ("bel [telefoonnummer](na vijf uur) over een leerling", "ask_contact", "nlu_fallback"),
    ("zitten jullie ook in groningen of zo", "ask_practical", "out_of_scope"),
    ("hoe lang moet ik wachten op een gesprek met jullie", "ask_practical", "ask_practical"),
    ("eerst fout gelabeld als groet", "greet", "greet"),
    ("eerst fout gelabeld als groet", "out_of_scope", "greet"),      # newer label wins
]


def test_the_export_is_rasa_nlu_yaml_without_doubles_or_known_examples(setup):
    _, databases, _ = setup
    labelled_examples(databases, EXAMPLES)
    result = inbox.export_training_data(databases)
    data = yaml.safe_load(result.text)
    assert data["version"] == "3.1"
    assert [block["intent"] for block in data["nlu"]] == sorted(
        block["intent"] for block in data["nlu"])
    messages = RasaYAMLReader().reads(result.text).intent_examples
    found = {(message.get("text"), message.get("intent")) for message in messages}
    assert found == {
        ("Ik vraag het voor mijn werk als BUURTCOACH", "role_professional"),  # newest spelling
        ("bel [telefoonnummer] (na vijf uur) over een leerling", "ask_contact"),
        ("zitten jullie ook in groningen of zo", "ask_practical"),
        ("eerst fout gelabeld als groet", "out_of_scope"),
    }
    assert all(not message.get("entities") for message in messages)  # no entity markup
    assert (result.examples, result.skipped_known, result.skipped_duplicate) == (4, 1, 2)

    confirmed = inbox.export_training_data(databases, confirmed=True)
    tests = RasaYAMLReader().reads(confirmed.text).intent_examples
    assert {(m.get("text"), m.get("intent")) for m in tests} == {
        ("hoe lang moet ik wachten op een gesprek met jullie", "ask_practical")}


def test_the_export_passes_rasa_data_validate_with_bot_data(sqlite_setup, tmp_path):
    setup = sqlite_setup
    _, databases, _ = setup
    labelled_examples(databases, EXAMPLES)
    out = tmp_path / "export" / "inbox.yml"
    env = {**os.environ, "LSE_TRACKER_DB": str(setup[2]),
           "LSE_STAFF_DB": str(databases.staff.url.database), "PYTHONPATH": str(ROOT),
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    env = {key: value for key, value in env.items() if not key.startswith("LSE_PG_")}
    made = subprocess.run([sys.executable, "-m", "web.staff.cli", "export-training-data",
                           "--out", str(out), "--confirmed-as-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert "4 voorbeelden voor 4 intenties" in made.stdout
    test_file = out.with_name("inbox-test.yml")
    assert "hoe lang moet ik wachten" in test_file.read_text(encoding="utf-8")
    assert [row.username.startswith("cli:") for row in audit_rows(databases, "export_training")
            ] == [True, True]
    rasa = ROOT / ".venv" / "bin" / "rasa"
    for data in (out, test_file):
        checked = subprocess.run(
            [str(rasa), "data", "validate", "--domain", "domain.yml", "--data", "bot/data",
             str(data), "--config", "config.yml", "--fail-on-warnings"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"})
        assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    # The check is real: an example already in bot/data with another intent fails it.
    bad = tmp_path / "bad.yml"
    bad.write_text('version: "3.1"\nnlu:\n- intent: role_professional\n  examples: |\n'
                   '    - ik wil iemand spreken\n', encoding="utf-8")
    checked = subprocess.run(
        [str(rasa), "data", "validate", "--domain", "domain.yml", "--data", "bot/data", str(bad),
         "--config", "config.yml", "--fail-on-warnings"], cwd=ROOT, capture_output=True,
        text=True, timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"})
    assert checked.returncode != 0


# --- quality per week ---------------------------------------------------------------------

def test_quality_per_week(setup):
    store, databases, _ = setup
    seed.write(store, "deze-week", correction(NOW - dt.timedelta(minutes=30)))
    seed.write(store, "vorige-week", mixed(NOW - dt.timedelta(days=7)))
    index.refresh(databases)
    inbox.label(databases, event_of(databases, "ik maak me zorgen om mijn neef"), "other",
                "role_professional", None, True, "anna")
    inbox.label(databases, event_of(databases, "how long is the waiting list"), "correct",
                None, None, True, "anna")
    stats = inbox.quality(databases, NOW.date() - dt.timedelta(days=13), NOW.date(), 0.5)
    this_week = stats.weeks[-1]
    last_week = next(week for week in stats.weeks
                     if week.monday <= (NOW - dt.timedelta(days=7)).date()
                     < week.monday + dt.timedelta(days=7))
    assert this_week.messages == 3 and this_week.reasons["role_correction"] == 2
    assert this_week.reasons["low_confidence"] == 1
    assert (this_week.labelled, this_week.corrected, this_week.corrected_share) == (1, 1, 1.0)
    assert last_week.messages == 3 and last_week.reasons["danger"] == 2
    assert (last_week.labelled, last_week.corrected) == (1, 0)
    assert last_week.share("danger") == pytest.approx(2 / 3)
    assert stats.top_corrected == [("role_family", 1)]
    from web.staff import inbox_chart
    svg = inbox_chart.render(stats).decode("utf-8")
    assert svg.startswith("<?xml") and "role_family" in svg and "Begrip per week" in svg


# --- over HTTP, against the real servers --------------------------------------------------

@pytest.fixture(scope="module")
def seeded(stack):
    """Conversations of the inbox tests in the running app's database."""
    store = stack.store()
    ids = {"correction": f"inbox-correctie-{uuid.uuid4().hex[:6]}",
           "mixed": f"inbox-gemengd-{uuid.uuid4().hex[:6]}"}
    seed.write(store, ids["correction"], correction(NOW - dt.timedelta(hours=5), STORED_PHONE))
    seed.write(store, ids["mixed"], mixed(NOW - dt.timedelta(hours=4)))
    store.engine.dispose()
    return ids


def event_ids(page_text):
    return [int(found) for found in re.findall(r'name="event_id" value="(\d+)"', page_text)]


def item_of(member, text, **params):
    """The event id of the queue item with this visitor text (the inbox page)."""
    page = member.get("/staff/inbox", params={"status": "all", **params})
    assert page.status_code == 200
    for match in re.finditer(r'<article class="card inbox-item[^"]*" id="bericht-(\d+)">(.*?)'
                             r'</article>', page.text, re.S):
        if f'message-text">{text}<' in match.group(2):
            return int(match.group(1)), match.group(2)
    raise AssertionError(f"{text!r} not in the inbox")


def test_the_inbox_routes_are_for_staff_only(stack, seeded):
    anonymous = stack.client()
    page = anonymous.get("/staff/inbox")
    assert page.status_code == 303 and page.headers["Location"].startswith("/staff/login?next=")
    assert anonymous.get("/staff/inbox/quality.svg").status_code == 303
    for path in ("/staff/inbox/label", "/staff/inbox/export",
                 f"/staff/conversations/{seeded['correction']}/flag"):
        answer = anonymous.post(path, data={"event_id": "1", "verdict": "unusable",
                                            "kind": "training"})
        assert answer.status_code == 401, path
        assert "neef" not in answer.text and "version:" not in answer.text
    # Staff members use the inbox; exporting training data is for admins.
    member = stack.staff()
    assert member.get("/staff/inbox").status_code == 200
    assert 'href="/staff/inbox"' in member.get("/staff/").text  # in the navigation
    token = member.csrf("/staff/inbox")
    refused = member.post("/staff/inbox/export", data={"csrf_token": token, "kind": "training"})
    assert refused.status_code == 403 and "version:" not in refused.text
    assert "Trainingsvoorbeelden exporteren" not in member.get("/staff/inbox").text
    assert "Trainingsvoorbeelden exporteren" in stack.admin().get("/staff/inbox").text


def test_every_inbox_change_needs_the_csrf_token(stack, seeded):
    member = stack.staff()
    event, _ = item_of(member, "ik wil er niet meer zijn")
    posts = (("/staff/inbox/label", {"event_id": str(event), "verdict": "unusable"}),
             (f"/staff/conversations/{seeded['mixed']}/flag", {"event_id": str(event)}))
    for path, data in posts:
        assert member.post(path, data=data).status_code == 403, path
        assert member.post(path, data={**data, "csrf_token": "wrong"}).status_code == 403, path
        other_site = member.post(path, data={**data, "csrf_token": member.csrf("/staff/inbox")},
                                 headers={"Origin": "http://evil.example"})
        assert other_site.status_code == 403, path
    admin = stack.admin()
    assert admin.post("/staff/inbox/export", data={"kind": "training"}).status_code == 403
    assert admin.post("/staff/inbox/export", data={"kind": "training",
                                                   "csrf_token": "wrong"}).status_code == 403
    _, html = item_of(member, "ik wil er niet meer zijn")
    assert "Beoordeeld door" not in html  # nothing was labelled
    with sqlite3.connect(stack.staff_db) as connection:
        assert connection.execute("select count(*) from staff_queue_flags where event_id = ?",
                                  (event,)).fetchone()[0] == 0
    # Every form of the inbox and of a transcript carries the token.
    for path in ("/staff/inbox", f"/staff/conversations/{seeded['mixed']}"):
        html = admin.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
        assert forms and all('name="csrf_token"' in form for form in forms), path


def test_label_over_http_with_audit(stack, seeded):
    member = stack.staff()
    text = "nee ik vraag het voor mijn werk, bel [telefoonnummer]"
    page = member.get("/staff/inbox", params={"reason": "role_correction"})
    assert text in page.text and "ik maak me zorgen om mijn neef" in page.text
    assert "0612345678" not in page.text
    assert "Corrigeert: ik maak me zorgen om mijn neef" in page.text
    event, html = item_of(member, "ik maak me zorgen om mijn neef", reason="role_correction")
    assert "role_family" in html and "95%" in html
    assert f'href="/staff/conversations/{seeded["correction"]}?details=1"' in html
    token = CSRF_RE.search(page.text).group(1)
    # Without the privacy confirmation: a Dutch explanation, nothing stored.
    answer = member.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "other",
        "intent": "role_professional", "text": "ik maak me zorgen om een leerling",
        "next": "/staff/inbox?reason=role_correction"})
    assert answer.status_code == 303 and "error=" in answer.headers["Location"]
    shown = member.get(answer.headers["Location"].split("#")[0])
    assert "Bevestig eerst dat het bericht geen persoonsgegevens bevat" in shown.text
    answer = member.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "other",
        "intent": "role_professional", "text": "ik maak me zorgen om een leerling",
        "no_personal_data": "1", "next": "/staff/inbox?reason=role_correction"})
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/staff/inbox?reason=role_correction&saved=")
    # Labelled: out of the open queue, visible under "Beoordeeld" with who did it.
    open_page = member.get("/staff/inbox", params={"reason": "role_correction"}).text
    assert 'message-text">ik maak me zorgen om mijn neef<' not in open_page
    _, html = item_of(member, "ik maak me zorgen om mijn neef", status="labelled")
    assert f"Beoordeeld door <strong>{STAFF[0]}</strong>" in html
    assert "Opgeslagen als: “ik maak me zorgen om een leerling”" in html
    # A 'next' outside the staff app is not followed.
    answer = member.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "unusable",
        "next": "https://evil.example/"})
    assert answer.headers["Location"].startswith("/staff/inbox?saved=")
    for bad in ("x", "-1", "0", str(10 ** 30), ""):
        assert member.post("/staff/inbox/label", data={"csrf_token": token, "event_id": bad,
                                                       "verdict": "unusable"}).status_code == 400
    assert member.post(f"/staff/conversations/{seeded['correction']}/flag", data={
        "csrf_token": token, "event_id": str(10 ** 30)}).status_code == 400
    # A verdict or intent that does not exist: the page says so, nothing is stored.
    answer = member.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "other", "intent": "<script>",
        "no_personal_data": "1", "text": "x"})
    assert answer.status_code == 303 and "error=" in answer.headers["Location"]
    audit = stack.admin().get("/staff/audit").text
    assert "bericht beoordeeld (inbox)" in audit
    with sqlite3.connect(stack.staff_db) as connection:
        rows = connection.execute("select username, sender_id, detail from staff_audit_log "
                                  "where action = 'label' and sender_id = ? order by id",
                                  (seeded["correction"],)).fetchall()
    assert rows == [(STAFF[0], seeded["correction"], "role_family -> role_professional, "
                                                      "tekst aangepast"),
                    (STAFF[0], seeded["correction"], "niet bruikbaar (was other van "
                                                      f"{STAFF[0]})")]


def test_flag_from_a_transcript(stack, seeded):
    member = stack.staff()
    transcript = member.get(f"/staff/conversations/{seeded['correction']}")
    assert transcript.text.count("Beoordeel dit bericht") == 3  # one per visitor message
    thanks = event_ids(transcript.text)[-1]
    token = CSRF_RE.search(transcript.text).group(1)
    assert "dank je wel" not in member.get("/staff/inbox").text
    answer = member.post(f"/staff/conversations/{seeded['correction']}/flag",
                         data={"csrf_token": token, "event_id": thanks})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("?saved=flag")
    event, html = item_of(member, "dank je wel", reason="flagged")
    assert event == thanks and "Door medewerker gemarkeerd" in html
    # A message of another conversation, or no message: 404 / 400.
    assert member.post(f"/staff/conversations/{seeded['mixed']}/flag",
                       data={"csrf_token": token, "event_id": thanks}).status_code == 404
    assert member.post(f"/staff/conversations/{seeded['mixed']}/flag",
                       data={"csrf_token": token, "event_id": "abc"}).status_code == 400
    with sqlite3.connect(stack.staff_db) as connection:
        assert connection.execute("select username, detail from staff_audit_log where "
                                  "action = 'flag' and sender_id = ?",
                                  (seeded["correction"],)).fetchall() == [
            (STAFF[0], f"bericht {thanks}")]


def test_filters_counts_and_admin_export_over_http(stack, seeded):
    member = stack.staff()
    page = member.get("/staff/inbox", params={"language": "en", "status": "all"}).text
    assert "how long is the waiting list" in page and "ik wil er niet meer zijn" not in page
    assert re.search(r'data-reason="low_confidence">[^<]*<strong>(\d+)', page)
    page = member.get("/staff/inbox", params={"intent": "danger_suicide", "status": "all",
                                              "from": (NOW - dt.timedelta(days=1)).date().isoformat()}).text
    assert "ik wil er niet meer zijn" in page and "how long" not in page
    assert "Gevaar: zelfdoding" in page
    assert 'Gevaar: kies "Klopt" als het gevaar terecht is herkend' in page
    _, html = item_of(member, "ik zie het somber in")  # screen hit, another intent chosen
    assert "De gevaarcheck zag gevaar, de assistent koos een andere intentie" in html
    # Values that are not allowed are ignored, not an error.
    assert member.get("/staff/inbox", params={"reason": "x'; drop table staff_queue;--",
                                              "intent": "<b>", "page": "-3",
                                              "from": "gisteren"}).status_code == 200

    event, _ = item_of(member, "ik wil er niet meer zijn")
    token = member.csrf("/staff/inbox")
    assert member.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "correct",
        "text": "ik wil er vandaag echt niet meer zijn", "no_personal_data": "1"}
    ).status_code == 303
    event, _ = item_of(member, "how long is the waiting list")
    assert member.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "other", "intent": "ask_opening_hours",
        "text": "how long is the waiting list for a first talk", "no_personal_data": "1"}
    ).status_code == 303

    admin = stack.admin()
    token = admin.csrf("/staff/inbox")
    exported = admin.post("/staff/inbox/export", data={"csrf_token": token, "kind": "training"})
    assert exported.status_code == 200
    assert exported.headers["Content-Type"].startswith("application/x-yaml")
    assert 'attachment; filename="lse-training-nlu-' in exported.headers["Content-Disposition"]
    found = {(m.get("text"), m.get("intent"))
             for m in RasaYAMLReader().reads(exported.text).intent_examples}
    assert ("how long is the waiting list for a first talk", "ask_opening_hours") in found
    assert not any(intent == "danger_suicide" for _, intent in found)  # confirmed, not corrected
    confirmed = admin.post("/staff/inbox/export", data={"csrf_token": token, "kind": "test"})
    assert ("ik wil er vandaag echt niet meer zijn", "danger_suicide") in {
        (m.get("text"), m.get("intent"))
        for m in RasaYAMLReader().reads(confirmed.text).intent_examples}
    with sqlite3.connect(stack.staff_db) as connection:
        details = [row[0] for row in connection.execute(
            "select detail from staff_audit_log where action = 'export_training' and "
            "username = ? order by id", (ADMIN[0],))]
    assert details[-2].startswith("training: ") and details[-1].startswith("test: ")

    chart = member.get("/staff/inbox/quality.svg")
    assert chart.status_code == 200 and chart.headers["Content-Type"] == "image/svg+xml"
    overview = member.get("/staff/overview").text
    assert "/staff/inbox/quality.svg?" in overview


def test_real_conversations_reach_the_inbox(stack):
    """Through the real Rasa server and NLU: what the tracker says decides what the queue
    must hold."""
    client_id = f"inbox-echt-{uuid.uuid4().hex[:8]}"
    for message in ("blorp fnerk zzzt", "ik wil niet meer leven"):
        answer = requests.post(f"{stack.servers.rasa_url}/webhooks/rest/webhook",
                               json={"sender": client_id, "message": message}, timeout=60)
        assert answer.status_code == 200 and answer.json(), answer.text
    tracker = stored_tracker(stack.servers, client_id)
    users = [event for event in tracker["events"] if event["event"] == "user"]
    assert users[1]["parse_data"]["intent"]["name"] == "danger_suicide"
    member = stack.staff()
    page = member.get("/staff/inbox", params={"status": "all"}).text
    items = dict((match.group(2), match.group(1)) for match in re.finditer(
        r'id="bericht-(\d+)">.*?message-text">([^<]*)<', page, re.S))
    assert "ik wil niet meer leven" in items and "blorp fnerk zzzt" in items
    _, html = item_of(member, "ik wil niet meer leven", reason="danger")
    assert "danger_suicide" in html
    _, html = item_of(member, "blorp fnerk zzzt", reason="fallback")
    assert "Niet begrepen of doorgevraagd" in html


def test_a_visitors_delete_over_http_removes_the_examples(stack):
    sender = f"inbox-wissen-{uuid.uuid4().hex[:6]}"
    store = stack.store()
    seed.write(store, sender, correction(NOW - dt.timedelta(hours=6), STORED_PHONE))
    store.engine.dispose()
    admin = stack.admin()
    page = admin.get("/staff/inbox", params={"status": "all"})
    event = next(event for event in event_ids(page.text)
                 if f"bericht-{event}" in page.text and sender in page.text.split(
                     f'id="bericht-{event}"', 1)[1].split("</article>", 1)[0])
    token = CSRF_RE.search(page.text).group(1)
    assert admin.post("/staff/inbox/label", data={
        "csrf_token": token, "event_id": event, "verdict": "other", "intent": "role_individual",
        "text": "een uniek voorbeeld om te wissen", "no_personal_data": "1"}).status_code == 303
    with sqlite3.connect(stack.staff_db) as connection:
        assert connection.execute("select count(*) from staff_training_examples where text = ?",
                                  ("een uniek voorbeeld om te wissen",)).fetchone()[0] == 1
    answer = admin.post(f"/staff/conversations/{sender}/delete",
                        data={"csrf_token": token, "confirm": sender})
    assert answer.status_code == 303
    with sqlite3.connect(stack.staff_db) as connection:
        assert connection.execute("select count(*) from staff_training_examples where text = ?",
                                  ("een uniek voorbeeld om te wissen",)).fetchone()[0] == 0
        for table in ("staff_queue", "staff_queue_labels", "staff_queue_flags"):
            assert connection.execute(f"select count(*) from {table} where sender_id = ?",
                                      (sender,)).fetchone()[0] == 0, table
