"""A one-line progress display on stderr for statements that take a while.

Nothing is drawn for work that ends within ``delay`` seconds, so quick statements stay quiet,
and nothing at all when stderr is not a terminal (pipes and CI logs stay clean).
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

_REDRAW_INTERVAL = 0.1


class ProgressLine:
    """Implements the gateway's ProgressListener: calls done / total, per region."""

    def __init__(self, stream: TextIO, *, delay: float = 0.5, clock=time.monotonic) -> None:
        self._stream = stream
        self._delay = delay
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._last_draw = 0.0
        self._drawn = False
        self._planned: dict[str, int] = {}
        self._done: dict[str, int] = {}

    def on_calls_planned(self, region: str, count: int) -> None:
        with self._lock:
            if not self._planned:
                # A statement's first calls start the delay, however long the line has existed.
                self._started = self._clock()
            self._planned[region] = self._planned.get(region, 0) + count
            self._maybe_draw()

    def on_call_done(self, region: str) -> None:
        with self._lock:
            self._done[region] = self._done.get(region, 0) + 1
            self._maybe_draw()

    def line(self) -> str:
        done, total = sum(self._done.values()), sum(self._planned.values())
        regions = ", ".join(f"{r} {self._done.get(r, 0)}/{n}" for r, n in sorted(self._planned.items()))
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
