"""`make bench`: trains from scratch (timed), starts the servers (cold start timed), plays
the test stories' conversations over REST at each concurrency level for a fixed time, and
samples the Rasa server's resident memory. With --baseline the same for Rasa's starter
assistant (`rasa init`), one after the other, so the table shows ratios against it."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import random
import shutil
import sys
from pathlib import Path
from typing import Any

from bench import assistants, report
from bench.conversations import story_conversations
from bench.load import random_prefix, run_level

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20


def log(text: str) -> None:
    print(text, flush=True)


async def measure(running: assistants.Running | None, url: str, pid: int | None,
                  conversations: list[list[str]], args: argparse.Namespace, name: str) -> dict[str, Any]:
    result: dict[str, Any] = {"levels": []}
    rng = random.Random()
    idle = assistants.tree_rss(pid) if pid else 0
    if args.warmup > 0:
        # Not counted: the first answers of each kind (lazy imports, caches, DB pages).
        await run_level(url, conversations, 4, args.warmup, max_messages=2000,
                        prefix=f"warmup{random_prefix(rng)}")
    peak = idle
    plan = ([("visitors", c, args.think_ms) for c in args.levels]
            + [("saturation", c, 0.0) for c in args.saturate])
    for phase, concurrency, think_ms in plan:
        seconds = args.seconds if phase == "visitors" else args.saturate_seconds
        stats_holder: dict[str, int] = {"messages": 0}
        progress = functools.partial(stats_holder.__getitem__, "messages")
        sampler = assistants.RssSampler(pid, progress=progress) if pid else None
        level_args = dict(max_messages=args.max_messages, think_ms=think_ms,
                          prefix=f"{name}{random_prefix(rng)}")
        if sampler:
            with sampler:
                stats = await run_level(url, conversations, concurrency, seconds,
                                        on_message=functools.partial(stats_holder.__setitem__,
                                                                     "messages"),
                                        **level_args)
        else:
            stats = await run_level(url, conversations, concurrency, seconds, **level_args)
        summary = {"phase": phase, **stats.summary()}
        if sampler:
            summary["rss_peak_mb"] = round(sampler.peak / MB, 1)
            peak = max(peak, sampler.peak)
        result["levels"].append(summary)
        log(f"  {name}: {concurrency:>3} conversations, {report.phase_label(phase, think_ms)}: "
            f"{summary['messages']} messages in "
            f"{summary['seconds']:.1f} s = {summary['messages_per_second']} msg/s; p50 "
            f"{summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms; "
            f"errors {summary['errors']}" + (f" {summary['error_kinds']}" if summary["errors"] else ""))
    if pid:
        result["rss_mb"] = {"idle": round(idle / MB, 1), "peak": round(peak / MB, 1),
                            "end": round(assistants.tree_rss(pid) / MB, 1)}
    return result


def bench_one(name: str, args: argparse.Namespace, workdir: Path,
              conversations: list[list[str]]) -> dict[str, Any]:
    train_seconds = None
    if name == "lse":
        if args.model:
            model = args.model
            log(f"lse: using the model {model} (training not measured)")
        else:
            log(f"lse: rasa train from scratch with {args.config} ...")
            model, train_seconds = assistants.train_lse(workdir, Path(args.config))
            log(f"lse: trained in {train_seconds:.1f} s")
        running = assistants.start_lse(model, workdir, args.sanic_workers)
    else:
        if args.starter_model:
            model = args.starter_model
            log(f"starter: using the model {model} (training not measured)")
        else:
            log("starter: rasa init --no-prompt (copies the starter project and trains it) ...")
            model, train_seconds = assistants.train_starter(workdir)
            log(f"starter: trained in {train_seconds:.1f} s ({model})")
        running = assistants.start_starter(model, workdir, args.sanic_workers)
    log(f"{name}: cold start (process start to first answer) {running.cold_start_seconds:.1f} s")
    try:
        result = asyncio.run(measure(running, running.url, running.rasa_pid, conversations,
                                     args, name))
        for label, pid in running.other_pids.items():
            result[f"{label.replace(' ', '_')}_rss_mb"] = round(assistants.tree_rss(pid) / MB, 1)
    finally:
        running.stop()
    result.update({"train_seconds": None if train_seconds is None else round(train_seconds, 1),
                   "cold_start_seconds": round(running.cold_start_seconds, 2), "model": model})
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench run", description=__doc__)
    def levels(text: str) -> list[int]:
        return [int(x) for x in text.split(",") if x.strip()]

    parser.add_argument("--levels", type=levels, default=[1, 10, 50],
                        help="concurrent conversations of visitors who pause between messages "
                             "(--think-ms); latency (default 1,10,50)")
    parser.add_argument("--saturate", type=levels, default=[10, 50],
                        help="concurrent conversations without any pause: the most messages "
                             "per second one server sustains (default 10,50; '' for none)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="time per level of visitors (default 60)")
    parser.add_argument("--saturate-seconds", type=float, default=20.0,
                        help="time per level without pauses (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="uncounted warm-up seconds")
    parser.add_argument("--think-ms", type=float, default=report.DEFAULT_THINK_MS,
                        help="mean pause of a visitor between an answer and the next message, "
                             "± 50%% at random (default %(default)s: 1 to 3 s)")
    parser.add_argument("--max-messages", type=int, default=100_000, help="cap per level")
    parser.add_argument("--baseline", action="store_true",
                        help="also measure Rasa's starter assistant (rasa init) in the same run")
    parser.add_argument("--config", default="config.yml", help="NLU/policy config to train with")
    parser.add_argument("--model", help="use this model instead of training (train time not measured)")
    parser.add_argument("--starter-model", help="use this starter model instead of rasa init")
    parser.add_argument("--sanic-workers", type=int, default=1)
    parser.add_argument("--url", help="measure an already running server (no train, cold start)")
    parser.add_argument("--pid", type=int, help="with --url: the Rasa server's pid, for memory")
    parser.add_argument("--workdir", type=Path,
                        help="keep models, logs and databases here (default: a temporary "
                             "directory, removed at the end)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    parser.add_argument("--readme", action="store_true",
                        help="put the table and the chart into docs/performance.md")
    args = parser.parse_args(argv)
    for model in (args.model, args.starter_model):
        if model and not Path(model).is_file():
            parser.error(f"no model at {model}")

    started = dt.datetime.now(dt.timezone.utc)
    conversations = story_conversations()
    results: dict[str, Any] = {
        "kind": "bench",
        "started": started.isoformat(timespec="seconds"),
        "machine": assistants.machine_info(),
        "settings": {"levels": args.levels, "saturate": args.saturate,
                     "seconds_per_level": args.seconds,
                     "seconds_per_saturation_level": args.saturate_seconds,
                     "warmup_seconds": args.warmup, "think_ms": args.think_ms,
                     "config": args.config, "sanic_workers": args.sanic_workers,
                     "channel": "REST", "conversations": len(conversations),
                     "messages_in_conversations": sum(map(len, conversations)),
                     "url": args.url},
        "assistants": {},
    }
    log(f"Benchmark on {results['machine']['cpu']} ({results['machine']['cores']} cores), "
        f"load average {results['machine']['load_average_at_start']}; "
        f"{len(conversations)} conversations from tests/stories.")
    if args.url:
        results["assistants"]["lse"] = asyncio.run(
            measure(None, args.url.rstrip("/"), args.pid, conversations, args, "lse"))
    else:
        workdir = assistants.new_workdir(args.workdir)
        log(f"Work directory: {workdir}" + ("" if args.workdir else " (removed at the end)"))
        names = ["lse"] + (["starter"] if args.baseline else [])
        try:
            for name in names:
                results["assistants"][name] = bench_one(name, args, workdir, conversations)
        finally:
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)
    results["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in __import__("os").getloadavg()]
    results["targets"] = report.evaluate_targets(results)
    paths = report.write(results, args.out, args.readme)
    print()
    print(report.machine_line(results))
    print()
    print(report.markdown_table(results))
    print()
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
