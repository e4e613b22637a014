"""Plan INSERT, UPDATE and DELETE: validate against the schema and decide the Cloud Control calls.

Pure: it reads the catalog, the parsed statement and values already in hand (literal rows, rows a query
returned, variables), never the network, so EXPLAIN validates exactly as the real run does. Every
problem is found before the first call: a statement that fails here changes nothing.

Each planned call carries its own ``ClientToken`` (a uuid4) made once, here, so every retry of that call
re-sends the same token and Cloud Control acts at most once per intended operation.

Write-only properties: Cloud Control patches the model a read returns, which never holds them, so it
accepts only ``add`` on them. ``_write_only_rule`` is the one place that knows it, for SET and for a given
PatchDocument alike: a ``replace`` is sent as ``add`` (with a notice), and what would remove or read one
(``remove``, ``test``, ``move``/``copy`` from it; ``SET column = NULL``) is refused here, before any call,
rather than by Cloud Control after the statement has started changing things.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsql_shell.catalog import Catalog, Column, ResourceEntry, ResourceSchema
from awsql_shell.catalog.cloud_control import PROGRESS_EVENT_FIELDS, is_cloud_control
from awsql_shell.catalog.naming import ACCOUNT_ID, REGION, fold
from awsql_shell.catalog.regions import DefaultRegion, check_region
from awsql_shell.errors import (
    AmbiguousNameError,
    AwsqlError,
    UnknownNameError,
    UnsupportedError,
    ValidationError,
    did_you_mean,
)
from awsql_shell.gateway.vocabulary import CREATE, DELETE, UPDATE, MutationCall
from awsql_shell.planner.accounts import (
    AccountIdsNeeded,
    AccountScope,
    account_id_problem,
    accounts_for,
    refuse_unknown_account,
)
from awsql_shell.planner.predicates import on_column, pinned
from awsql_shell.planner.select_plan import SelectPlan, plan_select
from awsql_shell.planner.values import coerce, label
from awsql_shell.sql.rewrite import quote_identifier
from awsql_shell.sql.statements import ColumnRef, Delete, Insert, Literal, Select, Span, Statement, Update

# RETURNING may also name the region the call went to (not a ProgressEvent field, so not in *).
REGION_FIELD = "region"
# ... and the account (with several accounts every row has it: a RequestToken is only followed in its account).
ACCOUNT_FIELD = "account_id"
FIELD_TYPES = {"ResourceModel": "object"}
# What a /*+ NOWAIT */ mutation without RETURNING answers: enough to follow the request later.
NOWAIT_FIELDS = ("RequestToken", "Operation", "OperationStatus", "TypeName", "Identifier", REGION_FIELD)

PATCH_OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
PATCH_DOCUMENT = "PatchDocument"
# stackql-deploy's form: string('{{ { "Prop": variable, ... } | generate_patch_document }}')
_PATCH_TEMPLATE = re.compile(r"^\s*\{\{\s*\{(?P<body>.*)\}\s*\|\s*generate_patch_document\s*\}\}\s*$", re.S)
_PATCH_TEMPLATE_ENTRY = re.compile(r'\s*"(?P<key>[^"]+)"\s*:\s*(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*')


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
    """What each position of an INSERT's rows feeds: a property column, or a pseudo-column (``region``,
    ``account_id``)."""

    columns: tuple[Column, ...]  # one per listed column, in order
    region_index: int | None  # where the region is, when listed
    account_index: int | None = None  # where the account_id is, when listed


@dataclass(frozen=True)
class DesiredResource:
    region: str
    state: dict[str, Any]
    account: str | None = None


@dataclass(frozen=True)
class WhereTargets:
    """What an UPDATE's or DELETE's WHERE says about its targets without reading any resource."""

    regions: tuple[str, ...]
    region_defaulted: bool
    identifiers: tuple[str, ...] | None  # None: Identifier is not named (or is under an OR)
    only_identifiers: bool  # the WHERE is nothing but region, account_id and Identifier conjuncts
    accounts: tuple[str | None, ...] = (None,)

    @property
    def named(self) -> bool:
        """The targets are named by Identifier: no confirmation is needed (other conjuncts may only narrow)."""
        return self.identifiers is not None

    def targets(self) -> list[tuple[str | None, str, str]]:
        """(account, region, identifier) of every resource the WHERE names."""
        return [
            (account, region, identifier)
            for account in self.accounts
            for region in self.regions
            for identifier in self.identifiers or ()
        ]


def verb_of(statement: Statement) -> str:
    return type(statement).__name__.upper()


# -- the target --------------------------------------------------------------------------------------


def _resolve_target(catalog: Catalog, statement: Insert | Update | Delete) -> MutationTarget:
    """The resource type written to; its handler for the verb must exist."""
    ref = statement.target
    verb = verb_of(statement)
    if is_cloud_control(ref.name):
        raise UnsupportedError(
            f"{verb} needs a resource such as awscc.lambda.functions, not {ref.name} (which is read-only)"
        ).at(ref.span.start, statement.text)
    try:
        resolved = catalog.resolve_resource(ref.name)
    except AwsqlError as exc:
        raise exc.at(ref.span.start, statement.text) from None
    if resolved.list_only:
        raise ValidationError(f"{resolved.id} is a read-only list view: {verb} works on {resolved.entry.id}").at(
            ref.span.start, statement.text
        )
    handler = {"INSERT": "create", "UPDATE": "update", "DELETE": "delete"}[verb]
    try:
        resolved.entry.require(handler, verb)
    except AwsqlError as exc:
        raise exc.at(ref.span.start, statement.text) from None
    return MutationTarget(resolved.entry, catalog.schema(resolved.entry.type_name))


def _returning_fields(statement: Insert | Update | Delete) -> tuple[str, ...]:
    """RETURNING names resolved to ProgressEvent fields (forgiving: ``request_token`` is RequestToken)."""
    fields: list[str] = []
    known = {fold(name): name for name in (*PROGRESS_EVENT_FIELDS, REGION_FIELD, ACCOUNT_FIELD)}
    for name in statement.returning:
        if name == "*":
            fields.extend(PROGRESS_EVENT_FIELDS)
            continue
        found = known.get(fold(name))
        if found is None:
            hint = did_you_mean(name, known.values(), key=fold)
            raise ValidationError(
                f"RETURNING takes ProgressEvent fields ({', '.join(PROGRESS_EVENT_FIELDS)}), region, account_id or *; "
                f"not '{name}'{hint}"
            )
        fields.append(found)
    return tuple(fields)


def _region(value: Any, statement: Statement, span: Span | None, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{where}region must be a region name such as 'us-east-1'").at(
            span.start if span else None, statement.text
        )
    try:
        return check_region(value)
    except AwsqlError as exc:
        raise ValidationError(f"{where}{exc.message}").at(span.start if span else None, statement.text) from None


def _default(default_region: DefaultRegion, target: MutationTarget) -> str:
    how = "give it (a region column in INSERT, WHERE region = '...' in UPDATE and DELETE)"
    return default_region.required(target.id, how)


# -- INSERT ------------------------------------------------------------------------------------------


def _column(target: MutationTarget, ref: ColumnRef, statement: Statement) -> Column:
    """A column named in INSERT or SET, its errors in the statement's terms and at its position."""
    try:
        return target.schema.column(ref.name)
    except (UnknownNameError, AmbiguousNameError) as exc:
        message = exc.message.replace(f"in {target.schema.type_name}", f"in {target.id}")
        raise type(exc)(message).at(ref.span.start, statement.text) from None


def _insert_layout(target: MutationTarget, statement: Insert) -> InsertLayout:
    """Resolve the column list: unknown, read-only and repeated columns and missing required ones are errors."""
    schema = target.schema
    columns: list[Column] = []
    seen: dict[str, str] = {}
    region_index = account_index = None
    for index, ref in enumerate(statement.columns):
        column = _column(target, ref, statement)
        if column.property in seen:
            raise ValidationError(f"{ref.name} and {seen[column.property]} are the same column {label(column)}").at(
                ref.span.start, statement.text
            )
        seen[column.property] = ref.name
        if column.property == REGION:
            region_index = index
        elif column.property == ACCOUNT_ID:
            account_index = index
        elif column.read_only:
            raise ValidationError(
                f"{label(column)} is read-only: Cloud Control sets it, so it cannot be given to INSERT"
            ).at(ref.span.start, statement.text)
        columns.append(column)
    listed = {c.property for c in columns}
    missing = [
        schema.column(name) for name in sorted(schema.required) if name not in listed and name not in schema.read_only
    ]
    if missing:
        names = ", ".join(label(c) for c in missing)
        noun = "property" if len(missing) == 1 else "properties"
        message = f"INSERT INTO {target.id} misses the required {noun} {names}"
        raise ValidationError(message).at(statement.target.span.start, statement.text)
    return InsertLayout(tuple(columns), region_index, account_index)


def _desired_resources(
    target: MutationTarget,
    layout: InsertLayout,
    rows: Sequence[Sequence[Any]],
    default_region: DefaultRegion,
    statement: Insert,
    accounts: AccountScope,
    spans: Sequence[Sequence[Span]] | None = None,
) -> list[DesiredResource]:
    """One DesiredState per row, with its region and account; every row is checked before any is used."""
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
        account = accounts.targets[0]
        for index, (column, value) in enumerate(zip(layout.columns, row, strict=True)):
            span = row_spans[index] if row_spans is not None else None
            if index == layout.region_index:
                region = _region(value, statement, span, where)
                continue
            if index == layout.account_index:
                account = _account(value, accounts, statement, span, where)
                continue
            if value is None:
                if column.property in target.schema.required:
                    message = f"{where}{label(column)} is required: it cannot be NULL"
                    raise ValidationError(message).at(span.start if span else None, statement.text)
                continue
            try:
                state[column.property] = coerce(target.schema, column, value, where)
            except AwsqlError as exc:
                raise exc.at(span.start if span else None, statement.text) from None
        resources.append(DesiredResource(region or _default(default_region, target), state, account))
    return resources


def _account(value: Any, accounts: AccountScope, statement: Statement, span: Span | None, where: str) -> str | None:
    """An INSERT row's account_id: one of the session's accounts, written as its 12-digit id."""
    position = span.start if span else None
    problem = account_id_problem(value)
    if problem is not None:
        raise ValidationError(f"{where}{problem}").at(position, statement.text)
    if accounts.ids:
        try:
            refuse_unknown_account(value, accounts, position, statement.text)
        except ValidationError as exc:
            exc.message = f"{where}{exc.message}"
            raise
    return accounts.target_of(value)


def _insert_needs_account(target: MutationTarget, layout: InsertLayout, accounts: AccountScope, statement: Insert):
    """With several accounts in the session, an INSERT says which each resource is created in; an account_id
    it gives must be checked against the session's, whose ids planning then needs."""
    if layout.account_index is not None and not accounts.ids:
        raise AccountIdsNeeded
    if accounts.several and layout.account_index is None:
        raise ValidationError(
            f"INSERT INTO {target.id} must say which account to create in: this session has "
            f"{accounts.describe()}; add account_id to the column list (account_id, ...) with the account's id"
        ).at(statement.target.span.start, statement.text)


def _literal_rows(statement: Insert) -> tuple[list[list[Any]], list[list[Span]]]:
    values = [[literal.value for literal in row] for row in statement.rows]
    spans = [[literal.span for literal in row] for row in statement.rows]
    return values, spans


def _plan_creates(target: MutationTarget, resources: Sequence[DesiredResource]) -> list[MutationCall]:
    # The Identifier a DesiredState names lets the gateway look the resource up before it sends a create again.
    return [
        MutationCall(
            CREATE,
            r.region,
            target.type_name,
            identifier=target.schema.identifier_in(r.state),
            desired_state=r.state,
            account=r.account,
        )
        for r in resources
    ]


# -- UPDATE ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patch:
    """An UPDATE's RFC 6902 operations as they will be sent, and what awsql changed in them on the way."""

    operations: tuple[dict[str, Any], ...]
    notices: tuple[str, ...] = ()


def _patch_document(target: MutationTarget, statement: Update, variables: Mapping[str, str] | None = None) -> Patch:
    """The RFC 6902 operations of an UPDATE: a PatchDocument given whole (checked against the schema), or
    one per ``SET column = value`` (``add`` sets a property whether or not it is set now; NULL ``remove``s it)."""
    schema = target.schema
    whole = [a for a in statement.assignments if fold(a.column.name) == fold(PATCH_DOCUMENT)]
    if whole and not schema.has_column(PATCH_DOCUMENT):
        if len(statement.assignments) > 1:
            raise ValidationError(
                "SET PatchDocument = '...' must be the only assignment (or use SET column = value, ...)"
            ).at(whole[0].column.span.start, statement.text)
        return _given_patch(target, statement, whole[0].value, variables or {})
    operations: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for assignment in statement.assignments:
        ref = assignment.column
        column = _column(target, ref, statement)
        if column.property in seen:
            raise ValidationError(f"{label(column)} is set twice").at(ref.span.start, statement.text)
        seen[column.property] = ref.name
        _check_settable(target, column, statement, ref.span)
        value = assignment.value.value
        if value is None:
            if column.property in schema.required:
                raise ValidationError(f"{label(column)} is required: it cannot be set to NULL").at(
                    ref.span.start, statement.text
                )
            removal = {"op": "remove", "path": f"/{_escape(column.property)}"}
            try:
                operations.append(_write_only_rule(target, removal, f"SET {ref.name} = NULL").operation)
            except AwsqlError as exc:
                raise exc.at(ref.span.start, statement.text) from None
            continue
        try:
            converted = coerce(schema, column, value)
        except AwsqlError as exc:
            raise exc.at(assignment.value.span.start, statement.text) from None
        # 'add' sets a property whether it is set now or not, so it suits write-only properties too.
        operations.append({"op": "add", "path": f"/{_escape(column.property)}", "value": converted})
    return Patch(tuple(operations))


def _check_settable(target: MutationTarget, column: Column, statement: Statement | None, span: Span | None) -> None:
    if column.is_pseudo:
        where = "region" if column.property == REGION else "account"
        raise ValidationError(
            f"{column.name} says where a resource is; it cannot be changed (create the resource in the other {where})"
        ).at(span.start if span else None, statement.text if statement else None)
    if column.read_only:
        message = f"{label(column)} is read-only: Cloud Control sets it, it cannot be updated"
        raise ValidationError(message).at(span.start if span else None, statement.text if statement else None)
    if column.create_only:
        raise ValidationError(
            f"{label(column)} is create-only: changing it needs replacement (DELETE the resource, then INSERT it)"
        ).at(span.start if span else None, statement.text if statement else None)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _given_patch(target: MutationTarget, statement: Update, literal: Literal, variables: Mapping[str, str]) -> Patch:
    text = literal.value
    if not isinstance(text, str):
        raise ValidationError("PatchDocument must be a string holding a JSON array of RFC 6902 operations").at(
            literal.span.start, statement.text
        )
    template = _PATCH_TEMPLATE.match(text)
    try:
        if template:
            return _generated_patch(target, template.group("body"), variables)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"PatchDocument holds invalid JSON: {exc.msg} at character {exc.pos + 1}") from None
        return _check_patch(target, document)
    except AwsqlError as exc:
        raise exc.at(literal.span.start, statement.text) from None


def _generated_patch(target: MutationTarget, body: str, variables: Mapping[str, str]) -> Patch:
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
    return _check_patch(
        target, [{"op": "add", "path": f"/{_escape(key)}", "value": variables[name]} for key, name in entries]
    )


def _check_patch(target: MutationTarget, document: Any) -> Patch:
    """Check a patch document: its shape (RFC 6902), every path against the schema, and what it does to
    write-only properties (``_write_only_rule``)."""
    if not isinstance(document, list) or not document:
        raise ValidationError("PatchDocument must be a non-empty JSON array of RFC 6902 operations")
    checked = []
    notices = []
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
            raise ValidationError(f"{where} removes {label(column)}, which is required")
        if "from" in operation and op in ("move", "copy"):
            _patch_path(target, operation["from"], f"{where} (from)", changes=op == "move")
        if "value" in operation and op in ("add", "replace") and operation["path"].count("/") == 1:
            operation["value"] = coerce(target.schema, column, operation["value"], f"{where}: ")
        verdict = _write_only_rule(target, operation, where)
        checked.append(verdict.operation)
        if verdict.notice:
            notices.append(verdict.notice)
    return Patch(tuple(checked), tuple(notices))


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


# -- write-only properties: the one rule for every patch operation --------------------------------------


@dataclass(frozen=True)
class WriteOnlyVerdict:
    operation: dict[str, Any]  # what to send
    notice: str | None = None  # set when the operation was rewritten


def _write_only_rule(target: MutationTarget, operation: dict[str, Any], subject: str) -> WriteOnlyVerdict:
    """What Cloud Control lets a patch operation do to a write-only property (``writeOnlyProperties``, at any
    depth): only ``add``. It applies a patch to the model a read returns, and a read never returns write-only
    values, so there is nothing there to replace, remove, move, copy or test. Its refusal names the path:
    "Invalid patch update: writeOnlyProperties [/Code/ZipFile] can only be updated using 'add' operation"
    (quoted in platform-engineering-labs/formae-plugin-aws pkg/ccx/writeonly.go; hashicorp/
    terraform-provider-awscc#1737: "write-only property changes must be sent as add"; go-to-k/cdkd#812: "Cloud
    Control applies patches read-modify-write ... Read handlers cannot return write-only properties").

    So: ``replace`` becomes ``add`` (what the user meant: set the value), said in a notice; ``remove``, and
    ``move``, ``copy`` or ``test`` from such a path, are refused before any call, in ``subject``'s terms. An
    operation above a write-only path (``replace /Code`` when ``/Code/ZipFile`` is write-only) is left to
    Cloud Control, which names only the write-only paths themselves."""
    op = operation["op"]
    source = operation.get("from") if op in ("move", "copy") else None
    if isinstance(source, str) and (found := _write_only_at(target, source)) is not None:
        raise ValidationError(
            f"{subject} {_WRITE_ONLY_VERBS[op]} from {_which(source, found)}: Cloud Control never returns its "
            f"value, so there is nothing to {op}; give the value itself with 'add'"
        )
    path = operation["path"]
    found = _write_only_at(target, path)
    if found is None:
        return WriteOnlyVerdict(operation)
    if op == "replace":
        notice = (
            f"{subject}: 'replace' of write-only {path} is sent as 'add' "
            "(Cloud Control accepts only 'add' for write-only properties)"
        )
        return WriteOnlyVerdict({**operation, "op": "add"}, notice)
    if op in ("remove", "test"):
        raise ValidationError(
            f"{subject} {_WRITE_ONLY_VERBS[op]} {_which(path, found)}: Cloud Control accepts only 'add' for it, "
            "since a read never returns its value; set a value instead"
        )
    return WriteOnlyVerdict(operation)  # add, or the 'add' end of a move or copy


def _which(pointer: str, found: str) -> str:
    return f"{pointer}, which is write-only" if pointer == found else f"{pointer}, inside write-only {found}"


_WRITE_ONLY_VERBS = {"remove": "removes", "test": "tests", "move": "moves", "copy": "copies"}


def _write_only_at(target: MutationTarget, pointer: str) -> str | None:
    """The write-only schema path (``/Code/ZipFile``) that a patch pointer names or lies inside, or None."""
    tokens = [_unescape(token) for token in pointer.split("/")[1:]] if pointer.startswith("/") else []
    for path in target.schema.write_only_paths:
        if len(tokens) >= len(path) and all(part in ("*", token) for token, part in zip(tokens, path, strict=False)):
            return "/" + "/".join(path)
    return None


# -- UPDATE and DELETE: which resources ------------------------------------------------------------


def _where_targets(
    target: MutationTarget,
    statement: Update | Delete,
    default_region: DefaultRegion,
    query: Select,
    accounts: AccountScope,
) -> WhereTargets:
    """Regions, accounts and identifiers named in WHERE; ``query`` is ``targets_query`` (it counts the
    conjuncts). With several accounts in the session, WHERE must name the accounts it changes."""
    for comparison in on_column(statement.where, "region"):
        for literal in comparison.values:
            _region(literal.value, statement, literal.span, "")
    for comparison in on_column(statement.where, "identifier"):
        for literal in comparison.values:
            _identifier(target, literal, statement)
    regions = pinned(statement.where, "region")
    named_accounts = accounts_for(statement.where, accounts, text=statement.text, partial=False).accounts
    if accounts.several and not on_column(statement.where, ACCOUNT_ID):
        verb = verb_of(statement)
        raise ValidationError(
            f"{verb} must say which account it changes: this session has {accounts.describe()}; add "
            f"AND account_id = '...' (or account_id IN (...)) to WHERE"
        ).at(statement.target.span.start, statement.text)
    # Under an OR with other columns, Identifier = ... does not name the targets: a query must find them.
    identifiers = pinned(statement.where, "identifier") if statement.where_is_simple else None
    defaulted = regions is None
    chosen = [_default(default_region, target)] if regions is None else regions
    conjuncts = query.scopes[0].where_conjuncts if query.scopes else 0
    only = (
        identifiers is not None
        and conjuncts == len(statement.where)
        and all(fold(c.column.name) in ("region", "accountid", "identifier") for c in statement.where)
    )
    return WhereTargets(
        tuple(dict.fromkeys(chosen)),
        defaulted,
        tuple(dict.fromkeys(identifiers)) if identifiers is not None else None,
        only,
        named_accounts,
    )


def _identifier(target: MutationTarget, literal: Literal, statement: Statement) -> str:
    """An Identifier from WHERE, refused before any call when it cannot name a resource of the target type."""
    value = literal.value
    if value is None or isinstance(value, bool):
        raise ValidationError("Identifier must be a string such as 'name'").at(literal.span.start, statement.text)
    text = str(value)
    try:
        target.schema.check_identifier(text)
    except ValidationError as exc:
        # In the terms of the statement: the table as typed rather than the CloudFormation type.
        message = exc.message.replace(target.type_name, target.id)
        raise ValidationError(message).at(literal.span.start, statement.text) from None
    return text


def _targets_query_text(target: MutationTarget, statement: Update | Delete) -> str:
    """A SELECT of the region and Identifier of every resource the WHERE matches."""
    ref = statement.target
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
    return f"SELECT region, account_id, {identifier} AS identifier FROM {ref.name}{alias}{where}"


Targets = Sequence[tuple[str | None, str, str]]  # (account, region, identifier)


def _plan_updates(target: MutationTarget, targets: Targets, patch: tuple[dict[str, Any], ...]) -> list[MutationCall]:
    return [
        MutationCall(UPDATE, region, target.type_name, identifier=i, patch_document=patch, account=account)
        for account, region, i in targets
    ]


def _plan_deletes(target: MutationTarget, targets: Targets) -> list[MutationCall]:
    return [
        MutationCall(DELETE, region, target.type_name, identifier=i, account=account) for account, region, i in targets
    ]


# -- the plan value ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreatesFromRows:
    """INSERT ... SELECT: each row the query returns becomes one CreateResource, checked like a VALUES row."""

    target: MutationTarget
    layout: InsertLayout
    default_region: DefaultRegion
    statement: Insert
    accounts: AccountScope = field(default_factory=AccountScope)

    def calls(self, rows: Sequence[Sequence[Any]]) -> tuple[MutationCall, ...]:
        resources = _desired_resources(
            self.target, self.layout, rows, self.default_region, self.statement, self.accounts
        )
        return tuple(_plan_creates(self.target, resources))


@dataclass(frozen=True, kw_only=True)
class ChangesFromRows:
    """UPDATE or DELETE whose targets a query finds: each (region, account_id, identifier) row is one call."""

    target: MutationTarget
    patch: tuple[dict[str, Any], ...] | None  # None: DELETE
    regions: tuple[str, ...]
    # Several accounts: each row's account_id is where its call goes; with one, the calls go to the session's
    # account (``Fetch.account`` None), as the reads did.
    several: bool = False

    def calls(self, rows: Sequence[Sequence[Any]]) -> tuple[MutationCall, ...]:
        targets = list(
            dict.fromkeys(
                (str(account) if self.several and account is not None else None, str(region), str(i))
                for region, account, i in rows
                if i is not None
            )
        )
        return tuple(_changes(self.target, targets, self.patch))


RowsToCalls = CreatesFromRows | ChangesFromRows


@dataclass(frozen=True, kw_only=True)
class ReadFirst:
    """The query a mutation reads before it knows its calls, and the pure step from its rows to them."""

    plan: SelectPlan
    then: RowsToCalls
    # The UPDATE or DELETE whose WHERE the query wraps (awsql wrote the query): errors point into the WHERE.
    written_for: Update | Delete | None = None

    def relocate(self, error: AwsqlError) -> AwsqlError:
        """An error about the query, moved to the same spot of the user's statement."""
        return self.relocate_for(error, self.plan.statement, self.written_for)

    @staticmethod
    def relocate_for(error: AwsqlError, query: Select, written_for: Update | Delete | None) -> AwsqlError:
        if written_for is not None and error.position is not None and error.statement is None:
            _point_into_where(error, query, written_for)
        return error


@dataclass(frozen=True, kw_only=True)
class MutationPlan:
    """A validated INSERT, UPDATE or DELETE: its calls known offline (``calls``), or the read that decides
    them (``read``); whether the user must confirm; what to tell the user first."""

    statement: Insert | Update | Delete
    target: MutationTarget
    returning: tuple[str, ...]
    awaited: bool
    calls: tuple[MutationCall, ...] = ()
    read: ReadFirst | None = None
    # The targets are found by a query, not named by Identifier, or span several accounts: the user confirms
    # how many it found, in which accounts.
    needs_confirmation: bool = False
    notices: tuple[str, ...] = ()

    @property
    def verb(self) -> str:
        return verb_of(self.statement)

    @property
    def reads_back(self) -> bool:
        """RETURNING ResourceModel (or *) of an awaited INSERT or UPDATE: each resource is read back with
        GetResource after SUCCESS, since the ProgressEvent's ResourceModel may be missing or partial (see
        ``gateway.read_back``). Nothing else asks for the model, so nothing else pays the extra call."""
        return self.awaited and self.verb in ("INSERT", "UPDATE") and "ResourceModel" in self.returning

    def calls_for(self, rows: Sequence[Sequence[Any]] = ()) -> tuple[MutationCall, ...]:
        """The calls, given the rows of ``read`` when there is one."""
        return self.read.then.calls(rows) if self.read is not None else self.calls


MUTATING_OPERATIONS = (CREATE, UPDATE, DELETE)


def accounts_changed(calls: Sequence[MutationCall]) -> list[str]:
    """The accounts calls change, in order (none named: the session's one account). More than one, and the
    change is made only with the confirmation that lists them."""
    return list(dict.fromkeys(call.account for call in calls if call.account is not None))


def read_only_refusal(statement: Insert | Update | Delete) -> ValidationError:
    return ValidationError(f"{verb_of(statement)} refused: awsql runs with --read-only, so nothing was changed")


def is_awaited(statement: Insert | Update | Delete, no_wait: bool) -> bool:
    """``/*+ NOWAIT */`` and ``/*+ AWAIT */`` win over ``--no-wait``."""
    if statement.has_hint("nowait"):
        return False
    return statement.has_hint("await") or not no_wait


def plan_mutation(
    statement: Insert | Update | Delete,
    catalog: Catalog,
    default_region: DefaultRegion,
    *,
    accounts: AccountScope | None = None,
    variables: Mapping[str, str] | None = None,
    no_wait: bool = False,
    read_only: bool = False,
) -> MutationPlan:
    """Validate ``statement`` and decide its calls, without any call; one path for a run and for EXPLAIN.
    ``read_only``: the plan is only shown (EXPLAIN under --read-only), and says it would be refused."""
    accounts = accounts or AccountScope()
    target = _resolve_target(catalog, statement)
    returning = _returning_fields(statement)
    notices = [f"awsql runs with --read-only: this {verb_of(statement)} would be refused"] if read_only else []
    common = {"statement": statement, "target": target, "returning": returning}
    awaited = is_awaited(statement, no_wait)
    if isinstance(statement, Insert):
        layout = _insert_layout(target, statement)
        _insert_needs_account(target, layout, accounts, statement)
        if layout.region_index is None:
            notices.append(default_region.notice("INSERT"))
        if statement.query is None:
            values, spans = _literal_rows(statement)
            resources = _desired_resources(target, layout, values, default_region, statement, accounts, spans)
            calls = tuple(_plan_creates(target, resources))
            spans_accounts = len(accounts_changed(calls)) > 1
            return MutationPlan(
                **common, awaited=awaited, calls=calls, notices=tuple(notices), needs_confirmation=spans_accounts
            )
        step = CreatesFromRows(
            target=target, layout=layout, default_region=default_region, statement=statement, accounts=accounts
        )
        read = ReadFirst(plan=plan_select(statement.query, catalog, default_region, accounts), then=step)
        return MutationPlan(**common, awaited=awaited, read=read, notices=tuple(notices))
    verb = verb_of(statement)
    document = _patch_document(target, statement, variables) if isinstance(statement, Update) else None
    patch = document.operations if document is not None else None
    query = _targets_query(target, statement)
    where = _where_targets(target, statement, default_region, query, accounts)
    if where.only_identifiers and where.region_defaulted:
        notices.append(default_region.notice(verb))
    notices.extend(document.notices if document is not None else ())
    if where.only_identifiers:
        calls = tuple(_changes(target, where.targets(), patch))
        spans_accounts = len(accounts_changed(calls)) > 1
        return MutationPlan(
            **common, awaited=awaited, calls=calls, notices=tuple(notices), needs_confirmation=spans_accounts
        )
    step = ChangesFromRows(target=target, patch=patch, regions=where.regions, several=accounts.several)
    try:
        read = ReadFirst(plan=plan_select(query, catalog, default_region, accounts), then=step, written_for=statement)
    except AwsqlError as exc:
        raise ReadFirst.relocate_for(exc, query, statement) from None
    return MutationPlan(
        **common, awaited=awaited, read=read, needs_confirmation=not where.named, notices=tuple(notices)
    )


def _changes(target: MutationTarget, targets: Targets, patch: tuple[dict[str, Any], ...] | None) -> list[MutationCall]:
    return _plan_updates(target, targets, patch) if patch is not None else _plan_deletes(target, targets)


def _targets_query(target: MutationTarget, statement: Update | Delete) -> Select:
    from awsql_shell.sql import parse_statement

    query = parse_statement(_targets_query_text(target, statement))
    assert isinstance(query, Select)
    return query


def _point_into_where(error: AwsqlError, query: Select, statement: Update | Delete) -> None:
    """Move an error's position from the query awsql wrote to the same spot of the user's WHERE."""
    where = statement.where_text or ""
    in_query, in_statement = query.text.rfind(where), statement.text.find(where)
    position = error.position or 0
    if where and in_query >= 0 and in_statement >= 0 and in_query <= position <= in_query + len(where):
        error.position = position - in_query + in_statement
        error.statement = statement.text
    else:
        error.position = None
