"""Does a message contain any word the assistant was trained on?

A message in which not a single word is known ("qwxz plof", "banaan") cannot be
understood, whatever the classifier says: the assistant then asks instead of guessing.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text or "")]


def build_vocabulary(texts: Iterable[str]) -> set[str]:
    vocabulary: set[str] = set()
    for text in texts:
        vocabulary.update(words(text))
    return vocabulary


def has_known_word(text: str, vocabulary: set[str]) -> bool:
    tokens = words(text)
    return not tokens or any(token in vocabulary for token in tokens)
