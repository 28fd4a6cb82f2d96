"""One admission point for every costly path: answers, the voice, the meaning field, previews.

Each asker has a token bucket (``rate_per_minute`` tokens a minute, at most ``rate_burst``
saved up); an answer costs one token, a meaning-field picture more. An asker who runs dry is
told to slow down once per ``notice_window_s``; what they send meanwhile is dropped without
a word, so a flood never turns into a flood of refusals. The runner's own bounds (queue,
questions in flight per asker, timeout) come after this, for everyone together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from cachetools import LRUCache

Verdict = Literal["admitted", "slow_down", "quiet"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    told: float = field(default=float("-inf"))


class Admission:
    """Token buckets per asker (bounded memory); ``rate_per_minute`` 0 admits everyone."""

    def __init__(
        self,
        *,
        rate_per_minute: float,
        burst: float,
        notice_window_s: float = 60.0,
        askers: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_per_s = rate_per_minute / 60.0
        self.burst = max(burst, 1.0)
        self.notice_window_s = notice_window_s
        self._clock = clock
        self._buckets: LRUCache[str, _Bucket] = LRUCache(askers)

    @property
    def enabled(self) -> bool:
        """Whether any limit applies."""
        return self.rate_per_s > 0

    @property
    def size(self) -> int:
        """Askers whose bucket is in memory."""
        return len(self._buckets)

    def admit(self, asker: str, cost: float = 1.0) -> Verdict:
        """Take ``cost`` tokens from the asker's bucket, or say how to refuse."""
        if not self.enabled:
            return "admitted"
        now = self._clock()
        bucket = self._buckets.get(asker)
        if bucket is None:
            bucket = self._buckets[asker] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate_per_s)
        bucket.updated = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return "admitted"
        if now - bucket.told >= self.notice_window_s:
            bucket.told = now
            return "slow_down"
        return "quiet"
