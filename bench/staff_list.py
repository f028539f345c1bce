"""Benchmark of the staff app's conversation list with many conversations.

Fills a throw-away SQLite tracker database with N conversations (default 50,000; about 14
events each, in Rasa's own event format, spread over the last 28 days), builds the
conversation index, starts the web app on a free port, logs in and prints how long the list
pages take over HTTP: the first page, deep pages, each filter, the search, the overview and a
chart, the inbox (its queue, each reason and filter, the quality chart, saving a label), and
the first page after new conversations arrived (incremental index update).

    make bench-staff
    .venv/bin/python -m bench staff --conversations 50000 [--keep]

Nothing here touches var/: everything lives in a temporary folder, removed afterwards.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from servers import ROOT, free_port  # noqa: E402
from web.staff import auth, db, index  # noqa: E402
from web.staff.db import Databases  # noqa: E402

ROLES = ("family", "professional", "individual", None)
FIRST_MESSAGES = {
    "family": ["mijn zoon van {n} kijkt IS-filmpjes", "mn dochter praat alleen nog over de ummah",
               "mijn broer zit in een extreemrechtse appgroep", "ik maak me zorgen om mijn neef"],
    "professional": ["ik ben docent en een leerling deelt nazimemes",
                     "als wijkagent heb ik een vraag over een casus",
                     "ik werk bij het coa en maak me zorgen over een bewoner"],
    "individual": ["ik zit in een groep en wil eruit", "ik ben teruggekomen uit syrie",
                   "ik twijfel over mijn eigen ideeen"],
    None: ["hallo", "ik heb een vraag over radicalisering", "wat doen jullie precies"],
}


def templates() -> dict[str, list[dict[str, Any]]]:
    """Event lists in Rasa's format (made with Rasa's classes), to copy and vary."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    def user(text: str, intent: str, confidence: float = 0.9) -> Any:
        parse = {"text": text, "intent": {"name": intent, "confidence": confidence},
                 "entities": [], "intent_ranking": [{"name": intent, "confidence": confidence}]}
        return UserUttered(text, intent=parse["intent"], parse_data=parse, input_channel="socketio")

    opening = [ActionExecuted("action_session_start"),
               BotUttered("Hoi, ik ben de digitale assistent van het LSE. Ik ben een "
                          "computerprogramma, geen mens."),
               SessionStarted(), SlotSet("language", "nl"), ActionExecuted("action_listen")]
    result = {}
    for kind in ("family", "professional", "individual", "none", "danger", "fallback",
                 "correction"):
        events = list(opening)
        events.append(user("{first}", {"none": "role_unclear", "danger": "danger_acute",
                                        "fallback": "nlu_fallback", "correction": "role_family"
                                        }.get(kind, f"role_{kind}")))
        if kind in ("family", "professional", "individual"):
            events += [SlotSet("role", kind), ActionExecuted("utter_explain"),
                       BotUttered("Uitleg over de hulp die past.",
                                  data={"buttons": [{"title": "Contact met een medewerker",
                                                     "payload": "Contact met een medewerker"}]}),
                       ActionExecuted("action_listen"),
                       user("Contact met een medewerker", "ask_contact", 0.99),
                       ActionExecuted("action_offer_contact"),
                       BotUttered("Je kunt bellen of mailen."), SlotSet("office_open", True)]
        elif kind == "correction":  # "no, it is for my work" (the inbox's role correction)
            events += [SlotSet("role", "family"), ActionExecuted("utter_explain"),
                       BotUttered("Uitleg voor naasten."), ActionExecuted("action_listen"),
                       user("nee ik vraag het voor mijn werk", "role_professional", 0.8),
                       SlotSet("role", "professional"), ActionExecuted("utter_explain"),
                       BotUttered("Uitleg voor professionals.")]
        elif kind == "danger":
            events += [ActionExecuted("action_warn_danger"), BotUttered("Bel nu 112.")]
        elif kind == "fallback":
            events += [ActionExecuted("action_clarify"), BotUttered("Sorry, dat begrijp ik niet.")]
        else:
            events += [ActionExecuted("utter_ask_role"), BotUttered("Voor wie zoek je hulp?")]
        events.append(ActionExecuted("action_listen"))
        result[kind] = [event.as_dict() for event in events]
    return result


def fill(tracker_db: Path, count: int, seed: int = 2026) -> int:
    random.seed(seed)
    # The NLU's confidence of the first message (the inbox's "twijfel"), from its own
    # generator so the conversations themselves stay the same as before.
    confidences = random.Random(seed + 1)
    base = templates()
    now = time.time()
    connection = sqlite3.connect(tracker_db)
    connection.execute(
        "create table if not exists events (id integer primary key, sender_id varchar(255) not null,"
        " type_name varchar(255) not null, timestamp float, intent_name varchar(255),"
        " action_name varchar(255), data text)")
    connection.execute("create index if not exists ix_events_sender_id on events (sender_id)")
    rows: list[tuple] = []
    total = 0
    for number in range(count):
        roll = random.random()
        kind = ("danger" if roll < 0.02 else "fallback" if roll < 0.08 else "none" if roll < 0.2
                else random.choice(("family", "family", "professional", "individual")))
        role = kind if kind in ("family", "professional", "individual") else None
        first = random.choice(FIRST_MESSAGES[role]).format(n=random.randint(12, 19))
        if kind == "family" and confidences.random() < 0.05:
            kind = "correction"  # 5% of the parents turn out to ask for their work
        start = now - random.uniform(0, 28 * 86400)
        language = "en" if random.random() < 0.1 else "nl"
        sender = f"bench-{number:06d}"
        for offset, event in enumerate(base[kind]):
            event = copy.deepcopy(event)
            event["timestamp"] = start + offset * 2.0
            if event["event"] == "user" and event["text"] == "{first}":
                event["text"] = event["parse_data"]["text"] = first
                if kind != "danger":
                    confidence = round(confidences.uniform(0.2, 0.99), 3)
                    event["parse_data"]["intent"]["confidence"] = confidence
                    event["parse_data"]["intent_ranking"] = [
                        {"name": event["parse_data"]["intent"]["name"], "confidence": confidence},
                        {"name": "role_unclear", "confidence": round((1 - confidence) / 2, 3)},
                        {"name": "ask_contact", "confidence": round((1 - confidence) / 4, 3)}]
            if event["event"] == "slot" and event["name"] == "language":
                event["value"] = language
            if event["event"] == "slot" and event["name"] == "office_open":
                local_hour = dt.datetime.fromtimestamp(event["timestamp"]).hour
                event["value"] = 9 <= local_hour < 17
            intent = event.get("parse_data", {}).get("intent", {}).get("name") \
                if event["event"] == "user" else None
            action = event.get("name") if event["event"] in ("action", "slot") else None
            rows.append((sender, event["event"], event["timestamp"], intent, action,
                         json.dumps(event)))
        if len(rows) >= 50_000:
            connection.executemany("insert into events (sender_id, type_name, timestamp, "
                                   "intent_name, action_name, data) values (?,?,?,?,?,?)", rows)
            total += len(rows)
            rows = []
    if rows:
        connection.executemany("insert into events (sender_id, type_name, timestamp, intent_name, "
                               "action_name, data) values (?,?,?,?,?,?)", rows)
        total += len(rows)
    connection.commit()
    connection.close()
    return total


def _first(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text` (an answer without it is a failed benchmark)."""
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"{pattern!r} not found in the answer")
    return found.group(1)


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie = ""

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.base + path, params=params, headers={"Cookie": self.cookie},
                            allow_redirects=False, timeout=120)

    def login(self, username: str, password: str) -> None:
        form = requests.get(self.base + "/staff/login", timeout=30)
        token = _first(r'name="csrf_token" value="([^"]+)"', form.text)
        login_cookie = form.cookies.get("lse_staff_login") or _first(
            r"lse_staff_login=([^;]+)", form.headers["Set-Cookie"])
        answer = requests.post(self.base + "/staff/login", allow_redirects=False, timeout=30,
                               headers={"Cookie": f"lse_staff_login={login_cookie}",
                                        "Origin": self.base},
                               data={"username": username, "password": password,
                                     "csrf_token": token})
        session = _first(r"lse_staff=([^;]+)", answer.headers["Set-Cookie"])
        self.cookie = f"lse_staff={session}"


def measure(client: Client, label: str, path: str, repeat: int, **params: Any) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path, **params)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (label, answer.status_code)
    median = statistics.median(times)
    total = ""
    if path == "/staff/":
        found = re.search(r"<strong>(\d+)</strong> gesprek", answer.text)
        total = f"{found.group(1):>7} found" if found else ""
    elif path == "/staff/inbox":
        found = re.search(r"<strong>(\d+)</strong> bericht", answer.text)
        total = f"{found.group(1):>7} found" if found else ""
    print(f"  {label:<44} median {median:7.1f} ms   max {max(times):7.1f} ms  {total}", flush=True)
    return median


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="lse-bench-"))
    tracker_db, staff_db = folder / "conversations.db", folder / "staff.db"
    web = None
    try:
        started = time.perf_counter()
        events = fill(tracker_db, args.conversations)
        print(f"Filled {args.conversations:,} conversations ({events:,} events) in "
              f"{time.perf_counter() - started:.1f} s; tracker database "
              f"{tracker_db.stat().st_size / 1e6:.0f} MB", flush=True)

        databases = Databases.connect(tracker_db, staff_db)
        started = time.perf_counter()
        index.refresh(databases, max_events=None)
        print(f"Built the conversation index in {time.perf_counter() - started:.1f} s "
              f"(once; afterwards only new events are read)", flush=True)
        with databases.staff.connect() as connection:
            queued = connection.execute(sa.select(sa.func.count()).select_from(db.queue)).scalar()
        print(f"  of which the inbox's queue (staff_queue): {queued:,} messages", flush=True)
        password = secrets.token_urlsafe(24)  # a throw-away account in a throw-away database
        auth.create_user(databases, "bench", password, is_admin=True)
        databases.dispose()

        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("LSE_PG_")}
        env.update(PYTHONPATH=str(ROOT), LSE_TRACKER_DB=str(tracker_db), LSE_STAFF_DB=str(staff_db),
                   LSE_WEB_PORT=str(port), LSE_WEB_HOST="127.0.0.1",
                   LSE_STAFF_PURGE_DELAY_SECONDS=str(10 ** 8),
                   LSE_STAFF_LOGIN_FAILURES_PER_IP="1000")
        with open(folder / "web.log", "wb") as web_log:
            web = subprocess.Popen([sys.executable, "-m", "web.app"], cwd=ROOT, env=env,
                                   stdout=web_log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or web.poll() is not None:
                raise RuntimeError("the web app did not start; see " + str(folder / "web.log"))
            time.sleep(0.3)
        client = Client(base)
        client.login("bench", password)

        today = dt.date.today()
        week = (today - dt.timedelta(days=7)).isoformat()
        pages = (args.conversations + 49) // 50
        print(f"\nPage times over HTTP ({args.repeat} requests each, 50 rows a page):", flush=True)
        results = {
            "first page": measure(client, "first page", "/staff/", args.repeat),
            "middle": measure(client, f"page {pages // 2}", "/staff/", args.repeat, page=pages // 2),
            "last": measure(client, f"last page ({pages})", "/staff/", args.repeat, page=pages),
        }
        measure(client, "role = family", "/staff/", args.repeat, role="family")
        measure(client, "language = en", "/staff/", args.repeat, language="en")
        measure(client, "flag: contact outside opening hours", "/staff/", args.repeat,
                flag="contact_closed")
        measure(client, "flag: danger (112/113)", "/staff/", args.repeat, flag="danger")
        measure(client, "flag: fallback", "/staff/", args.repeat, flag="fallback")
        measure(client, "flag: not reviewed", "/staff/", args.repeat, flag="not_reviewed")
        measure(client, "last 7 days", "/staff/", args.repeat, **{"from": week})
        measure(client, "search 'filmpjes' (common)", "/staff/", args.repeat, q="filmpjes")
        measure(client, "search 'syrie' (rare)", "/staff/", args.repeat, q="syrie")
        measure(client, "search 'bestaatniet' (no match)", "/staff/", args.repeat, q="bestaatniet")
        measure(client, "family + closed + 7 days + search", "/staff/", args.repeat,
                role="family", flag="contact_closed", q="zoon", **{"from": week})
        measure(client, "JSON API, first page", "/staff/api/conversations", args.repeat)
        measure(client, "overview page (30 days)", "/staff/overview", args.repeat)
        measure(client, "chart: conversations per day", "/staff/charts/per-dag.svg", args.repeat)

        # The inbox (web/staff/inbox.py): the queue of messages to review, from staff_queue.
        print("\nThe inbox (25 messages a page):", flush=True)
        inbox_first = measure(client, "inbox: first page (open, all reasons)", "/staff/inbox",
                              args.repeat)
        measure(client, "inbox: page 100", "/staff/inbox", args.repeat, page=100)
        measure(client, "inbox: last page", "/staff/inbox", args.repeat, page=10 ** 6)
        for reason in ("fallback", "low_confidence", "danger", "role_correction", "flagged"):
            measure(client, f"inbox: reason {reason}", "/staff/inbox", args.repeat, reason=reason)
        measure(client, "inbox: intent role_family", "/staff/inbox", args.repeat,
                intent="role_family")
        measure(client, "inbox: language en", "/staff/inbox", args.repeat, language="en")
        measure(client, "inbox: last 7 days", "/staff/inbox", args.repeat, **{"from": week})
        measure(client, "inbox: twijfel + family + en + 7 days", "/staff/inbox", args.repeat,
                reason="low_confidence", intent="role_family", language="en", **{"from": week})
        measure(client, "inbox: all statuses", "/staff/inbox", args.repeat, status="all")
        measure(client, "chart: quality per week (30 days)", "/staff/inbox/quality.svg",
                args.repeat)
        page = client.get("/staff/inbox")
        token = _first(r'name="csrf_token" value="([^"]+)"', page.text)
        label_times = []
        for event_id in re.findall(r'name="event_id" value="(\d+)"', page.text)[:args.repeat]:
            started = time.perf_counter()
            answer = requests.post(client.base + "/staff/inbox/label", allow_redirects=False,
                                   timeout=60, headers={"Cookie": client.cookie,
                                                        "Origin": client.base},
                                   data={"csrf_token": token, "event_id": event_id,
                                         "verdict": "unusable"})
            label_times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 303, answer.status_code
        print(f"  {'inbox: save a label (POST)':<44} median "
              f"{statistics.median(label_times):7.1f} ms   max {max(label_times):7.1f} ms",
              flush=True)
        results["inbox first page"] = inbox_first

        # New conversations arrive while the app runs: the next page view takes them in.
        connection = sqlite3.connect(tracker_db)
        last = connection.execute("select max(id) from events").fetchone()[0]
        connection.execute("insert into events (sender_id, type_name, timestamp, intent_name, "
                           "action_name, data) select 'new-' || sender_id, type_name, "
                           "timestamp + 60, intent_name, action_name, data from events "
                           "where sender_id in (select sender_id from events group by sender_id "
                           "order by sender_id limit 100)")
        connection.commit()
        new_events = connection.execute("select max(id) from events").fetchone()[0] - last
        connection.close()
        started = time.perf_counter()
        answer = client.get("/staff/")
        print(f"  {'first page after 100 new conversations':<44} "
              f"{(time.perf_counter() - started) * 1000:7.1f} ms "
              f"({new_events} new events taken into the index)", flush=True)
        assert answer.status_code == 200
        print(f"\nFirst page {results['first page']:.0f} ms, deepest page {results['last']:.0f} ms, "
              f"inbox first page {results['inbox first page']:.0f} ms "
              f"with {args.conversations:,} conversations.")
        return 0
    finally:
        if web is not None and web.poll() is None:
            os.killpg(web.pid, signal.SIGTERM)
            try:
                web.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(web.pid, signal.SIGKILL)
        if args.keep:
            print(f"Kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
