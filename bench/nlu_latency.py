"""NLU time per message of one or more trained models, in process, on the same texts.

For the issue's rule "NLU time per message stays within 10% of today's": give the model
from before a change and the one after it. Each text is parsed three times and its best
time counts (the machine's noise is mostly one-sided); the models are measured in turn, so
run it twice to see the spread.

    python -m bench nlu-latency models/OLD.tar.gz models/NEW.tar.gz [--texts tests/nlu/dev5]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def texts_of(folder: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts += [item["text"] for item in data.get("messages") or [] if "text" in item]
    return texts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench nlu-latency", description=__doc__)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--texts", default=str(ROOT / "tests/nlu/dev5"),
                        help="a folder of labelled sets (their texts are used)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    texts = texts_of(Path(args.texts))
    if not texts:
        parser.error(f"no texts in {args.texts}")
    loop = asyncio.new_event_loop()
    for model in args.models:
        agent = Agent.load(model)
        for text in texts[:50]:  # warm-up
            loop.run_until_complete(agent.parse_message(text))
        best = []
        for text in texts:
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                loop.run_until_complete(agent.parse_message(text))
                times.append(time.perf_counter() - start)
            best.append(min(times))
        best.sort()
        print(f"{model}: median {1000 * statistics.median(best):.2f} ms, "
              f"p95 {1000 * best[int(0.95 * (len(best) - 1))]:.2f} ms per message "
              f"({len(texts)} texts, best of {args.repeat})", flush=True)
    return 0
