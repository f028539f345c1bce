"""H1 through the trained model: what the channels pass on (check_message, then redact)
never reaches Rasa's '/intent{...}' shorthand (RegexMessageHandler), whatever the prefix.

In process: the NLU graph of the real model, without servers (LSE_MODEL, default
models/current.tar.gz; loading takes about 15 s, once for this module)."""
import asyncio
import itertools
import os
from pathlib import Path

import pytest

from bot.lse.message_checks import check_message
from bot.lse.redaction import redact

ROOT = Path(__file__).resolve().parents[2]

PREFIXES = ["/ /", "// /", "/\u00a0/", "/\u3000/", "/\t/", "/\n/", "/ / /", "\u200b/",
            "\u200d/", "\uff0f", "\u2215", "\u2044", "\u29f8", "/\u034f/", "\u3164/", "\u2800/",
            " \u00a0/\u3000\uff0f", "/\u0338", "\ufeff/"]
SHORTHANDS = ['greet{"language": "' + "x" * 40 + '"}', "danger_suicide@1.0",
              'inform{"role": "professional"}', "restart", "greet"]


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent
    model = os.environ.get("LSE_MODEL") or str(ROOT / "models" / "current.tar.gz")
    if not Path(model).exists():
        pytest.fail(f"no trained model at {model}: run 'make train' first")
    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()


@pytest.mark.parametrize("prefix, shorthand", list(itertools.product(PREFIXES, SHORTHANDS)))
def test_typed_shorthand_is_plain_text_to_the_model(parse, prefix, shorthand):
    checked = check_message(prefix + shorthand, 1000)
    assert checked.ok
    parsed = parse(redact(checked.text))
    assert not parsed["text"].strip().startswith("/")
    assert all(entity.get("extractor") != "RegexMessageHandler" for entity in parsed["entities"])
    typed_intent = shorthand.split("{")[0].split("@")[0]
    # The shorthand's mark: the typed intent at confidence 1.0. (The assistant's own
    # "no known word" rule may give nlu_fallback at 1.0: that is not the shorthand.)
    assert not (parsed["intent"]["name"] == typed_intent
                and parsed["intent"].get("confidence") == 1.0), parsed["intent"]
    assert not any(entity["entity"] == "language" and entity["value"] not in ("nl", "en")
                   for entity in parsed["entities"])


def test_the_check_is_what_stops_it(parse):
    """Without check_message the model does take the shorthand (so the test above means
    something): '/greet' is greet at confidence 1.0 from the RegexMessageHandler."""
    parsed = parse('/greet{"language": "' + "x" * 40 + '"}')
    assert parsed["intent"]["name"] == "greet" and parsed["intent"]["confidence"] == 1.0


def test_a_redacted_message_is_still_understood(parse):
    parsed = parse(redact(check_message("mijn zoon Mohammed el Amrani kijkt IS-filmpjes", 1000).text))
    assert parsed["text"] == "mijn zoon [naam] kijkt IS-filmpjes"
    assert parsed["intent"]["name"] not in ("nlu_fallback", "out_of_scope")
