"""Token buckets: how many messages one conversation and one address may send.

Used by the channels (bot/channels.py) for one replica: a visitor who sends more than the
bucket allows gets a friendly "wait a moment and send it again" (texts.yml
`input_rate_limited`) instead of an answer, and the message does not reach the NLU. In the
cluster, nginx limits requests per address in front of this (cluster/launcher.py).

A bucket holds up to `capacity` tokens and gains `rate` tokens a second; a message takes
one. Buckets that are full again are forgotten, so memory stays bounded by the number of
keys active in the last capacity/rate seconds (and by `max_keys`).

Plain Python, no Rasa.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# One conversation: 10 messages at once, then one every 3 seconds (20 a minute). A person
# typing, or clicking buttons quickly, stays far below this.
PER_SENDER = (10, 1 / 3)
# One client address (many visitors can share one: a school, an office, a mobile
# carrier's NAT): 100 messages at once, then 5 a second (300 a minute).
PER_ADDRESS = (100, 5.0)
# New socket.io connections from one address: 20 at once, then one every 3 seconds.
CONNECTIONS_PER_ADDRESS = (20, 1 / 3)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, capacity: float, rate: float, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1 or rate <= 0:
            raise ValueError("capacity must be at least 1 and rate positive")
        self.capacity = float(capacity)
        self.rate = float(rate)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._last_sweep = clock()

    def allow(self, key: str, cost: float = 1.0) -> bool:
        """Takes `cost` tokens from the bucket of `key`; False (and nothing taken) when
        there are not enough."""
        now = self.clock()
        self._sweep(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                return False  # under a flood of new keys: refuse rather than grow
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return True
        return False

    def retry_after(self, key: str, cost: float = 1.0) -> float:
        """Seconds until `key` may send again (0 when it may now)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        tokens = min(self.capacity, bucket.tokens + (self.clock() - bucket.updated) * self.rate)
        return max(0.0, (cost - tokens) / self.rate)

    def __len__(self) -> int:
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        # Forget buckets that are full again; at most once per refill time.
        if now - self._last_sweep < self.capacity / self.rate and len(self._buckets) < self.max_keys:
            return
        self._last_sweep = now
        full = [key for key, bucket in self._buckets.items()
                if bucket.tokens + (now - bucket.updated) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]


class ChannelLimits:
    """The limits of one channel: per conversation and per client address."""

    def __init__(self, per_sender: tuple[float, float] = PER_SENDER,
                 per_address: tuple[float, float] = PER_ADDRESS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.senders = RateLimiter(*per_sender, clock=clock)
        self.addresses = RateLimiter(*per_address, clock=clock)

    def allow(self, sender: str, address: str | None) -> bool:
        """One message of `sender` from `address`. The address is charged first, so a
        script that rotates sender ids is still limited by its address."""
        if address and not self.addresses.allow(address):
            return False
        return self.senders.allow(sender)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> ChannelLimits:
        """The default limits; none with LSE_RATE_LIMITS=off (only for the benchmarks and
        the soak, which measure the assistant itself from one address)."""
        env = os.environ if env is None else env
        if env.get("LSE_RATE_LIMITS", "").strip().lower() == "off":
            return Unlimited()
        return cls()


class Unlimited(ChannelLimits):
    def __init__(self) -> None:
        pass

    def allow(self, sender: str, address: str | None) -> bool:
        return True
