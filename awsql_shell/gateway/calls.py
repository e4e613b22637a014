"""One Cloud Control API call with retries: the single place where awsql talks to AWS.

Retrying here rather than inside botocore lets a cancelled statement stop backing off at once, counts every
retry exactly, and gives throttling a longer budget than transient faults. A retry re-sends the very same
parameters, so a list page is never read twice under different tokens and rows are neither duplicated nor
dropped. Mutations must pass their ``ClientToken`` explicitly: botocore would otherwise make up a fresh one
per attempt, and Cloud Control could then act twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awsql_shell.gateway.clients import ClientFactory, Target
from awsql_shell.gateway.errors import RetryKind, retry_kind
from awsql_shell.gateway.rate_limit import AdaptiveRateLimiter, RateLimited


@dataclass(frozen=True)
class RetryPolicy:
    """Truncated exponential backoff with full jitter (delay = random(0, min(cap, base * 2**attempt)))."""

    throttled_attempts: int = 10
    throttled_base: float = 0.2
    throttled_cap: float = 10.0
    transient_attempts: int = 4
    transient_base: float = 0.05
    transient_cap: float = 2.0

    def attempts(self, kind: RetryKind) -> int:
        return self.throttled_attempts if kind is RetryKind.THROTTLED else self.transient_attempts

    def delay(self, kind: RetryKind, retry_number: int, rng: random.Random) -> float:
        base, cap = (
            (self.throttled_base, self.throttled_cap)
            if kind is RetryKind.THROTTLED
            else (self.transient_base, self.transient_cap)
        )
        return rng.random() * min(cap, base * (2**retry_number))


class Abandoned(Exception):
    """Nobody waits for this call any more (the statement was cancelled); it was not completed."""


# How often a backing-off call looks whether it is still wanted.
_ABANDON_POLL_SECONDS = 0.02


class ApiCaller:
    """Makes calls through the client factory, retrying what may succeed on another attempt."""

    def __init__(
        self,
        clients: ClientFactory,
        *,
        policy: RetryPolicy | None = None,
        on_attempt: Callable[[bool], None] | None = None,
        limiter: AdaptiveRateLimiter | None = None,
    ):
        self._clients = clients
        self._policy = policy or RetryPolicy()
        self._on_attempt = on_attempt or (lambda is_retry: None)
        self._limiter = limiter
        self._rng = random.Random()

    def call(
        self,
        target: Target,
        region: str,
        operation: str,
        params: dict[str, Any],
        *,
        abandoned: Callable[[], bool] = lambda: False,
    ) -> dict[str, Any]:
        """``client.<operation>(**params)``; raises the last error once retrying is pointless or exhausted."""
        client = self._clients.client(target, region)
        method = getattr(client, operation)
        limiter, bucket = self._limiter, (target, region)  # Cloud Control's quota is per account and region
        retries = 0
        while True:
            if limiter is not None:
                try:
                    limiter.acquire(bucket, abandoned)
                except RateLimited:
                    raise Abandoned() from None
                if abandoned():  # cancelled while it waited its turn: the call is not made
                    raise Abandoned()
            self._on_attempt(retries > 0)
            try:
                response = method(**params)
            except Exception as error:
                kind = retry_kind(error)
                if kind is RetryKind.THROTTLED and limiter is not None:
                    limiter.throttled(bucket)
                if kind is None or retries + 1 >= self._policy.attempts(kind):
                    raise
                self._sleep(self._policy.delay(kind, retries, self._rng), abandoned)
                retries += 1
                continue
            if limiter is not None:
                limiter.answered(bucket)
            return response

    @staticmethod
    def _sleep(seconds: float, abandoned: Callable[[], bool]) -> None:
        deadline = time.monotonic() + seconds
        while True:
            if abandoned():
                raise Abandoned()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, _ABANDON_POLL_SECONDS))
