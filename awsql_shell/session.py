"""The one door for both ways in: the batch command and the shell call ``Session.execute``.

Text goes through the parser; every statement gets a plan value (``planner.plans.plan_statement``), the
same one for a run and for EXPLAIN; the execution layer runs it, given the parts it needs (engine,
gateway calls, confirmation); a Result comes back for the face to render. The Session owns those parts
and the session's state (settings, cache, cancel); it decides nothing about a statement itself.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from awsql_shell.catalog import Catalog, default_catalog
from awsql_shell.errors import (
    AwsqlError,
    SqlSyntaxError,
    UnsupportedError,
    UsageError,
)
from awsql_shell.planner.plans import (
    CATALOG_STATEMENTS,
    MUTATIONS,
    CatalogPlan,
    Plan,
    PlanningContext,
    plan_statement,
)
from awsql_shell.result import Result
from awsql_shell.settings import Settings
from awsql_shell.sql import parse_statement
from awsql_shell.sql.parser import script_parts
from awsql_shell.sql.statements import Explain, Select, Statement
from awsql_shell.sql.variables import find_variables, original_position, substitute

if TYPE_CHECKING:
    from awsql_shell.catalog.regions import DefaultRegion

    # The SELECT and mutation machinery loads on first use: SHOW and DESCRIBE start faster without it.
    from awsql_shell.engine import Engine
    from awsql_shell.gateway import Gateway
    from awsql_shell.gateway.accounts import Account
    from awsql_shell.gateway.mutation_send import MutationOutcome
    from awsql_shell.gateway.read_back import ReadBackResult
    from awsql_shell.gateway.vocabulary import Fetch, FetchResult, MutationCall, ReadBack
    from awsql_shell.planner.accounts import AccountScope
    from awsql_shell.planner.select_plan import SelectPlan
    from awsql_shell.session_accounts import SessionAccounts


_REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


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
    _last_errors: list[tuple[object, ...]] = field(default_factory=list)
    _account_state: SessionAccounts | None = None
    # Notices already shown that a session hears once (a plan's ``once_per_session``).
    _notices_heard: set[str] = field(default_factory=set)

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

    def timing_line(self, seconds: float | None = None) -> str:
        """What --timing and \\timing show of the last statement: its time (when given) and its calls."""
        stats = self._gateway.stats if self._gateway is not None else None
        calls, hits, retries = (stats.api_calls, stats.cache_hits, stats.retries) if stats else (0, 0, 0)
        line = f"API calls: {calls}, cache hits: {hits}, retries: {retries}"
        return line if seconds is None else f"time: {seconds:.3f} s, {line}"

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
        """Yield an Outcome per statement, in order. Each statement is parsed on its own, so one that is
        malformed fails alone and the script goes on; an unterminated string or comment runs to the end of
        the input, so the statement it opens is the last."""
        for part in script_parts(text):
            if part.error is not None:
                yield Outcome(None, error=part.error)
                continue
            chunk, offset = part.text, part.offset
            statement: Statement | None = None
            try:
                statement = self.prepare(chunk, offset, text)
                yield Outcome(statement, result=self.execute(statement))
            except AwsqlError as exc:
                exc = _missing_semicolon(exc, chunk, offset, text)
                if statement is not None and statement.text != chunk and exc.position is not None:
                    # Found in the substituted statement: point at what the user wrote instead.
                    local = original_position(chunk, self.settings.variables, exc.position - statement.offset)
                    exc.position, exc.statement = offset + local, text
                yield Outcome(statement, error=_located(exc, text))

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
        if self.settings.read_only and isinstance(statement, MUTATIONS):
            from awsql_shell.planner.mutation_plan import read_only_refusal

            raise read_only_refusal(statement)  # before validation: nothing about it matters
        return self._run(self.plan(statement))

    def explain(self, statement: Statement) -> Result:
        """The calls ``statement`` would make, from the plan a run would follow, validated as a run would be."""
        if isinstance(statement, Explain):
            raise UnsupportedError("EXPLAIN EXPLAIN is not available: EXPLAIN the statement itself")
        plan = self.plan(statement, explaining=True)
        self._check(plan)
        from awsql_shell.planner.explain import explain

        result = explain(plan)
        if _reads_accounts(statement):
            result.notices.append(self._accounts.explained())
        from awsql_shell.planner.explain import minimum_calls
        from awsql_shell.planner.select_plan import SelectPlan

        budget = self._calls_left()
        if isinstance(plan, SelectPlan) and budget is not None and (needed := minimum_calls(plan)) > budget:
            result.notices.append(f"it needs at least {needed} calls: --max-calls {budget} would refuse it")
        return result

    def plan(self, statement: Statement, *, explaining: bool = False) -> Plan:
        from awsql_shell.planner.accounts import AccountIdsNeeded

        settings = self.settings
        # The session's accounts (found once) when the statement reads AWS or awsql's tables; the one account's
        # id is asked only when a statement names one. SELECT 1 finds no Organization.
        scope = self.account_scope() if _reads_accounts(statement) else None

        def planned(accounts: AccountScope | None) -> Plan:
            context = PlanningContext(
                catalog=self.catalog,
                default_region=self.default_region(),
                variables=settings.variables,
                no_wait=settings.no_wait,
                read_only=settings.read_only and explaining,
                **({"accounts": accounts} if accounts is not None else {}),
            )
            return plan_statement(statement, context)

        try:
            return planned(scope)
        except AccountIdsNeeded:
            return planned(self.account_scope(ids=True))

    # -- accounts (the state is ``session_accounts.SessionAccounts``) ---------------------------------------

    @property
    def _accounts(self) -> SessionAccounts:
        if self._account_state is None:
            from awsql_shell.session_accounts import SessionAccounts

            self._account_state = SessionAccounts(
                self.settings, lambda: self.gateway, lambda: self._gateway, lambda: self.default_region().name
            )
        return self._account_state

    def accounts(self) -> list[Account]:
        """The session's accounts, found on first need (``session_accounts``)."""
        return self._accounts.all()

    @property
    def accounts_if_known(self) -> list[Account] | None:
        """The session's accounts when they have been found, else None: never a call (the shell's toolbar)."""
        return self._accounts.found

    def use_accounts(
        self, *, org: bool = False, profiles: Sequence[str] = (), glob: str | None = None, unit: str | None = None
    ) -> list[str]:
        """Change where the accounts come from (the shell's ``\\accounts``); what finding them had to say."""
        return self._accounts.use(org=org, profiles=profiles, glob=glob, unit=unit)

    def use_profile(self, profile: str | None) -> list[str]:
        """A new profile for the session (``\\profile``): its accounts found again with its credentials."""
        return self._accounts.use_profile(profile)

    def account_scope(self, *, ids: bool = False, required: bool = True) -> AccountScope:
        return self._accounts.scope(ids=ids, required=required)

    def default_region(self) -> DefaultRegion:
        """Where statements that name no region go, and where that came from."""
        from awsql_shell.catalog.regions import DefaultRegion as DefaultRegionValue
        from awsql_shell.catalog.regions import default_region

        settings = self.settings
        profiles = self._accounts.profiles_in_use() if self._account_state is not None else list(settings.profiles)
        if profiles and not settings.region and not any(map(os.environ.get, _REGION_VARIABLES)):
            # Several profiles: their region when they all name the same; never one picked over the others.
            found = {default_region(None, profile).name for profile in profiles}
            if len(found) == 1 and None not in found:
                return DefaultRegionValue(found.pop(), "the region of every profile given")
            return DefaultRegionValue(None)
        return default_region(settings.region, settings.profile, explicit_source=settings.region_source)

    # -- running plans ---------------------------------------------------------------------------

    def _run(self, plan: Plan) -> Result:
        if isinstance(plan, CatalogPlan):
            from awsql_shell.execution.catalog_answers import run_catalog_plan

            return run_catalog_plan(plan, self.catalog)
        from awsql_shell.planner.select_plan import SelectPlan

        if isinstance(plan, SelectPlan):
            return self._read(plan)
        from awsql_shell.execution.mutation_run import Consent, run_mutation

        consent = Consent(assume_yes=self.settings.assume_yes, ask=self.confirm, account=self._account())
        return run_mutation(plan, read=self._read, send=self._send, consent=consent, read_back=self._read_back)

    def _check(self, plan: Plan) -> None:
        """Compile the SQL a plan will run against empty tables: a typo fails before any call."""
        from awsql_shell.execution.select_run import check_sql
        from awsql_shell.planner.mutation_plan import MutationPlan
        from awsql_shell.planner.select_plan import SelectPlan

        if isinstance(plan, SelectPlan):
            check_sql(plan, self.engine, self.catalog)
        elif isinstance(plan, MutationPlan) and plan.read is not None:
            try:
                check_sql(plan.read.plan, self.engine, self.catalog)
            except AwsqlError as exc:
                raise plan.read.relocate(exc) from None

    def _read(self, plan: SelectPlan) -> Result:
        from awsql_shell.execution.select_run import check_sql, run_select
        from awsql_shell.planner.explain import minimum_calls

        check_sql(plan, self.engine, self.catalog)
        budget = self._calls_left()
        if budget is not None and (needed := minimum_calls(plan)) > budget:
            from awsql_shell.gateway.errors import CallBudgetExceeded

            raise CallBudgetExceeded(budget, needed=needed)  # the plan says so: no call is made at all
        result = run_select(
            plan,
            engine=self.engine,
            catalog=self.catalog,
            fetch_all=self._fetch_all,
            local_rows=self._local_rows,
            fetched=lambda fetched: self._remember_failures(fetched, plan),
        )
        result.notices.extend(self._accounts.take_notices())  # what finding the accounts had to say, once
        problem = self._gateway.identity_problem if self._gateway is not None else None
        if problem is not None and "account_id" not in self._notices_heard:
            self._notices_heard.add("account_id")
            result.notices.append(f"account_id is NULL: STS could not say which account this is ({problem})")
        if plan.once_per_session:
            heard = self._notices_heard
            result.notices = [n for n in result.notices if n not in plan.once_per_session or n not in heard]
            heard.update(plan.once_per_session)
        return result

    def _remember_failures(self, fetched: Sequence[FetchResult], plan: SelectPlan | None = None) -> None:
        """What ``awsql.errors`` shows: the failures of the last statement that read AWS, an account it could
        not reach at all included."""
        from awsql_shell.execution.read_warnings import error_rows

        missing = plan.missing_accounts if plan is not None else ()
        self._last_errors = [*error_rows(fetched), *self._accounts.error_rows(missing)]

    def _local_rows(self, name: str) -> list[tuple[object, ...]]:
        from awsql_shell.catalog import awsql_tables

        if name == awsql_tables.ERRORS:
            return list(self._last_errors)
        return self._accounts.rows()

    def _fetch_all(self, fetches: list[Fetch]) -> list[FetchResult]:
        try:
            budget = self._calls_left()
            return self.gateway.fetch_all(fetches, progress=self.progress, cancel=self.cancel, budget=budget)
        finally:
            self._finish_progress()

    def _calls_left(self) -> int | None:
        """What --max-calls (or ``\\set max_calls N``) leaves this statement, its earlier waves counted."""
        limit = self.settings.max_calls
        typed = self.settings.variables.get("max_calls", "").strip()
        if typed:
            if not typed.isdigit() or int(typed) < 1:
                raise UsageError(f"max_calls must be a whole number of at least 1, not '{typed}' (\\unset max_calls)")
            limit = int(typed)
        if limit is None:
            return None
        return max(0, limit - (self._gateway.stats.api_calls if self._gateway is not None else 0))

    def _send(self, calls: Sequence[MutationCall], wait: bool) -> list[MutationOutcome]:
        try:
            return self.gateway.mutate(calls, wait=wait, progress=self.progress, cancel=self.cancel)
        finally:
            self._finish_progress()

    def _read_back(self, reads: Sequence[ReadBack]) -> list[ReadBackResult]:
        try:
            return self.gateway.read_back(reads, progress=self.progress, cancel=self.cancel)
        finally:
            self._finish_progress()

    def _finish_progress(self) -> None:
        if self.progress is not None:
            with contextlib.suppress(Exception):  # a broken progress display must not hide the outcome
                self.progress.finish()

    def _account(self) -> str:
        """Which account a change lands in, as far as awsql knows without asking STS."""
        settings = self.settings
        known = self._accounts.one_known_id()
        if known and not settings.account:
            return f"account {known}"
        if settings.account:
            return f"the sandbox account {settings.account}" if settings.sandbox else f"account {settings.account}"
        if settings.endpoint_url:
            return f"the account behind {settings.endpoint_url}"
        profile = settings.profile or os.environ.get("AWS_PROFILE") or "default"
        return f"the AWS account of profile '{profile}'"


def _reads_accounts(statement: Statement) -> bool:
    """Whether planning needs the session's accounts: a change, or a query of an awscc or awsql table."""
    if isinstance(statement, CATALOG_STATEMENTS):
        return False
    if not isinstance(statement, Select):
        return True
    from awsql_shell.catalog.awsql_tables import is_awsql_table

    return any(ref.is_awscc or is_awsql_table(ref.name) for scope in statement.scopes for ref in scope.tables)


def _missing_semicolon(error: AwsqlError, chunk: str, offset: int, script: str) -> AwsqlError:
    """A syntax error in a statement that runs into the next one: said so, at the line where it ends."""
    if not (isinstance(error, SqlSyntaxError) or "syntax error" in error.message):
        return error
    from awsql_shell.sql.endings import missing_semicolon

    end = missing_semicolon(chunk)
    if end is None:
        return error
    return SqlSyntaxError(
        "missing ';' at the end of this line: the next line starts another statement",
        position=offset + end,
        statement=script,
    )


def _located(error: AwsqlError, script: str) -> AwsqlError:
    """Make positions count from the start of the script the user gave."""
    if error.position is not None and error.statement is None:
        error.statement = script
    return error
