from bot.lse.vocabulary import build_vocabulary, has_known_word

VOCAB = build_vocabulary(["mijn zoon kijkt filmpjes", "Wat kost het?"])


def test_known_words_pass():
    assert has_known_word("mn zoon kijkt rare dingen", VOCAB)
    assert has_known_word("WAT kost dat", VOCAB)


def test_only_unknown_words_is_caught():
    assert not has_known_word("qwxz plof brrr", VOCAB)
    assert not has_known_word("banaan", VOCAB)


def test_no_words_at_all_is_left_alone():
    assert has_known_word("", VOCAB)
