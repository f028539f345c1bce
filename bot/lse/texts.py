"""Renders the texts of bot/texts.yml in Dutch or English, filled with LSE facts."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.lse.facts import Facts
from bot.lse.language import DUTCH, SUPPORTED
from bot.lse.opening_hours import weekly_hours, weekly_hours_short

TEXTS_PATH = Path(__file__).resolve().parent.parent / "texts.yml"


@lru_cache(maxsize=4)
def load_texts(path: Path | None = None) -> dict[str, Any]:
    with open(path or TEXTS_PATH, encoding="utf-8") as handle:
        texts: dict[str, Any] = yaml.safe_load(handle)
    return texts


def normalise_language(language: str | None) -> str:
    return language if language in SUPPORTED else DUTCH


def render(key: str, language: str | None, facts: Facts, **extra: str) -> str:
    """The text `key` in `language`, with {placeholders} filled from the facts and `extra`."""
    language = normalise_language(language)
    template = load_texts()[key][language]
    values = facts.template_values()
    values["weekly_hours"] = weekly_hours(facts, language)
    values["hours_short"] = weekly_hours_short(facts, language)
    values.update(extra)
    return str(template.format(**values))


def buttons(keys: Iterable[str], language: str | None) -> list[dict[str, str]]:
    """Rasa-style buttons; the payload is plain text that the NLU understands."""
    table = load_texts()["buttons"]
    result = []
    for key in keys:
        title, payload = table[key][normalise_language(language)]
        result.append({"title": title, "payload": payload})
    return result
