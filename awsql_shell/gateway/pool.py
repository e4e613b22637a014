"""A fixed set of worker threads taking jobs by priority, shared by every statement of a session.

Why not ``ThreadPoolExecutor``: list pages must overtake queued GetResource calls (each page is on the
critical path; the gets are not), and the workers must be daemon threads so that an interrupted statement
whose HTTP calls are still in flight never holds up the exit.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable

Job = Callable[[], None]

# Lower runs first.
PRIORITY_LIST_PAGE = 0
PRIORITY_GET = 1
_PRIORITY_STOP = 99


class WorkerPool:
    def __init__(self, size: int, *, name: str = "awsql-gateway"):
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self._queue: queue.PriorityQueue[tuple[int, int, Job | None]] = queue.PriorityQueue()
        self._sequence = itertools.count()  # FIFO within a priority; never compares two jobs
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True) for index in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, priority: int, job: Job) -> None:
        self._queue.put((priority, next(self._sequence), job))

    def close(self) -> None:
        """Workers finish the queued jobs, then exit; nobody waits for them."""
        for _ in self._threads:
            self._queue.put((_PRIORITY_STOP, next(self._sequence), None))

    def _work(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            # A job reports its own failures; anything escaping here is a gateway bug that must not kill
            # the worker (the pool would silently shrink), so it is swallowed after the job's own handling.
            with contextlib.suppress(Exception):
                job()
            del job  # an idle worker must not keep the last job's gateway alive
