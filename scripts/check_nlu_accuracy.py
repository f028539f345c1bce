"""Fails when the intent accuracy on the held-out NLU test set is below the floor."""
import json
import sys


def main() -> int:
    report_path, floor = sys.argv[1], float(sys.argv[2])
    with open(report_path, encoding="utf-8") as handle:
        report = json.load(handle)
    accuracy = report["accuracy"]
    weak = sorted(
        (values["f1-score"], name)
        for name, values in report.items()
        if isinstance(values, dict) and "f1-score" in values and name not in
        ("micro avg", "macro avg", "weighted avg") and values["f1-score"] < 0.8
    )
    print(f"Held-out NLU intent accuracy: {accuracy:.3f} (floor {floor:.2f})")
    for score, name in weak:
        print(f"  weak intent: {name} f1={score:.2f}")
    if accuracy < floor:
        print("FAILED: accuracy below the floor", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
