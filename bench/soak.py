"""`make soak`: 10,000 messages over 500 conversations over REST, with the bad inputs of the
triage issue mixed in. Checks: no 5xx, no lost conversation (every accepted message is in
the tracker, in order, and got an answer), resident memory of the Rasa server growing by
less than 10% between the first and the last thousand messages. Not part of CI."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench import assistants, report
from bench.conversations import soak_script, story_conversations
from bench.load import REQUEST_TIMEOUT, random_prefix, send, sender_id

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20


def expected_text(message: Any, max_length: int) -> str | None:
    """The text the channel passes to Rasa for a message, or None when it answers itself."""
    from bot.lse.message_checks import check_message

    checked = check_message(message, max_length)
    return checked.text if checked.ok else None


async def soak(url: str, events_of: Callable[[str], list[dict[str, Any]]], pid: int | None,
               args: argparse.Namespace) -> dict[str, Any]:
    """Messages go to `url`; the stored events of a conversation come from `events_of(sender)`,
    which reads the tracker store's database (the Rasa HTTP API is off)."""
    from bot.lse.facts import load_facts

    max_length = load_facts().max_message_length
    rng = random.Random(args.seed)
    stories = story_conversations()
    length = max(1, args.messages // args.conversations)
    run_id = random_prefix(random.Random())
    scripts = {sender_id(f"soak{run_id}", n): soak_script(rng, stories, length, args.bad_ratio)
               for n in range(args.conversations)}
    expected: dict[str, list[str]] = {sender: [] for sender in scripts}
    unanswered: dict[str, int] = {}
    status_counts: dict[str, int] = {}
    problems: list[str] = []
    silent: list[str] = []
    done = {"messages": 0}
    latencies: list[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for sender in scripts:
        queue.put_nowait(sender)
    started = time.perf_counter()
    deadline = started + args.max_seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty() and time.perf_counter() < deadline:
            sender = queue.get_nowait()
            for what in scripts[sender]:
                if time.perf_counter() >= deadline:
                    return
                outcome = await send(session, url, sender, what)
                done["messages"] += 1
                latencies.append(outcome.latency)
                key = str(outcome.status) if outcome.status else (outcome.error or "no answer")
                status_counts[key] = status_counts.get(key, 0) + 1
                if what.expect_4xx:
                    if not 400 <= outcome.status < 500:
                        problems.append(f"{sender}: invalid body answered {key}")
                    continue
                if outcome.status != 200:
                    problems.append(f"{sender}: message answered {key}")
                    continue
                text = expected_text(what.message, max_length)
                if text is not None:
                    expected[sender].append(text)
                if not outcome.replies:
                    unanswered[sender] = unanswered.get(sender, 0) + 1
                    if len(silent) < 50:
                        silent.append(f"{sender}: no answer to {str(what.message)[:60]!r}")

    sampler = assistants.RssSampler(pid, interval=0.5, progress=lambda: done["messages"]) if pid else None
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=args.concurrency + 4)) as session:
        if sampler:
            sampler.__enter__()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(worker(session) for _ in range(args.concurrency))),
                timeout=args.max_seconds + REQUEST_TIMEOUT + 5)
        finally:
            if sampler:
                sampler.__exit__(None, None, None)
        seconds = time.perf_counter() - started

        # Every conversation, as the tracker store has it (all sessions, all events).
        lost: list[str] = []
        semaphore = asyncio.Semaphore(8)

        async def check(sender: str) -> None:
            async with semaphore:
                try:
                    events = await asyncio.to_thread(events_of, sender)
                except Exception as error:  # reported as lost, with the reason
                    lost.append(f"{sender}: tracker store not readable ({type(error).__name__})")
                    return
            stored = [event.get("text") for event in events if event.get("event") == "user"]
            if stored != expected[sender]:
                lost.append(f"{sender}: {len(expected[sender])} messages accepted, "
                            f"{len(stored)} in the tracker store")
            elif unanswered.get(sender):
                lost.append(f"{sender}: {unanswered[sender]} accepted messages got no answer")

        played = [sender for sender in scripts if expected[sender] or sender in unanswered]
        await asyncio.gather(*(check(sender) for sender in played))

    server_errors = sum(count for key, count in status_counts.items() if key.startswith("5"))
    transport_errors = sum(count for key, count in status_counts.items() if not key.isdigit())
    rss = _rss_growth(sampler.samples if sampler else [], done["messages"])
    latencies.sort()

    def pct(q: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

    return {
        "messages": done["messages"], "planned_messages": sum(map(len, scripts.values())),
        "conversations": len(played), "planned_conversations": len(scripts),
        "bad_inputs": sum(1 for s in scripts.values() for what in s if what.bad),
        "seconds": round(seconds, 1),
        "messages_per_second": round(done["messages"] / seconds, 1) if seconds else None,
        "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
        "status_counts": status_counts, "server_errors": server_errors,
        "transport_errors": transport_errors, "unexpected_answers": len(problems),
        "problems": problems[:50], "lost_conversations": len(lost), "lost": lost[:50],
        "unanswered_messages": sum(unanswered.values()), "unanswered_examples": silent,
        "rss": rss,
    }


def _rss_growth(samples: list[dict[str, float]], total: int) -> dict[str, Any]:
    if not samples:
        return {}
    first = [s["rss"] for s in samples if s["messages"] <= 1000] or [samples[0]["rss"]]
    last = [s["rss"] for s in samples if s["messages"] >= total - 1000] or [samples[-1]["rss"]]
    first_mb, last_mb = sum(first) / len(first) / MB, sum(last) / len(last) / MB
    by_thousand = {}
    for sample in samples:
        by_thousand[int(sample["messages"] // 1000) * 1000] = round(sample["rss"] / MB, 1)
    return {"first_thousand_mb": round(first_mb, 1), "last_thousand_mb": round(last_mb, 1),
            "growth": round((last_mb - first_mb) / first_mb, 4) if first_mb else None,
            "peak_mb": round(max(s["rss"] for s in samples) / MB, 1),
            "at_each_thousand_mb": by_thousand}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20, help="conversations at a time")
    parser.add_argument("--bad-ratio", type=float, default=0.1, help="share of bad inputs")
    parser.add_argument("--max-seconds", type=float, default=1800, help="hard time limit")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--url", help="soak a running server (e.g. make cluster's nginx)")
    parser.add_argument("--tracker-db", type=Path,
                        help="with --url: the SQLite tracker store (default: PostgreSQL from LSE_PG_*)")
    parser.add_argument("--sender-secret-file", type=Path,
                        help="with --url: the servers' sender secret (default var/sender_secret)")
    parser.add_argument("--pid", type=int, help="with --url: the Rasa server's pid, for memory")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"kind": "soak",
                               "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                               "machine": assistants.machine_info(),
                               "settings": {k: str(v) if isinstance(v, Path) else v
                                            for k, v in vars(args).items()}}
    running = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
        reader = assistants.Servers(
            model="", tracker_db=str(args.tracker_db) if args.tracker_db else None,
            **({"sender_secret_file": args.sender_secret_file} if args.sender_secret_file else {}))
        events_of = reader.tracker_events
    else:
        workdir = assistants.new_workdir(args.workdir)
        print(f"Starting the servers on {args.model} (work directory {workdir}) ...", flush=True)
        running = assistants.start_lse(args.model, workdir)
        assert running.servers is not None  # ours: started by servers.Servers
        url, pid, events_of = running.url, running.rasa_pid, running.servers.tracker_events
    print(f"Soak: {args.messages} messages over {args.conversations} conversations, "
          f"{args.concurrency} at a time, about {args.bad_ratio:.0%} bad inputs ...", flush=True)
    try:
        soak_result = asyncio.run(soak(url, events_of, pid, args))
    finally:
        if running:
            running.stop()
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)
    results["soak"] = soak_result
    results["passed"] = (soak_result["messages"] == soak_result["planned_messages"]
                         and soak_result["server_errors"] == 0 and soak_result["transport_errors"] == 0
                         and soak_result["lost_conversations"] == 0
                         and soak_result["unexpected_answers"] == 0
                         and (not soak_result["rss"] or soak_result["rss"]["growth"] < 0.10))
    paths = report.write(results, args.out, readme=False)
    _print(soak_result, results["passed"])
    print(f"json: {paths['json']}")
    return 0 if results["passed"] else 1


def _print(result: dict[str, Any], passed: bool) -> None:
    rss = result["rss"]
    print(f"""
Soak results
  messages:             {result['messages']} of {result['planned_messages']} planned, in {result['seconds']} s ({result['messages_per_second']} msg/s){'' if result['messages'] == result['planned_messages'] else ' -- stopped by --max-seconds'}
  conversations:        {result['conversations']} of {result['planned_conversations']}; bad inputs sent: {result['bad_inputs']}
  latency per message:  p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms
  HTTP status counts:   {result['status_counts']}
  5xx answers:          {result['server_errors']} (target 0)
  transport errors:     {result['transport_errors']} (target 0)
  unexpected answers:   {result['unexpected_answers']} (a 4xx for a message, or a 2xx for an invalid body)
  lost conversations:   {result['lost_conversations']} (target 0)""")
    if rss:
        print(f"  Rasa server memory:   {rss['first_thousand_mb']} MB in the first thousand messages, "
              f"{rss['last_thousand_mb']} MB in the last thousand: {rss['growth']:+.1%} (target < +10%); "
              f"peak {rss['peak_mb']} MB")
        print(f"  memory per thousand:  {rss['at_each_thousand_mb']}")
    for line in result["problems"][:10] + result["lost"][:10] + result["unanswered_examples"][:10]:
        print(f"    {line}")
    print(f"  {'PASSED' if passed else 'FAILED'}")


if __name__ == "__main__":
    sys.exit(main())
