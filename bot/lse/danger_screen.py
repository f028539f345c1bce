"""The danger screen: does a message signal suicide, harm to others or a threat to the writer?

Pure Python, no Rasa. It looks at every message in every state of the conversation, on its
own, next to the intent classifier (bot/nlu/danger_screen.py puts its verdict into the NLU
result, where the classifier cannot outvote it). A false alarm costs one kind line with the
crisis numbers; a miss can cost a life. So it is tuned for recall.

How it decides. Crisis lines learned that the words for a *method* or a *plan* (pills, a
named medicine, a rope, a train, a bridge, a date) predict danger better than the word
"suicide" itself, so most signals are combinations of cue groups found in one message:
- suicide: a death wish ("wil niet meer leven", "kill myself"), or an indirect sign
  (farewell letters, giving things away, "better off without me", "not wake up",
  "won't be here next week"), or a method together with a plan or collecting
  (pills + saved up, jump + bridge, train, rope), or the word itself (also misspelt);
- harm to others: a plan to kill or attack, a weapon together with a target, a harm verb
  or a time, a martyrdom or farewell video, a manifesto posted, leaving for a conflict
  area now, a warning ("kom morgen niet naar school");
- threatened: the writer fears for their own safety from the group ("ze weten waar ik
  woon"), which is also harm to others: 112, and the police line to report it;
- imminent: a time (vanavond, nu, morgen), the means at hand ("ze liggen klaar"), a place
  where it could happen now ("ik sta op het dak"), a date or a plan.

Matching works on a normalised copy of the text (lower case, no accents or apostrophes,
words split on anything that is not a letter or digit, letters repeated three or more times
folded), with misspelt key words corrected by edit distance (rapidfuzz). Every pattern is a
literal alternation with bounded gaps on single-spaced tokens, so the time is linear in the
length of the message.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

SUICIDE = "suicide"
HARM_OTHERS = "harm_others"
THREATENED = "threatened"

# The intents the assistant uses for each kind (see domain.yml).
INTENT_FOR_KIND = {SUICIDE: "danger_suicide", HARM_OTHERS: "danger_acute",
                   THREATENED: "danger_acute"}


@dataclass(frozen=True)
class DangerSignal:
    """The screen's verdict on one message. `cues` names what matched, never the text."""

    kind: str | None = None
    imminent: bool = False
    cues: tuple[str, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return self.kind is not None

    @property
    def benign(self) -> bool:
        """No danger, and a benign reading of danger words was recognised."""
        return self.kind is None and any(cue.startswith(BENIGN_PREFIX) for cue in self.cues)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "imminent": self.imminent, "cues": list(self.cues)}


NO_DANGER = DangerSignal()
# Cue names of a recognised benign reading ("wil niet meer leven zoals wij", a past attack).
BENIGN_PREFIX = "benign:"

# ---- normalisation -------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
# Chat spellings and English contractions, applied per token after normalisation.
_TOKEN_MAP = {
    "mn": "mijn", "m'n": "mijn", "k": "ik", "kn": "kan", "wil": "wil", "wl": "wil",
    "wnt": "want", "nie": "niet", "nt": "niet", "ni": "niet", "nimeer": "niet meer",
    "meer": "meer", "mr": "meer", "z": "ze", "zn": "zijn", "dr": "haar", "ff": "even",
    "im": "i am", "ive": "i have", "ill": "i will", "dont": "do not", "wont": "will not",
    "cant": "can not", "cannot": "can not", "didnt": "did not", "doesnt": "does not",
    "isnt": "is not", "wasnt": "was not", "id": "i would", "hes": "he is", "shes": "she is",
    "theyre": "they are", "theyll": "they will", "youre": "you are", "gonna": "going to",
    "wanna": "want to", "u": "you", "ur": "your", "2nite": "tonight", "tonite": "tonight",
    "2morrow": "tomorrow", "tmrw": "tomorrow", "tmr": "tomorrow", "rn": "right now",
    "zelfmoord": "zelfmoord", "suicide": "suicide", "zelf": "zelf",
    "dood": "dood", "doot": "dood", "vnavond": "vanavond", "vanavnd": "vanavond",
    "vannacht": "vannacht", "vanacht": "vannacht", "morge": "morgen", "mrgn": "morgen",
    "pilen": "pillen", "piln": "pillen", "pillz": "pills",
}

# Key words whose misspellings matter (edit distance 1, or 2 for long words).
_FUZZY_KEYS = (
    "zelfmoord", "zelfmoorden", "zelfdoding", "zelfmoordgedachten", "suicide", "suicidal",
    "suicidaal", "afscheidsbrief", "afscheidsbrieven", "afscheidsbericht", "overdosis",
    "overdose", "slaappillen", "paracetamol", "oxazepam", "diazepam", "temazepam",
    "medicijnen", "medicatie", "antidepressiva", "explosieven", "explosives", "vermoorden",
    "neerschieten", "doodschieten", "martelaar", "ophangen", "verhangen", "levenseinde",
)
# Real words one edit away from a key word, never to be "corrected".
_NOT_TYPOS = frozenset({
    "opvangen", "ophalen", "ophangt", "opgehangen", "medicijn", "zelfmoorden",
    "suicides", "overdoses", "martelaars", "ophanging",
})


def _fix_token(token: str) -> str:
    if len(token) < 6 or token in _NOT_TYPOS:
        return token
    for key in _FUZZY_KEYS:
        if token == key:
            return token
        limit = 2 if len(key) >= 10 else 1
        if abs(len(token) - len(key)) > limit:
            continue
        if DamerauLevenshtein.distance(token, key, score_cutoff=limit) <= limit:
            return key
    return token


def normalise(text: str) -> str:
    """Lower case, no accents, words on single spaces, chat spellings and typos fixed."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    tokens: list[str] = []
    for token in text.split():
        token = _TOKEN_MAP.get(token, token)
        tokens.extend(_fix_token(part) for part in token.split())
    return " " + " ".join(tokens) + " "


# ---- cue groups ----------------------------------------------------------------------------
# A phrase is tokens separated by spaces; "*" ends a token that may go on ("pil*" matches
# "pillen"); ".." is a gap of up to four tokens. Patterns run on normalise()'s output.

_GAP = r"(?: \S+){0,4}"


def _phrase(phrase: str) -> str:
    parts = []
    for token in phrase.split():
        if token == "..":
            parts.append(_GAP)
            continue
        word = re.escape(token.rstrip("*")) + (r"\S*" if token.endswith("*") else "")
        parts.append(" " + word)
    return "".join(parts).replace(" " + _GAP, _GAP, 1) if parts and parts[0] == _GAP else "".join(parts)


# For each pattern: the words one of which must be in a message for it to match (each
# phrase's longest literal word; a "*" word as a prefix). Lets screen() skip the patterns.
_KEYS: dict[int, tuple[frozenset[str], tuple[str, ...]]] = {}


def _key_word(phrase: str) -> str:
    words = [word for word in phrase.split() if word != ".."]
    return max(words, key=lambda word: len(word.rstrip("*")) + (0 if word.endswith("*") else 0.5))


def _group(*phrases: str) -> re.Pattern[str]:
    body = "|".join(_phrase(p) for p in phrases)
    pattern = re.compile(r"(?:%s)(?= )" % body)
    keys = [_key_word(phrase) for phrase in phrases]
    _KEYS[id(pattern)] = (frozenset(key for key in keys if not key.endswith("*")),
                          tuple(sorted({key.rstrip("*") for key in keys if key.endswith("*")})))
    return pattern


def _may_match(pattern: re.Pattern[str], tokens: frozenset[str]) -> bool:
    exact, prefixes = _KEYS[id(pattern)]
    if exact & tokens:
        return True
    return bool(prefixes) and any(token.startswith(prefixes) for token in tokens)


_JUMP_VERBS = ("spring", "springen", "springt", "sprong", "gesprongen", "af te springen",
               "naar beneden", "jump", "jumping", "jumped", "throw myself", "gooien")
_HEIGHTS = ("flat", "dak", "brug", "gebouw", "balkon", "hoogte", "parkeergarage", "toren",
            "klif", "viaduct", "verdieping", "raam", "building", "bridge", "roof", "rooftop",
            "balcony", "cliff", "tower", "floor", "window")

CUES: dict[str, re.Pattern[str]] = {
    # -- suicide -------------------------------------------------------------------------
    "suicide_word": _group(
        "zelfmoord", "zelfmoorden", "zelfmoordgedachte*", "zelfmoordpoging*", "zelfdoding",
        "suicide", "suicidaal", "suicidal", "suicidale", "levenseinde", "zelf moord",
        "zichzelf van kant", "mezelf van kant", "mijzelf van kant", "zich van kant", "maak me van kant",
        "maak mij van kant", "ik me van kant", "zelfdodingsgedachte*",
        "doodsgedachte*", "doodswens", "killing myself", "kill my self", "suicde"),
    "death_wish": _group(
        "wil dood", "dood wil", "wil ik .. dood", "wil eigenlijk dood", "wil wel dood", "wou wel dood",
        "wil best dood", "wil eigenlijk wel dood", "niet meer leven",
        "niet langer leven", "wil .. springen", "ga .. springen", "gaat .. springen", "want to jump",
        "going to jump", "hurting myself", "harming myself", "trek het niet meer", "dood wilt", "dood willen", "dood te willen", "dood wou", "wil gewoon dood", "wil echt dood", "wil liever dood", "wil zelf dood", "wil het liefst dood", "wil graag dood", "wilt dood", "wil niet meer leven", "wil niet .. meer leven",
        "niet meer wil leven", "niet meer willen leven", "wil niet langer leven",
        "wil er niet meer zijn", "er niet meer wil zijn", "wil niet meer bestaan",
        "wil niet meer wakker", "liever dood", "was ik maar dood", "wou dat ik dood",
        "wilde dat ik dood", "ik wil sterven", "wil gewoon sterven", "wil liever sterven", "wil echt sterven", "een einde aan mijn leven",
        "een eind aan mijn leven", "een einde aan .. leven", "een eind aan .. leven",
        "er een einde aan", "er een eind aan", "mezelf iets aan*", "mezelf wat aan*",
        "mijzelf iets aan*", "mezelf .. aandoen", "zichzelf .. aandoen", "mezelf wat te doen", "mezelf dood", "mezelf van het leven", "mezelf ophangen",
        "zichzelf iets aan*", "zichzelf dood", "zichzelf ophangen", "zichzelf van het leven",
        "mijn leven beeindigen", "leven te beeindigen", "leven beeindigen", "uit het leven",
        "kill myself", "kill himself", "kill herself", "killing himself", "killing herself",
        "end my life", "end his life", "end her life", "end it all", "ending it all",
        "end it tonight", "end things", "want to die", "wants to die", "wanted to die",
        "wanting to die", "do not want to live", "does not want to live", "want to be dead",
        "wish i was dead", "wish i were dead", "better off dead", "take my own life",
        "take his own life", "take her own life", "take my life", "not want to be alive",
        "not want to be here anymore", "hurt myself", "harm myself", "self harm",
        "zelfbeschadiging", "mezelf snijden", "mezelf pijn", "no reason to live",
        "nothing left to live for", "nothing to live for", "niks meer om voor te leven",
        "niets meer om voor te leven", "geen reden meer om te leven", "geen reden om te leven",
        "geen zin meer in het leven", "geen zin meer in mijn leven", "geen zin meer om te leven",
        "geen zin meer in leven", "het leven heeft geen zin", "leven heeft geen zin",
        "levensmoe", "klaar met het leven", "klaar met leven", "klaar met mijn leven",
        "tired of living", "done with life", "done with living", "sick of living",
        "zie het niet meer zitten", "zie het echt niet meer zitten",
        "zie het allemaal niet meer zitten", "zie het leven niet meer zitten",
        "zie geen uitweg", "geen uitweg meer", "no way out", "see no way out",
        "zie nog maar 1 uitweg", "zie nog maar een uitweg", "zie maar 1 uitweg", "zie maar een uitweg",
        "end it myself", "end it yourself", "er zelf een eind",
        "disappear forever", "voor altijd verdwijnen", "voorgoed verdwijnen", "verdwijnen .. voor altijd",
        "verdwijnen .. voorgoed", "disappear .. forever", "geen reden meer", "no reason anymore",
        "wil slapen en nooit",
        "kan zo niet verder leven", "can not go on living", "can not go on like this",
        "not go on anymore", "give up on life", "opgeven .. leven", "klaar met alles",
        "ben overal klaar mee", "done with everything", "het hoeft voor mij niet meer",
        "hoeft voor mij niet meer", "ik wil dat het ophoudt", "wil dat het stopt",
        "want it to stop", "want it all to stop", "make it stop", "i want it to end",
        "wil dat alles stopt", "ik kan niet meer leven"),
    "burden": _group(
        "beter af zonder mij", "beter af zonder me", "beter zonder mij", "beter zonder me",
        "beter af als ik er niet", "beter als ik er niet", "beter als ik dood",
        "beter af zonder hem", "beter af zonder haar", "beter af .. zonder",
        "better off .. without", "zonder mij beter",
        "better off without me", "better off without him", "better off without her",
        "better without me", "better if i was gone", "better if i were gone",
        "better if i was not here", "better if i were not here", "better if i was dead",
        "tot last", "een last voor", "ben een last", "is een last", "am a burden",
        "a burden to", "a burden for", "niemand zal me missen", "niemand mist me",
        "niemand zou me missen", "niemand zal mij missen", "niemand zou mij missen",
        "no one would miss me", "nobody would miss me", "no one will miss me",
        "nobody will miss me", "no one would notice if", "nobody would notice if",
        "niemand zou het merken als ik", "wereld beter af", "world is better", "world would be better",
        "world better off", "zonder mij .. beter af", "zonder mij .. beter", "without me .. better",
        "beter af zijn zonder", "would be better without", "nobody needs me", "niemand heeft me nodig",
        "ik ben niks waard", "i am worthless", "ik verdien het niet om te leven",
        "do not deserve to live"),
    "not_wake": _group(
        "niet meer wakker", "nooit meer wakker", "niet wakker te worden",
        "niet meer wakker te worden", "not wake up", "never wake up", "not to wake up",
        "sleep forever", "voor altijd slapen", "voor altijd gaan slapen", "eeuwig slapen"),
    # Closing words: the job is done, the problem solved, rest at last, "sorry for everything".
    "closure": _group(
        "sorry voor alles", "sorry for everything", "het is beter zo", "zo is het beter",
        "dat het zo beter is", "het zo beter is", "beter zo", "it is better this way",
        "better this way", "dan is het klaar", "dan is het over", "dan is het voorbij",
        "then it is over", "then it will be over", "eindelijk rust", "rust gaat vinden",
        "rust vinden", "rustig gaan", "kan ik gaan", "finally rest", "finally at peace",
        "find peace", "heb ze toch niet meer nodig", "heb het toch niet meer nodig",
        "niet meer nodig", "will not need it", "will not need them", "wont need",
        "als ik weg ben", "als ik er niet meer ben", "als ik er niet ben", "als ik dood ben",
        "when i am gone", "when i am dead", "after i am gone", "once i am gone",
        "als ze me vinden", "when they find me", "probleem .. opgelost", "problem solved",
        "problem .. solved", "iedereen bedankt", "thanked everyone", "thanks everyone for",
        "ik maak het .. goed", "maak het snel goed", "is het klaar", "is het over",
        "dit is het einde", "this is the end", "het einde", "tot nooit", "take care of my",
        "zorg voor mijn", "voor mijn moeder moet zorgen", "voor zn moeder moet zorgen",
        "voor mijn kat", "look after my", "laatste bericht", "last message", "last text",
        "niks meer te verliezen", "nothing left to lose", "nothing to lose"),
    "wont_be_here": _group(
        "er volgende week niet meer", "er morgen niet meer", "er binnenkort niet meer",
        "er straks niet meer", "er niet meer zijn", "ben er niet meer", "ben er dan niet meer", "er niet lang meer",
        "not want live", "no want live", "do not want live", "not see a way out",
        "do not see a way out", "niet meer verder kan",
        "will not be here", "will not be around", "not be here next", "not be around much",
        "not be around for", "my last night", "my last day", "mijn laatste avond",
        "mijn laatste nacht", "mijn laatste dag", "mijn laatste bericht", "my last message",
        "ben ik er niet meer", "ben ik er toch niet meer", "ik er niet meer ben",
        "er toch niet meer", "will not be here", "not be here anymore", "wont be here",
        "this is goodbye", "dit is mijn afscheid", "dit is een afscheid", "vaarwel",
        "goodbye forever", "voor altijd dag", "voorgoed weg"),
    "farewell": _group(
        "afscheidsbrief", "afscheidsbrieven", "afscheidsbericht*", "afscheidsbriefje*",
        "afscheidsvideo", "afscheidsfilmpje*", "afscheid genomen", "afscheid nemen van iedereen",
        "afscheid aan het nemen", "brief .. geschreven .. afscheid", "brieven geschreven voor", "brieven voor mijn kinderen",
        "brief voor mijn kinderen", "brieven aan iedereen", "brieven voor iedereen", "letters to my", "letters for my", "iedereen gedag",
        "iedereen dag gezegd", "iedereen vaarwel", "goodbye letter*", "goodbye note*",
        "goodbye message*", "farewell letter*", "farewell note*", "farewell message*",
        "farewell video*", "suicide note*", "said goodbye to everyone", "saying goodbye to everyone",
        "wrote letters to", "written letters to", "wrote goodbye", "left a note",
        "spullen weggegeven", "spullen weg te geven", "alles weggegeven", "geeft .. spullen weg",
        "geef .. spullen weg", "gaf .. spullen weg", "dingen weggegeven", "deel mijn spullen uit",
        "giving away my", "giving away his", "giving away her", "gave away my", "gave away his",
        "gave away her", "gave away all", "giving away all", "laatste bericht*", "last messages",
        "datum gekozen", "datum geprikt", "een datum gekozen", "picked a date", "chosen a date",
        "set the date", "alles geregeld", "arranged everything", "sorted out my", "wachtwoorden",
        "passwords",
        "regelen voor als ik", "alles geregeld voor als", "sorted everything out for when",
        "tot ziens iedereen", "dag iedereen", "bye everyone", "goodbye everyone", "het was mooi",
        "it was nice knowing", "testament geregeld", "testament opgesteld", "testament gemaakt",
        "made my will", "wrote my will", "uitvaart*", "funeral", "begrafenis geregeld",
        "naar mijn begrafenis", "op mijn begrafenis", "begrafenis zou komen",
        # a note that comforts those left behind
        "note .. do not be sad", "briefje .. niet verdrietig", "brief .. niet verdrietig"),
    # "jullie zien me maandag niet meer": gone, when it comes with a moment or a farewell.
    "not_seen_again": _group(
        "zien me .. niet meer", "zien mij .. niet meer", "zie je me .. niet meer",
        "never see me again", "will not see me again"),
    "meds": _group(
        "pil*", "tablet*", "medicijn*", "medicatie", "medicine*", "medication*", "meds",
        "paracetamol", "oxazepam", "diazepam", "temazepam", "lorazepam", "insuline",
        "insulin", "slaappil*", "slaapmiddel*", "slaaptablet*", "antidepressiva",
        "antidepressant*", "lithium", "oxycodon", "oxycodone", "morfine", "morphine",
        "ibuprofen", "tramadol", "fentanyl", "seroquel", "quetiapine", "quetiapine",
        "rattengif", "poison", "bleach", "drugs"),
    "collect": _group(
        "verzameld", "verzamelen", "verzamel", "gespaard", "opgespaard", "gespaart", "spaar",
        "sparen", "bewaard", "opgepot", "oppotten", "ingeslagen", "liggen klaar", "ligt klaar",
        "klaarliggen", "klaar liggen", "klaargelegd", "allemaal innemen", "alles innemen",
        "in een keer", "in 1 keer", "tegelijk innemen", "alles tegelijk", "allemaal tegelijk",
        "hele strip", "hele doos", "hele pot", "hele potje", "potje vol", "stapel",
        "saved up", "saving up", "stockpil*", "hoard*", "collected", "collecting",
        "all at once", "all of them", "whole bottle", "whole box", "whole pack", "enough to",
        "genoeg om", "genoeg voor", "overdosis", "overdose", "dodelijk*", "lethal",
        "fatal dose", "deadly", "innemen en", "slikken en", "alles slikken", "take them all",
        "swallow them all", "liggen hier", "ligt hier", "welke ik moet", "which ones i need"),
    "lethal_query": _group(
        "how many .. would it take", "how many .. does it take", "hoeveel .. nodig",
        "hoeveel .. moet je nemen", "hoeveel .. zijn genoeg", "how much .. would it take",
        "hoe hoog .. flat", "hoe hoog .. brug", "hoe hoog .. gebouw", "hoe hoog .. moet",
        "how high .. building", "how high .. bridge", "how high .. to", "hoe lang .. onder water",
        "how long .. without air", "hoe lang duurt .. verdrinken", "how long .. drown",
        "hoeveel .. dodelijk", "hoeveel .. nodig om", "hoeveel .. om dood",
        "hoeveel .. om niet meer", "wat is dodelijk", "dodelijke dosis", "how many .. to die",
        "how much .. to die", "how many .. lethal", "how much .. lethal", "lethal dose",
        "how many .. to kill", "how much .. to kill", "pijnloos dood", "pijnloos sterven",
        "painless way", "painless death", "quickest way to die", "snelste manier om dood"),
    "jump": _group(*[pattern for verb in _JUMP_VERBS for place in _HEIGHTS
                     for pattern in (f"{verb} .. {place}", f"{place} .. {verb}")]),
    # A place where it could happen now, with the writer (or someone) there.
    "at_the_place": _group(
        "zit .. op het dak", "sta .. op het dak", "staat .. op het dak", "zit .. op de brug",
        "sta .. op de brug", "staat .. op de brug", "zit .. op de rand", "sta .. op de rand",
        "am .. on the roof", "am .. on the bridge", "standing .. on the", "sitting .. on the edge",
        "pills in front of me", "pillen voor me", "op de rand", "op het perron", "on the platform",
        "standing on the platform", "on the edge", "on the roof", "on the bridge", "next train",
        "volgende trein", "de trein komt", "the train comes", "ga naar het spoor",
        "ga vannacht naar het spoor", "naar het spoor", "to the tracks", "to the railway",
        "denk aan de trein", "denk steeds aan de trein", "think about the train",
        "denk .. aan de brug", "denk .. aan het spoor", "denk .. aan het dak", "think .. about the bridge",
        "think .. about the tracks", "think .. about the roof", "thinking .. about the bridge",
        "thinking .. about the tracks", "naar de brug", "to the bridge", "naar het dak",
        "motor aan", "engine running", "in de garage met", "in the garage with",
        "gas open", "gaskraan", "gas on", "mes ligt naast me", "knife next to me",
        "mes .. voor mezelf", "knife .. for myself", "mes gepakt", "took a knife",
        "grabbed a knife", "het water in", "into the water", "in het kanaal", "into the canal"),
    "train": _group(
        "voor de trein springen", "voor een trein springen", "voor de trein te springen",
        "voor een trein te springen", "voor de trein gaan", "voor een trein gaan",
        "voor de trein te gaan", "voor de trein lopen", "voor de trein stappen",
        "onder de trein", "onder een trein", "voor de metro springen", "voor de tram springen",
        "op het spoor gaan", "op het spoor liggen", "op het spoor staan", "op het spoor zitten",
        "op het spoor te", "op de rails gaan", "op de rails liggen", "bij het spoor staan",
        "langs het spoor lopen", "in front of a train", "in front of the train",
        "under a train", "under the train", "on the tracks", "on the train tracks",
        "on the railway", "voor een vrachtwagen springen", "voor een auto springen",
        "in front of a truck", "in front of a car", "in het water springen",
        "het water in lopen", "het water in te lopen", "mezelf verdrinken", "drown myself",
        "drown himself", "drown herself"),
    "rope": _group(
        "touw", "strop", "rope", "noose"),
    "hanging": _group(
        "mezelf ophangen", "zichzelf ophangen", "me ophangen", "mij ophangen",
        "mezelf op te hangen", "zichzelf op te hangen", "me op te hangen", "verhangen",
        "verhang", "opknopen", "op te knopen", "hang myself", "hang himself", "hang herself",
        "hanging myself", "hanged myself", "zichzelf opgehangen"),
    "rope_plan": _group(
        "gekocht", "kopen", "klaar", "ligt", "hangt", "vastgemaakt", "opgehangen", "bought",
        "buy", "ready", "tied", "knoop", "knot", "mezelf", "zichzelf", "myself", "himself",
        "herself", "zolder", "attic", "garage", "boom", "tree", "vond", "gevonden", "found",
        "in de kast", "in zijn kamer", "in his room"),
    "self_cut": _group(
        "polsen doorsnijden", "polsen door te snijden", "polsen doorsnijd*", "slit my wrists",
        "cut my wrists", "slit his wrists", "slit her wrists", "cutting myself", "cut myself",
        "mezelf snijden", "snijd mezelf", "snij mezelf", "mezelf gesneden"),
    # -- harm to others ------------------------------------------------------------------
    "attack_plan": _group(
        "aanslag plegen", "aanslag te plegen", "aanslag gaan plegen", "aanslag pleegt",
        "aanslag plannen", "aanslag aan het plannen", "aanslag voorbereiden",
        "plant een aanslag", "plannen een aanslag",
        "zelfmoordaanslag plegen", "zelfmoordaanslag te plegen", "zichzelf opblazen",
        "mezelf opblazen", "opblazen", "blow up", "blow himself up", "blow myself up",
        "blow it up", "plan* an attack", "planning an attack", "plotting an attack",
        "carry out an attack", "shoot up", "shooting up",
        "school shooting", "schietpartij", "gaat schieten", "gaan schieten", "gaat steken",
        "gaan steken", "iedereen afmaken", "ze allemaal afmaken", "allemaal afmaken",
        "mensen afmaken", "mensen doden", "mensen vermoorden", "mensen neerschieten",
        "mensen neersteken", "mensen doodsteken", "mensen doodmaken", "mensen pijn doen",
        "mensen aanvallen", "iemand vermoorden", "iemand doden", "iemand neersteken",
        "iemand neerschieten", "iemand doodsteken", "iemand doodmaken",
        "gaat .. vermoorden", "gaat .. doodmaken", "gaat .. neerschieten", "gaat .. doodsteken",
        "gaat .. neersteken", "gaat .. afmaken", "gaat .. doden", "wil .. vermoorden",
        "wil .. doodmaken", "wil .. neerschieten", "wil .. doodsteken", "wil .. neersteken",
        "wil .. afmaken", "wil .. doden", "gaan .. vermoorden", "gaan .. afmaken",
        "ga .. vermoorden", "ga .. afmaken", "ga .. doodmaken", "ga .. neersteken",
        "kill them", "kill people", "kill everyone", "kill all", "killing people",
        "kill those", "kill some", "kill as many",
        "going to murder", "want to murder", "wants to murder", "plans to murder",
        "shoot people", "shoot them", "shoot everyone", "stab people", "stab them",
        "stab someone", "going to kill", "going to shoot", "going to stab", "wants to kill",
        "want to kill", "wanted to kill", "will kill", "gonna kill", "hurt people",
        "hurt them", "hurt someone", "in brand steken", "in de fik", "set fire to",
        "burn down", "aanrijden", "inrijden op", "inrijden", "drive into", "ram into",
        "run them over", "run people over", "afrekenen met", "wraak nemen", "take revenge",
        "bloedbad aanrichten", "bloodbath", "massacre them"),
    # Violent verbs: enough on their own unless the context is media or the past.
    # Said in so many words: danger now.
    "explicit_danger": _group(
        "acuut gevaar", "direct gevaar", "levensgevaar", "nu gevaar", "er is gevaar",
        "in gevaar", "gevaar nu", "immediate danger", "in danger", "danger now",
        "emergency", "noodgeval", "urgent someone", "direct hulp nodig", "nu hulp nodig",
        "help nu", "help now"),
    # Heavy weapons: found, made or owned with any sign of a plan or a moment.
    "heavy_weapon": _group(
        "bom", "bommen", "bommetje", "explosieven", "explosief", "springstof", "vuurwapen*",
        "pistool", "pistolen", "revolver", "geweer", "geweren", "jachtgeweer", "kalashnikov",
        "kalasjnikov", "ak47", "handgrana*", "granaat", "bomb", "bombs", "explosive*",
        "gun", "guns", "firearm*", "rifle*", "pistol*", "grenade*", "pipe bomb", "molotov*",
        "chemicalien", "kunstmest", "fertilizer", "fertiliser", "vuurwerkbom*", "cobra*",
        "nitraat", "peroxide", "aceton", "tatp", "ontsteker*", "detonator*", "spijkerbom*",
        "nail bomb*"),
    # What turns fireworks or chemicals into a device: shrapnel, wires, a detonator.
    "device_part": _group(
        "spijkers", "schroeven", "kogellagers", "nails", "screws", "ball bearings", "shrapnel",
        "draden", "wires"),
    # ... put together with it.
    "device_act": _group(
        "aan elkaar", "vastgemaakt", "vastmaken", "vastgeplakt", "tapen", "tapet", "getaped",
        "plakken", "plakt", "taping", "taped", "in elkaar", "gemaakt", "maken", "maakt", "bouwen",
        "bouwt", "gebouwd", "vol met", "gevuld met", "filled with", "packed with", "making",
        "building", "built", "putting together", "stopt", "stoppen"),
    # A vest or belt with explosives: a device in itself.
    "bomb_vest": _group(
        "bomvest*", "bomgordel*", "explosievengordel*", "explosive vest*", "suicide vest*",
        "vest met draden",
        "vest met explosieven"),
    "violent": _group(
        "ontvoeren", "kidnap", "take out the", "take them out", "take him out", "take her out",
        "uitschakelen", "uit de weg ruimen", "kidnapping", "toeslaan", "toe te slaan", "strike",
        "op te blazen", "neer te steken", "neer te schieten", "dood te steken", "dood te schieten",
        "aan te vallen", "te vermoorden", "in brand te steken", "to attack", "attack a",
        "blow .. up", "bedreigt .. met", "dreigt .. met", "threatening .. with",
        "loopt .. met een mes", "bedreigt mensen", "threatening people", "bedreigt ons",
        "threatening us", "bedreigt mij", "bedreigt me", "threatening me",
        "vermoorden", "vermoord", "vermoordt", "doodmaken", "doodmaakt", "dood maken",
        "doodschieten", "doodschiet", "neerschieten", "neerschiet", "schiet .. neer",
        "schieten .. neer", "neersteken", "neersteekt", "steek .. neer", "steekt .. neer",
        "doodsteken", "doodsteekt", "steek .. dood", "opblazen", "opblaast", "blaas .. op",
        "blaast .. op", "afmaken", "afmaakt", "maak .. af", "maakt .. af", "aanvallen",
        "aanvalt", "aanval plannen", "aanval op", "een aanval", "een aanslag", "aanslag op",
        "aanslag in", "aanslag bij", "een einde maken aan dat", "een einde aan dat",
        "een einde aan die", "een einde maken aan die", "in brand steken", "in de fik steken",
        "van kant maken", "van kant te maken", "van kant gemaakt",
        "kill", "kills", "killing", "murder", "murdering", "stab", "stabbing", "shoot",
        "shooting", "blow up", "blowing up", "massacre", "slaughter", "attack on",
        "an attack", "attack the", "attacking", "run over", "burn down"),
    "soft_harm": _group(
        "pakken", "gaat pakken", "iets aandoen", "iets aan doen", "aandoen", "laten boeten",
        "moeten boeten", "zullen boeten", "gaan boeten", "boeten", "laten voelen",
        "laat ze zien wie", "laten zien wie", "afrekenen", "wraak", "wat nodig is",
        "iets doen", "iets .. doen", "deal with", "make them pay", "make those", "pay for", "will pay",
        "regret it", "regret", "get them", "get even", "revenge", "hurt", "teach them a lesson",
        "een lesje leren", "opzoeken", "het begint", "it begins", "zover", "het goede moment",
        "the right moment", "day of reckoning", "dag van de afrekening", "ik weet wie",
        "i know who", "weet waar ze wonen",
        "know where they live", "toeslaan", "zover is", "bijna zover", "iets gebeuren",
        "something .. happen", "moet boeten", "must pay", "zuivering", "zuiveren", "purge",
        "cleansing", "iets groots", "something big"),
    "intent": _group(
        "ik ga", "ga ik", "hij gaat", "gaat hij", "zij gaat", "ze gaan", "gaan ze", "we gaan",
        "gaat", "wil", "wilt", "willen", "plant", "plannen", "van plan", "zal", "zullen",
        "going to", "gonna", "will", "wants to", "want to", "plans to", "planning",
        "is wachten", "binnenkort", "zover", "laat ik", "maak ik", "steek ik", "schiet ik",
        "ik weet wie", "i know who", "i have the", "ik heb het", "heb een", "heb via",
        "als ze", "if they", "im going", "i am going"),
    "media_or_past": _group(
        "filmpje*", "video*", "beelden", "film", "films", "documentaire", "game", "games",
        "gamen", "serie", "nieuws", "news", "artikel", "werkstuk", "spreekbeurt", "essay",
        "boek", "geschiedenis", "history", "meme", "memes", "liedje*", "songs", "lyrics",
        "tekende", "getekend", "tekening*", "tekenen", "tekent", "drew", "draw", "draws",
        "drawing*", "drawn", "spel", "spelletje*", "shooters", "shooter games", "pleegde",
        "pleegden", "gepleegd", "committed", "carried out", "toen ze klein", "toen hij klein",
        "toen ik klein", "when they were little", "when i was little", "when he was little",
        "nachtmerries", "nightmares", "trauma", "gevlucht", "fled", "wat is een", "wat betekent",
        "uitleggen wat", "what is a", "what does .. mean", "scriptie", "thesis", "onderzoek naar",
        "research on", "jaren tachtig", "jaren negentig", "jaren zeventig", "in de jaren",
        "thriller", "roman", "novel", "jaren terug", "years back",
        "fortnite", "call of duty", "speelt de hele dag", "vorige maand", "last month",
        "vorige week", "last week", "veroordeeld", "convicted", "meegemaakt", "zat vast", "vastgezeten", "vrijgelaten",
        "is nu .. vrij", "jaar vrij", "was erbij", "overleefd", "survived", "witnessed",
        "experienced", "jaren geleden", "years ago", "vorig jaar", "last year",
        "destijds", "vroeger", "gezeten", "served", "in 19*", "in 20*", "documentary"),
    # A question about a term, a lesson, history or the news: not a plan.
    "about_the_term": _group(
        "wat is een", "wat betekent", "uitleggen wat", "wat bedoelen ze met", "what is a",
        "what does .. mean", "geschiedenis", "history", "documentaire", "documentary", "nieuws",
        "news", "les over", "lesson about", "werkstuk", "spreekbeurt", "scriptie", "thesis",
        "discussie over", "discussion about"),
    # Harm aimed at the writer or their family ("ze doen mijn moeder iets aan").
    "threat_to_me": _group(*[pattern for verb in (
            "iets aandoen", "iets aan doen", "aandoen", "afmaken", "afmaakt", "vermoorden", "van kant maken",
            "komen halen", "hurt", "kill", "come for", "coming for", "get me",
            "see you soon", "tot snel", "je bent de volgende", "you are next")
        for person in ("me", "mij", "mijn", "ons", "my", "us", "mn")
        for pattern in (f"{verb} .. {person}", f"{person} .. {verb}")] + [
            "ze .. me pakken", "me gaan pakken", "mij gaan pakken", "ons gaan pakken",
            "foto van mijn huis", "foto van ons huis", "picture of my house", "photo of my house",
            "my own address", "mijn eigen adres", "mijn adres gestuurd", "sent me my address",
            "posted my", "my parents house", "adres online", "address online", "adres gedeeld",
            "you know what to do", "je weet wat je moet doen", "jullie weten wat je moet doen",
            "weten waar mijn familie", "weten waar mn familie", "know where my family",
            "weten waar mijn ouders", "weet waar mijn ouders", "weten waar ik woon"]),
    "weapon": _group(
        "wapen*", "vuurwapen*", "mes", "messen", "mesje", "steekmes*", "keukenmes*", "vlindermes*",
        "zakmes*", "stiletto", "jachtmes", "machete", "zwaard",
        "bijl", "pistool", "pistolen", "revolver", "geweer", "geweren", "kalashnikov",
        "ak47", "bom", "bommen", "explosieven", "explosief", "springstof", "kunstmest",
        "vuurwerkbom", "cobra", "cobras", "molotov*", "handgrana*", "granaat", "munitie",
        "kogels", "kruisboog", "gun", "guns", "firearm*", "rifle*", "pistol*", "knife",
        "knives", "bomb", "bombs", "explosive*", "fertilizer", "fertiliser", "pipe bomb", "ammo",
        "ammunition", "bullets", "grenade*", "axe", "crossbow", "3d printed", "3d geprint", "kalasjnikov", "het spul", "the stuff", "drone", "jachtgeweer",
        "hunting rifle", "bijl", "hamer", "honkbalknuppel", "baseball bat", "vuurwerk", "de tas",
        "het pakket", "the package", "the bag"),
    # Found, made, bought, hidden or carried: more than owning.
    "weapon_act_strong": _group(
        "gevonden", "vond", "found", "gemaakt", "maakt", "maken", "making", "made", "bouwen",
        "gebouwd", "building", "built", "gekocht", "kopen", "bought", "buying", "verstopt",
        "verstoppen", "hidden", "hiding", "plaatsen", "te plaatsen", "place a", "plant a",
        "bij zich", "with him", "on him", "carrying", "er ligt", "ligt een", "there is a",
        "verzameld", "collected", "besteld", "bestellen", "ordered", "geregeld", "regelen",
        "onder zijn bed", "in zijn tas", "in zijn kamer", "op zijn kamer", "handleiding",
        "rugzak", "backpack", "in his bag", "in her bag", "in zijn jas", "in his jacket",
        "instructions", "how to make", "hoe je", "oefent", "geoefend", "meenemen", "mee naar",
        "meegenomen", "took his", "took her"),
    # Not a danger sign: a licence, a toy, a hobby.
    "benign_weapon": _group(
        "vergunning", "licensed", "licence", "license", "airsoft", "paintball", "speelgoed",
        "toy", "nerf", "waterpistool", "jager is", "is jager", "hunter", "voor zijn werk",
        "for his job", "for work", "kok", "chef"),
    # Where it happens now: at the door, on the street, in class.
    "place_now": _group(
        "voor de deur", "at the door", "op straat", "in the street", "in de klas", "in class",
        "bij de school", "at the school", "op het schoolplein", "in de moskee", "in de kerk",
        "outside our house", "voor ons huis", "in de tuin", "in de winkel"),
    "weapon_act": _group(
        "gekocht", "kopen", "gekregen", "geregeld", "regelen", "besteld", "bestellen",
        "gemaakt", "maken", "bouwen", "gebouwd", "verstopt", "verstoppen", "onder zijn bed",
        "in zijn kamer", "in zijn tas", "bij zich", "meenemen", "mee naar", "oefent",
        "geoefend", "handleiding", "hoe je", "bought", "buying", "ordered", "got a", "has a",
        "has got", "carrying", "hiding", "hidden", "made a", "making", "building", "built",
        "instructions", "how to make", "brings", "bring", "heeft een", "heeft nu een",
        "heeft thuis", "heeft er", "in huis", "gevonden", "vond", "found", "maakt", "makes",
        "plaatsen", "te plaatsen", "place a", "plant a", "verzameld", "collected", "er ligt",
        "ligt een", "there is a", "bij zich", "with him", "on him", "staat", "loopt", "heb het",
        "heeft het", "i have the"),
    "target": _group(
        "moskee", "synagoge", "kerk", "school", "de school", "zijn school", "haar school",
        "concert", "festival", "demonstratie", "demo", "azc", "politici", "politicus",
        "minister", "de premier", "burgemeester", "joden", "moslims", "homos", "vrouwen",
        "agenten", "de politie", "ongelovigen", "kafirs", "kuffar", "buitenlanders",
        "vluchtelingen", "mosque", "synagogue", "church", "concert", "festival", "the school",
        "his school", "her school", "politicians", "jews", "muslims", "gays",
        "police", "unbelievers", "refugees", "migrants", "the crowd", "menigte", "winkelcentrum",
        "markt", "mall", "kerstmarkt", "stadion", "stadium", "klasgenoten",
        "classmates", "leraren", "teachers", "leraar", "teacher", "buren", "neighbours",
        "imam", "rabbijn", "priest", "town hall", "gemeentehuis", "stadhuis", "refugee centre",
        "refugee center", "joodse", "jewish", "islamitische", "zijn werk", "haar werk",
        "his work", "her work", "het station", "station", "jeugdzorg*", "de rechter", "judge",
        "zijn baas", "his boss", "mijn ex", "my ex", "haar nieuwe vriend", "politie"),
    "harm_verb": _group(
        "doden", "doodmaken", "vermoorden", "afmaken", "neerschieten", "doodschieten",
        "neersteken", "doodsteken", "steken", "schieten", "opblazen", "aanvallen",
        "kill", "shoot", "stab", "blow up", "murder", "hurt", "gebruiken tegen", "bedreig*",
        "dreig*", "threaten*",
        "use it on", "use it against", "use them on", "wraak", "revenge", "pijn doen"),
    "martyrdom": _group(
        "martelaar worden", "martelaar te worden", "als martelaar", "martelaarschap",
        "martelaarsvideo", "martelaar .. worden", "martelaar .. sterven", "naar het paradijs",
        "to paradise", "in het paradijs", "in paradise", "shahid", "shaheed", "istishhad", "martyr*", "martyrdom",
        "zijn afscheidsvideo", "haar afscheidsvideo", "afscheidsvideo", "farewell video",
        "afscheidsbrief .. jihad", "paradijs .. sterven", "sterven voor allah",
        "die for allah", "sterven voor de zaak", "die for the cause", "testament .. jihad"),
    "manifesto": _group(
        "manifest", "manifesto", "pamflet", "pamphlet", "manifesten"),
    "manifesto_act": _group(
        "geschreven", "gepost", "online gezet", "gedeeld", "gepubliceerd", "klaar",
        "written", "posted", "published", "uploaded", "shared", "finished", "wrote"),
    "conflict_area": _group(
        "syrie", "syria", "irak", "iraq", "kalifaat", "caliphate", "de jihad", "jihad",
        "strijden", "vechten", "fight", "het front", "front", "is gebied", "isis gebied",
        "afghanistan", "somalie", "somalia", "jemen", "yemen", "sahel", "mali", "ukraine",
        "oekraine", "gaza", "de strijd", "join isis", "join is", "aansluiten bij", "turkije",
        "turkey", "het kalifaat", "the caliphate", "de broeders daar", "the brothers there"),
    "hit_list": _group("lijst met namen", "lijst van mensen", "lijst met mensen", "a list of",
                       "lijst gemaakt", "made a list", "lijst van wie", "list of who",
                       "list of names", "list of people", "dodenlijst", "kill list", "hit list"),
    "left_recently": _group(
        "vanochtend vertrokken", "net vertrokken", "gisteren vertrokken", "is vertrokken",
        "zijn vertrokken", "vanmorgen vertrokken", "left this morning", "left today",
        "has left", "just left", "left yesterday", "weggegaan", "gone to", "is weg",
        "onderweg naar", "on his way to", "on her way to", "on the way to", "op schiphol",
        "at the airport", "naar de grens", "to the border"),
    "leave": _group(
        "vertrek*", "vertrekt", "gaat naar", "gaan naar", "reis*", "reist", "vliegt",
        "vliegen", "ticket*", "vliegticket*", "paspoort", "koffer*", "uitreizen", "uitreis*",
        "weggaan", "weg gaan", "leaving", "leave for", "leaves for", "flying", "fly to",
        "travel*", "going to syria", "going to iraq", "passport", "suitcase", "booked",
        "geboekt", "boek*", "afreizen", "aansluiten", "meeneemt naar", "neemt .. mee naar",
        "meenemen naar", "take .. to syria", "taking .. to syria", "taking the kids", "tickets",
        "enkele reis", "one way ticket", "one-way ticket", "heeft een ticket", "has a ticket"),
    "warning": _group(
        "niet naar school", "niet naar de moskee", "niet naar de kerk", "niet naar het concert",
        "niet naar de demonstratie", "niet naar de markt", "blijf morgen thuis",
        "blijf vrijdag thuis", "blijf thuis morgen", "kom morgen niet", "kom vrijdag niet",
        "do not come to school", "not to come to school", "not come to school", "stay home tomorrow",
        "stay away from", "wegblijven van", "blijf weg bij", "niet komen morgen", "niet komen vrijdag",
        "do not go to", "not to go to", "het gaat gebeuren", "gaat het gebeuren",
        "it will happen", "it is going to happen", "iedereen zal het zien",
        "iedereen gaat het zien", "everyone will see", "they will pay", "ze zullen boeten",
        "ze gaan boeten", "zullen ervoor boeten", "will pay for", "bloedbad"),
    # -- threatened (the writer fears for their own safety from the group) ----------------
    "threat_received": _group(
        "word bedreigd", "worden bedreigd", "ben bedreigd", "wordt bedreigd door de groep",
        "being threatened", "am threatened", "are threatened",
        "weten waar ik woon", "weet waar ik woon", "weten waar we wonen", "weten waar wij wonen",
        "weten ze waar ik woon", "weet hij waar ik woon", "weten ze waar we wonen",
        "weten ze waar wij wonen", "ze weten mijn adres", "hebben ze mijn adres",
        "know where i live", "knows where i live", "know where we live", "know my address",
        "weten mijn adres", "hebben mijn adres", "bedreigen me", "bedreigen mij",
        "bedreigt me", "bedreigt mij", "dreigen me", "dreigen mij", "dreigt me", "dreigt mij",
        "dreigen dat ze", "dreigden", "doodsbedreiging*", "death threat*", "threatened me",
        "threatening me", "threaten me", "threatened to", "threatening to", "threaten to",
        "bang dat ze me", "bang dat ze mij", "bang dat ze mijn", "bang dat ze ons",
        "bang dat hij me", "afraid they will", "afraid they ll", "scared they will",
        "afraid he will", "scared they ll", "komen me halen", "komen mij halen",
        "come for me", "coming for me", "come after me", "coming after me", "achter me aan",
        "achter mij aan", "staan voor mijn deur", "stonden voor mijn deur", "outside my house",
        "outside my door", "volgen me", "volgen mij", "worden gevolgd", "following me",
        "me iets aandoen", "mij iets aandoen", "ons iets aandoen", "hurt me", "kill me",
        "vermoorden me", "vermoorden mij", "maken me af", "maken mij af", "me afmaken",
        "mij afmaken", "me vermoorden", "mij vermoorden", "beat me up", "in elkaar slaan",
        "in elkaar geslagen", "mishandeld", "ze zijn hier help", "they are here help"),
    # The writer named with a weapon ("filmpjes van wapens met mijn naam erbij").
    "my_identity": _group(
        "met mijn naam", "met mn naam", "with my name", "met mijn adres", "with my address",
        "mijn naam erbij", "mijn naam erop", "my name on", "naam van mijn werk",
        "mijn foto erbij", "my photo"),
    # ... sent to the writer: a threat, not a question about reporting with one's name.
    "sent_to_me": _group(
        "sturen me", "sturen mij", "stuurde me", "stuurden me", "stuurt me", "gestuurd",
        "krijg ik", "kreeg ik", "ik krijg", "ik kreeg", "sent me", "sending me", "send me",
        "ze sturen", "sturen ze", "they send", "they sent", "ze posten", "they post",
        "i get", "i got", "i received", "gepost", "posted", "online gezet"),
    # -- imminence ---------------------------------------------------------------------------
    "now_weak": _group(
        "nu", "nou", "now", "vandaag", "today", "deze week", "this week", "binnenkort", "soon",
        "volgende week", "next week"),
    "now": _group(
        "vanavond", "vannacht", "meteen", "zo meteen", "straks", "over een uur",
        "morgen", "morgenochtend", "morgenavond", "dit weekend", "deze week", "vrijdag",
        "zaterdag", "zondag", "maandag", "dinsdag", "woensdag", "donderdag", "binnen een uur",
        "tonight", "right now", "tomorrow", "this weekend", "friday", "saturday", "sunday",
        "monday", "tuesday", "wednesday", "thursday", "in an hour", "within the hour"),
    "at_hand": _group(
        "liggen klaar", "ligt klaar", "klaarliggen", "klaargelegd", "heb ik hier",
        "hier liggen", "naast me", "naast mij", "voor me liggen", "in mijn hand", "in mijn tas",
        "sta op", "sta nu op", "zit op het dak", "sta op het dak", "op de brug", "bij het spoor",
        "op het spoor", "op de rand", "ingenomen", "genomen", "geslikt", "have them here",
        "right here", "next to me", "in my hand", "standing on", "on the roof", "on the bridge",
        "on the edge", "already took", "just took", "have taken", "swallowed", "ready", "in front of me", "hier voor me", "voor me liggen", "heb de pillen",
        "got the pills", "heeft al tickets", "al tickets", "heeft al", "already has",
        "klaar", "besloten", "decided", "de datum", "een datum", "datum geprikt", "the date",
        "a date", "set a date", "plan", "gepland", "planned", "een plan", "op schiphol", "at the airport", "op het vliegveld", "onderweg", "on the way",
        "on his way", "on her way", "is net", "net de deur uit", "just left", "just now",
        "zojuist"),
}

# A count of pills or strips ("40 paracetamol", "drie strips oxazepam"): collecting, in effect.
_MANY_PILLS = re.compile(
    r" (?:[1-9]\d+|tien|twintig|dertig|veertig|vijftig|honderd|ten|twenty|thirty|forty|fifty|"
    r"hundred|drie|vier|vijf|three|four|five) (?:\S+ )?(?:pil\S*|tablet\S*|strip\S*|doosjes|"
    r"doosje|pills|tablets|strips|boxes|paracetamol|oxazepam|diazepam|slaappil\S*|"
    r"sleeping pills|insuline)(?= )")
# "het heeft geen zin meer" (but not "... om met hem te praten"), "there is no point anymore".
_NO_POINT = re.compile(
    r" (?:het|alles|niks|leven|dit|mijn leven) heeft (?:allemaal |echt |gewoon |toch )?geen zin meer"
    r"(?! om)(?= )| (?:alles|het leven|mijn leven) is (?:toch |echt )?zinloos(?= )|"
    r" (?:there is|theres|there s) no point (?:anymore|any more|in living|in going on)(?= )|"
    r" (?:what is|whats|what s) the point (?:of living|of going on|anymore)(?= )|"
    r" no point (?:in )?living(?= )|"
    # "ik wil niet meer", "ik kan niet meer" as the whole thought, at the end of a message
    r" ik (?:wil|kan) (?:gewoon |echt |het |het gewoon |echt gewoon )?niet meer $|"
    r" i (?:can not|cannot) do this anymore $| i (?:do not|dont) want to anymore $")
# Idioms that sound like danger and are not ("this is killing me", "ik lach me dood",
# "ik ga dood van schaamte", "mijn baas vermoordt me"): removed before the cues are matched.
_IDIOMS = re.compile(
    r" (?:this|it|that|the \S+|my (?:boss|mum|mom|dad|mother|father|teacher|wife|husband)|"
    r"she|he) (?:is|will|s|gonna|going to|would)(?: \S+)? kill(?:ing)? me(?= )|"
    r" literally kill(?:ing)? (?:me|her|him|us)(?= )|"
    r" (?:will|gonna|going to|would) murder me(?= )| (?:ugh|oh|just|god|omg) shoot me(?= )| (?:i m|im|i am) killing (?:her|him|them)(?= )|"
    r" (?:ik )?(?:lach|schrik|schrok|verveel|werk|schaam|lachte) (?:me|mij) (?:\S+ )?dood(?= )|"
    r" (?:ga|gaat|gaan) dood van (?:de |het )?(?:schaamte|verveling|honger|stress|zorgen|lachen|"
    r"angst|kou|warmte)(?= )| doodmoe(?= )| doodop(?= )| dood van de zorgen(?= )|"
    r" (?:mijn|mn) (?:baas|moeder|vader|ma|pa|vrouw|man) (?:vermoordt|vermoord|maakt) me(?: af)?(?= )|"
    r" maak ik hem af(?= (?:\S+ ){0,3}(?:maar|grapje|haha|lol))| dit maakt me kapot(?= )|"
    r" ik schiet (?:bijna )?in de stress(?= )|"
    # "mijn ouders zien me niet meer staan": ignored, not gone
    r" (?:ziet|zien|zag|zagen) (?:me|mij) (?:\S+ )?niet (?:meer )?staan(?= )")
# Long ago: a threat or a death years back is background, not danger now.
_LONG_AGO = re.compile(r" (?:jaren|years) (?:geleden|terug|ago|back)(?= )| in de jaren(?= )|"
                       r" toen ik (?:klein|jong) was(?= )| when i was (?:little|young)(?= )")
# For a past suicide attempt only (not for threats: "6 jaar geleden gestapt, nu bedreigen ze me").
_LONG_AGO_ATTEMPT = re.compile(
    _LONG_AGO.pattern + "|"
    r" (?:[5-9]|[1-9]\d|vijf|zes|zeven|acht|negen|tien|five|six|seven|eight|nine|ten) "
    r"(?:jaar|years?) (?:geleden|terug|ago|back)(?= )| (?:it s|its|it has) been (?:\S+ )?years(?= )")
# Words that turn a past or a denial into now: "maar nu wel", "but I want to die again", "nog niet".
_RELAPSE = re.compile(
    r" (?:maar|but|weer|opnieuw|again|nog steeds|still|toch|yet|nog niet|not yet|nu wel|lately|"
    r"laatst|tegenwoordig|these days|sinds kort|vanavond|tonight|vannacht|denkt|denken|dacht|"
    r"thinks|think|thought|zeggen ze|zegt iedereen|they say|everyone says)(?= )")
# "mijn broer is niet suicidaal", "he is not suicidal": the word denied by the writer.
_SUICIDAL_DENIED = re.compile(
    r" (?:is|ben|am|s|zijn|are|was|were) (?:echt |really |totally |helemaal |absoluut )?(?:niet|not|never|nooit|geen) "
    r"(?:echt |really |per se )?(?:suicidaal|suicidal)(?= )")

# "dat was 12 jaar geleden en nu gaat het goed met me": a past attempt, told by someone who
# is well now (also to help others), is background.
_RECOVERED = re.compile(
    r" (?:gaat|ging) (?:het )?(?:nu |inmiddels |weer |echt )*(?:heel )?goed met (?:me|mij)(?= )|"
    r" nu gaat het (?:weer |echt |heel )*goed(?= )| (?:doing|i m doing|im doing|i am doing) "
    r"(?:really |much |a lot |very )?(?:well|better|fine|good)(?= )| ik ben er (?:weer )?bovenop(?= )")
# "ik heb geen gedachten om mezelf iets aan te doen": a denial before the words.
_DENIED_BEFORE = re.compile(
    r" (?:geen|no|not any|never any) (?:\S+ )?(?:gedachten|plannen|thoughts|plans|intention|intentions) "
    r"(?:om|aan|of|to|van) $")

# "wil niet meer leven zoals wij": a way of living, not a death wish.
_LIVING_LIKE = re.compile(r" (?:leven|live|living) (?:zoals|als wij|als ons|like|in een|in nederland|"
                          r"in this|hier|here|bij ons|with us|met ons) ")

# Not a suicidal signal but a word that contains one ("zelfmoordaanslag", "suicide bomber").
_SUICIDE_ATTACK = re.compile(
    r" (?:zelfmoordaanslag\S*|zelfmoordterrorist\S*|zelfmoordcommando\S*|zelfmoordactie\S*|"
    r"suicide (?:bomb\S*|attack\S*|vest\S*|mission\S*)) ")
# A completed suicide in the past, told as background ("mijn opa pleegde jaren geleden
# zelfmoord"): the word alone is no signal then.
_PAST_SUICIDE = _group(
    "pleegde", "heeft .. gepleegd", "hebben .. gepleegd", "gepleegd", "committed suicide",
    "jaren tachtig", "jaren negentig", "jaren zeventig", "in de jaren", "scriptie", "thesis",
    "onderzoek naar", "research on", "cijfers", "statistics", "preventie", "prevention",
    "training over", "training on",
    "died by suicide", "killed himself", "killed herself", "overleden", "passed away",
    "jaren geleden", "years ago", "vorig jaar", "last year", "in 19*", "in 20*")


# Every signal needs at least one of these cue groups; the others (a time, a target, an
# act, media or the past) only qualify them. One combined pattern tells first whether a
# message holds any anchor at all: most messages do not, and then nothing else is run.
ANCHORS: tuple[str, ...] = ("suicide_word", "death_wish", "burden", "not_wake", "lethal_query", "farewell",
           "wont_be_here", "closure", "meds", "jump", "train", "rope", "hanging", "self_cut",
           "at_the_place", "attack_plan", "violent", "soft_harm", "weapon", "heavy_weapon",
           "martyrdom", "manifesto", "conflict_area", "warning", "threat_received",
           "threat_to_me", "explicit_danger", "hit_list", "device_part", "bomb_vest", "not_seen_again")
# (a target with a time and an intent is a signal too: "zondag naar de synagoge om ...")
ANCHORS = ANCHORS + ("target",)


def _has_anchor(text: str) -> bool:
    tokens = frozenset(text.split())
    return bool(_NO_POINT.search(text)) or any(
        _may_match(CUES[name], tokens) and CUES[name].search(text) for name in ANCHORS)


def _has(cue: str, text: str) -> bool:
    return CUES[cue].search(text) is not None


def _found(text: str, names: Iterable[str]) -> frozenset[str]:
    tokens = frozenset(text.split())
    return frozenset(name for name in names
                     if _may_match(CUES[name], tokens) and _has(name, text))


# "niemand bedreigt me", "nobody is threatening me", "geen acuut gevaar", "not an
# emergency": a denial, not a threat. Only a negating word right before the match (with at
# most one small word between) counts: "het is niet veilig, er is gevaar" and "ik kan niet
# meer, hij bedreigt me" are no denial (the normalised text has no commas to go by). A
# match that is a clause of its own ("er is gevaar") is never a denial.
_NEGATORS = frozenset({"niemand", "niet", "geen", "nooit", "nobody", "no", "not", "never",
                       "noone", "none"})
_NEGATION_FILLERS = frozenset({"is", "was", "een", "an", "a", "in", "echt", "really"})


def _only_negated(pattern: re.Pattern[str], text: str) -> bool:
    """Whether every match of `pattern` is denied by the words right before it."""
    matches = list(pattern.finditer(text))

    def denied(match: re.Match[str]) -> bool:
        if match.group(0).strip().startswith("er "):
            return False
        before = text[:match.start()].split()[-2:]
        if before and before[-1] in _NEGATORS:
            return True
        return len(before) == 2 and before[0] in _NEGATORS and before[1] in _NEGATION_FILLERS

    return bool(matches) and all(denied(match) for match in matches)


def _only_denied(pattern: re.Pattern[str], text: str, denial: re.Pattern[str],
                 through_match: bool = False) -> bool:
    """Whether every match of `pattern` is denied: `denial` is found in the 60 characters
    before it ("geen gedachten om | mezelf iets aan te doen"), or, with `through_match`, in
    those and the match itself ("hij is niet suicidaal")."""
    matches = list(pattern.finditer(text))
    # Every match ends before a space (the patterns end with "(?= )"): the window ends with it.
    return bool(matches) and all(
        denial.search(text[max(0, m.start() - 60):(m.end() if through_match else m.start()) + 1])
        for m in matches)


def screen(text: str) -> DangerSignal:
    """The danger in one message (NO_DANGER when there is none)."""
    return _screen_normalised(normalise(text)[:4000])


@lru_cache(maxsize=2048)
def _screen_normalised(text: str) -> DangerSignal:
    without_idioms = _IDIOMS.sub(" ", text)
    if without_idioms != text:
        found = _screen_normalised(without_idioms)
        return found if found.found or found.benign else DangerSignal(
            cues=(BENIGN_PREFIX + "idiom",))
    if text.strip() == "" or not _has_anchor(text):
        return NO_DANGER
    cues = _found(text, CUES)
    cues = cues - {name for name in ("threat_received", "violent", "explicit_danger")
                   if name in cues and _only_negated(CUES[name], text)}
    suicide_text = _SUICIDE_ATTACK.sub(" ", text)
    suicide_cues = _found(suicide_text, ("suicide_word",)) if suicide_text != text else (
        cues & {"suicide_word"})
    imminent_cues = cues & {"now", "at_hand"}
    suicide_imminent_cues = cues & {"now", "at_hand", "now_weak"}
    suicide: list[str] = []
    benign: list[str] = []

    # Suicide, of the writer or of someone else.
    # A past attempt told by someone who is well now, or a denial ("geen gedachten om mezelf
    # iets aan te doen", "hij is niet suicidaal"): no cue, so only the model (at its usual
    # threshold) can still raise an alarm. Never when a word turns it into now ("maar",
    # "weer", "yet", "denkt iedereen") or another anchor is there.
    relapse = bool(_RELAPSE.search(text))
    others = (cues & set(ANCHORS)) - {"death_wish", "suicide_word", "violent", "attack_plan",
                                       "soft_harm"}
    past_and_well = bool(_LONG_AGO_ATTEMPT.search(text) and _RECOVERED.search(text)) and not (
        relapse or others or cues & {"now", "at_hand"})
    if "death_wish" in cues and not relapse and not others and (
            past_and_well or _only_denied(CUES["death_wish"], text, _DENIED_BEFORE)):
        cues = cues - {"death_wish", "violent", "attack_plan", "soft_harm"}
    if suicide_cues and not relapse and not others and (
            past_and_well or _only_denied(CUES["suicide_word"], suicide_text, _SUICIDAL_DENIED,
                                          through_match=True)):
        suicide_cues = frozenset()
        cues = cues - {"suicide_word"}
    if suicide_cues and not (_PAST_SUICIDE.search(text) and not (cues & {"death_wish", "now"})):
        suicide.append("suicide_word")
    elif suicide_cues:
        benign.append("past_suicide")
    for name in ("death_wish", "burden", "not_wake", "lethal_query"):
        if name in cues and not (name == "death_wish" and _LIVING_LIKE.search(text)):
            suicide.append(name)
        elif name in cues:
            benign.append("way_of_living")
    if "farewell" in cues and "martyrdom" not in cues:
        suicide.append("farewell")
    if "closure" in cues and not (cues & {"violent", "weapon", "martyrdom"}):
        suicide.append("closure")
    if "at_the_place" in cues:
        suicide.append("at_the_place")
    if "wont_be_here" in cues and ("farewell" in cues or "now" in cues or "meds" in cues
                                   or "death_wish" in cues or len(text) < 120):
        suicide.append("wont_be_here")
    if "not_seen_again" in cues and (cues & {"now", "farewell", "meds", "death_wish"}):
        suicide.append("wont_be_here")
    if "meds" in cues and ("collect" in cues or _MANY_PILLS.search(text)):
        suicide.append("meds_collect")
    if _NO_POINT.search(text):
        suicide.append("no_point")
    if "jump" in cues:
        suicide.append("jump")
    if "train" in cues:
        suicide.append("train")
    if ("rope" in cues and "rope_plan" in cues) or "hanging" in cues:
        suicide.append("rope")
    if "self_cut" in cues:
        suicide.append("self_cut")

    # Harm to others.
    harm: list[str] = []
    media_or_past = "media_or_past" in cues and not (cues & {"now", "at_hand"})
    if "attack_plan" in cues and not media_or_past:
        harm.append("attack_plan")
    if "violent" in cues and not media_or_past:
        harm.append("violent")
    if "soft_harm" in cues and "intent" in cues and (
            cues & {"now", "now_weak", "weapon", "target", "at_hand"}) and not media_or_past:
        harm.append("soft_harm")
    if "hit_list" in cues and "soft_harm" in cues:
        harm.append("hit_list")
    if "target" in cues and "now" in cues and (cues & {"intent", "soft_harm"}) and not media_or_past:
        harm.append("target_time")
    if "conflict_area" in cues and "left_recently" in cues:
        harm.append("left_for_conflict")
    if "explicit_danger" in cues:
        harm.append("explicit_danger")
    harmless_weapon = "benign_weapon" in cues and not (cues & {"harm_verb", "soft_harm", "now"})
    if "heavy_weapon" in cues and (cues & {"weapon_act_strong", "now", "at_hand", "soft_harm",
                                           "harm_verb", "place_now", "target"}) \
            and not media_or_past and not harmless_weapon:
        harm.append("heavy_weapon")
    if "weapon" in cues and (cues & {"harm_verb", "target", "soft_harm", "place_now"}) and (
            cues & {"weapon_act_strong", "now", "now_weak", "at_hand", "harm_verb", "intent",
                    "place_now"}) and not media_or_past and not harmless_weapon:
        harm.append("weapon")
    if ((("heavy_weapon" in cues or " vuurwerk " in text or " fireworks " in text)
         and "device_part" in cues and "device_act" in cues) or "bomb_vest" in cues) \
            and not media_or_past and "about_the_term" not in cues and not harmless_weapon:
        # Fireworks or explosives put together with nails or wires, or a bomb vest.
        harm.append("device")
    if "martyrdom" in cues and "about_the_term" not in cues:
        harm.append("martyrdom")
    if "manifesto" in cues and "manifesto_act" in cues and (cues & {"harm_verb", "now", "target"}):
        harm.append("manifesto")
    if "conflict_area" in cues and "leave" in cues and (cues & {"now", "now_weak", "at_hand"}):
        harm.append("leaving_now")
    if "warning" in cues and (cues & {"now", "harm_verb", "weapon", "target"}):
        harm.append("warning")
    long_ago = bool(_LONG_AGO.search(text))
    threatened: list[str] = [name for name in ("threat_received", "threat_to_me") if name in cues
                  and not (name == "threat_to_me" and media_or_past) and not long_ago]
    if (cues & {"weapon", "heavy_weapon"}) and "my_identity" in cues and "sent_to_me" in cues \
            and not long_ago:
        threatened.append("weapon_with_my_name")

    if suicide and not (harm and "martyrdom" in harm and suicide == ["farewell"]):
        kind = SUICIDE
        matched = suicide
        # Someone who also plans to harm others gets 112 first: the suicide text then
        # still names 113, and imminent adds 112 on top.
        imminent = bool(suicide_imminent_cues) or "meds_collect" in suicide or bool(harm)
        imminent_cues = suicide_imminent_cues
    elif threatened and (not harm or set(harm) <= {"violent", "soft_harm"}):
        kind, matched, imminent = THREATENED, threatened + harm, True
    elif harm:
        kind, matched, imminent = HARM_OTHERS, harm, True
    elif threatened:
        kind, matched, imminent = THREATENED, threatened, bool(imminent_cues)
    else:
        if (media_or_past and (cues & {"attack_plan", "violent", "weapon", "heavy_weapon",
                                       "threat_to_me"})) or (
                "martyrdom" in cues and "about_the_term" in cues):
            benign.append("media_or_past")
        if benign:
            # A benign reading was recognised: the classifier may not turn it into an alarm.
            return DangerSignal(cues=tuple(BENIGN_PREFIX + name for name in benign))
        return NO_DANGER
    return DangerSignal(kind=kind, imminent=imminent,
                        cues=tuple(matched + sorted(imminent_cues)))


def imminence_cues(text: str) -> tuple[str, ...]:
    """The imminence cues of a message (a time, the means at hand, a plan), for a danger the
    statistical model found where no cue group did."""
    norm = normalise(text)[:4000]
    return tuple(sorted(_found(norm, ("now", "now_weak", "at_hand"))))

