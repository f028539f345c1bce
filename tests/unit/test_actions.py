"""Custom actions with a real Tracker, a CollectingDispatcher and the real domain."""
import asyncio
import datetime as dt
import inspect
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import actions as a
from bot.lse.facts import load_facts

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
FACTS = load_facts()
UTC = dt.timezone.utc


def tracker(intent="greet", text="hallo", language="nl", role=None, metadata=None,
            danger=None, ranking=None, events=None, **extra_slots):
    slots = {name: None for name in DOMAIN["slots"]}
    slots.update({"language": language, "role": role, "session_started_metadata": metadata})
    slots.update(extra_slots)
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.9},
                        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
                        "entities": [], "danger": danger or {"kind": None, "imminent": False,
                                                             "cues": []}},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, trk):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, DOMAIN))
    return dispatcher.messages, events


def clock(*args):
    return lambda: dt.datetime(*args, tzinfo=UTC)


def test_every_custom_action_is_in_the_domain_and_back():
    def concrete(base):
        for sub in base.__subclasses__():
            if not inspect.isabstract(sub):
                yield sub
            yield from concrete(sub)

    classes = {cls().name() for cls in concrete(a.FactsAction)}
    assert classes == set(DOMAIN["actions"])


def test_contact_when_open_gives_the_phone_first_and_sets_office_open():
    action = a.ActionOfferContact(clock=clock(2026, 12, 1, 10, 0))  # Tuesday 11.00 Amsterdam
    messages, events = run(action, tracker("ask_contact", "ik wil iemand spreken"))
    text = messages[0]["text"]
    assert text.index(FACTS.phone) < text.index(FACTS.email)
    assert "17.00 uur" in text
    assert {"event": "slot", "name": "office_open", "value": True, "timestamp": None} in events


def test_contact_when_closed_gives_mail_next_opening_and_urgent_advice():
    # Thursday 24 December 2026, 18.30 Amsterdam: next opening after Christmas.
    action = a.ActionOfferContact(clock=clock(2026, 12, 24, 17, 30))
    messages, events = run(action, tracker("ask_contact", "kan ik bellen"))
    text = messages[0]["text"]
    assert "gesloten" in text and FACTS.email in text
    assert "maandag 28 december om 9.00 uur" in text
    assert "112" in text and FACTS.emergency["police"] in text
    assert events[0]["name"] == "office_open" and events[0]["value"] is False


def test_contact_on_a_holiday_names_it_in_english():
    action = a.ActionOfferContact(clock=clock(2026, 12, 25, 10, 0))
    messages, _ = run(action, tracker("ask_opening_hours", "are you open", language="en"))
    text = messages[0]["text"]
    assert "Christmas Day" in text and "Monday 28 December at 9:00 (Dutch time)" in text


def test_contact_late_evening_in_utc_is_still_dutch_time():
    # 16.30 UTC in December is 17.30 in Amsterdam: closed, although 16.30 < 17.00.
    action = a.ActionOfferContact(clock=clock(2026, 12, 1, 16, 30))
    messages, events = run(action, tracker("ask_contact"))
    assert events[0]["value"] is False
    assert "morgen (woensdag 2 december) om 9.00 uur" in messages[0]["text"]


def test_danger_names_112_first_then_police():
    messages, _ = run(a.ActionWarnDanger(), tracker("danger_acute"))
    text = messages[0]["text"]
    assert text.index("112") < text.index(FACTS.emergency["police"])


def test_suicide_names_113():
    messages, _ = run(a.ActionWarnSuicide(), tracker("danger_suicide", language="en"))
    assert "113" in messages[0]["text"] and "0800-0113" in messages[0]["text"]


def test_clarify_has_role_buttons_and_contact_details():
    messages, _ = run(a.ActionClarify(), tracker("nlu_fallback", "blabla"))
    message = messages[0]
    assert FACTS.phone in message["text"] and FACTS.email in message["text"]
    payloads = [button["payload"] for button in message["buttons"]]
    assert "Ik maak me zorgen om iemand dicht bij mij" in payloads
    assert "Ik heb een vraag vanuit mijn werk" in payloads
    assert "Het gaat over mijzelf" in payloads


def test_offer_more_remembers_professional_role_only_when_unknown():
    _, events = run(a.ActionOfferMore(), tracker("service_liv"))
    assert events == [{"event": "slot", "name": "role", "value": "professional", "timestamp": None}]
    _, events = run(a.ActionOfferMore(), tracker("service_liv", role="family"))
    assert events == []
    _, events = run(a.ActionOfferMore(), tracker("service_duiding"))
    assert events == []


def test_list_services_fits_the_role():
    messages, _ = run(a.ActionListServices(), tracker("list_services", role="individual"))
    titles = [button["title"] for button in messages[0]["buttons"]]
    assert titles == ["Forsa", "Behandeling", "Contact met een medewerker"]
    messages, _ = run(a.ActionListServices(), tracker("list_services", role="professional",
                                                       language="en"))
    titles = [button["title"] for button in messages[0]["buttons"]]
    assert "Refugees or permit holders" in titles and "Contact a staff member" in titles


def test_session_start_opening_in_the_language_of_the_first_message():
    messages, events = run(a.ActionSessionStart(), tracker(metadata={"language": "en"}))
    assert "digital assistant" in messages[0]["text"] and "not a person" in messages[0]["text"]
    assert f"{FACTS.retention_days} days" in messages[0]["text"]
    assert events[0]["event"] == "session_started"
    assert {"event": "slot", "name": "language", "value": "en", "timestamp": None} in events
    messages, _ = run(a.ActionSessionStart(), tracker(metadata=None))
    assert "digitale assistent" in messages[0]["text"] and "geen mens" in messages[0]["text"]


def test_start_over_restarts_and_keeps_the_language():
    messages, events = run(a.ActionStartOver(), tracker("restart", "start over", language="en"))
    assert [event["event"] for event in events][:2] == ["restart", "session_started"]
    assert {"event": "slot", "name": "language", "value": "en", "timestamp": None} in events
    assert len(messages[-1]["buttons"]) == 3


def test_privacy_states_retention():
    messages, _ = run(a.ActionExplainPrivacy(), tracker("ask_privacy"))
    assert f"{FACTS.retention_days} dagen" in messages[0]["text"]


def test_website():
    messages, _ = run(a.ActionGiveWebsite(), tracker("ask_website", language="en"))
    assert FACTS.website in messages[0]["text"]


def slot_events(events):
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def test_session_start_gives_the_opening_first_without_danger():
    messages, events = run(a.ActionSessionStart(), tracker(metadata={"language": "nl"}))
    assert len(messages) == 1 and "computerprogramma" in messages[0]["text"]
    assert "intro_pending" not in slot_events(events)


def test_session_start_waits_with_the_opening_when_the_first_message_is_danger():
    messages, events = run(a.ActionSessionStart(),
                           tracker(metadata={"language": "nl", "danger": "suicide"}))
    assert messages == []
    assert slot_events(events)["intro_pending"] is True


def test_crisis_text_comes_first_then_the_short_opening():
    danger = {"kind": "suicide", "imminent": False, "cues": ["farewell"]}
    messages, events = run(a.ActionWarnSuicide(),
                           tracker("danger_suicide", danger=danger, intro_pending=True))
    assert "113" in messages[0]["text"] and "computerprogramma" in messages[1]["text"]
    assert slot_events(events) == {"crisis": "suicide", "intro_pending": None}


def test_crisis_texts_are_instructions_not_questions():
    for action, intent, danger in (
            (a.ActionWarnDanger(), "danger_acute", None),
            (a.ActionWarnSuicide(), "danger_suicide", None),
            (a.ActionWarnSuicide(), "danger_suicide", {"kind": "suicide", "imminent": True}),
            (a.ActionWarnDanger(), "danger_acute", {"kind": "threatened", "imminent": True})):
        for language in ("nl", "en"):
            messages, _ = run(action, tracker(intent, danger=danger, language=language))
            first_line = messages[0]["text"].split("\n")[0]
            assert "112" in first_line, first_line


def ranking(*names):
    return [{"name": name, "confidence": 1.0 if i == 0 else 0.5} for i, name in enumerate(names)]


@pytest.mark.parametrize("role, text, services", [
    ("family", "mijn zoon praat steeds over wraak op de ongelovigen",
     ["Familieondersteuning", "Behandeling", "Forsa"]),
    ("professional", "een leerling van mij praat steeds over wraak",
     ["Korte vraag over een casus", "Langdurige ondersteuning"]),
    ("individual", "ik zit zelf in een groep die over wraak praat", ["Forsa", "Behandeling"])])
def test_a_weak_harm_alarm_on_a_role_message_is_followed_by_the_services_of_that_role(
        role, text, services):
    """A false alarm of the danger model costs one crisis text, not the answer
    (bot/lse/crisis.py role_after_crisis)."""
    danger = {"kind": "harm_others", "imminent": False, "cues": ["model"]}
    messages, events = run(a.ActionWarnDanger(), tracker(
        "danger_acute", text, danger=danger, intro_pending=True,
        ranking=ranking("danger_acute", f"role_{role}", "greet")))
    assert messages[0]["text"].startswith("Is iemand nu in gevaar? Bel dan direct 112.")
    assert "computerprogramma" in messages[1]["text"]
    assert messages[2]["text"].startswith("Is er geen direct gevaar")
    assert not messages[2]["text"].rstrip().endswith("?")  # a statement: "ja" stays in the crisis path
    titles = [button["title"] for button in messages[2]["buttons"]]
    assert titles[:len(services)] == services
    assert slot_events(events) == {"crisis": "harm_others", "intro_pending": None, "role": role}
    english, _ = run(a.ActionWarnDanger(), tracker(
        "danger_acute", text, danger=danger, language="en",
        ranking=ranking("danger_acute", f"role_{role}")))
    assert english[1]["text"].startswith("No immediate danger")


@pytest.mark.parametrize("action, intent, text, danger, names, role", [
    # Suicide: the crisis text alone, also when the message names a relative.
    (a.ActionWarnSuicide(), "danger_suicide", "mijn zoon heeft afscheidsbrieven geschreven",
     {"kind": "suicide", "cues": ["farewell"]}, ("danger_suicide", "role_family"), None),
    # Alarms of the cue lists stand alone: a weapon, a bomb, an attack plan, "er is gevaar"
    # (review of 2 December: "mijn zoon heeft een bom gemaakt ..." got the family services).
    (a.ActionWarnDanger(), "danger_acute", "mijn zoon heeft een bom gemaakt en wil de moskee opblazen",
     {"kind": "harm_others", "imminent": True, "cues": ["heavy_weapon", "attack_plan"]},
     ("danger_acute", "role_family"), None),
    (a.ActionWarnDanger(), "danger_acute", "mijn zoon heeft een pistool en wil de leraar neerschieten",
     {"kind": "harm_others", "imminent": True, "cues": ["weapon"]}, ("danger_acute", "role_family"), None),
    (a.ActionWarnDanger(), "danger_acute", "er is gevaar, mijn broer",
     {"kind": "harm_others", "cues": ["explicit_danger"]}, ("danger_acute", "role_family"), None),
    # A model alarm with a cue of now or of the means at hand stands alone.
    (a.ActionWarnDanger(), "danger_acute", "mijn zoon zit nu in zijn kamer en zegt dat hij zijn zus iets aandoet",
     {"kind": "harm_others", "imminent": True, "cues": ["model", "now_weak"]},
     ("danger_acute", "role_family"), None),
    # Threatened by the group: the crisis text already names Forsa.
    (a.ActionWarnDanger(), "danger_acute", "ik ben uit de groep en ze bedreigen me",
     {"kind": "threatened", "cues": ["threat_received"]}, ("danger_acute", "role_individual"), None),
    # The role cues must say the same role as the classifier ("ik zit in een groep" is the
    # writer's own involvement, not a professional).
    (a.ActionWarnDanger(), "danger_acute", "ik zit in een groep en we praten over wraak",
     {"kind": "harm_others", "cues": ["model"]}, ("danger_acute", "role_professional"), None),
    (a.ActionWarnDanger(), "danger_acute", "hij praat steeds over wraak",
     {"kind": "harm_others", "cues": ["model"]}, ("danger_acute", "role_family"), None),
    # No role under the alarm, or the role is already known: nothing more.
    (a.ActionWarnDanger(), "danger_acute", "mijn zoon praat over wraak",
     {"kind": "harm_others", "cues": ["model"]}, ("danger_acute", "nlu_fallback", "role_family"), None),
    (a.ActionWarnDanger(), "danger_acute", "mijn zoon praat over wraak",
     {"kind": "harm_others", "cues": ["model"]}, ("danger_acute", "ask_costs"), None),
    (a.ActionWarnDanger(), "danger_acute", "mijn zoon praat over wraak",
     {"kind": "harm_others", "cues": ["model"]}, ("danger_acute", "role_family"), "professional"),
])
def test_the_crisis_text_stands_alone_where_it_should(action, intent, text, danger, names, role):
    messages, events = run(action, tracker(intent, text, danger=danger, role=role,
                                           ranking=ranking(*names)))
    assert len(messages) == 1 and not messages[0].get("buttons")
    assert "role" not in slot_events(events)


def test_imminent_suicide_gets_112_and_113():
    danger = {"kind": "suicide", "imminent": True, "cues": ["meds_collect", "now"]}
    messages, events = run(a.ActionWarnSuicide(), tracker("danger_suicide", danger=danger))
    text = messages[0]["text"]
    assert text.index("112") < text.index("113")
    assert slot_events(events)["crisis"] == "suicide_imminent"


def test_threat_from_the_group_gets_112_and_the_police_line():
    danger = {"kind": "threatened", "imminent": False, "cues": ["threat_received"]}
    messages, events = run(a.ActionWarnDanger(), tracker("danger_acute", danger=danger))
    text = messages[0]["text"]
    assert "112" in text and FACTS.emergency["police"] in text
    assert slot_events(events)["crisis"] == "threatened"


@pytest.mark.parametrize("kind, number", [("suicide", "113"), ("suicide_imminent", "112"),
                                          ("harm_others", "112"), ("threatened", "112"),
                                          (None, "112")])
def test_crisis_followup_repeats_the_right_number_without_a_menu(kind, number):
    for language in ("nl", "en"):
        messages, events = run(a.ActionCrisisFollowup(),
                               tracker("affirm", "ja", language=language, crisis=kind))
        assert len(messages) == 1 and number in messages[0]["text"]
        assert not messages[0].get("buttons") and events == []
        assert "sorry" not in messages[0]["text"].lower()


@pytest.mark.parametrize("text, line, en_line", [
    ("ik durf niet te bellen", "Bellen kan eng voelen.", "Calling can feel scary."),
    ("ik wil niet dat hij vast komt te zitten", "weet ik niet", "I do not know what happens"),
    ("ik weet niet of hij het meent", "Je hoeft het niet zeker te weten.", "You do not have to be sure."),
    ("ik ben zo bang", "begrijpelijk dat je bang bent", "understandable that you are afraid"),
])
def test_crisis_followup_answers_what_the_visitor_wrote_before_the_number(text, line, en_line):
    for language, expected in (("nl", line), ("en", en_line)):
        messages, _ = run(a.ActionCrisisFollowup(),
                          tracker("role_unclear", text, language=language, crisis="harm_others"))
        first, rest = messages[0]["text"].split("\n", 1)
        assert expected in first and "112" in rest and "112" not in first
    plain, _ = run(a.ActionCrisisFollowup(), tracker("role_unclear", "wat moet ik doen",
                                                     crisis="suicide"))
    assert plain[0]["text"].startswith("Bel nu 113")
    # After the suicide text the follow-up itself says "Bellen is moeilijk?": no second line.
    afraid, _ = run(a.ActionCrisisFollowup(), tracker("ask_contact", "ik durf niet te bellen",
                                                      crisis="suicide"))
    assert afraid[0]["text"].startswith("Bel nu 113") and "eng voelen" not in afraid[0]["text"]


def test_the_family_answer_is_short_the_second_time_in_a_session():
    first, _ = run(a.ActionExplainFamilySupport(), tracker("role_family", "mijn zoon radicaliseert"))
    before = [{"event": "action", "name": "action_explain_family_support"},
              {"event": "action", "name": "action_listen"}]
    again, _ = run(a.ActionExplainFamilySupport(), tracker("role_family", "hij is 16", events=before))
    assert "Familieondersteuning" in first[0]["text"]
    assert again[0]["text"].startswith("Dank je dat je meer vertelt.") and FACTS.phone in again[0]["text"]
    assert [b["title"] for b in again[0]["buttons"]] == [b["title"] for b in first[0]["buttons"]]
    # A new session (or a restart) starts over with the whole answer.
    for reset in ("session_started", "restart"):
        later, _ = run(a.ActionExplainFamilySupport(),
                       tracker("role_family", "mijn zoon", events=before + [{"event": reset}]))
        assert later[0]["text"] == first[0]["text"]


def test_after_a_call_the_follow_up_does_not_say_call_now():
    for kind in ("harm_others", "suicide"):
        messages, _ = run(a.ActionCrisisFollowup(), tracker("role_unclear", "ik heb 112 gebeld, ze komen eraan",
                                                            crisis=kind))
        text = messages[0]["text"]
        assert text.startswith("Goed dat je hebt gebeld.") and "Bel nu" not in text
        assert "112" in text and FACTS.emergency["suicide_prevention_free"] in text
    # A message that also raised an alarm gets the follow-up with its number first.
    danger = {"kind": "harm_others", "imminent": False, "cues": ["model"]}
    messages, _ = run(a.ActionCrisisFollowup(), tracker("role_unclear", "ik heb 112 gebeld, ze komen eraan",
                                                        danger=danger, crisis="harm_others"))
    assert messages[0]["text"].startswith("Bel nu 112")


def test_a_model_suicide_alarm_does_not_replace_a_harm_crisis():
    """Review of 2 December: after the knife text a model false alarm made the follow-ups
    say 113 first. Its own text names 113; the crisis stays harm (112 first)."""
    model = {"kind": "suicide", "imminent": False, "cues": ["model"]}
    cue = {"kind": "suicide", "imminent": False, "cues": ["death_wish"]}
    _, events = run(a.ActionWarnSuicide(), tracker("danger_suicide", danger=model, crisis="harm_others"))
    assert slot_events(events)["crisis"] == "harm_others"
    _, events = run(a.ActionWarnSuicide(), tracker("danger_suicide", danger=cue, crisis="harm_others"))
    assert slot_events(events)["crisis"] == "suicide"
    _, events = run(a.ActionWarnSuicide(), tracker("danger_suicide", danger=model))
    assert slot_events(events)["crisis"] == "suicide"


def test_sharing_and_practical_questions_get_an_honest_i_do_not_know():
    for action in (a.ActionExplainInformationSharing(), a.ActionExplainPractical()):
        nl, _ = run(action, tracker("ask_information_sharing"))
        en, _ = run(action, tracker("ask_information_sharing", language="en"))
        assert "weet ik niet" in nl[0]["text"] or "weet ik niet" in nl[0]["text"].lower()
        assert "do not know" in en[0]["text"].lower()
        assert FACTS.phone in nl[0]["text"] and FACTS.email in nl[0]["text"]


def test_contact_gives_the_weekly_hours_and_whether_open_now():
    open_now, _ = run(a.ActionOfferContact(clock=clock(2026, 12, 1, 10, 0)), tracker("ask_opening_hours"))
    closed, _ = run(a.ActionOfferContact(clock=clock(2026, 12, 5, 10, 0)), tracker("ask_opening_hours"))
    weekly = "maandag tot en met vrijdag, 9.00 tot 17.00 uur"
    assert weekly in open_now[0]["text"] and weekly in closed[0]["text"]
    assert "nu bellen" in open_now[0]["text"] and "gesloten" in closed[0]["text"]


def test_good_friday_is_an_open_day_for_the_contact_action():
    messages, events = run(a.ActionOfferContact(clock=clock(2026, 4, 3, 10, 0)), tracker("ask_contact"))
    assert slot_events(events)["office_open"] is True


def test_the_person_in_a_network_gets_the_number_with_the_offer():
    messages, _ = run(a.ActionOfferMore(), tracker("role_individual", "ik wil uit de groep"))
    assert FACTS.phone in messages[0]["text"] and FACTS.email in messages[0]["text"]
    messages, _ = run(a.ActionOfferMore(), tracker("service_liv"))
    assert FACTS.phone not in messages[0]["text"]


def test_every_crisis_text_names_112_and_113():
    """A message judged the wrong kind still gets both numbers (docs/nlu.md: right text)."""
    from bot.lse import crisis

    for kind, key in crisis.TEXT_FOR_KIND.items():
        for language in ("nl", "en"):
            text = a.render(key, language, FACTS)
            assert FACTS.emergency["acute"] in text and FACTS.emergency["suicide_prevention_free"] in text, (kind, language)
