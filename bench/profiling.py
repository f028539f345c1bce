"""Where the time of one message goes, in process: the channel's path (bot/channels.py
`process_message`: rate limits, checks, redaction, language detection and danger screen,
with its worker-thread hops), the NLU, slot extraction, the policies, the action server
calls and the tracker store, for every user text of the test stories.

    python -m bench profile [--model M] [--rounds 3] [--tracker sqlite|rasa-sqlite|memory] [--cprofile]
                            [--without-patches] [--selective-domain]

Every message takes the channels' own path: `RestInput().process_message` with the stored
(HMAC) sender id, Rasa's agent.handle_message as `on_new_message` (what Rasa's server
calls), and the rate limits of production. The action server runs as its own process, as
in production. Results are printed and written to results/bench/profile-latest.json (and
.txt with the cProfile listing).

By default Rasa runs as bot/serve.py starts it: with bot/rasa_patches.py applied (the
same `rasa_patches.apply()`). Two switches measure a difference, in this process only:
  --without-patches   Rasa's own code, unpatched: it checks the JSON schema of the action
                      server's answer with jsonschema.validate(), which first validates the
                      schema itself against the meta-schema on every call (about 100 ms with
                      jsonschema 4.17 on a slow core); the patch builds the validator once.
  --selective-domain  action_endpoint `enable_selective_domain: true`: Rasa sends the domain
                      only to actions that ask for it (`send_domain: true` in domain.yml),
                      not the whole domain with every action call.
The result names the patches that were in place (`rasa_patches`).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import functools
import io
import json
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy

from bench.assistants import ROOT, VENV_BIN, base_env, free_port
from bench.conversations import story_conversations
from servers import wait_for as _wait_for

TIMES: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _timed(name: str, function: Callable) -> Callable:
    if asyncio.iscoroutinefunction(function):
        @functools.wraps(function)
        async def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                TIMES[name] += time.perf_counter() - started
                CALLS[name] += 1
    else:
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                TIMES[name] += time.perf_counter() - started
                CALLS[name] += 1
    return wrapper


# (label, module, class, method). Nested stages are counted inside their parents too.
STAGES = [
    ("NLU: parse_message (whole NLU graph)", "rasa.core.processor", "MessageProcessor", "parse_message"),
    ("slots: run_action_extract_slots", "rasa.core.processor", "MessageProcessor", "run_action_extract_slots"),
    ("policies: _predict_next_with_tracker", "rasa.core.processor", "MessageProcessor", "_predict_next_with_tracker"),
    ("actions: _run_action (all actions)", "rasa.core.processor", "MessageProcessor", "_run_action"),
    ("  of which action server HTTP (RemoteAction.run)", "rasa.core.actions.action", "RemoteAction", "run"),
    ("tracker store: retrieve (SQL)", "rasa.core.tracker_store", "SQLTrackerStore", "retrieve"),
    ("tracker store: save (SQL)", "rasa.core.tracker_store", "SQLTrackerStore", "save"),
    ("tracker store: save (SQL)", "bot.tracker_store", "LseSQLTrackerStore", "save"),
    ("tracker store: retrieve (memory)", "rasa.core.tracker_store", "InMemoryTrackerStore", "retrieve"),
    ("tracker store: save (memory)", "rasa.core.tracker_store", "InMemoryTrackerStore", "save"),
    ("lock store: lock wait + release", "rasa.core.lock_store", "LockStore", "lock"),
]


def _instrument() -> None:
    import importlib

    for label, module_name, class_name, method in STAGES:
        if method == "lock":
            continue  # an async context manager; timed as part of handle_message
        cls = getattr(importlib.import_module(module_name), class_name)
        setattr(cls, method, _timed(label, getattr(cls, method)))


def _quiet_logs() -> None:
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


def _start_action_server(log_dir: Path) -> tuple:
    port = free_port()
    log = open(log_dir / "profile-action-server.log", "ab")
    process = subprocess.Popen([str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions",
                                "bot.actions", "--port", str(port)], cwd=ROOT, env=base_env(),
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    _wait_for(f"http://127.0.0.1:{port}/health", 120, [process])
    return process, f"http://127.0.0.1:{port}/webhook"


CHANNEL_STAGE = "channel: HMAC id, limits, checks, redaction, language, danger screen"


async def _play(agent, path, conversations: list[list[str]], rounds: int, tag: str,
                per_message: list[float] | None, channel: dict[str, float],
                outcomes: dict[str, int]) -> int:
    """Plays the texts through the channels' path (RestInput.process_message), as the REST
    webhook does after it has parsed the body."""
    from rasa.core.channels.channel import CollectingOutputChannel

    from bot.channels import IncomingMessage, stored_sender_id

    count = 0
    for round_number in range(rounds):
        for index, texts in enumerate(conversations):
            client_id = f"profile-{tag}-{round_number}-{index}"
            for text in texts:
                in_rasa = [0.0]

                async def on_new_message(message, in_rasa=in_rasa):
                    rasa_started = time.perf_counter()
                    try:
                        await agent.handle_message(message)
                    finally:
                        in_rasa[0] += time.perf_counter() - rasa_started

                collector = CollectingOutputChannel()

                async def reply(answer, collector=collector):
                    collector.messages.append({"text": answer})

                started = time.perf_counter()
                outcome = await path.process_message(
                    IncomingMessage(stored_sender_id(client_id), text), collector, reply,
                    on_new_message, agent)
                elapsed = time.perf_counter() - started
                channel[CHANNEL_STAGE] += elapsed - in_rasa[0]
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if per_message is not None:
                    per_message.append(elapsed)
                count += 1
    return count


async def profile(args: argparse.Namespace) -> dict[str, Any]:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_patches
    from bot.channels import RestInput

    _quiet_logs()
    if args.without_patches:
        rasa_patches.restore()
    else:
        rasa_patches.apply()  # as bot/serve.py does before Rasa starts
    patches = rasa_patches.applied()
    path = RestInput()  # the channels' message path, with production's rate limits
    work = Path(tempfile.mkdtemp(prefix="lse-profile-"))
    action_server, action_url = _start_action_server(work)
    try:
        # "sqlite" is the store of endpoints.yml (bot/tracker_store.py); "rasa-sqlite" is
        # Rasa's own SQLTrackerStore on the same kind of file, for comparison.
        tracker = {
            "sqlite": EndpointConfig(type="bot.tracker_store.LseSQLTrackerStore",
                                     dialect="sqlite", db=str(work / "profile.db")),
            "rasa-sqlite": EndpointConfig(type="SQL", dialect="sqlite",
                                          db=str(work / "profile.db")),
            "memory": EndpointConfig(type="in_memory"),
        }[args.tracker]
        action_kwargs = {"enable_selective_domain": True} if args.selective_domain else {}
        endpoints = AvailableEndpoints(action=EndpointConfig(url=action_url, **action_kwargs),
                                       tracker_store=tracker)
        load_started = time.perf_counter()
        agent = await load_agent(model_path=args.model, endpoints=endpoints)
        load_seconds = time.perf_counter() - load_started
        conversations = story_conversations()
        channel: dict[str, float] = defaultdict(float)
        outcomes: dict[str, int] = {}
        await _play(agent, path, conversations, 1, "warmup", None, channel, {})  # first calls
        _instrument()
        TIMES.clear()
        CALLS.clear()
        channel.clear()
        per_message: list[float] = []
        count = await _play(agent, path, conversations, args.rounds, "timed", per_message,
                            channel, outcomes)
        stages = {label: TIMES.get(label, 0.0) for label, *_ in STAGES if label in TIMES}
        stages.update(channel)
        calls = {label: round(CALLS[label] / count, 2) for label in CALLS}
        listing = ""
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            await _play(agent, path, conversations, 1, "cprofile", None, defaultdict(float), {})
            profiler.disable()
            stream = io.StringIO()
            stats = pstats.Stats(profiler, stream=stream).strip_dirs()
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(30)
            listing = stream.getvalue()
    finally:
        action_server.terminate()
        action_server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    ms = numpy.asarray(per_message) * 1000
    total = float(ms.sum())
    return {
        "model": args.model, "tracker_store": args.tracker, "rounds": args.rounds,
        "messages": count, "model_load_seconds": round(load_seconds, 2),
        "per_message_ms": {"mean": round(float(ms.mean()), 2),
                           "p50": round(float(numpy.percentile(ms, 50)), 2),
                           "p95": round(float(numpy.percentile(ms, 95)), 2),
                           "max": round(float(ms.max()), 2)},
        "stages_ms_per_message": {label: round(seconds * 1000 / count, 3)
                                  for label, seconds in stages.items()},
        "stages_share_of_total": {label: round(seconds * 1000 / total, 3)
                                  for label, seconds in stages.items()},
        "calls_per_message": calls, "outcomes": outcomes,
        "rasa_patches": patches, "selective_domain": args.selective_domain,
        "cprofile": listing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--rounds", type=int, default=3, help="times each story is played")
    parser.add_argument("--tracker", choices=["sqlite", "rasa-sqlite", "memory"], default="sqlite")
    parser.add_argument("--cprofile", action="store_true", help="add a cProfile listing")
    parser.add_argument("--without-patches", action="store_true",
                        help="Rasa's own code, without bot/rasa_patches.py")
    parser.add_argument("--selective-domain", action="store_true",
                        help="try: action_endpoint enable_selective_domain")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = parser.parse_args(argv)
    if not Path(args.model).is_file():
        # Rasa loads no model from a missing path and answers nothing, very fast.
        parser.error(f"no model at {args.model}: run `make train` first")
    result = asyncio.run(profile(args))
    result["started"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    listing = result.pop("cprofile")
    (args.out / "profile-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    if listing:
        (args.out / "profile-latest.txt").write_text(listing)
    per = result["per_message_ms"]
    tried = ["Rasa patches: " + (", ".join(result["rasa_patches"]) or "none")]
    if result["selective_domain"]:
        tried.append("trying selective_domain")
    print(f"{result['messages']} messages in process through the channels' path ({args.tracker} "
          f"tracker store, action server over HTTP, {'; '.join(tried)}): mean {per['mean']} ms, "
          f"p50 {per['p50']} ms, p95 {per['p95']} ms; outcomes {result['outcomes']}")
    print("\n| stage | ms per message | share of the total | calls per message |\n|---|--:|--:|--:|")
    for label, value in sorted(result["stages_ms_per_message"].items(), key=lambda kv: -kv[1]):
        share = result["stages_share_of_total"][label]
        calls = result["calls_per_message"].get(label, 1.0)
        print(f"| {label} | {value:.2f} | {share:.0%} | {calls} |")
    print("\nStages nest (actions and slots include the action server calls); the rest of the "
          "time is Rasa's own bookkeeping (events, domain, output).")
    if listing:
        print(f"cProfile listing: {args.out / 'profile-latest.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
