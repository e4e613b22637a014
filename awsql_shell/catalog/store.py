"""The embedded catalog: every resource type by its StackQL name, schemas decoded on demand."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from awsql_shell.catalog import awsql_tables, naming
from awsql_shell.catalog.schema import ResourceSchema
from awsql_shell.errors import AmbiguousNameError, UnknownNameError, UnsupportedError, did_you_mean

CATALOG_PATH = Path(__file__).with_name("data") / "catalog.bin"
MAGIC = b"AWSQLCAT2\n"
LIST_ONLY_SUFFIX = "_list_only"
_HANDLER_LETTERS = {"c": "create", "r": "read", "u": "update", "d": "delete", "l": "list"}


@dataclass(frozen=True)
class ResourceEntry:
    """What the index knows about a type without decoding its schema."""

    type_name: str
    service: str
    resource: str
    handlers: frozenset[str]
    description: str
    offset: int
    length: int

    @property
    def id(self) -> str:
        return f"{naming.PROVIDER}.{self.service}.{self.resource}"

    @property
    def list_only_id(self) -> str | None:
        return f"{self.id}{LIST_ONLY_SUFFIX}" if "list" in self.handlers else None

    @property
    def provisionable(self) -> bool:
        return bool(self.handlers)

    def require(self, handler: str, verb: str) -> None:
        """Raise a clear error when Cloud Control has no handler for what the statement needs."""
        if not self.handlers:
            raise UnsupportedError(
                f"{self.id} ({self.type_name}) is not supported by Cloud Control: the type has no handlers"
            )
        if handler not in self.handlers:
            raise UnsupportedError(
                f"{self.id} ({self.type_name}) does not support {verb}: Cloud Control has no {handler} handler for it"
            )


@dataclass(frozen=True)
class ResolvedResource:
    """A resource reference as the user wrote it, resolved: the type and whether it is the list view."""

    entry: ResourceEntry
    list_only: bool = False

    @property
    def id(self) -> str:
        return self.entry.list_only_id if self.list_only else self.entry.id  # type: ignore[return-value]


@dataclass(frozen=True)
class Service:
    name: str
    resources: int

    @property
    def id(self) -> str:
        return f"{naming.PROVIDER}.{self.name}"


class Catalog:
    def __init__(self, path: Path = CATALOG_PATH):
        self.path = path
        with path.open("rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise RuntimeError(f"{path} is not an awsql catalog; rebuild it with 'make catalog'")
            length = int.from_bytes(handle.read(4), "big")
            index = json.loads(zlib.decompress(handle.read(length)))
        self._data_start = len(MAGIC) + 4 + length
        self.source: str = index["source"]
        self._entries: dict[str, ResourceEntry] = {}
        for type_name, service, resource, handlers, description, offset, size in index["types"]:
            self._entries[type_name] = ResourceEntry(
                type_name=type_name,
                service=service,
                resource=resource,
                handlers=frozenset(_HANDLER_LETTERS[letter] for letter in handlers),
                description=description,
                offset=offset,
                length=size,
            )
        self._schemas: dict[str, ResourceSchema] = {}

    # -- listing -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[ResourceEntry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    @cached_property
    def _by_service(self) -> dict[str, list[ResourceEntry]]:
        grouped: dict[str, list[ResourceEntry]] = {}
        for entry in self._entries.values():
            grouped.setdefault(entry.service, []).append(entry)
        return {name: sorted(entries, key=lambda e: e.resource) for name, entries in sorted(grouped.items())}

    def services(self) -> list[Service]:
        return [Service(name, len(entries)) for name, entries in self._by_service.items()]

    def resources(self, service: str) -> list[ResourceEntry]:
        return list(self._by_service[self.resolve_service(service)])

    def entry(self, type_name: str) -> ResourceEntry:
        try:
            return self._entries[type_name]
        except KeyError:
            hint = did_you_mean(type_name, self._entries, key=naming.fold)
            raise UnknownNameError(f"unknown resource type '{type_name}'{hint}") from None

    # -- forgiving resolution --------------------------------------------------------------

    def resolve_service(self, typed: str) -> str:
        name = typed.lower()
        if name.startswith(f"{naming.PROVIDER}."):
            name = name[len(naming.PROVIDER) + 1 :]
        if name in self._by_service:
            return name
        folded = [s for s in self._by_service if naming.fold(s) == naming.fold(name)]
        if len(folded) == 1:
            return folded[0]
        hint = did_you_mean(name, self._by_service, key=naming.fold)
        raise UnknownNameError(f"unknown service '{typed}'{hint}")

    def resolve_resource(self, typed: str) -> ResolvedResource:
        """``awscc.lambda.functions``, ``Lambda.Functions``, ``awscc.lambda.functions_list_only``
        or ``AWS::Lambda::Function``; case and underscores are ignored."""
        if "::" in typed:
            lowered = {t.lower(): t for t in self._entries}
            if typed.lower() in lowered:
                return ResolvedResource(self._entries[lowered[typed.lower()]])
            return ResolvedResource(self.entry(typed))
        parts = typed.split(".")
        if len(parts) == 2 and parts[0].lower() == awsql_tables.PROVIDER:
            name = typed.lower()
            if awsql_tables.is_awsql_table(name):
                raise UnsupportedError(f"{name} is one of awsql's own tables, answered by the session: SELECT it")
            listed = ", ".join(awsql_tables.COLUMNS)
            raise UnknownNameError(f"unknown table '{typed}'{did_you_mean(name, awsql_tables.COLUMNS)} ({listed})")
        if len(parts) == 3 and parts[0].lower() == naming.PROVIDER:
            parts = parts[1:]
        if len(parts) == 1 or (len(parts) == 2 and parts[0].lower() == naming.PROVIDER):
            self._refuse_service(typed, parts[-1])
        if len(parts) != 2:
            raise UnknownNameError(f"'{typed}' is not a resource name: expected {naming.PROVIDER}.<service>.<resource>")
        service = self.resolve_service(parts[0])
        candidates = self._by_service[service]
        return self._resolve_in_service(typed, parts[1], service, candidates)

    def _refuse_service(self, typed: str, last: str) -> None:
        """A service where a resource is due (``DESCRIBE awscc.lambda``): say what it is and how to list what
        it holds, rather than read ``awscc`` as an unknown service."""
        try:
            service = self.resolve_service(last)
        except UnknownNameError:
            return
        raise UnknownNameError(
            f"'{typed}' is a service, not a resource: SHOW RESOURCES IN {naming.PROVIDER}.{service} lists its "
            f"resources (then DESCRIBE {naming.PROVIDER}.{service}.<resource>)"
        )

    def _resolve_in_service(
        self, typed: str, resource: str, service: str, candidates: list[ResourceEntry]
    ) -> ResolvedResource:
        options: dict[str, ResolvedResource] = {}
        for entry in candidates:
            options[entry.resource] = ResolvedResource(entry)
            if entry.list_only_id:
                options[entry.resource + LIST_ONLY_SUFFIX] = ResolvedResource(entry, list_only=True)
        if resource in options:
            return options[resource]
        matches = [name for name in options if naming.fold(name) == naming.fold(resource)]
        if len(matches) == 1:
            return options[matches[0]]
        if matches:
            listed = ", ".join(f"{naming.PROVIDER}.{service}.{m}" for m in matches)
            raise AmbiguousNameError(f"'{typed}' is ambiguous: {listed}")
        hint = did_you_mean(resource, options, key=naming.fold)
        if hint:
            hint = hint.replace("'", f"'{naming.PROVIDER}.{service}.", 1).replace(
                " or '", f" or '{naming.PROVIDER}.{service}."
            )
        raise UnknownNameError(f"unknown resource '{typed}'{hint}")

    def list_parent(self, entry: ResourceEntry, prop: str) -> ResourceEntry | None:
        """The type whose identifier a list handler's required ``prop`` names: event invoke configs are
        listed per function (FunctionName), nodegroups per cluster (ClusterName). None when unsure."""
        exact: list[ResourceEntry] = []
        loose: list[ResourceEntry] = []
        for other in self._by_service.get(entry.service, ()):
            if other is entry or "list" not in other.handlers:
                continue
            identifiers = self.schema(other.type_name).primary_identifier
            if len(identifiers) != 1:
                continue
            last = naming.split_type_name(other.type_name)[2]
            if prop == f"{last}{identifiers[0]}" or (prop == identifiers[0] and prop.startswith(last)):
                exact.append(other)
            elif prop == identifiers[0]:
                loose.append(other)
        found = exact or loose
        return found[0] if len(found) == 1 else None

    # -- schemas -------------------------------------------------------------------------

    def schema(self, type_name: str) -> ResourceSchema:
        cached = self._schemas.get(type_name)
        if cached is None:
            entry = self.entry(type_name)
            with self.path.open("rb") as handle:
                handle.seek(self._data_start + entry.offset)
                raw = json.loads(zlib.decompress(handle.read(entry.length)))
            cached = self._schemas[type_name] = ResourceSchema(raw)
        return cached


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog shipped in the package, loaded once per process (it is read-only data)."""
    return Catalog()
