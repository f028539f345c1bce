"""The danger screen (bot/lse/danger_screen.py) and its NLU component.

These examples show each kind of signal; the measured recall and false-positive rate on
sets written by people who never saw this code are in docs/nlu.md (scripts/evaluate_sets.py).
"""
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse import danger_screen as ds
from bot.nlu.danger_screen import DANGER_KEY, DangerScreen

SUICIDE_INDIRECT = [
    "ik heb al een tijdje mijn oxazepam gespaard",               # collected medication
    "i have been saving up my sleeping pills",
    "ik heb afscheidsbrieven geschreven voor mijn kinderen",      # farewell messages
    "de wereld is beter af zonder mij",                          # better off without me
    "everyone would be better off without me",
    "ik ben alleen maar een last voor mijn familie",
    "ik denk er steeds aan om van de flat te springen",           # jumping
    "sometimes i think about jumping off the bridge",
    "ik wil gewoon slapen en niet meer wakker worden",
    "over een week ben ik er toch niet meer",
    "hoeveel paracetamol is dodelijk",
    "ik heb een touw gekocht",
    "ik denk steeds aan de trein, hoe snel het zou gaan",
    "mn dochter heeft al haar spullen weggegeven en schreef dat het zo beter is",
    "ik denk aan zelfmoort",                                     # misspelt
    "ik wil zelmoord plegen",
    "im sucidal",
    "ik heb 40 paracetamol in mn la",
    "het heeft allemaal geen zin meer",
    "ik wil niet meer",
    "zonder mij zijn ze beter af",
]
SUICIDE_IMMINENT = [
    "de pillen liggen klaar, vanavond neem ik ze allemaal",
    "ik sta nu op het dak",
    "i have the pills in front of me right now",
]
HARM = [
    "mijn broer heeft een pistool gekocht en wil vrijdag naar de synagoge",  # weapon, target, time
    "hij zegt dat hij morgen mensen gaat neersteken",
    "mijn zoon heeft een afscheidsvideo opgenomen en wil als martelaar sterven",  # martyrdom
    "mijn dochter vertrekt morgen naar syrie, ze heeft al een ticket",   # leaving now
    "he bought fertilizer and asked me not to come to school tomorrow",
    "ik heb een lijst met namen van mensen die moeten boeten",
    "er ligt een bom in de schuur",
    "acuut gevaar",
]
THREATENED = [
    "ik ben uit de groep gestapt en nu weten ze waar ik woon",
    "they told me if i leave the group they will hurt my little sister",
]
ORDINARY = [
    "mijn zoon kijkt filmpjes van aanslagen, moet ik me zorgen maken",
    "mijn opa pleegde jaren geleden zelfmoord, maar nu een andere vraag: wat kost het",
    "hij kijkt steeds video's van zelfmoordaanslagen",
    "mijn dochter wil niet meer leven zoals wij, ze wil naar een islamitisch land",
    "mn broer zat vast voor een aanslag die hij voorbereidde, nu is hij 2 jaar vrij",
    "we hebben een jachtgeweer thuis, mijn man heeft een vergunning",
    "we willen vlaggen ophangen bij de school",
    "ik heb een vraag over de messages die mijn zoon stuurt",
    "wat zijn jullie openingstijden",
    "ik ben zo moe van alle ruzie thuis",
    "ja", "nee", "wat moet ik doen",
    "hij wil niet meer naar school",
    "het heeft geen zin meer om met hem te praten",
]


@pytest.mark.parametrize("text", SUICIDE_INDIRECT)
def test_indirect_suicidal_signals_are_found(text):
    assert ds.screen(text).kind == ds.SUICIDE, text


@pytest.mark.parametrize("text", SUICIDE_IMMINENT)
def test_imminent_suicide_is_marked_imminent(text):
    signal = ds.screen(text)
    assert signal.kind == ds.SUICIDE and signal.imminent, text


@pytest.mark.parametrize("text", HARM)
def test_harm_to_others_is_found(text):
    assert ds.screen(text).kind == ds.HARM_OTHERS, text


@pytest.mark.parametrize("text", THREATENED)
def test_a_threat_to_the_writer_is_found(text):
    assert ds.screen(text).kind == ds.THREATENED, text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_messages_give_no_alarm(text):
    assert not ds.screen(text).found, (text, ds.screen(text))


def test_someone_elses_suicidal_thoughts_are_danger_too():
    assert ds.screen("mijn dochter schreef in haar dagboek dat ze dood wil").kind == ds.SUICIDE
    assert ds.screen("my client told me he wants to end his life").kind == ds.SUICIDE


def test_the_verdict_names_cues_never_the_text():
    signal = ds.screen("ik heb afscheidsbrieven geschreven")
    assert signal.as_dict() == {"kind": "suicide", "imminent": False, "cues": ["farewell"]}


def test_normalise_folds_case_accents_chat_spelling_and_typos():
    assert ds.normalise("Mn ZELFMOORT… gedachtes!!") == " mijn zelfmoord gedachtes "
    assert ds.normalise("Ik wíl dóód") == " ik wil dood "
    assert ds.normalise("") == "  "


def test_real_words_next_to_a_key_word_are_not_corrected():
    assert "ophangen" not in ds.normalise("de opvangen in de buurt")


def component_result(text, intent="role_family", confidence=0.9):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence},
                                     {"name": "danger_suicide", "confidence": 0.05}])
    return DangerScreen().process([message])[0]


def test_component_overrules_the_classifier_and_reports_the_verdict():
    message = component_result("mn zoon heeft zijn medicijnen opgespaard")
    assert message.get(INTENT) == {"name": "danger_suicide", "confidence": 1.0}
    ranking = [item["name"] for item in message.get(INTENT_RANKING_KEY)]
    assert ranking == ["danger_suicide", "role_family"]
    assert message.get(DANGER_KEY)["kind"] == "suicide"
    assert DANGER_KEY in message.output_properties


def test_component_keeps_the_classifier_when_the_screen_finds_nothing():
    message = component_result("mijn zoon kijkt filmpjes van is", "role_family")
    assert message.get(INTENT)["name"] == "role_family"
    assert message.get(DANGER_KEY) == {"kind": None, "imminent": False, "cues": []}


def test_component_keeps_a_danger_intent_of_the_classifier():
    message = component_result("ik kan het allemaal niet meer aan", "danger_suicide", 0.7)
    assert message.get(INTENT)["name"] == "danger_suicide"


def test_threat_and_harm_use_the_acute_intent():
    assert component_result(THREATENED[0]).get(INTENT)["name"] == "danger_acute"
    assert component_result(HARM[1]).get(INTENT)["name"] == "danger_acute"


def test_a_benign_reading_is_reported_and_overrules_a_classifier_alarm():
    signal = ds.screen("mijn dochter wil niet meer leven zoals wij, ze wil naar een islamitisch land")
    assert not signal.found and signal.benign
    message = Message(data={TEXT: "mijn dochter wil niet meer leven zoals wij"})
    message.set(INTENT, {"name": "danger_suicide", "confidence": 0.99})
    message.set(INTENT_RANKING_KEY, [{"name": "danger_suicide", "confidence": 0.99},
                                     {"name": "role_family", "confidence": 0.01}])
    message = DangerScreen({"classifier_min_confidence": 0.9}).process([message])[0]
    assert message.get(INTENT)["name"] == "role_family"


def test_the_key_word_prefilter_changes_no_verdict(monkeypatch):
    texts = SUICIDE_INDIRECT + SUICIDE_IMMINENT + HARM + THREATENED + ORDINARY
    fast = [ds._screen_normalised.__wrapped__(ds.normalise(text)) for text in texts]
    monkeypatch.setattr(ds, "_may_match", lambda pattern, tokens: True)
    slow = [ds._screen_normalised.__wrapped__(ds.normalise(text)) for text in texts]
    assert fast == slow


@pytest.mark.parametrize("text", [
    "ik wil uit de groep maar ik weet niet hoe. niemand bedreigt me ofzo, ik weet gewoon niet hoe ik het moet zeggen",
    "I want to leave the group but I don't know how. nobody is threatening me, I just don't know where to start",
    "huisarts hier. geen acuut gevaar naar mijn inschatting, mag ik even sparren",
    "need advice, not an emergency, just stressed",
])
def test_a_denied_threat_or_violence_is_no_danger(text):
    assert not ds.screen(text).found


@pytest.mark.parametrize("text", [
    "ze bedreigen me en weten waar ik woon",
    "he is not the one threatening me but they know where i live",
    "niet normaal meer, hij wil ze vermoorden",
    "ja er is gevaar",
    "it is not ok, this is an emergency",
    "het is niet veilig, er is gevaar",
    "ik weet het niet, er is gevaar",
    "ik kan niet meer, hij bedreigt me elke dag",
    "no he threatened me again last night",
])
def test_a_threat_or_violence_next_to_a_negation_still_counts(text):
    assert ds.screen(text).found


# Round 8 (2 December): phrasings the cue lists did not know, from the development sets
# dev10-dev13 and a code review of the new rules (what they must not miss).
ROUND8_DANGER = [
    ('ik maak me van kant als dit zo doorgaat', ds.SUICIDE),
    ('een jongen uit de wijk zei dat hij zich van kant maakt', ds.SUICIDE),
    ('ze zien me morgen niet meer, zei hij', ds.SUICIDE),
    ('ze vroeg of we naar haar begrafenis zou komen', ds.SUICIDE),
    ('hij schreef een briefje: niet verdrietig zijn, het was mijn keuze', ds.SUICIDE),
    ('my daughter left a note saying do not be sad, and she is not answering', ds.SUICIDE),
    ('hij heeft een pistool in zijn rugzak', ds.HARM_OTHERS),
    ('she has a gun in her backpack', ds.HARM_OTHERS),
    ('ze plakken vuurwerk en spijkers aan elkaar in de schuur', ds.HARM_OTHERS),
    ('my son is taping fireworks together with nails', ds.HARM_OTHERS),
    ('in zijn kamer ligt een bomvest', ds.HARM_OTHERS),
    ('ze zijn hier, help', ds.THREATENED),
    ("ze sturen foto's van messen met mijn naam erbij", ds.THREATENED),
    ('ik zie nog maar 1 uitweg', ds.SUICIDE),
    ('is it a sin to end it yourself', ds.SUICIDE),
    ('ik heb geen plannen maar ik wil wel dood', ds.SUICIDE),
    ("Ten years ago I tried to kill myself. Everyone thinks I'm doing fine now, but I want to die.", ds.SUICIDE),
    ('I attempted suicide years ago. I was doing well, but now I want to die again.', ds.SUICIDE),
    ('Vijf jaar geleden zelfmoordpoging. Nu gaat het weer goed met me zeggen ze, maar ik wil dood.', ds.SUICIDE),
    ('Ik ben er weer bovenop dacht ik, jaren geleden die poging, maar ik wil niet meer leven.', ds.SUICIDE),
    ('Ik heb geen concrete plannen om mezelf iets aan te doen, nog niet.', ds.SUICIDE),
    ('I have no real plans to kill myself yet, but I think about it every day', ds.SUICIDE),
    ('Ik heb nu geen plannen om mezelf iets aan te doen, maar vanavond misschien wel', ds.SUICIDE),
    ('Waarom zou ik geen zelfmoord plegen?', ds.SUICIDE),
    ('Ik heb nog geen zelfmoordpoging gedaan maar ik denk er elke dag aan.', ds.SUICIDE),
    ('I am not suicidal yet.', ds.SUICIDE),
    ('Ik ben nooit echt suicidaal geweest, maar nu wel.', ds.SUICIDE),
    ('Ik ben 6 jaar geleden uit de beweging gestapt. Nu bedreigen ze me weer, ze weten waar ik woon.', ds.THREATENED),
    ("It's been years since I left the group, but now they threaten me and know where i live", ds.THREATENED),
    ('Ze willen me van kant maken omdat ik uit de groep ben gestapt.', ds.THREATENED),
    ('Hij wil zijn ex van kant maken.', ds.HARM_OTHERS),
    ('ik ben 2 jaar geleden uit de groep gestapt en nu staat mijn adres online', ds.THREATENED),
]


@pytest.mark.parametrize("text, kind", ROUND8_DANGER)
def test_round8_phrasings_are_found_as_the_right_kind(text, kind):
    assert ds.screen(text).kind == kind, (text, ds.screen(text))


# ... and look-alikes the new phrases must not set off (denials, a past attempt told by
# someone who is well, thanks, prayer, a hairdresser's peroxide).
@pytest.mark.parametrize("text", [
    'mijn broer is niet suïcidaal, hij is vooral boos op de wereld',
    'he is not suicidal, just very angry',
    'mijn ouders zien me niet meer staan sinds ik naar de moskee ga',
    'ik heb een hamer en spijkers gekocht voor de schuur',
    'ik ga morgen naar de begrafenis van mijn opa',
    'ik heb 12 jaar geleden een zelfmoordpoging gedaan, nu gaat het heel goed met me',
    "I tried to kill myself ten years ago and I'm doing really well now, I want to help others",
    'ik heb geen gedachten om mezelf iets aan te doen, ik wil alleen advies',
    'bedankt voor alles, ik ga nu bellen',
    'mag mijn tante mee naar het gesprek?',
    'You can have my phone number if you want to call me back.',
    'Mag mijn zoon een eigen gesprek hebben met iemand?',
    'Mijn telefoonnummer en adres mogen jullie hebben.',
    'Hij gaf zijn laptop aan een vriend uit de groep',
    'ik ben bang dat de groep naar de begrafenis komt.',
    'Note: it is my choice to contact you',
    'Thanks, it was not your fault at all.',
    'Is this the only way out of the group for my son?',
    'Er is maar een uitweg: hulp zoeken.',
    'He wants to end it himself with that group',
    'We go to God in prayer every night',
    'Mijn zoon zegt dat hij naar God wil, hij bidt vijf keer per dag.',
    'Mijn oude vrienden uit de groep zien me nooit meer, ik ben eruit.',
    "My son's new friends say they are here to help him.",
    'they are outside my expertise as a teacher.',
    'ze staan hier voor de school elke dag.',
    'Zijn nieuwe vrienden, ze staan voor de deur elke avond',
    'Kan ik anoniem melden of moet het met mijn naam erbij? Mijn neef heeft een pistool.',
    'Ik ben kapper, we werken met peroxide en een timer.',
    'Wat is een ontsteker precies? Ik las het in het nieuws.',
    'Mijn vader is boer, hij heeft kunstmest en dozen schroeven in de schuur.',
    'hij heeft illegaal vuurwerk besteld, er komen steeds pakketjes binnen.',
])
def test_round8_look_alikes_give_no_alarm(text):
    assert not ds.screen(text).found, (text, ds.screen(text))


def test_suicidal_next_to_a_negation_still_counts_when_it_is_not_denied():
    assert ds.screen("ik weet het niet, ik ben suicidaal").kind == ds.SUICIDE


def set_aside(text, ranking):
    """The screen's verdict on a message whose classifier guessed danger below the bar."""
    message = Message(data={TEXT: text})
    message.set(INTENT, dict(ranking[0]))
    message.set(INTENT_RANKING_KEY, ranking)
    return DangerScreen({"classifier_min_confidence": 0.99}).process([message])[0]


def test_a_set_aside_classifier_alarm_gives_the_role_the_cues_say():
    # No danger cue; the classifier's danger guess is below the bar, and the next intent
    # is a role the role cues correct (they ran before the guess was set aside).
    text = "ik werk in de thuiszorg en een meneer praat steeds over het land terugnemen"
    assert not ds.screen(text).found
    message = set_aside(text, [{"name": "danger_acute", "confidence": 0.6},
                               {"name": "role_family", "confidence": 0.3},
                               {"name": "role_professional", "confidence": 0.1}])
    assert message.get(INTENT)["name"] == "role_professional"
    ranking = [item["name"] for item in message.get(INTENT_RANKING_KEY)]
    assert ranking[0] == message.get(INTENT)["name"] == "role_professional"
    assert ranking.count("role_professional") == 1


def test_a_sure_classifier_alarm_below_the_bar_is_set_aside():
    message = set_aside("hij heeft het steeds over de elite en tribunalen",
                        [{"name": "danger_suicide", "confidence": 0.98},
                         {"name": "role_family", "confidence": 0.02}])
    assert message.get(INTENT)["name"] == "role_family"
