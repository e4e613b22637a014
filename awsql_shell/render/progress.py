"""A one-line progress display on stderr for statements that take a while.

Nothing is drawn for work that ends within ``delay`` seconds, so quick statements stay quiet,
and nothing at all when stderr is not a terminal (pipes and CI logs stay clean).
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

_REDRAW_INTERVAL = 0.1


Place = tuple[str | None, str]  # (account, region); account None: the session's one account


class ProgressLine:
    """Implements the gateway's ProgressListener: calls done / total, per region; with several accounts,
    how many accounts and how many (account, region) places are done, of those begun."""

    def __init__(self, stream: TextIO, *, delay: float = 0.5, clock=time.monotonic) -> None:
        self._stream = stream
        self._delay = delay
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._last_draw = 0.0
        self._drawn = False
        self._planned: dict[Place, int] = {}
        self._done: dict[Place, int] = {}

    def on_calls_planned(self, account: str | None, region: str, count: int) -> None:
        with self._lock:
            if not self._planned:
                # A statement's first calls start the delay, however long the line has existed.
                self._started = self._clock()
            place = (account, region)
            self._planned[place] = self._planned.get(place, 0) + count
            self._maybe_draw()

    def on_call_done(self, account: str | None, region: str) -> None:
        with self._lock:
            place = (account, region)
            self._done[place] = self._done.get(place, 0) + 1
            self._maybe_draw()

    def line(self) -> str:
        done, total = sum(self._done.values()), sum(self._planned.values())
        accounts = {account for account, _ in self._planned}
        if len(accounts) > 1:
            finished = {place for place, n in self._planned.items() if self._done.get(place, 0) >= n}
            whole = sum(1 for a in accounts if all(p in finished for p in self._planned if p[0] == a))
            return (
                f"Cloud Control: {done}/{total} calls, accounts {whole}/{len(accounts)} done, "
                f"regions {len(finished)}/{len(self._planned)} done"
            )
        by_region: dict[str, list[int]] = {}
        for (_, region), planned in self._planned.items():
            counts = by_region.setdefault(region, [0, 0])
            counts[1] += planned
        for (_, region), finished_calls in self._done.items():
            by_region.setdefault(region, [0, 0])[0] += finished_calls
        regions = ", ".join(f"{r} {d}/{n}" for r, (d, n) in sorted(by_region.items()))
        return f"Cloud Control: {done}/{total} calls ({regions})"

    def _maybe_draw(self) -> None:
        now = self._clock()
        if now - self._started < self._delay or now - self._last_draw < _REDRAW_INTERVAL:
            return
        self._last_draw = now
        self._stream.write("\r\x1b[2K" + self.line())
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """Erase the line so results and messages start on a clean line."""
        with self._lock:
            if self._drawn:
                self._stream.write("\r\x1b[2K")
                self._stream.flush()
            self._drawn = False
            self._planned.clear()
            self._done.clear()
            self._started = self._clock()
