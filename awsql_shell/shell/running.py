"""Running a script's statements so that Ctrl-C cancels the one in progress and the shell goes on.

Each statement runs in a worker thread while the main thread waits, so the KeyboardInterrupt that
Ctrl-C raises lands in the wait, never inside the engine or the gateway. The wait then sets the
session's cancel event (again on every poll, since ``Session.execute`` clears it when a statement
starts) until the statement gives up; a second Ctrl-C stops waiting for it altogether.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsql_shell.executor import Outcome, Session

POLL_SECONDS = 0.05


class StatementCancelled(Exception):
    """Ctrl-C stopped the script; ``abandoned`` when the statement was left running in the background."""

    def __init__(self, abandoned: bool = False):
        super().__init__("cancelled")
        self.abandoned = abandoned


@dataclass
class Step:
    outcome: Outcome
    seconds: float  # how long the statement took, rendering not included


@dataclass
class _Slot:
    done: threading.Event
    value: Any = None
    finished: bool = False
    error: BaseException | None = None


def run_steps(session: Session, text: str, before_each: Any = None) -> Iterator[Step]:
    """Yield each statement's outcome as it completes; raise StatementCancelled on Ctrl-C.
    ``before_each`` (if given) is called before each statement starts (to reset counters)."""
    outcomes = session.execute_script(text)
    abandoned = False
    try:
        while True:
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            slot = _start_next(outcomes)
            try:
                _wait(slot, session.cancel)
            except StatementCancelled as cancelled:
                abandoned = cancelled.abandoned
                raise
            if slot.finished:
                return
            if slot.error is not None:
                raise slot.error
            yield Step(slot.value, time.perf_counter() - started)
    finally:
        if not abandoned:
            outcomes.close()


def _start_next(outcomes: Iterator[Outcome]) -> _Slot:
    slot = _Slot(threading.Event())

    def advance() -> None:
        try:
            slot.value = next(outcomes)
        except StopIteration:
            slot.finished = True
        except BaseException as exc:  # handed to the main thread, which decides what it means
            slot.error = exc
        finally:
            slot.done.set()

    threading.Thread(target=advance, name="awsql-statement", daemon=True).start()
    return slot


def _wait(slot: _Slot, cancel: threading.Event) -> None:
    interrupted = False
    while True:
        try:
            while not slot.done.wait(POLL_SECONDS):
                if interrupted:
                    cancel.set()
            break
        except KeyboardInterrupt:
            if interrupted:
                raise StatementCancelled(abandoned=True) from None
            interrupted = True
            cancel.set()
    if interrupted or isinstance(slot.error, KeyboardInterrupt):
        raise StatementCancelled()
