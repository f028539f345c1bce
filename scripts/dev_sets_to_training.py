"""Turns the development sets (tests/nlu/dev*) into training data.

The development sets were written by independent writers who never saw the training data;
their errors were read while tuning, so they no longer measure anything. As training data
they add what the writers of bot/data did not think of. This writes:

- bot/data/nlu/from_dev_sets.yml: role, service, danger and question messages with the
  intent their label stands for (the redaction runs over them first, as it runs over every
  visitor message before the NLU);
- bot/data/danger_screen/ordinary.yml: the messages without danger (the ordinary sets and
  the first turns of the two-turn conversations), which the danger screen's model learns as
  "no danger" (they have no intent of their own, so they cannot be Rasa training data).

A text already in the training data, or given two different labels, is left out. Run
again after a development set changes:  python scripts/dev_sets_to_training.py
(`--check`: exit 1 when the files are not what the sets give; `make validate` runs it).
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.lse.redaction import redact  # noqa: E402

# Every development set: tests/nlu/dev, dev2, dev3 ..., each from its own writer.
DEV_SETS = tuple(sorted((path.name for path in (ROOT / "tests/nlu").glob("dev*") if path.is_dir()),
                        key=lambda name: int(name[3:] or 1)))
OUT_NLU = ROOT / "bot/data/nlu/from_dev_sets.yml"
OUT_NEGATIVES = ROOT / "bot/data/danger_screen/ordinary.yml"
DANGER_INTENT = {"suicide": "danger_suicide", "harm_others": "danger_acute"}
ROLE_INTENT = {"family": "role_family", "professional": "role_professional",
               "individual": "role_individual"}
TOPIC_INTENT = {"hours": "ask_opening_hours", "contact": "ask_contact", "costs": "ask_costs",
                "anonymity": "ask_privacy", "sharing": "ask_information_sharing",
                "practical": "ask_practical", "what_lse": "ask_what_is_lse",
                "what_help": "list_services"}
# Rasa reads "[text](entity)" and "[text]{...}" in an example as an entity annotation.
_ENTITY_SYNTAX = re.compile(r"\[[^\]]*\]\s*[({]")


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _messages(set_dir: Path, prefix: str) -> list[dict]:
    items: list[dict] = []
    for path in sorted(set_dir.glob(f"{prefix}*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items.extend(data.get("messages") or [])
        if prefix == "danger":
            items.extend({"conversation": turns} for turns in data.get("conversations") or [])
    return items


def _existing_examples() -> set[str]:
    seen: set[str] = set()
    for path in sorted((ROOT / "bot/data/nlu").glob("*.yml")):
        if path == OUT_NLU:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    seen.add(_key(line[2:]))
    return seen


def collect() -> tuple[dict[str, list[str]], list[str]]:
    labelled: dict[str, set[str]] = defaultdict(set)  # key -> intents
    text_of: dict[str, str] = {}
    negatives: dict[str, str] = {}

    def add(text: str, intent: str | None) -> None:
        clean = " ".join(redact(text).split())
        if not clean or _ENTITY_SYNTAX.search(clean):
            return
        key = _key(clean)
        if intent is None:
            negatives.setdefault(key, clean)
        else:
            labelled[key].add(intent)
            text_of.setdefault(key, clean)

    for name in DEV_SETS:
        set_dir = ROOT / "tests/nlu" / name
        for item in _messages(set_dir, "roles"):
            role = item.get("role")
            service = item.get("service") or "none"
            if role == "professional" and service != "none":
                add(item["text"], f"service_{service}")
            elif role in ROLE_INTENT:
                add(item["text"], ROLE_INTENT[role])
        for item in _messages(set_dir, "danger"):
            if "conversation" in item:
                turns = item["conversation"]["turns"]
                add(turns[0], None)
                add(turns[-1], DANGER_INTENT[item["conversation"]["kind"]])
            else:
                add(item["text"], DANGER_INTENT[item["kind"]])
        for item in _messages(set_dir, "ordinary"):
            add(item["text"], None)
        for item in _messages(set_dir, "questions"):
            add(item["text"], TOPIC_INTENT[item["topic"]])

    existing = _existing_examples()
    by_intent: dict[str, list[str]] = defaultdict(list)
    for key, intents in labelled.items():
        if len(intents) == 1 and key not in existing and key not in negatives:
            by_intent[next(iter(intents))].append(text_of[key])
    ordinary = [text for key, text in negatives.items() if key not in labelled]
    return dict(by_intent), ordinary


def render() -> dict[Path, str]:
    """The two files' content, from the development sets as they are now."""
    by_intent, ordinary = collect()
    header = ("# Generated by scripts/dev_sets_to_training.py from the development sets "
              + ", ".join(f"tests/nlu/{name}" for name in DEV_SETS)
              + "\n# (independent writers, 1-2 December 2026; redacted as visitor messages are). "
              "Do not edit by hand.\n")
    blocks = []
    for intent in sorted(by_intent):
        lines = "".join(f"    - {text}\n" for text in sorted(by_intent[intent]))
        blocks.append(f"- intent: {intent}\n  examples: |\n{lines}")
    return {
        OUT_NLU: 'version: "3.1"\n' + header + "nlu:\n" + "".join(blocks),
        OUT_NEGATIVES: header
        + "# Messages without danger: the danger screen's model learns them as 'no danger'.\n"
        + yaml.safe_dump({"danger_screen_negatives": sorted(ordinary)}, allow_unicode=True,
                         width=1000, sort_keys=False),
    }


def main() -> int:
    files = render()
    if "--check" in sys.argv[1:]:
        stale = [path for path, content in files.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != content]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is not what the development sets give: "
                  "run python scripts/dev_sets_to_training.py", file=sys.stderr)
        return 1 if stale else 0
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {content.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
