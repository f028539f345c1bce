"""Replaces personal identifiers in a visitor's message by placeholders.

The channels (bot/channels.py) call `redact` on every checked message before Rasa sees it,
so the text that reaches the NLU, the tracker store, the logs and any event broker never
holds the identifier itself. The placeholders are plain words in square brackets
(`[naam]`, `[telefoonnummer]`), which the NLU reads as ordinary tokens, so the conversation
goes on: "mijn zoon [naam] kijkt IS-filmpjes" is still a worried parent.

This is a risk-reduction layer, not a guarantee: it finds the identifiers people usually
write, in the ways they usually write them (docs/privacy figures: scripts/evaluate_redaction.py).

How: the finders run on a folded copy of the text (NFKC, so '＠', fullwidth and superscript
digits become '@' and digits; invisible characters such as zero-width spaces and joiners,
the combining grapheme joiner, Hangul fillers and the braille blank removed), and what they
find is mapped back onto the original text. What is found, in this order (a later finder
never touches text an earlier one took):
- e-mail addresses, also written "jan(at)gmail.com", "jan at gmail dot com", "jan
  apenstaartje gmail punt com", with a space or a comma for the dot, or without the dot;
- web links (they often carry a name or profile);
- IBANs (`stdnum.iban`, Dutch-shaped ones even with a typo); phone numbers
  (`phonenumbers.PhoneNumberMatcher`, plus number-shaped leftovers such as "06_12345678" or a
  mobile number with a digit missing); BSN numbers (the eleven-test of `stdnum.nl.bsn`, never
  inside a phone number); passwords after "wachtwoord";
- licence plates (every Dutch sidecode, "12-ABC-3"), passport and other document numbers;
- dates ("12-03-2007", "2007-03-12", "12 maart 2007", "geboren op 12 maart");
- street addresses ("Kerkstraat 12", "Kerkstr. 12", "Kerkstraat12", "Kerkstraat nr 12",
  "12 Kerkstraat", "Laan van Meerdervoort 112", "Rue de la Loi 16", any street of deduce's
  list of Dutch streets before a house number), Dutch postcodes with the house number
  ("1234AB12");
- schools and other institutions ("het Erasmus College", "OBS De Regenboog");
- social-media handles ("@naam", and "insta: mo_ahmed07", "discord mo#1234" after a platform),
  IPv4 and IPv6 addresses (`ipaddress`);
- names in context ("ik heet Sanne", "mijn zoon Gökhan", "groetjes, Petra", "mevrouw de
  Wit", "A. van Leeuwen", "Abu Bakr"), then person names, places, hospitals and dates found
  by deduce (bot/lse/deidentify.py);
- capitalised names after a preposition ("in Leiden", "bij de Rabobank", "op het Zadkine"),
  next to a word for an institution ("moskee Al Islah"), districts ("Schilderswijk") and
  school names ("Wilhelminaschool"); "[plaats] Noord", "[plaats] aan den IJssel" are one place;
- any other long number (account, customer, passport or file numbers).
Never redacted: the words the assistant needs to understand a message (role and family
words, ideologies and groups, platforms, religious words, countries and conflict areas,
languages: `KEEP`), even where a name list has them, and the public figures, books and events
of `PROTECTED_PHRASES` ("Andrew Tate", "Mein Kampf", "7 oktober").

Not found: numbers written in words ("nul zes een twee ..."), names written in lower case
without a cue ("ahmed is weg"), a street written in two words ("Kerk straat 12"), names of
companies and clubs that no cue or preposition announces.

No Rasa imports: this is plain Python, tested in tests/unit and tests/staff.
"""
from __future__ import annotations

import bisect
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from bot.lse import deidentify
from bot.lse.role_cues import _RELATIONS, _WORK_PEOPLE

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
NAME = "[naam]"
PLACE = "[plaats]"
SCHOOL = "[school]"
INSTITUTION = "[instelling]"
DATE = "[datum]"
PLATE = "[kenteken]"
PASSWORD = "[wachtwoord]"

PLACEHOLDERS = (EMAIL, LINK, IBAN, BSN, PHONE, POSTCODE, ADDRESS, HANDLE, IP_ADDRESS, NUMBER,
                NAME, PLACE, SCHOOL, INSTITUTION, DATE, PLATE, PASSWORD)

_PLACEHOLDER_OF_KIND = {
    deidentify.PERSON: NAME, deidentify.PLACE: PLACE, deidentify.ADDRESS: ADDRESS,
    deidentify.DATE: DATE, deidentify.INSTITUTION: INSTITUTION, deidentify.POSTCODE: POSTCODE,
}

# Words the assistant needs, never redacted even where a name or place list has them.
KEEP: frozenset[str] = frozenset(word.casefold() for word in (
    *_RELATIONS, *_WORK_PEOPLE,
    "ik", "hij", "zij", "ze", "wij", "jij", "hem", "haar", "hallo", "hoi", "hey", "beste",
    "goedemorgen", "goedemiddag", "goedenavond", "dag", "doei", "dank", "bedankt", "groet",
    "groetjes", "mvg", "help", "hulp", "sorry", "ja", "nee", "oké", "ok", "misschien",
    "cliënt", "cliënten", "docent", "leraar", "lerares", "mentor", "jongerenwerker", "wijkagent",
    "agent", "politie", "huisarts", "imam", "trainer", "coach", "reclassering", "gemeente",
    # ideologies, movements and groups
    "is", "isis", "isil", "daesh", "jihad", "jihadi", "jihadist", "jihadisten", "jihadisme",
    "nazi", "nazi's", "nazis", "neonazi", "neonazi's", "hitler", "soevereinen", "soevereine",
    "soevereinenbeweging", "salafist", "salafisten", "salafisme", "kalifaat", "taliban",
    "hamas", "hezbollah", "hizbollah", "al-qaida", "alqaida", "qaida", "qanon", "antifa",
    "wappie", "wappies", "incel", "incels", "omvolking", "atomwaffen", "pegida", "pkk",
    "extinction", "rebellion", "ummah", "sharia", "kafir", "kuffar", "moslimbroederschap",
    # platforms
    "telegram", "tiktok", "instagram", "insta", "snapchat", "snap", "discord", "youtube",
    "facebook", "whatsapp", "twitter", "reddit", "twitch", "roblox", "minecraft", "fortnite",
    "signal", "google", "gab", "4chan", "8kun", "rumble", "bitchute", "x", "kik",
    # religion
    "allah", "god", "koran", "quran", "moskee", "islam", "moslim", "moslims", "profeet",
    "bijbel", "jezus", "christus", "kerk", "synagoge", "thora", "ramadan", "suikerfeest",
    "kerst", "pasen", "hadith", "soenna", "sunni", "sjiiet",
    # countries and conflict areas (travel to them is a danger cue)
    "syrië", "syrie", "irak", "iraq", "afghanistan", "oekraïne", "oekraine", "rusland",
    "gaza", "palestina", "israël", "israel", "jemen", "somalië", "somalie", "mali", "libië",
    "libie", "turkije", "marokko", "iran", "pakistan", "tsjetsjenië", "koerdistan", "raqqa",
    "mosul", "idlib", "erbil", "aleppo", "damascus", "damascus", "kabul", "kandahar", "baghdad",
    "bagdad", "rojava", "donbas", "donbass", "kyiv", "kiev", "grozny", "netherlands",
    "viruswaarheid", "nederland", "belgië", "belgie", "duitsland", "frankrijk", "engeland",
    "europa", "amerika", "azië", "afrika", "midden-oosten", "sahel", "kosovo", "bosnië",
    "polen", "roemenië", "bulgarije", "griekenland", "italië", "spanje", "portugal", "zweden",
    "noorwegen", "denemarken", "oostenrijk", "zwitserland", "hongarije", "servië", "kroatië",
    "albanië", "tunesië", "algerije", "egypte", "libanon", "jordanië", "saoedi-arabië",
    "qatar", "soedan", "eritrea", "ethiopië", "nigeria", "kenia", "india", "bangladesh",
    "indonesië", "china", "japan", "suriname", "curaçao", "aruba", "syria", "turkey", "morocco",
    "schiphol", "luchthaven", "airport", "grens", "kalifaat",
    # languages and nationalities the assistant hears about
    "nederlands", "dutch", "engels", "english", "arabisch", "arabic", "turks", "turkish",
    "pools", "poolse", "polish", "somalisch", "somali", "koerdisch", "koerden", "koerd", "frans",
    "duits", "spaans", "russisch", "oekraïens", "urdu", "farsi", "pashto", "tigrinya",
    "marokkaans", "marokkaanse", "turkse", "syrisch", "syrische", "afghaans", "afghaanse",
    "tsjetsjeens", "tsjetsjeense", "nederlander", "nederlandse", "europees", "europese",
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    # public figures, books and events visitors name (not the people the message is about)
    "breivik", "tarrant", "odin", "wodan", "rutte", "wilders", "baudet", "trump", "poetin", "putin", "erdogan",
    "baghdadi", "choudary", "unabomber", "kaczynski", "christchurch",
    "buffalo", "utøya", "bataclan", "ut-tahrir", "tahrir", "al-shabaab", "shabaab", "haram", "pvv", "fvd", "ja21", "bbb", "vvd", "d66",
    "groenlinks", "pvda", "woii", "wo2", "holocaust", "siege", "reconquista", "sharia4belgium",
    # the service itself and organisations the assistant answers questions about
    "lse", "steunpunt", "landelijk", "extremisme", "nctv", "aivd", "ggd", "halt", "mbo",
    "havo", "vwo", "vmbo", "school", "moskee", "veilig", "thuis", "jeugdzorg", "wijkteam",
    "politie", "marechaussee", "justitie", "rechtbank", "gevangenis", "azc", "coa", "ind",
))

# Names of public figures, books, groups and events that visitors mention (never redacted).
PROTECTED_PHRASES = (
    "andrew tate", "elliot rodger", "mein kampf", "osama bin laden", "bin laden",
    "proud boys", "blood & honour", "blood and honour", "hizb ut-tahrir", "boko haram",
    "7 oktober", "11 september", "9/11", "brenton tarrant", "anders breivik", "mohammed b.",
    "thor's hammer", "de islamitische staat", "islamitische staat", "al qaida", "al-qaida",
    "jodi arias", "ted kaczynski", "atomwaffen division", "the base", "extinction rebellion",
    "last generation", "soldiers of odin", "sharia4holland", "sharia4belgium", "de profeet",
)
_PROTECTED_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(phrase) for phrase in PROTECTED_PHRASES) + r")(?!\w)",
    re.IGNORECASE)

_INTERFIXES = frozenset((
    "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "op", "'t", "el", "al", "ben",
    "bin", "ibn", "abu", "da", "di", "du", "le", "la", "von", "zu", "op", "'s", "d'", "dos",
    "das", "del", "della", "y", "e", "a", "ou", "ait", "bou",
))


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    placeholder: str


# ---- folding ---------------------------------------------------------------------------

_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u200d")


def fold(text: str) -> tuple[str, list[int]]:
    """NFKC of each character with the invisible ones removed, and for each folded character
    the index of the character of `text` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            out.append(char)
            origin.append(index)
            continue
        if char in _INVISIBLE or unicodedata.category(char) == "Cf":
            continue
        for folded in unicodedata.normalize("NFKC", char):
            out.append(folded)
            origin.append(index)
    return "".join(out), origin


# ---- patterns (every repetition bounded: linear time on any 1000-character message) -----

_W = r"[^\W_]"                 # a Unicode letter or digit
_L = r"[^\W\d_]"               # a Unicode letter
_LOCAL = r"[\w!#$%&'*+=?^`{|}~-]{1,64}(?:\.[\w!#$%&'*+=?^`{|}~-]{1,64}){0,8}"
_TLDS = (r"(?:com|nl|be|net|org|de|eu|fr|uk|co|info|biz|io|me|tv|nu|online|live|email|mail|"
         r"tr|ma|es|it|pl|ro|ru|ua|at|ch|dk|se|no|fi|us|ca|au|app|dev|xyz)")
_EMAIL_RE = re.compile(
    # jan@gmail.com, jan@gmail,com, jan@gmailcom, jansen@gmail
    r"(?<![\w.+-])" + _LOCAL + r"@[\w-]{1,63}(?:\s?[.,]\s?[\w-]{1,63}){0,5}"
    # jan.jansen @ gmail.com, jan.jansen@gmail .com: with a space, only with a domain ending
    r"|(?<![\w.+-])(?=[\w.+-]{0,64}[._\d])" + _LOCAL + r"\s?@\s?[\w-]{1,63}"
    r"(?:\s?[.,]\s?[\w-]{1,63}){0,4}\s?[.,]\s?" + _TLDS + r"\b"
    # jan(at)hotmail.com, jan[at]hotmail.nl, jan {at} ...
    r"|(?<![\w.+-])" + _LOCAL + r"\s?[(\[{<]\s?(?:at|@|apenstaartje)\s?[)\]}>]\s?[\w-]{1,63}"
    r"(?:\s?(?:[.,]|[(\[{<]\s?(?:dot|punt)\s?[)\]}>])\s?[\w-]{1,63}|\s(?:dot|punt)\s[\w-]{1,63}){0,5}"
    # jan.jansen at gmail dot com, jan punt jansen apenstaartje gmail punt com
    r"|(?<![\w.+-])[\w+-]{1,64}(?:(?:\.|\s(?:punt|dot)\s)[\w+-]{1,64}){0,4}"
    r"\s(?:at|apenstaartje|apestaartje)\s[\w-]{1,63}(?:\s?\.\s?|\s(?:punt|dot)\s)" + _TLDS + r"\b",
    re.IGNORECASE)
_LINK_RE = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']{1,500}"
    r"|\b[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,5}\.(?:com|nl|be|org|net|de|eu|io|me|tv|gg|info|app)"
    r"/[^\s<>\"']{0,500}",
    re.IGNORECASE)
# Two letters, two check digits, then 10 to 30 letters or digits, in groups or not.
_IBAN_RE = re.compile(r"\b[A-Za-z]{2}\s?\d{2}(?:[ -]?[A-Za-z0-9]){10,30}\b")
_DUTCH_IBAN_RE = re.compile(r"\bNL\s?\d{2}[\s-]?[A-Z]{4}(?:[\s-]?\d){9,10}\b", re.IGNORECASE)
# Nine digits, optionally grouped with dots, spaces or dashes (123.456.782, 1234 56 782),
# never the tail of a longer number ("+31 6-12 34 56 78" is a phone number).
_NINE_DIGITS_RE = re.compile(r"(?<![\d.,+_-])(?<!\d[ .-])\d(?:[ .-]?\d){8}(?![\d]|[.,-]\d)")
_BSN_CONTEXT_RE = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer)(?:-?nummer)?"
    r"(?:\s{0,3}(?:nummer|nr\.?|is|:|=)){0,3}\s{0,3}"
    r"(\d(?:[ .-]?\d){7,8})(?!\d)", re.IGNORECASE)
# Phone-shaped leftovers that phonenumbers does not accept as valid (a digit too few or
# too many): a Dutch number starting with 0, or an international one starting with +/00.
_PHONE_SHAPE_RE = re.compile(
    r"(?<![\w+])(?:\+|00)\d(?:[ ()./_-]{0,2}\d){7,13}(?!\d)"
    r"|(?<![\w+])0[1-9](?:[ ()./_-]{0,2}\d){7,9}(?!\d)")
_PASSWORD_RE = re.compile(
    r"\b(?:wachtwoord|password|passwoord|pincode|pin-code|inlogcode)\s{0,3}(?:is|:|=|was)\s{0,3}"
    r"(\S{3,40})", re.IGNORECASE)
# Dutch licence plates: the sidecodes since 1951 (L letter, D digit), with dashes; after
# the word "kenteken" also with spaces or written together.
_SIDECODES = ("LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL",
              "DD-LLL-D", "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL",
              "D-LL-DDD", "DDD-LL-D", "LLL-DD-D", "D-DD-LLL", "LL-DDD-D")


def _sidecode(code: str, separator: str) -> str:
    return separator.join(
        "".join("[A-Za-z]" if c == "L" else r"\d" for c in group) for group in code.split("-"))


_PLATE_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(_sidecode(code, "-") for code in _SIDECODES) + r")(?![\w-])"
    r"|(?<=kenteken)(?:\s{0,3}(?:is|:|nummer|van|nr\.?)){0,2}\s{0,3}"
    r"((?:" + "|".join(_sidecode(code, r"[\s-]?") for code in _SIDECODES) + r"))(?!\w)",
    re.IGNORECASE)
# Passports and identity cards (NW1K2L3M4), and any number after a word that says it is one.
_DOCUMENT_RE = re.compile(
    r"(?<![\w-])[A-Z]{2}[A-Z0-9]{6}\d(?![\w-])"
    r"|(?<=nummer)(?:\s{1,3}(?:bij|van|is|ons|hem|haar|zijn|mijn|de|het|was|:|=)){0,4}"
    r"\s{0,3}:?\s{0,3}([A-Z0-9][A-Z0-9-]{3,19})(?![\w-])"
    r"|(?<=nr)\.?\s{0,3}:?\s{0,3}([A-Z0-9][A-Z0-9-]{3,19})(?![\w-])"
    r"|(?<=\bref)\.?\s{0,3}(?:[A-Z]{2,5}\s)?:?\s{0,3}([A-Z0-9][A-Z0-9-]{3,19})(?![\w-])",
    re.IGNORECASE)
_MONTHS = (r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
           r"november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec|january|"
           r"february|march|may|june|july|august|october)")
_DATE_RE = re.compile(
    r"(?<![\w-])(?:[12]\d{3}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:[12]\d{3}|\d{2})"
    r"|(?:0?[1-9]|[12]\d|3[01])(?:e|ste|de)?\s{1,3}" + _MONTHS + r"\.?(?:\s{1,3}[12]\d{3})?)(?![\w-])"
    r"|(?<=geboren )(?:op |in )?[12]\d{3}(?![\w-])"
    r"|(?<![\w-])(?:0[1-9]|[12]\d|3[01])-(?:0[1-9]|1[0-2])(?![\w-]|[-/]\d)",
    re.IGNORECASE)
# Dutch postcode: four digits (not starting with 0), two letters (never SA, SD or SS).
_HOUSE_NUMBER = r"(?:\d{1,5}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:\s?[-/]\s?\d{1,4}|\s?(?:hs|bis|huis))?)"
# Two-letter words that follow a year or a number in a sentence ("in 2019 en 2020",
# "2024 IS-filmpjes"): after a space they are read as a postcode only when they are not one
# of these. Written together ("1234AB", "1234en") it is always a postcode.
_SHORT_WORDS = ("en|om|in|op|is|of|te|ik|al|nu|er|af|zo|at|on|to|as|an|or|me|we|he|by|it|so|"
                "no|na|ja|je|ze|de|ok|tv|pm|am|uu|mn|zn|hy|du|un|da|do|go|up|us|my|hi|ga|eh")
_POSTCODE_RE = re.compile(
    r"(?<![\w-])[1-9]\d{3}"
    r"(?:(?!(?i:sa|sd|ss))[A-Za-z]{2}"               # 1234AB, 1234ab
    r"|\s(?!(?i:sa|sd|ss|" + _SHORT_WORDS + r")\b)[A-Z]{2}"      # 1234 AB
    r"|\s(?!(?i:sa|sd|ss))[A-Z]{2}(?=\s{0,3}(?:,\s{0,3})?(?:nr\.?\s{0,3}|huisnummer\s{0,3})?\d)"  # 1234 EN 4
    r"|(?<=[Pp]ostcode\s[1-9]\d{3})\s?[A-Za-z]{2}"     # postcode 3811 bd
    r"|\s(?!(?i:sa|sd|ss|" + _SHORT_WORDS + r")\b)[A-Za-z]{2}"  # 1234 ab 12
    r"(?=\s{0,3}(?:,\s{0,3})?(?:nr\.?\s{0,3}|huisnummer\s{0,3})?\d))"
    r"(?![A-Za-z])"
    r"(?:\s{0,3},?\s{0,3}(?:nr\.?\s{0,3}|huisnummer\s{0,3})?" + _HOUSE_NUMBER + r"\b)?")
# Street words: a capitalised word that ends like a street name, "Laan van ...", "Plein ...".
_STREET_SUFFIXES = (
    "straat", "str", "laan", "ln", "weg", "wg", "plein", "pln", "pl", "gracht", "gr", "kade",
    "kd", "singel", "sngl", "dijk", "dyk", "steeg", "stg", "pad", "dreef", "drf", "hof",
    "park", "prk", "baan", "markt", "mrkt", "plantsoen", "plnts", "boulevard", "blvd", "erf",
    "veld", "wal", "burg", "haven", "hoek", "ring", "allee", "oord", "dam", "zijde", "kamp",
    "hoven", "rade", "donk", "dal", "berg", "lei", "wetering", "vaart", "sloot", "polder",
    "street", "road", "avenue", "lane", "strasse", "straße", "hoeve", "akker", "brink", "wijk",
)
_STREET_FIRST_WORDS = frozenset((
    "laan", "plein", "weg", "straat", "kade", "hof", "park", "singel", "dreef", "rue", "avenue",
    "boulevard", "dijk", "pad", "steeg", "gracht", "markt", "oude", "nieuwe", "lange", "korte",
    "hoge", "lage", "burgemeester", "burg", "prins", "prinses", "koningin", "koning", "kon",
    "sint", "st", "dokter", "dr", "professor", "prof", "generaal", "graaf", "jonkheer", "mr",
    "president", "piet", "jan", "van", "de", "het", "2e", "1e", "3e", "eerste", "tweede",
    "derde", "rijksstraatweg", "via", "calle", "place", "street",
))
_NUMBER_WORDS = frozenset((
    "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf",
    "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien",
    "twintig",
))
_TOKEN_RE = re.compile(r"[\w'’.-]{1,60}|[,#@:()\[\]]")
_HOUSE_TOKEN_RE = re.compile(r"\d{1,4}(?:[-/]?\d{1,4})?[a-zA-Z]{0,2}(?:-?(?:bis|hs|huis|[IV]{1,3}))?")
_GLUED_STREET_RE = re.compile(r"(" + _L + r"[\w'-]{1,40}?(?:straat|laan|weg|plein|gracht|kade|singel|"
                              r"dijk|steeg|dreef|hof|park|markt|str|ln))\.?(\d{1,4}[a-zA-Z]?)",
                              re.IGNORECASE)
_GLUED_SUFFIX_DIGIT_RE = re.compile(
    r"(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steeg|dreef|hof|park|markt|str|ln)\.?\d",
    re.IGNORECASE)
_SCHOOL_TYPES = (
    r"College|Lyceum|Gymnasium|Atheneum|Scholengemeenschap|Academie|Hogeschool|Universiteit|"
    r"University|School|Basisschool|Campus|Instituut|Montessorischool|Vakcollege|"
    r"Praktijkschool|ROC|Roc|Scholen|Kindcentrum|IKC|Schoolgemeenschap|Islamschool|Madrassa"
)
_CAP = r"(?:[A-ZÀ-ÞĀ-ž][\w'’&-]{0,40})"
_SCHOOL_RE = re.compile(
    # Stedelijk Gymnasium Leiden, het Erasmus College, Thomas a Kempis College, ROC Midden Nederland
    r"(?<![\w-])(?:" + _CAP + r"(?:\s(?:a|van|de|der|den|het|voor|en|'t)){0,2}\s){1,4}(?:"
    + _SCHOOL_TYPES + r")(?:\s(?:van|voor|de|het|'t)){0,2}(?:\s" + _CAP + r"){0,3}(?![\w-])"
    # Universiteit Utrecht, ROC Midden Nederland, Hogeschool van Amsterdam
    r"|(?<![\w-])(?:" + _SCHOOL_TYPES + r")(?:\s(?:van|voor|de|het|'t)){0,2}(?:\s" + _CAP
    + r"){1,3}(?![\w-])")
_SCHOOL_NAME_AFTER_RE = re.compile(
    r"(?<![\w-])(?i:basisschool|obs|cbs|pcbs|rkbs|sbo|ikc|kindcentrum|montessorischool|"
    r"vrije school|jenaplanschool|daltonschool)\s((?:(?:De|Het|'t|de|het)\s)?" + _CAP
    + r"(?:\s" + _CAP + r"){0,3})(?![\w-])")
_PLATFORMS = (r"insta|instagram|ig|snap|snapchat|sc|discord|tiktok|tik tok|telegram|tg|twitter|"
              r"x|facebook|fb|youtube|yt|twitch|kik|reddit|threads|signal|steam|roblox|psn|xbox")
_HANDLE_AFTER_PLATFORM_RE = re.compile(
    r"\b(?:" + _PLATFORMS + r")(?:[-\s]?(?:account|naam|name|username|gebruikersnaam|id))?\b"
    r"(?P<cue>(?:\s{0,3}(?::|=|(?:is|heet|als|van\s(?:hem|haar)(?:\sis)?|onder\sde\snaam|als\snaam)\b)){0,3})"
    r"[\s:=-]{1,4}(?<![\w.])(?P<handle>@?\s?[\w.#-]{2,40})",
    re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<![\w@])@\s?[\w.]{1,30}(?:#\d{1,6})?")
# sheikh_yassin_nl: a word with an underscore between letters or digits is a user name.
_SNAKE_RE = re.compile(r"(?<![\w@.#-])[^\W_][\w.]{0,30}_[\w.]{1,30}(?<![._])")
_HANDLE_CUE_RE = re.compile(
    r"\b(?:handle|username|user name|gebruikersnaam|accountnaam|account|profiel|profile|"
    r"nickname|bijnaam|kanaal|channel|(?:youtube|insta|tiktok|snap|telegram)[-\s]?naam)\b"
    r"(?P<cue>(?:\s{1,3}(?:is|was|heet))?\s{0,3}[:=]?)\s{0,3}['\"‘’“”]?(?P<handle>@?[\w.#-]{2,40})",
    re.IGNORECASE)
_DISCORD_TAG_RE = re.compile(r"(?<![\w#])[\w.]{2,32}#\d{4}\b")
_IP_RE = re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
_IPV6_CANDIDATE_RE = re.compile(r"(?<![\w:])[0-9A-Fa-f:]{2,45}(?:%\w{1,15})?(?![\w:])")
# Not inside a word: "soak50v49n123456" (a sender id of the benchmarks) stays as it is.
_LONG_NUMBER_RE = re.compile(
    r"(?<![^\W_])\d(?:[ .-]?\d){8,30}(?![^\W_])|(?<![^\W_])\d{6,40}(?![^\W_])")
_NAME_TOKEN = _L + r"[\w'’-]{0,30}"
_NAME_CONTEXT_RE = re.compile(
    r"\b(?:(?:ik\s)?heet|heten|genaamd|genoemd|naam\sis|name\sis|noemen\s(?:hem|haar)|"
    r"ik\sben|i\sam|i'm|mvg|m\.v\.g\.|groet(?:jes|en|s)?|gr|grt|gr\.|liefs|regards|cheers|thanks|"
    r"noemt\s(?:hem|haar|zich)|noemen\s(?:hem|haar|zich)|noemt|called|named|my\sname\sis|"
    r"met\svriendelijke\sgroet(?:en)?|vriendelijke\sgroet(?:en)?)"
    r"\s{0,3}[,:]?\s{0,3}['\"‘’“”]?(" + _NAME_TOKEN + r"(?:\s" + _NAME_TOKEN + r"){0,4})",
    re.IGNORECASE)
_TITLE_RE = re.compile(
    r"\b(?:mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de heer|juf|juffrouw|meester|meneer|"
    r"brigadier|agent|inspecteur|dokter|dr\.?|imam|sheikh|sjeik|ustadh|hoca|broeder|zuster|"
    r"mr\.?|mrs\.?|ms\.?|miss|sir)\s{1,3}(" + _NAME_TOKEN + r"(?:\s" + _NAME_TOKEN + r"){0,3})",
    re.IGNORECASE)
# "A. van Leeuwen", "J. Khan", "P.J. de Vries"; "Abu Bakr", "Abu Yahya al-Hollandi"
_INITIALS_NAME_RE = re.compile(
    r"(?<![\w.])(?:[A-Z]\.\s?){1,3}(?:(?:van|de|der|den|ter|ten|el|al|von)\s){0,3}"
    r"[A-ZÀ-ÞĀ-ž][^\W\d_]{1,30}(?:-[A-ZÀ-ÞĀ-ž][^\W\d_]{1,30})?"
    r"|\b(?:Abu|Abou|Umm|Oum|Ibn|Bin|Ben)\s(?:(?:al|el)-)?[A-ZÀ-ÞĀ-ž][^\W\d_]{1,30}"
    r"(?:\s(?:(?:al|el)-)?[A-ZÀ-ÞĀ-ž][^\W\d_]{1,30}){0,2}")
_RELATION_WORDS = "|".join(sorted((re.escape(word) for word in _RELATIONS + _WORK_PEOPLE
                                   if " " not in word), key=len, reverse=True))
_RELATION_NAME_RE = re.compile(
    r"\b(?:" + _RELATION_WORDS + r"|collega|leerling|cliënt|jongen|meid|knul)"
    r"(?:\s(?:van\s\d{1,2}|\(\d{1,2}\)|\d{1,2}|van))?\s{1,3}['\"‘’“”]?(" + _NAME_TOKEN
    + r"(?:\s" + _NAME_TOKEN + r"){0,4})",
    re.IGNORECASE)


Finder = Callable[[str, "Taken"], Iterable[Found]]


class Taken:
    """The spans found so far: never overlapping, kept sorted, so that a check is a bisection
    (a message with hundreds of candidates stays linear)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._found: list[Found] = []

    def _around(self, start: int, end: int) -> list[Found]:
        index = bisect.bisect_right(self._starts, start)
        result = []
        if index > 0 and self._found[index - 1].end > start:
            result.append(self._found[index - 1])
        while index < len(self._found) and self._found[index].start < end:
            result.append(self._found[index])
            index += 1
        return result

    def overlaps(self, start: int, end: int) -> bool:
        return bool(self._around(start, end))

    def add(self, found: Found) -> None:
        index = bisect.bisect_right(self._starts, found.start)
        self._starts.insert(index, found.start)
        self._found.insert(index, found)

    def free_pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        """[start, end) without the parts taken already."""
        pieces, position = [], start
        for other in self._around(start, end):
            if other.start > position:
                pieces.append((position, other.start))
            position = max(position, other.end)
        if position < end:
            pieces.append((position, end))
        return pieces

    def __iter__(self) -> Iterator[Found]:
        return iter(self._found)


def _overlaps(start: int, end: int, taken: Taken) -> bool:
    return taken.overlaps(start, end)


def _regex(pattern: re.Pattern[str], placeholder: str, group: int | None = None,
           valid: Callable[[str], bool] = lambda _: True, needs: tuple[str, ...] = ()) -> Finder:
    """Every match of `pattern` (its first group that matched when `group` is None and the
    pattern has groups). `needs`: the finder runs only when the folded text contains one of
    these (lower case), which keeps the patterns off messages they can never match."""
    def find(text: str, taken: Taken) -> Iterable[Found]:
        if needs:
            lower = text.lower()
            if not any(word in lower for word in needs):
                return
        for match in pattern.finditer(text):
            index = group
            if index is None:
                index = next((i for i in range(1, (pattern.groups or 0) + 1)
                              if match.start(i) >= 0), 0)
            start, end = match.start(index), match.end(index)
            if end > start and not _overlaps(start, end, taken) and valid(match.group(index)):
                yield Found(start, end, placeholder)
    return find


def _is_iban(candidate: str) -> bool:
    return stdnum_iban.is_valid(candidate.replace("-", ""))


def _is_bsn(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return len(digits) == 9 and stdnum_bsn.is_valid(digits)


def _is_document_number(candidate: str) -> bool:
    digits = sum(char.isdigit() for char in candidate)
    return digits >= 2 and not re.fullmatch(r"[12]\d{3}", candidate)


def _is_ipv6(candidate: str) -> bool:
    if candidate.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(candidate.split("%")[0])
    except ValueError:
        return False
    return True


# Where a phone number may be: a '+', '00' or '(' and 7 to 17 digits with at most three
# separators between two of them. Each is checked with `phonenumbers.parse` (Dutch by
# default) and kept when it is a valid number; phonenumbers' PhoneNumberMatcher is not used,
# it takes 75 ms on a 1000-character message of digits and slashes. The phone-shape pattern
# below catches the number-shaped rest.
_PHONE_CANDIDATE_RE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d(?:[ ()./_-]{0,3}\d){6,16}")
_PHONE_CANDIDATES = 40


def _phones(text: str, taken: Taken) -> Iterable[Found]:
    for count, candidate in enumerate(_PHONE_CANDIDATE_RE.finditer(text)):
        if count >= _PHONE_CANDIDATES:
            return
        try:
            number = phonenumbers.parse(candidate.group(), "NL")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            yield Found(candidate.start(), candidate.end(), PHONE)


def _handles_after_platform(text: str, taken: Taken) -> Iterable[Found]:
    """"insta: mo_ahmed07", "zijn snap is mo.ahmed", "discord mo#1234": a word after a
    platform is a handle when it looks like one (@, digits, '_', '.', '#') or when a cue
    (':', 'is', 'heet') says so and it is not an ordinary word."""
    for match in _HANDLE_AFTER_PLATFORM_RE.finditer(text):
        handle = match.group("handle").lstrip("@ ").rstrip(".-")
        lower = handle.casefold()
        if len(handle) < 2 or lower in KEEP or lower in _STOP_AFTER_PLATFORM:
            continue
        looks_like_one = match.group("handle").startswith("@") or any(
            char in handle for char in "_.#0123456789")
        cue = match.group("cue").strip().casefold()
        # "discord is trying to ...": after a bare "is", only a handle that looks like one.
        strong_cue = cue and not cue.endswith(("is", "als"))
        if looks_like_one or (strong_cue and not _is_common_word(handle)):
            start = match.start("handle")
            end = start + len(match.group("handle").rstrip(".-"))
            if not _overlaps(start, end, taken):
                yield Found(start, end, HANDLE)


_STOP_AFTER_PLATFORM = frozenset((
    "en", "of", "om", "op", "in", "is", "te", "de", "het", "een", "dat", "die", "met", "van",
    "naar", "over", "voor", "bij", "aan", "als", "maar", "want", "ook", "nog", "al", "niet",
    "wel", "zit", "zat", "zitten", "kijkt", "kijken", "keek", "filmpjes", "video", "video's",
    "groepen", "groep", "kanalen", "kanaal", "berichten", "chat", "chats", "and", "or", "the",
    "account", "accounts", "hij", "zij", "ze", "ik", "we", "je", "mijn", "zijn", "haar",
    "heel", "veel", "vaak", "hele", "steeds", "gaat", "ging", "is", "was", "heeft", "had",
    "gezien", "gevonden", "volgt", "volgen", "deelt", "delen", "nu", "dan", "toen", "er",
    "iets", "alles", "dingen", "andere", "sinds", "tot", "door", "via", "dm", "dms", "pv",
    "privé", "live", "story", "stories", "reels", "posts", "post", "gesprek", "gesprekken",
))


def _handles_after_cue(text: str, taken: Taken) -> Iterable[Found]:
    """"username abdi.xq", "zijn youtube naam is mo_ahmed", "handle: malika.x.x.x"; after a
    bare "handle" or "account" (English verbs and nouns too) only a word that looks like one."""
    for match in _HANDLE_CUE_RE.finditer(text):
        handle = match.group("handle").rstrip(".-")
        lower = handle.casefold().lstrip("@")
        if lower in _STOP_AFTER_PLATFORM or lower in KEEP or len(lower) < 2:
            continue
        looks_like_one = any(char in handle for char in "@_.#0123456789")
        if looks_like_one or (match.group("cue").strip() and not _is_common_word(lower)):
            start = match.start("handle")
            if not _overlaps(start, start + len(handle), taken):
                yield Found(start, start + len(handle), HANDLE)


_CAPS = _CAP + r"(?:\s(?:" + _CAP + r"|&|BV|B\.V\.|aan\sde|aan\sden|op\sde)){0,3}"
# "in Leiden", "uit de Bijlmer", "in Kanaleneiland", "bij de Rabobank", "op het Zadkine"
_PLACE_AFTER_RE = re.compile(
    r"\b(?:in|uit|naar|te|rond|richting|omgeving|vanuit|vanaf|nabij|from|near)\s"
    r"(?:de\s|het\s|the\s)?(" + _CAPS + r")")
_INSTITUTION_AFTER_RE = re.compile(
    r"\b(?P<prep>bij|op|at|for|van)\s(?:de\s|het\s|the\s)?(?P<name>" + _CAPS + r")")
_INSTITUTION_TYPE_RE = re.compile(
    r"\b(?i:moskee|mosque|masjid|camii|cami|kerk|church|sportschool|vechtsportschool|"
    r"voetbalvereniging|vereniging|voetbalclub|club|stichting|buurthuis|sorteercentrum|"
    r"distributiecentrum|bedrijf|school|basisschool|gemeente|team)"
    r"(?:\s(?:is|was|heet|heette|called))?\s?[:(]?\s?(" + _CAPS + r")"
    r"|(?<![\w-])(" + _CAP + r"(?:\s" + _CAP + r"){0,2})[\s-](?:moskee|mosque|camii|cami|"
    r"masjid|school|MMA|BV|B\.V\.|United|Club|FC|Gym)(?![\w-])")
_DISTRICT_RE = re.compile(r"(?<![\w-])[A-ZÀ-ÞĀ-ž][^\W\d_]{2,30}(?:wijk|buurt|kwartier|dorp|eiland)(?![\w-])")
_SCHOOL_WORD_RE = re.compile(
    r"(?<![\w-])[A-ZÀ-ÞĀ-ž][^\W\d_]{2,30}(?:school|college|lyceum|gymnasium)(?![\w-])")


def _capitalised_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of text[start:end] from its first to its last capitalised word that could be
    a proper name (not a word the assistant needs, not an ordinary word, not an acronym)."""
    words = [(m.start() + start, m.end() + start, m.group())
             for m in re.finditer(r"[\w'’&-]+", text[start:end])]
    kept: list[tuple[int, int]] = []
    leading: int | None = None
    for word_start, word_end, word in words:
        if not kept and leading is None and word in ("Het", "De", "'t"):
            leading = word_start  # "Het Kompas", "De Regenboog"
            continue
        lower = word.casefold().strip("'’")
        parts = [part for part in word.strip("'’").split("-") if part]
        if word[:1].isupper() and lower not in KEEP and "[" not in word and not (
                any(char.isdigit() for char in word)) and all(
                part[:1].isupper() and part.casefold() not in KEEP for part in parts) and not (
                word.isalpha() and word.isupper() and len(word) <= 3) and (
                not _is_common_word(lower) or lower in _deidentifier().places):
            kept.append((word_start, word_end))
        elif kept and lower in ("&", "bv", "b.v.", "aan", "de", "den", "op") and word_end < end:
            continue
        else:
            break
    if not kept:
        return None
    return (leading if leading is not None else kept[0][0]), kept[-1][1]


def _places_and_institutions(text: str, taken: Taken) -> Iterable[Found]:
    """Capitalised names after a preposition ('in Leiden', 'bij de Rabobank', 'op het
    Zadkine'), next to a word for an institution ('moskee Al Islah', 'Mevlana moskee'),
    district names ('Schilderswijk') and school names ('Wilhelminaschool')."""
    found: list[Found] = []
    for pattern, placeholder in ((_SCHOOL_WORD_RE, SCHOOL), (_DISTRICT_RE, PLACE)):
        for match in pattern.finditer(text):
            if match.group().casefold() not in KEEP:
                found.append(Found(match.start(), match.end(), placeholder))
    for match in _INSTITUTION_TYPE_RE.finditer(text):
        group = 1 if match.start(1) >= 0 else 2
        span = _capitalised_words(text, match.start(group), match.end(group))
        if span:
            found.append(Found(span[0], span[1], INSTITUTION))
    for match in _PLACE_AFTER_RE.finditer(text):
        span = _capitalised_words(text, match.start(1), match.end(1))
        if span:
            found.append(Found(span[0], span[1], PLACE))
    for match in _INSTITUTION_AFTER_RE.finditer(text):
        span = _capitalised_words(text, match.start("name"), match.end("name"))
        if span:
            placeholder = SCHOOL if match.group("prep") == "op" else INSTITUTION
            found.append(Found(span[0], span[1], placeholder))
    for item in found:
        # what another finder took stays taken ("Fight Club [plaats]", "HEMA op de [adres]")
        for start, end in taken.free_pieces(item.start, item.end):
            span = _capitalised_words(text, start, end)
            if span:
                yield Found(span[0], span[1], item.placeholder)


_PLACE_SUFFIX_RE = re.compile(
    r"(?:[- ](?:Noord|Zuid|Oost|West|Nieuw-West|Zuidoost|Noordoost|Noordwest|Zuidwest|Centrum|"
    r"Noord-Oost|Zuid-Oost|noord|zuid|oost|west|centrum)|\saan\s(?:de|den)\s[A-Z][\w-]{1,30})(?![\w-])")


def _extend_places(text: str, found: list[Found]) -> list[Found]:
    """'[plaats] Noord', '[plaats]-Zuid', '[plaats] aan den IJssel' are one place."""
    result: list[Found] = []
    for index, item in enumerate(found):
        if item.placeholder == PLACE:
            match = _PLACE_SUFFIX_RE.match(text, item.end)
            following = found[index + 1].start if index + 1 < len(found) else len(text)
            if match and match.end() <= following:
                item = Found(item.start, match.end(), PLACE)
        result.append(item)
    return result


# ---- deduce and the word-based finders ----------------------------------------------------

def _deidentifier() -> deidentify.Deidentifier:
    return deidentify.get()


def _is_common_word(word: str) -> bool:
    return word.casefold() in _deidentifier().common_words


def _is_name_word(word: str) -> bool:
    folded = word.casefold().strip("'’-")
    if not folded or len(folded) > 40 or folded in KEEP or _is_common_word(folded) or folded.isdigit() or "[" in word:
        return False
    if "-" in folded and any(part in KEEP for part in folded.split("-")):
        return False  # IS-filmpjes, Telegram-groep
    if "-" in word and not all(part[:1].isupper() for part in word.split("-") if part):
        return False  # HR-adviseur (Jan-Willem, El-Amrani are names)
    return not (word.isalpha() and word.isupper() and len(word) <= 4)  # IS, AIVD: acronyms


def _trim_name(text: str, start: int, end: int, capitalised: bool,
               titled: bool = False) -> tuple[int, int] | None:
    """The part of text[start:end] that is a name: from the first name-like word to the last
    one, each capitalised when `capitalised`, with interfixes ("van der", "el") between and,
    after a title ("mevrouw de Wit"), before; after a title a capitalised ordinary word is a
    name too."""
    words = [(match.start() + start, match.end() + start, match.group())
             for match in re.finditer(r"[\w'’-]+", text[start:end])]
    kept: list[tuple[int, int]] = []
    leading: int | None = None
    for word_start, word_end, word in words:
        lower = word.casefold()
        if lower in _INTERFIXES and (kept or titled):
            if not kept and leading is None:
                leading = word_start
            continue
        name_like = _is_name_word(word) or (
            (titled or lower in _deidentifier().first_names)
            and word[:1].isupper() and lower not in KEEP and "[" not in word)
        if name_like and (not capitalised or word[0].isupper()):
            if kept and any(w[2].casefold() not in _INTERFIXES for w in words
                            if kept[-1][1] <= w[0] < word_start):
                break
            kept.append((word_start, word_end))
        else:
            break
    if not kept:
        return None
    return (leading if leading is not None else kept[0][0]), kept[-1][1]


_CUE_WORDS = frozenset(word.casefold() for word in (
    *_RELATIONS, *_WORK_PEOPLE, "collega", "leerling", "cliënt", "jongen", "meid", "knul",
    "heet", "heten", "genaamd", "genoemd", "naam", "name", "noemen", "noemt", "ben", "am", "i'm",
    "mvg", "m", "groet", "groetjes", "groeten", "groets", "gr", "grt", "liefs", "regards", "cheers",
    "thanks", "called", "named", "vriendelijke", "mevrouw", "mevr", "mw", "meneer", "mijnheer",
    "dhr", "heer", "juf", "juffrouw", "meester", "brigadier", "agent", "inspecteur", "dokter",
    "dr", "imam", "sheikh", "sjeik", "ustadh", "hoca", "broeder", "zuster", "mr", "mrs", "ms",
    "miss", "sir"))
_CUE_WORD_RE = re.compile(r"[^\W\d_]+(?:'m)?")


def _names_in_context(text: str, taken: Taken) -> Iterable[Found]:
    words = set(word.casefold() for word in _CUE_WORD_RE.findall(text))
    has_cue = not words.isdisjoint(_CUE_WORDS)
    for match in (_TITLE_RE.finditer(text) if has_cue else ()):
        span = _trim_name(text, match.start(1), match.end(1), capitalised=True, titled=True)
        if span and not _overlaps(span[0], span[1], taken):
            yield Found(span[0], span[1], NAME)
    for match in _INITIALS_NAME_RE.finditer(text):
        if text[match.start():match.end()].split()[-1].casefold() not in KEEP \
                and not _overlaps(match.start(), match.end(), taken):
            yield Found(match.start(), match.end(), NAME)
    for pattern, capitalised in ((_NAME_CONTEXT_RE, None), (_RELATION_NAME_RE, True)):
        # the cue words are a long alternation: not tried at all where none of them is
        for match in (pattern.finditer(text) if has_cue else ()):
            cue = match.group(0)[:match.start(1) - match.start(0)].strip().casefold()
            # After "heet"/"naam is" any word is a name; elsewhere only a capitalised one.
            must_capitalise = capitalised if capitalised is not None else not (
                cue.endswith(("heet", "heten", "genaamd", "genoemd", "naam is", "name is")))
            span = _trim_name(text, match.start(1), match.end(1), must_capitalise)
            if span and not _overlaps(span[0], span[1], taken):
                yield Found(span[0], span[1], NAME)


# More capitalised words that may be names than this, and deduce is not asked (see _deduce).
DEDUCE_MAX_NAME_WORDS = 25
_TITLE_WORD_RE = re.compile(r"(?<![\w'’-])[A-ZÀ-ÞĀ-ɏΑ-ΩА-Я][^\W\d_]{1,30}(?![\w'’-])")
# A capital letter followed by a letter: "Daan", "UTRECHT" (not a lone initial).
_CAPITALISED_WORD_RE = re.compile(r"[^\W\d_](?<=[A-ZÀ-ÞĀ-ɏΑ-ΩА-Я])[^\W\d_]")


DEDUCE_WINDOW = 80  # characters of context on each side of a capitalised word
_WORD_AT_RE = re.compile(r"[\w'’-]+")


def _deduce_in_windows(text: str) -> list[deidentify.Span]:
    """deduce on the parts of `text` around its capitalised words that may be names or places
    only (merged windows of
    DEDUCE_WINDOW characters each side, cut at a space): its cost grows with the number of
    tokens it reads, and "NL12 A A A ..." need not be read at all."""
    windows: list[list[int]] = []
    places = _deidentifier().places
    for match in _CAPITALISED_WORD_RE.finditer(text):
        at = _WORD_AT_RE.match(text, match.start())
        assert at is not None  # a capitalised word starts there
        word = at.group()
        if not (_is_name_word(word) or word.casefold() in places):
            continue  # "De", "Het", "Ik": no name starts a window
        start = max(0, match.start() - DEDUCE_WINDOW)
        end = min(len(text), match.end() + DEDUCE_WINDOW)
        if start > 0:
            space = text.find(" ", start, match.start())
            start = space + 1 if space >= 0 else start
        if end < len(text):
            space = text.rfind(" ", match.end(), end)
            end = space if space >= 0 else end
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    spans: list[deidentify.Span] = []
    for start, end in windows:
        for span in _deidentifier().find(text[start:end]):
            spans.append(deidentify.Span(span.start + start, span.end + start, span.kind, span.text))
    return spans


def _deduce(text: str, taken: Taken) -> Iterable[Found]:
    """deduce's names, places, hospitals and dates; where one overlaps what another finder
    took ("3545 NB Utrecht" after the postcode finder), the rest of it. deduce's names and
    places are capitalised words (its lists match case-sensitively) and the dates are found
    by _DATE_RE, so a message without a capitalised word is not given to deduce at all."""
    if not _CAPITALISED_WORD_RE.search(text):
        return
    candidates = [match for match in _TITLE_WORD_RE.finditer(text) if _is_name_word(match.group())]
    if len(candidates) > DEDUCE_MAX_NAME_WORDS:
        # deduce's name patterns cost about 0.6 ms per name ("Jan Jan Jan ..." x 250: 150 ms):
        # a message this full of capitalised words gets every one of them redacted instead.
        for match in candidates:
            if not _overlaps(match.start(), match.end(), taken):
                yield Found(match.start(), match.end(), NAME)
        return
    for span in _deduce_in_windows(text):
        placeholder = _PLACEHOLDER_OF_KIND[span.kind]
        for start, end in taken.free_pieces(span.start, span.end):
            if (start, end) != (span.start, span.end) and placeholder in (POSTCODE, ADDRESS) \
                    and not any(char.isdigit() for char in text[start:end]):
                placeholder = PLACE  # "Utrecht" of "3511 AB Utrecht"
            if placeholder in (NAME, PLACE) or (start, end) != (span.start, span.end):
                trimmed = _trim_name(text, start, end, capitalised=False)
                if trimmed is None:
                    continue
                start, end = trimmed
                if placeholder == PLACE and text[start:end].casefold() in KEEP:
                    continue
            yield Found(start, end, placeholder)


_STRONG_SUFFIXES = ("straat", "str", "laan", "plein", "gracht", "kade", "singel", "dijk",
                    "steeg", "dreef", "straatweg", "plantsoen")


def _is_street_word(word: str, lower_case: bool = False) -> bool:
    """'Kerkstraat', 'Kerkstr.' (capitalised); with `lower_case` also 'kerkstr' (before a
    house number, only the unmistakable suffixes)."""
    if lower_case and word[:1].islower():
        lower = word.rstrip(".")
        return (lower.endswith(_STRONG_SUFFIXES) and lower not in KEEP
                and any(lower.endswith(x) and len(lower) > len(x) + 2 for x in _STRONG_SUFFIXES))
    if not word[:1].isupper():
        return False
    lower = word.casefold().rstrip(".")
    if not lower.endswith(_STREET_SUFFIXES) or lower in KEEP:
        return False
    return any(lower.endswith(suffix) and len(lower) > len(suffix) + 1
               for suffix in _STREET_SUFFIXES)


def _streets(text: str, taken: Taken) -> Iterable[Found]:
    """Street + house number (also with 'nr', 'nummer', a comma between, the number first,
    written together), and a street word after 'de' / 'het'."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]
    streets = _deidentifier().streets
    found: list[tuple[int, int]] = []
    glued = _GLUED_SUFFIX_DIGIT_RE.search(text) and _GLUED_STREET_RE.finditer(text)
    for match in glued or ():
        if match.start() == 0 or not text[match.start() - 1].isalnum():
            found.append((match.start(), match.end()))
    for index, (start, end, word) in enumerate(tokens):
        stripped = word.rstrip(".")
        if stripped != word and stripped:
            end -= len(word) - len(stripped)
            word = stripped
        is_number = bool(_HOUSE_TOKEN_RE.fullmatch(word)) or word.casefold() in _NUMBER_WORDS
        if not is_number:
            continue
        # what stands before the number: "nr", "nummer", ",", "huisnummer" may come between
        before = index - 1
        while before >= 0 and tokens[before][2].casefold().rstrip(".") in (
                "nr", "nummer", "huisnummer", "no", ",", "op", "#"):
            before -= 1
        street_start = None
        if before >= 0 and (_is_street_word(tokens[before][2]) or (
                word[:1].isdigit() and _is_street_word(tokens[before][2], lower_case=True))):
            street_start = before
        elif before == index - 1:
            # "Laan van Meerdervoort 112", "Rue de la Loi 16", "De Dam 1" (the number right
            # after the name: "Lars Mulder, 19" is a name and an age)
            for length in (4, 3, 2, 1):
                first = before - length + 1
                if first < 0:
                    continue
                words = [tokens[i][2] for i in range(first, before + 1)]
                if not words[0][:1].isupper() or any(w in ",#@:()[]" for w in words):
                    continue
                phrase = " ".join(words).casefold()
                if (phrase in streets and not (length == 1 and (
                        _is_common_word(phrase) or phrase in _deidentifier().first_names))
                        and phrase not in KEEP) or (
                        length > 1 and words[0].casefold().rstrip(".") in ("laan", "plein", "rue")):
                    street_start = first
                    break
        if street_start is not None:
            if word.casefold() in _NUMBER_WORDS and not _is_street_word(tokens[before][2]):
                continue
            # extend to the left over capitalised words and particles of the same street
            first = street_start
            while first > 0 and first > street_start - 3 and (
                    tokens[first - 1][2][:1].isupper() or tokens[first - 1][2] in ("de", "van", "der", "den", "'t")
                    or re.fullmatch(r"\d{1,2}e", tokens[first - 1][2])) and \
                    tokens[first - 1][2].casefold() not in KEEP and \
                    not _HOUSE_TOKEN_RE.fullmatch(tokens[first - 1][2]):
                first -= 1
            while first < street_start and tokens[first][2] in ("de", "van", "der", "den", "'t"):
                first += 1
            found.append((tokens[first][0], end))
            continue
        # the number first: "12 Kerkstraat"
        if index + 1 < len(tokens) and word.isdigit() and len(word) <= 4 \
                and _is_street_word(tokens[index + 1][2]):
            found.append((start, tokens[index + 1][1]))
    # "nummer 12" after "op" or "huisnummer 12": a house number without its street
    for match in re.finditer(r"\b(?:op\s(?:nummer|nr\.?)|huisnummer)\s{0,3}(\d{1,4}[a-zA-Z]?)\b",
                             text, re.IGNORECASE):
        found.append((match.start(), match.end()))
    # a street word after "de"/"het": "woont in de Kerkstraat"
    for index, (start, end, word) in enumerate(tokens):
        if index > 0 and tokens[index - 1][2].casefold() in ("de", "het", "'t") and \
                _is_street_word(word) and word.casefold().rstrip(".").endswith(
                    ("straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk",
                     "steeg", "dreef", "plantsoen", "boulevard", "straatweg", "hof")):
            found.append((start, end))
    yielded: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if not _overlaps(start, end, taken) and not any(
                a < end and start < b for a, b in yielded):
            yielded.append((start, end))
            yield Found(start, end, ADDRESS)


FINDERS: tuple[Finder, ...] = (
    _regex(_EMAIL_RE, EMAIL, group=0, needs=("@", " at ", "(at", "[at", "{at", "<at", "apenstaartje", "apestaartje")),
    _regex(_LINK_RE, LINK, group=0, needs=("http", "www.", "/")),
    _regex(_DUTCH_IBAN_RE, IBAN, group=0, needs=("nl",)),
    _regex(_IBAN_RE, IBAN, group=0, valid=_is_iban),
    _regex(_BSN_CONTEXT_RE, BSN, group=1, needs=("bsn", "burgerservice", "sofi")),
    _phones,
    _regex(_PHONE_SHAPE_RE, PHONE, group=0),
    _regex(_NINE_DIGITS_RE, BSN, group=0, valid=_is_bsn),
    _regex(_PASSWORD_RE, PASSWORD, group=1, needs=("wachtwoord", "password", "passwoord", "pin", "inlogcode")),
    _regex(_PLATE_RE, PLATE, needs=("-", "kenteken")),
    _regex(_DATE_RE, DATE),
    _regex(_POSTCODE_RE, POSTCODE, group=0),
    _streets,
    _regex(_SCHOOL_NAME_AFTER_RE, SCHOOL, group=1),
    _regex(_SCHOOL_RE, SCHOOL, group=0),
    _handles_after_platform,
    _regex(_HANDLE_RE, HANDLE, group=0, needs=("@",)),
    _regex(_SNAKE_RE, HANDLE, group=0, needs=("_",)),
    _handles_after_cue,
    _regex(_DISCORD_TAG_RE, HANDLE, group=0, needs=("#",)),
    _regex(_IP_RE, IP_ADDRESS, group=0),
    _regex(_IPV6_CANDIDATE_RE, IP_ADDRESS, group=0, valid=_is_ipv6, needs=(":",)),
    _regex(_DOCUMENT_RE, NUMBER, valid=_is_document_number),
    _names_in_context,
    _deduce,
    _places_and_institutions,
    _regex(_LONG_NUMBER_RE, NUMBER, group=0),
)


def _find_folded(folded: str) -> list[Found]:
    taken = Taken()
    for match in _PROTECTED_RE.finditer(folded):
        taken.add(Found(match.start(), match.end(), ""))  # kept as written
    for finder in FINDERS:
        for found in list(finder(folded, taken)):
            if found.end > found.start and not taken.overlaps(found.start, found.end):
                taken.add(found)
    return _extend_places(folded, [found for found in taken if found.placeholder])


def find_identifiers(text: str) -> list[Found]:
    """The identifiers in `text`, without overlaps, in order of position (offsets of `text`)."""
    if not text:
        return []
    folded, origin = fold(text)
    spans: list[Found] = []
    for found in _find_folded(folded):
        start, end = origin[found.start], origin[found.end - 1] + 1
        if spans and start < spans[-1].end:
            start = spans[-1].end
        if end > start:
            spans.append(Found(start, end, found.placeholder))
    return spans


def redact(text: str) -> str:
    """`text` with every identifier replaced by its placeholder."""
    if not text:
        return text
    parts: list[str] = []
    position = 0
    for found in find_identifiers(text):
        parts.append(text[position:found.start])
        parts.append(found.placeholder)
        position = found.end
    parts.append(text[position:])
    return "".join(parts)


def preload() -> None:
    """Loads deduce's lookup structures (0.4-0.7 s, about 40 MB in the Rasa process) and
    phonenumbers' metadata of the countries visitors call from most (it loads them lazily:
    the first number of a country would otherwise cost tens of milliseconds)."""
    _deidentifier()
    redact("Mijn zoon Daan woont in Utrecht, Kerkstraat 12, bel 06-12345678 of +32 470 12 34 56, "
           "+49 1512 3456789, +44 7911 123456, +90 532 123 45 67, +212 612 345678, +33 6 12 34 56 78, "
           "+1 415 555 2671, +48 512 345 678, +963 944 567 890, mail jan@example.nl, 12-03-2007")


# Once per process, when the channels (and so the Rasa server) start, never at a first message.
preload()
