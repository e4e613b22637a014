"""One resource type's CloudFormation schema, read the way awsql needs it.

``$ref`` pointers resolve within the schema and lazily: some definitions are recursive, so
nothing walks the whole tree up front.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from awsql_shell.catalog.naming import ACCOUNT_ID, PSEUDO_COLUMNS, REGION, column_name, fold, property_column
from awsql_shell.errors import AmbiguousNameError, UnknownNameError, ValidationError, did_you_mean

JSON_SCALARS = ("string", "integer", "number", "boolean")
REGION_DESCRIPTION = "AWS region."
ACCOUNT_DESCRIPTION = "The 12-digit AWS account the resource is in."
MAX_NESTING = 8


def json_type_matches(value: Any, kind: str) -> bool:
    """Whether a decoded JSON value is of a JSON Schema ``type`` (``2.0`` is an integer; ``True`` is not)."""
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        if isinstance(value, float):
            return value.is_integer()
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "null":
        return value is None
    return True


def identifier_values(identifier: str, primary_identifier: Sequence[str]) -> dict[str, str]:
    """The identifier properties a ``ResourceDescription.Identifier`` spells: Cloud Control joins the values of
    a compound primary identifier with '|' in ``primaryIdentifier`` order (``orders-api|$LATEST`` is
    FunctionName ``orders-api`` and Qualifier ``$LATEST``); a single one is the value itself. Empty when it
    cannot be read so: a nested identifier path (``StorageLensConfiguration/Id``) or another number of parts."""
    if not identifier or not primary_identifier or any("/" in path for path in primary_identifier):
        return {}
    parts = identifier.split("|") if len(primary_identifier) > 1 else [identifier]
    if len(parts) != len(primary_identifier):
        return {}
    return dict(zip(primary_identifier, parts, strict=True))


def with_identifier_values(
    properties: Mapping[str, Any], identifier: str, primary_identifier: Sequence[str]
) -> Mapping[str, Any]:
    """``properties`` with the identifier properties they leave out (or hold as null) read from ``identifier``:
    some list handlers, and some read handlers, return a model without them, yet the identifier always says."""
    if all(properties.get(name) is not None for name in primary_identifier):
        return properties  # the common case, on every resource of every listing: nothing to read or split
    missing = {
        name: value
        for name, value in identifier_values(identifier, primary_identifier).items()
        if properties.get(name) is None
    }
    return {**properties, **missing} if missing else properties


@dataclass(frozen=True)
class Column:
    """A top-level property as a SQL column (or one of the pseudo-columns ``region`` and ``account_id``)."""

    name: str
    property: str  # CloudFormation property name; the column's own name for a pseudo-column
    type: str  # string, integer, number, boolean, object, array
    description: str
    required: bool = False
    identifier: bool = False
    read_only: bool = False
    create_only: bool = False
    write_only: bool = False
    enum: tuple[Any, ...] = ()

    @property
    def is_json(self) -> bool:
        return self.type in ("object", "array")

    @property
    def is_pseudo(self) -> bool:
        """``region`` or ``account_id``: filled from where the call went, not from a property."""
        return self.property in PSEUDO_COLUMNS


# Every resource's own columns, after its properties: where each row's calls went.
PSEUDO: tuple[Column, ...] = (
    Column(REGION, REGION, "string", REGION_DESCRIPTION),
    Column(ACCOUNT_ID, ACCOUNT_ID, "string", ACCOUNT_DESCRIPTION),
)


@dataclass(frozen=True)
class Field:
    """A property at any depth, for DESCRIBE EXTENDED."""

    name: str
    property: str
    type: str
    description: str
    children: tuple[Field, ...] = field(default=())


class ResourceSchema:
    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.type_name: str = raw["typeName"]
        self.description: str = " ".join((raw.get("description") or "").split())

    # -- pointers -------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` (also ``resource-schema.json#/...`` from handler schemas) to a node."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            ref = node["$ref"]
            _, _, pointer = ref.partition("#")
            target: Any = self.raw
            for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
                if not isinstance(target, dict) or part not in target:
                    return {}
                target = target[part]
            merged = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **merged} if merged else target
            seen += 1
        return node

    def _top_level(self, key: str) -> frozenset[str]:
        names = set()
        for pointer in self.raw.get(key, []):
            parts = pointer.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "properties":
                names.add(parts[1])
        return frozenset(names)

    # -- the facts statements use ---------------------------------------------------------

    @cached_property
    def properties(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("properties", {}))

    @cached_property
    def primary_identifier(self) -> tuple[str, ...]:
        """Paths below ``/properties``: usually a property name, sometimes nested (``StorageLensConfiguration/Id``)."""
        return tuple(p.removeprefix("/properties/") for p in self.raw.get("primaryIdentifier", []))

    @cached_property
    def identifier_properties(self) -> frozenset[str]:
        """The top-level properties that hold the primary identifier."""
        return frozenset(path.split("/", 1)[0] for path in self.primary_identifier)

    @cached_property
    def required(self) -> frozenset[str]:
        return frozenset(self.raw.get("required", []))

    @cached_property
    def read_only(self) -> frozenset[str]:
        return self._top_level("readOnlyProperties")

    @cached_property
    def create_only(self) -> frozenset[str]:
        return self._top_level("createOnlyProperties")

    @cached_property
    def write_only(self) -> frozenset[str]:
        return self._top_level("writeOnlyProperties")

    @cached_property
    def write_only_paths(self) -> tuple[tuple[str, ...], ...]:
        """Every ``writeOnlyProperties`` pointer at any depth, as tokens below ``/properties`` (``*``: any
        array index): ``/properties/Code/ZipFile`` is ``("Code", "ZipFile")``."""
        paths = []
        for pointer in self.raw.get("writeOnlyProperties", []):
            parts = tuple(pointer.strip("/").split("/"))
            if len(parts) >= 2 and parts[0] == "properties":
                paths.append(parts[1:])
        return tuple(paths)

    def identifier_in(self, model: dict[str, Any]) -> str | None:
        """The Identifier a model names: its primary identifier values joined by ``|``, or None when it
        leaves a part out (Cloud Control then makes the identifier up, as for a queue's URL)."""
        parts = []
        for path in self.primary_identifier:
            value: Any = model
            for token in path.split("/"):
                value = value.get(token) if isinstance(value, dict) else None
            if value is None or isinstance(value, dict | list) or value == "":
                return None
            parts.append(str(value).lower() if isinstance(value, bool) else str(value))
        return "|".join(parts) if parts else None

    @cached_property
    def handlers(self) -> dict[str, dict[str, Any]]:
        return dict(self.raw.get("handlers", {}))

    def permissions(self, handler: str) -> tuple[str, ...]:
        return tuple(self.handlers.get(handler, {}).get("permissions", []))

    @cached_property
    def list_required(self) -> tuple[str, ...]:
        """Properties the list handler needs in ``ResourceModel`` (e.g. an EKS cluster name)."""
        schema = self.handlers.get("list", {}).get("handlerSchema", {})
        return tuple(schema.get("required", []))

    def property_type(self, node: dict[str, Any]) -> str:
        node = self.resolve(node)
        kind = node.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind in JSON_SCALARS or kind in ("object", "array"):
            return kind
        if "properties" in node or "patternProperties" in node:
            return "object"
        if "items" in node:
            return "array"
        for combinator in ("oneOf", "anyOf", "allOf"):
            options = node.get(combinator)
            if options:
                kinds = {self.property_type(option) for option in options}
                return kinds.pop() if len(kinds) == 1 else "object"
        return "string"

    def property_description(self, name: str) -> str:
        node = self.properties.get(name, {})
        text = node.get("description") or self.resolve(node).get("description") or ""
        return " ".join(text.split())

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        """Columns by name, then ``region``: the order of StackQL's pages, DESCRIBE and ``SELECT *``."""
        identifiers = self.identifier_properties
        columns = []
        for name, node in self.properties.items():
            resolved = self.resolve(node)
            columns.append(
                Column(
                    name=property_column(name),
                    property=name,
                    type=self.property_type(node),
                    description=self.property_description(name),
                    required=name in self.required,
                    identifier=name in identifiers,
                    read_only=name in self.read_only,
                    create_only=name in self.create_only,
                    write_only=name in self.write_only,
                    enum=tuple(resolved.get("enum", ())),
                )
            )
        columns.sort(key=lambda column: column.name)
        return (*columns, *PSEUDO)

    @cached_property
    def list_columns(self) -> tuple[Column, ...]:
        """What a ListResources result carries: the primary identifier parts, the properties the list handler
        was given (``cluster_name`` for nodegroups), ``region`` and ``account_id``."""
        listed = self.identifier_properties | set(self.list_required)
        return tuple(c for c in self.columns if c.property in listed or c.is_pseudo)

    def column(self, typed: str) -> Column:
        """Forgiving lookup: exact name, CloudFormation name, or equal ignoring case and underscores."""
        for column in self.columns:
            if typed in (column.name, column.property):
                return column
        matches = [c for c in self.columns if fold(c.name) == fold(typed) or fold(c.property) == fold(typed)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(c.name for c in matches)
            raise AmbiguousNameError(f"column '{typed}' is ambiguous in {self.type_name}: {names}")
        hint = did_you_mean(typed, [c.name for c in self.columns], key=fold)
        raise UnknownNameError(f"unknown column '{typed}' in {self.type_name}{hint}")

    def check_identifier(self, value: str) -> None:
        """Refuse, before any call, an Identifier that cannot name a resource of this type: empty, or with
        the wrong number of ``|``-joined parts for a compound primary identifier (a JSON object is left to
        Cloud Control)."""
        parts = len(self.primary_identifier)
        if not value.strip():
            raise ValidationError(f"an empty Identifier names no {self.type_name}")
        if parts > 1 and not value.lstrip().startswith("{") and len(value.split("|")) != parts:
            form = "|".join(self.primary_identifier)
            raise ValidationError(f"Identifier '{value}' of {self.type_name} needs {parts} parts joined by '|': {form}")

    def has_column(self, typed: str) -> bool:
        try:
            self.column(typed)
        except (UnknownNameError, AmbiguousNameError):
            return False
        return True

    # -- nested fields for DESCRIBE EXTENDED ------------------------------------------------

    def fields(self) -> tuple[Field, ...]:
        return tuple(self._field(name, node, depth=0, trail=()) for name, node in self.properties.items())

    def _field(self, name: str, node: dict[str, Any], depth: int, trail: tuple[str, ...]) -> Field:
        ref = node.get("$ref") if isinstance(node, dict) else None
        resolved = self.resolve(node)
        kind = self.property_type(node)
        description = " ".join((node.get("description") or resolved.get("description") or "").split())
        children: tuple[Field, ...] = ()
        # A definition that contains itself (a recursive $ref) stops at its second appearance.
        if depth < MAX_NESTING and not (ref and ref in trail):
            body = resolved.get("items", {}) if kind == "array" else resolved
            body = self.resolve(body)
            nested = body.get("properties", {}) if isinstance(body, dict) else {}
            inner_ref = (resolved.get("items") or {}).get("$ref") if kind == "array" else None
            next_trail = trail + tuple(r for r in (ref, inner_ref) if r)
            children = tuple(self._field(k, v, depth + 1, next_trail) for k, v in nested.items())
        return Field(column_name(name), name, kind, description, children)
