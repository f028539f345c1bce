"""A message that answers a crisis text stays in the crisis path (bot/lse/crisis_followup.py,
bot/nlu/crisis_followup.py with the tracker Rasa hands it)."""
import pytest
from rasa.shared.core.events import ActionExecuted, Restarted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.lse.crisis_followup import followup_topic, keeps_in_crisis, repeats_the_crisis
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
    ("hij is nu thuis", "status"),
    ("hij zit nu beneden tv te kijken", "status"),
    ("hij slaapt nu", "status"),
    ("he is asleep now", "status"),
    ("ik heb 112 gebeld, ze komen eraan", "called"),
    ("ok ik heb gebeld", "called"),
    ("the police are on their way", "called"),
    ("i dont know if he is serious", "doubt"),
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


@pytest.mark.parametrize("text", [
    # Review of 2 December: too broad before.
    "dat is belangrijk voor mij", "ik wil niemand beledigen", "wat gebeurt er met mijn gegevens",
    "hij is gewoon thuis, hij gamet", "dat vind ik belachelijk",
])
def test_ordinary_words_are_no_cue(text):
    assert followup_topic(text) is None


@pytest.mark.parametrize("text, topic", [
    # Review of 2 December: too narrow before.
    ("ik wil mijn broer niet aangeven", "consequence"),
    ("krijgt hij dan een strafblad", "consequence"),
    ("ik weet niet of het serieus is", "doubt"),
    ("weet niet of ie het meent", "doubt"),
    ("ik ben echt heel bang", "fear"),
    ("ik durf echt de politie niet te bellen", "afraid_to_call"),
])
def test_more_ways_to_say_it(text, topic):
    assert followup_topic(text) == topic


def test_every_topic_counts_right_after_a_crisis_text_only_the_call_after_a_follow_up():
    for action in ("action_warn_danger", "action_warn_suicide"):
        assert keeps_in_crisis(action, "wat moet ik doen")
        assert keeps_in_crisis(action, "ik ben zo bang")
    # After a follow-up the visitor may go on: "wat kan ik doen als ouder" is a question.
    assert not keeps_in_crisis("action_crisis_followup", "wat kan ik doen als ouder")
    assert not keeps_in_crisis("action_crisis_followup", "ik ben bang dat hij me niet meer vertrouwt")
    assert keeps_in_crisis("action_crisis_followup", "ik durf niet te bellen, hij is mijn broer")
    assert keeps_in_crisis("action_crisis_followup", "ik wil niet dat hij vast komt te zitten")
    assert keeps_in_crisis("action_crisis_followup", "hij is nu thuis")
    for action in (None, "action_session_start", "utter_explain_familieondersteuning"):
        assert not keeps_in_crisis(action, "ik durf niet te bellen")


def test_an_unsure_classifier_right_after_a_crisis_text_means_a_follow_up():
    """Tryout of 2 December: "hij zit nu beneden tv te kijken" got the opening hours (0.21)."""
    assert keeps_in_crisis("action_warn_suicide", "dat weet ik niet zo goed", confidence=0.3)
    assert not keeps_in_crisis("action_warn_suicide", "wat kost het", confidence=0.99)
    assert not keeps_in_crisis("action_crisis_followup", "dat weet ik niet zo goed", confidence=0.3)
    assert not keeps_in_crisis(None, "dat weet ik niet zo goed", confidence=0.3)


def test_what_adds_to_a_crisis():
    assert repeats_the_crisis("suicide", "suicide") and repeats_the_crisis("suicide", "suicide_imminent")
    assert repeats_the_crisis("harm_others", "threatened") and repeats_the_crisis("threatened", "harm_others")
    # Imminent after suicide, and another kind, are new danger.
    assert not repeats_the_crisis("suicide_imminent", "suicide")
    assert not repeats_the_crisis("suicide", "harm_others") and not repeats_the_crisis("harm_others", "suicide")
    assert not repeats_the_crisis("suicide", None)


@pytest.mark.parametrize("text", [
    # Review of 2 December: the call failed, has not happened, or the words are not about
    # an emergency line.
    "ik heb nog niet gebeld", "ik heb hem gebeld en hij dreigde", "I called but nobody answered",
    "ik heb geprobeerd te bellen", "ik heb al gebeld, ze nemen niet op", "de politie is er nog niet",
    "ze komen nu naar ons huis", "ze komen eraan", "they are coming", "ik heb gebeld maar niemand nam op",
])
def test_no_called_when_the_call_did_not_happen(text):
    assert followup_topic(text) != "called"


def test_not_daring_to_call_in_the_past_tense():
    assert followup_topic("ik heb niet durven bellen") == "afraid_to_call"


def message(text, intent, confidence=0.9, danger=None):
    ranking = [{"name": intent, "confidence": confidence}, {"name": "ask_contact", "confidence": 0.05}]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking,
                         "danger": danger or {"kind": None, "imminent": False, "cues": []}})


def conversation(*events):
    return DialogueStateTracker.from_events("c0ffee", list(events))


CRISIS = (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
          UserUttered("hij heeft een pistool"), ActionExecuted("action_warn_danger"),
          SlotSet("crisis", "harm_others"), ActionExecuted("action_listen"))


def test_the_component_keeps_a_follow_up_in_the_crisis_path():
    component = CrisisFollowup()
    follow_up = message("ik durf niet te bellen, hij is mijn broer", "role_family")
    no_cue = message("het gaat over mijn broer", "role_family")
    unsure = message("hij kijkt tv", "ask_opening_hours", confidence=0.21)
    question = message("wat kost het", "ask_costs", confidence=0.99)
    cue_danger = message("hij is nu thuis met een mes", "danger_acute", 1.0,
                         {"kind": "harm_others", "imminent": True, "cues": ["weapon", "now"]})
    other_kind = message("ik wil zelf ook niet meer", "danger_suicide", 1.0,
                         {"kind": "suicide", "imminent": False, "cues": ["model"]})
    same_kind = message("ik heb 112 gebeld, ze komen eraan", "danger_acute", 1.0,
                        {"kind": "harm_others", "imminent": False, "cues": ["model"]})
    same_kind_no_cue = message("hij heeft het mes nog", "danger_acute", 1.0,
                               {"kind": "harm_others", "imminent": False, "cues": ["model"]})
    classifier = message("hij kijkt tv", "danger_acute", 0.95)
    switch = message("english please, what should I do", "switch_language")
    privacy = message("leest de politie mee?", "ask_privacy", confidence=0.42)
    leave = message("ik wil uit de groep stappen", "role_individual", confidence=0.53)
    messages = [follow_up, no_cue, unsure, question, cue_danger, other_kind, same_kind,
                same_kind_no_cue, classifier, switch, privacy, leave]
    component.process(messages, tracker=conversation(*CRISIS))
    assert follow_up.get("intent")["name"] == "role_unclear"
    assert [item["name"] for item in follow_up.get("intent_ranking")][:2] == ["role_unclear", "role_family"]
    assert no_cue.get("intent")["name"] == "role_family"
    assert unsure.get("intent")["name"] == "role_unclear"
    assert question.get("intent")["name"] == "ask_costs"
    # New danger keeps its own crisis text: of the cue lists, of another kind, or of the
    # classifier; a model alarm of the same crisis becomes the follow-up.
    assert cue_danger.get("intent")["name"] == "danger_acute"
    assert other_kind.get("intent")["name"] == "danger_suicide"
    assert same_kind.get("intent")["name"] == "role_unclear"
    assert same_kind_no_cue.get("intent")["name"] == "danger_acute"  # no cue of a follow-up
    assert classifier.get("intent")["name"] == "danger_acute"
    assert switch.get("intent")["name"] == "switch_language"
    # What a visitor must be able to ask right after a crisis text, even when unsure.
    assert privacy.get("intent")["name"] == "ask_privacy"
    assert leave.get("intent")["name"] == "role_individual"


def test_worse_danger_after_a_suicide_text_gets_its_own_crisis_text():
    """Review of 2 December: "hij heeft nu de pillen in zijn hand" (the model, imminent)
    after the suicide text got the plain suicide follow-up, 113 first."""
    suicide = (ActionExecuted("action_listen"), UserUttered("mn zoon zegt dat hij dood wil"),
               ActionExecuted("action_warn_suicide"), SlotSet("crisis", "suicide"),
               ActionExecuted("action_listen"))
    worse = message("wat moet ik doen, hij heeft nu de pillen in zijn hand", "danger_suicide", 1.0,
                    {"kind": "suicide", "imminent": True, "cues": ["model", "now"]})
    CrisisFollowup().process([worse], tracker=conversation(*suicide))
    assert worse.get("intent")["name"] == "danger_suicide"


def test_the_component_changes_nothing_outside_the_crisis_path():
    component = CrisisFollowup()
    ordinary = conversation(ActionExecuted("action_listen"), UserUttered("hoi"),
                            ActionExecuted("utter_ask_role"), ActionExecuted("action_listen"))
    # A new session after a crisis text (the visitor came back after the session expired).
    new_session = conversation(*CRISIS, ActionExecuted("action_session_start"), SessionStarted(),
                               ActionExecuted("action_listen"))
    restarted = conversation(*CRISIS, Restarted())
    for tracker in (None, conversation(), ordinary, new_session, restarted):
        first = message("wat moet ik doen, mijn zoon radicaliseert", "role_family")
        component.process([first], tracker=tracker)
        assert first.get("intent")["name"] == "role_family"


def test_rasa_hands_the_tracker_to_the_component():
    """The default recipe gives a `tracker` parameter of process the processor's tracker."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.data import TrainingType

    config = {"recipe": "default.v1", "language": "nl", "policies": [{"name": "RulePolicy"}],
              "pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "KeywordIntentClassifier"},
                           {"name": "bot.nlu.crisis_followup.CrisisFollowup"}]}
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH)
    (node,) = [node for name, node in graph.predict_schema.nodes.items() if "CrisisFollowup" in name]
    assert node.needs.get("tracker") == "__tracker__"
