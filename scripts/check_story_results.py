"""Fails when the test stories were not all evaluated and correct (guards against a run
that silently found no test stories)."""
import json
import sys


def main() -> int:
    report_path, minimum = sys.argv[1], int(sys.argv[2])
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
