from bot.lse.safety import prefer_danger


def rank(*pairs):
    return [{"name": name, "confidence": conf} for name, conf in pairs]


def test_close_danger_wins():
    assert prefer_danger(rank(("role_family", 0.48), ("danger_acute", 0.47)))["name"] == "danger_acute"
    assert prefer_danger(rank(("role_individual", 0.47), ("danger_suicide", 0.46)))["name"] == "danger_suicide"


def test_clear_other_intent_stays():
    assert prefer_danger(rank(("role_family", 0.9), ("danger_acute", 0.05))) is None
    assert prefer_danger(rank(("role_family", 0.6), ("danger_acute", 0.2))) is None


def test_danger_on_top_or_empty_ranking():
    assert prefer_danger(rank(("danger_acute", 0.5), ("role_family", 0.4))) is None
    assert prefer_danger([]) is None
