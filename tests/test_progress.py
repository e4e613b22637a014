"""The progress line stays quiet for quick work and draws calls done / total per region for slow work."""

from __future__ import annotations

import io

from awsql_shell.render.progress import ProgressLine


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_quick_work_draws_nothing() -> None:
    stream, clock = io.StringIO(), FakeClock()
    line = ProgressLine(stream, clock=clock)
    line.on_calls_planned(None, "us-east-1", 3)
    clock.now = 0.2
    for _ in range(3):
        line.on_call_done(None, "us-east-1")
    line.finish()
    assert stream.getvalue() == ""


def test_slow_work_shows_counts_per_region_and_is_erased() -> None:
    stream, clock = io.StringIO(), FakeClock()
    line = ProgressLine(stream, clock=clock)
    line.on_calls_planned(None, "us-east-1", 10)
    line.on_calls_planned(None, "eu-west-1", 4)
    clock.now = 0.6
    line.on_call_done(None, "us-east-1")
    assert "Cloud Control: 1/14 calls (eu-west-1 0/4, us-east-1 1/10)" in stream.getvalue()
    line.finish()
    assert stream.getvalue().endswith("\r\x1b[2K")


def test_the_delay_counts_from_each_statement_not_from_when_the_line_was_made() -> None:
    stream, clock = io.StringIO(), FakeClock()
    line = ProgressLine(stream, clock=clock)
    clock.now = 300.0  # the user typed the next statement five minutes later
    line.on_calls_planned(None, "us-east-1", 2)
    clock.now = 300.1
    line.on_call_done(None, "us-east-1")
    assert stream.getvalue() == ""


def test_several_accounts_show_accounts_and_regions_done() -> None:
    stream, clock = io.StringIO(), FakeClock()
    line = ProgressLine(stream, clock=clock)
    for account in ("111111111111", "222222222222"):
        for region in ("us-east-1", "eu-west-1"):
            line.on_calls_planned(account, region, 2)
    clock.now = 0.6
    for region in ("us-east-1", "eu-west-1"):
        for _ in range(2):
            line.on_call_done("111111111111", region)
    line.on_call_done("222222222222", "us-east-1")
    clock.now = 0.8
    line.on_call_done("222222222222", "us-east-1")
    assert "Cloud Control: 6/8 calls, accounts 1/2 done, regions 3/4 done" in stream.getvalue()
