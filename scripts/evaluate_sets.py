"""Measures the trained assistant on labelled sets (tests/nlu/blind or tests/nlu/dev).

Runs the model's whole NLU (classifier, fallbacks and the danger screen) in process on every
message and compares with the labels the writers gave:
- role: the role the assistant takes from the message (the role_* intents, and the service
  intents that only a professional or a family asks about), or none, against the writer's;
  after a harm alarm the role whose services follow the crisis text (bot/lse/crisis.py),
  else "danger". `role_accuracy_without_crisis_text` is the stricter figure: the right
  role and no crisis text at all;
- professional routing: for professionals whose message asks for a service, the service
  intent, against the writer's service;
- danger: whether the message gets a crisis text (recall per kind), and the right one
  (113 for suicide, 112 for harm to others); the false-positive rate on ordinary messages;
  two-turn conversations: no crisis text on turn one, a crisis text on turn two;
- questions: whether the intent leads to the answer for the topic.

  python scripts/evaluate_sets.py MODEL SET_DIR [--floors role=0.95,...] [--json FILE]
  [--errors]  (prints every error; never use it on the blind sets while tuning)

Exit status 1 when a figure is below its floor.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

ROLE_OF_INTENT = {
    "role_family": "family",
    "role_professional": "professional",
    "role_individual": "individual",
}


def assistant_role(intent: str, text: str) -> str:
    """The role the assistant takes from a first message: the role intents (slot mappings
    in domain.yml), and after a service question what action_offer_more remembers."""
    from bot.lse import role_cues, triage

    if intent in ROLE_OF_INTENT:
        return ROLE_OF_INTENT[intent]
    role = triage.role_from_intent(intent, None, role_cues.decide_role(role_cues.cues(text)))
    return role or "none"


# The professional text (utter_explain_professional_services) explains Consultatie first:
# a short case question answered with it is routed right.
ROUTED_BY = {"consultatie": {"service_consultatie", "role_professional"}}
DANGER_INTENT = {"danger_suicide": "suicide", "danger_acute": "harm_others"}
# Which intents give an answer to a question of this topic (what their texts say):
SERVICES = {"service_familieondersteuning", "service_behandeling", "service_forsa",
            "service_consultatie", "service_trajectadvisering", "service_liv", "service_lat",
            "service_duiding", "service_training", "service_kennis"}
TOPIC_INTENTS = {
    # action_offer_contact gives the weekly hours, whether the line is open now, and contact
    "hours": {"ask_opening_hours", "ask_contact"},
    "contact": {"ask_contact", "ask_opening_hours"},
    "costs": {"ask_costs"},
    # the privacy text: what the chat stores, no name needed; phone anonymity unknown.
    # The sharing text: whether anyone hears of the contact is unknown, ask first.
    "anonymity": {"ask_privacy", "ask_information_sharing"},
    "sharing": {"ask_information_sharing", "ask_privacy"},
    "practical": {"ask_practical"},
    # "zijn jullie van de politie" gets the honest sharing answer (content review M4);
    # "wat is forsa" the Forsa text.
    "what_lse": {"ask_what_is_lse", "list_services", "ask_information_sharing"} | SERVICES,
    # "helpen jullie ook families" / "mijn zoon ... helpen": the services for that situation.
    "what_help": {"list_services", "ask_what_is_lse", "role_family", "role_professional",
                  "role_individual"} | SERVICES,
}


def load(set_dir: Path, name: str) -> dict[str, Any] | None:
    paths = sorted(set_dir.glob(f"{name}*.yml"))
    if not paths:
        return None
    merged: dict[str, list[Any]] = defaultdict(list)
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            merged[key].extend(value or [])
    return merged


class Parser:
    def __init__(self, model: str) -> None:
        from rasa.core.agent import Agent

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.agent = Agent.load(model)
        import structlog  # Rasa logs each parsed text at debug level: keep it quiet here

        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        self.times: list[float] = []

    def parse(self, text: str) -> dict[str, Any]:
        from bot.lse.redaction import redact

        start = time.perf_counter()
        result = self.loop.run_until_complete(self.agent.parse_message(redact(text)))
        self.times.append(time.perf_counter() - start)
        return result


def crisis_role(intent: str, result: dict[str, Any]) -> str | None:
    """The role whose services follow the crisis text of a danger intent (or None)."""
    from bot.lse import crisis

    danger = result.get("danger") or {}
    kind = crisis.crisis_kind(DANGER_INTENT[intent], danger)
    return crisis.role_after_crisis(kind, danger, result.get("intent_ranking"), result.get("text") or "")


def intent_of(result: dict[str, Any]) -> str:
    return (result.get("intent") or {}).get("name") or "nlu_fallback"


def ratio(good: int, total: int) -> float:
    return good / total if total else float("nan")


def evaluate(parser: Parser, set_dir: Path, show_errors: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    errors: list[tuple[str, str, str]] = []

    roles = load(set_dir, "roles")
    if roles:
        confusion: dict[str, Counter] = defaultdict(Counter)
        routed = routed_total = 0
        by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        with_crisis = 0  # role messages that got a crisis text first
        alone = 0  # ... and nothing for the role after it
        strict_good = 0  # right role without any crisis text
        for item in roles["messages"]:
            result = parser.parse(item["text"])
            intent = intent_of(result)
            predicted = assistant_role(intent, item["text"])
            gold = item["role"]
            if intent in DANGER_INTENT:
                # The crisis text first; after a harm alarm the services of the role the
                # message shows follow (bot/lse/crisis.py, as action_warn_danger does).
                predicted = crisis_role(intent, result) or "danger"
                with_crisis += 1
                alone += predicted == "danger"
            else:
                strict_good += predicted == gold
            confusion[gold][predicted] += 1
            by_lang[item.get("lang", "nl")][0] += predicted == gold
            by_lang[item.get("lang", "nl")][1] += 1
            if predicted != gold:
                errors.append(("role", f"{gold} -> {predicted} ({intent})", item["text"]))
            if gold == "professional" and item.get("service") not in (None, "none"):
                routed_total += 1
                if intent in ROUTED_BY.get(item["service"], {f"service_{item['service']}"}):
                    routed += 1
                else:
                    errors.append(("service", f"{item['service']} -> {intent}", item["text"]))
        total = sum(sum(row.values()) for row in confusion.values())
        good = sum(confusion[role][role] for role in confusion)
        figures["role_accuracy"] = ratio(good, total)
        # The stricter figure: the right role and no crisis text before it.
        figures["role_accuracy_without_crisis_text"] = ratio(strict_good, total)
        figures["role_messages_with_crisis_text"] = with_crisis
        figures["role_messages_with_crisis_text_alone"] = alone
        figures["role_messages"] = total
        figures["role_accuracy_by_language"] = {k: ratio(*v) for k, v in by_lang.items()}
        figures["role_recall"] = {role: ratio(confusion[role][role], sum(confusion[role].values()))
                                  for role in sorted(confusion)}
        figures["role_confusion"] = {role: dict(confusion[role]) for role in sorted(confusion)}
        figures["professional_routing"] = ratio(routed, routed_total)
        figures["professional_routed_messages"] = routed_total

    danger = load(set_dir, "danger")
    if danger:
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # detected, right kind, all
        by_signal: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for item in danger["messages"]:
            intent = intent_of(parser.parse(item["text"]))
            kind = item["kind"]
            detected = intent in DANGER_INTENT
            found[kind][0] += detected
            found[kind][1] += DANGER_INTENT.get(intent) == kind
            found[kind][2] += 1
            key = f"{kind}/{item.get('signal', '?')}/{item.get('lang', 'nl')}"
            by_signal[key][0] += detected
            by_signal[key][1] += 1
            if not detected:
                errors.append(("danger missed", kind, item["text"]))
        figures["danger_recall"] = {k: ratio(v[0], v[2]) for k, v in sorted(found.items())}
        figures["danger_right_number"] = {k: ratio(v[1], v[2]) for k, v in sorted(found.items())}
        figures["danger_messages"] = {k: v[2] for k, v in sorted(found.items())}
        figures["danger_recall_by_signal"] = {k: ratio(*v) for k, v in sorted(by_signal.items())}
        conversations = danger.get("conversations") or []
        good = 0
        for item in conversations:
            # No crisis text on the ordinary first turn; one on a later turn (the danger
            # comes in turn two, or in turn three of the longer ones).
            first, later = item["turns"][0], item["turns"][1:]
            ok = (intent_of(parser.parse(first)) not in DANGER_INTENT
                  and any(intent_of(parser.parse(turn)) in DANGER_INTENT for turn in later))
            good += ok
            if not ok:
                errors.append(("conversation", item["kind"], " || ".join(item["turns"])))
        if conversations:
            figures["two_turn_conversations"] = ratio(good, len(conversations))
            figures["two_turn_conversation_count"] = len(conversations)

    ordinary = load(set_dir, "ordinary")
    if ordinary:
        alarms = hard_alarms = hard = 0
        for item in ordinary["messages"]:
            intent = intent_of(parser.parse(item["text"]))
            alarm = intent in DANGER_INTENT
            alarms += alarm
            hard += bool(item.get("hard"))
            hard_alarms += alarm and bool(item.get("hard"))
            if alarm:
                errors.append(("false alarm", intent, item["text"]))
        figures["false_positive_rate"] = ratio(alarms, len(ordinary["messages"]))
        figures["false_positive_rate_hard"] = ratio(hard_alarms, hard)
        figures["ordinary_messages"] = len(ordinary["messages"])

    questions = load(set_dir, "questions")
    if questions:
        per_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for item in questions["messages"]:
            intent = intent_of(parser.parse(item["text"]))
            ok = intent in TOPIC_INTENTS[item["topic"]]
            per_topic[item["topic"]][0] += ok
            per_topic[item["topic"]][1] += 1
            if not ok:
                errors.append(("question", f"{item['topic']} -> {intent}", item["text"]))
        figures["questions_answered"] = ratio(sum(v[0] for v in per_topic.values()),
                                              sum(v[1] for v in per_topic.values()))
        figures["questions_by_topic"] = {k: ratio(*v) for k, v in sorted(per_topic.items())}
        figures["question_messages"] = sum(v[1] for v in per_topic.values())

    times = sorted(parser.times)
    if times:
        figures["nlu_ms_median"] = 1000 * times[len(times) // 2]
        figures["nlu_ms_p95"] = 1000 * times[int(len(times) * 0.95)]
    if show_errors:
        for kind, detail, text in errors:
            print(f"ERROR {kind}: {detail}: {text}")
    return figures


def check_floors(figures: dict[str, Any], floors: dict[str, float]) -> list[str]:
    failed = []
    for name, floor in floors.items():
        if name == "false_positive_rate":
            value = figures.get(name)
            if value is None or value > floor:
                failed.append(f"{name} {value} above the ceiling {floor}")
            continue
        if name.startswith("danger_recall_"):
            value = figures.get("danger_recall", {}).get(name[len("danger_recall_"):])
        else:
            value = figures.get(name)
        if value is None or value < floor:
            failed.append(f"{name} {value} below the floor {floor}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("set_dir")
    parser.add_argument("--floors", default="", help="name=value,... (false_positive_rate is a ceiling)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--errors", action="store_true", help="print every error")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    figures = evaluate(Parser(args.model), Path(args.set_dir), args.errors)
    print(json.dumps(figures, indent=1, sort_keys=True))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    floors = {}
    for part in filter(None, args.floors.split(",")):
        name, value = part.split("=")
        floors[name.strip()] = float(value)
    failed = check_floors(figures, floors)
    for line in failed:
        print("FAILED:", line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
