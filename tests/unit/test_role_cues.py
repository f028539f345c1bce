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
    # anything but a role is never changed: after a crisis text "ja, mijn zoon" or "hoi,
    # mijn broer" must stay in the crisis path; a thank-you stays a thank-you
    ("ja, mijn zoon", (("affirm", 0.2),), None),
    ("hoi, mijn pleegbroer", (("greet", 0.3),), None),
    ("dank je, ik ga het met mijn man bespreken", (("thank", 0.7),), None),
    ("wat kost het voor mijn zoon", (("ask_costs", 0.6),), None),
    ("mijn zoon wil zich opblazen", (("danger_acute", 0.2),), None),
    ("hallo", (("greet", 0.9),), None),
])
def test_adjust_intent(text, ranking, wanted):
    assert role_cues.adjust_intent(text, ranking, 0.0) == wanted


def test_the_component_keeps_the_confidence_when_it_corrects_a_role():
    component = RoleCues({})
    message = Message(data={TEXT: "ik ben zelf docent maar nu gaat het om mijn eigen zoon"})
    message.set(INTENT, {"name": "role_individual", "confidence": 0.4})
    message.set(INTENT_RANKING_KEY, [{"name": "role_individual", "confidence": 0.4},
                                     {"name": "role_family", "confidence": 0.3}])
    component.process([message])
    assert message.get(INTENT) == {"name": "role_family", "confidence": 0.4}
    assert [item["name"] for item in message.get(INTENT_RANKING_KEY)] == ["role_family",
                                                                         "role_individual"]


def test_the_component_leaves_a_greeting_with_a_relative_alone():
    component = RoleCues({})
    message = Message(data={TEXT: "hoi, mijn pleegbroer"})
    message.set(INTENT, {"name": "greet", "confidence": 0.3})
    message.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 0.3}])
    component.process([message])
    assert message.get(INTENT) == {"name": "greet", "confidence": 0.3}


# Round 8 (development set dev10, 2 December): what the writer says they are.
@pytest.mark.parametrize("text, role", [
    ("pleegvader hier, ons pleegkind van 14 kijkt filmpjes van een prediker", "family"),
    ("wij zijn netwerkpleegouders van een meisje van 15", "family"),
    ("ik ben de tante van een jongen die steeds vreemder praat", "family"),
    ("as his godmother I feel responsible", "family"),
    # a relative word in "... hier" is no job; a job abbreviation with 'er is one
    ("ib'er op een basisschool. een leerling tekent steeds hakenkruizen", "professional"),
    ("zzp'er in de jeugdhulp, een cliënt van 17 praat over de strijd", "professional"),
    ("I serve as chaplain in a hospital and a patient keeps quoting a preacher", "professional"),
    ("ik rij taxi en een vaste klant praat steeds over de grote vervanging", "professional"),
    ("i'm a guardian at nidos for a boy of 16", "professional"),
    # the writer's own involvement, also with a partner or parent in the message
    ("mijn vrouw zegt dat ik anders ben sinds ik bij die club zit", "individual"),
    ("ik zat in wel 8 telegramgroepen en nu wil ik dat niet meer", "individual"),
    ("de wijkagent kwam langs om iets wat ik online had gezet, mijn moeder schrok", "individual"),
    ("i got really into those channels last year and now i feel weird about it", "individual"),
    ("i've been on those forums for years and i do not like who i am becoming", "individual"),
    ("ik wil uit de beweging stappen maar weet niet hoe", "individual"),
    ("ive been part of an eco group for a while and it is getting scary", "individual"),
    ("ik zit sinds vorig jaar in een studiekring van een prediker en twijfel nu", "individual"),
    ("ik train sinds kort bij een active club en het gaat steeds over ras", "individual"),
    ("zit in een telegramgroep over de elite en ik weet niet meer wat waar is", "individual"),
    ("ben er nu 2 jaar uit maar het zit nog in mijn hoofd", "individual"),
    ("mannen van de moskee vragen me steeds om mee te doen", "individual"),
    ("i call myself redpilled and my sister says i changed", "individual"),
    ("ik vraag het voor mijn moeder, zij zit heel diep in de complotten", "family"),
    ("ik vraag dit niet als leidinggevende, gewoon als vriend", "family"),
    ("heb een kapsalon en een vaste klant praat over remigratie", "professional"),
    ("ggz verpleegkundige. cliënt van 30 praat over een opdracht", "professional"),
])
def test_round8_cues(text, role):
    assert role_cues.decide_role(role_cues.cues(text)) == role, role_cues.cues(text)


@pytest.mark.parametrize("text", [
    "havo'er hier, ik heb een vraag over een werkstuk",
    "ik ben een man van 40 en heb een vraag",
    "hoe kan ik mijn zoon helpen om uit de groep te stappen",
])
def test_round8_look_alikes(text):
    assert role_cues.decide_role(role_cues.cues(text)) != "individual"


@pytest.mark.parametrize("text", [
    "mijn moeder zit in allerlei telegramgroepen",
    "mn zoon zit nu met een enkelband thuis",
    "mijn docent zegt dat ik moet bellen",
])
def test_round8b_others_are_not_the_writer(text):
    assert role_cues.decide_role(role_cues.cues(text)) != "individual"
    assert not role_cues.cues(text).self_


def test_a_sports_club_is_not_a_network():
    assert not role_cues.cues("ik zit bij de voetbalclub van mijn zoon in het bestuur").self_


# Code review of round 8 (2 December): cues that must not fire.
@pytest.mark.parametrize("text", [
    "Mijn zoon zit in een groep en ik ben er nog niet uit wat ik moet doen.",
    "Mijn zoon heeft 3 jaar in de gevangenis gezeten.",
    "I got into a fight with my son about his new friends",
    "My son wants me to join his group",
    "Ik ben met mijn zoon meegegaan naar een bijeenkomst",
    "Ik woon in een kleine gemeenschap en de buurjongen radicaliseert.",
    "Sinds ik bij de politie ben zie ik dit vaker",
    "Ik zit in een werkgroep radicalisering van de gemeente",
    "I've been in the police for 20 years",
    "Ik ben geen incel, maar mijn broer wel.",
])
def test_review_no_own_involvement(text):
    assert not role_cues.cues(text).self_, text


@pytest.mark.parametrize("text, role", [
    ("Hoi, ik ben Peter en ik ben jongerenwerker", "professional"),
    ("Ik ben zuster op de psychiatrie en een patiënt praat over de strijd", None),
    ("Beste medewerker, ik maak me zorgen.", None),
    ("Ik ben zelf FvD'er en mijn zoon gaat veel verder", "family"),
    ("Ambulant begeleider. Cliënt van 19 praat over de elite", "professional"),
])
def test_review_roles(text, role):
    assert role_cues.decide_role(role_cues.cues(text)) == role, role_cues.cues(text)
