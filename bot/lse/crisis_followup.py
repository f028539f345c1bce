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

__all__ = ["CRISIS_TEXT_ACTIONS", "FOLLOWUP_ACTION", "TOPICS", "TOPIC_REPLACES", "TOPIC_TEXT", "UNSURE_BELOW",
           "followup_topic", "keeps_in_crisis", "repeats_the_crisis"]

# The actions whose answer is a crisis text, and the crisis follow-up (domain.yml).
CRISIS_TEXT_ACTIONS = frozenset({"action_warn_danger", "action_warn_suicide"})
FOLLOWUP_ACTION = "action_crisis_followup"
# The topics that still count after a follow-up: about the call itself, or where the
# other person is now.
_TOPICS_AFTER_FOLLOWUP = frozenset({"called", "afraid_to_call", "consequence", "doubt", "status"})
# Right after a crisis text, a message the classifier is this unsure about is read as a
# follow-up too ("hij zit nu beneden tv te kijken" was opening hours at 0.21): a real
# question ("wat kost het", "wat is familieondersteuning") comes at 0.99.
UNSURE_BELOW = 0.6

_WHO = r"(?:hij|ie|ze|zij|hem|haar|he|she|him|her|het|dit|mijn \S+|my \S+)"
_RELATIVE = (r"(?:zoon|dochter|broer|zus|zusje|broertje|vader|moeder|kind|man|vrouw|partner"
             r"|vriend|vriendin|neef|nicht|oom|tante|leerling|client|clientje)")
_CALL = r"(?:bel|bellen|belle|belt|belde|call|phone|ring)(?= )"
# English contractions arrive expanded ("do not", "can not", "i am", "he is"): normalise().
_TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    # The visitor has called an emergency line already: no "bel nu 112" again. Only with an
    # emergency line (or nothing) as the object, and never when the message also says the
    # call failed or has not happened (_CALL_NOT_DONE).
    "called": re.compile(
        r" (?:ik|we|wij) (?:heb|hebben) (?:al |net |zojuist |nu |zelf )?"
        r"(?:(?:112|113|0800 0113|0900 8844|de politie|politie|de ambulance|een ambulance"
        r"|de hulpdiensten|hulpdiensten|de crisisdienst) )?gebeld(?= )"
        r"| (?:de )?(?:politie|ambulance|hulpdiensten) (?:komt|komen|is|zijn) (?:eraan|er aan|onderweg)(?= )"
        r"| i (?:have |just |already )*called(?: (?:112|113|911|the police|an ambulance|emergency services))?(?= )"
        r"| (?:the )?(?:police|ambulance|emergency services) (?:is|are) (?:on (?:the|their|its) way|coming)(?= )"),
    # Afraid of calling, or calling does not work.
    "afraid_to_call": re.compile(
        rf" (?:durf(?:t|de|den)?|durven)(?: \S+){{0,5}} (?:te )?{_CALL}"
        rf"| (?:bang|eng|moeilijk|spannend|lastig)(?: \S+){{0,3}} (?:om )?(?:te )?{_CALL}"
        rf"| {_CALL} (?:is|vind ik|voelt)(?: \S+){{0,2}} (?:eng|moeilijk|spannend|lastig)"
        rf"| (?:kan|lukt)(?: \S+){{0,3}} niet (?:te )?{_CALL}| bellen lukt niet"
        rf"| (?:do not|can not|too scared to|afraid to|scared to)(?: \S+){{0,2}} (?:dare )?(?:to )?{_CALL}"
        r"| (?:do not|dare not) dare| i (?:do not )?dare not"),
    # What happens to the other person, or to the writer, after a call.
    "consequence": re.compile(
        r" vast (?:\S+ )?(?:zitten|komt te zitten|gezet)| opgepakt| meenemen| meegenomen| gevangenis"
        r"| de cel(?= )| arrest\S*| in de problemen| problemen (?:krijgt|krijgen)| verraad| verraden"
        r"| strafblad| aangeven| aangifte| criminal record| report (?:him|her|them|my \S+)"
        rf"| wat gebeurt er (?:dan|als ik (?:\S+ ){{0,3}}{_CALL}|met (?:hem|haar|hun|mijn {_RELATIVE})(?= ))"
        r"| what happens (?:then|if i (?:\S+ ){0,3}call|when i call|to (?:him|her|them|my \S+))"
        r"| in trouble| get (?:him|her|them) (?:arrested|in trouble)| betray| take (?:him|her) away"),
    # Not sure it is serious.
    "doubt": re.compile(
        rf" (?:weet|ben) (?:\S+ )?niet (?:zeker )?of {_WHO}(?: \S+){{0,2}} (?:meent|serieus|echt)"
        rf"| meent {_WHO} het| overdrijf| (?:maybe|misschien) (?:\S+ ){{0,3}}(?:niks|niets|nothing)"
        r"| (?:is|was) (?:het|dit) (?:wel |echt |zo |nou )+(?:erg|serieus|ernstig)"
        r"| overreact| (?:not sure|do not know) (?:if|whether) (?:he|she|they|it) (?:\S+ )?(?:means|meant|is serious|serious|is real)"
        r"| (?:is|was) (?:it|this) (?:really )?(?:that )?(?:serious|bad)"),
    # Fear, or asking the other person.
    "fear": re.compile(
        r" ik ben (?:\S+ ){0,2}(?:bang|doodsbang|in paniek)| ik (?:schrik|trillen|tril)(?= )"
        rf"| durf (?:het )?{_WHO}(?: \S+){{0,2}} niet (?:te )?(?:vragen|zeggen)"
        r"| i am (?:\S+ ){0,2}(?:scared|afraid|terrified|panicking)"),
    # What to do now.
    "what_now": re.compile(
        r" wat (?:moet|kan|moeten|kunnen|zal|zou) (?:ik|we|wij|je) (?:nu |dan )?(?:\S+ )?doen"
        r"| wat nu| hoe nu verder| wat moet ik| help me| help mij| help ons"
        r"| what (?:should|do|can|must|shall) (?:i|we) do| what now| please help"),
    # Where the other person is now.
    "status": re.compile(
        rf" {_WHO} (?:is|zit|ligt|staat|loopt) (?:nu|net|nog)(?= )| {_WHO} slaapt"
        rf"| {_WHO} is (?:thuis|weg|hier|boven|beneden|buiten|op (?:zijn|haar) kamer|vertrokken)(?= )"
        r"| (?:he|she) is (?:now |still )?(?:asleep|sleeping|at home|home|here|gone|out|upstairs|downstairs"
        r"|in (?:his|her) room|at work)(?= )"),
}
TOPICS = tuple(_TOPIC_PATTERNS)
# The line in bot/texts.yml that goes before the crisis follow-up for a topic (what_now
# needs none: the follow-up itself says what to do).
TOPIC_TEXT = {"afraid_to_call": "crisis_line_afraid_to_call",
              "consequence": "crisis_line_consequence",
              "doubt": "crisis_line_doubt",
              "fear": "crisis_line_fear"}
# The text in bot/texts.yml that replaces the follow-up for a topic: after "ik heb 112
# gebeld" no "bel nu 112" again.
TOPIC_REPLACES = {"called": "crisis_called"}


# Words that say a call failed, has not happened or is only tried: then no "called".
_CALL_NOT_DONE = re.compile(
    r" (?:maar|but|niet|nog|geen|niemand|nobody|no one|not|never|nooit|geprobeerd|probeer\S*"
    r"|tried|try|trying|durven|durfde|opgehangen|hung|voicemail|bezet|busy|wachtrij|queue|waiting)(?= )")


def followup_topic(text: str) -> str | None:
    """The first topic (in the order of TOPICS) whose cues the message has, or None."""
    normalised = normalise(text)
    for topic, pattern in _TOPIC_PATTERNS.items():
        if topic == "called" and _CALL_NOT_DONE.search(normalised):
            continue
        if pattern.search(normalised):
            return topic
    return None


def keeps_in_crisis(previous_action: str | None, text: str, confidence: float = 1.0) -> bool:
    """True when a message stays in the crisis path. `previous_action` is the conversation's
    last action before this message (action_listen left out), `confidence` the classifier's
    confidence in the message's intent. Right after a crisis text: a cue of the crisis, or a
    classifier that is unsure (below UNSURE_BELOW). After a crisis follow-up: a cue about
    the call itself, doubt, or where the other person is."""
    if previous_action in CRISIS_TEXT_ACTIONS:
        return followup_topic(text) is not None or confidence < UNSURE_BELOW
    if previous_action == FOLLOWUP_ACTION:
        return followup_topic(text) in _TOPICS_AFTER_FOLLOWUP
    return False


def repeats_the_crisis(new_kind: str, crisis_slot: str | None) -> bool:
    """True when the crisis kind of a new alarm (bot/lse/crisis.py crisis_kind: suicide,
    suicide_imminent, harm_others, threatened) adds nothing to the crisis the conversation
    is in (the slot `crisis`): the same kind, imminent suicide after which a plain suicide
    alarm comes, or harm and threat in any order. Suicide after harm, harm after suicide and
    imminent suicide after suicide ("hij heeft nu de pillen in zijn hand") are new."""
    if new_kind == crisis_slot:
        return True
    if new_kind == "suicide":
        return crisis_slot == "suicide_imminent"
    if new_kind in ("harm_others", "threatened"):
        return crisis_slot in ("harm_others", "threatened")
    return False
