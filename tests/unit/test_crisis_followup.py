"""A message that answers a crisis text stays in the crisis path (bot/lse/crisis_followup.py,
bot/nlu/crisis_followup.py, the channel's mark in bot/channels.py)."""
import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.channels import IncomingMessage, RestInput, answers_a_crisis
from bot.lse.crisis_followup import after_crisis, followup_topic, marked_after_crisis
from bot.nlu.crisis_followup import CrisisFollowup


@pytest.mark.parametrize("text, topic", [
    ("ik durf niet te bellen, hij is mijn broer", "afraid_to_call"),
    ("ik durf niet te belle", "afraid_to_call"),
    ("bellen vind ik heel eng", "afraid_to_call"),
    ("ik kan nu niet bellen, hij zit in de kamer ernaast", "afraid_to_call"),
    ("I don't dare to call", "afraid_to_call"),
    ("im too scared to call them", "afraid_to_call"),
    ("hij is mijn vader, ik wil niet dat hij vast komt te zitten", "consequence"),
    ("wat gebeurt er als ik bel", "consequence"),
    ("what happens to him if I call the police", "consequence"),
    ("ik weet niet of hij het meent", "doubt"),
    ("misschien overdrijf ik", "doubt"),
    ("is het echt zo erg?", "doubt"),
    ("ik ben zo bang", "fear"),
    ("ik durf het hem niet te vragen", "fear"),
    ("I am so scared right now", "fear"),
    ("wat moet ik doen", "what_now"),
    ("wat moeten we nu doen??", "what_now"),
    ("jullie zijn dicht. wat nu", "what_now"),
    ("hij is nu thuis", "what_now"),
    ("what should I do", "what_now"),
])
def test_the_cues_of_a_crisis_follow_up(text, topic):
    assert followup_topic(text) == topic


@pytest.mark.parametrize("text", [
    "ja", "nee", "hoi", "dank je wel", "wat kost het", "ik maak me zorgen om mijn zoon",
    "mijn dochter van 15 kijkt filmpjes van een extremistische groep", "I am a teacher",
    "wanneer zijn jullie open", "ik ben docent op een mbo",
])
def test_no_cue_in_other_messages(text):
    assert followup_topic(text) is None


def test_after_crisis_looks_at_the_last_action_before_the_listen():
    assert after_crisis(["action_listen", "action_warn_suicide", "action_session_start"])
    assert after_crisis(["action_crisis_followup"])
    assert not after_crisis(["action_listen", "utter_explain_familieondersteuning",
                             "action_warn_danger"])
    assert not after_crisis(["action_listen"]) and not after_crisis([])


def test_only_the_mark_true_counts():
    assert marked_after_crisis({"after_crisis": True})
    for metadata in (None, {}, {"after_crisis": "true"}, {"after_crisis": 1}, {"language": "nl"}):
        assert not marked_after_crisis(metadata)


def message(text, intent, metadata=None, danger=None):
    ranking = [{"name": intent, "confidence": 0.6}, {"name": "ask_contact", "confidence": 0.3}]
    return Message(data={"text": text, "metadata": metadata, "intent": ranking[0],
                         "intent_ranking": ranking,
                         "danger": danger or {"kind": None, "imminent": False, "cues": []}})


def test_the_component_keeps_a_marked_follow_up_in_the_crisis_path():
    component = CrisisFollowup()
    marked = message("ik durf niet te bellen, hij is mijn broer", "role_family", {"after_crisis": True})
    unmarked = message("ik durf niet te bellen, hij is mijn broer", "role_family", {"language": "nl"})
    no_cue = message("het gaat over mijn broer", "role_family", {"after_crisis": True})
    danger = message("wat moet ik doen, hij heeft een mes en gaat nu naar school", "danger_acute",
                     {"after_crisis": True},
                     {"kind": "harm_others", "imminent": True, "cues": ["weapon", "now"]})
    suicide = message("ik ben zo bang, ik wil zelf ook niet meer leven", "danger_suicide",
                      {"after_crisis": True},
                      {"kind": "suicide", "imminent": False, "cues": ["death_wish"]})
    model_only = message("ik wil niet dat hij vast komt te zitten", "danger_suicide",
                         {"after_crisis": True},
                         {"kind": "suicide", "imminent": False, "cues": ["model"]})
    classifier_only = message("ik weet niet of hij het meent", "danger_suicide", {"after_crisis": True})
    component.process([marked, unmarked, no_cue, danger, suicide, model_only, classifier_only])
    # New danger of the cue lists keeps its own crisis text; the model or the classifier
    # alone gives way to the follow-up, which repeats the numbers anyway.
    assert suicide.get("intent")["name"] == "danger_suicide"
    assert model_only.get("intent")["name"] == "role_unclear"
    assert classifier_only.get("intent")["name"] == "role_unclear"
    assert marked.get("intent")["name"] == "role_unclear"
    assert [item["name"] for item in marked.get("intent_ranking")][:2] == ["role_unclear", "role_family"]
    assert unmarked.get("intent")["name"] == "role_family"
    assert no_cue.get("intent")["name"] == "role_family"
    assert danger.get("intent")["name"] == "danger_acute"


@pytest.fixture(scope="module")
def domain():
    return Domain.load("domain.yml")


def _store(domain, events):
    store = InMemoryTrackerStore(domain)
    asyncio.run(store.save(DialogueStateTracker.from_events("c0ffee", events, slots=domain.slots)))
    return SimpleNamespace(tracker_store=store)


def test_the_channel_marks_a_message_after_a_crisis_text(domain):
    crisis = [ActionExecuted("action_listen"), UserUttered("er is gevaar"),
              ActionExecuted("action_warn_danger"), SlotSet("crisis", "harm_others"),
              ActionExecuted("action_listen")]
    ordinary = [ActionExecuted("action_listen"), UserUttered("hoi"),
                ActionExecuted("utter_greet"), ActionExecuted("action_listen")]
    assert asyncio.run(answers_a_crisis(_store(domain, crisis), "c0ffee"))
    assert not asyncio.run(answers_a_crisis(_store(domain, ordinary), "c0ffee"))
    assert not asyncio.run(answers_a_crisis(_store(domain, crisis), "someone-else"))
    assert not asyncio.run(answers_a_crisis(None, "c0ffee"))

    got = []

    async def on_new_message(user_message):
        got.append(user_message)

    async def reply(text):
        raise AssertionError(text)

    for events, marked in ((crisis, True), (ordinary, False)):
        got.clear()
        asyncio.run(RestInput().process_message(
            IncomingMessage("c0ffee", "ik durf niet te bellen", None), CollectingOutputChannel(),
            reply, on_new_message, _store(domain, events)))
        assert got[0].metadata.get("after_crisis", False) is marked


def test_a_failing_store_means_no_mark(domain):
    class Broken:
        async def retrieve(self, sender_id):
            raise OSError("the database is gone")

    assert not asyncio.run(answers_a_crisis(SimpleNamespace(tracker_store=Broken()), "c0ffee"))
