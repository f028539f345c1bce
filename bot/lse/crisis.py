"""The crisis path: which crisis text and which follow-up fit a danger message. No Rasa.

The danger screen (bot/lse/danger_screen.py) says what kind of danger a message holds and
whether it is imminent; the classifier's danger intent says at least harm to others
(danger_acute) or suicide (danger_suicide). Together they choose the text:
- suicide, not imminent: 113 (and 112 when there is danger now);
- suicide, imminent (tonight, a plan, the means at hand): 112 now, and 113;
- harm to others: 112 first, then the police line;
- threatened by the group: 112 when in danger, the police line to report it, and Forsa.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.lse.danger_screen import HARM_OTHERS, SUICIDE, THREATENED

__all__ = [  # the danger kinds are re-exported for the actions
    "CRISIS_KINDS", "FOLLOWUP_FOR_KIND", "HARM_OTHERS", "SUICIDE", "SUICIDE_IMMINENT",
    "TEXT_FOR_KIND", "THREATENED", "crisis_kind", "first_message_is_danger", "normalise_kind",
]

SUICIDE_IMMINENT = "suicide_imminent"
CRISIS_KINDS = (SUICIDE, SUICIDE_IMMINENT, HARM_OTHERS, THREATENED)

# Keys in bot/texts.yml.
TEXT_FOR_KIND = {
    SUICIDE: "danger_suicide",
    SUICIDE_IMMINENT: "danger_suicide_imminent",
    HARM_OTHERS: "danger_acute",
    THREATENED: "danger_threatened",
}
FOLLOWUP_FOR_KIND = {
    SUICIDE: "crisis_followup_suicide",
    SUICIDE_IMMINENT: "crisis_followup_imminent",
    HARM_OTHERS: "crisis_followup_acute",
    THREATENED: "crisis_followup_threatened",
}


def crisis_kind(intent_kind: str, danger: Mapping[str, Any] | None) -> str:
    """The crisis kind for a danger intent (`intent_kind`: SUICIDE or HARM_OTHERS) and the
    screen's verdict on the same message (its `as_dict()`, or empty)."""
    danger = danger or {}
    screened = danger.get("kind")
    if intent_kind == SUICIDE:
        return SUICIDE_IMMINENT if screened == SUICIDE and danger.get("imminent") else SUICIDE
    if screened == THREATENED:
        return THREATENED
    return HARM_OTHERS


def normalise_kind(kind: str | None) -> str:
    """A stored crisis kind, or harm to others (112 first) when it is unknown."""
    return kind if kind in CRISIS_KINDS else HARM_OTHERS


def first_message_is_danger(metadata: Mapping[str, Any] | None) -> bool:
    """True when the channel's danger screen found danger in the message that starts the
    session (the channel adds the key `danger` with the kind)."""
    return bool(metadata) and metadata is not None and metadata.get("danger") in (
        SUICIDE, HARM_OTHERS, THREATENED)
