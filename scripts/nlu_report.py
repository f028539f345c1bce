"""Writes the measured part of docs/nlu.md from the result files.

  python scripts/nlu_report.py results/cv results/blind.json tests/nlu/dev10/run7_figures.json

- results/cv: `rasa test nlu --cross-validation --folds 5` on bot/data/nlu (make nlu-report);
- results/blind.json: scripts/evaluate_sets.py on tests/nlu/blind (make test-blind);
- tests/nlu/dev10/run7_figures.json: the same on the second blind sets (now dev10), as their
  last blind run (run 7) left them, for comparison.
The text between the markers in docs/nlu.md is replaced; the rest is written by hand.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "nlu.md"
START, END = "<!-- generated: start -->", "<!-- generated: end -->"
ROLES = ("role_family", "role_professional", "role_individual", "role_unclear")


def pct(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def sets_table(blind: dict[str, Any], dev: dict[str, Any]) -> list[str]:
    def row(name: str, pick) -> str:
        return f"| {name} | {pick(blind)} | {pick(dev)} |"

    def recall(figures, kind):
        return pct((figures.get("danger_recall") or {}).get(kind))

    def right(figures, kind):
        return pct((figures.get("danger_right_number") or {}).get(kind))

    return [
        "| figure | blind sets (`tests/nlu/blind`, third generation) | second blind sets, run 7 (now `dev10`) |",
        "|---|--:|--:|",
        row("role accuracy (first messages)", lambda f: pct(f.get("role_accuracy"))),
        row("  Dutch / English", lambda f: " / ".join(
            pct((f.get("role_accuracy_by_language") or {}).get(lang)) for lang in ("nl", "en"))),
        row("professional routing (service that fits)", lambda f: pct(f.get("professional_routing"))),
        row("danger recall: suicide", lambda f: recall(f, "suicide")),
        row("danger recall: harm to others", lambda f: recall(f, "harm_others")),
        row("right number: suicide (113) / harm (112)", lambda f: right(f, "suicide") + " / " + right(f, "harm_others")),
        row("two-turn conversations, danger in turn two", lambda f: pct(f.get("two_turn_conversations"))),
        row("false alarms on ordinary messages", lambda f: pct(f.get("false_positive_rate"))),
        row("  of which on hard ones", lambda f: pct(f.get("false_positive_rate_hard"))),
        row("questions answered", lambda f: pct(f.get("questions_answered"))),
        row("messages", lambda f: " + ".join(str(f.get(key, 0)) for key in (
            "role_messages", "ordinary_messages", "question_messages")) + " + danger " + str(
            sum((f.get("danger_messages") or {}).values()))),
    ]


def breakdown(blind: dict[str, Any]) -> list[str]:
    lines = ["Danger recall on the blind set by kind, signal and language:", "",
             "| kind / signal / language | recall |", "|---|--:|"]
    for key, value in sorted((blind.get("danger_recall_by_signal") or {}).items()):
        lines.append(f"| {key} | {pct(value)} |")
    lines += ["", "Questions on the blind set by topic:", "", "| topic | answered |", "|---|--:|"]
    for key, value in sorted((blind.get("questions_by_topic") or {}).items()):
        lines.append(f"| {key} | {pct(value)} |")
    confusion = blind.get("role_confusion") or {}
    if confusion:
        columns = ["family", "professional", "individual", "none", "danger"]
        lines += ["", "Roles on the blind set (rows: the writer's label; columns: what the "
                  "assistant took):", "", "| | " + " | ".join(columns) + " |",
                  "|---|" + "--:|" * len(columns)]
        for gold in ("family", "professional", "individual", "none"):
            cells = [str((confusion.get(gold) or {}).get(col, 0)) for col in columns]
            lines.append(f"| {gold} | " + " | ".join(cells) + " |")
    return lines


def cross_validation(cv_dir: Path) -> list[str]:
    report = json.loads((cv_dir / "intent_report.json").read_text(encoding="utf-8"))
    errors = json.loads((cv_dir / "intent_errors.json").read_text(encoding="utf-8"))
    lines = [f"5-fold cross-validation on `bot/data/nlu` (all components, the danger screen "
             f"and role cues included): intent accuracy **{pct(report['accuracy'])}**, "
             f"weighted F1 {pct(report['weighted avg']['f1-score'])}.", "",
             "| intent | precision | recall | F1 | examples | most confused with |",
             "|---|--:|--:|--:|--:|---|"]
    for name in sorted(k for k, v in report.items() if isinstance(v, dict) and "precision" in v
                       and k not in ("micro avg", "macro avg", "weighted avg")):
        values = report[name]
        confused = ", ".join(f"{k} ({v})" for k, v in list(
            (values.get("confused_with") or {}).items())[:2])
        lines.append(f"| {name} | {pct(values['precision'])} | {pct(values['recall'])} | "
                     f"{pct(values['f1-score'])} | {values['support']} | {confused} |")
    pairs = Counter((e["intent"], (e.get("intent_prediction") or {}).get("name"))
                    for e in errors if e["intent"] in ROLES)
    lines += ["", "Confusion between the roles in cross-validation (gold → predicted, errors only):",
              "", "| gold | → family | → professional | → individual | → unclear |",
              "|---|--:|--:|--:|--:|"]
    for gold in ROLES:
        lines.append(f"| {gold} | " + " | ".join(str(pairs.get((gold, other), 0)) if other != gold
                                                  else "–" for other in ROLES) + " |")
    return lines


def main() -> int:
    cv_dir, blind_path, dev_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    blind = json.loads(blind_path.read_text(encoding="utf-8")) if blind_path.exists() else {}
    dev = json.loads(dev_path.read_text(encoding="utf-8")) if dev_path.exists() else {}
    body = [START, f"_Generated by `make nlu-report` on "
            f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC._", ""]
    body += sets_table(blind, dev) + [""] + breakdown(blind) + [""]
    if (cv_dir / "intent_report.json").exists():
        body += cross_validation(cv_dir)
    body.append(END)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# NLU\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(before + "\n".join(body) + after, encoding="utf-8")
    print(f"{DOC} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
