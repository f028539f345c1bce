"""Checks on a visitor's message before it reaches the NLU.

`check_message` cleans the text and says what, if anything, is wrong with it:
- control characters are removed (new lines and tabs become spaces);
- a leading '/' is removed, so typed text can never trigger an intent or set a
  slot the way Rasa's '/intent{"slot": ...}' shorthand does;
- empty, too long, or without any letter or digit (emoji only, punctuation only)
  messages are reported, so the channel answers them without running the NLU.
Markup such as '<b>' is ordinary text here: it is never rendered as HTML.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

EMPTY = "empty"
TOO_LONG = "too_long"
NO_WORDS = "no_words"
NOT_TEXT = "not_text"


@dataclass(frozen=True)
class CheckedMessage:
    text: str
    problem: Optional[str] = None
    # What the danger screen reads of a message too long for the NLU (never stored).
    raw_text: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


def _strip_controls(text: str) -> str:
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\r\t\u2028\u2029":
            out.append(" ")
        elif category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in "\u200d"):
            # Control, surrogate, private-use, unassigned and format characters
            # (bidi overrides, zero-width spaces); keep the zero-width joiner of emoji.
            continue
        else:
            out.append(char)
    return "".join(out)


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
    text = text.lstrip("/").strip()
    if not text:
        return CheckedMessage("", EMPTY)
    if len(text) > max_length:
        return CheckedMessage("", TOO_LONG, raw_text=text)
    if not _has_word_character(text):
        return CheckedMessage(text, NO_WORDS)
    return CheckedMessage(text)
