"""Which language a visitor writes: Dutch (the default) or English.

Detection uses the `lingua` library restricted to Dutch and English. Short chat
messages ("ok", "hoi") are ambiguous, so the bar for a confident answer is higher
the fewer words a message has; below the bar the answer is None (keep the language
the conversation already has).
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

DUTCH = "nl"
ENGLISH = "en"
SUPPORTED = (DUTCH, ENGLISH)

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_CODES = {Language.DUTCH: DUTCH, Language.ENGLISH: ENGLISH}

# Minimum confidence by number of words (1, 2, 3 or more).
_THRESHOLDS = {1: 0.97, 2: 0.9, 3: 0.75}

# Words a visitor uses to ask for a language ("English please", "in het Nederlands").
_REQUEST_WORDS = {
    ENGLISH: ("english", "engels", "engelse", "inglish", "englisch"),
    DUTCH: ("nederlands", "dutch", "nederlandse", "hollands", "nl"),
}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    detector = LanguageDetectorBuilder.from_languages(Language.DUTCH, Language.ENGLISH).build()
    detector.compute_language_confidence_values("warm up the models")
    return detector


def warm_up() -> None:
    """Load the language models now rather than on the first visitor's message."""
    _detector()


_CACHE_SIZE = 256
_cache: OrderedDict[bytes, str | None] = OrderedDict()
_cache_lock = threading.Lock()


def detect_language(text: str) -> str | None:
    """'nl', 'en', or None when the text is too short or too unclear to say.

    Cached: the channel (for the opening) and the NLU component ask for the same
    (redacted) message one after the other in the Rasa process. The cache is keyed on a
    hash of the text, so it keeps no visitor text in memory after the message."""
    key = hashlib.blake2b((text or "").encode("utf-8", "surrogatepass"), digest_size=16).digest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = _detect(text)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _detect(text: str) -> str | None:
    words = _WORD.findall(text or "")
    if not words:
        return None
    threshold = _THRESHOLDS[min(len(words), 3)]
    best = _detector().compute_language_confidence_values(" ".join(words))[0]
    if best.value >= threshold:
        return _CODES[best.language]
    return None


def language_signal(text: str, intent: str | None) -> str | None:
    """The language this message switches the conversation to, or None to keep it.

    A request by name ("English", "kan het in het Nederlands") switches either way; a
    message that is confidently English switches to English. Dutch is the default and a
    visitor who wrote English keeps English answers until asking for Dutch by name.
    """
    if intent == "switch_language":
        wanted = requested_language(text)
        if wanted:
            return wanted
    return ENGLISH if detect_language(text) == ENGLISH else None


def requested_language(text: str) -> str | None:
    """The language a visitor asks for by name, or None when none or both are named."""
    words = set(w.lower() for w in _WORD.findall(text or ""))
    named = [code for code, names in _REQUEST_WORDS.items() if words.intersection(names)]
    return named[0] if len(named) == 1 else None
