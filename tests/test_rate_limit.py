"""The client-side rate limiter keeps each (credentials, region) under its pace, slows down when throttled
and creeps back up; measured on a fake clock, so the figures are exact."""

from __future__ import annotations

import pytest

from awsql_shell.gateway.rate_limit import FLOOR, AdaptiveRateLimiter, RateLimited


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(rate: float, burst: float | None = None) -> tuple[AdaptiveRateLimiter, FakeTime]:
    fake = FakeTime()
    return AdaptiveRateLimiter(rate, burst=burst, clock=fake.clock, sleep=fake.sleep), fake


def test_calls_beyond_the_burst_are_paced_at_the_rate() -> None:
    paced, fake = limiter(20, burst=5)
    for _ in range(25):
        paced.acquire("us-east-1")
    assert fake.now == pytest.approx((25 - 5) / 20)


def test_each_region_has_its_own_bucket() -> None:
    paced, fake = limiter(10, burst=1)
    for region in ("us-east-1", "eu-west-1", "us-west-2"):
        paced.acquire(region)
    assert fake.now == 0.0
    paced.acquire("us-east-1")
    assert fake.now == pytest.approx(0.1)


def test_throttling_slows_the_bucket_and_answers_bring_it_back() -> None:
    paced, _ = limiter(20)
    paced.acquire("r")
    paced.throttled("r")
    assert paced.rate("r") == pytest.approx(14)
    for _ in range(20):
        paced.throttled("r")
    assert paced.rate("r") == FLOOR
    for _ in range(200):
        paced.answered("r")
    assert paced.rate("r") == 20
    assert paced.rate("another region") == 20


def test_a_cancelled_wait_gives_its_token_back() -> None:
    paced, fake = limiter(1, burst=1)
    paced.acquire("r")
    with pytest.raises(RateLimited):
        paced.acquire("r", abandoned=lambda: True)
    fake.now += 1.0
    paced.acquire("r")  # the token the cancelled call reserved was returned: no second wait
    assert fake.now == pytest.approx(1.0)
