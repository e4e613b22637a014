"""A session's memory of what Cloud Control answered, each entry good for a fixed time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from awsql_shell.gateway.vocabulary import FetchedResource

Value = TypeVar("Value")


@dataclass(frozen=True)
class GetKey:
    target: Any  # the clients.Target (credentials and endpoint): entries are per account
    region: str
    type_name: str
    identifier: str


@dataclass(frozen=True)
class ListKey:
    """A complete listing; ``resource_model`` is the canonical JSON of the ListResources ResourceModel."""

    target: Any
    region: str
    type_name: str
    resource_model: str | None


@dataclass(frozen=True)
class ListedResource:
    """One entry of a ListResources page: the identifier and the (usually few) properties listed with it."""

    identifier: str
    properties: dict[str, Any]


class _NotCached:
    pass


NOT_CACHED: Any = _NotCached()


class TtlCache(Generic[Value]):
    """Entries expire ``ttl`` seconds (of ``clock``) after they were stored. Thread-safe."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Any, tuple[float, Value]] = {}

    def get(self, key: Any) -> Value | Any:
        """The value, or ``NOT_CACHED`` when absent or expired (``None`` is a legitimate cached value)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return NOT_CACHED
            expires_at, value = entry
            if self._clock() >= expires_at:
                del self._entries[key]
                return NOT_CACHED
            return value

    def put(self, key: Any, value: Value, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + ttl, value)

    def discard_where(self, predicate: Callable[[Any], bool]) -> int:
        with self._lock:
            doomed = [key for key in self._entries if predicate(key)]
            for key in doomed:
                del self._entries[key]
            return len(doomed)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


@dataclass
class ResourceCache:
    """Single resources (``None`` remembers that one does not exist) and complete listings."""

    gets: TtlCache[FetchedResource | None]
    lists: TtlCache[tuple[ListedResource, ...]]

    @classmethod
    def create(cls, clock: Callable[[], float]) -> ResourceCache:
        return cls(gets=TtlCache(clock), lists=TtlCache(clock))

    def invalidate(self, region: str, type_name: str, identifier: str | None = None) -> None:
        """Forget a resource (or a whole type in a region) and every listing of its type there."""

        def same_type(key: GetKey | ListKey) -> bool:
            return key.region == region and key.type_name == type_name

        self.lists.discard_where(same_type)
        self.gets.discard_where(lambda key: same_type(key) and (identifier is None or key.identifier == identifier))

    def clear(self) -> None:
        self.gets.clear()
        self.lists.clear()


@dataclass(frozen=True)
class UnsettledRequest:
    """A request that changes a resource, sent by this session and not yet seen finished."""

    region: str
    type_name: str
    identifier: str | None
    account: str | None = None  # as Fetch.account

    @property
    def key(self) -> tuple[str | None, str, str]:
        return (self.account, self.region, self.type_name)


class UnsettledRequests:
    """This session's unfinished requests by RequestToken, oldest first. While one is listed, what is read
    about its type in its region may change any moment, so the cache must neither answer nor keep it.
    Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[str, UnsettledRequest] = {}

    def add(self, token: str, request: UnsettledRequest) -> None:
        with self._lock:
            self._requests[token] = request

    def tokens(self, key: tuple[str | None, str, str]) -> list[str]:
        """The requests still going for (account, region, type), oldest first."""
        with self._lock:
            return [token for token, request in self._requests.items() if request.key == key]

    def blocks(self, key: tuple[str | None, str, str]) -> bool:
        with self._lock:
            return any(request.key == key for request in self._requests.values())

    def settle(self, token: str) -> UnsettledRequest | None:
        """Forget a request now known to be finished; the request, when it was one of ours."""
        with self._lock:
            return self._requests.pop(token, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._requests)
