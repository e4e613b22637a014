"""A fixed set of worker threads taking jobs by priority, shared by every statement of a session.

Why not ``ThreadPoolExecutor``: list pages must overtake queued GetResource calls (each page is on the
critical path; the gets are not), and the workers must be daemon threads so that an interrupted statement
whose HTTP calls are still in flight never holds up the exit.

Within a priority, jobs are served fairly across buckets (a bucket is where a call is rate limited: one
account and region): the n-th job of every bucket runs before the (n+1)-th of any, as in fair queuing. A
worker waits for its bucket's rate limiter, so with first-come order a fan-out over three regions would
put every worker behind the first region's limit and run at one region's pace; interleaved, each region
gets its share of the workers and all run at their own limits at once. Buckets that join later start at
the current round (a virtual clock), so they neither jump the queue nor wait behind old rounds.

List pages are chains (a page's token comes from the one before), so a bucket has one page in flight at a
time and needs no protection from itself; what a statement waits for is its longest chain. Round by round,
80 (account, region) listings on 16 workers would give each chain a page every 5 calls' time, and the
longest would set the end at 5x its own length. Pages therefore go deepest chain first (a chain that is
long so far is the likeliest to be long still), first pages last among pages, FIFO at equal depth; no chain
starves, since each has at most one page queued.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Callable, Hashable

Job = Callable[[], None]
Submit = Callable[[Job], None]  # how a run of mutations or read-backs hands a job to the pool

# Lower runs first.
PRIORITY_LIST_PAGE = 0
PRIORITY_GET = 1
_PRIORITY_STOP = 99


class WorkerPool:
    def __init__(self, size: int, *, name: str = "awsql-gateway"):
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size = size
        self._queue: queue.PriorityQueue[tuple[int, int, int, Job | None]] = queue.PriorityQueue()
        self._sequence = itertools.count()  # FIFO within a round; never compares two jobs
        self._lock = threading.Lock()
        self._rounds: dict[Hashable, int] = {}  # the round of each bucket's last queued job
        self._clock = 0  # the round of the job a worker took last
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True) for index in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, priority: int, job: Job, bucket: Hashable = None, *, depth: int | None = None) -> None:
        """Queue ``job``. ``depth``: the job is the next link of a chain of that many done (a listing's next
        page): such jobs go deepest first instead of by round (see the module docstring)."""
        if depth is not None:
            number = -depth
        else:
            with self._lock:
                number = max(self._rounds.get(bucket, 0), self._clock) + 1
                self._rounds[bucket] = number
        self._queue.put((priority, number, next(self._sequence), job))

    def close(self) -> None:
        """Workers finish the queued jobs, then exit; nobody waits for them."""
        for _ in self._threads:
            self._queue.put((_PRIORITY_STOP, 0, next(self._sequence), None))

    def _work(self) -> None:
        while True:
            _, number, _, job = self._queue.get()
            if job is None:
                return
            with self._lock:
                self._clock = max(self._clock, number)
            # A job reports its own failures; anything escaping here is a gateway bug that must not kill
            # the worker (the pool would silently shrink), so it is swallowed after the job's own handling.
            with contextlib.suppress(Exception):
                job()
            del job  # an idle worker must not keep the last job's gateway alive
