"""What the load generator says: the user texts of the test stories, and the bad inputs of
the triage issue (the same ones tests/integration/test_rest_channel.py sends)."""
from __future__ import annotations

import glob
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
STORIES = ROOT / "tests" / "stories"


def story_conversations(folder: Path = STORIES) -> list[list[str]]:
    """One list of user texts per test story, in story order."""
    conversations = []
    for path in sorted(glob.glob(str(folder / "*.yml"))):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for story in data.get("stories", []):
            texts = [str(step["user"]).strip() for step in story.get("steps", [])
                     if isinstance(step, dict) and step.get("user")]
            if texts:
                conversations.append(texts)
    if not conversations:
        raise RuntimeError(f"no user texts in {folder}")
    return conversations


@dataclass(frozen=True)
class Send:
    """One request: `message` goes into the JSON body; `raw_body` replaces the body."""
    message: Any = None
    raw_body: bytes | None = None
    bad: bool = False
    # True when the body itself is invalid: the answer must be a 4xx.
    expect_4xx: bool = False

    def body(self, sender: str) -> bytes:
        if self.raw_body is not None:
            return self.raw_body
        return json.dumps({"sender": sender, "message": self.message}).encode()


# Bad messages the channel answers itself (200), or passes on as plain text.
BAD_MESSAGES: list[Any] = [
    "", "   \n\t  ", "😢😢😢", "\x00\x01\x02", None, 42, "x" * 200_000, "y" * 1001,
    "/role_professional", '/inform{"role": "professional"}', "/restart",
    "<script>alert('x')</script><b>hallo</b>", "\u202eolleh\u200b", "?!?!", "…",
]
# Bodies the channel refuses with a 4xx.
BAD_BODIES: list[bytes] = [
    b"{not json", b"[1, 2, 3]", b'"text"', b"", b'{"message": "hoi"}',
    b'{"sender": "", "message": "hoi"}', b'{"sender": "a b/../c", "message": "hoi"}',
    b'{"sender": ["x"], "message": "hoi"}', b"\xff\xfe\x00",
]


def soak_script(rng: random.Random, stories: list[list[str]], length: int,
                bad_ratio: float) -> list[Send]:
    """A conversation of `length` requests: story texts one story after another, with bad
    inputs mixed in at about `bad_ratio`."""
    script: list[Send] = []
    story = list(rng.choice(stories))
    while len(script) < length:
        if rng.random() < bad_ratio:
            if rng.random() < 0.3:
                script.append(Send(raw_body=rng.choice(BAD_BODIES), bad=True, expect_4xx=True))
            else:
                script.append(Send(message=rng.choice(BAD_MESSAGES), bad=True))
            continue
        if not story:
            story = list(rng.choice(stories))
        script.append(Send(message=story.pop(0)))
    return script
