"""Running a script's statements so that Ctrl-C cancels the one in progress and the shell goes on.

Each statement runs in a worker thread while the main thread waits, so the KeyboardInterrupt that
Ctrl-C raises lands in the wait, never inside the engine or the gateway. The wait then sets the
session's cancel event (again on every poll, since ``Session.execute`` clears it when a statement
starts) until the statement gives up; a second Ctrl-C stops waiting for it altogether.

A statement that needs the user's word (a mutation without an Identifier) asks through
``Session.confirm``; the question is handed to the waiting main thread, which owns the terminal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from awsql_shell.errors import Interrupted

if TYPE_CHECKING:
    from awsql_shell.session import Outcome, Session

POLL_SECONDS = 0.05

Ask = Callable[[str], bool]


class StatementCancelled(Exception):
    """Ctrl-C stopped the script; ``abandoned`` when the statement was left running in the background;
    ``report``: what the statement had already set going (requests that go on in AWS)."""

    def __init__(self, abandoned: bool = False, report: list[str] | None = None):
        super().__init__("cancelled")
        self.abandoned = abandoned
        self.report = report or []


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


def run_steps(
    session: Session,
    text: str,
    *,
    before_each: Callable[[], None] | None = None,
    ask: Ask | None = None,
) -> Iterator[Step]:
    """Yield each statement's outcome as it completes; raise StatementCancelled on Ctrl-C.
    ``before_each`` is called before each statement starts; ``ask`` answers the session's confirmations."""
    outcomes = session.execute_script(text)
    questions = _Questions()
    previous_confirm = session.confirm
    if ask is not None:
        session.confirm = questions.ask_from_worker
    abandoned = False
    try:
        while True:
            if before_each is not None:
                before_each()
            started = time.perf_counter()
            slot = _start_next(outcomes)
            try:
                _wait(slot, session.cancel, questions, ask)
            except StatementCancelled as cancelled:
                abandoned = cancelled.abandoned
                raise
            if slot.finished:
                return
            if slot.error is not None:
                raise slot.error
            yield Step(slot.value, time.perf_counter() - started)
    finally:
        questions.close()
        if ask is not None:
            session.confirm = previous_confirm
        if not abandoned:
            outcomes.close()


class _Questions:
    """Confirmations asked from the worker thread, answered by the main thread; "no" once closed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: tuple[str, threading.Event, list[bool]] | None = None
        self._closed = False

    def ask_from_worker(self, question: str) -> bool:
        answered = threading.Event()
        answer = [False]
        with self._lock:
            if self._closed:
                return False
            self._pending = (question, answered, answer)
        answered.wait()
        return answer[0]

    def serve(self, ask: Ask) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return
        question, answered, answer = pending
        try:
            answer[0] = bool(ask(question))
        except (KeyboardInterrupt, EOFError):
            answer[0] = False  # Ctrl-C or Ctrl-D at the question: no
        finally:
            answered.set()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pending, self._pending = self._pending, None
        if pending is not None:
            pending[1].set()


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


def _wait(slot: _Slot, cancel: threading.Event, questions: _Questions, ask: Ask | None) -> None:
    interrupted = False
    while True:
        try:
            while not slot.done.wait(POLL_SECONDS):
                if interrupted:
                    cancel.set()
                elif ask is not None:
                    questions.serve(ask)
            break
        except KeyboardInterrupt:
            if interrupted:
                raise StatementCancelled(abandoned=True) from None
            interrupted = True
            cancel.set()
            questions.close()
    if interrupted or isinstance(slot.error, KeyboardInterrupt):
        report = slot.error.report() if isinstance(slot.error, Interrupted) else []
        raise StatementCancelled(report=report)
