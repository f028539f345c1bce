"""Is the next message after a crisis text still about the crisis? Pure Python, no Rasa.

Right after a crisis text, a visitor writes "ik durf niet te bellen, hij is mijn broer",
"wat moet ik doen", "hij is nu thuis", "ik weet niet of hij het meent" or "ik wil niet dat
hij vast komt te zitten". The intent classifier reads such a message on its own and may
find a role or a practical question in it: the visitor then gets a menu while someone may
be in danger. The channel tells the NLU when the conversation's last answer was a crisis
text (`CRISIS_ACTIONS`); then a message with one of these cues stays in the crisis path
(bot/nlu/crisis_followup.py), and the follow-up answers it with one line that fits
(`TOPIC_LINES` in bot/texts.yml) before the number.

The cues are written on the output of the danger screen's `normalise` (lower case, no
accents, chat spellings fixed, words on single spaces).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.lse.danger_screen import normalise

__all__ = ["AFTER_CRISIS_KEY", "CRISIS_ACTIONS", "TOPICS", "TOPIC_TEXT", "after_crisis",
           "followup_topic", "is_about_the_crisis", "marked_after_crisis"]

# The actions whose answer is a crisis text or a crisis follow-up (domain.yml).
CRISIS_ACTIONS = frozenset({"action_warn_danger", "action_warn_suicide", "action_crisis_followup"})
# The metadata key the channel sets on a message that answers a crisis text.
AFTER_CRISIS_KEY = "after_crisis"

_WHO = r"(?:hij|ze|zij|hem|haar|he|she|him|her|mijn \S+|my \S+)"
_TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    # Afraid of calling, or calling does not work.
    "afraid_to_call": re.compile(
        r" durf(?:t|de|den)?(?: \S+){0,3} (?:te )?bel"
        r"| (?:bang|eng|moeilijk|spannend|lastig)(?: \S+){0,3} (?:om )?(?:te )?bel"
        r"| bel(?:len)? (?:is|vind ik|voelt)(?: \S+){0,2} (?:eng|moeilijk|spannend|lastig)"
        r"| (?:kan|lukt)(?: \S+){0,3} niet (?:bellen|te bellen)| bellen lukt niet"
        r"| (?:dont|do not|cant|cannot|can not|too scared to|afraid to|scared to)"
        r"(?: \S+){0,2} (?:dare )?(?:to )?(?:call|phone|ring)"
        r"| (?:dont|do not) dare"),
    # What happens to the other person, or to the writer, after a call.
    "consequence": re.compile(
        r" vast (?:\S+ )?(?:zitten|komt te zitten|gezet)| opgepakt| gevangenis| de cel"
        r"| arrest| in de problemen| problemen (?:krijgt|krijgen)| verraad| verraden"
        r"| wat gebeurt er (?:als|met|dan)| what happens (?:if|when|to|then)| in trouble"
        r"| get (?:him|her|them) (?:arrested|in trouble)| betray"),
    # Not sure it is serious.
    "doubt": re.compile(
        rf" (?:weet|ben) (?:\S+ )?niet (?:zeker )?of {_WHO}(?: \S+){{0,2}} (?:meent|serieus)"
        rf"| meent {_WHO} het| overdrijf| overreact| (?:maybe|misschien) (?:\S+ ){{0,3}}(?:niks|niets|nothing)"
        r"| (?:is|was) (?:het|dit) (?:wel |echt |zo |nou )+(?:erg|serieus|ernstig)"
        r"| (?:not sure|dont know) (?:if|whether) (?:he|she|they) (?:means|meant|is serious)"
        r"| (?:is|was) (?:it|this) (?:really )?(?:that )?(?:serious|bad)"),
    # Fear, or asking the other person.
    "fear": re.compile(
        r" ik ben (?:\S+ )?(?:bang|doodsbang|in paniek)| ik (?:schrik|trillen|tril)"
        rf"| durf (?:het )?{_WHO}(?: \S+){{0,2}} niet (?:te )?(?:vragen|zeggen)"
        r"| (?:im|i am) (?:\S+ )?(?:scared|afraid|terrified|panicking)"),
    # What to do now, or where the other person is now.
    "what_now": re.compile(
        r" wat (?:moet|kan|moeten|kunnen|zal|zou) (?:ik|we|wij|je) (?:nu |dan )?(?:\S+ )?doen"
        r"| wat nu| hoe nu verder| wat moet ik| help me| help mij| help ons"
        r"| what (?:should|do|can|must|shall) (?:i|we) do| what now| please help"
        rf"| {_WHO} is (?:nu |net |gewoon |nog )?(?:thuis|weg|hier|boven|buiten|op (?:zijn|haar) kamer|vertrokken)"
        r"| (?:he|she) is (?:at home|home|here|gone|out|upstairs|in (?:his|her) room)"),
}
TOPICS = tuple(_TOPIC_PATTERNS)
# The line in bot/texts.yml that goes before the crisis follow-up for a topic (what_now
# needs none: the follow-up itself says what to do).
TOPIC_TEXT = {"afraid_to_call": "crisis_line_afraid_to_call",
              "consequence": "crisis_line_consequence",
              "doubt": "crisis_line_doubt",
              "fear": "crisis_line_fear"}


def followup_topic(text: str) -> str | None:
    """The first topic (in the order of TOPICS) whose cues the message has, or None."""
    normalised = normalise(text)
    for topic, pattern in _TOPIC_PATTERNS.items():
        if pattern.search(normalised):
            return topic
    return None


def is_about_the_crisis(text: str) -> bool:
    """True when the message has a cue of the crisis: calling, fear, doubt, what now."""
    return followup_topic(text) is not None


def after_crisis(action_names: Iterable[str]) -> bool:
    """True when the last action the assistant ran before the listen (the names from the
    newest backwards, action_listen left out or not) is a crisis text or follow-up."""
    for name in action_names:
        if name == "action_listen":
            continue
        return name in CRISIS_ACTIONS
    return False


def marked_after_crisis(metadata: Mapping[str, Any] | None) -> bool:
    """True when the channel marked the message as an answer to a crisis text."""
    return bool(metadata) and metadata is not None and metadata.get(AFTER_CRISIS_KEY) is True
