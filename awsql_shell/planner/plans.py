"""Every statement gets a plan value before anything runs: ``plan_statement`` is the one planning path
that a run and EXPLAIN share.

- ``SelectPlan`` (``select_plan.py``): the fetches per table, the rewritten SQL.
- ``MutationPlan`` (``mutation_plan.py``): the calls known offline, or the read that decides them.
- ``CatalogPlan``: SHOW and DESCRIBE, answered from the local catalog with no call.

The SELECT and mutation planners are imported on first use, so SHOW and DESCRIBE start fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from awsql_shell.catalog import Catalog
from awsql_shell.catalog.regions import DefaultRegion
from awsql_shell.errors import UnsupportedError
from awsql_shell.planner.accounts import AccountScope
from awsql_shell.sql.statements import (
    Delete,
    Describe,
    Insert,
    Select,
    ShowInsert,
    ShowMethods,
    ShowProviders,
    ShowResources,
    ShowServices,
    Statement,
    Update,
)

if TYPE_CHECKING:
    from awsql_shell.planner.mutation_plan import MutationPlan
    from awsql_shell.planner.select_plan import SelectPlan

CATALOG_STATEMENTS = (ShowProviders, ShowServices, ShowResources, ShowMethods, ShowInsert, Describe)
MUTATIONS = (Insert, Update, Delete)


@dataclass(frozen=True)
class CatalogPlan:
    """A SHOW or DESCRIBE: the local catalog answers it, no call is made."""

    statement: Statement


Plan: TypeAlias = "SelectPlan | MutationPlan | CatalogPlan"


@dataclass(frozen=True, kw_only=True)
class PlanningContext:
    """What planning needs besides the statement: where names and regions are resolved, the session's
    accounts, and the session's choices that change the calls (variables for patch templates, --no-wait,
    --read-only)."""

    catalog: Catalog
    default_region: DefaultRegion
    variables: dict[str, str]
    accounts: AccountScope = field(default_factory=AccountScope)
    no_wait: bool = False
    read_only: bool = False


def plan_statement(statement: Statement, context: PlanningContext) -> Plan:
    if isinstance(statement, CATALOG_STATEMENTS):
        return CatalogPlan(statement)
    if isinstance(statement, Select):
        from awsql_shell.planner.select_plan import plan_select

        return plan_select(statement, context.catalog, context.default_region, context.accounts)
    if isinstance(statement, MUTATIONS):
        from awsql_shell.planner.mutation_plan import plan_mutation

        return plan_mutation(
            statement,
            context.catalog,
            context.default_region,
            accounts=context.accounts,
            variables=context.variables,
            no_wait=context.no_wait,
            read_only=context.read_only,
        )
    raise UnsupportedError(f"{type(statement).__name__.upper()} cannot be planned")
