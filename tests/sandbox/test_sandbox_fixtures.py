"""The sample account: documented counts, relations that make joins return rows, and every catalog type served."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsql_shell.catalog import Catalog
from awsql_shell.sandbox import FIXTURE_COUNTS, FIXTURE_REGIONS, LAMBDA_FUNCTION_NAMES, S3_BUCKET_NAMES, SandboxConfig
from awsql_shell.sandbox.behaviour import NOT_FOUND, NOT_FOUND_DEFAULT
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.fixtures import load_fixtures
from awsql_shell.sandbox.pointer import without
from awsql_shell.sandbox.server import open_service
from awsql_shell.sandbox.service import CloudControl
from awsql_shell.sandbox.state import SandboxState
from awsql_shell.sandbox.validate import validate_model


def listed(client: Any, type_name: str, **extra: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_resources").paginate(TypeName=type_name, **extra)
    return [d for page in pages for d in page["ResourceDescriptions"]]


def models(client: Any, type_name: str, **extra: Any) -> list[dict[str, Any]]:
    found = []
    for description in listed(client, type_name, **extra):
        answer = client.get_resource(TypeName=type_name, Identifier=description["Identifier"])
        found.append(json.loads(answer["ResourceDescription"]["Properties"]))
    return found


def count(client: Any, type_name: str, region: str) -> int:
    """How many resources a region lists, asking per parent where the list handler needs one."""
    if type_name == "AWS::EKS::Nodegroup":
        parents = [{"ClusterName": c} for c in [d["Identifier"] for d in listed(client, "AWS::EKS::Cluster")]]
    elif type_name == "AWS::Lambda::EventInvokeConfig":
        parents = [{"FunctionName": d["Identifier"]} for d in listed(client, "AWS::Lambda::Function")]
    else:
        return len(listed(client, type_name))
    return sum(len(listed(client, type_name, ResourceModel=json.dumps(parent))) for parent in parents)


@pytest.mark.parametrize("region", FIXTURE_REGIONS)
def test_counts_are_as_documented(start: Any, connect: Any, region: str) -> None:
    # The documented counts are of each region's own resources; account-wide S3 lists are tested elsewhere.
    client = connect(start(account_wide_lists=False).url, region)
    actual = {type_name: count(client, type_name, region) for type_name in FIXTURE_COUNTS}
    assert actual == {type_name: counts[region] for type_name, counts in FIXTURE_COUNTS.items()}
    assert [d["Identifier"] for d in listed(client, "AWS::Lambda::Function")] == list(LAMBDA_FUNCTION_NAMES[region])
    assert sorted(d["Identifier"] for d in listed(client, "AWS::S3::Bucket")) == sorted(S3_BUCKET_NAMES[region])


def test_the_fixture_scale_multiplies_every_count(start: Any, connect: Any) -> None:
    client = connect(start(fixture_scale=3, account_wide_lists=False).url, "us-west-2")
    for type_name in ("AWS::Lambda::Function", "AWS::IAM::Role", "AWS::EC2::Subnet", "AWS::SQS::Queue"):
        assert count(client, type_name, "us-west-2") == 3 * FIXTURE_COUNTS[type_name]["us-west-2"]
    names = {d["Identifier"] for d in listed(client, "AWS::Lambda::Function")}
    assert {"orders-api", "orders-api-2", "orders-api-3"} <= names
    role = json.loads(
        client.get_resource(TypeName="AWS::Lambda::Function", Identifier="orders-api-3")["ResourceDescription"][
            "Properties"
        ]
    )["Role"]
    assert role == "arn:aws:iam::123456789012:role/orders-lambda-role-3"


def test_relations_hold_so_joins_return_rows(client: Any) -> None:
    functions = models(client, "AWS::Lambda::Function")
    roles = {role["Arn"] for role in models(client, "AWS::IAM::Role")}
    assert {f["Role"] for f in functions} <= roles
    names = {f["FunctionName"] for f in functions}
    configs = models(client, "AWS::Lambda::EventInvokeConfig", ResourceModel=json.dumps({"FunctionName": "orders-api"}))
    assert [c["FunctionName"] for c in configs] == ["orders-api"]
    log_groups = {d["Identifier"] for d in listed(client, "AWS::Logs::LogGroup")}
    assert {f"/aws/lambda/{name}" for name in names} <= log_groups
    queues = {q["Arn"] for q in models(client, "AWS::SQS::Queue")}
    assert (
        json.loads(
            client.get_resource(TypeName="AWS::Lambda::EventInvokeConfig", Identifier="payments-api|$LATEST")[
                "ResourceDescription"
            ]["Properties"]
        )["DestinationConfig"]["OnFailure"]["Destination"]
        in queues
    )

    vpcs = models(client, "AWS::EC2::VPC")
    subnets = models(client, "AWS::EC2::Subnet")
    groups = models(client, "AWS::EC2::SecurityGroup")
    assert {s["VpcId"] for s in subnets} == {v["VpcId"] for v in vpcs}
    assert {v["DefaultSecurityGroup"] for v in vpcs} <= {g["GroupId"] for g in groups}
    subnet_ids = {s["SubnetId"] for s in subnets}
    in_vpc = [f for f in functions if "VpcConfig" in f]
    assert in_vpc and all(set(f["VpcConfig"]["SubnetIds"]) <= subnet_ids for f in in_vpc)

    [cluster] = models(client, "AWS::EKS::Cluster")
    assert cluster["RoleArn"] in roles
    assert set(cluster["ResourcesVpcConfig"]["SubnetIds"]) <= subnet_ids
    nodegroups = models(client, "AWS::EKS::Nodegroup", ResourceModel=json.dumps({"ClusterName": cluster["Name"]}))
    assert {n["NodeRole"] for n in nodegroups} <= roles


def test_realistic_nested_values_for_json_queries(client: Any) -> None:
    functions = models(client, "AWS::Lambda::Function")
    assert {f["Runtime"] for f in functions} >= {"python3.12", "nodejs20.x"}
    assert all(f["Environment"]["Variables"]["STAGE"] == "prod" for f in functions)
    assert {f["TracingConfig"]["Mode"] for f in functions} == {"Active", "PassThrough"}
    assert all({"Key": "env", "Value": "prod"} in f["Tags"] for f in functions)


def test_generated_ids_are_the_same_in_every_run() -> None:
    def vpc_ids() -> list[str]:
        service = open_service(SandboxConfig())
        return sorted(service.state.peek("us-east-1", "AWS::EC2::VPC"))

    assert vpc_ids() == vpc_ids()


def test_fixtures_are_valid_against_their_schemas(catalog: Catalog) -> None:
    service = CloudControl(SandboxConfig(), catalog, SandboxState())
    problems = []

    def checked_add(region: str, type_name: str, desired: dict[str, Any], key: str) -> dict[str, Any]:
        plan = service.plan(type_name)
        # GroupId of a default security group is set on purpose (it must equal the VPC's); read-only otherwise.
        for problem in validate_model(plan.schema, without(desired, plan.read_only)):
            problems.append(f"{type_name} {key}: {problem}")
        return service.add_fixture(region, type_name, desired, key)

    load_fixtures(checked_add)
    assert problems == []


@pytest.mark.slow
def test_every_catalog_type_is_served(catalog: Catalog) -> None:
    """List, read and create answer every type as Cloud Control would: a result or a modelled error."""
    service = CloudControl(SandboxConfig(request_delay_ms=0, not_found_by_type=True), catalog, SandboxState())
    accepted = 0
    for entry in catalog:
        type_name = entry.type_name
        outcomes = []
        for operation, params in (
            ("ListResources", {"TypeName": type_name}),
            ("GetResource", {"TypeName": type_name, "Identifier": "|".join(["missing"] * 8)}),
            ("CreateResource", {"TypeName": type_name, "DesiredState": "{}"}),
        ):
            try:
                answer = service.dispatch(operation, "us-east-1", params)
                outcomes.append(answer)
            except ApiError as error:
                outcomes.append(error.code)
        listing, reading, creating = outcomes
        if "list" not in entry.handlers:
            assert listing == "UnsupportedActionException", type_name
        elif service.plan(type_name).schema.list_required:
            assert listing == "InvalidRequestException", type_name
        else:
            assert listing["ResourceDescriptions"] == [], type_name
        expected_read = NOT_FOUND.get(type_name, NOT_FOUND_DEFAULT).code
        assert reading == (expected_read if "read" in entry.handlers else "UnsupportedActionException"), type_name
        if "create" not in entry.handlers:
            assert creating == "UnsupportedActionException", type_name
        elif isinstance(creating, dict):
            event = creating["ProgressEvent"]
            assert event["OperationStatus"] == "IN_PROGRESS", type_name
            final = service.dispatch("GetResourceRequestStatus", "us-east-1", {"RequestToken": event["RequestToken"]})
            assert final["ProgressEvent"]["OperationStatus"] == "SUCCESS", type_name
            if "read" in entry.handlers:
                # The first event of a create that names no identifier has none (AWS sends it once known).
                params = {"TypeName": type_name, "Identifier": final["ProgressEvent"]["Identifier"]}
                assert service.dispatch("GetResource", "us-east-1", params)["ResourceDescription"], type_name
            accepted += 1
        else:
            assert creating == "InvalidRequestException", type_name
    assert accepted > 200  # many types need nothing: their create answers with generated identifiers
