"""Danger first: when in doubt between danger and something else, choose danger.

Missing a message about an attack or suicide costs far more than showing the 112/113
numbers once too often, so a danger intent that is nearly as likely as the top intent
wins. Plain logic on an intent ranking (a list of {"name", "confidence"}).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

DANGER_INTENTS = ("danger_acute", "danger_suicide")


def prefer_danger(
    ranking: Sequence[Dict],
    min_confidence: float = 0.25,
    max_gap: float = 0.25,
    danger_intents: Sequence[str] = DANGER_INTENTS,
) -> Optional[Dict]:
    """The danger intent to use instead of the top intent, or None to keep the top one.

    A danger intent is chosen when it is not already on top, has at least
    `min_confidence`, and is at most `max_gap` below the top intent's confidence.
    """
    if not ranking:
        return None
    top = ranking[0]
    if top.get("name") in danger_intents:
        return None
    candidates: List[Dict] = [
        item for item in ranking[1:]
        if item.get("name") in danger_intents
        and item.get("confidence", 0.0) >= min_confidence
        and top.get("confidence", 0.0) - item.get("confidence", 0.0) <= max_gap
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda item: item.get("confidence", 0.0))
