"""When the LSE phone line is open, and when it opens next.

The clock is always passed in (an aware datetime, any time zone); every answer is
given in the LSE's own time zone (`timezone` in bot/lse_facts.yml, Europe/Amsterdam), so
a server that runs in UTC still gives Dutch times, across both daylight-saving switches.
Every text about the hours (the weekly hours, a moment, a clock time) is written here or
by bot.lse.facts.format_clock, from the facts file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays
from babel.dates import format_date

from bot.lse.facts import Facts, format_clock

# Look at most this many days ahead for the next opening moment.
MAX_DAYS_AHEAD = 60


_HOLIDAY_LANGUAGES = {"nl": "nl", "en": "en_GB"}
# The language of the names in bot/lse_facts.yml (the package's default names for NL).
_FACTS_HOLIDAY_LANGUAGE = "en_US"


@lru_cache(maxsize=32)
def _holiday_calendar(country: str, year: int, language: str = _FACTS_HOLIDAY_LANGUAGE
                      ) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year, language=language)


def closing_holiday(day: dt.date, facts: Facts) -> str | None:
    """The public holiday on this day on which the LSE is closed (its facts-file name), or None.

    Only the holidays listed in the facts file close the line: Good Friday or Liberation
    Day, official holidays that are not listed, are open days.
    """
    name = _holiday_calendar(facts.public_holidays_country, day.year).get(day)
    if not name:
        return None
    for part in str(name).split("; "):  # two holidays on one day are joined by "; "
        if part in facts.closed_on_public_holidays:
            return part
    return None


def _localised_holiday(day: dt.date, facts: Facts, language: str) -> str | None:
    if closing_holiday(day, facts) is None:
        return None
    calendar = _holiday_calendar(facts.public_holidays_country, day.year,
                                 _HOLIDAY_LANGUAGES.get(language, "nl"))
    return calendar.get(day)


def holiday_name(day: dt.date, facts: Facts, language: str = "nl") -> str | None:
    """Why the line is closed on this (week)day, in `language`: an extra closure's reason or
    the name of a closing public holiday; None when it is not such a day."""
    for closure in facts.extra_closures:
        if closure.date == day:
            return closure.reason or None
    return _localised_holiday(day, facts, language)


def is_extra_closure(day: dt.date, facts: Facts) -> bool:
    return any(closure.date == day for closure in facts.extra_closures)


def closure_reason(day: dt.date, facts: Facts) -> str | None:
    """Why the line is closed on this day, or None when it is a working day."""
    for closure in facts.extra_closures:
        if closure.date == day:
            return closure.reason or "extra sluitingsdag"
    holiday = _localised_holiday(day, facts, "nl")
    if holiday:
        return holiday
    if day.weekday() not in facts.open_weekdays:
        return "weekend"
    return None


_DAY_NAMES = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


# Short day names (Monday first), also the staff app's ("di 01-12-2026 10:00").
SHORT_DAY_NAMES = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def weekly_hours_short(facts: Facts, language: str = "nl") -> str:
    """'ma t/m vr 9.00-17.00 uur' / 'Mon-Fri 9:00-17:00 Dutch time', from the facts file."""
    language = "en" if language == "en" else "nl"
    names = SHORT_DAY_NAMES[language]
    days = sorted(facts.open_weekdays)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        span = (f"{names[days[0]]}-{names[days[-1]]}" if language == "en"
                else f"{names[days[0]]} t/m {names[days[-1]]}")
    else:
        span = ", ".join(names[day] for day in days)
    opens, closes = format_clock(facts.opens, language), format_clock(facts.closes, language)
    return f"{span} {opens}-{closes} Dutch time" if language == "en" else f"{span} {opens}-{closes} uur"


def weekly_hours(facts: Facts, language: str = "nl") -> str:
    """'maandag tot en met vrijdag, 9.00 tot 17.00 uur' / 'Monday to Friday, 9:00 to 17:00
    (Dutch time)', from the facts file."""
    language = "en" if language == "en" else "nl"
    names = _DAY_NAMES[language]
    days = sorted(facts.open_weekdays)
    if days and days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        span = ("{} to {}" if language == "en" else "{} tot en met {}").format(
            names[days[0]], names[days[-1]])
    else:
        words = [names[day] for day in days]
        joiner = " and " if language == "en" else " en "
        span = joiner.join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
    opens, closes = format_clock(facts.opens, language), format_clock(facts.closes, language)
    if language == "en":
        return f"{span}, {opens} to {closes} (Dutch time)"
    return f"{span}, {opens} tot {closes} uur"


def _local(now: dt.datetime, facts: Facts) -> dt.datetime:
    if now.tzinfo is None or now.tzinfo.utcoffset(now) is None:
        raise ValueError("the clock must give an aware datetime")
    return now.astimezone(facts.zone)


def is_open(now: dt.datetime, facts: Facts) -> bool:
    local = _local(now, facts)
    if closure_reason(local.date(), facts) is not None:
        return False
    return facts.opens <= local.time().replace(tzinfo=None) < facts.closes


def next_opening(now: dt.datetime, facts: Facts) -> dt.datetime:
    """The next moment the line opens, strictly after `now`, in Dutch time."""
    zone = facts.zone
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
    next_opening: dt.datetime | None
    closes_at: dt.datetime | None


def status(now: dt.datetime, facts: Facts) -> Status:
    local = _local(now, facts)
    if is_open(now, facts):
        closes = dt.datetime.combine(local.date(), facts.closes, tzinfo=facts.zone)
        return Status(open=True, local_now=local, next_opening=None, closes_at=closes)
    return Status(open=False, local_now=local, next_opening=next_opening(now, facts), closes_at=None)


_RELATIVE_DAYS = {"nl": ("vandaag", "morgen"), "en": ("today", "tomorrow")}


def format_moment(moment: dt.datetime, language: str = "nl", today: dt.date | None = None) -> str:
    """'maandag 28 december om 9.00 uur' or 'Monday 28 December at 9:00 (Dutch time)'.

    With `today` (the local date now), a moment today or tomorrow says so first:
    'vandaag (woensdag 2 december) om 9.00 uur', 'tomorrow (Thursday 3 December) at 9:00'.
    """
    clock = format_clock(moment.time(), language)
    day = format_day(moment, language)
    if today is not None and 0 <= (moment.date() - today).days <= 1:
        word = _RELATIVE_DAYS["en" if language == "en" else "nl"][(moment.date() - today).days]
        day = f"{word} ({day})"
    if language == "en":
        return f"{day} at {clock} (Dutch time)"
    return f"{day} om {clock} uur"


def format_day(moment: dt.datetime, language: str = "nl") -> str:
    """'maandag 28 december' or 'Monday 28 December'."""
    locale = "en_GB" if language == "en" else "nl_NL"
    return format_date(moment.date(), "EEEE d MMMM", locale=locale)
