"""The staff app over HTTP against real conversations: the list with every filter, search and
pages, a transcript, tags, notes, review marks, exports, the print page, the overview charts,
deleting, purging, the audit log, SQL injection attempts and visitor markup."""
import csv
import datetime as dt
import io
import json
import re
import sqlite3
import uuid

import pytest
import requests

from tests.staff import seed
from tests.staff.helpers import FALLBACK_ID, FILLER_COUNT, PARENT_ID
from tests.trackers import stored_tracker

TODAY = dt.datetime.now(seed.AMSTERDAM).date()
YESTERDAY = TODAY - dt.timedelta(days=1)
MARKUP = "<img src=x onerror=alert(1)> <b>hallo</b> mijn broer radicaliseert"
FORMULA = "=SUM(A1:A3) mijn broer praat alleen nog over het kalifaat"

SCRIPTS = {
    "family": ["mijn zoon van 17 kijkt IS-filmpjes", "Contact met een medewerker"],
    "professional_en": ["I am a teacher and one of my students shares nazi memes"],
    "danger": ["mijn zoon heeft een wapen en zegt dat hij mensen gaat doden"],
    "suicide": ["ik wil niet meer leven"],
    "fallback": ["blorp fnerk zzzt"],
    "markup": [MARKUP, FORMULA],
}


@pytest.fixture(scope="module")
def talks(stack):
    """Real conversations through the Rasa server; their trackers say what to expect."""
    ids, trackers = {}, {}
    for key, messages in SCRIPTS.items():
        client_id = f"{key}-{uuid.uuid4().hex[:8]}"
        for message in messages:
            answer = requests.post(f"{stack.servers.rasa_url}/webhooks/rest/webhook",
                                   json={"sender": client_id, "message": message}, timeout=60)
            assert answer.status_code == 200 and answer.json()
        # Staff see the stored id (an HMAC of the client's id, bot/lse/sender_ids.py); the
        # tracker is read from the tracker store's database (the Rasa HTTP API is off).
        ids[key] = stack.servers.stored_id(client_id)
        trackers[key] = stored_tracker(stack.servers, client_id)
    return ids, trackers


def listed(client, **params):
    """All ids the list API returns for these filters (every page)."""
    found, page = [], 1
    while True:
        answer = client.get("/staff/api/conversations", params={**params, "page": page})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += [row["id"] for row in body["conversations"]]
        if body["page"] >= body["pages"]:
            return found
        page += 1


def actions_of(tracker):
    return [event.get("name") for event in tracker["events"] if event["event"] == "action"]


def intents_of(tracker):
    return [event["parse_data"]["intent"]["name"] for event in tracker["events"]
            if event["event"] == "user"]


def test_a_worried_parent_from_last_night_is_found_read_tagged_and_exported(stack, talks):
    member = stack.staff()
    found = listed(member, **{"from": YESTERDAY.isoformat(), "to": YESTERDAY.isoformat(),
                              "role": "family", "flag": "contact_closed"})
    assert found == [PARENT_ID]
    page = member.get("/staff/", params={"from": YESTERDAY.isoformat(), "role": "family",
                                         "flag": "contact_closed", "to": YESTERDAY.isoformat()})
    assert page.status_code == 200
    assert "1</strong> gesprek" in page.text and "contact · gesloten" in page.text
    assert "Mijn dochter van 15 zit elke nacht" in page.text

    transcript = member.get(f"/staff/conversations/{PARENT_ID}")
    assert transcript.status_code == 200
    text = transcript.text
    assert "Mijn dochter van 15 zit elke nacht in extreemrechtse telegramgroepen" in text
    assert "Knop gekozen: <strong>Contact met een medewerker</strong>" in text
    assert "Het LSE is nu gesloten" in text
    assert "<time>22:4" in text  # the times are Amsterdam times
    assert "Naaste" in text

    token = member.csrf(f"/staff/conversations/{PARENT_ID}")
    answer = member.post(f"/staff/conversations/{PARENT_ID}/tags",
                         data={"csrf_token": token, "tag": "terugbellen"})
    assert answer.status_code == 303
    assert "terugbellen" in member.get(f"/staff/conversations/{PARENT_ID}").text
    assert listed(member, tag="terugbellen") == [PARENT_ID]

    exported = member.post("/staff/export", data={"csrf_token": token, "ids": PARENT_ID,
                                                  "format": "json"})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    record = exported.json()["conversations"][0]
    assert record["id"] == PARENT_ID and record["role"] == "family"
    assert "terugbellen" in record["tags"] and record["flags"]["contact_closed"] == 1
    visitor = [m for m in record["messages"] if m["kind"] == "user"]
    assert visitor[1] == {**visitor[1], "text": "Contact met een medewerker",
                          "button": "Contact met een medewerker"}
    assert record["started_at"].startswith(YESTERDAY.isoformat() + "T22:4")


def test_list_filters_by_role_language_and_flags(stack, talks):
    ids, trackers = talks
    member = stack.staff()
    everything = set(listed(member))
    assert set(ids.values()) | {PARENT_ID, FALLBACK_ID} <= everything

    for role in ("family", "professional", "individual", "unknown"):
        expected = {sender for key, sender in ids.items()
                    if (trackers[key]["slots"].get("role") or "unknown") == role}
        result = set(listed(member, role=role))
        assert expected <= result, role
        assert not (set(ids.values()) - expected) & result, role
    assert ids["professional_en"] in listed(member, role="professional")

    english = set(listed(member, language="en"))
    assert ids["professional_en"] in english and ids["family"] not in english
    dutch = set(listed(member, language="nl"))
    assert ids["family"] in dutch and ids["professional_en"] not in dutch

    def expect(flag, predicate):
        result = set(listed(member, flag=flag))
        for key, sender in ids.items():
            assert (sender in result) == bool(predicate(trackers[key])), (flag, key)
        return result

    expect("danger_112", lambda t: "action_warn_danger" in actions_of(t))
    expect("danger_113", lambda t: "action_warn_suicide" in actions_of(t))
    expect("danger", lambda t: {"action_warn_danger", "action_warn_suicide"} & set(actions_of(t)))
    assert ids["danger"] in listed(member, flag="danger_112")
    assert ids["suicide"] in listed(member, flag="danger_113")
    open_now = trackers["family"]["slots"]["office_open"]
    assert isinstance(open_now, bool)
    expect("contact_open", lambda t: any(e["event"] == "slot" and e["name"] == "office_open"
                                         and e["value"] is True for e in t["events"]))
    closed = expect("contact_closed", lambda t: any(
        e["event"] == "slot" and e["name"] == "office_open" and e["value"] is False
        for e in t["events"]))
    assert PARENT_ID in closed
    assert ids["family"] in listed(member, flag="contact")
    fallbacks = expect("fallback", lambda t: "nlu_fallback" in intents_of(t))
    assert FALLBACK_ID in fallbacks
    # Two flags together: both must hold.
    both = set(listed(member, flag=["contact_closed", "fallback"]))
    assert PARENT_ID not in both and FALLBACK_ID not in both


def test_list_filters_by_date_range(stack, talks):
    ids, _ = talks
    member = stack.staff()
    yesterday = set(listed(member, **{"from": YESTERDAY.isoformat(), "to": YESTERDAY.isoformat()}))
    assert PARENT_ID in yesterday and ids["family"] not in yesterday
    today = set(listed(member, **{"from": TODAY.isoformat()}))
    assert set(ids.values()) <= today and PARENT_ID not in today
    until_yesterday = set(listed(member, to=YESTERDAY.isoformat()))
    assert PARENT_ID in until_yesterday and FALLBACK_ID in until_yesterday
    assert not set(ids.values()) & until_yesterday


def test_search_and_pages(stack, talks):
    ids, _ = talks
    member = stack.staff()
    assert listed(member, q="IS-filmpjes") == [ids["family"]]
    assert listed(member, q="is-FILMPJES zoon") == [ids["family"]]
    assert listed(member, q="filmpjes nergens") == []
    first = member.get("/staff/api/conversations", params={"q": "vulgesprek"}).json()
    assert first["total"] == FILLER_COUNT and first["pages"] == 2
    assert len(first["conversations"]) == 50
    second = member.get("/staff/api/conversations", params={"q": "vulgesprek", "page": 2}).json()
    assert len(second["conversations"]) == FILLER_COUNT - 50
    ids_1 = {row["id"] for row in first["conversations"]}
    ids_2 = {row["id"] for row in second["conversations"]}
    assert not ids_1 & ids_2 and len(ids_1 | ids_2) == FILLER_COUNT
    # Newest first.
    starts = [row["started_at"] for row in first["conversations"]]
    assert starts == sorted(starts, reverse=True)
    page = member.get("/staff/", params={"q": "vulgesprek", "page": 2}).text
    assert "Pagina 2 van 2" in page and 'rel="prev"' in page and "q=vulgesprek" in page


@pytest.mark.parametrize("params", [
    {"q": "' OR 1=1 --"}, {"q": "%"}, {"q": "_"}, {"q": "\\"}, {"q": "'; DROP TABLE events; --"},
    {"q": "\" OR \"\"=\""}, {"role": "family' OR '1'='1"}, {"language": "nl' --"},
    {"from": "2020-01-01' OR 1=1 --"}, {"flag": "danger_112 OR 1=1"}, {"tag": "x' OR 'a'='a"},
    {"page": "1; DROP TABLE staff_users"}, {"page": "-1"}, {"page": "99999999999999999999"},
])
def test_sql_injection_in_filters_and_search(stack, talks, params):
    member = stack.staff()
    everything = member.get("/staff/api/conversations").json()["total"]
    answer = member.get("/staff/api/conversations", params=params)
    assert answer.status_code == 200
    total = answer.json()["total"]
    if "q" in params:
        assert total == 0, params  # taken literally: nothing matches
    else:
        assert total == everything, params  # an invalid value is ignored
    assert member.get("/staff/", params=params).status_code == 200
    with sqlite3.connect(stack.tracker_db) as connection:
        assert connection.execute("select count(*) from events").fetchone()[0] > 0
    with sqlite3.connect(stack.staff_db) as connection:
        assert connection.execute("select count(*) from staff_users").fetchone()[0] >= 2


def test_visitor_markup_is_shown_as_text(stack, talks):
    ids, _ = talks
    member = stack.staff()
    for path in ("/staff/", f"/staff/conversations/{ids['markup']}",
                 f"/staff/conversations/{ids['markup']}/print"):
        page = member.get(path, params={"q": "radicaliseert"} if path == "/staff/" else None).text
        assert "&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;hallo&lt;/b&gt;" in page, path
        assert "<img src=x" not in page and "<b>hallo</b>" not in page, path
    token = member.csrf(f"/staff/conversations/{ids['markup']}")
    member.post(f"/staff/conversations/{ids['markup']}/note",
                data={"csrf_token": token, "note": "<script>alert('notitie')</script> bellen"})
    page = member.get(f"/staff/conversations/{ids['markup']}").text
    assert "&lt;script&gt;alert(&#39;notitie&#39;)&lt;/script&gt; bellen" in page
    assert "<script>alert" not in page


def test_transcript_details_toggle_and_audit(stack, talks):
    ids, _ = talks
    member = stack.staff()
    plain = member.get(f"/staff/conversations/{ids['family']}").text
    assert "Bezoeker" in plain and "Assistent" in plain and "mijn zoon van 17" in plain
    assert "role_family" not in plain and "action_offer_contact" not in plain
    detailed = member.get(f"/staff/conversations/{ids['family']}", params={"details": "1"}).text
    assert "intentie <code>role_family</code>" in detailed
    assert re.search(r"\(\d+%\)", detailed)  # confidence
    assert "actie <code>action_offer_contact</code>" in detailed
    assert "slot <code>office_open</code>" in detailed and "slot <code>role</code>" in detailed
    assert member.get("/staff/conversations/bestaat-niet").status_code == 404

    admin = stack.admin()
    audit = admin.get("/staff/audit").text
    assert "medewerker" in audit and ids["family"] in audit
    with sqlite3.connect(stack.staff_db) as connection:
        views = connection.execute(
            "select username, action, at from staff_audit_log where sender_id = ? "
            "and action = 'view'", (ids["family"],)).fetchall()
    assert len(views) >= 2 and {row[0] for row in views} == {"medewerker"}
    assert all(abs(row[2] - dt.datetime.now().timestamp()) < 600 for row in views)
    # The audit log never holds content.
    with sqlite3.connect(stack.staff_db) as connection:
        details = " ".join(str(row[0]) for row in connection.execute(
            "select detail from staff_audit_log"))
    assert "zoon" not in details and "dochter" not in details


def test_note_and_reviewed_mark(stack, talks):
    ids, _ = talks
    member = stack.staff()
    sender = ids["danger"]
    token = member.csrf(f"/staff/conversations/{sender}")
    assert member.post(f"/staff/conversations/{sender}/note",
                       data={"csrf_token": token, "note": "Doorverwezen, geen actie nodig"}
                       ).status_code == 303
    assert member.post(f"/staff/conversations/{sender}/reviewed",
                       data={"csrf_token": token, "reviewed": "1"}).status_code == 303
    page = member.get(f"/staff/conversations/{sender}").text
    assert "Doorverwezen, geen actie nodig" in page and "Bekeken door medewerker" in page
    assert sender in listed(member, flag="reviewed")
    assert sender not in listed(member, flag="not_reviewed")
    member.post(f"/staff/conversations/{sender}/reviewed",
                data={"csrf_token": token, "reviewed": "0"})
    assert sender in listed(member, flag="not_reviewed")
    # A tag with markup or that is too long is refused.
    answer = member.post(f"/staff/conversations/{sender}/tags",
                         data={"csrf_token": token, "tag": "<b>x</b>"})
    assert answer.headers["Location"].endswith("saved=tag-invalid")
    token = member.csrf(f"/staff/conversations/{sender}")
    member.post(f"/staff/conversations/{sender}/tags", data={"csrf_token": token, "tag": "112"})
    member.post(f"/staff/conversations/{sender}/tags/remove",
                data={"csrf_token": token, "tag": "112"})
    assert sender not in listed(member, tag="112")


def test_export_json_csv_and_print(stack, talks):
    ids, _ = talks
    member = stack.staff()
    token = member.csrf()
    chosen = [ids["family"], ids["markup"]]
    exported = member.post("/staff/export", data={"csrf_token": token, "ids": chosen,
                                                  "format": "json"})
    body = exported.json()
    assert {record["id"] for record in body["conversations"]} == set(chosen)
    assert all(record["messages"] for record in body["conversations"])

    exported = member.post("/staff/export", data={"csrf_token": token, "ids": chosen,
                                                  "format": "csv"})
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert {row["conversation_id"] for row in rows} == set(chosen)
    assert any(row["text"] == "mijn zoon van 17 kijkt IS-filmpjes" and row["from"] == "bezoeker"
               for row in rows)
    # A visitor's message is never a spreadsheet formula.
    assert any(row["text"] == "'" + FORMULA for row in rows)
    assert not any(row["text"].startswith("=") for row in rows)

    # Everything a filter finds is bulk export: admins only (review M6).
    assert member.get("/staff/export", params={"format": "csv"}).status_code == 403
    assert "Alle resultaten exporteren" not in member.get("/staff/").text
    filtered = stack.admin().get("/staff/export", params={"format": "json", "role": "family",
                                                          "from": YESTERDAY.isoformat(),
                                                          "to": YESTERDAY.isoformat()})
    assert [record["id"] for record in filtered.json()["conversations"]] == [PARENT_ID]
    assert member.post("/staff/export", data={"csrf_token": token, "ids": chosen,
                                              "format": "xml"}).status_code == 400
    assert member.post("/staff/export", data={"csrf_token": token,
                                              "format": "json"}).status_code == 400

    printed = member.get(f"/staff/conversations/{PARENT_ID}/print")
    assert printed.status_code == 200
    assert "Afgedrukt" in printed.text and "Mijn dochter van 15" in printed.text
    assert "[knop: Contact met een medewerker]" in printed.text
    with sqlite3.connect(stack.staff_db) as connection:
        actions = {row[0] for row in connection.execute(
            "select action from staff_audit_log where sender_id = ?", (PARENT_ID,))}
    assert {"export", "print"} <= actions


def test_overview_charts(stack, talks):
    member = stack.staff()
    page = member.get("/staff/overview", params={"from": (TODAY - dt.timedelta(days=13)).isoformat(),
                                                 "to": TODAY.isoformat()})
    assert page.status_code == 200
    images = re.findall(r'<img src="(/staff/charts/[^"]+)"', page.text)
    assert len(images) == 4
    titles = []
    for src in images:
        chart = member.get(src.replace("&amp;", "&"))
        assert chart.status_code == 200
        assert chart.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in chart.content[:500]
        titles.append(chart.content.decode("utf-8"))
    assert "Gesprekken per dag naar rol" in titles[0]
    assert "buiten openingstijd" in titles[1]
    assert "112" in titles[2] and "113" in titles[2]
    assert "Fallback-percentage" in titles[3]
    long_period = member.get("/staff/charts/per-dag.svg", params={
        "from": (TODAY - dt.timedelta(days=200)).isoformat(), "to": TODAY.isoformat()})
    assert long_period.status_code == 200 and b"per week" in long_period.content
    assert member.get("/staff/charts/onbekend.svg").status_code == 404


def test_admin_deletes_one_conversation_on_request(stack):
    client_id = "verzoek-" + uuid.uuid4().hex[:8]
    sender = stack.servers.stored_id(client_id)
    requests.post(f"{stack.servers.rasa_url}/webhooks/rest/webhook",
                  json={"sender": client_id, "message": "mijn broer radicaliseert"}, timeout=60)
    admin = stack.admin()
    assert sender in listed(admin, q="broer")
    token = admin.csrf(f"/staff/conversations/{sender}")
    assert admin.post(f"/staff/conversations/{sender}/delete",
                      data={"csrf_token": token, "confirm": "verkeerd"}).status_code == 400
    answer = admin.post(f"/staff/conversations/{sender}/delete",
                        data={"csrf_token": token, "confirm": sender})
    assert answer.status_code == 303
    assert admin.get(f"/staff/api/conversations/{sender}").status_code == 404
    assert sender not in listed(admin, q="broer")
    with sqlite3.connect(stack.tracker_db) as connection:
        assert connection.execute("select count(*) from events where sender_id = ?",
                                  (sender,)).fetchone()[0] == 0
    audit = admin.get("/staff/audit").text
    assert "delete" in audit and sender in audit
    # A new message under the same id starts a new conversation, and the list shows it.
    requests.post(f"{stack.servers.rasa_url}/webhooks/rest/webhook",
                  json={"sender": client_id, "message": "hallo"}, timeout=60)
    assert sender in listed(admin)


def test_admin_purges_old_conversations(stack):
    now = dt.datetime.now(seed.AMSTERDAM)
    store = stack.store()
    seed.write(store, "http-oud", seed.short_conversation(now - dt.timedelta(days=45)))
    store.engine.dispose()
    admin = stack.admin()
    assert admin.get("/staff/api/conversations/http-oud").status_code == 200
    token = admin.csrf("/staff/audit")
    answer = admin.post("/staff/purge", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/staff/audit")
    assert admin.get("/staff/api/conversations/http-oud").status_code == 404
    assert "http-oud" not in listed(admin)
    assert PARENT_ID in listed(admin)
    audit = admin.get("/staff/audit").text
    assert "purge" in audit and "beheerder" in audit


def test_api_transcript_is_json(stack, talks):
    ids, _ = talks
    member = stack.staff()
    record = member.get(f"/staff/api/conversations/{ids['professional_en']}").json()
    assert record["language"] == "en" and record["role"] == "professional"
    assert json.dumps(record)


def test_bulk_export_is_for_admins_and_lists_and_searches_are_audited(stack, talks):
    """Review M6: more than a few chosen conversations, or all a filter finds, only for an
    admin; every list, API list and search leaves an audit row, a search by its hash."""
    member, admin = stack.staff(), stack.admin()
    many = [f"vul-{number:02d}" for number in range(11)]
    token = member.csrf()
    assert member.post("/staff/export", data={"csrf_token": token, "ids": many,
                                              "format": "json"}).status_code == 403
    assert member.post("/staff/export", data={"csrf_token": token, "ids": many[:10],
                                              "format": "json"}).status_code == 200
    exported = admin.post("/staff/export", data={"csrf_token": admin.csrf(), "ids": many,
                                                 "format": "json"})
    assert exported.status_code == 200 and len(exported.json()["conversations"]) == 11
    assert admin.get("/staff/export", params={"format": "csv"}).status_code == 200

    def audit_rows():
        with sqlite3.connect(stack.staff_db) as connection:
            return connection.execute("select username, action, detail from staff_audit_log "
                                      "order by id").fetchall()

    before = len(audit_rows())
    assert member.get("/staff/", params={"q": "Zoeknaam Ahmed"}).status_code == 200
    assert member.get("/staff/api/conversations", params={"q": "vulgesprek"}).json()["total"] \
        == FILLER_COUNT
    assert member.get("/staff/api/conversations", params={"page": 2}).status_code == 200
    new = audit_rows()[before:]
    assert [(user, action) for user, action, _ in new] == [
        ("medewerker", "search"), ("medewerker", "search"), ("medewerker", "api_list")]
    from web.staff.queries import search_hash
    assert new[0][2] == f"zoekvraag #{search_hash('zoeknaam  ahmed')}, pagina 1, 0 resultaten"
    assert new[1][2].endswith(f"{FILLER_COUNT} resultaten")
    assert new[2][2].startswith("pagina 2, ")
    everything = " ".join(str(detail) for _, _, detail in audit_rows()).lower()
    assert "ahmed" not in everything and "vulgesprek" not in everything
    audit_page = admin.get("/staff/audit").text
    assert "gezocht" in audit_page and "lijst opgevraagd (API)" in audit_page


def test_staff_pages_send_hsts(stack):
    page = stack.staff().get("/staff/")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
