"""The schedule of the phone line, with the clock passed in."""
import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.lse import opening_hours as oh
from bot.lse.facts import Closure, load_facts

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.timezone.utc
FACTS = load_facts()


def ams(*args):
    return dt.datetime(*args, tzinfo=AMS)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


# The public holidays on which the LSE closes (the list in bot/lse_facts.yml), written out by
# hand (not taken from the library under test). Good Friday (2026-04-03, 2027-03-26) and
# Liberation Day are official holidays but open days: they are not in the facts file's list.
HOLIDAYS = {
    2026: ["2026-01-01", "2026-04-05", "2026-04-06", "2026-04-27",
           "2026-05-14", "2026-05-24", "2026-05-25", "2026-12-25", "2026-12-26"],
    2027: ["2027-01-01", "2027-03-28", "2027-03-29", "2027-04-27",
           "2027-05-06", "2027-05-16", "2027-05-17", "2027-12-25", "2027-12-26"],
}
OPEN_OFFICIAL_HOLIDAYS = ["2026-04-03", "2027-03-26", "2025-05-05", "2030-05-06"]


@pytest.mark.parametrize("day", OPEN_OFFICIAL_HOLIDAYS)
def test_good_friday_and_liberation_day_are_open_days(day):
    date = dt.date.fromisoformat(day)
    assert oh.closure_reason(date, FACTS) is None
    assert oh.holiday_name(date, FACTS) is None
    assert oh.is_open(ams(date.year, date.month, date.day, 12, 0), FACTS)


def test_only_listed_holidays_close_the_line():
    facts = dataclasses.replace(FACTS, closed_on_public_holidays=("Good Friday",))
    assert not oh.is_open(ams(2026, 4, 3, 12, 0), facts)
    assert oh.holiday_name(dt.date(2026, 4, 3), facts, "nl") == "Goede Vrijdag"
    assert oh.is_open(ams(2026, 12, 1, 12, 0), facts)
    assert oh.closure_reason(dt.date(2026, 12, 25), facts) is None  # Christmas not listed here


def test_weekly_hours_come_from_the_facts():
    assert oh.weekly_hours(FACTS, "nl") == "maandag tot en met vrijdag, 9.00 tot 17.00 uur"
    assert oh.weekly_hours(FACTS, "en") == "Monday to Friday, 9:00 to 17:00 (Dutch time)"
    other = dataclasses.replace(FACTS, open_weekdays=(0, 2), opens=dt.time(10, 0))
    assert oh.weekly_hours(other, "nl") == "maandag en woensdag, 10.00 tot 17.00 uur"


@pytest.mark.parametrize("day", HOLIDAYS[2026] + HOLIDAYS[2027])
def test_closed_all_day_on_every_public_holiday(day):
    date = dt.date.fromisoformat(day)
    for hour in (9, 12, 16):
        assert not oh.is_open(ams(date.year, date.month, date.day, hour, 30), FACTS)
    assert oh.closure_reason(date, FACTS) is not None


@pytest.mark.parametrize("year", [2026, 2027])
def test_every_other_weekday_is_a_working_day(year):
    holidays = {dt.date.fromisoformat(d) for d in HOLIDAYS[year]}
    day = dt.date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5 and day not in holidays:
            assert oh.closure_reason(day, FACTS) is None, day
            assert oh.is_open(ams(day.year, day.month, day.day, 12, 0), FACTS), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    "moment, expected",
    [
        (ams(2026, 12, 1, 8, 59), False),
        (ams(2026, 12, 1, 9, 0), True),
        (ams(2026, 12, 1, 16, 59), True),
        (ams(2026, 12, 1, 17, 0), False),
        (ams(2026, 12, 1, 23, 0), False),
        (ams(2026, 12, 5, 12, 0), False),  # Saturday
        (ams(2026, 12, 6, 12, 0), False),  # Sunday
    ],
)
def test_opening_and_closing_minutes_and_weekends(moment, expected):
    assert oh.is_open(moment, FACTS) is expected


def test_spring_daylight_saving_switch_server_in_utc():
    # Summer time starts on Sunday 29 March 2026: 9.00 in Amsterdam is then 7.00 UTC.
    assert not oh.is_open(utc(2026, 3, 27, 7, 59), FACTS)   # Friday, 8.59 CET
    assert oh.is_open(utc(2026, 3, 27, 8, 0), FACTS)        # Friday, 9.00 CET
    assert not oh.is_open(utc(2026, 3, 30, 6, 59), FACTS)   # Monday, 8.59 CEST
    assert oh.is_open(utc(2026, 3, 30, 7, 0), FACTS)        # Monday, 9.00 CEST
    assert oh.is_open(utc(2026, 3, 30, 14, 59), FACTS)      # 16.59 CEST
    assert not oh.is_open(utc(2026, 3, 30, 15, 0), FACTS)   # 17.00 CEST
    nxt = oh.next_opening(utc(2026, 3, 27, 18, 0), FACTS)   # Friday evening
    assert nxt == ams(2026, 3, 30, 9, 0)
    assert nxt.astimezone(UTC) == utc(2026, 3, 30, 7, 0)


def test_autumn_daylight_saving_switch_server_in_utc():
    # Summer time ends on Sunday 25 October 2026: 9.00 in Amsterdam is then 8.00 UTC.
    assert oh.is_open(utc(2026, 10, 23, 7, 0), FACTS)       # Friday, 9.00 CEST
    assert not oh.is_open(utc(2026, 10, 26, 7, 59), FACTS)  # Monday, 8.59 CET
    assert oh.is_open(utc(2026, 10, 26, 8, 0), FACTS)       # Monday, 9.00 CET
    assert not oh.is_open(utc(2026, 10, 26, 16, 0), FACTS)  # 17.00 CET
    nxt = oh.next_opening(utc(2026, 10, 23, 20, 0), FACTS)
    assert nxt.astimezone(UTC) == utc(2026, 10, 26, 8, 0)


def test_next_opening_across_christmas_2026():
    nxt = oh.next_opening(ams(2026, 12, 24, 17, 0), FACTS)
    assert nxt == ams(2026, 12, 28, 9, 0)
    assert oh.format_moment(nxt, "nl") == "maandag 28 december om 9.00 uur"
    assert oh.format_moment(nxt, "en") == "Monday 28 December at 9:00 (Dutch time)"


def test_next_opening_across_easter_2027_and_the_clock_change():
    # Good Friday is an open day; Easter Sunday (also the switch to summer time) and
    # Easter Monday are not.
    assert oh.next_opening(ams(2027, 3, 25, 17, 30), FACTS) == ams(2027, 3, 26, 9, 0)
    nxt = oh.next_opening(ams(2027, 3, 26, 17, 30), FACTS)
    assert nxt == ams(2027, 3, 30, 9, 0)
    assert nxt.astimezone(UTC) == utc(2027, 3, 30, 7, 0)
    assert oh.format_moment(nxt) == "dinsdag 30 maart om 9.00 uur"


def test_a_next_opening_today_or_tomorrow_says_so():
    """The tryout of 2 December: at 6.28 on a Wednesday 'vanaf woensdag 2 december' read oddly."""
    early = oh.next_opening(ams(2026, 12, 2, 6, 28), FACTS)
    assert oh.format_moment(early, "nl", today=dt.date(2026, 12, 2)) == \
        "vandaag (woensdag 2 december) om 9.00 uur"
    evening = oh.next_opening(ams(2026, 12, 2, 20, 0), FACTS)
    assert oh.format_moment(evening, "en", today=dt.date(2026, 12, 2)) == \
        "tomorrow (Thursday 3 December) at 9:00 (Dutch time)"
    christmas = oh.next_opening(ams(2026, 12, 24, 17, 0), FACTS)
    assert oh.format_moment(christmas, "nl", today=dt.date(2026, 12, 24)) == \
        "maandag 28 december om 9.00 uur"


def test_next_opening_is_later_the_same_day_before_nine():
    assert oh.next_opening(ams(2026, 12, 1, 7, 15), FACTS) == ams(2026, 12, 1, 9, 0)


def test_extra_closure_from_config():
    facts = dataclasses.replace(
        FACTS, extra_closures=(Closure(dt.date(2026, 12, 31), "Oudejaarsdag"),))
    assert oh.is_open(ams(2026, 12, 31, 10, 0), FACTS)
    assert not oh.is_open(ams(2026, 12, 31, 10, 0), facts)
    assert oh.closure_reason(dt.date(2026, 12, 31), facts) == "Oudejaarsdag"
    assert oh.holiday_name(dt.date(2026, 12, 31), facts) == "Oudejaarsdag"
    # 31 December closed, 1 January a public holiday, then the weekend: Monday 4 January.
    assert oh.next_opening(ams(2026, 12, 30, 17, 0), facts) == ams(2027, 1, 4, 9, 0)


def test_extra_closure_read_from_a_facts_file(tmp_path):
    import yaml

    from bot.lse.facts import FACTS_PATH
    data = yaml.safe_load(FACTS_PATH.read_text())
    data["extra_closures"] = [{"date": "2026-12-07", "reason": "Studiedag"}]
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(data))
    facts = load_facts(path)
    assert not oh.is_open(ams(2026, 12, 7, 10, 0), facts)
    assert oh.next_opening(ams(2026, 12, 7, 10, 0), facts) == ams(2026, 12, 8, 9, 0)


def test_status_gives_closing_time_when_open_and_next_opening_when_closed():
    open_state = oh.status(utc(2026, 12, 1, 10, 0), FACTS)
    assert open_state.open and open_state.closes_at == ams(2026, 12, 1, 17, 0)
    assert open_state.next_opening is None
    closed = oh.status(utc(2026, 12, 4, 22, 0), FACTS)  # Friday 23.00
    assert not closed.open and closed.next_opening == ams(2026, 12, 7, 9, 0)


def test_a_naive_clock_is_refused():
    with pytest.raises(ValueError):
        oh.is_open(dt.datetime(2026, 12, 1, 10, 0), FACTS)
