"""Fails when the test stories were not all evaluated and correct (guards against a run
that silently skipped test stories): the floor is the number of stories in the folder."""
import json
import sys
from pathlib import Path

import yaml


def count_stories(folder: str) -> int:
    return sum(len((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories") or [])
               for path in sorted(Path(folder).glob("*.yml")))


def main() -> int:
    report_path = sys.argv[1]
    minimum = int(sys.argv[2]) if sys.argv[2].isdigit() else count_stories(sys.argv[2])
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
    conversations = report["conversation_accuracy"]
    print(f"Test stories: {conversations['correct']} of {conversations['total']} correct")
    if conversations["total"] < minimum:
        print(f"FAILED: expected at least {minimum} test stories", file=sys.stderr)
        return 1
    return 0 if conversations["correct"] == conversations["total"] else 1


if __name__ == "__main__":
    sys.exit(main())
