"""The crisis path: which crisis text and which follow-up fit a danger message. No Rasa.

The danger screen (bot/lse/danger_screen.py) says what kind of danger a message holds and
whether it is imminent; the classifier's danger intent says at least harm to others
(danger_acute) or suicide (danger_suicide). Together they choose the text:
- suicide, not imminent: 113 (and 112 when there is danger now);
- suicide, imminent (tonight, a plan, the means at hand): 112 now, and 113;
- harm to others: 112 first, then the police line;
- threatened by the group: 112 when in danger, the police line to report it, and Forsa.

A weak harm alarm (the danger model or the classifier alone, nothing of now) on a message
that also says clearly who is writing costs only its crisis text: after it the assistant
offers the services of that role (`role_after_crisis`), without a question, so that a "ja"
still gets the crisis follow-up. Alarms of the cue lists, suicide and threat texts stand
alone.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.lse import role_cues
from bot.lse.danger_screen import HARM_OTHERS, SUICIDE, THREATENED
from bot.lse.triage import FAMILY, INDIVIDUAL, PROFESSIONAL, ROLES

__all__ = [  # the danger kinds are re-exported for the actions
    "CRISIS_KINDS", "FOLLOWUP_FOR_KIND", "HARM_OTHERS", "SUICIDE", "SUICIDE_IMMINENT",
    "ROLE_AFTER_CRISIS_TEXT", "TEXT_FOR_KIND", "THREATENED", "crisis_kind", "crisis_slot_after",
    "first_message_is_danger", "normalise_kind", "role_after_crisis",
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

# After a harm alarm: the services of the role the same message shows (keys in bot/texts.yml).
ROLE_AFTER_CRISIS_TEXT = {
    FAMILY: "after_crisis_family",
    PROFESSIONAL: "after_crisis_professional",
    INDIVIDUAL: "after_crisis_individual",
}
_ROLE_OF_INTENT = {"role_family": FAMILY, "role_professional": PROFESSIONAL,
                   "role_individual": INDIVIDUAL}
_DANGER_INTENTS = frozenset({"danger_acute", "danger_suicide"})
# The cue the danger screen gives an alarm of its statistical model (bot/nlu/danger_screen.py),
# and the cues of now or of the means at hand it adds to a signal.
_MODEL_CUE = "model"
_NOW_CUES = frozenset({"now", "now_weak", "at_hand"})


def role_after_crisis(kind: str, danger: Mapping[str, Any] | None,
                      ranking: Sequence[Mapping[str, Any]] | None, text: str,
                      current_role: str | None = None) -> str | None:
    """The role whose services follow a crisis text, or None.

    `kind` is the crisis kind of the text (`crisis_kind`), `danger` the screen's verdict on
    the message, `ranking` the message's intent ranking (the danger intent first, then what
    the classifier and the role cues made of the message), `text` the message.

    Only the weak harm alarms are followed: those of the screen's statistical model alone
    or of the classifier alone, without a cue of now or of the means at hand. An alarm of
    the cue lists (a weapon, an attack plan, a bomb, "er is gevaar") stands alone, and so
    does every suicide and threat text. Then only when the conversation has no role yet,
    the best intent under the danger intent is a role, and the role cues of the message
    (bot/lse/role_cues.py) say the same role: "ik zit in een groep en we plannen ..." is
    never answered with the services for professionals.
    """
    danger = danger or {}
    if kind != HARM_OTHERS or current_role in ROLES:
        return None
    cues = list(danger.get("cues") or ())
    screened = bool(danger.get("kind"))
    if screened and (not cues or cues[0] != _MODEL_CUE):
        return None  # the cue lists raised it
    if _NOW_CUES & set(cues):
        return None
    role = None
    for item in ranking or ():
        name = item.get("name")
        if name in _DANGER_INTENTS:
            continue
        role = _ROLE_OF_INTENT.get(str(name))
        break
    if role is None or role_cues.decide_role(role_cues.cues(text)) != role:
        return None
    return role


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


def crisis_slot_after(current: str | None, kind: str, danger: Mapping[str, Any] | None) -> str:
    """The crisis the conversation is in after a crisis text of `kind` (what the follow-ups
    answer). A suicide alarm of the danger model alone does not replace a crisis of harm or
    threat: its own text names 113, and the follow-ups keep 112 first (the harm and threat
    follow-ups name 113 too). Everything else replaces it."""
    cues = list((danger or {}).get("cues") or ())
    model_only = bool(cues) and cues[0] == "model"
    if current in (HARM_OTHERS, THREATENED) and kind == SUICIDE and model_only:
        return current
    return kind


def normalise_kind(kind: str | None) -> str:
    """A stored crisis kind, or harm to others (112 first) when it is unknown."""
    return kind if kind in CRISIS_KINDS else HARM_OTHERS


def first_message_is_danger(metadata: Mapping[str, Any] | None) -> bool:
    """True when the channel's danger screen found danger in the message that starts the
    session (the channel adds the key `danger` with the kind)."""
    return bool(metadata) and metadata is not None and metadata.get("danger") in (
        SUICIDE, HARM_OTHERS, THREATENED)
