"""Issue 12 (4): every text that shows an LSE fact takes it from the one facts file.

A temporary facts file (LSE_FACTS_FILE) with other opening hours, other opening days and
another time zone: the bot's action texts, the widget's page, /api/status and config, and
the staff app's times and days all follow it, and none of them still says the old hours.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import actions
from bot.lse import facts as facts_module
from bot.lse.texts import load_texts, render

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
UTC = dt.timezone.utc
ZONE = ZoneInfo("America/Curacao")  # UTC-4 all year
# What the real facts file says, and must not be said any more with the changed file.
OLD_HOURS = ("9.00", "9:00", "17.00", "17:00", "vrijdag", "Friday", "t/m vr", "Mon-Fri")


@pytest.fixture
def changed(tmp_path, monkeypatch):
    data = yaml.safe_load(facts_module.FACTS_PATH.read_text(encoding="utf-8"))
    data["opening_hours"] = {"weekdays": ["monday", "tuesday", "wednesday", "thursday"],
                             "opens": "08:30", "closes": "16:45"}
    data["timezone"] = "America/Curacao"
    path = tmp_path / "lse_facts.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(facts_module.FACTS_FILE_VARIABLE, str(path))
    facts = facts_module.current_facts()
    assert facts.timezone == "America/Curacao" and facts.open_weekdays == (0, 1, 2, 3)
    return facts


def no_old_hours(text: str) -> bool:
    return not any(old in text for old in OLD_HOURS)


def tracker(language: str) -> Tracker:
    slots: dict[str, Any] = {name: None for name in DOMAIN["slots"]}
    slots["language"] = language
    return Tracker(sender_id="test", slots=slots, latest_message={"intent": {"name": "contact"}},
                   events=[], paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def offer_contact(at: dt.datetime, language: str) -> str:
    dispatcher = CollectingDispatcher()
    action = actions.ActionOfferContact(clock=lambda: at)  # the facts of the facts file
    asyncio.run(action.run(dispatcher, tracker(language), DOMAIN))
    return "\n".join(message["text"] for message in dispatcher.messages)


def test_the_facts_file_is_named_by_lse_facts_file(changed, monkeypatch):
    assert facts_module.facts_path() != facts_module.FACTS_PATH
    assert facts_module.load_facts() == changed
    monkeypatch.delenv(facts_module.FACTS_FILE_VARIABLE)
    assert facts_module.facts_path() == facts_module.FACTS_PATH
    assert facts_module.current_facts().timezone == "Europe/Amsterdam"


def test_an_unknown_time_zone_stops_the_start(tmp_path):
    data = yaml.safe_load(facts_module.FACTS_PATH.read_text(encoding="utf-8"))
    data["timezone"] = "Europe/Amsterdan"
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(Exception, match="Amsterdan"):
        facts_module.load_facts(path)


def test_the_bots_texts_follow_the_facts_file(changed):
    # Tuesday 1 December 2026, 14.00 UTC: 10.00 on Curaçao, open until 16.45.
    open_now = offer_contact(dt.datetime(2026, 12, 1, 14, 0, tzinfo=UTC), "nl")
    assert "Vandaag kan dat tot 16.45 uur" in open_now
    assert "maandag tot en met donderdag, 8.30 tot 16.45 uur" in open_now
    # Thursday 3 December, 21.00 UTC: 17.00 there, closed; Friday is no opening day now.
    closed = offer_contact(dt.datetime(2026, 12, 3, 21, 0, tzinfo=UTC), "nl")
    assert "Bellen kan weer vanaf maandag 7 december om 8.30 uur" in closed
    english = offer_contact(dt.datetime(2026, 12, 3, 21, 0, tzinfo=UTC), "en")
    assert "Monday 7 December at 8:30" in english
    assert "Monday to Thursday, 8:30 to 16:45" in english
    for text in (open_now, closed, english):
        assert no_old_hours(text), text
    # Every text of bot/texts.yml, as the actions render it.
    for key in load_texts():
        if key == "buttons":
            continue
        for language in ("nl", "en"):
            text = render(key, language, changed, next_opening="x", closes_today="x",
                          reason="", holiday="x", closure="x")
            assert no_old_hours(text), (key, language, text)
    assert "ma t/m do 8.30-16.45 uur" in render("family_support", "nl", changed)


def test_domain_responses_state_no_hours_or_days():
    """Responses in domain.yml cannot be filled from the facts file: they say no hours,
    opening days or time zone at all (the actions' texts in bot/texts.yml do)."""
    days = ("maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|"
            "wednesday|thursday|friday|saturday|sunday")
    pattern = re.compile(rf"\b\d{{1,2}}[.:]\d{{2}}\b|\b({days})\b|werkdag|weekday|kantoortijd|"
                         r"kantooruren|office hours|opening hours|openingstijd|dutch time|"
                         r"nederlandse tijd", re.IGNORECASE)
    for name, variations in DOMAIN["responses"].items():
        for variation in variations:
            assert not pattern.search(variation.get("text", "")), (name, variation["text"])


def test_the_widgets_texts_follow_the_facts_file(changed):
    from web.settings import Settings
    from web.widget.routes import WidgetApp, status_payload, widget_config

    state = WidgetApp(Settings())  # what /, /over-ons and /api/* use
    assert state.facts == changed
    page = state.page("home.html", current="home").body.decode()
    assert "maandag tot en met donderdag, 8.30 tot 16.45 uur" in page and no_old_hours(page)
    thursday_evening = dt.datetime(2026, 12, 3, 21, 0, tzinfo=UTC)
    status = status_payload(thursday_evening, state.facts, "nl")  # /api/status?lang=nl
    assert status["text"] == "Nu gesloten · maandag 7 december weer bereikbaar vanaf 8.30 uur"
    assert status["next_opening"] == "2026-12-07T08:30:00-04:00"
    english = status_payload(thursday_evening, state.facts, "en")
    assert english["text"].startswith("Closed now · available again Monday 7 December from 8:30")
    early = status_payload(dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC), state.facts, "nl")
    assert early["text"] == "Nu gesloten · vandaag weer bereikbaar vanaf 8.30 uur"  # 8.00 there
    open_now = status_payload(dt.datetime(2026, 12, 1, 14, 0, tzinfo=UTC), state.facts, "nl")
    assert open_now["open"] and open_now["closes_at"] == "2026-12-01T16:45:00-04:00"
    assert no_old_hours(json.dumps(widget_config(state.facts), ensure_ascii=False))


def test_the_staff_apps_times_and_days_follow_the_facts_file(changed):
    from web.staff import queries, routes

    moment = dt.datetime(2026, 12, 1, 3, 30, tzinfo=UTC).timestamp()  # 23.30 the day before
    local = queries.local(moment)
    assert local.utcoffset() == dt.timedelta(hours=-4)
    assert routes._format_datetime(local) == "ma 30-11-2026 23:30"
    assert routes._format_time(local) == "23:30"
    # A day in the list's date filter and the overview is a day on Curaçao.
    assert queries.day_start(dt.date(2026, 12, 1)) == dt.datetime(2026, 12, 1, tzinfo=ZONE).timestamp()
    assert queries.zone() == ZONE
