"""Thin rasa_sdk glue around the pure logic in bot/lse."""
from __future__ import annotations

import abc
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, Restarted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.lse import contract, crisis, crisis_followup, opening_hours, role_cues, triage
from bot.lse.facts import Facts, current_facts, format_clock
from bot.lse.texts import buttons, normalise_language, render

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def default_facts() -> Facts:
    """The facts file's facts (LSE_FACTS_FILE or bot/lse_facts.yml), read once."""
    return current_facts()


def language_of(tracker: Tracker) -> str:
    return normalise_language(tracker.get_slot(contract.SLOT_LANGUAGE))


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def latest_danger(tracker: Tracker) -> dict[str, Any]:
    """The danger screen's verdict on the latest message (bot/nlu/danger_screen.py)."""
    danger = (tracker.latest_message or {}).get("danger")
    return danger if isinstance(danger, dict) else {}


def ran_in_this_session(tracker: Tracker, action_name: str) -> bool:
    """True when `action_name` already ran in the conversation's current session (the
    running action itself is not among the tracker's events yet)."""
    ran = False
    for event in tracker.events or []:
        if event.get("event") in ("session_started", "restart"):
            ran = False
        elif event.get("event") == "action" and event.get("name") == action_name:
            ran = True
    return ran


class FactsAction(Action, metaclass=abc.ABCMeta):
    """An action that knows the LSE facts; tests may pass their own facts."""

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    def __init__(self, facts: Facts | None = None) -> None:
        super().__init__()
        self._facts = facts

    @property
    def facts(self) -> Facts:
        return self._facts or default_facts()

    def say(self, dispatcher: CollectingDispatcher, key: str, language: str,
            button_keys: list[str] | None = None, **extra: str) -> None:
        kwargs: dict[str, Any] = {"text": render(key, language, self.facts, **extra)}
        if button_keys:
            kwargs["buttons"] = buttons(button_keys, language)
        dispatcher.utter_message(**kwargs)


class ActionSessionStart(FactsAction):
    """Starts a conversation with the opening: who the assistant is, what it does, privacy.

    The language of the opening comes from the channel's metadata (the widget's page
    language, or the language detected in the visitor's first message). When the danger
    screen found danger in that first message (the channel says so in the metadata), the
    crisis text must come first: the opening waits, and the crisis action sends a short one
    after the crisis text.
    """

    def name(self) -> str:
        return contract.ACTION_SESSION_START

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        metadata = tracker.get_slot(contract.SLOT_SESSION_STARTED_METADATA) or {}
        metadata = metadata if isinstance(metadata, dict) else {}
        language = normalise_language(metadata.get("language"))
        events: list[EventType] = [SessionStarted(), SlotSet(contract.SLOT_LANGUAGE, language)]
        if crisis.first_message_is_danger(metadata):
            events.append(SlotSet(contract.SLOT_INTRO_PENDING, True))
        else:
            self.say(dispatcher, "intro", language)
        return events + [ActionExecuted(contract.ACTION_LISTEN)]


class ActionOfferContact(FactsAction):
    """Phone or e-mail, depending on whether the LSE is open right now (Dutch time)."""

    def __init__(self, clock: Clock = utc_now, facts: Facts | None = None) -> None:
        super().__init__(facts)
        self.clock = clock

    def name(self) -> str:
        return contract.ACTION_OFFER_CONTACT

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        language = language_of(tracker)
        now = self.clock()
        state = opening_hours.status(now, self.facts)
        if state.open:
            assert state.closes_at is not None  # an open line has a closing time
            self.say(dispatcher, "contact_open", language,
                     closes_today=format_clock(state.closes_at.time(), language))
        else:
            assert state.next_opening is not None  # a closed line opens again
            self.say(dispatcher, "contact_closed", language,
                     next_opening=opening_hours.format_moment(state.next_opening, language,
                                                               today=state.local_now.date()),
                     reason=self.closed_reason(state.local_now.date(), language))
        return [SlotSet(contract.SLOT_OFFICE_OPEN, state.open)]

    def closed_reason(self, day: dt.date, language: str) -> str:
        """' (vandaag is het Tweede Kerstdag)' on a closing holiday or extra closure, else ''."""
        name = opening_hours.holiday_name(day, self.facts, language)
        if not name:
            return ""
        if opening_hours.is_extra_closure(day, self.facts):
            return render("closed_reason_closure", language, self.facts, closure=name)
        return render("closed_reason_holiday", language, self.facts, holiday=name)


class _CrisisAction(FactsAction):
    """A crisis text first; then, if the conversation began with it, the short opening."""

    intent_kind = crisis.HARM_OTHERS

    def crisis_kind(self, tracker: Tracker) -> str:
        return crisis.crisis_kind(self.intent_kind, latest_danger(tracker))

    async def run(self, dispatcher, tracker, domain):
        language = language_of(tracker)
        kind = self.crisis_kind(tracker)
        self.say(dispatcher, crisis.TEXT_FOR_KIND[kind], language)
        slot = crisis.crisis_slot_after(tracker.get_slot(contract.SLOT_CRISIS), kind,
                                        latest_danger(tracker))
        events: list[EventType] = [SlotSet(contract.SLOT_CRISIS, slot)]
        if tracker.get_slot(contract.SLOT_INTRO_PENDING):
            self.say(dispatcher, "intro_short", language)
            events.append(SlotSet(contract.SLOT_INTRO_PENDING, None))
        # A harm alarm costs its crisis text, not the answer: the services of the role the
        # same message shows follow (bot/lse/crisis.py, role_after_crisis).
        latest = tracker.latest_message or {}
        role = crisis.role_after_crisis(kind, latest_danger(tracker), latest.get("intent_ranking"),
                                        latest.get("text") or "", tracker.get_slot(contract.SLOT_ROLE))
        if role is not None:
            self.say(dispatcher, crisis.ROLE_AFTER_CRISIS_TEXT[role], language,
                     button_keys=triage.services_to_offer(role))
            events.append(SlotSet(contract.SLOT_ROLE, role))
        return events


class ActionWarnDanger(_CrisisAction):
    """Harm to others (112 first) or a threat to the writer (112 and the police line)."""

    intent_kind = crisis.HARM_OTHERS

    def name(self) -> str:
        return contract.ACTION_WARN_DANGER


class ActionWarnSuicide(_CrisisAction):
    """Suicidal thoughts of the writer or someone else (113); imminent: 112 and 113."""

    intent_kind = crisis.SUICIDE

    def name(self) -> str:
        return contract.ACTION_WARN_SUICIDE


class ActionCrisisFollowup(FactsAction):
    """A "ja", "wat moet ik doen" or "ik durf niet te bellen" right after a crisis text:
    the right number again with one calm next step, never the role menu."""

    def name(self) -> str:
        return contract.ACTION_CRISIS_FOLLOWUP

    async def run(self, dispatcher, tracker, domain):
        kind = crisis.normalise_kind(tracker.get_slot(contract.SLOT_CRISIS))
        language = language_of(tracker)
        # One line for what the visitor wrote (afraid to call, fear, doubt, what happens
        # after a call), then the number: not the same text word for word each time.
        topic = crisis_followup.followup_topic((tracker.latest_message or {}).get("text") or "")
        line = crisis_followup.TOPIC_TEXT.get(topic or "")
        if topic == "afraid_to_call" and kind == crisis.SUICIDE:
            line = None  # the suicide follow-up itself says "Bellen is moeilijk? Chat dan ..."
        key = crisis.FOLLOWUP_FOR_KIND[kind]
        if topic in crisis_followup.TOPIC_REPLACES and not latest_danger(tracker).get("kind"):
            key = crisis_followup.TOPIC_REPLACES[topic]  # "ik heb 112 gebeld", and no new alarm
        followup = render(key, language, self.facts)
        if line:
            followup = render(line, language, self.facts) + "\n" + followup
        dispatcher.utter_message(text=followup)
        return []


class ActionClarify(FactsAction):
    """One clarifying question, the role buttons and the contact details."""

    def name(self) -> str:
        return contract.ACTION_CLARIFY

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "clarify", language_of(tracker),
                 button_keys=["family", "professional", "individual", "contact"])
        return []


class ActionOfferMore(FactsAction):
    """After a service explanation: offer other help or contact; remember the role."""

    def name(self) -> str:
        return contract.ACTION_OFFER_MORE

    async def run(self, dispatcher, tracker, domain):
        # The person in a network gets the number right away (content review M9).
        individual = latest_intent(tracker) == contract.INTENT_ROLE_INDIVIDUAL
        key = "offer_more_with_contact" if individual else "offer_more"
        self.say(dispatcher, key, language_of(tracker), button_keys=["other_help", "contact"])
        text = (tracker.latest_message or {}).get("text") or ""
        role = triage.role_from_intent(latest_intent(tracker), tracker.get_slot(contract.SLOT_ROLE),
                                       role_cues.decide_role(role_cues.cues(text)))
        return [SlotSet(contract.SLOT_ROLE, role)] if role else []


class ActionExplainFamilySupport(FactsAction):
    """For someone worried about a relative, friend or neighbour: call or mail (with the
    number and hours), families do not pay, Familieondersteuning; buttons for more."""

    def name(self) -> str:
        return contract.ACTION_EXPLAIN_FAMILY_SUPPORT

    async def run(self, dispatcher, tracker, domain):
        # A parent who writes more gets a short answer, not the same text again (tryout of
        # 2 December: the family text came word for word two and three times).
        key = "family_support_again" if ran_in_this_session(tracker, self.name()) else "family_support"
        self.say(dispatcher, key, language_of(tracker),
                 button_keys=["familieondersteuning", "other_help", "contact"])
        return []


class ActionListServices(FactsAction):
    """Buttons for the services that fit the visitor's role."""

    def name(self) -> str:
        return contract.ACTION_LIST_SERVICES

    async def run(self, dispatcher, tracker, domain):
        keys = triage.services_to_offer(tracker.get_slot(contract.SLOT_ROLE)) + ["contact"]
        self.say(dispatcher, "list_services", language_of(tracker), button_keys=keys)
        return []


class _SayText(FactsAction, metaclass=abc.ABCMeta):
    """An action that says one text of bot/texts.yml, in the conversation's language."""

    text_key = ""

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, self.text_key, language_of(tracker))
        return []


class ActionExplainPrivacy(_SayText):
    text_key = "privacy"

    def name(self) -> str:
        return contract.ACTION_EXPLAIN_PRIVACY


class ActionExplainInformationSharing(_SayText):
    """Police, reporting, lists, confidentiality: the description does not say, so say so."""

    text_key = "information_sharing"

    def name(self) -> str:
        return contract.ACTION_EXPLAIN_INFORMATION_SHARING


class ActionExplainPractical(_SayText):
    """Waiting times, referrals, home visits: not in the description; a staff member knows."""

    text_key = "practical_unknown"

    def name(self) -> str:
        return contract.ACTION_EXPLAIN_PRACTICAL


class ActionGiveWebsite(_SayText):
    text_key = "website"

    def name(self) -> str:
        return contract.ACTION_GIVE_WEBSITE


class ActionStartOver(FactsAction):
    """Forget the conversation so far and open a new one, in the same language.

    No action_listen event here: Rasa predicts the next action itself (the rule's
    action_listen). Returning one made Rasa predict on a tracker without a user message,
    which looped into the fallback (found by the soak run).
    """

    def name(self) -> str:
        return contract.ACTION_START_OVER

    async def run(self, dispatcher, tracker, domain):
        language = language_of(tracker)
        self.say(dispatcher, "start_over", language)
        self.say(dispatcher, "intro", language)
        self.say(dispatcher, "ask_role", language, button_keys=["family", "professional", "individual"])
        return [Restarted(), SessionStarted(), SlotSet(contract.SLOT_LANGUAGE, language)]
