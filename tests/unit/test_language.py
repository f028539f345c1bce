from bot.lse.language import detect_language, language_signal, requested_language


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


def test_language_signal_switches_to_english_and_back_only_by_name():
    assert language_signal("my son watches IS videos every night", "role_family") == "en"
    assert language_signal("mijn zoon kijkt elke avond IS filmpjes", "role_family") is None
    assert language_signal("hoi", "greet") is None
    assert language_signal("English", "switch_language") == "en"
    assert language_signal("kan het in het nederlands", "switch_language") == "nl"
    assert language_signal("kan het in het engels", "switch_language") == "en"
    # "Nederlands" named without the switch intent does not switch.
    assert language_signal("ik spreek Nederlands", "greet") is None
