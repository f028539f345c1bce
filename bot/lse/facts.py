"""Loads the LSE facts (phone, e-mail, hours, time zone, closures) from bot/lse_facts.yml.

The one place that reads the facts file: the actions, both channels, the widget routes and
the staff app all get their facts (and the time zone they show times in) from here.
`LSE_FACTS_FILE` names another facts file (a test's, or a deployment's own copy).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

FACTS_PATH = Path(__file__).resolve().parent.parent / "lse_facts.yml"
FACTS_FILE_VARIABLE = "LSE_FACTS_FILE"

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Closure:
    date: dt.date
    reason: str = ""


@dataclass(frozen=True)
class Facts:
    organisation: str
    short_name: str
    phone: str
    phone_international: str
    email: str
    website: str
    timezone: str
    open_weekdays: tuple[int, ...]
    opens: dt.time
    closes: dt.time
    public_holidays_country: str
    closed_on_public_holidays: tuple[str, ...]
    extra_closures: tuple[Closure, ...]
    emergency: dict[str, str]
    retention_days: int
    max_message_length: int

    @property
    def zone(self) -> ZoneInfo:
        """The LSE's time zone: opening hours and every time shown to visitors or staff."""
        return ZoneInfo(self.timezone)

    def template_values(self) -> dict[str, str]:
        """Values that response texts may use as {placeholders}."""
        return {
            "phone": self.phone,
            "phone_international": self.phone_international,
            "email": self.email,
            "website": self.website,
            "opens": format_clock(self.opens),
            "closes": format_clock(self.closes),
            "emergency": self.emergency["acute"],
            "police": self.emergency["police"],
            "suicide_line": self.emergency["suicide_prevention"],
            "suicide_line_free": self.emergency["suicide_prevention_free"],
            "retention_days": str(self.retention_days),
            "max_length": str(self.max_message_length),
        }


def format_clock(value: dt.time, language: str = "nl") -> str:
    """9:00 as '9.00' (the Dutch way of writing a time) or, in English, '9:00'."""
    separator = ":" if language == "en" else "."
    return f"{value.hour}{separator}{value.minute:02d}"


def _parse_time(text: str) -> dt.time:
    hours, minutes = str(text).split(":")
    return dt.time(int(hours), int(minutes))


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def facts_from_dict(data: dict[str, Any]) -> Facts:
    hours = data["opening_hours"]
    weekdays = tuple(WEEKDAY_NAMES.index(str(day).lower()) for day in hours["weekdays"])
    closures = tuple(
        Closure(date=_parse_date(item["date"]), reason=str(item.get("reason", "")))
        for item in (data.get("extra_closures") or [])
    )
    facts = Facts(
        organisation=data["organisation"],
        short_name=data["short_name"],
        phone=str(data["phone"]),
        phone_international=str(data["phone_international"]),
        email=data["email"],
        website=data["website"],
        timezone=str(data["timezone"]),
        open_weekdays=weekdays,
        opens=_parse_time(hours["opens"]),
        closes=_parse_time(hours["closes"]),
        public_holidays_country=data["public_holidays_country"],
        closed_on_public_holidays=tuple(str(name) for name in
                                        (data.get("closed_on_public_holidays") or [])),
        extra_closures=closures,
        emergency={key: str(value) for key, value in data["emergency"].items()},
        retention_days=int(data["privacy"]["retention_days"]),
        max_message_length=int(data["chat"]["max_message_length"]),
    )
    if facts.opens >= facts.closes:
        raise ValueError("opening_hours: 'opens' must be before 'closes'")
    ZoneInfo(facts.timezone)  # an unknown time zone is an error when the file is read
    return facts


def facts_path(env: Mapping[str, str] | None = None) -> Path:
    """The facts file: LSE_FACTS_FILE when it is set, else bot/lse_facts.yml."""
    value = (os.environ if env is None else env).get(FACTS_FILE_VARIABLE, "").strip()
    return Path(value) if value else FACTS_PATH


def load_facts(path: Path | None = None) -> Facts:
    """The facts in `path`, else in the file facts_path() names (read anew on every call)."""
    with open(path or facts_path(), encoding="utf-8") as handle:
        return facts_from_dict(yaml.safe_load(handle))


@lru_cache(maxsize=4)
def _cached(path: str) -> Facts:
    return load_facts(Path(path))


def current_facts() -> Facts:
    """The facts of facts_path(), read once per file (for code without an app state of its
    own, such as the staff app's time helpers); a process reads its facts at start-up."""
    return _cached(str(facts_path()))
