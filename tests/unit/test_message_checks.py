from bot.lse.message_checks import EMPTY, NO_WORDS, NOT_TEXT, TOO_LONG, check_message

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
