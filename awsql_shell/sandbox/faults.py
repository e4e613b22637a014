"""The conditions a call meets before and while it is served: latency, rate limits, disabled regions,
access denial and injected failures. Every random draw is seeded, so a run can be repeated.

Before any call is served (``check``), in this order, as AWS authenticates before it throttles:
- a region the account has not enabled answers HTTP 400 ``UnrecognizedClientException`` "The security
  token included in the request is invalid." Evidence: brefphp/extra-php-extensions#384 — "The security
  token included in the request is invalid." for eu-south-2, fixed by "enabling this region in the AWS
  account"; landing-zone-accelerator-on-aws#269 — "UnrecognizedClientException: The security token
  included in the request is invalid" for "the opt-in region ap-southeast-4".
- a failing region (``fail_region``) answers HTTP 503 ``ServiceUnavailable``, the error every AWS service
  returns when it cannot serve a region; botocore retries it, then gives up.
- the rate limit: a token bucket per (account, region) that refills ``rate_limit`` tokens a second (an
  account's own ``account_rate_limit``, when it has one) up to ``rate_burst``; a call that finds it empty
  answers HTTP 400 ``ThrottlingException`` "Rate exceeded".
  Evidence: ekristen/aws-nuke#508 — "roughly 30 req/sec is the limit"; ekristen/aws-nuke#510 — "a rate
  limit of 25 request per second, which in testing seems to be just under the allowed threshold", and
  "listing failed: ThrottlingException: Rate exceeded"; b3ross/dotenvi#35 (AWS support, quoted) —
  "Amazon throttles API requests for each AWS account on a per-region basis".
- random throttling (``throttle_rate``), the same answer, for tests that want it at a given probability.

While a call is served, the service asks the other faults here: whether a read is throttled the way a
handler reports it, whether a resource's read fails, whether a type is denied, and how a mutation ends;
STS asks whether an account's roles cannot be assumed at all (``assume_refused``: ``--deny-assume``, or a
suspended account; its answer is in ``sts_api``).
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from awsql_shell.sandbox.behaviour import LIST_LATENCY_FACTOR
from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.errors import ApiError

LIST_OPERATIONS = frozenset({"ListResources", "ListResourceRequests"})


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; a call takes one or is refused."""

    rate: float
    burst: int
    tokens: float
    stamp: float

    def take(self, now: float) -> bool:
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """One token bucket per (account, region): the scope AWS throttles in; ``rates`` gives some accounts
    their own rate (0: no limit)."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        rates: Mapping[str, float] | None = None,
    ):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.rates = dict(rates or {})
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def allow(self, account: str, region: str) -> bool:
        rate = self.rates.get(account, self.rate)
        if not rate:
            return True
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get((account, region))
            if bucket is None:
                bucket = self._buckets[(account, region)] = TokenBucket(rate, self.burst, float(self.burst), now)
            return bucket.take(now)


@dataclass(frozen=True)
class Fate:
    """How a mutation decided at submission ends: FAILED with this ErrorCode and StatusMessage (or none)."""

    error_code: str
    message: str | None


class Faults:
    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.limiter = RateLimiter(config.rate_limit, config.rate_burst, clock, config.account_rate_limits)
        # One generator per kind of draw, so that turning one fault on leaves the others' draws as they were.
        self._draws = {
            kind: random.Random(f"{config.seed}|{kind}") for kind in ("read-throttle", "mutation", "mutation-failure")
        }
        self._random = random.Random(config.seed)  # the throttle_rate draws, seeded as before
        self._lock = threading.Lock()

    # -- before a call ----------------------------------------------------------------------

    def delay(self, operation: str) -> None:
        waited = self.config.latency_ms
        if operation in LIST_OPERATIONS:
            listed = self.config.list_latency_ms
            waited = listed if listed is not None else waited * LIST_LATENCY_FACTOR
        if waited:
            time.sleep(waited / 1000.0)

    def check(self, account: str, region: str) -> None:
        """Raise the error a faulty call gets; return quietly for a call that goes through."""
        if region in self.config.disabled_regions:
            raise ApiError("UnrecognizedClientException", "The security token included in the request is invalid.")
        if region in self.config.fail_regions:
            raise ApiError(
                "ServiceUnavailable",
                f"Service Unavailable: the sandbox is configured to fail every call to {region}",
                status=503,
            )
        if not self.limiter.allow(account, region):
            raise ApiError("ThrottlingException", "Rate exceeded")
        if self.config.throttle_rate and self._draw(self._random) < self.config.throttle_rate:
            raise ApiError("ThrottlingException", "Rate exceeded")

    # -- while a call is served -------------------------------------------------------------

    def read_throttled(self) -> bool:
        """Whether a read meets the throttling its handler reports as a GeneralServiceException."""
        rate = self.config.read_throttle_rate
        return bool(rate) and self._draw(self._draws["read-throttle"]) < rate

    def read_failure(self, type_name: str, identifier: str) -> str | None:
        """The error shape a resource's GetResource always fails with, or None.

        Decided per resource (a hash of seed, type and identifier), not per call: a resource whose read
        handler fails does so every time. Evidence: aws/aws-cli#7184 — "get-resource doesn't work for
        resources of type AWS::EC2::PrefixList" while list-resources works.
        """
        if identifier in self.config.read_failure_identifiers:
            return self.config.read_failure_code
        rate = self.config.read_failure_rate
        if rate:
            digest = hashlib.sha256(f"{self.config.seed}|{type_name}|{identifier}".encode()).digest()
            if int.from_bytes(digest[:8], "big") / 2**64 < rate:
                return self.config.read_failure_code
        return None

    def assume_refused(self, account: str) -> bool:
        """Whether AssumeRole refuses every role of the account: the fault, or the account is closed."""
        return account in self.config.assume_denied_accounts or account in self.config.suspended_accounts

    def denied(self, type_name: str, operation: str) -> bool:
        denied = self.config.denied
        return (type_name, None) in denied or (type_name, operation) in denied

    def mutation_fate(self) -> Fate | None:
        """Whether a mutation, once it runs, ends FAILED by throttling or an internal failure."""
        if self.config.mutation_throttle_rate and (
            self._draw(self._draws["mutation"]) < self.config.mutation_throttle_rate
        ):
            return Fate("Throttling", "Rate exceeded")
        if self.config.mutation_failure_rate and (
            self._draw(self._draws["mutation-failure"]) < self.config.mutation_failure_rate
        ):
            return Fate("InternalFailure", None)
        return None

    def _draw(self, generator: random.Random) -> float:
        with self._lock:
            return generator.random()
