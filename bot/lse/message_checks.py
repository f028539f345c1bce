"""Checks on a visitor's message before it reaches the NLU.

`check_message` cleans the text and says what, if anything, is wrong with it:
- control characters are removed (new lines and tabs become spaces);
- every leading '/' is removed, again and again with the spaces, invisible characters and
  look-alike slashes ('／', '∕', '⁄', '⧸', ...) around it, so typed text can never trigger an
  intent or set a slot the way Rasa's '/intent{"slot": ...}' shorthand does ('/ /greet',
  '/\u00a0/greet' and '\u200b/greet' all become 'greet');
- invisible filler characters (U+034F, U+115F, U+1160, U+3164, U+FFA0, U+2800) are removed,
  and the zero-width joiner is kept only between two emoji (a family emoji), so an
  identifier cannot be split by an invisible character;
- empty, too long, or without any letter or digit (emoji only, punctuation only)
  messages are reported, so the channel answers them without running the NLU.
Markup such as '<b>' is ordinary text here: it is never rendered as HTML.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

EMPTY = "empty"
TOO_LONG = "too_long"
NO_WORDS = "no_words"
NOT_TEXT = "not_text"


@dataclass(frozen=True)
class CheckedMessage:
    text: str
    problem: str | None = None
    # What the danger screen reads of a message too long for the NLU (never stored).
    raw_text: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


ZWJ = "\u200d"
# Characters that look like nothing (or like a space) but are letters or marks to Unicode:
# the combining grapheme joiner, the Hangul fillers, the braille blank.
FILLERS = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def _is_emoji(char: str) -> bool:
    """Pictographs, emoji modifiers and the variation selector that ends an emoji."""
    code = ord(char)
    return (unicodedata.category(char) == "So" or 0x1F000 <= code <= 0x1FAFF
            or 0x1F3FB <= code <= 0x1F3FF or char == "\ufe0f")


def _strip_controls(text: str) -> str:
    out = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if char in "\n\r\t\u2028\u2029":
            out.append(" ")
        elif char == ZWJ:
            # The zero-width joiner only where it joins two emoji (👨‍👩‍👦).
            following = text[index + 1] if index + 1 < len(text) else ""
            if out and _is_emoji(out[-1]) and following and _is_emoji(following):
                out.append(char)
        elif category in ("Cc", "Cs", "Co", "Cn", "Cf") or char in FILLERS:
            # Control, surrogate, private-use, unassigned and format characters
            # (bidi overrides, zero-width spaces) and invisible fillers.
            continue
        else:
            out.append(char)
    return "".join(out)


def is_slash_like(char: str) -> bool:
    """'/', and every character that looks like one ('／', '∕', '⁄', '⧸', '╱', the
    combining solidus overlays, '\\')."""
    if char in "/\\":
        return True
    if "/" in unicodedata.normalize("NFKC", char):
        return True
    name = unicodedata.name(char, "")
    return "SOLIDUS" in name or "SLASH" in name or name in (
        "MATHEMATICAL RISING DIAGONAL", "BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT",
        "BOX DRAWINGS HEAVY DIAGONAL UPPER RIGHT TO LOWER LEFT", "PHILIPPINE SINGLE PUNCTUATION")


def _ignorable_at_start(char: str) -> bool:
    """What may stand before a '/' without a reader (or Rasa's strip()) seeing it."""
    return (char.isspace() or unicodedata.category(char) in ("Zs", "Mn", "Me", "Cf")
            or char in FILLERS or is_slash_like(char))


def strip_leading_slashes(text: str) -> str:
    """`text` without any run of slashes, look-alike slashes, spaces and invisible characters
    at its start: '/ /greet', '// /x', '/\u3000/x' and '\u200b／x' lose it all."""
    start = 0
    while start < len(text) and _ignorable_at_start(text[start]):
        start += 1
    return text[start:]


def _has_word_character(text: str) -> bool:
    return any(unicodedata.category(char)[0] in ("L", "N") for char in text)


def check_message(raw: Any, max_length: int) -> CheckedMessage:
    if raw is None:
        return CheckedMessage("", EMPTY)
    if not isinstance(raw, str):
        return CheckedMessage("", NOT_TEXT)
    # Check the length on the raw text first: a 200 KB message is refused before any
    # other work is done on it.
    if len(raw) > max_length * 2:
        return CheckedMessage("", TOO_LONG, raw_text=raw[:max_length * 4])
    text = " ".join(_strip_controls(unicodedata.normalize("NFC", raw)).split())
    text = strip_leading_slashes(text).strip()
    if not text:
        return CheckedMessage("", EMPTY)
    if len(text) > max_length:
        return CheckedMessage("", TOO_LONG, raw_text=text)
    if not _has_word_character(text):
        return CheckedMessage(text, NO_WORDS)
    return CheckedMessage(text)
