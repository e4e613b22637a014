"""One Cloud Control API call with retries: the single place where awsql talks to AWS.

Retrying here rather than inside botocore lets a cancelled statement stop backing off at once, counts every
retry exactly, and gives throttling a longer budget than transient faults. A retry re-sends the very same
parameters, so a list page is never read twice under different tokens and rows are neither duplicated nor
dropped. Mutations must pass their ``ClientToken`` explicitly: botocore would otherwise make up a fresh one
per attempt, and Cloud Control could then act twice.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from awsql_shell.gateway.clients import ClientFactory, Target
from awsql_shell.gateway.errors import RetryKind, retry_kind
from awsql_shell.gateway.rate_limit import AdaptiveRateLimiter, RateLimited


@dataclass(frozen=True)
class Backoff:
    """At most ``attempts`` tries; before try n+1 a pause of between half and all of min(cap, base * 2**n)
    (equal jitter: spread out, like full jitter, but never next to nothing, since the cause takes time to pass)."""

    attempts: int
    base: float
    cap: float

    def delay(self, retry_number: int, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * (2**retry_number))
        return ceiling * (0.5 + 0.5 * rng.random())


@dataclass(frozen=True)
class RetryPolicy:
    """Truncated exponential backoff with full jitter (delay = random(0, min(cap, base * 2**attempt))) for calls
    that failed; ``throttled_request`` and ``not_yet_visible`` for answers that came back but call for another
    try later."""

    throttled_attempts: int = 10
    throttled_base: float = 0.2
    throttled_cap: float = 10.0
    transient_attempts: int = 4
    transient_base: float = 0.05
    transient_cap: float = 2.0
    # A mutation whose request ended FAILED with ErrorCode Throttling (its handler was throttled by the service
    # behind it): sent again under a new ClientToken, up to 3 times, a second or more apart.
    throttled_request: Backoff = Backoff(attempts=4, base=1.0, cap=8.0)
    # A resource just created that a read does not find yet (eventual consistency): read again, 3 s at most.
    not_yet_visible: Backoff = Backoff(attempts=5, base=0.2, cap=1.6)

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
        retry: bool = False,
    ) -> dict[str, Any]:
        """``client.<operation>(**params)``; raises the last error once retrying is pointless or exhausted.
        ``retry``: this call is itself another try of an earlier one (counted as a retry, not a new call)."""
        method = self._clients.operation(target, region, operation)
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
            self._on_attempt(retry or retries > 0)
            try:
                response = method(**params)
            except Exception as error:
                kind = retry_kind(error)
                if kind is RetryKind.THROTTLED and limiter is not None:
                    limiter.throttled(bucket)
                if kind is None or retries + 1 >= self._policy.attempts(kind):
                    raise
                self.pause(self._policy.delay(kind, retries, self._rng), abandoned)
                retries += 1
                continue
            if limiter is not None:
                limiter.answered(bucket)
            return response

    def backoff(self, which: Backoff, retry_number: int) -> float:
        """How long to wait before another try under ``which``, one of this caller's policy's backoffs."""
        return which.delay(retry_number, self._rng)

    @property
    def policy(self) -> RetryPolicy:
        return self._policy

    @staticmethod
    def pause(seconds: float, abandoned: Callable[[], bool]) -> None:
        """Wait ``seconds``; raise ``Abandoned`` as soon as ``abandoned()`` says nobody waits any more."""
        deadline = time.monotonic() + seconds
        while True:
            if abandoned():
                raise Abandoned()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, _ABANDON_POLL_SECONDS))


def resource_properties(raw: Any) -> dict[str, Any]:
    """A ResourceDescription's ``Properties`` (JSON text) as an object; a bare value is kept under ``value``."""
    if not raw:
        return {}
    parsed = json.loads(raw) if isinstance(raw, str) else raw
    return parsed if isinstance(parsed, dict) else {"value": parsed}


class LazyProperties(Mapping[str, Any]):
    """A listed resource's ``Properties``, parsed on first read: a listing of 48,000 resources counted by
    ``count(*)`` needs none of them, and parsing each is most of what a listed resource costs."""

    def __init__(self, raw: Any):
        self._raw = raw

    @cached_property
    def _parsed(self) -> dict[str, Any]:
        return resource_properties(self._raw)

    def __getitem__(self, key: str) -> Any:
        return self._parsed[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed)

    def __len__(self) -> int:
        return len(self._parsed)

    def __repr__(self) -> str:
        return repr(self._parsed)
