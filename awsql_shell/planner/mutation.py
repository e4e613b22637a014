"""Plan INSERT, UPDATE and DELETE: validate against the schema and decide the Cloud Control calls.

Pure: it reads the catalog, the parsed statement and values already in hand (literal rows, rows a query
returned, variables), never the network, so EXPLAIN validates exactly as the real run does. Every
problem is found before the first call: a statement that fails here changes nothing.

Each planned call carries its own ``ClientToken`` (a uuid4) made once, here, so every retry of that call
re-sends the same token and Cloud Control acts at most once per intended operation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awsql_shell.catalog import Catalog, Column, ResourceEntry, ResourceSchema
from awsql_shell.catalog.cloud_control import PROGRESS_EVENT_FIELDS, is_cloud_control
from awsql_shell.catalog.naming import fold
from awsql_shell.catalog.regions import REGIONS, DefaultRegion, is_region
from awsql_shell.catalog.schema import json_type_matches
from awsql_shell.engine.sqlite import quote_identifier
from awsql_shell.errors import (
    AmbiguousNameError,
    AwsqlError,
    UnknownNameError,
    UnsupportedError,
    ValidationError,
    did_you_mean,
)
from awsql_shell.gateway.tasks import CREATE, DELETE, UPDATE, MutationCall
from awsql_shell.sql.statements import ColumnRef, Delete, Insert, Literal, Select, Span, Statement, Update

# RETURNING may also name the region the call went to (not a ProgressEvent field, so not in *).
REGION_FIELD = "region"
FIELD_TYPES = {"ResourceModel": "object"}
# What a /*+ NOWAIT */ mutation without RETURNING answers: enough to follow the request later.
NOWAIT_FIELDS = ("RequestToken", "Operation", "OperationStatus", "TypeName", "Identifier", REGION_FIELD)

PATCH_OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
PATCH_DOCUMENT = "PatchDocument"
MAX_NESTED_DEPTH = 12
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
# stackql-deploy's form: string('{{ { "Prop": variable, ... } | generate_patch_document }}')
_PATCH_TEMPLATE = re.compile(r"^\s*\{\{\s*\{(?P<body>.*)\}\s*\|\s*generate_patch_document\s*\}\}\s*$", re.S)
_PATCH_TEMPLATE_ENTRY = re.compile(r'\s*"(?P<key>[^"]+)"\s*:\s*(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*')
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class MutationTarget:
    """The resource a mutation writes to, resolved in the catalog."""

    entry: ResourceEntry
    schema: ResourceSchema

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def type_name(self) -> str:
        return self.entry.type_name


@dataclass(frozen=True)
class InsertLayout:
    """What each position of an INSERT's rows feeds: a property column, or the ``region`` pseudo-column."""

    columns: tuple[Column, ...]  # one per listed column, in order
    region_index: int | None  # where the region is, when listed


@dataclass(frozen=True)
class DesiredResource:
    region: str
    state: dict[str, Any]


@dataclass(frozen=True)
class WhereTargets:
    """What an UPDATE's or DELETE's WHERE says about its targets without reading any resource."""

    regions: tuple[str, ...]
    region_defaulted: bool
    identifiers: tuple[str, ...] | None  # None: Identifier is not named (or is under an OR)
    only_identifiers: bool  # the WHERE is nothing but region and Identifier conjuncts

    @property
    def named(self) -> bool:
        """The targets are named by Identifier: no confirmation is needed (other conjuncts may only narrow)."""
        return self.identifiers is not None

    def pairs(self) -> list[tuple[str, str]]:
        return [(region, identifier) for region in self.regions for identifier in self.identifiers or ()]


def verb_of(statement: Statement) -> str:
    return type(statement).__name__.upper()


def _error(kind: type[AwsqlError], message: str, statement: Statement | None, span: Span | None) -> AwsqlError:
    """An error pointing into the statement's own text (right also when variables were substituted)."""
    if span is None or statement is None:
        return kind(message)
    return kind(message, position=span.start, statement=statement.text)


def _label(column: Column) -> str:
    return column.name if column.name == column.property else f"{column.name} ({column.property})"


# -- the target --------------------------------------------------------------------------------------


def resolve_target(catalog: Catalog, statement: Insert | Update | Delete) -> MutationTarget:
    """The resource type written to; its handler for the verb must exist."""
    ref = statement.target
    assert ref is not None
    verb = verb_of(statement)
    if is_cloud_control(ref.name):
        raise _error(
            UnsupportedError,
            f"{verb} needs a resource such as awscc.lambda.functions, not {ref.name} (which is read-only)",
            statement,
            ref.span,
        )
    try:
        resolved = catalog.resolve_resource(ref.name)
    except AwsqlError as exc:
        raise _error(type(exc), exc.message, statement, ref.span) from None
    if resolved.list_only:
        raise _error(
            ValidationError,
            f"{resolved.id} is a read-only list view: {verb} works on {resolved.entry.id}",
            statement,
            ref.span,
        )
    handler = {"INSERT": "create", "UPDATE": "update", "DELETE": "delete"}[verb]
    try:
        resolved.entry.require(handler, verb)
    except AwsqlError as exc:
        raise _error(type(exc), exc.message, statement, ref.span) from None
    return MutationTarget(resolved.entry, catalog.schema(resolved.entry.type_name))


def returning_fields(statement: Insert | Update | Delete) -> tuple[str, ...]:
    """RETURNING names resolved to ProgressEvent fields (forgiving: ``request_token`` is RequestToken)."""
    fields: list[str] = []
    known = {fold(name): name for name in (*PROGRESS_EVENT_FIELDS, REGION_FIELD)}
    for name in statement.returning:
        if name == "*":
            fields.extend(PROGRESS_EVENT_FIELDS)
            continue
        found = known.get(fold(name))
        if found is None:
            hint = did_you_mean(name, known.values(), key=fold)
            raise ValidationError(
                f"RETURNING takes ProgressEvent fields ({', '.join(PROGRESS_EVENT_FIELDS)}), region or *; "
                f"not '{name}'{hint}"
            )
        fields.append(found)
    return tuple(fields)


def _region(value: Any, statement: Statement, span: Span | None, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _error(ValidationError, f"{where}region must be a region name such as 'us-east-1'", statement, span)
    if not is_region(value):
        raise _error(ValidationError, f"{where}unknown region '{value}'{did_you_mean(value, REGIONS)}", statement, span)
    return value


def _default(default_region: DefaultRegion, target: MutationTarget) -> str:
    how = "give it (a region column in INSERT, WHERE region = '...' in UPDATE and DELETE)"
    return default_region.required(target.id, how)


def default_region_notice(verb: str, default_region: DefaultRegion) -> str:
    where = "no region column" if verb == "INSERT" else "no region in WHERE"
    return f"{where}; using the default region {default_region.name} ({default_region.source})"


# -- values --------------------------------------------------------------------------------------------


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"'{value}'" if isinstance(value, str) else type(value).__name__


def _refuse_template(value: Any, what: str) -> None:
    if isinstance(value, str) and _TEMPLATE.search(value):
        raise ValidationError(
            f"{what}: '{_TEMPLATE.search(value).group(0)}' is a template expression; awsql substitutes plain "  # type: ignore[union-attr]
            "{{ name }} variables only (--var, --vars-file, \\set)"
        )


def coerce(schema: ResourceSchema, column: Column, value: Any, where: str = "") -> Any:
    """``value`` as the JSON the schema wants for ``column``: JSON text parsed for objects and arrays,
    numbers and booleans from their text; anything that cannot be made to fit is an error naming the column."""
    what = f"{where}{_label(column)}"
    _refuse_template(value, what)
    kind = column.type
    converted = _convert(kind, value, what)
    if column.enum and converted not in column.enum:
        options = [str(option) for option in column.enum]
        hint = did_you_mean(str(converted), options) if isinstance(converted, str) else ""
        listed = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
        raise ValidationError(f"{what} cannot be {json.dumps(converted)}{hint}: it is one of {listed}")
    if kind in ("object", "array"):
        problem = check_nested(schema, schema.properties.get(column.property, {}), converted, column.property)
        if problem:
            raise ValidationError(f"{what}: {problem}")
    return converted


def _convert(kind: str, value: Any, what: str) -> Any:
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value
    elif kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value.strip())
        raise ValidationError(f"{what} expects an integer, not {_kind_of(value)}")
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = value.strip()
            if _INTEGER.fullmatch(text):
                return int(text)
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and number == number and abs(number) != float("inf"):
                return number
        raise ValidationError(f"{what} expects a number, not {_kind_of(value)}")
    elif kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)  # SQLite has no booleans: a query over resources gives 0 and 1
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        raise ValidationError(f"{what} expects a boolean (TRUE, FALSE, 'true' or 'false'), not {_kind_of(value)}")
    elif kind in ("object", "array"):
        wanted = dict if kind == "object" else list
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"{what} holds invalid JSON: {exc.msg} at character {exc.pos + 1}") from None
        if isinstance(value, wanted):
            return value
        raise ValidationError(f"{what} expects a JSON {kind}, not {_kind_of(value)}")
    raise ValidationError(f"{what} expects a string, not {_kind_of(value)}")


def check_nested(schema: ResourceSchema, node: Any, value: Any, path: str, depth: int = 0) -> str | None:
    """The first problem of a JSON value against its schema node: wrong JSON type, unknown or missing keys.

    Patterns, lengths and bounds are left to Cloud Control, which reports them itself."""
    if depth > MAX_NESTED_DEPTH or not isinstance(node, dict):
        return None
    node = schema.resolve(node)
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    if kinds and not any(json_type_matches(value, kind) for kind in kinds):
        expected = " or ".join(str(k) for k in kinds)
        return f"/{path} must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}, not {_kind_of(value)}"
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        for name in node.get("required", []):
            if name not in value:
                return f"/{path} needs {name}"
        closed = node.get("additionalProperties") is False and not node.get("patternProperties")
        for key, item in value.items():
            if key in properties:
                problem = check_nested(schema, properties[key], item, f"{path}/{key}", depth + 1)
                if problem:
                    return problem
            elif closed and properties:
                return f"/{path} has no property {key}{did_you_mean(key, properties, key=fold)}"
    elif isinstance(value, list):
        items = node.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                problem = check_nested(schema, items, item, f"{path}/{index}", depth + 1)
                if problem:
                    return problem
    return None


# -- INSERT ------------------------------------------------------------------------------------------


def _column(target: MutationTarget, ref: ColumnRef, statement: Statement) -> Column:
    """A column named in INSERT or SET, its errors in the statement's terms and at its position."""
    try:
        return target.schema.column(ref.name)
    except (UnknownNameError, AmbiguousNameError) as exc:
        message = exc.message.replace(f"in {target.schema.type_name}", f"in {target.id}")
        raise _error(type(exc), message, statement, ref.span) from None


def insert_layout(target: MutationTarget, statement: Insert) -> InsertLayout:
    """Resolve the column list: unknown, read-only and repeated columns and missing required ones are errors."""
    schema = target.schema
    columns: list[Column] = []
    seen: dict[str, str] = {}
    region_index = None
    for index, ref in enumerate(statement.columns):
        column = _column(target, ref, statement)
        if column.property in seen:
            raise _error(
                ValidationError,
                f"{ref.name} and {seen[column.property]} are the same column {_label(column)}",
                statement,
                ref.span,
            )
        seen[column.property] = ref.name
        if column.is_pseudo:
            region_index = index
        elif column.read_only:
            raise _error(
                ValidationError,
                f"{_label(column)} is read-only: Cloud Control sets it, so it cannot be given to INSERT",
                statement,
                ref.span,
            )
        columns.append(column)
    listed = {c.property for c in columns}
    missing = [
        schema.column(name) for name in sorted(schema.required) if name not in listed and name not in schema.read_only
    ]
    if missing:
        names = ", ".join(_label(c) for c in missing)
        noun = "property" if len(missing) == 1 else "properties"
        message = f"INSERT INTO {target.id} misses the required {noun} {names}"
        raise _error(ValidationError, message, statement, statement.target.span if statement.target else None)
    return InsertLayout(tuple(columns), region_index)


def desired_resources(
    target: MutationTarget,
    layout: InsertLayout,
    rows: Sequence[Sequence[Any]],
    default_region: DefaultRegion,
    statement: Insert,
    spans: Sequence[Sequence[Span]] | None = None,
) -> list[DesiredResource]:
    """One DesiredState per row, with its region; every row is checked before any is used."""
    resources = []
    numbered = len(rows) > 1
    for number, row in enumerate(rows, 1):
        where = f"row {number}: " if numbered else ""
        row_spans = spans[number - 1] if spans is not None else None
        if len(row) != len(layout.columns):
            raise ValidationError(
                f"{where}the query gives {len(row)} value{'s' if len(row) != 1 else ''} "
                f"but {len(layout.columns)} column{'s are' if len(layout.columns) != 1 else ' is'} listed"
            )
        state: dict[str, Any] = {}
        region = None
        for index, (column, value) in enumerate(zip(layout.columns, row, strict=True)):
            span = row_spans[index] if row_spans is not None else None
            if index == layout.region_index:
                region = _region(value, statement, span, where)
                continue
            if value is None:
                if column.property in target.schema.required:
                    message = f"{where}{_label(column)} is required: it cannot be NULL"
                    raise _error(ValidationError, message, statement, span)
                continue
            try:
                state[column.property] = coerce(target.schema, column, value, where)
            except AwsqlError as exc:
                raise _error(type(exc), exc.message, statement, span) from None
        resources.append(DesiredResource(region or _default(default_region, target), state))
    return resources


def literal_rows(statement: Insert) -> tuple[list[list[Any]], list[list[Span]]]:
    values = [[literal.value for literal in row] for row in statement.rows]
    spans = [[literal.span for literal in row] for row in statement.rows]
    return values, spans


def plan_creates(target: MutationTarget, resources: Sequence[DesiredResource]) -> list[MutationCall]:
    return [MutationCall(CREATE, r.region, target.type_name, desired_state=r.state) for r in resources]


# -- UPDATE ------------------------------------------------------------------------------------------


def patch_document(
    target: MutationTarget, statement: Update, variables: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], ...]:
    """The RFC 6902 operations of an UPDATE: a PatchDocument given whole (checked against the schema), or
    one per ``SET column = value`` (``add`` sets a property whether or not it is set now; NULL ``remove``s it)."""
    schema = target.schema
    whole = [a for a in statement.assignments if fold(a.column.name) == fold(PATCH_DOCUMENT)]
    if whole and not schema.has_column(PATCH_DOCUMENT):
        if len(statement.assignments) > 1:
            raise _error(
                ValidationError,
                "SET PatchDocument = '...' must be the only assignment (or use SET column = value, ...)",
                statement,
                whole[0].column.span,
            )
        return _given_patch(target, statement, whole[0].value, variables or {})
    operations: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for assignment in statement.assignments:
        ref = assignment.column
        column = _column(target, ref, statement)
        if column.property in seen:
            raise _error(ValidationError, f"{_label(column)} is set twice", statement, ref.span)
        seen[column.property] = ref.name
        _check_settable(target, column, statement, ref.span)
        value = assignment.value.value
        if value is None:
            if column.property in schema.required:
                raise _error(
                    ValidationError, f"{_label(column)} is required: it cannot be set to NULL", statement, ref.span
                )
            operations.append({"op": "remove", "path": f"/{_escape(column.property)}"})
            continue
        try:
            converted = coerce(schema, column, value)
        except AwsqlError as exc:
            raise _error(type(exc), exc.message, statement, assignment.value.span) from None
        operations.append({"op": "add", "path": f"/{_escape(column.property)}", "value": converted})
    return tuple(operations)


def _check_settable(target: MutationTarget, column: Column, statement: Statement | None, span: Span | None) -> None:
    if column.is_pseudo:
        raise _error(
            ValidationError,
            "region says where a resource is; it cannot be changed (create the resource in the other region)",
            statement,
            span,
        )
    if column.read_only:
        message = f"{_label(column)} is read-only: Cloud Control sets it, it cannot be updated"
        raise _error(ValidationError, message, statement, span)
    if column.create_only:
        raise _error(
            ValidationError,
            f"{_label(column)} is create-only: changing it needs replacement (DELETE the resource, then INSERT it)",
            statement,
            span,
        )


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _given_patch(
    target: MutationTarget, statement: Update, literal: Literal, variables: Mapping[str, str]
) -> tuple[dict[str, Any], ...]:
    text = literal.value
    if not isinstance(text, str):
        raise _error(
            ValidationError,
            "PatchDocument must be a string holding a JSON array of RFC 6902 operations",
            statement,
            literal.span,
        )
    template = _PATCH_TEMPLATE.match(text)
    try:
        if template:
            return _generated_patch(target, template.group("body"), variables)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"PatchDocument holds invalid JSON: {exc.msg} at character {exc.pos + 1}") from None
        return check_patch(target, document)
    except AwsqlError as exc:
        raise _error(type(exc), exc.message, statement, literal.span) from None


def _generated_patch(target: MutationTarget, body: str, variables: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    """``{ "Prop": variable, ... } | generate_patch_document``: an ``add`` per property from the variables."""
    entries = []
    for part in body.split(","):
        if not part.strip():
            continue
        match = _PATCH_TEMPLATE_ENTRY.fullmatch(part)
        if match is None:
            raise ValidationError(
                f"cannot read '{part.strip()}' in generate_patch_document: expected \"Property\": variable_name"
            )
        entries.append((match.group("key"), match.group("name")))
    missing = sorted({name for _, name in entries if name not in variables})
    if missing:
        noun = "variable" if len(missing) == 1 else "variables"
        raise ValidationError(f"undefined {noun}: {', '.join(missing)}")
    return check_patch(
        target, [{"op": "add", "path": f"/{_escape(key)}", "value": variables[name]} for key, name in entries]
    )


def check_patch(target: MutationTarget, document: Any) -> tuple[dict[str, Any], ...]:
    """Check a patch document: its shape (RFC 6902), and every path against the schema."""
    if not isinstance(document, list) or not document:
        raise ValidationError("PatchDocument must be a non-empty JSON array of RFC 6902 operations")
    checked = []
    for number, operation in enumerate(document, 1):
        where = f"PatchDocument operation {number}"
        if not isinstance(operation, dict):
            raise ValidationError(f'{where} must be an object such as {{"op": "add", "path": "/Name", ...}}')
        op = operation.get("op")
        if op not in PATCH_OPERATIONS:
            hint = did_you_mean(str(op), PATCH_OPERATIONS) if isinstance(op, str) else ""
            expected = ", ".join(PATCH_OPERATIONS)
            raise ValidationError(f"{where} has op {json.dumps(op)}{hint}: expected one of {expected}")
        needs = {"add": "value", "replace": "value", "test": "value", "move": "from", "copy": "from"}.get(op)
        if needs and needs not in operation:
            raise ValidationError(f'{where} ({op}) needs "{needs}"')
        operation = dict(operation)
        column = _patch_path(target, operation.get("path"), where, changes=op != "test")
        if op == "remove" and column.property in target.schema.required and operation["path"].count("/") == 1:
            raise ValidationError(f"{where} removes {_label(column)}, which is required")
        if "from" in operation and op in ("move", "copy"):
            _patch_path(target, operation["from"], f"{where} (from)", changes=op == "move")
        if "value" in operation and op in ("add", "replace") and operation["path"].count("/") == 1:
            operation["value"] = coerce(target.schema, column, operation["value"], f"{where}: ")
        checked.append(operation)
    return tuple(checked)


def _patch_path(target: MutationTarget, path: Any, where: str, *, changes: bool) -> Column:
    schema = target.schema
    if not isinstance(path, str) or not path.startswith("/") or path == "/":
        raise ValidationError(f'{where} needs a "path" such as "/{next(iter(schema.properties), "Name")}"')
    top = _unescape(path[1:].split("/", 1)[0])
    if top not in schema.properties:
        hint = ""
        if schema.has_column(top) and not schema.column(top).is_pseudo:
            hint = f" (did you mean '/{schema.column(top).property}'? paths use CloudFormation names)"
        else:
            hint = did_you_mean(top, schema.properties, key=fold)
        raise ValidationError(f"{where}: {target.id} has no property '{top}'{hint}")
    column = schema.column(top)
    if changes:
        _check_settable(target, column, None, None)
    return column


# -- UPDATE and DELETE: which resources ------------------------------------------------------------


def where_targets(
    target: MutationTarget, statement: Update | Delete, default_region: DefaultRegion, query: Select
) -> WhereTargets:
    """Regions and identifiers named in WHERE; ``query`` is ``targets_query`` (it counts the conjuncts)."""
    regions: list[str] | None = None
    identifiers: list[str] | None = None
    for comparison in statement.where:
        name = fold(comparison.column.name)
        if name == "region":
            values = [_region(v.value, statement, v.span, "") for v in comparison.values]
            regions = values if regions is None else [r for r in regions if r in values]
        elif name == "identifier":
            values = [_identifier(target, v, statement) for v in comparison.values]
            identifiers = values if identifiers is None else [i for i in identifiers if i in values]
    if not statement.where_is_simple:
        identifiers = None
    defaulted = regions is None
    chosen = [_default(default_region, target)] if regions is None else regions
    conjuncts = query.scopes[0].where_conjuncts if query.scopes else 0
    only = (
        identifiers is not None
        and conjuncts == len(statement.where)
        and all(fold(c.column.name) in ("region", "identifier") for c in statement.where)
    )
    return WhereTargets(
        tuple(dict.fromkeys(chosen)),
        defaulted,
        tuple(dict.fromkeys(identifiers)) if identifiers is not None else None,
        only,
    )


def _identifier(target: MutationTarget, literal: Literal, statement: Statement) -> str:
    """An Identifier from WHERE, refused before any call when it cannot name a resource of the target type."""
    value = literal.value
    if value is None or isinstance(value, bool):
        raise _error(ValidationError, "Identifier must be a string such as 'name'", statement, literal.span)
    text = str(value)
    try:
        target.schema.check_identifier(text)
    except ValidationError as exc:
        # In the terms of the statement: the table as typed rather than the CloudFormation type.
        message = exc.message.replace(target.type_name, target.id)
        raise _error(ValidationError, message, statement, literal.span) from None
    return text


def targets_query_text(target: MutationTarget, statement: Update | Delete) -> str:
    """A SELECT of the region and Identifier of every resource the WHERE matches."""
    ref = statement.target
    assert ref is not None
    schema = target.schema
    parts = []
    for path in schema.primary_identifier:
        top, _, rest = path.partition("/")
        column = quote_identifier(schema.column(top).name)
        if rest:
            json_path = "$." + ".".join(f'"{part}"' for part in rest.split("/"))
            parts.append(f"json_extract({column}, '{json_path}')")
        else:
            parts.append(f"CAST({column} AS TEXT)")
    identifier = " || '|' || ".join(parts) if parts else "''"
    alias = f" {ref.alias}" if ref.alias else ""
    where = f" WHERE {statement.where_text}" if statement.where_text else ""
    return f"SELECT region, {identifier} AS identifier FROM {ref.name}{alias}{where}"


def plan_updates(
    target: MutationTarget, pairs: Sequence[tuple[str, str]], patch: tuple[dict[str, Any], ...]
) -> list[MutationCall]:
    return [MutationCall(UPDATE, region, target.type_name, identifier=i, patch_document=patch) for region, i in pairs]


def plan_deletes(target: MutationTarget, pairs: Sequence[tuple[str, str]]) -> list[MutationCall]:
    return [MutationCall(DELETE, region, target.type_name, identifier=i) for region, i in pairs]
