"""SHOW and DESCRIBE teach what StackQL's documentation page for a resource teaches (seed-event_invoke_configs.md)."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from awsql_shell.catalog import Catalog
from awsql_shell.catalog.schema import ACCOUNT_DESCRIPTION
from awsql_shell.errors import AwsqlError, UnknownNameError, UnsupportedError, describe
from awsql_shell.execution.catalog_answers import like_matcher, run_metadata
from awsql_shell.result import Result
from awsql_shell.sql.statements import Describe, ShowInsert, ShowMethods, ShowProviders, ShowResources, ShowServices

EVENT_INVOKE_CONFIGS = "awscc.lambda.event_invoke_configs"


# -- reading the seed page -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(shared_dir: Path) -> str:
    return (shared_dir / "spec" / "seed-event_invoke_configs.md").read_text()


def seed_field_tabs(seed: str) -> list[list[dict[str, Any]]]:
    """The page's SchemaTable blocks: [get tab fields, list tab fields]."""
    return [json.loads(block) for block in re.findall(r"<SchemaTable fields=\{(\[.*?\])\} />", seed, re.S)]


def seed_methods(seed: str) -> list[tuple[str, str, str, str]]:
    """(name, resource, verb, required params) per row of the Methods table."""
    row = re.compile(
        r'<td><CopyableCode code="(\w+)" /></td>\s*<td><code>(\w+)</code></td>\s*'
        r'<td><code>(\w+)</code></td>\s*<td><CopyableCode code="([^"]*)" /></td>'
    )
    return row.findall(seed)


def seed_permissions(seed: str) -> dict[str, str]:
    """Permissions tab (create, read, ...) -> the permissions listed in it."""
    section = seed[seed.index("## Permissions") :]
    return {
        tab: body.strip() for tab, body in re.findall(r'<TabItem value="(\w+)">\s*```json\n(.*?)```', section, re.S)
    }


def seed_insert(seed: str, tab: str) -> str:
    body = re.search(rf'<TabItem value="{tab}">\s*```sql\n(.*?)```', seed, re.S)
    assert body is not None
    return body.group(1).replace("/*+ create */", "")


def flatten(fields: list[dict[str, Any]], prefix: str = "") -> dict[str, dict[str, Any]]:
    flat: dict[str, dict[str, Any]] = {}
    for field in fields:
        path = f"{prefix}{field['name']}"
        flat[path] = field
        flat.update(flatten(field.get("children", []), f"{path}."))
    return flat


def plain(text: str) -> str:
    """The seed's descriptions carry HTML escapes and <br />; the schema's are plain text."""
    return " ".join(html.unescape(text).replace("<br />", " ").split())


def rows_by(result: Result, key: str = "name") -> dict[str, dict[str, Any]]:
    index = result.columns.index(key)
    return {row[index]: dict(zip(result.columns, row, strict=True)) for row in result.rows}


def column(result: Result, name: str) -> list[Any]:
    index = result.columns.index(name)
    return [row[index] for row in result.rows]


# -- SHOW PROVIDERS / SERVICES / RESOURCES ---------------------------------------------------


def test_show_providers_names_awscc_with_the_catalog_version(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowProviders(text="SHOW PROVIDERS"))
    assert result.columns[:2] == ["name", "version"]
    (row,) = result.rows
    assert row[0] == "awscc"
    assert row[1] and row[1] in catalog.source


def test_show_services_lists_every_service_with_its_resource_count(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowServices(text="SHOW SERVICES"))
    assert result.columns == ["name", "id", "resources"]
    # Every CloudFormation namespace, and the raw cloud_control views with their 4 tables.
    assert len(result.rows) == len({entry.service for entry in catalog}) + 1 > 250
    assert sum(column(result, "resources")) == len(catalog) + 4 == 1817 + 4
    assert rows_by(result)["lambda"] == {"name": "lambda", "id": "awscc.lambda", "resources": 17}
    assert result.types["resources"] == "integer"


def test_show_services_like_is_sql_like_case_insensitive(catalog: Catalog) -> None:
    assert column(run_metadata(catalog, ShowServices(text="", like="lam%")), "name") == ["lambda"]
    assert column(run_metadata(catalog, ShowServices(text="", like="EC_")), "name") == ["ec2", "ecr", "ecs"]
    assert run_metadata(catalog, ShowServices(text="", like="nothing%here")).rows == []


def test_like_matcher_treats_regex_characters_literally() -> None:
    matches = like_matcher("a.b%")
    assert matches("a.bc") and matches("A.B")
    assert not matches("axbc")


def test_show_resources_lists_types_and_list_only_views(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowResources(text="SHOW RESOURCES IN awscc.lambda", service="awscc.lambda"))
    assert result.columns[:4] == ["name", "id", "type_name", "description"]
    rows = rows_by(result)
    config = rows["event_invoke_configs"]
    assert config["id"] == EVENT_INVOKE_CONFIGS
    assert config["type_name"] == "AWS::Lambda::EventInvokeConfig"
    assert config["description"].startswith("The AWS::Lambda::EventInvokeConfig resource configures options")
    assert config["supported"] is True
    view = rows["event_invoke_configs_list_only"]
    assert view["id"] == "awscc.lambda.event_invoke_configs_list_only"
    assert view["type_name"] == "AWS::Lambda::EventInvokeConfig"
    assert view["operations"] == "SELECT"
    names = column(result, "name")
    assert names.index("event_invoke_configs_list_only") == names.index("event_invoke_configs") + 1


def test_show_resources_like_filters_by_name(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowResources(text="", service="lambda", like="EVENT_INVOKE%"))
    assert column(result, "name") == ["event_invoke_configs", "event_invoke_configs_list_only"]


def test_show_resources_flags_types_without_cloud_control_handlers(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowResources(text="", service="awscc.appmesh"))
    mesh = rows_by(result)["meshes"]
    assert mesh["type_name"] == "AWS::AppMesh::Mesh"
    assert mesh["supported"] is False
    assert mesh["operations"] == ""
    assert any("no Cloud Control handlers" in notice for notice in result.notices)


# -- SHOW METHODS ----------------------------------------------------------------------------


def test_show_methods_reproduces_the_seed_methods_table(catalog: Catalog, seed: str) -> None:
    result = run_metadata(catalog, ShowMethods(text="", resource=EVENT_INVOKE_CONFIGS))
    assert result.columns[:4] == ["name", "sql_verb", "required_params", "permissions"]
    ours = [(r["name"], r["resource"], r["sql_verb"], r["required_params"]) for r in rows_by(result).values()]
    assert ours == seed_methods(seed)
    tab_of = {"create_resource": "create", "get_resource": "read", "update_resource": "update"}
    tab_of |= {"delete_resource": "delete", "list_resources": "list"}
    permissions = seed_permissions(seed)
    assert {r["name"]: r["permissions"] for r in rows_by(result).values()} == {
        name: permissions[tab] for name, tab in tab_of.items()
    }


def test_show_methods_notes_what_stackql_leaves_out(catalog: Catalog) -> None:
    rows = rows_by(run_metadata(catalog, ShowMethods(text="", resource=EVENT_INVOKE_CONFIGS)))
    assert "'{{ function_name }}|{{ qualifier }}'" in rows["get_resource"]["notes"]
    nodegroups = rows_by(run_metadata(catalog, ShowMethods(text="", resource="awscc.eks.nodegroups")))
    assert "cluster_name" in nodegroups["list_resources"]["notes"]


def test_show_methods_of_a_list_view_is_its_list_method(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowMethods(text="", resource="awscc.lambda.event_invoke_configs_list_only"))
    assert column(result, "name") == ["list_resources"]


def test_show_methods_of_a_type_without_handlers_is_empty_with_a_notice(catalog: Catalog) -> None:
    result = run_metadata(catalog, ShowMethods(text="", resource="awscc.appmesh.meshes"))
    assert result.rows == []
    assert any("not supported by Cloud Control" in notice for notice in result.notices)


# -- DESCRIBE --------------------------------------------------------------------------------


def test_describe_matches_the_seed_fields(catalog: Catalog, seed: str) -> None:
    get_fields, _ = seed_field_tabs(seed)
    result = run_metadata(catalog, Describe(text="", resource=EVENT_INVOKE_CONFIGS))
    assert result.columns == ["name", "type", "description"]
    # StackQL's fields, then awsql's own account_id (the account each row came from).
    assert [(r[0], r[1]) for r in result.rows] == [(f["name"], f["type"]) for f in get_fields] + [
        ("account_id", "string")
    ]
    # The seed was built from a newer schema for destination_config; every other description agrees.
    differing = {r[0] for r, f in zip(result.rows, get_fields, strict=False) if r[2] != plain(f["description"])}
    assert differing <= {"destination_config"}


def test_describe_of_the_list_view_matches_the_seed_list_tab(catalog: Catalog, seed: str) -> None:
    _, list_fields = seed_field_tabs(seed)
    result = run_metadata(catalog, Describe(text="", resource="awscc.lambda.event_invoke_configs_list_only"))
    seed_rows = [(f["name"], f["type"], plain(f["description"])) for f in list_fields]
    assert [tuple(r) for r in result.rows] == [*seed_rows, ("account_id", "string", ACCOUNT_DESCRIPTION)]


def test_describe_extended_has_flags_and_nested_fields(catalog: Catalog, seed: str) -> None:
    result = run_metadata(catalog, Describe(text="", resource=EVENT_INVOKE_CONFIGS, extended=True))
    assert result.columns == [
        "name", "type", "description", "property", "required", "identifier", "read_only", "create_only", "write_only"
    ]  # fmt: skip
    rows = rows_by(result)
    nested = rows["destination_config.on_failure.destination"]
    assert nested["type"] == "string"
    assert nested["property"] == "DestinationConfig.OnFailure.Destination"
    assert nested["description"].startswith("The Amazon Resource Name (ARN) of the destination resource.")
    function_name = rows["function_name"]
    assert (function_name["required"], function_name["identifier"], function_name["create_only"]) == (True,) * 3
    assert rows["maximum_retry_attempts"]["required"] is False
    # Every field of the seed page, nested ones included, is there with the same type.
    seed_types = {path: f["type"] for path, f in flatten(seed_field_tabs(seed)[0]).items()}
    assert {path: rows[path]["type"] for path in seed_types} == seed_types
    assert result.types["read_only"] == "boolean"


def test_describe_extended_marks_read_only_properties(catalog: Catalog) -> None:
    rows = rows_by(run_metadata(catalog, Describe(text="", resource="awscc.lambda.functions", extended=True)))
    assert rows["arn"]["read_only"] is True
    assert rows["function_name"]["read_only"] is False


@pytest.mark.slow
def test_every_type_describes_and_shows_its_methods(catalog: Catalog) -> None:
    failures = []
    for entry in catalog:
        names = [entry.id, *([entry.list_only_id] if entry.list_only_id else [])]
        for name in names:
            try:
                plain_rows = run_metadata(catalog, Describe(text="", resource=name)).rows
                extended_rows = run_metadata(catalog, Describe(text="", resource=name, extended=True)).rows
                run_metadata(catalog, ShowMethods(text="", resource=name))
            except Exception as error:  # collect them all: one broken schema must not hide another
                failures.append(f"{name}: {error!r}")
                continue
            last = [row[0] for row in plain_rows[-2:]]
            if last != ["region", "account_id"] or len(extended_rows) < len(plain_rows):
                failures.append(f"{name}: region and account_id not last or EXTENDED lost rows")
    assert failures == []


# -- SHOW INSERT -----------------------------------------------------------------------------


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_show_insert_required_equals_the_seed_template(catalog: Catalog, seed: str) -> None:
    result = run_metadata(catalog, ShowInsert(text="", resource=EVENT_INVOKE_CONFIGS, hints=("required",)))
    assert result.columns == ["insert_statement"]
    ((statement,),) = result.rows
    assert squeeze(statement) == squeeze(seed_insert(seed, "required"))
    assert statement.startswith("INSERT INTO awscc.lambda.event_invoke_configs (\n FunctionName,\n")


def test_show_insert_all_equals_the_seed_template(catalog: Catalog, seed: str) -> None:
    ((statement,),) = run_metadata(catalog, ShowInsert(text="", resource="Lambda.EventInvokeConfigs")).rows
    assert squeeze(statement) == squeeze(seed_insert(seed, "all"))


def test_show_insert_required_field_of_the_statement_works_like_the_hint(catalog: Catalog) -> None:
    by_hint = run_metadata(catalog, ShowInsert(text="", resource=EVENT_INVOKE_CONFIGS, hints=("required",)))
    by_field = run_metadata(catalog, ShowInsert(text="", resource=EVENT_INVOKE_CONFIGS, required_only=True))
    assert by_hint.rows == by_field.rows


def test_show_insert_leaves_out_read_only_properties(catalog: Catalog) -> None:
    ((statement,),) = run_metadata(catalog, ShowInsert(text="", resource="awscc.lambda.functions")).rows
    assert " Code," in statement and " Arn," not in statement


def test_show_insert_template_is_valid_sql_once_filled_in(catalog: Catalog) -> None:
    ((statement,),) = run_metadata(catalog, ShowInsert(text="", resource="awscc.lambda.functions")).rows
    properties = re.findall(r"^ (\w+),?$", statement.split("SELECT")[0], re.M)
    database = sqlite3.connect(":memory:")
    database.execute(f"CREATE TABLE functions ({', '.join(properties)})")
    filled = re.sub(r"\{\{ (\w+) \}\}", r"value of \1", statement).replace("awscc.lambda.functions", "functions")
    database.execute(filled)
    assert database.execute("SELECT FunctionName, region FROM functions").fetchone() == (
        "value of function_name",
        "value of region",
    )


def test_show_insert_for_a_type_cloud_control_cannot_create_is_a_clear_error(catalog: Catalog) -> None:
    text = "SHOW INSERT INTO awscc.appmesh.meshes"
    with pytest.raises(UnsupportedError, match="not supported by Cloud Control") as caught:
        run_metadata(catalog, ShowInsert(text=text, resource="awscc.appmesh.meshes"))
    assert caught.value.position == text.index("awscc.appmesh.meshes")


def test_show_insert_into_a_list_view_points_to_the_resource(catalog: Catalog) -> None:
    with pytest.raises(UnsupportedError, match=f"SHOW INSERT INTO {EVENT_INVOKE_CONFIGS}"):
        run_metadata(catalog, ShowInsert(text="", resource=f"{EVENT_INVOKE_CONFIGS}_list_only"))


# -- unknown names -----------------------------------------------------------------------------


def test_unknown_service_suggests_the_close_one_and_points_at_it(catalog: Catalog) -> None:
    text = "SHOW RESOURCES IN awscc.lamda"
    with pytest.raises(UnknownNameError, match="did you mean 'lambda'") as caught:
        run_metadata(catalog, ShowResources(text=text, service="awscc.lamda"))
    assert describe(caught.value).endswith("(line 1, column 19)")


def test_unknown_resource_suggests_the_close_one(catalog: Catalog) -> None:
    for statement in (
        Describe(text="DESCRIBE awscc.lambda.functoins", resource="awscc.lambda.functoins"),
        ShowMethods(text="SHOW METHODS IN awscc.lambda.functoins", resource="awscc.lambda.functoins"),
        ShowInsert(text="SHOW INSERT INTO awscc.lambda.functoins", resource="awscc.lambda.functoins"),
    ):
        with pytest.raises(UnknownNameError, match=r"did you mean 'awscc\.lambda\.functions'"):
            run_metadata(catalog, statement)


def test_forgiving_names_describe_the_same_resource(catalog: Catalog) -> None:
    canonical = run_metadata(catalog, Describe(text="", resource=EVENT_INVOKE_CONFIGS)).rows
    for typed in ("AWSCC.Lambda.EventInvokeConfigs", "AWS::Lambda::EventInvokeConfig", "lambda.event_invoke_configs"):
        assert run_metadata(catalog, Describe(text="", resource=typed)).rows == canonical


def test_the_cloud_control_views_can_be_found_and_described(catalog: Catalog) -> None:
    services = run_metadata(catalog, ShowServices(text="SHOW SERVICES LIKE 'cloud_c%'", like="cloud_c%"))
    assert services.rows == [("cloud_control", "awscc.cloud_control", 4)]
    views = run_metadata(
        catalog, ShowResources(text="SHOW RESOURCES IN awscc.cloud_control", service="awscc.cloud_control")
    )
    assert [row[1] for row in views.rows] == [
        "awscc.cloud_control.resources",
        "awscc.cloud_control.resource",
        "awscc.cloud_control.resource_requests",
        "awscc.cloud_control.resource_request",
    ]
    described = run_metadata(
        catalog, Describe(text="DESCRIBE awscc.cloud_control.resources", resource="awscc.cloud_control.resources")
    )
    assert [row[:2] for row in described.rows] == [
        ("region", "string"),
        ("account_id", "string"),
        ("type_name", "string"),
        ("identifier", "string"),
        ("properties", "object"),
    ]
    methods = run_metadata(
        catalog,
        ShowMethods(text="SHOW METHODS IN awscc.cloud_control.resource", resource="awscc.cloud_control.resource"),
    )
    assert methods.rows[0][:4] == (
        "get_resource",
        "SELECT",
        "TypeName, Identifier, region",
        "cloudformation:GetResource",
    )
    with pytest.raises(UnknownNameError, match=r"did you mean 'awscc\.cloud_control\.resource'"):
        run_metadata(
            catalog, Describe(text="DESCRIBE awscc.cloud_control.resourcez", resource="awscc.cloud_control.resourcez")
        )


def test_show_insert_into_a_cloud_control_view_says_it_is_read_only(catalog: Catalog) -> None:
    statement = ShowInsert(
        text="SHOW INSERT INTO awscc.cloud_control.resources", resource="awscc.cloud_control.resources"
    )
    with pytest.raises(UnsupportedError, match="read-only view of Cloud Control"):
        run_metadata(catalog, statement)


# -- StackQL's SHOW and DESCRIBE forms ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "first_column"),
    [
        ("SHOW EXTENDED SERVICES IN awscc LIKE 'lam%'", ["lambda"]),
        ("SHOW SERVICES WHERE name = 'lambda'", ["lambda"]),
        ("SHOW RESOURCES LIKE 'event_invoke_configs'", ["event_invoke_configs"]),
        ("SHOW EXTENDED RESOURCES IN awscc WHERE id = 'awscc.lambda.functions'", ["functions"]),
        ("SHOW RESOURCES IN awscc.lambda WHERE supported AND name LIKE 'function%'", None),
        ("SHOW METHODS IN awscc.lambda.functions WHERE sql_verb = 'DELETE'", ["delete_resource"]),
        ("SHOW METHODS IN awscc.lambda.functions LIKE 'get%'", ["get_resource"]),
        ("DESCRIBE awscc.lambda.functions LIKE 'memory%'", ["memory_size"]),
        ("DESCRIBE EXTENDED awscc.lambda.event_invoke_configs WHERE required AND name NOT LIKE '%.%'", None),
    ],
)
def test_stackqls_metadata_forms_run(sql: str, first_column: list[str] | None) -> None:
    from awsql_shell.session import Session

    (result,) = Session().run(sql)
    names = [row[0] for row in result.rows]
    if first_column is None:
        assert names, sql
    else:
        assert names == first_column, sql


def test_a_where_on_show_that_names_no_column_says_which_there_are() -> None:
    from awsql_shell.session import Session

    with pytest.raises(AwsqlError, match=r"no such column: nope \(in WHERE, over the columns name, id, resources\)"):
        Session().run("SHOW SERVICES WHERE nope = 1")
