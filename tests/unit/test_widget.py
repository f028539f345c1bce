"""The website widget's server side without a browser: header texts, config, script, policy."""
import datetime as dt
from zoneinfo import ZoneInfo

from bot.lse.facts import load_facts
from web.settings import Settings
from web.widget.routes import (
    build_widget_script,
    content_security_policy,
    interface_texts,
    status_payload,
    widget_config,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FACTS = load_facts()


def at(*args):
    return dt.datetime(*args, tzinfo=AMSTERDAM)


def test_header_when_open():
    status = status_payload(at(2026, 12, 1, 10, 30), FACTS, "nl")
    assert status["open"] is True
    assert status["text"] == "Nu bereikbaar: 088 20 80 080"
    assert status_payload(at(2026, 12, 1, 10, 30), FACTS, "en")["text"] == "Available now: 088 20 80 080"


def test_header_when_closed_over_christmas():
    # Thursday evening; Friday 25 December is Christmas, then the weekend.
    status = status_payload(at(2026, 12, 24, 18, 0), FACTS, "nl")
    assert status["open"] is False
    assert status["text"] == "Nu gesloten · maandag 28 december weer bereikbaar vanaf 9.00 uur"
    english = status_payload(at(2026, 12, 24, 18, 0), FACTS, "en")["text"]
    assert english == "Closed now · available again Monday 28 December from 9:00 (Dutch time)"


def test_header_early_in_the_morning_says_today():
    status = status_payload(at(2026, 12, 1, 7, 15), FACTS, "nl")
    assert status["text"] == "Nu gesloten · vandaag weer bereikbaar vanaf 9.00 uur"


def test_header_from_a_utc_clock():
    # 16:30 UTC is 17:30 in Amsterdam in winter: closed.
    status = status_payload(dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.timezone.utc), FACTS, "nl")
    assert status["open"] is False


def test_config_has_facts_and_both_languages():
    config = widget_config(FACTS)
    assert config["max_message_length"] == FACTS.max_message_length
    assert set(config["texts"]) == {"nl", "en"}
    assert set(config["texts"]["nl"]) == set(config["texts"]["en"])
    assert config["texts"]["nl"]["danger"] == "Bij direct gevaar: bel 112"
    assert "30 dagen" in config["texts"]["nl"]["privacy"]
    assert FACTS.phone in config["phones"] and FACTS.email in config["emails"]
    # The bot's "language switched" answers, so the interface can follow the bot.
    assert set(config["language_markers"].values()) == {"nl", "en"}
    # {count} is for the widget to fill in.
    assert "{count}" in interface_texts(FACTS, "nl")["counter"]


def test_widget_script_wraps_the_socket_io_client():
    script = build_widget_script("WIDGET();", "CLIENT();\n//# sourceMappingURL=socket.io.min.js.map\n")
    assert script.index("CLIENT();") < script.index("var io = module.exports") < script.index("WIDGET();")
    assert "sourceMappingURL" not in script
    assert script.startswith("/*") and script.rstrip().endswith("})();")


def test_content_security_policy():
    policy = content_security_policy(Settings(rasa_public_url="https://chat.example.nl:5005/"))
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert "connect-src 'self' https://chat.example.nl:5005 wss://chat.example.nl:5005" in policy
    assert "frame-ancestors 'none'" in policy
