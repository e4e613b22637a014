"""Values completion cannot find in the catalog: what the session has seen and set."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

MAX_IDENTIFIERS_PER_TYPE = 1000


class CompletionValues(Protocol):
    """What the REPL knows that completion may offer. Every call must be instant (no network)."""

    @property
    def default_region(self) -> str | None: ...

    def identifiers(self, type_name: str) -> Iterable[str]:
        """Primary identifiers of `type_name` seen in earlier results, most recent first."""
        ...

    def profiles(self) -> Iterable[str]: ...

    def variables(self) -> Iterable[str]: ...

    def named_queries(self) -> Iterable[str]: ...


@dataclass
class SessionValues:
    """A ready `CompletionValues` the REPL can keep and feed: `remember()` identifiers after each result;
    `known_variables` may be the session's own variables mapping so that `\\set` shows up at once."""

    default_region: str | None = None
    profile_names: tuple[str, ...] = ()
    known_variables: Mapping[str, str] = field(default_factory=dict)
    # Reads the config file's [named queries] when asked (they change with \ns and \nd).
    query_names: Callable[[], Iterable[str]] = lambda: ()
    _seen: dict[str, dict[str, None]] = field(default_factory=dict, repr=False)

    def remember(self, type_name: str, identifiers: Iterable[str]) -> None:
        seen = self._seen.setdefault(type_name, {})
        for identifier in identifiers:
            seen.pop(identifier, None)
            seen[identifier] = None  # re-inserted last: the dict keeps recency order
        while len(seen) > MAX_IDENTIFIERS_PER_TYPE:
            seen.pop(next(iter(seen)))

    def identifiers(self, type_name: str) -> tuple[str, ...]:
        return tuple(reversed(tuple(self._seen.get(type_name, {}))))

    def profiles(self) -> tuple[str, ...]:
        return self.profile_names

    def variables(self) -> tuple[str, ...]:
        return tuple(self.known_variables)

    def named_queries(self) -> tuple[str, ...]:
        try:
            return tuple(sorted(self.query_names()))
        except Exception:  # a broken config file: \n says so; completion offers nothing
            return ()
