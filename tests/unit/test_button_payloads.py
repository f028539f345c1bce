"""Button payloads (bot/lse/button_payloads.py and its NLU component): a button sends a
text, and that exact text always gets the button's intent."""
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse import button_payloads
from bot.lse.texts import load_texts
from bot.nlu.button_payloads import ButtonPayloads


def test_every_button_of_the_texts_has_an_intent():
    for key, languages in load_texts()["buttons"].items():
        for language, (_title, payload) in languages.items():
            assert button_payloads.intent_of_payload(payload), (key, language, payload)


@pytest.mark.parametrize("text, intent", [
    ("Ik maak me zorgen om iemand dicht bij mij", "role_family"),
    ("  ik maak me ZORGEN om iemand   dicht bij mij ", "role_family"),
    ("I have a question from my work", "role_professional"),
    ("Het gaat over mijzelf", "role_individual"),
    ("Contact met een medewerker", "ask_contact"),
    ("Andere hulp uitleggen", "list_services"),
    ("Vertel me over Familieondersteuning", "service_familieondersteuning"),
    ("Is this extremism?", "service_duiding"),
])
def test_a_payload_gives_its_intent(text, intent):
    assert button_payloads.intent_of_payload(text) == intent


@pytest.mark.parametrize("text", [
    "Ik maak me zorgen om iemand dicht bij mij, hij heeft een mes",
    "mijn zoon", "", "Forsa?",
])
def test_other_texts_are_left_to_the_classifier(text):
    assert button_payloads.intent_of_payload(text) is None


def test_the_component_sets_the_intent_and_keeps_the_ranking():
    message = Message(data={TEXT: "Ik maak me zorgen om iemand dicht bij mij"})
    message.set(INTENT, {"name": "role_unclear", "confidence": 0.5})
    message.set(INTENT_RANKING_KEY, [{"name": "role_unclear", "confidence": 0.5},
                                     {"name": "role_family", "confidence": 0.48}])
    message = ButtonPayloads().process([message])[0]
    assert message.get(INTENT) == {"name": "role_family", "confidence": 1.0}
    assert [item["name"] for item in message.get(INTENT_RANKING_KEY)] == ["role_family",
                                                                           "role_unclear"]


def test_the_component_leaves_other_messages_alone():
    message = Message(data={TEXT: "hallo"})
    message.set(INTENT, {"name": "greet", "confidence": 0.9})
    assert ButtonPayloads().process([message])[0].get(INTENT)["name"] == "greet"
