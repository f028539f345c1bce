"""Recall of bot/lse/redaction.redact on a labelled set of visitor messages.

    python scripts/evaluate_redaction.py SET [SET ...] [--floor recall=0.9,keep=0.95]
                                         [--json OUT] [--errors]

A set is YAML: `messages: [{text, role, identifiers: [{text, kind}], keep: [...]}]`.

How it counts:
- An identifier is CAUGHT when nothing of it that could identify someone survives in the
  redacted text: its whole text does not occur in it (case-insensitive, spaces collapsed), and
  no word of it of 3 or more characters survives as a word of the redacted text (words:
  runs of letters and digits, compared case-insensitively; the particles of Dutch names and
  places such as "van", "den", "het", "ter" are not counted on their own, and neither are
  words that only say what kind of institution it is: "school", "college", "moskee",
  "gemeente", "MMA", "BV", ...; "[instelling] moskee" identifies nobody). So "Daan van den
  Berg" that becomes "[naam] van den Berg" is missed, and "Kerkstraat 12" that becomes
  "[adres]" is caught. An identifier with no word of 3+ characters ("Jo", "06") counts by its
  whole text only.
- Recall per kind and overall (every identifier counts once).
- Keep rate: the share of the `keep` words and phrases (what the assistant needs to
  understand) that are still in the redacted text (case-insensitive).
- ms/message: the mean CPU time of one redact() call in this thread (deduce is loaded
  before; CPU time, because on a shared machine wall-clock times of a few ms mean little).

--floor takes `recall`, `keep` and `recall_<kind>` (for example `recall_name=0.8`); below any
floor the script exits 1. --errors prints every missed identifier and every lost keep word.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.lse.redaction import redact  # noqa: E402  (loads deduce once)

_WORD = re.compile(r"[^\W_]+")
PARTICLES = frozenset((
    "van", "den", "der", "het", "ter", "ten", "de", "op", "aan", "bij", "voor", "and", "the",
    "von", "del", "dos", "das", "les", "la", "le",
))
# Words that say what kind of institution a name is, not which one: "[instelling] moskee"
# and "het [school] College" identify nobody.
GENERIC = frozenset((
    "school", "college", "lyceum", "gymnasium", "atheneum", "basisschool", "moskee", "mosque",
    "masjid", "camii", "cami", "gemeente", "municipality", "mma", "bv", "vv", "fc", "club", "gym",
))


def _words(text: str) -> list:
    return [word.casefold() for word in _WORD.findall(text)]


def _collapse(text: str) -> str:
    return " ".join(text.casefold().split())


def caught(identifier: str, redacted: str) -> bool:
    if _collapse(identifier) in _collapse(redacted):
        return False
    surviving = set(_words(redacted))
    return not any(len(word) >= 3 and word not in PARTICLES and word not in GENERIC
                   and word in surviving for word in _words(identifier))


def kept(word: str, redacted: str) -> bool:
    return _collapse(word) in _collapse(redacted)


def evaluate(paths: list) -> dict:
    per_kind: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind -> [caught, total]
    keep_total = keep_kept = 0
    times = []
    missed, lost = [], []
    messages = 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        for message in data["messages"]:
            messages += 1
            text = message["text"]
            started = time.thread_time()
            redacted = redact(text)
            times.append(time.thread_time() - started)
            for identifier in message.get("identifiers") or []:
                counts = per_kind[identifier["kind"]]
                counts[1] += 1
                if caught(identifier["text"], redacted):
                    counts[0] += 1
                else:
                    missed.append({"kind": identifier["kind"], "identifier": identifier["text"],
                                   "redacted": redacted})
            for word in message.get("keep") or []:
                keep_total += 1
                if kept(word, redacted):
                    keep_kept += 1
                else:
                    lost.append({"keep": word, "redacted": redacted})
    total_caught = sum(counts[0] for counts in per_kind.values())
    total = sum(counts[1] for counts in per_kind.values())
    return {
        "sets": [str(path) for path in paths],
        "messages": messages,
        "identifiers": total,
        "recall": total_caught / total if total else 1.0,
        "recall_per_kind": {kind: counts[0] / counts[1] for kind, counts in sorted(per_kind.items())},
        "identifiers_per_kind": {kind: counts[1] for kind, counts in sorted(per_kind.items())},
        "keep": keep_kept / keep_total if keep_total else 1.0,
        "keep_words": keep_total,
        "ms_per_message": 1000 * statistics.mean(times) if times else 0.0,
        "ms_per_message_max": 1000 * max(times) if times else 0.0,
        "missed": missed,
        "lost": lost,
    }


def _floors(text: str) -> dict:
    floors = {}
    for part in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _, value = part.partition("=")
        floors[name.strip()] = float(value)
    return floors


def _below(result: dict, floors: dict) -> list:
    failures = []
    for name, floor in floors.items():
        if name.startswith("recall_"):
            value = result["recall_per_kind"].get(name[len("recall_"):])
        else:
            value = result.get(name)
        if value is None:
            failures.append(f"{name}: no such figure")
        elif value < floor:
            failures.append(f"{name} {value:.3f} < floor {floor:.3f}")
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--floor", default="", help="e.g. recall=0.9,keep=0.95,recall_name=0.8")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    result = evaluate(args.sets)
    print(f"{', '.join(result['sets'])}: {result['messages']} messages, "
          f"{result['identifiers']} identifiers")
    for kind, recall in result["recall_per_kind"].items():
        print(f"  recall {kind:10} {recall:6.1%}  ({result['identifiers_per_kind'][kind]})")
    print(f"  recall {'overall':10} {result['recall']:6.1%}")
    print(f"  keep rate         {result['keep']:6.1%}  ({result['keep_words']} words)")
    print(f"  ms/message        {result['ms_per_message']:6.2f}  (CPU; max {result['ms_per_message_max']:.1f})")
    if args.errors:
        for miss in result["missed"]:
            print(f"MISSED {miss['kind']:8} {miss['identifier']!r}: {miss['redacted']}")
        for loss in result["lost"]:
            print(f"LOST   {loss['keep']!r}: {loss['redacted']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        summary = {key: value for key, value in result.items() if key not in ("missed", "lost")}
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    failures = _below(result, _floors(args.floor))
    for failure in failures:
        print(f"BELOW FLOOR: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
