from bot.lse.language import detect_language, requested_language


def test_clear_sentences_are_detected():
    assert detect_language("my son watches IS videos all night") == "en"
    assert detect_language("mn broer kijkt de hele dag filmpjes") == "nl"
    assert detect_language("ik zit in een groep en wil eruit") == "nl"
    assert detect_language("I am a teacher and a pupil shares nazi memes") == "en"


def test_short_or_unclear_messages_keep_the_current_language():
    for text in ["ok", "hoi", "hallo", "", "😀", "123"]:
        assert detect_language(text) is None


def test_language_asked_by_name():
    assert requested_language("English please") == "en"
    assert requested_language("kan het in het engels") == "en"
    assert requested_language("Nederlands") == "nl"
    assert requested_language("can we speak Dutch") == "nl"
    assert requested_language("hello") is None
