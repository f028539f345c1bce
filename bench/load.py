"""Asyncio load generator on aiohttp: virtual visitors play whole conversations over the
REST channel, each waiting for the answer (plus an optional think time) before the next
message. Every loop is bounded in time and in count."""
from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import numpy

from bench.conversations import Send

WEBHOOK = "/webhooks/rest/webhook"
REQUEST_TIMEOUT = 30.0


@dataclass
class Outcome:
    latency: float
    status: int  # 0: no HTTP answer (connection error, timeout)
    replies: list[dict[str, Any]] | None
    error: str | None = None


async def send(session: aiohttp.ClientSession, url: str, sender: str, what: Send) -> Outcome:
    started = time.perf_counter()
    try:
        async with session.post(url + WEBHOOK, data=what.body(sender),
                                headers={"Content-Type": "application/json"}) as answer:
            raw = await answer.read()
            latency = time.perf_counter() - started
            replies = None
            if answer.status == 200:
                try:
                    replies = json.loads(raw)
                except ValueError:
                    return Outcome(latency, answer.status, None, "answer is not JSON")
            return Outcome(latency, answer.status, replies)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return Outcome(time.perf_counter() - started, 0, None, type(error).__name__)


def sender_id(prefix: str, *numbers: int) -> str:
    """A sender id the channel accepts: numbers kept apart by letters, so that no run of
    digits looks like a phone or account number (the channel refuses ids that redaction
    would change)."""
    return prefix + "".join(f"{tag}{n}" for tag, n in zip("cvnmkq", numbers, strict=False))


def random_prefix(rng: random.Random, length: int = 8) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))


def percentile_ms(latencies: Sequence[float], q: float) -> float | None:
    if not latencies:
        return None
    return float(numpy.percentile(numpy.asarray(latencies) * 1000.0, q))


@dataclass
class LevelStats:
    concurrency: int
    think_ms: float
    seconds: float = 0.0
    messages: int = 0
    errors: int = 0
    server_errors: int = 0
    empty_replies: int = 0
    conversations: int = 0
    latencies: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome, expect_reply: bool = True) -> None:
        self.messages += 1
        self.latencies.append(outcome.latency)
        problem = None
        if outcome.status >= 500:
            self.server_errors += 1
            problem = f"HTTP {outcome.status}"
        elif outcome.status == 0 or outcome.error:
            problem = outcome.error or "no answer"
        elif outcome.status != 200:
            problem = f"HTTP {outcome.status}"
        elif expect_reply and not outcome.replies:
            self.empty_replies += 1
        if problem:
            self.errors += 1
            self.error_kinds[problem] = self.error_kinds.get(problem, 0) + 1

    def summary(self) -> dict[str, Any]:
        return {
            "concurrency": self.concurrency,
            "think_ms": self.think_ms,
            "seconds": round(self.seconds, 2),
            "messages": self.messages,
            "conversations": self.conversations,
            "messages_per_second": round(self.messages / self.seconds, 1) if self.seconds else None,
            "p50_ms": _round(percentile_ms(self.latencies, 50)),
            "p95_ms": _round(percentile_ms(self.latencies, 95)),
            "p99_ms": _round(percentile_ms(self.latencies, 99)),
            "max_ms": _round(percentile_ms(self.latencies, 100)),
            "errors": self.errors,
            "server_errors": self.server_errors,
            "empty_replies": self.empty_replies,
            "error_kinds": self.error_kinds,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def run_level(url: str, conversations: list[list[str]], concurrency: int, seconds: float,
                    *, max_messages: int = 200_000, think_ms: float = 0.0, seed: int = 2026,
                    prefix: str = "bench",
                    on_message: Callable[[int], None] | None = None) -> LevelStats:
    """`concurrency` visitors, each playing conversations one after another (a new sender
    id for each) for `seconds`; stops early at `max_messages`."""
    stats = LevelStats(concurrency, think_ms)
    rng = random.Random(seed)
    order = list(range(len(conversations)))
    rng.shuffle(order)
    next_conversation = itertools.cycle(order)
    counter = itertools.count()
    started = time.perf_counter()
    deadline = started + seconds

    async def visitor(number: int, session: aiohttp.ClientSession) -> None:
        local = random.Random(seed * 1000 + number)
        if think_ms:
            # Visitors arrive one by one, not all in the same millisecond.
            await asyncio.sleep(local.uniform(0.0, 1.0) * think_ms / 1000.0)
        while time.perf_counter() < deadline and stats.messages < max_messages:
            texts = conversations[next(next_conversation)]
            sender = sender_id(prefix, concurrency, number, next(counter))
            stats.conversations += 1
            for text in texts:
                if time.perf_counter() >= deadline or stats.messages >= max_messages:
                    return
                outcome = await send(session, url, sender, Send(message=text))
                stats.add(outcome)
                if on_message:
                    on_message(stats.messages)
                if think_ms:
                    await asyncio.sleep(local.uniform(0.5, 1.5) * think_ms / 1000.0)

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=concurrency + 4, force_close=False)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # Hard bound: the level ends at most one request timeout after its time is up.
        await asyncio.wait_for(
            asyncio.gather(*(visitor(number, session) for number in range(concurrency))),
            timeout=seconds + REQUEST_TIMEOUT + 5)
    stats.seconds = time.perf_counter() - started
    return stats
