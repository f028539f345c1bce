"""Rasa's events as the staff app reads them (web/staff/events.py): what Rasa stores, and
whatever else reached the tracker store, without an exception."""
import json
from types import SimpleNamespace

import pytest

from web.staff import events


def row(data, intent_name=None):
    return SimpleNamespace(data=data if data is None or isinstance(data, str)
                           else json.dumps(data), intent_name=intent_name)


def test_a_user_message_as_rasa_stores_it():
    message = events.user_message(row({
        "event": "user", "text": "mijn zoon praat over aanslagen",
        "parse_data": {"intent": {"name": "role_family", "confidence": 0.82},
                       "intent_ranking": [{"name": "role_family", "confidence": 0.82},
                                          {"name": "danger_acute", "confidence": 0.1}],
                       "entities": [{"entity": "relation", "value": "zoon"}],
                       "danger": {"kind": "harm_others"}},
        "metadata": {"language": "nl"}}, intent_name="role_family"))
    assert message.text == "mijn zoon praat over aanslagen"
    assert (message.intent, message.confidence) == ("role_family", 0.82)
    assert message.ranking == [("role_family", 0.82), ("danger_acute", 0.1)]
    assert message.entities == [("relation", "zoon")]
    assert message.metadata == {"language": "nl"} and message.danger == {"kind": "harm_others"}


def test_the_intent_column_wins_over_parse_data():
    data = {"text": "x", "parse_data": {"intent": {"name": "greet", "confidence": 1}}}
    assert events.user_message(row(data, intent_name="nlu_fallback")).intent == "nlu_fallback"
    assert events.user_message(row(data)).intent == "greet"


@pytest.mark.parametrize("data", [
    None, "", "not json", "[1, 2]", "5", "null", {"text": 5},
    {"text": "hoi", "parse_data": "x", "metadata": [1]},
    {"text": "hoi", "parse_data": {"intent": "x", "intent_ranking": 5, "entities": "abc"}},
    {"text": "hoi", "parse_data": {"intent": {"name": "greet", "confidence": "hoog"},
                                   "intent_ranking": [1, {"name": "greet", "confidence": "x"}],
                                   "entities": [None], "danger": "ja"}},
    {"text": "hoi", "parse_data": {"intent": {"confidence": float("nan")}}},
])
def test_odd_user_events_are_read_without_an_exception(data):
    message = events.user_message(row(data))
    assert message.text in ("", "hoi")
    assert message.confidence is None
    assert all(isinstance(confidence, float) for _, confidence in message.ranking)
    assert isinstance(message.metadata, dict) and isinstance(message.danger, dict)


def test_bot_messages_and_slots():
    said = events.bot_message(row({"text": "Kies wat past.", "data": {"buttons": [
        {"title": "Ouder", "payload": "ouder"}, "kapot"]}}))
    assert said.text == "Kies wat past." and said.buttons == [{"title": "Ouder", "payload": "ouder"}]
    for odd in (None, "x", {"text": 3, "data": {"buttons": 7}}, {"data": "x"}):
        assert events.bot_message(row(odd)).buttons == []
        assert events.bot_message(row(odd)).text == ""
    assert events.slot(row({"event": "slot", "name": "role", "value": "family"})) == \
        ("role", "family")
    assert events.slot(row("kapot")) == (None, None)
