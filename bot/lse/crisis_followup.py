"""Is the next message after a crisis text still about the crisis? Pure Python, no Rasa.

Right after a crisis text, a visitor writes "ik durf niet te bellen, hij is mijn broer",
"wat moet ik doen", "hij is nu thuis", "ik weet niet of hij het meent" or "ik wil niet dat
hij vast komt te zitten". The intent classifier reads such a message on its own and may
find a role or a practical question in it: the visitor then gets a menu while someone may
be in danger. bot/nlu/crisis_followup.py sees the conversation's last action (Rasa hands
the tracker to the NLU); `keeps_in_crisis` says whether the message stays in the crisis
path, and the follow-up answers it with one line that fits (`TOPIC_TEXT`, keys in
bot/texts.yml) before the number.

Right after a crisis text every topic counts. After a crisis follow-up only the topics
that are about the call itself (afraid to call, what happens after it, doubt) or where the
other person is now ("hij is nu thuis"): "wat kan ik doen als ouder" or "ik ben bang dat
hij me niet meer vertrouwt" then go on as questions, so nobody is kept in the crisis path
for good.

The cues are written on the output of the danger screen's `normalise` (lower case, no
accents, chat spellings fixed, words on single spaces, a space at both ends).
"""
from __future__ import annotations

import re

from bot.lse.danger_screen import normalise

__all__ = ["CRISIS_TEXT_ACTIONS", "FOLLOWUP_ACTION", "TOPICS", "TOPIC_TEXT", "followup_topic",
           "keeps_in_crisis"]

# The actions whose answer is a crisis text, and the crisis follow-up (domain.yml).
CRISIS_TEXT_ACTIONS = frozenset({"action_warn_danger", "action_warn_suicide"})
FOLLOWUP_ACTION = "action_crisis_followup"
# The topics that still count after a follow-up: about the call itself, or where the
# other person is now.
_TOPICS_AFTER_FOLLOWUP = frozenset({"afraid_to_call", "consequence", "doubt", "status"})

_WHO = r"(?:hij|ie|ze|zij|hem|haar|he|she|him|her|het|dit|mijn \S+|my \S+)"
_RELATIVE = (r"(?:zoon|dochter|broer|zus|zusje|broertje|vader|moeder|kind|man|vrouw|partner"
             r"|vriend|vriendin|neef|nicht|oom|tante|leerling|client|clientje)")
_CALL = r"(?:bel|bellen|belle|belt|belde|call|phone|ring)(?= )"
_TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    # Afraid of calling, or calling does not work.
    "afraid_to_call": re.compile(
        rf" durf(?:t|de|den)?(?: \S+){{0,5}} (?:te )?{_CALL}"
        rf"| (?:bang|eng|moeilijk|spannend|lastig)(?: \S+){{0,3}} (?:om )?(?:te )?{_CALL}"
        rf"| {_CALL} (?:is|vind ik|voelt)(?: \S+){{0,2}} (?:eng|moeilijk|spannend|lastig)"
        rf"| (?:kan|lukt)(?: \S+){{0,3}} niet (?:te )?{_CALL}| bellen lukt niet"
        rf"| (?:dont|do not|cant|cannot|can not|too scared to|afraid to|scared to)"
        rf"(?: \S+){{0,2}} (?:dare )?(?:to )?{_CALL}"
        r"| (?:dont|do not) dare"),
    # What happens to the other person, or to the writer, after a call.
    "consequence": re.compile(
        r" vast (?:\S+ )?(?:zitten|komt te zitten|gezet)| opgepakt| gevangenis| de cel(?= )"
        r"| arrest\S*| in de problemen| problemen (?:krijgt|krijgen)| verraad| verraden"
        r"| strafblad| aangeven| aangifte| criminal record| report (?:him|her|them|my \S+)"
        rf"| wat gebeurt er (?:dan|als ik (?:\S+ ){{0,3}}{_CALL}|met (?:hem|haar|hun|mijn {_RELATIVE})(?= ))"
        r"| what happens (?:then|if i (?:\S+ ){0,3}call|when i call|to (?:him|her|them|my \S+))"
        r"| in trouble| get (?:him|her|them) (?:arrested|in trouble)| betray"),
    # Not sure it is serious.
    "doubt": re.compile(
        rf" (?:weet|ben) (?:\S+ )?niet (?:zeker )?of {_WHO}(?: \S+){{0,2}} (?:meent|serieus|echt)"
        rf"| meent {_WHO} het| overdrijf| overreact| (?:maybe|misschien) (?:\S+ ){{0,3}}(?:niks|niets|nothing)"
        r"| (?:is|was) (?:het|dit) (?:wel |echt |zo |nou )+(?:erg|serieus|ernstig)"
        r"| (?:not sure|dont know) (?:if|whether) (?:he|she|they|it) (?:means|meant|is serious|is real)"
        r"| (?:is|was) (?:it|this) (?:really )?(?:that )?(?:serious|bad)"),
    # Fear, or asking the other person.
    "fear": re.compile(
        r" ik ben (?:\S+ ){0,2}(?:bang|doodsbang|in paniek)| ik (?:schrik|trillen|tril)(?= )"
        rf"| durf (?:het )?{_WHO}(?: \S+){{0,2}} niet (?:te )?(?:vragen|zeggen)"
        r"| (?:im|i am) (?:\S+ ){0,2}(?:scared|afraid|terrified|panicking)"),
    # What to do now.
    "what_now": re.compile(
        r" wat (?:moet|kan|moeten|kunnen|zal|zou) (?:ik|we|wij|je) (?:nu |dan )?(?:\S+ )?doen"
        r"| wat nu| hoe nu verder| wat moet ik| help me| help mij| help ons"
        r"| what (?:should|do|can|must|shall) (?:i|we) do| what now| please help"),
    # Where the other person is now.
    "status": re.compile(
        rf" {_WHO} is (?:nu |net |nog )?(?:thuis|weg|hier|boven|buiten|op (?:zijn|haar) kamer|vertrokken)(?= )"
        r"| (?:he|she) is (?:at home|home|here|gone|out|upstairs|in (?:his|her) room)(?= )"),
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


def keeps_in_crisis(previous_action: str | None, text: str) -> bool:
    """True when a message stays in the crisis path: `previous_action` (the conversation's
    last action before this message, action_listen left out) is a crisis text and the
    message has a cue of the crisis, or it is a crisis follow-up and the cue is about the
    call itself."""
    if previous_action in CRISIS_TEXT_ACTIONS:
        return followup_topic(text) is not None
    if previous_action == FOLLOWUP_ACTION:
        return followup_topic(text) in _TOPICS_AFTER_FOLLOWUP
    return False
