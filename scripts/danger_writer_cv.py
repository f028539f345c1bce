"""Leave-one-writer-out cross-validation of the danger screen (cue lists and model).

How the danger model's settings were chosen without touching the blind sets: each
development set (tests/nlu/dev, dev2 ... dev9) was written by a different writer. For each
one, the model is trained on the training data plus the other development sets, and the
whole screen (bot/nlu/danger_screen.DangerScreen.verdict: cue lists, model, benign readings)
is measured on the set that was left out: recall per kind and the false-alarm rate on its
ordinary messages, for a range of thresholds. That is how a writer nobody trained on fares.

  python scripts/danger_writer_cv.py [--c 4] [--thresholds 0.4,0.45,0.5] [--veto 0.3]

The other settings come from the DangerScreen entry of config.yml.

Needs no trained Rasa model (about 3 minutes). The figures of the chosen settings are in
docs/nlu.md.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.lse.danger_model import DangerModel  # noqa: E402
from bot.lse.danger_screen import SUICIDE  # noqa: E402
from bot.lse.redaction import redact  # noqa: E402
from bot.nlu.danger_screen import DangerScreen  # noqa: E402

# Every development set: tests/nlu/dev, dev2, dev3 ..., each from its own writer.
DEV_SETS = tuple(sorted((path.name for path in (ROOT / "tests/nlu").glob("dev*") if path.is_dir()),
                        key=lambda name: int(name[3:] or 1)))
DANGER_INTENT = {"suicide": "danger_suicide", "harm_others": "danger_acute"}


def training_examples() -> list[tuple[str, str]]:
    """bot/data/nlu without the file made from the development sets."""
    examples = []
    for path in sorted((ROOT / "bot/data/nlu").glob("*.yml")):
        if path.name == "from_dev_sets.yml":
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- ") and "intent" in block:
                    examples.append((line.strip()[2:], block["intent"]))
    return examples


def load_set(name: str) -> dict[str, list]:
    found: dict[str, list] = {"danger": [], "ordinary": [], "conversations": [], "other": []}
    for path in sorted((ROOT / "tests/nlu" / name).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if path.name.startswith("danger"):
            found["danger"] += [(redact(m["text"]), m["kind"]) for m in data.get("messages") or []]
            found["conversations"] += [([redact(t) for t in c["turns"]], c["kind"])
                                       for c in data.get("conversations") or []]
        elif path.name.startswith("ordinary"):
            found["ordinary"] += [redact(m["text"]) for m in data.get("messages") or []]
        elif path.name.startswith(("roles", "questions")):
            # first messages and questions: no danger either (false alarms on them cost a
            # visitor the right answer)
            found["other"] += [redact(m["text"]) for m in data.get("messages") or []]
    return found


def as_examples(found: dict[str, list]) -> list[tuple[str, str | None]]:
    examples: list[tuple[str, str | None]] = [(t, DANGER_INTENT[k]) for t, k in found["danger"]]
    examples += [(t, None) for t in found["ordinary"] + found["other"]]
    for turns, kind in found["conversations"]:
        examples += [(turns[0], None), (turns[-1], DANGER_INTENT[kind])]
    return examples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=4.0, help="the model's C")
    parser.add_argument("--thresholds", default=None, help="default: config.yml's")
    parser.add_argument("--veto", type=float, default=None,
                        help="model_vetoes_cues_below (default: config.yml's)")
    args = parser.parse_args()
    config = next(item for item in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
                  if item["name"].endswith("DangerScreen"))
    if args.veto is not None:
        config["model_vetoes_cues_below"] = args.veto
    args.thresholds = args.thresholds or str(config["model_threshold"])
    thresholds = [float(value) for value in args.thresholds.split(",")]
    base = [(redact(text), intent) for text, intent in training_examples()]
    sets = {name: load_set(name) for name in DEV_SETS}
    totals: dict[float, list[int]] = defaultdict(lambda: [0] * 8)
    for held_out in DEV_SETS:
        extra = [example for name in DEV_SETS if name != held_out
                 for example in as_examples(sets[name])]
        model = DangerModel.fit(base + extra, c=args.c)
        for threshold in thresholds:
            screen = DangerScreen({**config, "model_threshold": threshold}, model=model)
            figures = totals[threshold]
            row = [0] * 8
            for text, kind in sets[held_out]["danger"]:
                offset = 0 if kind == SUICIDE else 2
                row[offset] += screen.verdict(text).found
                row[offset + 1] += 1
            for text in sets[held_out]["ordinary"]:
                row[4] += screen.verdict(text).found
                row[5] += 1
            for text in sets[held_out]["other"]:
                row[6] += screen.verdict(text).found
                row[7] += 1
            figures[:] = [a + b for a, b in zip(figures, row, strict=True)]
            print(f"left out {held_out:5} threshold {threshold:.2f}: suicide {row[0]}/{row[1]}, "
                  f"harm {row[2]}/{row[3]}, false alarms {row[4]}/{row[5]} ordinary, "
                  f"{row[6]}/{row[7]} first messages and questions", flush=True)
    print(f"\nAll development sets, each measured by a model that never saw it (C={args.c}, "
          f"veto below {config.get('model_vetoes_cues_below')}, benign readings overridden at "
          f"{config.get('model_overrides_benign_at')}):")
    for threshold, f in sorted(totals.items()):
        print(f"threshold {threshold:.2f}: recall suicide {f[0] / f[1]:.1%}, harm {f[2] / f[3]:.1%}, "
              f"false alarms {f[4] / f[5]:.1%} (ordinary), {f[6] / f[7]:.1%} (first messages "
              "and questions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
