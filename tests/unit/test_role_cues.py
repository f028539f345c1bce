"""Role cues (bot/lse/role_cues.py) and the NLU component that applies them
(bot/nlu/role_cues.py): who writes, and whose situation it is."""
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse import role_cues
from bot.nlu.role_cues import RoleCues


@pytest.mark.parametrize("text, role", [
    ("mijn pleegdochter van 15 praat alleen nog over de grote vervanging", "family"),
    ("onze buurjongen hangt een vlag met een zwarte zon op", "family"),
    ("ik ben apotheker en een klant van mij koopt steeds kunstmest", "professional"),
    ("bedrijfsarts. werknemer praat over de strijd", "professional"),
    ("ik zit zelf in een groep op telegram en wil eruit", "individual"),
    ("mijn reclasseringswerker zei dat ik jullie kon appen", "individual"),
    ("ik ben zelf lid van die beweging", "individual"),
    # a job and an own relative: the relative decides
    ("ik ben zelf docent maar nu gaat het om mijn eigen zoon", "family"),
    ("ik ben zelf moslim, maar wat mijn zoon nu zegt is niet de islam die ik ken", "family"),
    ("hallo, ik heb een vraag", None),
])
def test_the_cues_decide_the_role(text, role):
    assert role_cues.decide_role(role_cues.cues(text)) == role


@pytest.mark.parametrize("text, ranking, wanted", [
    # the classifier's role is corrected by the cues
    ("ik ben zelf wijkagent maar dit gaat over mijn eigen neefje", (("role_individual", 0.6),),
     "role_family"),
    ("I'm a social worker myself but this is personal, it's my nephew", (("role_individual", 0.6),),
     "role_family"),
    # someone in a network who mentions their mother stays individual
    ("ik zit in die groep en mijn moeder is ongerust", (("role_individual", 0.6),), None),
    # no topic, or an unsure one: the cues set the role
    ("hoi, mijn pleegbroer", (("greet", 0.3),), "role_family"),
    # a thank-you or goodbye that mentions a relative stays what it is
    ("dank je, ik ga het met mijn man bespreken", (("thank", 0.7),), None),
    ("doei, ik moet mijn zoon ophalen", (("goodbye", 0.6),), None),
    ("my student", (("ask_costs", 0.2),), "role_professional"),
    ("ik ben het zelf, ik zit in zo'n groep", (("out_of_scope", 0.7),), "role_individual"),
    # a question the classifier is sure of stays; so do danger and a text without cues
    ("wat kost het voor mijn zoon", (("ask_costs", 0.6),), None),
    ("mijn zoon wil zich opblazen", (("danger_acute", 0.2),), None),
    ("hallo", (("greet", 0.9),), None),
])
def test_adjust_intent(text, ranking, wanted):
    assert role_cues.adjust_intent(text, ranking, 0.0, 0.25) == wanted


@pytest.mark.parametrize("text, ranking, chosen", [
    # the cues decide a role the classifier did not see: enough confidence for the fallback
    ("mijn pleegbroer", [("ask_costs", 0.2), ("role_family", 0.1)], ("role_family", 0.5)),
    # the cues correct the classifier's role: its confidence stays
    ("ik ben zelf docent maar nu gaat het om mijn eigen zoon",
     [("role_individual", 0.4), ("role_family", 0.3)], ("role_family", 0.4)),
])
def test_the_component_sets_the_role_with_a_fitting_confidence(text, ranking, chosen):
    component = RoleCues({"unsure_below": 0.25, "cue_confidence": 0.5})
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": c} for name, c in ranking])
    component.process([message])
    assert message.get(INTENT) == {"name": chosen[0], "confidence": chosen[1]}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == chosen[0]
    assert {item["name"] for item in message.get(INTENT_RANKING_KEY)} == {name for name, _ in ranking}
