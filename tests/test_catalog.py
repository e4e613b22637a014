"""The catalog names every type as StackQL does and resolves what users type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awsql_shell.catalog import Catalog, naming
from awsql_shell.catalog.schema import identifier_values, with_identifier_values
from awsql_shell.errors import AmbiguousNameError, UnknownNameError, UnsupportedError


def _fixture_rows(shared_dir: Path) -> list[dict]:
    path = shared_dir / "fixtures" / "awscc-naming-sample.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_fixture_type_gets_stackql_resource_and_list_view_names(catalog: Catalog, shared_dir: Path) -> None:
    rows = _fixture_rows(shared_dir)
    assert len(rows) == 180
    wrong = []
    for row in rows:
        entry = catalog.entry(row["type_name"])
        if (entry.id, entry.list_only_id) != (row["id"], row["list_only_id"]):
            wrong.append((row["type_name"], entry.id, entry.list_only_id, row["id"], row["list_only_id"]))
    assert wrong == []


def test_every_fixture_property_gets_stackql_column_name(catalog: Catalog, shared_dir: Path) -> None:
    pairs = [(p, c) for row in _fixture_rows(shared_dir) for p, c in row["columns"].items()]
    assert len(pairs) == 1737
    assert [(p, naming.column_name(p), c) for p, c in pairs if naming.column_name(p) != c] == []


# The fixture was taken from older schemas: AWS has since changed these two identifiers.
_IDENTIFIERS_CHANGED_SINCE_FIXTURE = {"AWS::AppSync::GraphQLApi", "AWS::SES::ConfigurationSetEventDestination"}


def test_fixture_primary_identifiers_and_columns_match_the_schemas(catalog: Catalog, shared_dir: Path) -> None:
    for row in _fixture_rows(shared_dir):
        schema = catalog.schema(row["type_name"])
        if row["type_name"] not in _IDENTIFIERS_CHANGED_SINCE_FIXTURE:
            assert list(schema.primary_identifier) == row["primary_identifier"], row["type_name"]
        columns = {c.property: c.name for c in schema.columns if not c.is_pseudo}
        # Newer schemas may add properties; every property the fixture names must be there, named alike, but
        # for awsql's one deliberate difference: a property named like awsql's own region or Identifier
        # column is <name>_property, so that region and Identifier always steer the calls.
        expected = {p: c + "_property" if c in naming.AWSQL_COLUMNS else c for p, c in row["columns"].items()}
        assert {p: columns.get(p) for p in row["columns"]} == expected, row["type_name"]


def test_properties_named_like_awsqls_own_columns_are_moved_aside(catalog: Catalog) -> None:
    subscriptions = catalog.schema("AWS::SNS::Subscription")
    names = [c.name for c in subscriptions.columns]
    assert names.count("region") == 1 and "region_property" in names
    assert subscriptions.column("Region").name == "region_property"  # the CloudFormation name finds the property
    assert subscriptions.column("region").is_pseudo  # and region is always where to call
    rules = catalog.schema("AWS::Rbin::Rule")
    assert rules.column("Identifier").name == "identifier_property"


def test_nested_primary_identifier_keeps_its_path(catalog: Catalog) -> None:
    schema = catalog.schema("AWS::S3::StorageLens")
    assert schema.primary_identifier == ("StorageLensConfiguration/Id",)
    assert [c.name for c in schema.list_columns] == ["storage_lens_configuration", "region", "account_id"]


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("SecurityGroupIngress", "security_group_ingresses"),
        ("VPC", "vpcs"),
        ("DBInstance", "db_instances"),
        ("GraphQLApi", "graphql_apis"),
        ("EC2Fleet", "ec2fleets"),
        ("Studio", "studios"),
        ("Policy", "policies"),
        ("Multiplex", "multiplexes"),
        ("Branch", "branches"),
        ("EmailAddress", "email_addresses"),
        ("EventBus", "event_buses"),
        ("Alias", "aliases"),
        ("Index", "indices"),
        ("Analysis", "analyses"),
        ("Schema", "schemata"),
        ("DHCPOptions", "dhcp_options"),
        ("Gateway", "gateways"),
    ],
)
def test_resource_names_follow_dialect_rules(segment: str, expected: str) -> None:
    assert naming.resource_name(f"AWS::X::{segment}") == expected


@pytest.mark.parametrize(
    ("prop", "column"),
    [
        ("VPCId", "vpc_id"),
        ("KMSKeyId", "kms_key_id"),
        ("OKActions", "ok_actions"),
        ("MultiAZ", "multi_az"),
        ("EC2InstanceType", "e_c2_instance_type"),
        ("Schema", "_schema"),
        ("Values", "_values"),
    ],
)
def test_column_names_follow_dialect_rules(prop: str, column: str) -> None:
    assert naming.column_name(prop) == column


@pytest.mark.slow
def test_every_type_resolves_to_exactly_one_id_and_back(catalog: Catalog) -> None:
    ids: dict[str, str] = {}
    for entry in catalog:
        assert entry.id not in ids, f"{entry.type_name} and {ids[entry.id]} share {entry.id}"
        ids[entry.id] = entry.type_name
        assert catalog.resolve_resource(entry.id).entry is entry
        assert catalog.resolve_resource(entry.type_name).entry is entry
        if entry.list_only_id:
            resolved = catalog.resolve_resource(entry.list_only_id)
            assert resolved.entry is entry and resolved.list_only
    assert len(ids) == len(catalog) > 1500


def test_resolution_forgives_case_and_underscores(catalog: Catalog) -> None:
    expected = catalog.entry("AWS::Lambda::EventInvokeConfig")
    for typed in ("awscc.lambda.event_invoke_configs", "AWSCC.Lambda.EventInvokeConfigs", "lambda.eventinvokeconfigs"):
        assert catalog.resolve_resource(typed).entry is expected
    assert catalog.resolve_resource("awscc.lambda.EventInvokeConfigs_List_Only").list_only


def test_unknown_names_suggest_the_closest(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError, match=r"unknown service 'lamda' \(did you mean 'lambda'\?\)"):
        catalog.resolve_resource("awscc.lamda.functions")
    with pytest.raises(UnknownNameError, match=r"did you mean 'awscc\.lambda\.functions'"):
        catalog.resolve_resource("awscc.lambda.functoins")


def test_forgiving_column_lookup_and_its_errors(catalog: Catalog) -> None:
    ec2_fleet = catalog.schema("AWS::EC2::EC2Fleet")
    assert ec2_fleet.column("TargetCapacitySpecification").name == "target_capacity_specification"
    functions = catalog.schema("AWS::Lambda::Function")
    assert functions.column("FUNCTIONNAME").name == "function_name"
    assert functions.column("memory_size").property == "MemorySize"
    with pytest.raises(UnknownNameError, match="did you mean 'runtime'"):
        functions.column("runtim")


def test_ambiguous_column_lists_candidates() -> None:
    from awsql_shell.catalog.schema import ResourceSchema

    properties = {"AB": {"type": "string"}, "Ab": {"type": "string"}}
    schema = ResourceSchema({"typeName": "AWS::X::Y", "properties": properties})
    with pytest.raises(AmbiguousNameError, match="a_b, ab"):
        schema.column("aB")


def test_types_without_handlers_are_kept_but_refused(catalog: Catalog) -> None:
    unsupported = [entry for entry in catalog if not entry.provisionable]
    assert unsupported, "the source ships non-provisionable types; they must stay in the catalog"
    with pytest.raises(UnsupportedError, match="not supported by Cloud Control"):
        unsupported[0].require("list", "SELECT")


def test_recursive_definitions_resolve_lazily_and_terminate(catalog: Catalog) -> None:
    # WAFv2 rule statements nest themselves (AndStatement holds Statements).
    schema = catalog.schema("AWS::WAFv2::WebACL")
    fields = schema.fields()

    def depth(field, level=0):
        return max([level, *(depth(child, level + 1) for child in field.children)])

    assert max(depth(f) for f in fields) <= 9
    assert any(f.name == "rules" for f in fields)


def test_schema_facts_for_a_known_type(catalog: Catalog) -> None:
    schema = catalog.schema("AWS::Lambda::EventInvokeConfig")
    assert schema.primary_identifier == ("FunctionName", "Qualifier")
    assert schema.list_required == ("FunctionName",)
    assert schema.permissions("create") == ("lambda:PutFunctionEventInvokeConfig",)
    assert [c.name for c in schema.list_columns] == ["function_name", "qualifier", "region", "account_id"]
    assert schema.column("destination_config").is_json


def test_an_identifier_spells_its_primary_identifier_properties() -> None:
    assert identifier_values("orders-api", ("FunctionName",)) == {"FunctionName": "orders-api"}
    assert identifier_values("a|b", ("FunctionName",)) == {"FunctionName": "a|b"}  # one part is never split
    assert identifier_values("orders-api|$LATEST", ("FunctionName", "Qualifier")) == {
        "FunctionName": "orders-api",
        "Qualifier": "$LATEST",
    }
    assert identifier_values("a|b|c", ("FunctionName", "Qualifier")) == {}  # cannot tell which '|' joins
    assert identifier_values("x", ("StorageLensConfiguration/Id",)) == {}  # nested: not a column's value
    assert identifier_values("", ("FunctionName",)) == {}


def test_properties_keep_their_own_identifier_values() -> None:
    primary = ("FunctionName", "Qualifier")
    assert with_identifier_values({"Qualifier": "1"}, "f|$LATEST", primary) == {"Qualifier": "1", "FunctionName": "f"}
    assert with_identifier_values({"FunctionName": None}, "f|q", primary) == {"FunctionName": "f", "Qualifier": "q"}
    whole = {"FunctionName": "f", "Qualifier": "q"}
    assert with_identifier_values(whole, "g|r", primary) is whole
