"""How the gateway reports its work, so the command line can draw a progress line."""

from __future__ import annotations

from typing import Protocol


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
