"""LSE_ALLOWED_ORIGINS: one setting for the socket.io channel and the web app's /api."""
import pytest

from bot.lse import origins


def test_unset_gives_the_default_and_a_list_is_read_in_order():
    assert origins.allowed_origins({}) == origins.DEFAULT_ORIGINS
    assert origins.allowed_origins({"LSE_ALLOWED_ORIGINS": " "}, default=["http://a.nl"]) == (
        "http://a.nl",)
    env = {"LSE_ALLOWED_ORIGINS": "https://www.hetlse.nl, https://WWW.Example.org/,"
                                  "http://localhost:8000,https://www.hetlse.nl"}
    assert origins.allowed_origins(env) == (
        "https://www.hetlse.nl", "https://www.example.org", "http://localhost:8000")


@pytest.mark.parametrize("value", ["*", "www.hetlse.nl", "https://www.hetlse.nl/chat",
                                   "https://*.hetlse.nl", "ftp://hetlse.nl",
                                   "https://user@hetlse.nl", "https://hetlse.nl?x=1"])
def test_what_is_not_an_origin_stops_the_start(value):
    with pytest.raises(ValueError, match="LSE_ALLOWED_ORIGINS"):
        origins.allowed_origins({"LSE_ALLOWED_ORIGINS": value})


def test_the_web_app_and_the_socketio_channel_read_the_same_variable(monkeypatch):
    from bot.channels import SocketIOInput
    from web.settings import Settings

    monkeypatch.setenv("LSE_ALLOWED_ORIGINS", "https://www.hetlse.nl,http://127.0.0.1:9000")
    channel = SocketIOInput.from_credentials({"cors_allowed_origins": ["http://other.example"]})
    assert channel.cors_allowed_origins == ["https://www.hetlse.nl", "http://127.0.0.1:9000"]
    assert Settings.from_env().allowed_origins == ("https://www.hetlse.nl", "http://127.0.0.1:9000")
    # Without the variable the channel falls back to credentials.yml, then to the demo site.
    monkeypatch.delenv("LSE_ALLOWED_ORIGINS")
    channel = SocketIOInput.from_credentials({"cors_allowed_origins": ["http://other.example"]})
    assert channel.cors_allowed_origins == ["http://other.example"]
    assert SocketIOInput.from_credentials({}).cors_allowed_origins == list(origins.DEFAULT_ORIGINS)
    assert Settings.from_env().allowed_origins == origins.DEFAULT_ORIGINS
