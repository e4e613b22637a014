"""A client-side rate limiter: awsql keeps under Cloud Control's quota instead of bouncing off it.

Cloud Control throttles each account per region (about 25-30 requests per second in practice) and answers
the excess with ThrottlingException; retrying with backoff recovers, but every bounce costs a round trip
and a backoff sleep, and a statement that bounces often runs far below the quota. So every call waits for a
token of its (credentials, region) bucket first: ``rate`` tokens a second, at most ``burst`` saved up.

Adaptive (additive increase, multiplicative decrease, as TCP and the AWS SDKs' adaptive retry mode do): a
throttled answer cuts that bucket's rate to ``DECREASE`` of what it was, never below ``FLOOR``; each answered
call adds ``INCREASE`` of the ceiling back, up to the ceiling the user set (``--rate-limit``). One limiter
serves every statement of a session, so a statement starts at the pace the last one settled on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

FLOOR = 1.0
DECREASE = 0.7
INCREASE = 0.02  # of the ceiling, per answered call: back to full within ~50 calls
_POLL_SECONDS = 0.02


class RateLimited(Exception):
    """The wait for a token was given up (the statement was cancelled)."""


@dataclass
class _Bucket:
    rate: float
    tokens: float
    updated: float


class AdaptiveRateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate <= 0:
            raise ValueError("rate must be positive (use no limiter for unlimited)")
        self.ceiling = rate
        self.burst = burst if burst is not None else max(1.0, rate / 4)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[Hashable, _Bucket] = {}

    def rate(self, key: Hashable) -> float:
        with self._lock:
            bucket = self._buckets.get(key)
            return bucket.rate if bucket is not None else self.ceiling

    def acquire(self, key: Hashable, abandoned: Callable[[], bool] = lambda: False) -> None:
        """Take a token, waiting for it when the bucket is empty. A token is reserved at once (the count may
        go below zero), so waiting callers are served in the order they came, each ``1/rate`` apart."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.ceiling, self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * bucket.rate)
            bucket.updated = now
            bucket.tokens -= 1
            wait = -bucket.tokens / bucket.rate if bucket.tokens < 0 else 0.0
        deadline = now + wait
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                return
            if abandoned():
                with self._lock:
                    bucket.tokens += 1  # give the reserved token back
                raise RateLimited()
            self._sleep(min(remaining, _POLL_SECONDS))

    def throttled(self, key: Hashable) -> None:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is not None:
                bucket.rate = max(FLOOR, bucket.rate * DECREASE)

    def answered(self, key: Hashable) -> None:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is not None and bucket.rate < self.ceiling:
                bucket.rate = min(self.ceiling, bucket.rate + self.ceiling * INCREASE)
