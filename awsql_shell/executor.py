"""One engine for both ways in: the batch command and the shell call ``Session.execute``.

Text goes through the parser, the planner decides the Cloud Control calls, the gateway makes
them, SQLite evaluates the statement, and a Result comes back for the renderer.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from awsql_shell.catalog import Catalog, default_catalog, naming
from awsql_shell.engine.sqlite import SqliteError
from awsql_shell.errors import AwsqlError, UnsupportedError, ValidationError
from awsql_shell.metadata import METADATA_STATEMENTS, run_metadata
from awsql_shell.result import Result
from awsql_shell.settings import Settings
from awsql_shell.sql import parse_statement, split_script
from awsql_shell.sql.statements import (
    Delete,
    Explain,
    Insert,
    Select,
    Statement,
    Update,
)
from awsql_shell.sql.variables import find_variables, original_position, substitute

if TYPE_CHECKING:
    from awsql_shell.catalog.regions import DefaultRegion

    # The SELECT machinery loads on first use: SHOW and DESCRIBE start faster without it.
    from awsql_shell.engine import Engine, MaterializedTable
    from awsql_shell.gateway import Gateway
    from awsql_shell.gateway.tasks import Fetch, FetchResult
    from awsql_shell.planner.select import SelectPlan, TablePlan


@dataclass
class Outcome:
    """A statement and what became of it: a result, or the error that stopped it."""

    statement: Statement | None
    result: Result | None = None
    error: AwsqlError | None = None


@dataclass
class Session:
    """A library API under the thin CLI and shell: ``Session(settings).run("SELECT ...")``."""

    settings: Settings = field(default_factory=Settings)
    catalog: Catalog = field(default_factory=default_catalog)
    progress: Any = None  # a gateway ProgressListener, set by the CLI on a terminal
    # Asks the user to confirm a mutation that does not name its Identifier; None (batch) means refuse
    # unless settings.assume_yes. The shell sets it to a prompt.
    confirm: Callable[[str], bool] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    _engine: Engine | None = None
    _gateway: Gateway | None = None

    # -- parts made on first use, so metadata statements never import boto3 ----------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from awsql_shell.engine import Engine

            self._engine = Engine()
        return self._engine

    @property
    def gateway(self) -> Gateway:
        if self._gateway is None:
            from awsql_shell.gateway import Gateway

            self._gateway = Gateway(self.settings)
        return self._gateway

    @property
    def gateway_if_started(self) -> Gateway | None:
        """The gateway when a statement has used it; None keeps --timing from importing boto3."""
        return self._gateway

    # -- entry points ------------------------------------------------------------------------

    def run(self, text: str) -> list[Result]:
        """Run every statement in ``text``; raise the first error (library use)."""
        results = []
        for outcome in self.execute_script(text):
            if outcome.error:
                raise outcome.error
            assert outcome.result is not None
            results.append(outcome.result)
        return results

    def execute_script(self, text: str) -> Iterator[Outcome]:
        """Yield an Outcome per statement, in order. Each statement is parsed on its own, so one
        that is malformed fails alone; an unterminated string or comment ends the script there."""
        try:
            chunks = split_script(text)
            broken: AwsqlError | None = None
        except AwsqlError as exc:
            broken = exc
            # Run what stands before the statement holding the lexical error, then report it.
            chunks = split_script(text[: exc.position])[:-1] if exc.position else []
        for chunk, offset in chunks:
            statement: Statement | None = None
            try:
                statement = self.prepare(chunk, offset, text)
                yield Outcome(statement, result=self.execute(statement))
            except AwsqlError as exc:
                if statement is not None and statement.text != chunk and exc.position is not None:
                    # Found in the substituted statement: point at what the user wrote instead.
                    local = original_position(chunk, self.settings.variables, exc.position - statement.offset)
                    exc.position, exc.statement = offset + local, text
                yield Outcome(statement, error=_located(exc, text))
        if broken is not None:
            yield Outcome(None, error=broken)

    def prepare(self, chunk: str, offset: int = 0, script: str | None = None) -> Statement:
        """Parse one statement, with ``{{ variables }}`` substituted as plain text first."""
        if find_variables(chunk):
            try:
                text = substitute(chunk, self.settings.variables)
            except AwsqlError as exc:
                if exc.position is not None and script is not None:
                    exc.position, exc.statement = exc.position + offset, script  # place it in the user's script
                raise
            try:
                return parse_statement(text)
            except AwsqlError as exc:
                if exc.position is not None and script is not None:
                    local = original_position(chunk, self.settings.variables, exc.position)
                    exc.position, exc.statement = offset + local, script
                raise
        return parse_statement(chunk, offset=offset, script=script)

    def execute(self, statement: Statement) -> Result:
        self.cancel.clear()
        if self._gateway is not None:
            self._gateway.reset_stats()
        if isinstance(statement, Explain):
            return self.explain(statement.statement)
        if isinstance(statement, METADATA_STATEMENTS):
            return run_metadata(self.catalog, statement)
        if isinstance(statement, Select):
            return self._select(statement)
        if isinstance(statement, Insert | Update | Delete):
            from awsql_shell.mutate import run_mutation

            return run_mutation(self, statement)
        raise UnsupportedError(f"cannot execute {type(statement).__name__}")

    def explain(self, statement: Statement) -> Result:
        if isinstance(statement, Select):
            from awsql_shell.planner.explain import explain_select

            plan = self.plan(statement)
            self._check_sql(plan, statement)
            return explain_select(plan)
        if isinstance(statement, METADATA_STATEMENTS):
            from awsql_shell.planner.explain import EXPLAIN_COLUMNS

            return Result.of(EXPLAIN_COLUMNS, [("1", "catalog", "", "", "answered from the local catalog, no call")])
        if isinstance(statement, Insert | Update | Delete):
            from awsql_shell.mutate import explain_mutation

            return explain_mutation(self, statement)
        raise UnsupportedError(f"EXPLAIN {type(statement).__name__.upper()} is not available yet")

    # -- SELECT --------------------------------------------------------------------------------

    def plan(self, statement: Select) -> SelectPlan:
        from awsql_shell.planner.select import plan_select

        return plan_select(statement, self.catalog, self.default_region())

    def default_region(self) -> DefaultRegion:
        """Where statements that name no region go, and where that came from."""
        from awsql_shell.catalog.regions import default_region

        settings = self.settings
        return default_region(settings.region, settings.profile, explicit_source=settings.region_source)

    def _select(self, statement: Select) -> Result:
        plan = self.plan(statement)
        self._check_sql(plan, statement)
        materialized: dict[int, MaterializedTable] = {}
        failures: list[Exception] = []
        fetch_count = 0
        pending = list(plan.tables)
        # Waves: tables whose list needs values from another table's rows wait for that table.
        while pending:
            ready = [t for t in pending if t.joined is None or id(plan.source_of(t)) in materialized]
            if not ready:
                raise ValidationError("the join conditions between these resources form a cycle")
            fetches = {id(t): self._fetches_for(t, plan, materialized) for t in ready}
            outcomes = iter(self._fetch([f for t in ready for f in fetches[id(t)]]))
            for table in ready:
                fetched = [next(outcomes) for _ in fetches[id(table)]]
                fetch_count += len(fetched)
                failures.extend(o.error for o in fetched if o.error is not None)
                materialized[id(table)] = table.materialize(fetched)
            pending = [t for t in pending if id(t) not in materialized]
        if fetch_count and len(failures) == fetch_count:
            # Nothing was read: an empty table or a count of 0 would be a made-up answer.
            first = failures[0]
            more = f" (and {len(failures) - 1} more failures)" if len(failures) > 1 else ""
            raise first if isinstance(first, AwsqlError) and not more else AwsqlError(f"{first}{more}")
        tables = [materialized[id(t)] for t in plan.tables]
        try:
            result = self.engine.query(plan.sql, tables, known_columns=plan.column_names)
        except SqliteError as exc:
            raise _pointed(exc, statement, self.catalog) from None
        result.notices[:0] = plan.notices
        result.warnings.extend(str(failure) for failure in failures)
        return result

    def _check_sql(self, plan: SelectPlan, statement: Select) -> None:
        """SQLite compiles the statement against empty tables first: mistakes cost no API call."""
        from awsql_shell.engine import MaterializedTable

        shapes = [MaterializedTable(t.table, t.columns, []) for t in plan.tables]
        try:
            self.engine.check(plan.sql, shapes, known_columns=plan.column_names)
        except SqliteError as exc:
            raise _pointed(exc, statement, self.catalog) from None

    def _fetch(self, fetches: list[Fetch]) -> list[FetchResult]:
        if not fetches:
            return []
        try:
            return self.gateway.fetch_all(fetches, progress=self.progress, cancel=self.cancel)
        finally:
            if self.progress is not None:
                self.progress.finish()

    @staticmethod
    def _fetches_for(table: TablePlan, plan: SelectPlan, done: dict[int, MaterializedTable]) -> list[Fetch]:
        if table.joined is None:
            return table.fetches
        source = done[id(plan.source_of(table))]
        values = source.distinct_by_region(table.joined.source_column)
        return [
            replace(fetch, resource_model={**(fetch.resource_model or {}), table.joined.property: value})
            for fetch in table.fetches
            for value in values.get(fetch.region, [])
        ]


_NOT_CODE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_NO_SUCH_TABLE = re.compile(r"no such table: (\S+)")


def _pointed(error: SqliteError, statement: Statement, catalog: Catalog) -> AwsqlError:
    """SQLite's complaint, said in the user's terms and placed in what they typed (it saw the rewrite)."""
    missing_table = _NO_SUCH_TABLE.search(error.message)
    if missing_table:
        error = SqliteError(_unknown_table(missing_table.group(1), catalog), near=missing_table.group(1))
    if error.message.endswith("incomplete input"):
        error.position = statement.offset + len(statement.text.rstrip())
    else:
        error.position = _locate(statement, error.near)
    return error


def _unknown_table(name: str, catalog: Catalog) -> str:
    if "." in name:
        with contextlib.suppress(AwsqlError):
            return f"unknown table '{name}' (did you mean '{catalog.resolve_resource(name).id}'?)"
    last = name.rsplit(".", 1)[-1].lower()
    candidates = [e.id for e in catalog if e.resource == last or naming.fold(e.resource) == naming.fold(last)]
    if candidates:
        listed = " or ".join(f"'{c}'" for c in candidates[:3])
        return f"unknown table '{name}' (did you mean {listed}?)"
    return f"unknown table '{name}': resources are named awscc.<service>.<resource> (SHOW SERVICES lists them)"


def _locate(statement: Statement, word: str | None) -> int | None:
    """Where a word SQLite names stands in the statement, outside strings and comments."""
    if not word:
        return None
    code = _NOT_CODE.sub(lambda m: " " * len(m.group(0)), statement.text)
    found = re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", code, re.IGNORECASE)
    return statement.offset + found.start() if found else None


def _located(error: AwsqlError, script: str) -> AwsqlError:
    """Make positions count from the start of the script the user gave."""
    if error.position is not None and error.statement is None:
        error.statement = script
    return error
