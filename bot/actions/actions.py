"""Thin rasa_sdk glue around the pure logic in bot/lse."""
from __future__ import annotations

import abc
import datetime as dt
import logging
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, Restarted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.lse import opening_hours, triage
from bot.lse.facts import Facts, format_clock, load_facts
from bot.lse.language import DUTCH
from bot.lse.texts import buttons, normalise_language, render

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_FACTS: Optional[Facts] = None


def default_facts() -> Facts:
    global _FACTS
    if _FACTS is None:
        _FACTS = load_facts()
    return _FACTS


def language_of(tracker: Tracker) -> str:
    return normalise_language(tracker.get_slot("language"))


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


class FactsAction(Action, metaclass=abc.ABCMeta):
    """An action that knows the LSE facts; tests may pass their own facts."""

    @abc.abstractmethod
    def name(self) -> Text:
        """The action's name in domain.yml."""

    def __init__(self, facts: Optional[Facts] = None) -> None:
        super().__init__()
        self._facts = facts

    @property
    def facts(self) -> Facts:
        return self._facts or default_facts()

    def say(self, dispatcher: CollectingDispatcher, key: str, language: str,
            button_keys: Optional[List[str]] = None, **extra: str) -> None:
        kwargs: Dict[str, Any] = {"text": render(key, language, self.facts, **extra)}
        if button_keys:
            kwargs["buttons"] = buttons(button_keys, language)
        dispatcher.utter_message(**kwargs)


class ActionSessionStart(FactsAction):
    """Starts a conversation with the opening: who the assistant is, what it does, privacy.

    The language of the opening comes from the channel's metadata (the widget's page
    language, or the language detected in the visitor's first message).
    """

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        language = normalise_language(metadata.get("language") if isinstance(metadata, dict) else None)
        self.say(dispatcher, "intro", language)
        return [SessionStarted(), SlotSet("language", language), ActionExecuted("action_listen")]


class ActionOfferContact(FactsAction):
    """Phone or e-mail, depending on whether the LSE is open right now (Dutch time)."""

    def __init__(self, clock: Clock = utc_now, facts: Optional[Facts] = None) -> None:
        super().__init__(facts)
        self.clock = clock

    def name(self) -> Text:
        return "action_offer_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        now = self.clock()
        state = opening_hours.status(now, self.facts)
        if state.open:
            self.say(dispatcher, "contact_open", language,
                     closes_today=format_clock(state.closes_at.time()) if language == DUTCH
                     else "{}:{:02d}".format(state.closes_at.hour, state.closes_at.minute))
        else:
            reason = opening_hours.holiday_name(state.local_now.date(), self.facts, language)
            reason_text = render("closed_reason_holiday", language, self.facts, holiday=reason) if reason else ""
            self.say(dispatcher, "contact_closed", language,
                     next_opening=opening_hours.format_moment(state.next_opening, language),
                     reason=reason_text)
        return [SlotSet("office_open", state.open)]


class ActionWarnDanger(FactsAction):
    def name(self) -> Text:
        return "action_warn_danger"

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "danger_acute", language_of(tracker))
        return []


class ActionWarnSuicide(FactsAction):
    def name(self) -> Text:
        return "action_warn_suicide"

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "danger_suicide", language_of(tracker))
        return []


class ActionClarify(FactsAction):
    """One clarifying question, the role buttons and the contact details."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "clarify", language_of(tracker),
                 button_keys=["family", "professional", "individual", "contact"])
        return []


class ActionOfferMore(FactsAction):
    """After a service explanation: offer other help or contact; remember the role."""

    def name(self) -> Text:
        return "action_offer_more"

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "offer_more", language_of(tracker), button_keys=["other_help", "contact"])
        role = triage.role_from_intent(latest_intent(tracker), tracker.get_slot("role"))
        return [SlotSet("role", role)] if role else []


class ActionListServices(FactsAction):
    """Buttons for the services that fit the visitor's role."""

    def name(self) -> Text:
        return "action_list_services"

    async def run(self, dispatcher, tracker, domain):
        keys = triage.services_to_offer(tracker.get_slot("role")) + ["contact"]
        self.say(dispatcher, "list_services", language_of(tracker), button_keys=keys)
        return []


class ActionExplainPrivacy(FactsAction):
    def name(self) -> Text:
        return "action_explain_privacy"

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "privacy", language_of(tracker))
        return []


class ActionGiveWebsite(FactsAction):
    def name(self) -> Text:
        return "action_give_website"

    async def run(self, dispatcher, tracker, domain):
        self.say(dispatcher, "website", language_of(tracker))
        return []


class ActionStartOver(FactsAction):
    """Forget the conversation so far and open a new one, in the same language.

    No action_listen event here: Rasa predicts the next action itself (the rule's
    action_listen). Returning one made Rasa predict on a tracker without a user message,
    which looped into the fallback (found by the soak run).
    """

    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher, tracker, domain):
        language = language_of(tracker)
        self.say(dispatcher, "start_over", language)
        self.say(dispatcher, "intro", language)
        self.say(dispatcher, "ask_role", language, button_keys=["family", "professional", "individual"])
        return [Restarted(), SessionStarted(), SlotSet("language", language)]
