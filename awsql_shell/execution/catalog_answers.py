"""SHOW and DESCRIBE statements: answered from the embedded catalog alone, never from AWS.

Each statement kind has one pure function ``(catalog, statement) -> Result``; ``run_metadata``
dispatches on the statement's type. What the results teach is what a StackQL documentation page
teaches (``seed-event_invoke_configs.md``): fields with types and descriptions, methods with their
required parameters and IAM permissions, and a ready INSERT template.

Decisions worth knowing:
- Rows are sorted by name, ``region`` last, as StackQL's pages list fields and INSERT columns.
- SHOW RESOURCES lists each ``_list_only`` view as its own row right after its resource, and adds
  ``supported`` (false: the type has no Cloud Control handlers, it can only be described) and
  ``operations`` (the SQL verbs Cloud Control allows on that row's table).
- SHOW METHODS keeps StackQL's ``required_params`` exactly; what StackQL leaves out goes to an extra
  ``notes`` column: how a compound ``Identifier`` is formed, and the properties a list handler needs
  in WHERE (it fails without them: ``awscc.eks.nodegroups`` needs ``cluster_name``).
- DESCRIBE EXTENDED names nested fields by their dotted column path
  (``destination_config.on_failure.destination``) and gives ``property`` as the dotted CloudFormation
  path (``DestinationConfig.OnFailure.Destination``), ready for ``json_extract(col, '$.OnFailure...')``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from awsql_shell.catalog import (
    Catalog,
    Column,
    Field,
    ResolvedResource,
    ResourceEntry,
    ResourceSchema,
    awsql_tables,
    cloud_control,
)
from awsql_shell.catalog.naming import PROVIDER, fold, property_column
from awsql_shell.errors import AwsqlError, UnknownNameError, UnsupportedError, did_you_mean
from awsql_shell.planner.plans import CATALOG_STATEMENTS, CatalogPlan
from awsql_shell.result import Result
from awsql_shell.sql.statements import (
    CatalogQuery,
    Describe,
    ShowInsert,
    ShowMethods,
    ShowProviders,
    ShowResources,
    ShowServices,
    Statement,
)

REGION = "region"
DESCRIBE_COLUMNS = ("name", "type", "description")
EXTENDED_FLAGS = ("required", "identifier", "read_only", "create_only", "write_only")
DESCRIBE_EXTENDED_COLUMNS = (*DESCRIBE_COLUMNS, "property", *EXTENDED_FLAGS)
METHOD_COLUMNS = ("name", "sql_verb", "required_params", "permissions", "resource", "notes")
RESOURCE_COLUMNS = ("name", "id", "type_name", "description", "supported", "operations")
INSERT_COLUMN = "insert_statement"

# Handler -> (method name, SQL verb), in the order StackQL's Methods tables list them.
METHODS: tuple[tuple[str, str, str], ...] = (
    ("create", "create_resource", "INSERT"),
    ("delete", "delete_resource", "DELETE"),
    ("update", "update_resource", "UPDATE"),
    ("list", "list_resources", "SELECT"),
    ("read", "get_resource", "SELECT"),
)
_VERBS_BY_HANDLER = (("read", "SELECT"), ("create", "INSERT"), ("update", "UPDATE"), ("delete", "DELETE"))


# -- small pure helpers ---------------------------------------------------------------------


def like_matcher(pattern: str | None) -> Callable[[str], bool]:
    """SQL LIKE as SQLite does it: ``%`` any run, ``_`` any one character, case-insensitive."""
    if pattern is None:
        return lambda _name: True
    translated = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    compiled = re.compile(translated, re.IGNORECASE | re.DOTALL)
    return lambda name: compiled.fullmatch(name) is not None


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def ordered_columns(columns: Sequence[Column]) -> list[Column]:
    """By name, ``region`` then ``account_id`` last: the order of StackQL's Fields tables and INSERT templates
    (which have no account_id)."""
    return sorted(columns, key=lambda c: (c.is_pseudo, c.name != REGION, c.name))


def identifier_template(schema: ResourceSchema) -> str:
    """How to write this type's ``Identifier``: ``{{ function_name }}|{{ qualifier }}``."""
    return "|".join(f"{{{{ {property_column(part)} }}}}" for part in schema.primary_identifier)


def insert_template(resource_id: str, columns: Sequence[Column]) -> str:
    """A ready INSERT with ``'{{ column }}'`` placeholders, shaped like StackQL's documentation."""
    names = ",\n".join(f" {c.property}" for c in columns)
    values = ",\n".join(f" '{{{{ {c.name} }}}}'" for c in columns)
    return f"INSERT INTO {resource_id} (\n{names}\n)\nSELECT\n{values};"


@contextmanager
def _located(statement: Statement, typed: str) -> Iterator[None]:
    """Point a name error at the name in the statement, so the user sees where it is."""
    try:
        yield
    except AwsqlError as error:
        if error.position is None and typed and statement.text:
            found = statement.text.lower().find(typed.lower())
            if found >= 0:
                error.position, error.statement = found, statement.text
        raise


def _resolve(catalog: Catalog, statement: Statement, typed: str) -> ResolvedResource:
    with _located(statement, typed):
        return catalog.resolve_resource(typed)


# -- SHOW PROVIDERS / SERVICES / RESOURCES ---------------------------------------------------


def show_providers(catalog: Catalog, statement: ShowProviders) -> Result:
    source = catalog.source
    _, _, version = source.partition("==")
    rows = [(PROVIDER, version or source, source, len(catalog.services()), len(catalog))]
    rows = [row for row in rows if like_matcher(statement.like)(row[0])]
    return Result.of(
        ("name", "version", "source", "services", "resources"),
        rows,
        types={"services": "integer", "resources": "integer"},
    )


def show_services(catalog: Catalog, statement: ShowServices) -> Result:
    matches = like_matcher(statement.like)
    rows = [(s.name, s.id, s.resources) for s in catalog.services() if matches(s.name)]
    if matches(cloud_control.SERVICE):
        rows.append((cloud_control.SERVICE, f"awscc.{cloud_control.SERVICE}", len(cloud_control.VIEWS)))
        rows.sort()
    return Result.of(("name", "id", "resources"), rows, types={"resources": "integer"})


def _operations(handlers: frozenset[str]) -> str:
    verbs = [verb for handler, verb in _VERBS_BY_HANDLER if handler in handlers]
    if "list" in handlers and "SELECT" not in verbs:
        verbs.insert(0, "SELECT")
    return ", ".join(verbs)


def resource_rows(entry: ResourceEntry) -> list[tuple[Any, ...]]:
    """The SHOW RESOURCES rows of one type: the resource, then its ``_list_only`` view if it has one."""
    description = one_line(entry.description)
    rows: list[tuple[Any, ...]] = [
        (entry.resource, entry.id, entry.type_name, description, entry.provisionable, _operations(entry.handlers))
    ]
    if entry.list_only_id:
        view = entry.list_only_id.rsplit(".", 1)[-1]
        note = (
            f"Lists {entry.resource} in a region, identifiers only (ListResources); for all properties use {entry.id}"
        )
        rows.append((view, entry.list_only_id, entry.type_name, note, True, "SELECT"))
    return rows


def show_resources(catalog: Catalog, statement: ShowResources) -> Result:
    if _is_cloud_control_service(statement.service):
        matches = like_matcher(statement.like)
        views = [
            (view.rsplit(".", 1)[1], view, "Cloud Control API", what, True, "SELECT")
            for view, what in cloud_control.VIEWS
            if matches(view.rsplit(".", 1)[1])
        ]
        return Result.of(RESOURCE_COLUMNS, views, types={"supported": "boolean"})
    if not statement.service:
        entries = list(catalog)  # SHOW RESOURCES [IN awscc]: every service's
    else:
        with _located(statement, statement.service):
            entries = catalog.resources(statement.service)
    matches = like_matcher(statement.like)
    rows = [row for entry in entries for row in resource_rows(entry) if matches(row[0])]
    result = Result.of(RESOURCE_COLUMNS, rows, types={"supported": "boolean"})
    unsupported = sum(1 for row in rows if not row[4])
    if unsupported:
        result.notices.append(
            f"{unsupported} resource type(s) have no Cloud Control handlers (supported = false): "
            "they can be described but not queried or changed"
        )
    return result


# -- SHOW METHODS ----------------------------------------------------------------------------


def _method_row(handler: str, name: str, verb: str, resolved: ResolvedResource, schema: ResourceSchema) -> tuple:
    entry = resolved.entry
    identifier = f"Identifier = '{identifier_template(schema)}'"
    notes = ""
    if handler == "create":
        required = [c.property for c in ordered_columns(schema.columns) if c.required and not c.is_pseudo]
        params = [*required, REGION]
    elif handler == "update":
        params = ["Identifier", "PatchDocument", REGION]
        notes = identifier
    elif handler == "list":
        # StackQL documents only region here; the list handler may need more, which goes to notes.
        params = [REGION]
        if schema.list_required:
            wheres = " AND ".join(
                f"{property_column(p)} = '{{{{ {property_column(p)} }}}}'" for p in schema.list_required
            )
            notes = f"the list handler needs {', '.join(schema.list_required)}: WHERE {wheres}"
    else:
        params = ["Identifier", REGION]
        notes = identifier
    table = entry.list_only_id if handler == "list" else entry.id
    permissions = ", ".join(schema.permissions(handler))
    return (name, verb, ", ".join(params), permissions, (table or entry.id).rsplit(".", 1)[-1], notes)


def show_methods(catalog: Catalog, statement: ShowMethods) -> Result:
    if cloud_control.is_cloud_control(statement.resource):
        return Result.of(METHOD_COLUMNS, _cloud_control_methods(statement))
    resolved = _resolve(catalog, statement, statement.resource)
    entry = resolved.entry
    schema = catalog.schema(entry.type_name)
    wanted = ("list",) if resolved.list_only else tuple(handler for handler, _, _ in METHODS)
    rows = [
        _method_row(handler, name, verb, resolved, schema)
        for handler, name, verb in METHODS
        if handler in entry.handlers and handler in wanted
    ]
    result = Result.of(METHOD_COLUMNS, rows)
    if not entry.provisionable:
        result.notices.append(f"{entry.id} ({entry.type_name}) is not supported by Cloud Control: it has no handlers")
    return result


# -- DESCRIBE --------------------------------------------------------------------------------


def _pointer_paths(schema: ResourceSchema, key: str) -> frozenset[tuple[str, ...]]:
    """``/properties/Tags/*/Key`` -> ``("Tags", "Key")``: array steps vanish, as in dotted field paths."""
    paths = set()
    for pointer in schema.raw.get(key, []):
        parts = pointer.strip("/").split("/")
        if parts and parts[0] == "properties":
            paths.add(tuple(p for p in parts[1:] if p != "*"))
    return frozenset(paths)


def _object_body(schema: ResourceSchema, node: Any) -> dict[str, Any]:
    """The object whose ``properties`` hold a field's children (an array's item object for arrays)."""
    resolved = schema.resolve(node) if isinstance(node, dict) else {}
    if "items" in resolved and "properties" not in resolved:
        resolved = schema.resolve(resolved["items"])
    return resolved if isinstance(resolved, dict) else {}


def _nested_rows(
    schema: ResourceSchema,
    field: Field,
    node: Any,
    names: tuple[str, ...],
    properties: tuple[str, ...],
    flags: dict[str, frozenset[tuple[str, ...]]],
) -> Iterator[tuple[Any, ...]]:
    body = _object_body(schema, node)
    required = set(body.get("required", [])) if isinstance(body.get("required"), list) else set()
    children_nodes = body.get("properties", {}) if isinstance(body.get("properties"), dict) else {}
    for child in sorted(field.children, key=lambda f: f.name):
        child_names, child_properties = (*names, child.name), (*properties, child.property)
        yield (
            ".".join(child_names),
            child.type,
            one_line(child.description),
            ".".join(child_properties),
            child.property in required,
            False,
            child_properties in flags["read_only"],
            child_properties in flags["create_only"],
            child_properties in flags["write_only"],
        )
        yield from _nested_rows(
            schema, child, children_nodes.get(child.property, {}), child_names, child_properties, flags
        )


def describe_rows(schema: ResourceSchema, columns: Sequence[Column], extended: bool) -> list[tuple[Any, ...]]:
    if not extended:
        return [(c.name, c.type, one_line(c.description)) for c in ordered_columns(columns)]
    fields = {f.property: f for f in schema.fields()}
    flags = {
        "read_only": _pointer_paths(schema, "readOnlyProperties"),
        "create_only": _pointer_paths(schema, "createOnlyProperties"),
        "write_only": _pointer_paths(schema, "writeOnlyProperties"),
    }
    rows: list[tuple[Any, ...]] = []
    for c in ordered_columns(columns):
        rows.append(
            (
                c.name,
                c.type,
                one_line(c.description),
                c.property,
                c.required,
                c.identifier,
                c.read_only,
                c.create_only,
                c.write_only,
            )
        )
        if c.property in fields:
            node = schema.properties.get(c.property, {})
            rows.extend(_nested_rows(schema, fields[c.property], node, (c.name,), (c.property,), flags))
    return rows


def describe(catalog: Catalog, statement: Describe) -> Result:
    if awsql_tables.is_awsql_table(statement.resource):
        own = awsql_tables.COLUMNS[statement.resource.lower()]
        return Result.of(DESCRIBE_COLUMNS, [(c.name, c.type, c.description) for c in own])
    if cloud_control.is_cloud_control(statement.resource):
        columns = _cloud_control_columns(statement)
        if statement.extended:
            rows = [(c.name, c.type, c.description, c.property, False, False, True, False, False) for c in columns]
            return Result.of(DESCRIBE_EXTENDED_COLUMNS, rows, types={flag: "boolean" for flag in EXTENDED_FLAGS})
        return Result.of(DESCRIBE_COLUMNS, [(c.name, c.type, c.description) for c in columns])
    resolved = _resolve(catalog, statement, statement.resource)
    schema = catalog.schema(resolved.entry.type_name)
    columns = schema.list_columns if resolved.list_only else schema.columns
    names = DESCRIBE_EXTENDED_COLUMNS if statement.extended else DESCRIBE_COLUMNS
    types = {flag: "boolean" for flag in EXTENDED_FLAGS} if statement.extended else {}
    result = Result.of(names, describe_rows(schema, columns, statement.extended), types=types)
    if not resolved.entry.provisionable:
        result.notices.append(
            f"{resolved.entry.id} ({resolved.entry.type_name}) is not supported by Cloud Control: it has no handlers"
        )
    return result


# -- SHOW INSERT -----------------------------------------------------------------------------


def show_insert(catalog: Catalog, statement: ShowInsert) -> Result:
    if cloud_control.is_cloud_control(statement.resource):
        view = _cloud_control_view(statement, statement.resource)
        raise UnsupportedError(f"{view} is a read-only view of Cloud Control; INSERT into awscc.<service>.<resource>")
    with _located(statement, statement.resource):
        resolved = catalog.resolve_resource(statement.resource)
        entry = resolved.entry
        if resolved.list_only:
            raise UnsupportedError(f"{resolved.id} is a list view and takes no INSERT; try SHOW INSERT INTO {entry.id}")
        entry.require("create", "INSERT")
    schema = catalog.schema(entry.type_name)
    required_only = statement.required_only or statement.has_hint("required")
    columns = [
        c
        for c in ordered_columns(schema.columns)
        # region, as StackQL's templates have it; account_id only matters with several accounts (and is then
        # required, as the INSERT's error says).
        if c.name == REGION or (not c.is_pseudo and not c.read_only and (c.required or not required_only))
    ]
    return Result.of((INSERT_COLUMN,), [(insert_template(entry.id, columns),)])


# -- dispatch --------------------------------------------------------------------------------

_RUNNERS: dict[type[Statement], Callable[[Catalog, Any], Result]] = {
    ShowProviders: show_providers,
    ShowServices: show_services,
    ShowResources: show_resources,
    ShowMethods: show_methods,
    Describe: describe,
    ShowInsert: show_insert,
}
assert set(_RUNNERS) == set(CATALOG_STATEMENTS), "every statement the planner sends here needs an answer"


# -- the awscc.cloud_control views --------------------------------------------------------------

# View -> (method, the WHERE parameters it needs, its IAM permission): Cloud Control's actions live in
# the cloudformation namespace.
_CLOUD_CONTROL_METHODS = {
    cloud_control.RESOURCES: ("list_resources", "TypeName, region", "cloudformation:ListResources"),
    cloud_control.RESOURCE: ("get_resource", "TypeName, Identifier, region", "cloudformation:GetResource"),
    cloud_control.RESOURCE_REQUESTS: ("list_resource_requests", "region", "cloudformation:ListResourceRequests"),
    cloud_control.RESOURCE_REQUEST: (
        "get_resource_request_status",
        "RequestToken, region",
        "cloudformation:GetResourceRequestStatus",
    ),
}


def _is_cloud_control_service(typed: str) -> bool:
    return fold(typed.lower().removeprefix("awscc.")) == fold(cloud_control.SERVICE)


def _cloud_control_view(statement: Statement, typed: str) -> str:
    view = typed.lower()
    if view not in cloud_control.COLUMNS:
        hint = did_you_mean(view, cloud_control.COLUMNS)
        position = statement.offset + statement.text.find(typed) if typed in statement.text else None
        raise UnknownNameError(f"unknown resource '{typed}'{hint}").at(position)
    return view


def _cloud_control_columns(statement: Describe) -> tuple[Column, ...]:
    return cloud_control.COLUMNS[_cloud_control_view(statement, statement.resource)]


def _cloud_control_methods(statement: ShowMethods) -> list[tuple[str, ...]]:
    view = _cloud_control_view(statement, statement.resource)
    name, params, permission = _CLOUD_CONTROL_METHODS[view]
    return [(name, "SELECT", params, permission, view.rsplit(".", 1)[1], "")]


def run_metadata(catalog: Catalog, statement: Statement) -> Result:
    """Answer a SHOW or DESCRIBE statement from the catalog; unknown names raise with did-you-mean."""
    runner = _RUNNERS.get(type(statement))
    if runner is None:
        raise TypeError(f"not a metadata statement: {type(statement).__name__}")
    result = runner(catalog, statement)
    return _filtered(result, statement) if isinstance(statement, CatalogQuery) else result


def _filtered(result: Result, statement: CatalogQuery) -> Result:
    """StackQL's ``LIKE`` (on the first column, the name) and ``WHERE`` (any condition on the result's columns,
    evaluated by SQLite on the rows, so it reads as it would in a SELECT)."""
    matches = like_matcher(statement.like)
    rows = [row for row in result.rows if matches(str(row[0]))]
    result = Result(result.columns, rows, status=result.status, notices=result.notices, types=result.types)
    if statement.where is None:
        return result
    from awsql_shell.engine import Engine, MaterializedTable, SqliteError, to_sql_value

    kinds = [result.types.get(name, "string") for name in result.columns]
    stored = [tuple(to_sql_value(v, k) for v, k in zip(row, kinds, strict=True)) for row in result.rows]
    table = MaterializedTable("result", list(zip(result.columns, kinds, strict=True)), stored)
    engine = Engine()
    try:
        filtered = engine.query(f"SELECT * FROM result WHERE {statement.where}", [table])
    except SqliteError as exc:
        where = statement.text.find(statement.where)
        raise AwsqlError(f"{exc.message} (in WHERE, over the columns {', '.join(result.columns)})").at(
            statement.offset + where if where >= 0 else None
        ) from None
    finally:
        engine.close()
    return Result(result.columns, filtered.rows, notices=result.notices, types=result.types)


def run_catalog_plan(plan: CatalogPlan, catalog: Catalog) -> Result:
    return run_metadata(catalog, plan.statement)
