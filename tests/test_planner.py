"""The planner decides calls offline: what EXPLAIN shows is what a run would do, with no network at all."""

from __future__ import annotations

import pytest

from awsql_shell.catalog import Catalog
from awsql_shell.catalog.regions import DefaultRegion
from awsql_shell.errors import AwsqlError, UnknownNameError, UnsupportedError, ValidationError
from awsql_shell.planner.select_plan import SelectPlan, plan_select
from awsql_shell.session import Session
from awsql_shell.settings import Settings
from awsql_shell.sql import parse_statement
from awsql_shell.sql.statements import Delete

NO_DEFAULT = DefaultRegion(None)


def plan(catalog: Catalog, sql: str, default: DefaultRegion = NO_DEFAULT) -> SelectPlan:
    return plan_select(parse_statement(sql), catalog, default)


def test_identifier_columns_only_means_list_only(catalog: Catalog) -> None:
    planned = plan(catalog, "SELECT function_name, region FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    (fetch,) = planned.fetches
    assert fetch.operations == ("ListResources",)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1'",
        "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' AND runtime = 'python3.12'",
        "SELECT f.function_name FROM awscc.lambda.functions f WHERE f.region = 'us-east-1' ORDER BY f.memory_size",
    ],
)
def test_other_columns_add_get_resource(catalog: Catalog, sql: str) -> None:
    (fetch,) = plan(catalog, sql).fetches
    assert fetch.operations == ("ListResources", "GetResource")


def test_list_only_view_never_gets(catalog: Catalog) -> None:
    sql = "SELECT * FROM awscc.lambda.functions_list_only WHERE region = 'us-east-1'"
    (fetch,) = plan(catalog, sql).fetches
    assert fetch.operations == ("ListResources",)


def test_identifier_in_means_get_only_per_region(catalog: Catalog) -> None:
    planned = plan(
        catalog,
        "SELECT * FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'eu-west-1') AND Identifier IN ('a', 'b')",
    )
    assert [(f.region, f.identifiers) for f in planned.fetches] == [
        ("us-east-1", ("a", "b")),
        ("eu-west-1", ("a", "b")),
    ]
    assert "1 = 1" in planned.sql  # the Identifier predicate was used for the calls, not left for SQLite


def test_an_account_wide_list_type_is_listed_once_and_read_in_each_home_region(catalog: Catalog) -> None:
    """S3 lists every bucket of the account from any region; only GetResource can tell where each lives, so
    even the list-only view reads each bucket, asking the statement's regions in turn."""
    for view in ("awscc.s3.buckets", "awscc.s3.buckets_list_only"):
        planned = plan(catalog, f"SELECT * FROM {view} WHERE region IN ('us-east-1', 'eu-west-1') LIMIT 3")
        (fetch,) = planned.fetches
        assert (fetch.region, fetch.home_regions, fetch.limit) == ("us-east-1", ("us-east-1", "eu-west-1"), None)
        assert fetch.operations == ("ListResources", "GetResource")
    named = plan(
        catalog, "SELECT * FROM awscc.s3.buckets WHERE region IN ('us-east-1', 'eu-west-1') AND Identifier = 'a'"
    )
    assert [(f.identifiers, f.home_regions) for f in named.fetches] == [(("a",), ("us-east-1", "eu-west-1"))]


def test_default_region_is_used_with_a_notice(catalog: Catalog) -> None:
    planned = plan(catalog, "SELECT * FROM awscc.logs.log_groups", DefaultRegion("eu-west-1", "AWS_REGION"))
    assert planned.fetches[0].region == "eu-west-1"
    assert planned.notices == ("no region in WHERE; using the default region eu-west-1 (AWS_REGION)",)


@pytest.mark.parametrize(
    ("sql", "limit"),
    [
        ("SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' LIMIT 5", 5),
        ("SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' LIMIT 5 OFFSET 2", 7),
        ("SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' ORDER BY log_group_name LIMIT 5", None),
        ("SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' LIMIT 5", None),
        # The list filter answers the LIKE exactly, so the LIMIT counts the resources it keeps.
        ("SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name LIKE 'a%' LIMIT 5", 5),
        (
            "SELECT log_group_name FROM awscc.logs.log_groups WHERE region = 'us-east-1' "
            "AND log_group_name IN ('a', 'b') LIMIT 5",
            5,
        ),
        (
            "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' "
            "AND log_group_name LIKE 'a' ESCAPE '%' LIMIT 5",
            None,
        ),
        ("SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name = 5 LIMIT 5", None),
        (
            "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name NOT LIKE 'a%' LIMIT 5",
            None,
        ),
        (
            "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' "
            "AND log_group_name LIKE 'a%' AND arn = 'x' LIMIT 5",
            None,
        ),
        ("SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND region LIKE 'eu-%' LIMIT 5", None),
        ("SELECT * FROM awscc.sqs.queues WHERE region = 'us-east-1' AND (queue_name = 'a' OR 1 = 1) LIMIT 5", None),
    ],
)
def test_limit_is_pushed_only_when_safe(catalog: Catalog, sql: str, limit: int | None) -> None:
    planned = plan(catalog, sql, DefaultRegion("us-east-1", "test"))
    assert {f.limit for f in planned.fetches} == {limit}


def test_resource_model_from_where(catalog: Catalog) -> None:
    planned = plan(
        catalog,
        "SELECT * FROM awscc.eks.nodegroups WHERE region = 'us-east-1' AND cluster_name IN ('a', 'b')",
    )
    assert [f.resource_model for f in planned.fetches] == [{"ClusterName": "a"}, {"ClusterName": "b"}]


def test_missing_list_parameter_says_what_to_add(catalog: Catalog) -> None:
    with pytest.raises(ValidationError, match=r"add WHERE app_id = '\.\.\.'"):
        plan(catalog, "SELECT * FROM awscc.amplify.branches WHERE region = 'us-east-1'")


def test_a_list_that_needs_its_parent_reads_the_parent_list_first(catalog: Catalog) -> None:
    planned = plan(catalog, "SELECT * FROM awscc.eks.nodegroups WHERE region = 'us-east-1'")
    (parent, child) = planned.tables
    assert (parent.type_name, parent.list_only, child.type_name) == ("AWS::EKS::Cluster", True, "AWS::EKS::Nodegroup")
    assert child.joined is not None and child.joined.property == "ClusterName" and child.joined.source_column == "name"
    assert planned.fetches == parent.fetches  # the nodegroup lists wait for the clusters


def test_unknown_resource_has_position_and_suggestion(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError, match=r"did you mean 'awscc\.s3\.buckets'") as caught:
        plan(catalog, "SELECT * FROM awscc.s3.bukets WHERE region = 'us-east-1'")
    assert caught.value.position == len("SELECT * FROM ")


def test_type_without_handlers_is_a_clear_error(catalog: Catalog) -> None:
    entry = next(e for e in catalog if not e.provisionable)
    with pytest.raises(UnsupportedError, match="not supported by Cloud Control"):
        plan(catalog, f"SELECT * FROM {entry.id} WHERE region = 'us-east-1'")


def test_raw_views_need_a_type_name(catalog: Catalog) -> None:
    with pytest.raises(ValidationError, match="TypeName"):
        plan(catalog, "SELECT * FROM awscc.cloud_control.resources WHERE region = 'us-east-1'")


def test_explain_is_offline_and_needs_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    session = Session(Settings(endpoint_url="http://127.0.0.1:9"))  # nothing listens there
    (result,) = session.run(
        "EXPLAIN SELECT f.function_name, r.role_name FROM awscc.lambda.functions f "
        "JOIN awscc.iam.roles r ON r.arn = f.role WHERE f.region = 'us-east-1' AND r.region = 'us-east-1'"
    )
    operations = [row[1] for row in result.rows]
    assert operations == ["ListResources", "GetResource", "ListResources", "GetResource", "SQLite"]
    assert session.gateway_if_started is None


def test_forgiving_names_are_rewritten_quoted_or_not(catalog: Catalog) -> None:
    sql = 'SELECT FunctionName, "MemorySize", "runtime" FROM awscc.lambda.functions WHERE region = \'us-east-1\''
    planned = plan(catalog, sql)
    # Each renamed column keeps the name it was typed with as its header.
    assert planned.sql.startswith(
        'SELECT "function_name" AS "FunctionName", "memory_size" AS "MemorySize", "runtime" FROM'
    )


def test_a_quoted_name_that_is_no_column_is_an_error_not_a_string(catalog: Catalog) -> None:
    # SQLite would read an unknown "MemorySze" as the string 'MemorySze' and print it on every row.
    sql = "SELECT \"MemorySze\" FROM awscc.lambda.functions WHERE region = 'us-east-1'"
    with pytest.raises(UnknownNameError, match="no such column: MemorySze \\(did you mean 'memory_size'") as caught:
        plan(catalog, sql)
    assert caught.value.position == sql.index('"MemorySze"')
    aliased = plan(
        catalog, 'SELECT count(*) AS "n" FROM awscc.lambda.functions WHERE region = \'us-east-1\' ORDER BY "n"'
    )
    assert aliased.sql.endswith('ORDER BY "n"')


def test_unqualified_region_in_a_join_asks_for_a_qualifier(catalog: Catalog) -> None:
    sql = (
        "SELECT f.function_name FROM awscc.lambda.functions f JOIN awscc.iam.roles r ON r.arn = f.role "
        "WHERE region = 'us-east-1'"
    )
    with pytest.raises(
        ValidationError, match=r"'region' is ambiguous .*qualify it \(f\.region = \.\.\. and r\.region"
    ) as e:
        plan(catalog, sql)
    assert e.value.position == sql.index("region =")


@pytest.mark.parametrize(
    "where",
    [
        "region = 'us-east-1' OR log_group_name = 'eu-west-1'",
        "NOT region = 'us-east-1'",
        "region != 'us-east-1'",
        "region = (SELECT 'eu-west-1')",
        "region = 'us-east-1' AND (Identifier = 'a' OR log_group_name = 'b')",
        "Identifier LIKE 'a%' AND region = 'us-east-1'",
        "region LIKE 'us-%'",
        "region LIKE 'us-east-1'",
    ],
)
def test_region_and_identifier_awsql_cannot_read_are_refused_not_guessed(catalog: Catalog, where: str) -> None:
    sql = f"SELECT * FROM awscc.logs.log_groups WHERE {where}"
    with pytest.raises(ValidationError, match=r"steers which calls are made, so it must be written as") as caught:
        plan(catalog, sql, DefaultRegion("us-east-1", "test"))
    assert caught.value.position is not None and sql[caught.value.position :].lower().startswith(
        ("region", "identifier")
    )


def test_extra_region_conditions_beside_a_named_region_are_local_filters(catalog: Catalog) -> None:
    planned = plan(
        catalog, "SELECT * FROM awscc.sqs.queues WHERE region IN ('us-east-1', 'eu-west-1') AND region != 'eu-west-1'"
    )
    assert [f.region for f in planned.fetches] == ["us-east-1", "eu-west-1"]


def test_a_join_on_region_reads_the_other_tables_regions(catalog: Catalog) -> None:
    planned = plan(
        catalog,
        "SELECT f.function_name, c.qualifier FROM awscc.lambda.functions f "
        "JOIN awscc.lambda.event_invoke_configs c ON c.function_name = f.function_name AND c.region = f.region "
        "WHERE f.region = 'eu-west-1'",
    )
    assert {(t.ref.alias, f.region) for t in planned.tables for f in t.fetches} == {
        ("f", "eu-west-1"),
        ("c", "eu-west-1"),
    }
    assert planned.notices == ()


def test_unknown_region_suggestion_ignores_case(catalog: Catalog) -> None:
    with pytest.raises(ValidationError, match=r"unknown region 'US-EAST-1' \(did you mean 'us-east-1'"):
        plan(catalog, "SELECT * FROM awscc.logs.log_groups WHERE region = 'US-EAST-1'")


def test_another_provider_is_a_near_miss_with_a_suggestion(catalog: Catalog) -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown provider 'aws' \(did you mean 'awscc\.lambda\.functions'"
    ) as e:
        plan(catalog, "SELECT * FROM aws.lambda.functions WHERE region = 'us-east-1'")
    assert e.value.position == len("SELECT * FROM ")


@pytest.mark.parametrize(
    ("identifier", "message"),
    [("orders-api", "needs 2 parts joined by '|': FunctionName|Qualifier"), ("", "an empty Identifier")],
)
def test_identifiers_that_cannot_name_a_resource_fail_before_any_call(
    catalog: Catalog, identifier: str, message: str
) -> None:
    sql = f"SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' AND Identifier = '{identifier}'"
    with pytest.raises(ValidationError, match=message) as caught:
        plan(catalog, sql)
    assert caught.value.position == sql.rindex("'", 0, len(sql) - 1)


def test_raw_listing_of_a_type_that_needs_a_parameter_points_to_the_typed_view(catalog: Catalog) -> None:
    sql = (
        "SELECT * FROM awscc.cloud_control.resources "
        "WHERE region = 'us-east-1' AND TypeName = 'AWS::Lambda::EventInvokeConfig'"
    )
    with pytest.raises(ValidationError, match=r"SELECT from awscc\.lambda\.event_invoke_configs instead"):
        plan(catalog, sql)


def test_type_names_forgive_case_like_every_other_name(catalog: Catalog) -> None:
    sql = "SELECT * FROM awscc.cloud_control.resources WHERE region = 'us-east-1' AND TypeName = 'aws::s3::bucket'"
    assert [f.type_name for f in plan(catalog, sql).fetches] == ["AWS::S3::Bucket"]


@pytest.mark.parametrize(
    "where",
    [
        "region = 'us-east-1' OR region = 'eu-west-1'",
        "(region = 'us-east-1' OR region IN ('eu-west-1')) AND (Identifier = 'a' OR Identifier = 'b')",
    ],
)
def test_or_of_equalities_on_one_column_reads_like_in(catalog: Catalog, where: str) -> None:
    planned = plan(catalog, f"SELECT * FROM awscc.logs.log_groups WHERE {where}")
    assert [f.region for f in planned.fetches] == ["us-east-1", "eu-west-1"]
    if "Identifier" in where:
        assert {f.identifiers for f in planned.fetches} == {("a", "b")}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT name, values FROM awscc.amplifyuibuilder.themes WHERE region = 'us-east-1' AND app_id = 'a' "
            "AND environment_name = 'e'",
            'SELECT name, "_values" AS "values" FROM',
        ),
        (
            "SELECT t.values FROM awscc.amplifyuibuilder.themes t WHERE t.region = 'us-east-1' AND t.app_id = 'a' "
            "AND t.environment_name = 'e' AND values IS NOT NULL",
            'AND "_values" IS NOT NULL',
        ),
        (
            "SELECT group_name, group FROM awscc.resourcegroups.tag_sync_tasks WHERE region = 'us-east-1' "
            "AND group = 'g' ORDER BY group",
            'ORDER BY "group"',
        ),
    ],
)
def test_keyword_named_columns_work_unquoted(catalog: Catalog, sql: str, expected: str) -> None:
    """StackQL's pages write Values, Group and Match bare: they resolve and reach SQLite quoted."""
    assert expected in plan(catalog, sql).sql


def test_group_by_and_a_missing_by_keep_their_meaning(catalog: Catalog) -> None:
    grouped = plan(
        catalog, "SELECT region, count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' GROUP BY region"
    )
    assert "GROUP BY region" in grouped.sql
    with pytest.raises(AwsqlError, match="expected BY after GROUP"):
        plan(catalog, "SELECT region FROM awscc.logs.log_groups WHERE region = 'us-east-1' GROUP region")


# -- LIKE narrows a column, it pins nothing -------------------------------------------------------------


def test_region_like_beside_a_named_region_stays_a_local_filter(catalog: Catalog) -> None:
    planned = plan(
        catalog, "SELECT * FROM awscc.logs.log_groups WHERE region IN ('us-east-1', 'eu-west-1') AND region LIKE 'us-%'"
    )
    assert [f.region for f in planned.fetches] == ["us-east-1", "eu-west-1"]
    assert "region LIKE 'us-%'" in planned.sql


def test_like_on_a_list_parameter_is_no_resource_model(catalog: Catalog) -> None:
    planned = plan(
        catalog, "SELECT * FROM awscc.eks.nodegroups WHERE region = 'us-east-1' AND cluster_name LIKE 'prod%'"
    )
    parent, child = planned.tables
    assert parent.type_name == "AWS::EKS::Cluster" and child.joined is not None  # listed per cluster, not 'prod%'
    assert not any(f.resource_model for f in parent.fetches + child.fetches)


def test_like_on_call_parameters_of_the_raw_views_is_not_a_call_parameter(catalog: Catalog) -> None:
    with pytest.raises(ValidationError, match="needs TypeName = "):
        plan(
            catalog,
            "SELECT * FROM awscc.cloud_control.resources WHERE region = 'us-east-1' AND TypeName LIKE 'AWS::S3::%'",
        )
    raw = plan(
        catalog,
        "SELECT * FROM awscc.cloud_control.resources WHERE region = 'us-east-1' AND TypeName = 'AWS::S3::Bucket' "
        "AND Identifier LIKE 'logs-%'",
    )
    (fetch,) = raw.fetches
    assert fetch.identifiers is None  # listed, and the LIKE stays for SQLite on the identifier column
    assert "Identifier LIKE 'logs-%'" in raw.sql and raw.sql.count("1 = 1") == 1
    with pytest.raises(ValidationError, match="needs RequestToken = "):
        plan(
            catalog,
            "SELECT * FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1' AND RequestToken LIKE 'a%'",
        )


def test_a_like_on_identifier_in_a_delete_is_refused_not_taken_for_named_targets(catalog: Catalog) -> None:
    # Were the LIKE counted among the conjuncts that name the targets, 'a' would be deleted unread.
    from awsql_shell.planner.mutation_plan import plan_mutation

    statement = parse_statement(
        "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'a' AND Identifier LIKE 'b%'"
    )
    assert isinstance(statement, Delete)
    with pytest.raises(ValidationError, match="Identifier steers which calls are made"):
        plan_mutation(statement, catalog, NO_DEFAULT)


# -- list filters: conjuncts on listed columns drop resources before their GetResource ----------------------


def only_filter(planned: SelectPlan) -> str | None:
    (described,) = {f.list_filter.describe() if f.list_filter else None for f in planned.fetches}
    return described


@pytest.mark.parametrize(
    ("where", "described"),
    [
        ("function_name = 'orders-api'", "function_name = 'orders-api'"),
        ("FunctionName IN ('a', 'b', 'a')", "function_name IN ('a', 'b')"),
        ("(function_name = 'a' OR function_name = 'b')", "function_name IN ('a', 'b')"),
        ("function_name LIKE 'orders%'", "function_name LIKE 'orders%'"),
        ("function_name LIKE 'a\\_%' ESCAPE '\\'", "function_name LIKE 'a\\_%' ESCAPE '\\'"),
        ("function_name LIKE 'it''s%' AND function_name != 'x'", "function_name LIKE 'it''s%'"),
        ("function_name = 'a' AND function_name LIKE 'a%'", "function_name = 'a' AND function_name LIKE 'a%'"),
        # Not answered exactly, or not on a listed column: SQLite alone.
        ("runtime = 'python3.12'", None),
        ("function_name = 12", None),
        ("function_name LIKE 'a%' ESCAPE '_'", None),
        ("function_name LIKE runtime", None),
        ("NOT function_name = 'a'", None),
        ("(function_name = 'a' OR runtime = 'b')", None),
        ("function_name LIKE 'a%' COLLATE NOCASE", None),
        ("function_name = 'a' COLLATE NOCASE", None),
    ],
)
def test_a_list_filter_takes_the_conjuncts_it_answers_exactly(
    catalog: Catalog, where: str, described: str | None
) -> None:
    planned = plan(
        catalog,
        f"SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' AND {where}",
    )
    assert only_filter(planned) == described
    assert "1 = 1" not in planned.sql  # the SQL keeps the predicate: SQLite still evaluates it


def test_a_list_filter_stays_with_its_table(catalog: Catalog) -> None:
    planned = plan(
        catalog,
        "SELECT f.function_name, c.qualifier FROM awscc.lambda.functions_list_only f "
        "LEFT JOIN awscc.lambda.event_invoke_configs_list_only c ON c.function_name = f.function_name "
        "WHERE f.region = 'us-east-1' AND c.region = 'us-east-1' AND c.qualifier LIKE '$%' "
        "AND f.function_name LIKE 'o%'",
    )
    by_alias = {t.ref.alias: t for t in planned.tables}
    assert {f.list_filter.describe() for f in by_alias["f"].fetches if f.list_filter} == {"function_name LIKE 'o%'"}
    assert {f.list_filter.describe() for f in by_alias["c"].fetches if f.list_filter} == {"qualifier LIKE '$%'"}
    # A column of the other table, or one the listing does not carry, filters nothing here.
    unqualified = plan(
        catalog,
        "SELECT * FROM awscc.lambda.functions f WHERE f.region = 'us-east-1' AND EXISTS "
        "(SELECT 1 FROM awscc.iam.roles_list_only r WHERE r.region = 'us-east-1' AND function_name = 'x')",
    )
    assert all(f.list_filter is None for f in unqualified.fetches)


def test_a_correlated_predicate_inside_a_subquery_narrows_no_outer_table(catalog: Catalog) -> None:
    # f.function_name = 'x' only decides EXISTS for each f: every function must still be read.
    planned = plan(
        catalog,
        "SELECT f.runtime FROM awscc.lambda.functions f WHERE f.region = 'us-east-1' AND EXISTS "
        "(SELECT 1 FROM awscc.iam.roles_list_only r WHERE r.region = 'us-east-1' AND f.function_name = 'x')",
    )
    assert all(f.list_filter is None and f.identifiers is None for f in planned.fetches)


def test_explain_says_which_listed_resources_get_a_get_resource() -> None:
    session = Session(Settings(endpoint_url="http://127.0.0.1:9"))
    (result,) = session.run(
        "EXPLAIN SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        "AND function_name LIKE 'orders%' LIMIT 2"
    )
    assert [row[1:] for row in result.rows[:2]] == [
        (
            "ListResources",
            "",
            "us-east-1",
            "AWS::Lambda::Function",
            "awscc.lambda.functions: every page, stop after 2 resources where function_name LIKE 'orders%' "
            "(LIMIT pushed down)",
        ),
        (
            "GetResource",
            "",
            "us-east-1",
            "AWS::Lambda::Function",
            "only for listed resources where function_name LIKE 'orders%', concurrently; no GetResource for rows "
            "whose listed properties hold every column needed (function_name, runtime)",
        ),
    ]


# -- pinned identifier columns: GetResource, as Identifier = does -------------------------------------------


def gets(planned: SelectPlan) -> set[tuple[str, ...] | None]:
    return {f.identifiers for f in planned.fetches}


@pytest.mark.parametrize(
    ("sql", "identifiers"),
    [
        (
            "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND function_name = 'orders-api'",
            ("orders-api",),
        ),
        (
            "SELECT runtime FROM awscc.lambda.functions WHERE region = 'us-east-1' AND FunctionName IN ('a', 'b')",
            ("a", "b"),
        ),
        (
            "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' "
            "AND (function_name = 'a' OR function_name = 'b')",
            ("a", "b"),
        ),
        (
            "SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' "
            "AND function_name IN ('a', 'b') AND qualifier = '$LATEST'",
            ("a|$LATEST", "b|$LATEST"),
        ),
        # Conjuncts that allow no value at all read nothing.
        (
            "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' "
            "AND function_name = 'a' AND function_name = 'b'",
            (),
        ),
    ],
)
def test_pinned_identifier_columns_become_get_resource(
    catalog: Catalog, sql: str, identifiers: tuple[str, ...]
) -> None:
    planned = plan(catalog, sql)
    assert gets(planned) == {identifiers}
    assert planned.tables[-1].joined is None and len(planned.tables) == 1  # no listing, not even of a parent
    assert "1 = 1" not in planned.sql  # the SQL keeps the predicate


@pytest.mark.parametrize(
    "sql",
    [
        # Only listed columns: the listing needs no read permission and no call per value.
        "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' AND function_name = 'a'",
        "SELECT * FROM awscc.lambda.functions_list_only WHERE region = 'us-east-1' AND function_name = 'a'",
        # Not every part of a compound identifier is pinned.
        "SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' AND function_name = 'a'",
        "SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' AND qualifier = '$LATEST'",
        # Values that cannot be read as the identifier, or are no pin.
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND function_name = 7",
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND function_name = ' '",
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        'AND function_name = \'{"FunctionName": "a"}\'',
        "SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' AND function_name = 'a|b' "
        "AND qualifier = 'c'",
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND function_name LIKE 'a'",
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND (function_name = 'a' OR runtime = 'b')",
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND NOT function_name = 'a'",
    ],
)
def test_identifier_columns_not_pinned_exactly_are_listed(catalog: Catalog, sql: str) -> None:
    assert gets(plan(catalog, sql)) == {None}


def test_pinned_identifiers_of_a_joined_table_come_from_its_own_where(catalog: Catalog) -> None:
    planned = plan(
        catalog,
        "SELECT f.runtime, c.maximum_retry_attempts FROM awscc.lambda.functions f "
        "LEFT JOIN awscc.lambda.event_invoke_configs c "
        "ON c.function_name = f.function_name AND c.qualifier = '$LATEST' "
        "WHERE f.region = 'us-east-1' AND c.region = 'us-east-1' AND f.function_name = 'orders-api'",
    )
    by_alias = {t.ref.alias: t for t in planned.tables}
    assert {f.identifiers for f in by_alias["f"].fetches} == {("orders-api",)}
    # An ON condition of an outer join is no WHERE: the configs are still listed per function found.
    assert by_alias["c"].joined is not None and {f.identifiers for f in by_alias["c"].fetches} == {None}


def test_explain_names_the_identifiers_and_the_columns_they_come_from() -> None:
    session = Session(Settings(endpoint_url="http://127.0.0.1:9"))
    (result,) = session.run(
        "EXPLAIN SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' "
        "AND function_name = 'orders-api' AND qualifier = '$LATEST'"
    )
    assert result.rows[0][1:] == (
        "GetResource",
        "",
        "us-east-1",
        "AWS::Lambda::EventInvokeConfig",
        "awscc.lambda.event_invoke_configs: Identifier IN (orders-api|$LATEST) "
        "(from function_name and qualifier in WHERE)",
    )


# -- what a query reads: listed models that hold it need no GetResource -------------------------------------


@pytest.mark.parametrize(
    ("sql", "needed"),
    [
        (
            "SELECT function_name, runtime FROM awscc.lambda.functions f WHERE region = 'us-east-1' "
            "ORDER BY f.memory_size",
            {"FunctionName", "Runtime", "MemorySize"},
        ),
        (
            "SELECT json_extract(environment, '$.Variables') FROM awscc.lambda.functions WHERE region = 'us-east-1'",
            {"Environment"},
        ),
        (
            "SELECT MemorySize FROM awscc.lambda.functions WHERE region = 'us-east-1' "
            "GROUP BY handler HAVING count(*) > 1",
            {"MemorySize", "Handler"},
        ),
        ("SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1'", None),
        ("SELECT f.* FROM awscc.lambda.functions f WHERE f.region = 'us-east-1'", None),
        # A column of the other table counts only when unqualified (it may be this one's: correlated).
        (
            "SELECT f.runtime FROM awscc.lambda.functions f WHERE f.region = 'us-east-1' AND EXISTS "
            "(SELECT 1 FROM awscc.iam.roles_list_only r WHERE r.region = 'us-east-1' AND r.arn = role AND r.x = 1)",
            {"Runtime", "Role"},
        ),
    ],
)
def test_the_properties_a_query_reads_travel_on_the_fetch(catalog: Catalog, sql: str, needed: set[str] | None) -> None:
    planned = plan(catalog, sql)
    fetch = next(f for t in planned.tables if t.type_name == "AWS::Lambda::Function" for f in t.fetches)
    assert fetch.with_details
    assert fetch.needed == (frozenset(needed) if needed is not None else None)


def test_explain_says_where_listed_properties_may_spare_the_get_resource() -> None:
    session = Session(Settings(endpoint_url="http://127.0.0.1:9"))
    (result,) = session.run(
        "EXPLAIN SELECT log_group_name, retention_in_days FROM awscc.logs.log_groups WHERE region = 'us-east-1'"
    )
    assert result.rows[1][1:] == (
        "GetResource",
        "",
        "us-east-1",
        "AWS::Logs::LogGroup",
        "for each listed resource, concurrently; no GetResource for rows whose listed properties hold every "
        "column needed (log_group_name, retention_in_days)",
    )
    (star,) = session.run("EXPLAIN SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
    assert star.rows[1][5] == "for each listed resource, concurrently"


# -- region steering is never silently ignored ---------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "WITH f AS (SELECT * FROM awscc.lambda.functions) SELECT function_name FROM f WHERE region = 'eu-west-1'",
        "SELECT function_name FROM (SELECT * FROM awscc.lambda.functions) AS f WHERE region = 'eu-west-1'",
        "SELECT x.function_name FROM (SELECT function_name, region FROM awscc.lambda.functions) x "
        "WHERE x.region IN ('eu-west-1')",
    ],
)
def test_a_region_on_a_cte_or_derived_table_steers_the_calls_inside(catalog: Catalog, sql: str) -> None:
    planned = plan(catalog, sql, DefaultRegion("us-east-1", "--region"))
    assert [f.region for f in planned.fetches] == ["eu-west-1"]
    assert not planned.notices  # no default region was used


@pytest.mark.parametrize(
    "sql",
    [
        "WITH f AS (SELECT function_name, region FROM awscc.lambda.functions LIMIT 3) SELECT * FROM f "
        "WHERE region = 'eu-west-1'",
        "WITH f AS (SELECT region, count(*) AS n FROM awscc.lambda.functions GROUP BY region) SELECT * FROM f "
        "WHERE region = 'eu-west-1'",
        "WITH f AS (SELECT * FROM awscc.lambda.functions) SELECT * FROM f WHERE region = 'eu-west-1' OR 1 = 1",
    ],
)
def test_a_region_that_cannot_steer_from_outside_says_where_to_write_it(catalog: Catalog, sql: str) -> None:
    with pytest.raises(ValidationError, match="region filters f, which awsql cannot steer from outside it"):
        plan(catalog, sql, DefaultRegion("us-east-1", "--region"))


def test_join_using_region_reads_the_same_regions(catalog: Catalog) -> None:
    planned = plan(
        catalog,
        "SELECT f.function_name FROM awscc.lambda.functions f JOIN awscc.logs.log_groups g USING (region) "
        "WHERE f.region = 'eu-west-1'",
    )
    assert {(t.type_name, f.region) for t in planned.tables for f in t.fetches} == {
        ("AWS::Lambda::Function", "eu-west-1"),
        ("AWS::Logs::LogGroup", "eu-west-1"),
    }


def test_a_second_table_without_its_own_region_is_refused_not_defaulted(catalog: Catalog) -> None:
    with pytest.raises(ValidationError, match=r"awscc.logs.log_groups g has no region of its own .* add g.region"):
        plan(
            catalog,
            "SELECT f.function_name FROM awscc.lambda.functions f JOIN awscc.logs.log_groups g ON 1 = 1 "
            "WHERE f.region = 'eu-west-1'",
            DefaultRegion("us-east-1", "--region"),
        )


def test_explain_says_how_many_calls_at_the_least(catalog: Catalog) -> None:
    from awsql_shell.planner.explain import explain

    listed = explain(plan(catalog, "SELECT * FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'eu-west-1')"))
    assert listed.notices[-1].startswith("calls: 1 type x 2 regions: 2 ListResources (one more per further page)")
    named = explain(
        plan(catalog, "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier IN ('a', 'b')")
    )
    assert (
        named.notices[-1] == "calls: 1 type x 1 region: 2 GetResource by identifier at most (--max-calls bounds them)"
    )
