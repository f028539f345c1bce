"""Replaces personal identifiers in a visitor's message by placeholders.

The channels (bot/channels.py) call `redact` on every checked message before Rasa sees it,
so the text that reaches the NLU, the tracker store, the logs and any event broker never
holds the identifier itself. The placeholders are plain words in square brackets
(`[telefoonnummer]`), which the NLU reads as ordinary tokens, so the conversation goes on.

What is found, in this order (a later finder never touches text an earlier one took):
- e-mail addresses;
- web links (they often carry a name or profile);
- IBANs: checked with `stdnum.iban` (any country), and Dutch-shaped ones even with a typo;
- BSN numbers: nine digits (with or without dots or spaces) that pass the eleven-test of
  `stdnum.nl.bsn`, and any 8 or 9 digit number right after the word "bsn" or
  "burgerservicenummer";
- phone numbers: `phonenumbers.PhoneNumberMatcher` (Dutch and international numbers), plus
  number-shaped leftovers such as a mobile number with a digit missing;
- street addresses ("Kerkstraat 12");
- Dutch postcodes, with the house number when one follows or comes just before;
- social-media handles (@naam) and IPv4 addresses;
- any other run of nine or more digits (account, customer, passport or file numbers).

No Rasa imports: this is plain Python, tested in tests/unit and tests/staff.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, List, Tuple

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

EMAIL = "[e-mailadres]"
LINK = "[link]"
IBAN = "[iban]"
BSN = "[bsn]"
PHONE = "[telefoonnummer]"
POSTCODE = "[postcode]"
ADDRESS = "[adres]"
HANDLE = "[gebruikersnaam]"
IP_ADDRESS = "[ip-adres]"
NUMBER = "[nummer]"

PLACEHOLDERS = (EMAIL, LINK, IBAN, BSN, PHONE, POSTCODE, ADDRESS, HANDLE, IP_ADDRESS, NUMBER)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    placeholder: str


_EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"\s?@\s?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}")
_LINK_RE = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|nl|be|org|net|de|eu|io|me|tv|gg|info|app)/[^\s<>\"']*",
    re.IGNORECASE)
# Two letters, two check digits, then 10 to 30 letters or digits, in groups or not.
_IBAN_RE = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,30}\b")
_DUTCH_IBAN_RE = re.compile(r"\bNL\s?\d{2}\s?[A-Z]{4}(?:\s?\d){10}\b", re.IGNORECASE)
# Nine digits, optionally grouped with dots, spaces or dashes (123.456.782, 1234 56 782).
_NINE_DIGITS_RE = re.compile(r"(?<![\d.,-])\d(?:[ .-]?\d){8}(?![\d]|[.,-]\d)")
_BSN_CONTEXT_RE = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer)(?:\s*(?:nummer|nr\.?|is|:|=))*\s*"
    r"(\d(?:[ .-]?\d){7,8})(?!\d)", re.IGNORECASE)
# Phone-shaped leftovers that phonenumbers does not accept as valid (a digit too few or
# too many): a Dutch number starting with 0, or an international one starting with +/00.
_PHONE_SHAPE_RE = re.compile(
    r"(?<![\w+])(?:\+|00)\d(?:[ ()./-]{0,2}\d){7,13}(?!\d)"
    r"|(?<![\w+])0[1-9](?:[ ()./-]{0,2}\d){7,9}(?!\d)")
# Dutch postcode: four digits (not starting with 0), two letters (never SA, SD or SS).
_HOUSE_NUMBER = r"(?:\d{1,5}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:\s?[-/]\s?\d{1,4}|\s?(?:hs|bis|huis))?)"
# Two-letter words that follow a year or a number in a sentence ("in 2019 en 2020",
# "2024 IS-filmpjes"): after a space they are read as a postcode only when they are not one
# of these. Written together ("1234AB", "1234en") it is always a postcode.
_SHORT_WORDS = ("en|om|in|op|is|of|te|ik|al|nu|er|af|zo|at|on|to|as|an|or|me|we|he|by|it|so|"
                "no|na|ja|je|ze|de|ok|tv|pm|am|uu|mn|zn|hy|du|un|da|do|go|up|us|my|hi|ga|eh")
_POSTCODE_RE = re.compile(
    r"(?:\b" + _HOUSE_NUMBER + r"\s*,\s*)?"       # "12, 1234 AB"
    r"\b[1-9]\d{3}"
    r"(?:(?!(?i:sa|sd|ss))[A-Za-z]{2}"               # 1234AB, 1234ab
    r"|\s(?!(?i:sa|sd|ss|" + _SHORT_WORDS + r")\b)[A-Z]{2}"      # 1234 AB
    r"|\s(?!(?i:sa|sd|ss))[A-Z]{2}(?=\s*(?:,\s*)?(?:nr\.?\s*)?\d)"  # 1234 EN 4
    r"|\s(?!(?i:sa|sd|ss|" + _SHORT_WORDS + r")\b)[A-Za-z]{2}"  # 1234 ab 12
    r"(?=\s*(?:,\s*)?(?:nr\.?\s*)?\d))"
    r"\b"
    r"(?:\s*,?\s*(?:nr\.?\s*|huisnummer\s*)?" + _HOUSE_NUMBER + r"\b)?")
_STREET_RE = re.compile(
    r"\b[A-Za-zÀ-ÿ'-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|pad|dreef|hof|"
    r"park|baan|markt|plantsoen|boulevard|erf|veld|wal|burg|haven|hoek|ring|allee|oord|"
    r"street|road|avenue|lane)\s+" + _HOUSE_NUMBER + r"\b", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,30}\b")
_IP_RE = re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
_LONG_NUMBER_RE = re.compile(r"(?<![\d])\d(?:[ .-]?\d){8,}(?!\d)")


Finder = Callable[[str, List[Found]], Iterable[Found]]


def _overlaps(start: int, end: int, taken: List[Found]) -> bool:
    return any(start < other.end and other.start < end for other in taken)


def _regex(pattern: "re.Pattern[str]", placeholder: str, group: int = 0,
           valid: Callable[[str], bool] = lambda _: True) -> Finder:
    def find(text: str, taken: List[Found]) -> Iterable[Found]:
        position = 0
        while position <= len(text):
            match = pattern.search(text, position)
            if match is None:
                return
            start, end = match.start(group), match.end(group)
            if end > start and not _overlaps(start, end, taken) and valid(match.group(group)):
                yield Found(start, end, placeholder)
                position = max(end, match.start() + 1)
            else:
                # Try again from the next character: a shorter match may not overlap.
                position = match.start() + 1
    return find


def _is_iban(candidate: str) -> bool:
    return stdnum_iban.is_valid(candidate.replace("-", ""))


def _is_bsn(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return len(digits) == 9 and stdnum_bsn.is_valid(digits)


def _phones(text: str, taken: List[Found]) -> Iterable[Found]:
    try:
        for match in PhoneNumberMatcher(text, "NL", leniency=Leniency.VALID):
            yield Found(match.start, match.end, PHONE)
    except phonenumbers.NumberParseException:  # pragma: no cover - defensive
        return


FINDERS: Tuple[Finder, ...] = (
    _regex(_EMAIL_RE, EMAIL),
    _regex(_LINK_RE, LINK),
    _regex(_DUTCH_IBAN_RE, IBAN),
    _regex(_IBAN_RE, IBAN, valid=_is_iban),
    _regex(_BSN_CONTEXT_RE, BSN, group=1),
    _regex(_NINE_DIGITS_RE, BSN, valid=_is_bsn),
    _phones,
    _regex(_PHONE_SHAPE_RE, PHONE),
    _regex(_STREET_RE, ADDRESS),
    _regex(_POSTCODE_RE, POSTCODE),
    _regex(_HANDLE_RE, HANDLE),
    _regex(_IP_RE, IP_ADDRESS),
    _regex(_LONG_NUMBER_RE, NUMBER),
)


def find_identifiers(text: str) -> List[Found]:
    """The identifiers in `text`, without overlaps, in order of position."""
    taken: List[Found] = []
    for finder in FINDERS:
        for found in list(finder(text, taken)):
            if found.end > found.start and not _overlaps(found.start, found.end, taken):
                taken.append(found)
    return sorted(taken, key=lambda found: found.start)


def redact(text: str) -> str:
    """`text` with every identifier replaced by its placeholder."""
    if not text:
        return text
    parts: List[str] = []
    position = 0
    for found in find_identifiers(text):
        parts.append(text[position:found.start])
        parts.append(found.placeholder)
        position = found.end
    parts.append(text[position:])
    return "".join(parts)
