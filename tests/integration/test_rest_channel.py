"""Talks to the real Rasa server over the REST channel and reads trackers from the tracker
store's database (the HTTP API is off)."""
import datetime as dt
import threading
import time
import uuid

import pytest
import requests

from bot.lse import opening_hours
from bot.lse.facts import load_facts
from tests.trackers import stored_tracker

FACTS = load_facts()


def new_id():
    return uuid.uuid4().hex


def say(servers, sender, text, **extra):
    body = {"sender": sender, "message": text, **extra}
    answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def texts(messages):
    return "\n".join(message.get("text", "") for message in messages)


def tracker(servers, sender):
    return stored_tracker(servers, sender)


def test_parent_gets_family_support_and_contact(servers):
    sender = new_id()
    reply = texts(say(servers, sender, "mijn zoon van 17 kijkt IS-filmpjes"))
    assert "digitale assistent" in reply and "geen mens" in reply
    assert "Familieondersteuning" in reply
    assert tracker(servers, sender)["slots"]["role"] == "family"

    before = opening_hours.is_open(dt.datetime.now(dt.timezone.utc), FACTS)
    reply = texts(say(servers, sender, "Contact met een medewerker"))
    after = opening_hours.is_open(dt.datetime.now(dt.timezone.utc), FACTS)
    slots = tracker(servers, sender)["slots"]
    assert isinstance(slots["office_open"], bool)
    if before == after:
        assert slots["office_open"] is before
        if before:
            assert FACTS.phone in reply
        else:
            assert "gesloten" in reply and FACTS.email in reply and " om 9.00 uur" in reply


def test_teacher_and_role_correction(servers):
    sender = new_id()
    reply = texts(say(servers, sender, "Ik ben docent en een leerling deelt nazimemes"))
    assert "Consultatie" in reply
    assert tracker(servers, sender)["slots"]["role"] == "professional"
    say(servers, sender, "nee sorry het gaat om mijn eigen dochter")
    assert tracker(servers, sender)["slots"]["role"] == "family"


def test_person_in_a_network(servers):
    sender = new_id()
    reply = texts(say(servers, sender, "Ik zit in een groep en wil eruit"))
    assert "Forsa" in reply and "Behandeling" in reply
    assert tracker(servers, sender)["slots"]["role"] == "individual"


def test_english_visitor_gets_english_for_the_rest(servers):
    sender = new_id()
    reply = texts(say(servers, sender, "my brother joined an extremist group and I am worried"))
    assert "digital assistant" in reply and "Family support" in reply
    reply = texts(say(servers, sender, "ok"))
    assert tracker(servers, sender)["slots"]["language"] == "en"
    reply = texts(say(servers, sender, "Nederlands"))
    assert "Nederlands" in reply
    assert tracker(servers, sender)["slots"]["language"] == "nl"
    reply = texts(say(servers, sender, "English"))
    assert "English" in reply
    assert tracker(servers, sender)["slots"]["language"] == "en"


def test_danger_first_reply_names_112(servers):
    sender = new_id()
    say(servers, sender, "mijn broer radicaliseert")
    messages = say(servers, sender, "hij heeft een wapen en zegt dat hij morgen een aanslag pleegt")
    assert "112" in messages[0]["text"]


def test_typed_slash_commands_cannot_set_slots_or_trigger_intents(servers):
    sender = new_id()
    say(servers, sender, '/role_professional')
    say(servers, sender, '/inform{"role": "professional"}')
    say(servers, sender, '/restart')
    state = tracker(servers, sender)
    assert state["slots"]["role"] is None
    user_events = [event for event in state["events"] if event["event"] == "user"]
    assert all(not event["text"].startswith("/") for event in user_events)
    # Rasa's shorthand parses "/intent" with confidence 1.0 and "/restart" restarts the
    # conversation: neither may happen to typed text.
    assert all(event["parse_data"]["intent"].get("confidence", 0) < 1.0 for event in user_events)
    assert not any(event["event"] == "restart" for event in state["events"])


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "leeg"),
        ("   \n\t  ", "leeg"),
        ("😢😢😢", "emoji"),
        ("\x00\x01\x02", "leeg"),
        (None, "leeg"),
        (42, "niet lezen"),
        ("x" * 50_000, "te lang"),  # a body over 64 KB gets 413 (test_hardening.py)
    ],
)
def test_bad_input_gets_a_friendly_answer(servers, message, expected):
    sender = new_id()
    body = {"sender": sender, "message": message}
    answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    assert answer.status_code == 200
    assert expected in texts(answer.json())


def test_markup_is_answered_as_text(servers):
    sender = new_id()
    messages = say(servers, sender, "<script>alert('x')</script><b>hallo</b>")
    assert messages and all("<script>" not in message.get("text", "") for message in messages)
    events = tracker(servers, sender)["events"]
    assert any(event["event"] == "user" and event["text"].startswith("<script>") for event in events)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2, 3]", b'"text"', b"", b'{"message": "hoi"}',
     b'{"sender": "", "message": "hoi"}', b'{"sender": "a b/../c", "message": "hoi"}',
     b'{"sender": ["x"], "message": "hoi"}', b"\xff\xfe\x00",
     b'{"sender": "ouder@example.nl", "message": "hoi"}',
     b'{"sender": "abc\\n", "message": "hoi"}'],
)
def test_invalid_requests_get_a_4xx(servers, body):
    answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", data=body,
                           headers={"Content-Type": "application/json"}, timeout=30)
    assert 400 <= answer.status_code < 500


def test_a_huge_message_does_not_hold_up_other_visitors(servers):
    def answer_seconds():
        start = time.monotonic()
        reply = say(servers, new_id(), "wat kost het")
        seconds = time.monotonic() - start
        assert "betalen" in texts(reply)
        return seconds

    def huge():
        answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                               json={"sender": new_id(), "message": "y" * 60_000}, timeout=30)
        assert "te lang" in texts(answer.json())

    alone = min(answer_seconds() for _ in range(3))
    beside = []
    for _ in range(3):
        flood = [threading.Thread(target=huge) for _ in range(5)]
        for thread in flood:
            thread.start()
        beside.append(answer_seconds())
        for thread in flood:
            thread.join()
    # Five messages of 60,000 characters at the same time are refused by their length, with
    # their danger screen in a worker thread: a normal question beside them is answered at
    # most a second later than alone (best of 3 each, so a busy machine does not decide).
    assert min(beside) < alone + 1.0, (alone, beside)


def test_the_http_api_is_off(servers):
    sender = new_id()
    say(servers, sender, "hoi")
    for client_id in (sender, servers.stored_id(sender)):
        answer = requests.get(f"{servers.rasa_url}/conversations/{client_id}/tracker",
                              params={"token": "x" * 43}, timeout=30)
        assert answer.status_code == 404
    assert requests.get(f"{servers.rasa_url}/status", timeout=30).status_code == 404
    assert requests.put(f"{servers.rasa_url}/model", json={}, timeout=30).status_code in (404, 405)


def test_start_over_then_the_conversation_goes_on(servers):
    sender = new_id()
    say(servers, sender, "mijn zus praat alleen nog over complotten")
    reply = say(servers, sender, "ik wil opnieuw beginnen")
    assert "opnieuw" in texts(reply) and len(reply[-1].get("buttons", [])) == 3
    assert "Sorry" not in texts(reply)
    assert tracker(servers, sender)["slots"]["role"] is None
    reply = texts(say(servers, sender, "ik ben docent en een leerling deelt nazimemes"))
    assert "Consultatie" in reply
    assert tracker(servers, sender)["slots"]["role"] == "professional"
    assert "betalen" in texts(say(servers, sender, "wat kost het"))
