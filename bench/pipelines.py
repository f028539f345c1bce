"""Compares NLU and policy variants on accuracy and speed together, for docs/performance.md.

For each variant: `rasa train` from scratch (timed), intent accuracy on the held-out set
(`rasa test nlu` on tests/nlu/heldout.yml, floor 0.90), failed end-to-end test stories
(`rasa test core --e2e`), NLU parse latency in process over the held-out texts, and the
real servers over REST at 1 and 10 conversations (short fixed-time levels).

Variants are made from the current config.yml (so its tokenizer, featurizers and custom
components stay the same); only the intent classifier and the policies change:
    current                 config.yml as it is
    diet                    DIETClassifier instead of the current classifier
    current+ted             + MemoizationPolicy and TEDPolicy
    current+ted+unexpected  + MemoizationPolicy, TEDPolicy and UnexpecTEDIntentPolicy
    diet+ted, diet+ted+unexpected
    current+norolecues      without the role cues (bot/nlu/role_cues.py)
    current+screenonly      the danger screen alone decides danger (no classifier guesses)
    current+anydanger       every classifier danger guess counts (no confidence floor)
or any config file given with --config.

Every variant is also measured on the development set tests/nlu/dev (by
scripts/evaluate_sets.py): role accuracy, professional routing, danger recall, false
alarms and questions. Since 2 December the development sets are training data
(scripts/dev_sets_to_training.py), so these columns show how well a variant fits its
training data, not how it generalises; for the danger screen, scripts/danger_writer_cv.py
measures that writer by writer. The blind sets are never used here: choosing between
variants on them would make them development sets.

    python -m bench pipelines [--variants current,diet,current+ted] [--config my.yml ...]
                              [--seconds 10] [--epochs 100]
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy
import yaml

from bench import assistants
from bench.assistants import RASA, ROOT, base_env
from bench.conversations import story_conversations
from bench.load import random_prefix, run_level

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
FLOOR = 0.90
CLASSIFIERS = ("bot.nlu.intent_classifier.LseLogisticRegressionClassifier",
               "LogisticRegressionClassifier", "DIETClassifier", "SklearnIntentClassifier")
ALL_VARIANTS = ["current", "diet", "current+ted", "current+ted+unexpected", "diet+ted",
                "diet+ted+unexpected", "current+norolecues", "current+screenonly",
                "current+anydanger"]
DEV_SETS = ROOT / "tests" / "nlu" / "dev"


def variant_config(base: dict[str, Any], name: str, epochs: int) -> dict[str, Any]:
    config = copy.deepcopy(base)
    parts = name.split("+")
    if parts[0] == "diet":
        pipeline = []
        for component in config["pipeline"]:
            if component.get("name") in CLASSIFIERS:
                component = {"name": "DIETClassifier", "epochs": epochs,
                             "constrain_similarities": True, "random_seed": 2026}
            pipeline.append(component)
        if not any(c.get("name") == "DIETClassifier" for c in pipeline):
            raise ValueError("config.yml has no intent classifier to replace")
        config["pipeline"] = pipeline
    elif parts[0] != "current":
        raise ValueError(f"unknown variant {name}")
    pipeline = []
    for component in config["pipeline"]:
        component = dict(component)
        if component.get("name") == "bot.nlu.role_cues.RoleCues" and "norolecues" in parts:
            continue
        if component.get("name") == "bot.nlu.danger_screen.DangerScreen":
            if "screenonly" in parts:
                component["classifier_min_confidence"] = 1.01
            if "anydanger" in parts:
                component["classifier_min_confidence"] = 0.0
        pipeline.append(component)
    config["pipeline"] = pipeline
    policies = [p for p in config.get("policies") or []
                if p.get("name") not in ("TEDPolicy", "MemoizationPolicy", "UnexpecTEDIntentPolicy")]
    if "ted" in parts:
        policies.append({"name": "MemoizationPolicy", "max_history": 5})
        policies.append({"name": "TEDPolicy", "max_history": 5, "epochs": epochs,
                         "constrain_similarities": True, "random_seed": 2026})
    if "unexpected" in parts:
        policies.append({"name": "UnexpecTEDIntentPolicy", "max_history": 5, "epochs": epochs,
                         "random_seed": 2026})
    config["policies"] = policies
    return config


def _run(command: list[str], log: Path, timeout: float = 3600) -> int:
    with open(log, "ab") as handle:
        return subprocess.run(command, cwd=ROOT, env=base_env(), stdout=handle,
                              stderr=subprocess.STDOUT, timeout=timeout).returncode


def nlu_accuracy(model: str, out: Path, log: Path) -> dict[str, Any]:
    _run([RASA, "test", "nlu", "--model", model, "--nlu", str(HELDOUT), "--out", str(out),
          "--no-plot", "--quiet"], log)
    report = json.loads((out / "intent_report.json").read_text())
    return {"accuracy": round(report["accuracy"], 4),
            "weighted_f1": round(report["weighted avg"]["f1-score"], 4)}


def dev_figures(model: str, out: Path, log: Path) -> dict[str, Any]:
    """Role, routing, danger and question figures on the development sets."""
    path = out / "dev.json"
    _run([str(assistants.VENV_BIN / "python"), "scripts/evaluate_sets.py", model, str(DEV_SETS),
          "--json", str(path)], log)
    if not path.exists():
        return {}
    figures = json.loads(path.read_text())
    recall = figures.get("danger_recall") or {}
    return {"role_accuracy": round(figures.get("role_accuracy", float("nan")), 3),
            "professional_routing": round(figures.get("professional_routing", float("nan")), 3),
            "danger_recall_min": round(min(recall.values()), 3) if recall else None,
            "false_positive_rate": round(figures.get("false_positive_rate", float("nan")), 3),
            "questions_answered": round(figures.get("questions_answered", float("nan")), 3)}


def failed_stories(model: str, out: Path, log: Path) -> int | None:
    _run([RASA, "test", "core", "--model", model, "--stories", str(ROOT / "tests" / "stories"),
          "--e2e", "--out", str(out), "--no-plot", "--quiet"], log)
    failed = out / "failed_test_stories.yml"
    if not failed.exists():
        return None
    data = yaml.safe_load(failed.read_text()) or {}
    return len(data.get("stories") or []) if isinstance(data, dict) else 0


def parse_latency(model: str, log: Path) -> dict[str, float]:
    """NLU only, in a separate process: p50/p95 ms of agent.parse_message over held-out texts."""
    code = f"""
import asyncio, json, time, logging, yaml
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
logging.disable(logging.WARNING)
texts = [m.get("text") for m in load_data({str(HELDOUT)!r}).intent_examples]
agent = Agent.load({model!r})
async def main():
    for t in texts[:20]:
        await agent.parse_message(t)
    out = []
    for t in texts:
        s = time.perf_counter(); await agent.parse_message(t); out.append(time.perf_counter() - s)
    print("RESULT" + json.dumps(out))
asyncio.run(main())
"""
    with open(log, "ab") as handle:
        result = subprocess.run([str(assistants.VENV_BIN / "python"), "-c", code], cwd=ROOT,
                                env=base_env(), stdout=subprocess.PIPE, stderr=handle, text=True,
                                timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    if not lines:
        return {}
    ms = numpy.asarray(json.loads(lines[-1][6:])) * 1000
    return {"p50_ms": round(float(numpy.percentile(ms, 50)), 2),
            "p95_ms": round(float(numpy.percentile(ms, 95)), 2)}


def rest_latency(model: str, workdir: Path, seconds: float) -> dict[str, Any]:
    running = assistants.start_lse(model, workdir)
    rng = random.Random()
    try:
        conversations = story_conversations()
        out: dict[str, Any] = {"cold_start_seconds": round(running.cold_start_seconds, 1),
               "rss_mb": round(assistants.tree_rss(running.rasa_pid) / 2**20)}
        asyncio.run(run_level(running.url, conversations, 4, 2, prefix="warmup" + random_prefix(rng)))
        for concurrency in (1, 10):
            stats = asyncio.run(run_level(running.url, conversations, concurrency, seconds,
                                          prefix="pipelines" + random_prefix(rng))).summary()
            out[f"at_{concurrency}"] = {k: stats[k] for k in
                                        ("p50_ms", "p95_ms", "messages_per_second", "errors")}
        return out
    finally:
        running.stop()


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| variant | held-out intent accuracy | weighted F1 | dev role / routing | "
             "dev danger recall (lowest kind) / false alarms | dev questions | failed test stories | "
             "train from scratch (s) | NLU parse p50 / p95 (ms) | REST p50 / p95 at 1 (ms) | "
             "REST p95 at 10 (ms) | msg/s at 10 | Rasa RSS (MB) |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for row in rows:
        if row.get("error"):
            lines.append(f"| {row['variant']} | failed: {row['error']} ||||||||||||")
            continue
        nlu, parse, rest = row.get("nlu", {}), row.get("parse", {}), row.get("rest", {})
        at1, at10 = rest.get("at_1", {}), rest.get("at_10", {})
        accuracy = nlu.get("accuracy")
        below = " (below the floor)" if accuracy is not None and accuracy < FLOOR else ""
        dev = row.get("dev", {})
        lines.append(
            f"| {row['variant']} | {accuracy}{below} | {nlu.get('weighted_f1')} | "
            f"{dev.get('role_accuracy')} / {dev.get('professional_routing')} | "
            f"{dev.get('danger_recall_min')} / {dev.get('false_positive_rate')} | "
            f"{dev.get('questions_answered')} | "
            f"{row.get('failed_stories')} | {row.get('train_seconds')} | "
            f"{parse.get('p50_ms')} / {parse.get('p95_ms')} | {at1.get('p50_ms')} / {at1.get('p95_ms')} | "
            f"{at10.get('p95_ms')} | {at10.get('messages_per_second')} | {rest.get('rss_mb')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pipelines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default="current,diet,current+ted,current+ted+unexpected",
                        help=f"comma-separated, from {', '.join(ALL_VARIANTS)}; '' for none")
    parser.add_argument("--config", action="append", default=[], type=Path,
                        help="also compare this config file (repeatable)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs of DIET/TED variants")
    parser.add_argument("--seconds", type=float, default=10.0, help="REST time per level")
    parser.add_argument("--no-rest", action="store_true", help="skip the REST measurement")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = parser.parse_args(argv)

    base = yaml.safe_load((ROOT / "config.yml").read_text())
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="lse-pipelines-"))
    workdir.mkdir(parents=True, exist_ok=True)
    jobs = [(name, variant_config(base, name, args.epochs))
            for name in filter(None, args.variants.split(","))]
    jobs += [(str(path), yaml.safe_load(path.read_text())) for path in args.config]
    rows = []
    for name, config in jobs:
        slug = name.replace("+", "-").replace("/", "_")
        vdir = workdir / slug
        vdir.mkdir(parents=True, exist_ok=True)
        config_path = vdir / "config.yml"
        config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
        log = vdir / "log.txt"
        row: dict[str, Any] = {"variant": name, "config": str(config_path)}
        print(f"{name}: training from scratch ...", flush=True)
        try:
            model, seconds = assistants.train_lse(vdir, config_path)
            row["train_seconds"] = round(seconds, 1)
            row["nlu"] = nlu_accuracy(model, vdir / "nlu", log)
            row["dev"] = dev_figures(model, vdir, log)
            row["failed_stories"] = failed_stories(model, vdir / "stories", log)
            row["parse"] = parse_latency(model, log)
            if not args.no_rest:
                row["rest"] = rest_latency(model, vdir, args.seconds)
        except Exception as error:  # one broken variant should not stop the others
            row["error"] = str(error)[:200]
        print(f"{name}: {json.dumps({k: v for k, v in row.items() if k != 'config'})}", flush=True)
        rows.append(row)
    results: dict[str, Any] = {"kind": "pipelines",
               "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "machine": assistants.machine_info(), "floor": FLOOR, "rows": rows,
               "settings": {"epochs": args.epochs, "seconds": args.seconds}}
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = results["started"].replace(":", "").replace("-", "")[:15]
    path = args.out / f"pipelines-{stamp}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(markdown(rows))
    print(f"\njson: {path}\nconfigs and logs: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
