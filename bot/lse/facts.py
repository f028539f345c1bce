"""Loads the LSE facts (phone, e-mail, hours, closures) from bot/lse_facts.yml."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import yaml

FACTS_PATH = Path(__file__).resolve().parent.parent / "lse_facts.yml"

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
    open_weekdays: Tuple[int, ...]
    opens: dt.time
    closes: dt.time
    public_holidays_country: str
    closed_on_public_holidays: Tuple[str, ...]
    extra_closures: Tuple[Closure, ...]
    emergency: Dict[str, str]
    retention_days: int
    max_message_length: int

    def template_values(self) -> Dict[str, str]:
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


def format_clock(value: dt.time) -> str:
    """9:00 -> '9.00', the Dutch way of writing a time."""
    return f"{value.hour}.{value.minute:02d}"


def _parse_time(text: str) -> dt.time:
    hours, minutes = str(text).split(":")
    return dt.time(int(hours), int(minutes))


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def facts_from_dict(data: Dict[str, Any]) -> Facts:
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
        timezone=data["timezone"],
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
    return facts


def load_facts(path: Optional[Path] = None) -> Facts:
    with open(path or FACTS_PATH, encoding="utf-8") as handle:
        return facts_from_dict(yaml.safe_load(handle))
