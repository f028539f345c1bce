"""Does the assistant still understand a message after redaction?

    python scripts/redaction_understanding.py MODEL SET [--json OUT]

For every message of a redaction set (tests/privacy: `messages: [{text, role, ...}]`) the
trained model parses the text twice: as the visitor wrote it, and as the channels pass it on
after `redact()`. Prints the role accuracy both ways (the writer's `role` label against the role
the assistant takes, as scripts/evaluate_sets.py counts it; `unclear` means no role) and the
share of messages whose intent is the same both ways. Aggregates only: never prints a message.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from evaluate_sets import assistant_role, intent_of  # noqa: E402

from bot.lse.redaction import redact  # noqa: E402

ROLE_OF_LABEL = {"family": "family", "professional": "professional",
                 "individual": "individual", "unclear": "none"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("set", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    import structlog
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    agent = Agent.load(args.model)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    messages = yaml.safe_load(args.set.read_text(encoding="utf-8"))["messages"]
    right_raw = right_redacted = same_intent = 0
    for item in messages:
        want = ROLE_OF_LABEL.get(item.get("role", "unclear"), "none")
        raw = loop.run_until_complete(agent.parse_message(item["text"]))
        redacted_text = redact(item["text"])
        redacted = loop.run_until_complete(agent.parse_message(redacted_text))
        right_raw += assistant_role(intent_of(raw), item["text"]) == want
        right_redacted += assistant_role(intent_of(redacted), redacted_text) == want
        same_intent += intent_of(raw) == intent_of(redacted)
    total = len(messages)
    figures = {"set": str(args.set), "messages": total,
               "role_accuracy_original": right_raw / total,
               "role_accuracy_redacted": right_redacted / total,
               "same_intent": same_intent / total}
    print(f"{args.set}: {total} messages")
    print(f"  role right on the original text  {figures['role_accuracy_original']:6.1%}")
    print(f"  role right on the redacted text  {figures['role_accuracy_redacted']:6.1%}")
    print(f"  same intent both ways            {figures['same_intent']:6.1%}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
