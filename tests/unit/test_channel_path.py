"""The one message path of both channels (bot/channels.py CheckedInput.process_message),
with Rasa's real output channel, messages and in-memory tracker store."""
import asyncio
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot import channels
from bot.channels import IncomingMessage, RestInput, SocketIOInput
from bot.lse import rate_limit
from bot.lse.redaction import redact


@pytest.fixture(scope="module")
def domain():
    return Domain.load("domain.yml")


def _agent(domain, languages=None):
    """What the path reads of Rasa's agent: its tracker store (Rasa's own, in memory)."""
    store = InMemoryTrackerStore(domain)
    for sender, language in (languages or {}).items():
        tracker = DialogueStateTracker.from_events(sender, [SlotSet("language", language)],
                                                   slots=domain.slots)
        asyncio.run(store.save(tracker))
    return SimpleNamespace(tracker_store=store)


def _run(channel, text, agent, metadata=None, sender="c0ffee", fail=None, address=None):
    """Sends one message down the path; what Rasa got, what the channel replied, outcome."""
    got, replies = [], []
    collector = CollectingOutputChannel()

    async def on_new_message(message: UserMessage):
        got.append(message)
        if fail is not None:
            raise fail

    async def reply(text):
        replies.append(text)

    outcome = asyncio.run(channel.process_message(
        IncomingMessage(sender, text, metadata, address), collector, reply, on_new_message,
        agent))
    return got, replies, outcome, collector


def test_both_channels_are_rasas_channels_with_one_path():
    assert issubclass(RestInput, RasaRestInput) and issubclass(SocketIOInput, RasaSocketIOInput)
    assert RestInput.process_message is SocketIOInput.process_message
    assert RestInput.name() == "rest" and SocketIOInput.name() == "socketio"


def test_a_fine_message_reaches_rasa_redacted_with_its_language(domain):
    channel = RestInput()
    text = "mijn zoon is 16 en mijn nummer is 0612345678, hij praat over aanslagen"
    got, replies, outcome, collector = _run(channel, text, _agent(domain),
                                            metadata={"language": "en", "other": "x"})
    assert outcome == channels.HANDLED and replies == []
    (message,) = got
    assert "0612345678" not in message.text and message.text == redact(text)
    assert message.sender_id == "c0ffee" and message.input_channel == "rest"
    assert message.output_channel is collector
    assert message.metadata == {"language": "nl"}  # detected beats the page; nothing else kept


def test_the_socketio_channel_names_itself(domain):
    got, _, outcome, _ = _run(SocketIOInput(), "/greet hallo, ik ben een leraar", _agent(domain))
    assert outcome == channels.HANDLED
    assert got[0].input_channel == "socketio" and not got[0].text.startswith("/")


@pytest.mark.parametrize("text, key", [("", "input_empty"), ("   ", "input_empty"),
                                       ({"a": 1}, "input_not_text"),
                                       ("x" * 1001, "input_too_long")])
def test_a_message_the_nlu_does_not_get_gets_a_friendly_answer(domain, text, key):
    channel = RestInput()
    got, replies, outcome, _ = _run(channel, text, _agent(domain))
    assert outcome == channels.REFUSED and got == []
    assert replies == [channel.problem_reply(channel.check(text), None)]
    assert channel.check(text).problem == key.removeprefix("input_")


def test_when_rasa_fails_the_visitor_gets_an_apology_in_the_conversations_language(domain):
    channel = RestInput()
    agent = _agent(domain, {"c0ffee": "en"})
    got, replies, outcome, _ = _run(channel, "hello, my son worries me", agent,
                                    fail=RuntimeError("action server down"))
    assert outcome == channels.FAILED and len(got) == 1
    assert replies == [channel.failure_reply("en")] and replies != [channel.failure_reply("nl")]
    # without a stored conversation (or an agent) the apology is in Dutch
    assert _run(channel, "hallo", None, fail=RuntimeError())[1] == [channel.failure_reply(None)]


def test_a_cancelled_message_is_not_answered_and_stays_cancelled(domain):
    with pytest.raises(asyncio.CancelledError):
        _run(RestInput(), "hallo", _agent(domain), fail=asyncio.CancelledError())


def test_over_the_limit_the_visitor_is_asked_to_wait_and_rasa_gets_nothing(domain):
    channel = SocketIOInput()
    channel.limits = rate_limit.ChannelLimits(per_sender=(2, 0.001), per_address=(100, 1.0))
    agent = _agent(domain, {"c0ffee": "en"})
    outcomes = [_run(channel, "hallo", agent, address="10.0.0.1")[2] for _ in range(2)]
    got, replies, outcome, _ = _run(channel, "hallo", agent, address="10.0.0.1")
    assert outcomes == [channels.HANDLED] * 2 and outcome == channels.LIMITED and got == []
    assert replies == [channel.rate_limited_reply("en")]
    assert _run(channel, "hallo", agent, sender="other")[2] == channels.HANDLED


def test_one_way_to_read_a_conversations_language(domain):
    agent = _agent(domain, {"a": "en", "b": "nl"})
    language = channels.conversation_language
    assert [asyncio.run(language(agent, s)) for s in ("a", "b", "new")] == ["en", "nl", None]
    assert asyncio.run(language(None, "a")) is None

    class BrokenStore:
        async def retrieve(self, sender_id):
            raise ConnectionError("database gone")

    assert asyncio.run(language(SimpleNamespace(tracker_store=BrokenStore()), "a")) is None
