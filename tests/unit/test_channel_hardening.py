"""Pure parts of the channel hardening: rate limits, stored sender ids, the Rasa entry
point's arguments, the log processor, file modes and log rotation (security review M1, M2,
M4, L1, L2, L8)."""
import os
import stat
import time

import pytest

import servers
from bot import logging_config, serve
from bot.lse import rate_limit, sender_ids


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_bucket_allows_its_burst_then_its_rate():
    clock = Clock()
    limiter = rate_limit.RateLimiter(10, 1 / 3, clock=clock)
    assert all(limiter.allow("s") for _ in range(10))
    assert not limiter.allow("s")
    assert limiter.retry_after("s") == pytest.approx(3.0)
    clock.now += 3.0
    assert limiter.allow("s") and not limiter.allow("s")
    assert limiter.allow("other")  # keys are independent


def test_full_buckets_are_forgotten_and_a_flood_of_keys_is_refused():
    clock = Clock()
    limiter = rate_limit.RateLimiter(2, 1.0, max_keys=3, clock=clock)
    for key in "abc":
        assert limiter.allow(key)
    assert not limiter.allow("d")  # at max_keys, new keys wait
    clock.now += 5
    assert limiter.allow("d") and len(limiter) == 1


def test_channel_limits_charge_the_address_first():
    clock = Clock()
    limits = rate_limit.ChannelLimits(per_sender=(10, 1.0), per_address=(3, 1.0), clock=clock)
    assert [limits.allow(f"sender{i}", "10.0.0.1") for i in range(4)] == [True] * 3 + [False]
    assert limits.allow("sender9", "10.0.0.2")
    assert limits.allow("sender9", None)
    assert isinstance(rate_limit.ChannelLimits.from_environment({"LSE_RATE_LIMITS": "off"}),
                      rate_limit.Unlimited)
    assert type(rate_limit.ChannelLimits.from_environment({})) is rate_limit.ChannelLimits


@pytest.mark.parametrize("value, ok", [
    ("abc", True), ("0612345678", True), ("1" * 32, True), ("a" * 128, True),
    ("abc\n", False), ("a b", False), ("", False), ("a" * 129, False), ("jan@x.nl", False),
    (None, False), (12, False)])
def test_client_ids_are_matched_whole(value, ok):
    assert sender_ids.valid_client_id(value) is ok


def test_stored_ids_are_an_hmac_of_the_client_id(tmp_path):
    secret = sender_ids.load_secret(env={}, default_file=tmp_path / "var" / "sender_secret")
    assert stat.S_IMODE((tmp_path / "var" / "sender_secret").stat().st_mode) == 0o600
    assert secret == sender_ids.load_secret(env={}, default_file=tmp_path / "var" / "sender_secret")
    stored = sender_ids.stored_id("JanJansen_0612345678", secret)
    assert sender_ids.STORED_ID.fullmatch(stored)
    assert "0612345678" not in stored and "Jan" not in stored
    assert stored != sender_ids.stored_id("JanJansen_0612345678", b"another secret, long enough")
    with pytest.raises(ValueError):
        sender_ids.load_secret(env={"LSE_SENDER_SECRET": "short"})


def test_the_entry_point_never_puts_a_token_on_the_command_line(monkeypatch, tmp_path):
    assert serve.rasa_arguments(["--model", "m"], None) == ["run", "--model", "m"]
    assert serve.rasa_arguments(["--port", "1"], "t" * 20)[-3:] == ["--enable-api", "--auth-token", "t" * 20]
    for refused in (["--enable-api"], ["--auth-token", "x"], ["--auth-token=x"]):
        with pytest.raises(SystemExit):
            serve.rasa_arguments(refused, None)
    token_file = tmp_path / "token"
    token_file.write_text("s" * 30 + "\n")
    monkeypatch.setenv(serve.TOKEN_FILE_VARIABLE, str(token_file))
    assert serve.api_token_from_environment() == "s" * 30
    assert serve.TOKEN_FILE_VARIABLE not in os.environ  # not inherited by children
    monkeypatch.delenv(serve.TOKEN_VARIABLE, raising=False)
    assert serve.api_token_from_environment() is None


def test_the_log_processor_leaves_out_every_text_field():
    event = {"event": "processor.message.parse", "parse_data_text": "mijn zoon Ahmed",
             "user_text": "/greet", "rasa_events": [{"text": "x"}], "parse_data_intent": None,
             "action_name": "action_listen"}
    result = logging_config.drop_text_fields(None, "debug", dict(event))
    assert result["parse_data_text"] == result["user_text"] == result["rasa_events"] == logging_config.LEFT_OUT
    assert result["action_name"] == "action_listen" and result["parse_data_intent"] is None
    assert "Ahmed" not in repr(result)


def test_access_log_records_lose_address_and_query():
    import logging

    record = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", (), None)
    record.host, record.request = "203.0.113.9:5555", "GET /conversations/x/tracker?token=geheim"
    logging_config.AccessLogFilter().filter(record)
    assert record.host == "-" and "geheim" not in record.request


def test_make_private_fixes_existing_files(tmp_path):
    old = os.umask(0o022)
    try:
        (tmp_path / "var" / "log").mkdir(parents=True)
        for name in ("var/conversations.db", "var/conversations.db-wal", "var/log/a.log"):
            (tmp_path / name).write_text("x")
    finally:
        os.umask(old)
    servers.make_private(tmp_path / "var")
    for path in [tmp_path / "var", *(tmp_path / "var").rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_logs_are_rotated_daily_and_removed_after_30_days(tmp_path):
    log = tmp_path / "rasa-server-5005.log"
    with servers.private_log(log) as handle:
        handle.write(b"first day\n")
    now = time.time()
    servers.rotate_logs(tmp_path, now=now)  # marks when the log started
    assert log.read_bytes() == b"first day\n"
    rotated_at = now + 86_400 + 1
    servers.rotate_logs(tmp_path, now=rotated_at)
    rotated = [p for p in tmp_path.glob("rasa-server-5005.log.*") if not p.name.endswith(".start")]
    assert len(rotated) == 1 and rotated[0].read_bytes() == b"first day\n"
    assert log.read_bytes() == b"" and stat.S_IMODE(rotated[0].stat().st_mode) == 0o600
    removed = servers.rotate_logs(tmp_path, now=rotated_at + 31 * 86_400)
    assert removed == rotated and not rotated[0].exists()
