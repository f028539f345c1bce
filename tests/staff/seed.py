"""Conversations at a chosen moment, written with Rasa's own SQLTrackerStore and event classes.

The live servers always write "now", and whether the LSE is open depends on the real clock.
For "the worried parent from last night" and for conversations past the retention period,
these helpers write events exactly as Rasa writes them, with timestamps in the past; the
texts of the assistant are rendered from bot/texts.yml like the actions do.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.lse import opening_hours
from bot.lse.facts import load_facts
from bot.lse.texts import buttons, render

FACTS = load_facts()
AMSTERDAM = FACTS.zone  # the LSE's time zone, from the facts file as in the staff app


def last_night(hour: int = 22, minute: int = 40) -> dt.datetime:
    today = dt.datetime.now(AMSTERDAM).date()
    return dt.datetime.combine(today - dt.timedelta(days=1), dt.time(hour, minute), tzinfo=AMSTERDAM)


class Script:
    """Builds the events of one conversation, one second apart."""

    def __init__(self, start: dt.datetime, language: str = "nl") -> None:
        self.clock = start.timestamp()
        self.language = language
        self.events: list[Event] = []
        self.action("action_session_start")
        self.bot(render("intro", language, FACTS))
        self.events.append(SessionStarted(timestamp=self.tick()))
        self.slot("language", language)
        self.action("action_listen")

    def tick(self) -> float:
        self.clock += 1.0
        return self.clock

    def action(self, name: str) -> Script:
        self.events.append(ActionExecuted(name, timestamp=self.tick()))
        return self

    def bot(self, text: str, button_keys: list[str] | None = None) -> Script:
        data: dict[str, Any] = {}
        if button_keys:
            data["buttons"] = buttons(button_keys, self.language)
        self.events.append(BotUttered(text, data=data, timestamp=self.tick()))
        return self

    def slot(self, name: str, value: Any) -> Script:
        self.events.append(SlotSet(name, value, timestamp=self.tick()))
        return self

    def user(self, text: str, intent: str, confidence: float = 0.9) -> Script:
        parse_data = {"text": text, "intent": {"name": intent, "confidence": confidence},
                      "entities": [], "intent_ranking": [{"name": intent, "confidence": confidence}]}
        self.events.append(UserUttered(text, intent=parse_data["intent"], parse_data=parse_data,
                                       timestamp=self.tick(), input_channel="rest"))
        return self

    def contact_closed(self) -> Script:
        self.action("action_offer_contact")
        moment = dt.datetime.fromtimestamp(self.clock, tz=AMSTERDAM)
        state = opening_hours.status(moment.astimezone(dt.timezone.utc), FACTS)
        assert state.next_opening is not None  # a closed line always has a next opening
        self.bot(render("contact_closed", self.language, FACTS, reason="",
                        next_opening=opening_hours.format_moment(
                            state.next_opening, self.language, today=state.local_now.date())))
        self.slot("office_open", False)
        return self.action("action_listen")


def closed_at_or_before(moment: dt.datetime) -> dt.datetime:
    """The latest moment at or before `moment` when the phone line is closed: a script that
    says "closed" must not be dated in opening hours (tests seed "3 hours ago", which in the
    daytime is open)."""
    for _ in range(7 * 24 * 4):
        if all(opening_hours.status((moment + dt.timedelta(minutes=m)).astimezone(dt.timezone.utc),
                                    FACTS).next_opening is not None for m in (0, 10)):
            return moment  # closed, and still closed while the script runs
        moment -= dt.timedelta(minutes=15)
    raise AssertionError("the line is never closed in a week")


def worried_parent(start: dt.datetime | None = None) -> Script:
    """A parent, late in the evening, asks for contact while the LSE is closed."""
    script = Script(closed_at_or_before(start) if start else last_night())
    script.user("Mijn dochter van 15 zit elke nacht in extreemrechtse telegramgroepen, "
                "ik maak me grote zorgen", "role_family", 0.94)
    script.slot("role", "family")
    script.action("utter_explain_family_support")
    script.bot("Wat naar dat je je zorgen maakt. Het LSE helpt ouders en andere naasten met "
               "Familieondersteuning.", ["other_help", "contact"])
    script.action("action_listen")
    script.user("Contact met een medewerker", "ask_contact", 0.99)
    return script.contact_closed()


def short_conversation(start: dt.datetime, text: str = "ik heb een vraag over radicalisering",
                       intent: str = "role_unclear") -> Script:
    script = Script(start)
    script.user(text, intent, 0.8)
    script.action("utter_ask_role")
    script.bot(render("ask_role", "nl", FACTS), ["family", "professional", "individual"])
    return script.action("action_listen")


def not_understood(start: dt.datetime) -> Script:
    """A message the assistant did not understand, answered with the clarifying question."""
    script = Script(start)
    script.user("blorp fnerk zzzt", "nlu_fallback", 0.25)
    script.action("action_clarify")
    script.bot(render("clarify", "nl", FACTS), ["family", "professional", "individual", "contact"])
    return script.action("action_listen")


def store_for(db_path: str | None = None, postgres: Any = None) -> SQLTrackerStore:
    if postgres is not None:
        return SQLTrackerStore(dialect="postgresql", host=postgres.host, port=postgres.port,
                               db=postgres.db, username=postgres.user, password=postgres.password)
    return SQLTrackerStore(dialect="sqlite", db=str(db_path))


def write(store: SQLTrackerStore, sender_id: str, script: Script) -> None:
    tracker = DialogueStateTracker.from_events(sender_id, script.events)
    asyncio.run(store.save(tracker))
