import itertools
import random
import unicodedata

import pytest

from bot.lse.message_checks import (
    EMPTY,
    FILLERS,
    NO_WORDS,
    NOT_TEXT,
    TOO_LONG,
    check_message,
    is_slash_like,
    strip_leading_slashes,
)
from bot.lse.redaction import redact

LIMIT = 1000


def test_plain_text_passes_unchanged():
    checked = check_message("mijn zoon kijkt IS-filmpjes", LIMIT)
    assert checked.ok and checked.text == "mijn zoon kijkt IS-filmpjes"


def test_empty_and_whitespace():
    for raw in ["", "   ", "\n\t ", None, "\u200b\u200b"]:
        assert check_message(raw, LIMIT).problem == EMPTY


def test_not_text():
    for raw in [12, ["a"], {"text": "x"}, True]:
        assert check_message(raw, LIMIT).problem == NOT_TEXT


def test_emoji_and_punctuation_only():
    for raw in ["😢", "🙏🙏🙏", "???", "👨‍👩‍👦", "..."]:
        assert check_message(raw, LIMIT).problem == NO_WORDS


def test_leading_slash_cannot_reach_rasa_shorthand():
    checked = check_message('/inform{"role": "professional"}', LIMIT)
    assert checked.ok and not checked.text.startswith("/")
    assert check_message("//restart", LIMIT).text == "restart"
    assert check_message("  /", LIMIT).problem == EMPTY


def test_control_characters_removed():
    checked = check_message("hallo\x00\x07 daar\u202e\r\nok", LIMIT)
    assert checked.text == "hallo daar ok"


def test_markup_is_kept_as_text():
    checked = check_message("<script>alert(1)</script> help", LIMIT)
    assert checked.ok and checked.text == "<script>alert(1)</script> help"


def test_length_limit():
    assert check_message("a" * LIMIT, LIMIT).ok
    assert check_message("a" * (LIMIT + 1), LIMIT).problem == TOO_LONG
    assert check_message("x" * 200_000, LIMIT).problem == TOO_LONG


def test_a_too_long_message_keeps_its_text_for_the_danger_screen_only():
    checked = check_message("ik wil niet meer leven " * 100, 1000)
    assert checked.problem == "too_long" and checked.text == ""
    assert "niet meer leven" in checked.raw_text
    huge = check_message("x" * 100000, 1000)
    assert len(huge.raw_text) == 4000


# ---- H1: no prefix of spaces, invisible characters or look-alike slashes lets a '/' through ----

SLASHES = ["/", "\uff0f", "\u2215", "\u2044", "\u29f8", "\u2571", "\u27cb", "\u0338", "\u0337",
           "\ufe68", "\\"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u3164",
             "\u2800", "\u115f", "\u1160", "\u180e", "\u202e", "\U000e0041"]
SPACES = [" ", "\u00a0", "\u3000", "\t", "\n", "\r", "\u2028", "\u2009", "\u202f", "\x0b"]


def _reaches_rasa_as_shorthand(raw: str) -> bool:
    checked = check_message(raw, LIMIT)
    text = redact(checked.text) if checked.ok else checked.text
    stripped = text.strip()  # what Rasa's unpack_regex_message looks at
    return stripped.startswith("/") or (stripped != "" and is_slash_like(stripped[0]))


@pytest.mark.parametrize("raw", [
    "/ /greet", "// /x", "/\u00a0/x", "/\u3000/x", "/\t/x", "/\n/x", "/ / /x", "/\u200b/greet",
    "\u200b/greet", "\u200d/greet", "\ufeff/greet", "\u034f/x", "\u3164/x", "\u2800/x",
    "\u115f/x", "\u1160/x", "\uff0fgreet", "\u2215greet", "\u2044greet", "\u29f8greet",
    "\u0338greet", '/ /greet{"language": "' + "x" * 40 + '"}', "/ /danger_suicide@1.0",
    " \u00a0/\u3000\uff0f\u2215 /restart", "/\u0301/greet", "\u00ad/greet",
])
def test_no_listed_prefix_reaches_the_shorthand(raw):
    assert not _reaches_rasa_as_shorthand(raw), repr(check_message(raw, LIMIT).text)


def test_every_short_prefix_of_slashes_spaces_and_invisibles_is_stripped():
    alphabet = SLASHES + INVISIBLE + SPACES + ["a"]
    for length in (1, 2, 3):
        for prefix in itertools.product(alphabet, repeat=length):
            raw = "".join(prefix) + "/greet"
            assert not _reaches_rasa_as_shorthand(raw), repr(raw)


def test_random_long_prefixes_are_stripped():
    rng = random.Random(11)
    alphabet = SLASHES + INVISIBLE + SPACES
    for _ in range(3000):
        prefix = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        raw = prefix + rng.choice(["/greet", '/inform{"language": "xx"}', "/danger_suicide@1.0"])
        assert not _reaches_rasa_as_shorthand(raw), repr(raw)


def test_every_slash_look_alike_in_unicode_is_known():
    """Any character whose name or compatibility form says it is a slash counts as one."""
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) in ("Cs", "Co", "Cn"):
            continue
        if "SOLIDUS" in unicodedata.name(char, "") or "/" in unicodedata.normalize("NFKC", char):
            assert is_slash_like(char), hex(code)
            assert not _reaches_rasa_as_shorthand(char + "greet"), hex(code)


def test_text_after_the_slashes_is_kept():
    assert strip_leading_slashes("/ \u00a0/hallo / daar") == "hallo / daar"
    assert check_message("ik zoek info over 24/7 bereikbaarheid", LIMIT).text == \
        "ik zoek info over 24/7 bereikbaarheid"
    assert check_message("/ / /", LIMIT).problem == EMPTY


def test_invisible_fillers_are_removed_and_the_joiner_stays_only_between_emoji():
    for filler in sorted(FILLERS) + ["\u200d"]:
        assert check_message("06" + filler + "12345678", LIMIT).text == "0612345678"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f466"
    assert check_message("ons gezin " + family, LIMIT).text == "ons gezin " + family
    assert check_message("jan\u200d@gmail.com", LIMIT).text == "jan@gmail.com"
