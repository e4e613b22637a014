"""How the gateway reports its work, so the command line can draw a progress line."""

from __future__ import annotations

import threading
from typing import Any, Protocol


class ProgressListener(Protocol):
    """Receives API call counts while a statement fetches.

    The total is not known up front: every ListResources page reveals more GetResource calls, so
    ``on_calls_planned`` arrives many times and the total only grows. Calls answered from the cache are
    never reported. The gateway serializes the notifications (a listener needs no lock of its own) but
    sends them from its worker threads: keep them quick and never call back into the gateway.
    """

    def on_calls_planned(self, account: str | None, region: str, count: int) -> None:
        """``count`` more API calls in ``region`` of ``account`` (None: the session's one account) are now
        part of this statement."""

    def on_call_done(self, account: str | None, region: str) -> None:
        """One planned call in ``region`` of ``account`` finished (successfully or not)."""


class ProgressReport:
    """What a run tells its ProgressListener: one call at a time (so a listener needs no lock of its own),
    and nothing more once the listener raised or the run was given up, since a broken progress display must
    never cost the user their rows or a change. The one place the gateway's runs report progress through."""

    def __init__(self, listener: ProgressListener | None):
        self._listener = listener
        self._lock = threading.Lock()

    def planned(self, account: str | None, region: str, count: int = 1) -> None:
        self._tell("on_calls_planned", account, region, count)

    def done(self, account: str | None, region: str) -> None:
        self._tell("on_call_done", account, region)

    def stop(self) -> None:
        self._listener = None

    def _tell(self, event: str, *args: Any) -> None:
        listener = self._listener
        if listener is None:
            return
        with self._lock:
            try:
                getattr(listener, event)(*args)
            except Exception:
                self._listener = None
