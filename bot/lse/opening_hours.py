"""When the LSE phone line is open, and when it opens next.

The clock is always passed in (an aware datetime, any time zone); every answer is
given in the LSE's own time zone (Europe/Amsterdam), so a server that runs in UTC
still gives Dutch times, across both daylight-saving switches.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional
from zoneinfo import ZoneInfo

import holidays
from babel.dates import format_date

from bot.lse.facts import Facts, format_clock

# Look at most this many days ahead for the next opening moment.
MAX_DAYS_AHEAD = 60


_HOLIDAY_LANGUAGES = {"nl": "nl", "en": "en_US"}


@lru_cache(maxsize=16)
def _holiday_calendar(country: str, year: int, language: str = "nl") -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year, language=_HOLIDAY_LANGUAGES.get(language, "nl"))


def holiday_name(day: dt.date, facts: Facts, language: str = "nl") -> Optional[str]:
    """The name of the public holiday or extra closure on this day, or None."""
    for closure in facts.extra_closures:
        if closure.date == day:
            return closure.reason or None
    return _holiday_calendar(facts.public_holidays_country, day.year, language).get(day)


def closure_reason(day: dt.date, facts: Facts) -> Optional[str]:
    """Why the line is closed on this day, or None when it is a working day."""
    for closure in facts.extra_closures:
        if closure.date == day:
            return closure.reason or "extra sluitingsdag"
    holiday = _holiday_calendar(facts.public_holidays_country, day.year).get(day)
    if holiday:
        return holiday
    if day.weekday() not in facts.open_weekdays:
        return "weekend"
    return None


def _local(now: dt.datetime, facts: Facts) -> dt.datetime:
    if now.tzinfo is None or now.tzinfo.utcoffset(now) is None:
        raise ValueError("the clock must give an aware datetime")
    return now.astimezone(ZoneInfo(facts.timezone))


def is_open(now: dt.datetime, facts: Facts) -> bool:
    local = _local(now, facts)
    if closure_reason(local.date(), facts) is not None:
        return False
    return facts.opens <= local.time().replace(tzinfo=None) < facts.closes


def next_opening(now: dt.datetime, facts: Facts) -> dt.datetime:
    """The next moment the line opens, strictly after `now`, in Dutch time."""
    zone = ZoneInfo(facts.timezone)
    local = _local(now, facts)
    day = local.date()
    for _ in range(MAX_DAYS_AHEAD):
        if closure_reason(day, facts) is None:
            moment = dt.datetime.combine(day, facts.opens, tzinfo=zone)
            if moment > local:
                return moment
        day += dt.timedelta(days=1)
    raise RuntimeError("no opening moment found in the next %d days" % MAX_DAYS_AHEAD)


@dataclass(frozen=True)
class Status:
    open: bool
    local_now: dt.datetime
    next_opening: Optional[dt.datetime]
    closes_at: Optional[dt.datetime]


def status(now: dt.datetime, facts: Facts) -> Status:
    local = _local(now, facts)
    if is_open(now, facts):
        closes = dt.datetime.combine(local.date(), facts.closes, tzinfo=ZoneInfo(facts.timezone))
        return Status(open=True, local_now=local, next_opening=None, closes_at=closes)
    return Status(open=False, local_now=local, next_opening=next_opening(now, facts), closes_at=None)


def format_moment(moment: dt.datetime, language: str = "nl") -> str:
    """'maandag 28 december om 9.00 uur' or 'Monday 28 December at 9:00 (Dutch time)'."""
    if language == "en":
        return "{} at {}:{:02d} (Dutch time)".format(
            format_date(moment.date(), "EEEE d MMMM", locale="en_GB"), moment.hour, moment.minute
        )
    return "{} om {} uur".format(
        format_date(moment.date(), "EEEE d MMMM", locale="nl_NL"), format_clock(moment.time())
    )


def format_day(moment: dt.datetime, language: str = "nl") -> str:
    """'maandag 28 december' or 'Monday 28 December'."""
    locale = "en_GB" if language == "en" else "nl_NL"
    return format_date(moment.date(), "EEEE d MMMM", locale=locale)
