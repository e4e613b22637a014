"""Injected faults, seeded so that a run can be repeated.

- latency: every call sleeps ``latency_ms`` before it is answered (outside any lock, so parallel calls
  overlap as they would against AWS).
- throttling: each call is throttled with probability ``throttle_rate``, drawn from one generator seeded
  with ``seed``: the n-th call of a run is throttled or not the same way every time. The answer is what
  AWS sends, HTTP 400 ``ThrottlingException``, which botocore retries with backoff.
- a failing region: every call signed for it is answered HTTP 503 ``ServiceUnavailable`` ("Service
  Unavailable"), the error every AWS service returns when it cannot serve a region. botocore treats it
  as retryable, so a client gives up after its retry budget (3 attempts in botocore's standard mode).
"""

from __future__ import annotations

import random
import threading
import time

from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.errors import ApiError


class Faults:
    def __init__(self, config: SandboxConfig):
        self.config = config
        self._random = random.Random(config.seed)
        self._lock = threading.Lock()

    def delay(self) -> None:
        if self.config.latency_ms:
            time.sleep(self.config.latency_ms / 1000.0)

    def check(self, region: str) -> None:
        """Raise the error a faulty call gets; return quietly for a call that goes through."""
        if region in self.config.fail_regions:
            raise ApiError(
                "ServiceUnavailable",
                f"Service Unavailable: the sandbox is configured to fail every call to {region}",
                status=503,
            )
        if self.config.throttle_rate and self._draw() < self.config.throttle_rate:
            raise ApiError("ThrottlingException", "Rate exceeded")

    def _draw(self) -> float:
        with self._lock:
            return self._random.random()
