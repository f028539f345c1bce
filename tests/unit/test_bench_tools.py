"""The measuring tools (bench/) and the cluster's nginx config, without servers."""
import random
from pathlib import Path

from bench import report
from bench.conversations import BAD_BODIES, Send, soak_script, story_conversations
from bench.load import LevelStats, Outcome
from cluster.launcher import nginx_conf


def test_conversations_come_from_the_test_stories():
    conversations = story_conversations()
    assert len(conversations) >= 10
    assert all(texts and all(isinstance(t, str) and t for t in texts) for texts in conversations)


def test_soak_script_mixes_in_bad_inputs():
    rng = random.Random(1)
    script = soak_script(rng, story_conversations(), 2000, 0.1)
    assert len(script) == 2000
    bad = [s for s in script if s.bad]
    assert 120 < len(bad) < 280
    assert any(s.expect_4xx and s.raw_body in BAD_BODIES for s in bad)
    assert Send(message="hoi").body("abc") == b'{"sender": "abc", "message": "hoi"}'


def test_level_stats_count_errors_and_percentiles():
    stats = LevelStats(concurrency=10, think_ms=0)
    for ms in range(1, 101):
        stats.add(Outcome(ms / 1000, 200, [{"text": "x"}]))
    stats.add(Outcome(0.5, 502, None))
    stats.add(Outcome(30.0, 0, None, "TimeoutError"))
    stats.add(Outcome(0.01, 200, []))
    stats.seconds = 10.0
    summary = stats.summary()
    assert summary["messages"] == 103 and summary["errors"] == 2
    assert summary["server_errors"] == 1 and summary["empty_replies"] == 1
    assert summary["error_kinds"] == {"HTTP 502": 1, "TimeoutError": 1}
    assert 45 < summary["p50_ms"] < 56 and summary["messages_per_second"] == 10.3


def _results():
    def level(c, p95, rate, phase="visitors"):
        return {"phase": phase, "concurrency": c, "p50_ms": p95 / 2, "p95_ms": p95,
                "p99_ms": p95 * 2, "messages_per_second": rate, "errors": 0, "messages": 100}
    return {
        "started": "2026-01-01T00:00:00+00:00",
        "machine": {"cpu": "test cpu", "cores": 2, "memory_gb": 4, "os": "Linux",
                    "python": "3.10.13", "rasa": "3.6.21", "load_average_at_start": [0.1, 0.1, 0.1]},
        "settings": {"levels": [1, 10, 50], "saturate": [10], "seconds_per_level": 60,
                     "seconds_per_saturation_level": 20, "think_ms": 2000,
                     "config": "config.yml", "sanic_workers": 1},
        "assistants": {
            "lse": {"levels": [level(1, 10, 0.5), level(10, 40, 5), level(50, 300, 24),
                               level(10, 90, 140, "saturation")],
                    "cold_start_seconds": 12.0, "train_seconds": 40.0, "rss_mb": {"peak": 700}},
            "starter": {"levels": [level(1, 30, 0.5), level(10, 200, 5), level(50, 900, 20),
                                   level(10, 250, 50, "saturation")],
                        "cold_start_seconds": 15.0, "train_seconds": 200.0, "rss_mb": {"peak": 900}},
        },
    }


def test_table_has_ratios_and_targets():
    results = _results()
    results["targets"] = report.evaluate_targets(results)
    met = {t["name"]: t["met"] for t in results["targets"]}
    assert all(met.values()), results["targets"]
    table = report.markdown_table(results)
    assert ("| 10 conversations, visitors pausing 1–3 s: p95 per message (ms) | 40.0 | 200.0 "
            "| 0.20× |") in table
    assert ("| 10 conversations, no pauses (saturation): messages per second | 140.0 | 50.0 "
            "| 2.80× |") in table
    rate = [t for t in results["targets"] if t["name"].startswith("messages per second")]
    assert rate[0]["value"] == 140.0  # from the level without pauses, not the visitors' 24
    assert "| `rasa train` from scratch (s) | 40.0 | 200.0 | 0.20× |" in table
    assert "2 cores" in report.machine_line(results)


def test_readme_block_is_replaced(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{report.README_START}\nOLD-CONTENT\n{report.README_END}\nafter\n")
    chart = tmp_path / "chart.svg"
    chart.write_text("<svg/>")
    monkeypatch.setattr(report, "README", readme)
    monkeypatch.setattr(report, "README_CHART", tmp_path / "docs-chart.svg")
    results = _results()
    results["targets"] = report.evaluate_targets(results)
    report.update_readme(results, chart)
    text = readme.read_text()
    assert "OLD-CONTENT" not in text and "after" in text and "LSE ÷ starter" in text


def test_nginx_config_round_robin_and_sticky_socketio():
    conf = nginx_conf(Path("/tmp/x"), 8080, 8081, [1001, 1002], [2001, 2002], None, False)
    rest = conf.split("upstream rasa_rest {")[1].split("}")[0]
    sticky = conf.split("upstream rasa_socketio {")[1].split("}")[0]
    assert "hash" not in rest and "server 127.0.0.1:1001" in rest and "server 127.0.0.1:1002" in rest
    assert "hash $remote_addr consistent;" in sticky
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_next_upstream error timeout" in conf
    assert "X-LSE-Replica" not in conf


def test_sender_ids_survive_redaction():
    # The channels refuse a sender id that redaction would change (bot/channels.py).
    import re

    from bench.load import random_prefix, sender_id
    from bot.lse.redaction import redact

    rng = random.Random(3)
    for numbers in [(1, 0, 0), (50, 49, 123456), (10, 9, 99999999), (1234, 5678, 9012)]:
        sender = sender_id("soak" + random_prefix(rng), *numbers)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,128}", sender)
        assert redact(sender) == sender, sender


def test_nlu_latency_reads_the_texts_of_a_labelled_set(tmp_path):
    from bench.nlu_latency import texts_of

    (tmp_path / "roles.yml").write_text(
        'messages:\n  - text: "mijn zoon"\n    role: family\n  - text: "hoi"\n    role: none\n',
        encoding="utf-8")
    (tmp_path / "danger.yml").write_text(
        'messages:\n  - text: "pillen liggen klaar"\n    kind: suicide\nconversations: []\n',
        encoding="utf-8")
    assert texts_of(tmp_path) == ["pillen liggen klaar", "mijn zoon", "hoi"]
