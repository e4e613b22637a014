"""The gateway: runs a statement's fetches against Cloud Control, concurrently, cached and cancellable.

Every API call of every fetch is a job in one shared worker pool, so ``max_concurrency`` bounds the calls in
flight for the whole statement. A listing is a chain of page calls; each page, as it arrives, queues the
GetResource calls for its identifiers (when details are needed: only for the resources the fetch's list
filter keeps, and whose listed properties lack one the statement reads, see ``gateway.listing``) and the
next page, so the gets of page one overlap the reading of page two. Pages outrank gets in the queue because
they alone are on the critical path. State of a running statement lives in ``_Run`` and ``_FetchState``
objects guarded by the gateway lock; calls deliver their outcome to every fetch waiting for them (identical
calls in flight are made once).

Cache and requests not awaited: a mutation drops what is cached about what it touched, but a request that
was not awaited (NOWAIT, --no-wait, Ctrl-C while awaiting, a status poll that failed) goes on changing the
resource after that. So the gateway remembers every such request of the session by RequestToken (in
``UnsettledRequests``), and a (region, type) with one of them neither answers from nor stores into the cache.
A read of such a (region, type) first asks GetResourceRequestStatus about its requests, oldest first and at
most ``max_concurrency`` at a time, stopping at the first batch with one still going, so once the requests
are done the cache serves again and it costs a read a call or two while they are not. Any status seen
finished (a read's check, or ``awscc.cloud_control.resource_request(s)``) forgets the request and drops the
cache entries of its resource; an unknown RequestToken counts as finished. Simpler schemes fall short: a
bypass for the cache TTL after the mutation caches stale rows once a request outlasts the TTL.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from awsql_shell.errors import AwsqlError, CredentialsError
from awsql_shell.gateway.cache import (
    NOT_CACHED,
    GetKey,
    ListedResource,
    ListKey,
    ResourceCache,
    UnsettledRequest,
    UnsettledRequests,
)
from awsql_shell.gateway.calls import Abandoned, ApiCaller, LazyProperties, RetryPolicy, resource_properties
from awsql_shell.gateway.clients import ClientFactory, Target
from awsql_shell.gateway.errors import (
    CallBudgetExceeded,
    FetchFailedError,
    RegionRejectsCredentialsError,
    credentials_error,
    error_code,
    fetch_error,
    is_credentials_problem,
    is_not_found,
    is_region_rejecting_credentials,
    is_wrong_region,
    rejected_everywhere,
)
from awsql_shell.gateway.listing import admits, needs_get, row_properties
from awsql_shell.gateway.pool import PRIORITY_GET, PRIORITY_LIST_PAGE, Submit, WorkerPool
from awsql_shell.gateway.progress import ProgressListener, ProgressReport
from awsql_shell.gateway.rate_limit import AdaptiveRateLimiter
from awsql_shell.gateway.vocabulary import FINAL_STATUSES, Fetch, FetchedResource, FetchResult, LostResource
from awsql_shell.settings import Settings

if TYPE_CHECKING:
    from awsql_shell.gateway.mutation_send import MutationOutcome
    from awsql_shell.gateway.read_back import ReadBackResult
    from awsql_shell.gateway.vocabulary import MutationCall, ReadBack

# How often a waiting statement looks at its cancel event.
_CANCEL_POLL_SECONDS = 0.02
_MIN_CLIENT_POOL_CONNECTIONS = 10
# What a status check of the session's own requests is called in an error (it is never shown: a failed
# check only leaves the cache bypassed).
_REQUEST_CHECK = "Cloud Control resource requests"


@dataclass(frozen=True)
class GatewayStats:
    """Counts since the last ``reset_stats``: logical API calls made (retries not included), calls answered
    from the cache, calls that joined an identical call already in flight, retried attempts, and the wall
    time spent in ``fetch_all``."""

    api_calls: int = 0
    cache_hits: int = 0
    shared_calls: int = 0
    retries: int = 0
    elapsed: float = 0.0


@dataclass
class _Counters:
    api_calls: int = 0
    cache_hits: int = 0
    shared_calls: int = 0
    retries: int = 0
    elapsed: float = 0.0

    def snapshot(self) -> GatewayStats:
        return GatewayStats(self.api_calls, self.cache_hits, self.shared_calls, self.retries, self.elapsed)


@dataclass(frozen=True)
class _Page:
    items: tuple[ListedResource, ...]
    next_token: str | None


class _Run:
    """One ``fetch_all``: its fetches still unfinished, whether it was stopped, and a fatal error."""

    def __init__(
        self, listener: ProgressListener | None, unfinished: int, budget: int | None = None, several: bool = False
    ):
        self.progress = ProgressReport(listener)
        # Several accounts' credentials: one that fails costs its account's rows, not the statement.
        self.several = several
        self.unfinished = unfinished
        self.stopped = False
        self.fatal: AwsqlError | None = None
        self.finished = threading.Event()
        self.budget = budget  # calls this run may still make; None: no limit
        self.calls = 0

    def stop(self) -> None:
        self.stopped = True
        self.progress.stop()
        self.finished.set()


_PENDING: Any = object()


@dataclass(eq=False)
class _FetchState:
    fetch: Fetch
    run: _Run
    target: Target
    cache_enabled: bool
    cache_ttl: float
    result: FetchResult
    slots: list[Any] = field(default_factory=list)  # FetchedResource, None (gone) or _PENDING, in list order
    pending: int = 1  # outstanding calls, plus one held by the code still starting or feeding the fetch
    failed: bool = False
    seen_identifiers: set[str] = field(default_factory=set)
    seen_tokens: set[str] = field(default_factory=set)
    listed: list[ListedResource] = field(default_factory=list)
    counted: int = 0  # listed resources the list filter surely keeps: what a pushed-down LIMIT counts
    truncated: bool = False

    @property
    def wanted(self) -> bool:
        return not self.run.stopped and not self.failed

    @property
    def cacheable(self) -> bool:
        # A request's status changes by the second; only resources are remembered.
        return self.cache_enabled and not self.fetch.reads_requests

    @property
    def list_key(self) -> ListKey:
        fetch = self.fetch
        # Two listings are the same call only with the same filter: the ResourceModel, or the status filter.
        model = fetch.status_filter if fetch.reads_requests else fetch.resource_model
        return ListKey(
            self.target,
            self.fetch.region,
            self.fetch.type_name,
            json.dumps(model, sort_keys=True, separators=(",", ":")) if model is not None else None,
        )

    def get_key(self, identifier: str, region: str | None = None) -> GetKey:
        region = region or self.fetch.region
        return GetKey(self.target, region, self.fetch.type_name, identifier)


Deliver = Callable[[Any, BaseException | None], None]


@dataclass(eq=False)
class _Call:
    """One API call, and everyone waiting for its outcome."""

    key: tuple[Any, ...]
    target: Target
    region: str
    type_name: str
    operation: str
    params: dict[str, Any]
    priority: int
    waiters: list[tuple[_FetchState, Deliver]] = field(default_factory=list)
    depth: int | None = None  # a list page: how many pages of its listing came before

    @property
    def wanted(self) -> bool:
        return any(state.wanted for state, _ in self.waiters)


class Gateway:
    """Reads Cloud Control for one session. Thread-safe; one instance per session.

    ``clock`` times cache entries (inject a fake one in tests); ``retry_policy`` tunes backoff.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        retry_policy: RetryPolicy | None = None,
    ):
        self._settings = settings
        self._retry_policy = retry_policy
        self._lock = threading.RLock()
        self._cache = ResourceCache.create(clock)
        self._unsettled = UnsettledRequests()
        self._inflight: dict[tuple[Any, ...], _Call] = {}
        self._counters = _Counters()
        self._pool: WorkerPool | None = None
        self._clients: ClientFactory | None = None
        self._clients_capacity = 0
        self._caller: ApiCaller | None = None
        # Targets whose credentials some call of this session got an answer with: a region that rejects
        # them afterwards is that region's problem (not enabled), not theirs.
        self._proven: set[Target] = set()
        # The session's accounts by id (``use_accounts``); a fetch for account None goes to the default target.
        self._default_target = Target(settings.profile, settings.endpoint_url)
        self._targets: dict[str, Target] = {}
        # What STS GetCallerIdentity said of a target (its account id), asked once per session.
        self._identities: dict[Target, str] = {}
        self._identity_lock = threading.Lock()
        self.identity_problem: str | None = None  # why the default target's account id is unknown
        rate = settings.rate_limit
        # One limiter for the session: every statement shares the pace, so none starts by bouncing off.
        self._limiter = AdaptiveRateLimiter(rate) if rate else None

    # ----------------------------------------------------------------- public

    def use_accounts(self, targets: Mapping[str, Target], *, default: Target | None = None) -> None:
        """The session's accounts: a fetch or change for account ``id`` goes to ``targets[id]``, one for
        account None (a session of one account) to ``default``."""
        with self._lock:
            self._targets = dict(targets)
            for account, target in targets.items():
                self._identities[target] = account
            if default is not None:
                self._default_target = default

    def target_for(self, account: str | None) -> Target:
        if account is None:
            return self._default_target
        target = self._targets.get(account)
        if target is None:
            raise AwsqlError(f"account {account} is not one of this session's accounts")
        return target

    @property
    def clients(self) -> ClientFactory:
        """The session's clients (and credentials), for the accounts' discovery too."""
        self._ensure_workers(max(1, self._settings.max_concurrency))
        assert self._clients is not None
        return self._clients

    def account_of(self, target: Target | None = None) -> str:
        """The account id of ``target``'s credentials (the default target's when None): STS
        GetCallerIdentity, asked once per session. Raises ``CredentialsError`` when they cannot be used."""
        target = target or self._default_target
        known = self._identities.get(target) or (self._settings.account if target == self._default_target else None)
        if known:
            return known
        with self._identity_lock:
            known = self._identities.get(target)
            if known:
                return known
            region = self._settings.region or "us-east-1"
            try:
                answer = self.clients.client(target, region, "sts").get_caller_identity()
            except Exception as error:
                if is_credentials_problem(error):
                    raise credentials_error(error, profile=target.profile) from None
                raise fetch_error(error, region=region, type_name="STS", operation="GetCallerIdentity") from None
            self._identities[target] = answer["Account"]
            return answer["Account"]

    def _default_account(self) -> str | None:
        """The default target's account id, asked of STS on first need; None (and why) when STS cannot say."""
        if self.identity_problem is not None:
            return None
        try:
            return self.account_of()
        except CredentialsError:
            raise
        except AwsqlError as exc:
            self.identity_problem = exc.message
            return None

    def fetch_all(
        self,
        fetches: Sequence[Fetch],
        *,
        progress: ProgressListener | None = None,
        cancel: threading.Event | None = None,
        budget: int | None = None,
    ) -> list[FetchResult]:
        """One result per fetch, in order. A fetch that fails carries its error and no rows; the others
        still return theirs. Raises ``CredentialsError`` when the credentials are unusable, ``CallBudgetExceeded``
        when the fetches would make more than ``budget`` calls (those made are not wasted on a result: none is
        returned), and ``KeyboardInterrupt`` when ``cancel`` is set before the work is done (queued calls are
        dropped, calls already on the wire finish in the background)."""
        started = time.perf_counter()
        try:
            return self._fetch_all(fetches, progress, cancel, budget)
        finally:
            with self._lock:
                self._counters.elapsed += time.perf_counter() - started

    def mutate(
        self,
        calls: Sequence[MutationCall],
        *,
        wait: bool = True,
        progress: ProgressListener | None = None,
        cancel: threading.Event | None = None,
    ) -> list[MutationOutcome]:
        """Send each CreateResource/UpdateResource/DeleteResource call once (its ClientToken makes retries
        safe) and, when ``wait``, follow every request until it settles; one outcome per call, in order.
        The cache forgets each resource touched. Raises ``MutationInterrupted`` when ``cancel`` is set or
        Ctrl-C arrives (see ``gateway.mutations``)."""
        from awsql_shell.gateway.mutation_send import MutationRun

        run = MutationRun(*self._jobs(), calls, wait=wait, listener=progress, invalidate=self.invalidate)
        try:
            with self._timed():
                return run.run(cancel)
        finally:
            self._remember_unsettled(run.outcomes)

    def read_back(
        self,
        reads: Sequence[ReadBack],
        *,
        progress: ProgressListener | None = None,
        cancel: threading.Event | None = None,
    ) -> list[ReadBackResult]:
        """GetResource of each resource a mutation just changed, for RETURNING ResourceModel: past the cache,
        and, for one just created, asked again while it is not visible yet (see ``gateway.read_back``). A
        result per read, in order; raises ``KeyboardInterrupt`` when ``cancel`` is set."""
        from awsql_shell.gateway.read_back import ReadBackRun

        run = ReadBackRun(*self._jobs(), reads, listener=progress)
        with self._timed():
            return run.run(cancel)

    def _jobs(self) -> tuple[ApiCaller, Submit, Callable[[str | None], Target]]:
        """What a run of mutations or read-backs works with: the caller, a way into the pool, and the target
        of each account."""
        settings = self._settings
        self._ensure_workers(max(1, settings.max_concurrency))
        with self._lock:
            pool, caller = self._pool, self._caller
        assert pool is not None and caller is not None
        return caller, lambda job: pool.submit(PRIORITY_GET, job), self.target_for

    @contextlib.contextmanager
    def _timed(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self._counters.elapsed += time.perf_counter() - started

    @property
    def stats(self) -> GatewayStats:
        with self._lock:
            return self._counters.snapshot()

    def reset_stats(self) -> None:
        with self._lock:
            self._counters = _Counters()

    def invalidate(self, region: str, type_name: str, identifier: str | None = None) -> None:
        """Forget what is cached about a resource (or every resource of the type in the region) and about
        every listing of that type in that region; call after a mutation."""
        self._cache.invalidate(region, type_name, identifier)

    def clear_cache(self) -> None:
        self._cache.clear()

    @property
    def unsettled_requests(self) -> int:
        """How many requests of this session are not known to be finished (their types are read uncached)."""
        return len(self._unsettled)

    def close(self) -> None:
        """Let the worker threads go once their queued jobs are done. The gateway remains usable."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- running

    def _fetch_all(
        self,
        fetches: Sequence[Fetch],
        listener: ProgressListener | None,
        cancel: threading.Event | None,
        budget: int | None = None,
    ) -> list[FetchResult]:
        if cancel is not None and cancel.is_set():
            raise KeyboardInterrupt
        if not fetches:
            return []
        self._ensure_workers(max(1, self._settings.max_concurrency))
        uncached = self._check_unsettled(fetches, listener, cancel) if self._settings.cache_enabled else set()
        return self._run(fetches, listener, cancel, uncached, budget)

    def _run(
        self,
        fetches: Sequence[Fetch],
        listener: ProgressListener | None,
        cancel: threading.Event | None,
        uncached: set[tuple[str | None, str, str]],
        budget: int | None = None,
    ) -> list[FetchResult]:
        """Run the fetches; those of an (account, region, type) in ``uncached`` neither read nor fill the cache."""
        settings = self._settings
        targets = {fetch.account: self.target_for(fetch.account) for fetch in fetches}
        run = _Run(listener, unfinished=len(fetches), budget=budget, several=len(set(targets.values())) > 1)
        states = [
            _FetchState(
                fetch=fetch,
                run=run,
                target=targets[fetch.account],
                cache_enabled=settings.cache_enabled and _unsettled_key(fetch) not in uncached,
                cache_ttl=settings.cache_ttl,
                result=FetchResult(fetch=fetch, account_id=fetch.account),
            )
            for fetch in fetches
        ]
        # The session's one account, whose id STS is asked for alongside the first calls (once per session).
        identity = _Identity(self._default_account) if None in targets and self._unknown_default() else None
        try:
            for state in states:
                self._start(state)
            while not run.finished.wait(_CANCEL_POLL_SECONDS):
                if cancel is not None and cancel.is_set():
                    raise KeyboardInterrupt
        except BaseException:
            with self._lock:
                run.stop()
            raise
        if run.fatal is not None:
            raise run.fatal
        for target in set(targets.values()):
            mine = [state for state in states if state.target == target]
            rejected = [s.result.error for s in mine if isinstance(s.result.error, RegionRejectsCredentialsError)]
            if rejected and len(rejected) == len(mine) and target not in self._proven and not run.several:
                raise rejected_everywhere(rejected)  # type: ignore[arg-type]
        if None in targets:
            account = identity.result(cancel) if identity is not None else self._default_account()
            for state in states:
                if state.fetch.account is None:
                    state.result.account_id = account
        return [state.result for state in states]

    def _unknown_default(self) -> bool:
        target = self._default_target
        return self._identities.get(target) is None and not self._settings.account and self.identity_problem is None

    # ------------------------------------------------- requests not awaited

    def _remember_unsettled(self, outcomes: Sequence[MutationOutcome]) -> None:
        """Every request a mutation leaves going; what it touches is dropped again from the cache, in case a
        read stored it between the request being sent and its being remembered here."""
        for outcome in outcomes:
            token = outcome.request_token
            if not token or outcome.settled:
                continue
            call = outcome.call
            identifier = call.identifier or (outcome.event or {}).get("Identifier") or None
            self._unsettled.add(token, UnsettledRequest(call.region, call.type_name, identifier, call.account))
            self.invalidate(call.region, call.type_name, identifier)

    def _check_unsettled(
        self, fetches: Sequence[Fetch], listener: ProgressListener | None, cancel: threading.Event | None
    ) -> set[tuple[str | None, str, str]]:
        """The (account, region, type) of ``fetches`` that a request of this session may still be changing,
        after asking about those requests (oldest first, a pool's worth at a time, until one is still going)."""
        batch = max(1, self._settings.max_concurrency)
        asking = list(dict.fromkeys(_unsettled_key(f) for f in fetches if not f.reads_requests))
        uncached: set[tuple[str | None, str, str]] = set()
        while asking:
            asked = {key: tokens[:batch] for key in asking if (tokens := self._unsettled.tokens(key))}
            if not asked:
                break
            checks = [
                Fetch.requests(region, _REQUEST_CHECK, tokens=tuple(tokens), account=account)
                for (account, region, _), tokens in asked.items()
            ]
            self._run(checks, listener, cancel, set())  # what is seen finished is settled by _observe
            asking = []
            for key, tokens in asked.items():
                left = self._unsettled.tokens(key)
                if set(tokens) & set(left):
                    uncached.add(key)  # still going, or its status could not be learnt
                elif left:
                    asking.append(key)
        return uncached

    def _observe(self, call: _Call, value: Any) -> None:
        """Settle the session's requests that a status answer shows finished."""
        if call.operation == "get_resource_request_status":
            if value is None:  # RequestTokenNotFound: nothing will come of it any more
                self._settle(call.params["RequestToken"])
            elif value.properties.get("OperationStatus") in FINAL_STATUSES:
                self._settle(value.identifier)
        elif call.operation == "list_resource_requests":
            for item in value.items:
                if item.properties.get("OperationStatus") in FINAL_STATUSES:
                    self._settle(item.identifier)

    def _settle(self, token: str) -> None:
        request = self._unsettled.settle(token)
        if request is not None:
            self.invalidate(request.region, request.type_name, request.identifier)

    def _ensure_workers(self, concurrency: int) -> None:
        with self._lock:
            if self._pool is None or self._pool.size != concurrency:
                if self._pool is not None:
                    self._pool.close()
                self._pool = WorkerPool(concurrency)
                # Idle workers hold no reference to the gateway; without this they would outlive it.
                weakref.finalize(self, self._pool.close)
            if self._clients is None or self._clients_capacity < concurrency:
                self._clients_capacity = max(concurrency, _MIN_CLIENT_POOL_CONNECTIONS)
                if self._clients is None:
                    home = self._settings.region
                    self._clients = ClientFactory(pool_connections=self._clients_capacity, home_region=home)
                else:
                    self._clients = self._clients.resized(self._clients_capacity)
                self._caller = ApiCaller(
                    self._clients, policy=self._retry_policy, on_attempt=self._count_attempt, limiter=self._limiter
                )

    def _count_attempt(self, is_retry: bool) -> None:
        with self._lock:
            if is_retry:
                self._counters.retries += 1
            else:
                self._counters.api_calls += 1

    # ------------------------------------------------------------ fetch logic
    # Everything below runs under self._lock (re-entrant: a cache hit delivers synchronously).

    def _start(self, state: _FetchState) -> None:
        with self._lock:
            fetch = state.fetch
            if fetch.singles is not None:
                for identifier in fetch.singles:
                    if identifier in state.seen_identifiers:
                        continue
                    state.seen_identifiers.add(identifier)
                    state.slots.append(_PENDING)
                    self._request_get(state, len(state.slots) - 1, identifier)
            elif fetch.limit is not None and fetch.limit <= 0:
                pass  # LIMIT 0 needs no call at all
            else:
                cached = self._cache.lists.get(state.list_key) if state.cacheable else NOT_CACHED
                if cached is NOT_CACHED:
                    self._request_page(state, None)
                else:
                    self._counters.cache_hits += 1
                    self._take_page(state, _Page(cached, None), from_cache=True)
            self._release(state)

    def _request_get(self, state: _FetchState, index: int, identifier: str, probe: int = 0) -> None:
        """GetResource (or a request's status) into ``slots[index]``. For an account-wide list type, ``probe``
        is which of the fetch's home regions is asked: a resource not there is asked about in the next."""
        homes = state.fetch.home_regions
        region = homes[probe] if homes else state.fetch.region
        key = state.get_key(identifier, region)

        def settle(value: Any) -> None:
            if value is None and homes and probe + 1 < len(homes):
                self._request_get(state, index, identifier, probe + 1)
            elif value is not None and homes:
                state.slots[index] = replace(value, region=region)
            else:
                state.slots[index] = value

        if state.cacheable:
            cached = self._cache.gets.get(key)
            if cached is not NOT_CACHED:
                self._counters.cache_hits += 1
                settle(cached)
                return

        def deliver(value: Any, error: BaseException | None) -> None:
            with self._lock:
                if error is None:
                    settle(value)
                elif self._loses_only_the_row(state, error):
                    state.result.lost.append(LostResource(identifier, region, error))  # type: ignore[arg-type]
                    state.slots[index] = None
                else:
                    self._fail(state, error)
                self._release(state)

        if state.fetch.reads_requests:
            operation, status = "get_resource_request_status", {"RequestToken": identifier}
            self._submit(state, ("GetResourceRequestStatus", key), operation, status, PRIORITY_GET, deliver, region)
            return
        params = {"TypeName": state.fetch.type_name, "Identifier": identifier}
        self._submit(state, ("GetResource", key), "get_resource", params, PRIORITY_GET, deliver, region)

    @staticmethod
    def _loses_only_the_row(state: _FetchState, error: BaseException) -> bool:
        """One resource that cannot be read costs its row, not the fetch: handlers fail single reads
        routinely on AWS. What says the whole region or type is unusable (credentials, a region that
        rejects them, an unsupported type, throttling that outlasted every retry) still fails the fetch."""
        if state.fetch.reads_requests or not isinstance(error, FetchFailedError):
            return False
        return not error.throttled and not isinstance(error, RegionRejectsCredentialsError)

    def _request_page(self, state: _FetchState, token: str | None) -> None:
        if token is not None:
            if token in state.seen_tokens:
                self._fail(state, AwsqlError(f"{state.fetch.region} {state.fetch.type_name}: paging did not advance"))
                return
            state.seen_tokens.add(token)
        operation, params = self._list_call(state.fetch)
        if token is not None:
            params["NextToken"] = token

        def deliver(value: Any, error: BaseException | None) -> None:
            with self._lock:
                if error is not None:
                    self._fail(state, error)
                elif state.wanted:
                    self._take_page(state, value, from_cache=False)
                self._release(state)

        key = ("ListResources", state.list_key, token, state.fetch.reads_requests)
        self._submit(state, key, operation, params, PRIORITY_LIST_PAGE, deliver, depth=len(state.seen_tokens))

    @staticmethod
    def _list_call(fetch: Fetch) -> tuple[str, dict[str, Any]]:
        if fetch.reads_requests:
            status_filter = fetch.status_filter
            return "list_resource_requests", {"ResourceRequestStatusFilter": status_filter} if status_filter else {}
        params: dict[str, Any] = {"TypeName": fetch.type_name}
        if fetch.resource_model is not None:
            params["ResourceModel"] = json.dumps(fetch.resource_model)
        return "list_resources", params

    def _take_page(self, state: _FetchState, page: _Page, *, from_cache: bool) -> None:
        fetch = state.fetch
        limit = fetch.limit
        kept: list[tuple[ListedResource, bool]] = []  # and whether each needs its GetResource
        judged = fetch.list_filter is not None or fetch.with_details  # else a listed resource is its own row
        for item in page.items:
            if item.identifier in state.seen_identifiers:
                continue
            if limit is not None and state.counted >= limit:
                state.truncated = True
                break
            state.seen_identifiers.add(item.identifier)
            state.listed.append(item)  # the whole listing, unfiltered: it is what the cache keeps
            if not judged:
                kept.append((item, False))
                state.counted += 1
                continue
            row = row_properties(fetch, item.identifier, item.properties)
            verdict = True if fetch.list_filter is None else admits(fetch.list_filter, row)
            if verdict is False:
                continue  # the statement's WHERE drops it: no GetResource, no row
            kept.append((item, needs_get(fetch, row)))
            # A resource the filter could not judge may still be dropped by SQLite: it does not fill the LIMIT.
            state.counted += verdict is True
        limit_reached = limit is not None and state.counted >= limit
        # The next page first: it is on the critical path, the gets of this page are not.
        if page.next_token and not limit_reached:
            self._request_page(state, page.next_token)
        elif not page.next_token and not state.truncated and not from_cache and self._may_store(state):
            self._cache.lists.put(state.list_key, tuple(state.listed), state.cache_ttl)
        for item, get in kept:
            if get:
                state.slots.append(_PENDING)
                self._request_get(state, len(state.slots) - 1, item.identifier)
            else:
                state.slots.append(FetchedResource(item.identifier, item.properties))

    def _fail(self, state: _FetchState, error: BaseException) -> None:
        if isinstance(error, Abandoned):
            return  # the fetch had already failed or its statement stopped; nothing new to report
        if isinstance(error, CredentialsError) and not state.run.several:
            if state.run.fatal is None:
                state.run.fatal = error
            state.run.stop()
        if not state.failed:
            state.failed = True
            state.result.error = error

    def _release(self, state: _FetchState) -> None:
        state.pending -= 1
        if state.pending:
            return
        state.result.resources = (
            [] if state.failed else [slot for slot in state.slots if isinstance(slot, FetchedResource)]
        )
        state.run.unfinished -= 1
        if state.run.unfinished == 0:
            state.run.finished.set()

    # ------------------------------------------------------------------ calls

    def _submit(
        self,
        state: _FetchState,
        key: tuple[Any, ...],
        operation: str,
        params: dict[str, Any],
        priority: int,
        deliver: Deliver,
        region: str | None = None,
        depth: int | None = None,
    ) -> None:
        """Queue a call (or join the identical one in flight); ``depth``: a list page, the next of that many."""
        region = region or state.fetch.region
        state.pending += 1
        state.run.progress.planned(state.fetch.account, region)
        call = self._inflight.get(key)
        if call is not None:
            self._counters.shared_calls += 1
            call.waiters.append((state, deliver))
            return
        run = state.run
        run.calls += 1
        if run.budget is not None and run.calls > run.budget and run.fatal is None:
            # Stopped before the call that would pass the budget: what was read is not returned at all.
            run.fatal = CallBudgetExceeded(run.budget)
            run.stop()
        call = _Call(
            key=key,
            target=state.target,
            region=region,
            type_name=state.fetch.type_name,
            operation=operation,
            params=params,
            priority=priority,
            waiters=[(state, deliver)],
            depth=depth,
        )
        self._inflight[key] = call
        assert self._pool is not None
        self._pool.submit(priority, lambda: self._execute(call), bucket=(call.target, call.region), depth=depth)

    def _execute(self, call: _Call) -> None:
        """A worker runs one call and hands its outcome to every waiter."""
        with self._lock:
            wanted = call.wanted
            caller = self._caller
        value: Any = None
        error: BaseException | None = None
        if not wanted:
            error = Abandoned()
        else:
            try:
                assert caller is not None
                response = caller.call(
                    call.target, call.region, call.operation, call.params, abandoned=lambda: not call.wanted
                )
                value = self._interpret(call, response)
            except Abandoned as abandoned:
                error = abandoned
            except BaseException as failure:  # every outcome must reach the waiters, or a fetch never ends
                value, error = self._classify(call, failure)
        with self._lock:
            if error is None:
                self._proven.add(call.target)
                self._observe(call, value)
            if error is None and call.waiters and self._may_store(call.waiters[0][0]):
                self._remember(call, value)
            if isinstance(error, Abandoned) and call.wanted:
                # Someone joined while the call was being given up: run it again for them.
                assert self._pool is not None
                self._pool.submit(
                    call.priority, lambda: self._execute(call), bucket=(call.target, call.region), depth=call.depth
                )
                return
            if self._inflight.get(call.key) is call:
                del self._inflight[call.key]
            waiters = list(call.waiters)
        for state, deliver in waiters:
            state.run.progress.done(state.fetch.account, call.region)
            deliver(value, error)

    def _interpret(self, call: _Call, response: dict[str, Any]) -> Any:
        if call.operation == "get_resource_request_status":
            event = _event_properties(response.get("ProgressEvent") or {})
            return FetchedResource(event.get("RequestToken") or call.params["RequestToken"], event)
        if call.operation == "list_resource_requests":
            events = [_event_properties(e) for e in response.get("ResourceRequestStatusSummaries") or ()]
            items = tuple(ListedResource(e.get("RequestToken", ""), e) for e in events)
            return _Page(items, response.get("NextToken") or None)
        if call.operation == "get_resource":
            description = response.get("ResourceDescription") or {}
            identifier = description.get("Identifier") or call.params["Identifier"]
            return FetchedResource(identifier, resource_properties(description.get("Properties")))
        # Parsed when first read: a count(*) over a listing never reads them.
        items = tuple(
            ListedResource(description.get("Identifier", ""), LazyProperties(description.get("Properties")))
            for description in response.get("ResourceDescriptions") or ()
        )
        return _Page(items, response.get("NextToken") or None)

    def _classify(self, call: _Call, failure: BaseException) -> tuple[Any, BaseException | None]:
        """A missing resource asked for by identifier is no row (in every wording AWS uses, and for an
        account-wide type asked in a region it does not live in); a child list whose parent does not exist
        is an empty list; everything else is an error."""
        if call.operation == "get_resource" and (is_not_found(failure) or is_wrong_region(failure)):
            return None, None
        if call.operation == "list_resources" and "ResourceModel" in call.params and is_not_found(failure):
            return _Page((), None), None
        if call.operation == "get_resource_request_status" and error_code(failure) == "RequestTokenNotFoundException":
            return None, None
        if isinstance(failure, AwsqlError) and not isinstance(failure, CredentialsError):
            return None, failure
        operation = "".join(part.title() for part in call.operation.split("_"))
        if is_region_rejecting_credentials(failure):
            # Decided once the statement's fetches are done: one region, or the credentials everywhere.
            return None, fetch_error(failure, region=call.region, type_name=call.type_name, operation=operation)
        if is_credentials_problem(failure):
            return None, credentials_error(failure, profile=call.target.profile)
        if not isinstance(failure, Exception):
            return None, failure
        return None, fetch_error(failure, region=call.region, type_name=call.type_name, operation=operation)

    def _remember(self, call: _Call, value: Any) -> None:
        ttl = call.waiters[0][0].cache_ttl
        kind, key = call.key[0], call.key[1]
        if kind == "GetResource":
            self._cache.gets.put(key, value, ttl)

    def _may_store(self, state: _FetchState) -> bool:
        """Asked again when storing: a request not awaited may have been sent since the fetch started."""
        return state.cacheable and not self._unsettled.blocks(_unsettled_key(state.fetch))


def _unsettled_key(fetch: Fetch) -> tuple[str | None, str, str]:
    """What an unsettled request blocks the cache of: its account, region and type."""
    return (fetch.account, fetch.region, fetch.type_name)


class _Identity:
    """STS GetCallerIdentity asked beside a statement's first calls, its answer awaited once they are done."""

    def __init__(self, ask: Callable[[], str | None]):
        self._done = threading.Event()
        self._value: str | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._ask, args=(ask,), daemon=True, name="awsql-identity").start()

    def _ask(self, ask: Callable[[], str | None]) -> None:
        try:
            self._value = ask()
        except BaseException as error:  # handed to the statement that waits for it
            self._error = error
        finally:
            self._done.set()

    def result(self, cancel: threading.Event | None) -> str | None:
        while not self._done.wait(_CANCEL_POLL_SECONDS):
            if cancel is not None and cancel.is_set():
                raise KeyboardInterrupt
        if self._error is not None:
            raise self._error
        return self._value


def _event_properties(event: dict[str, Any]) -> dict[str, Any]:
    """A ProgressEvent as row properties: times as ISO 8601 text, the resource model as an object."""
    properties = dict(event)
    for name in ("EventTime", "RetryAfter"):
        value = properties.get(name)
        if hasattr(value, "isoformat"):
            properties[name] = value.isoformat()
    if isinstance(properties.get("ResourceModel"), str):
        with contextlib.suppress(ValueError):  # not JSON: shown as the text it is
            properties["ResourceModel"] = json.loads(properties["ResourceModel"])
    return properties
