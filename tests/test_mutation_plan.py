"""Mutation planning without AWS, through ``plan_mutation`` (the one planning path of a run and of EXPLAIN):
validation, DesiredState and PatchDocument building, targets, and EXPLAIN (which must validate like a real
run and never build the gateway)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from awsql_shell.catalog import Catalog
from awsql_shell.catalog.cloud_control import PROGRESS_EVENT_FIELDS
from awsql_shell.catalog.regions import DefaultRegion
from awsql_shell.errors import AwsqlError, UnknownNameError, UnsupportedError, ValidationError, describe
from awsql_shell.planner.mutation_plan import MutationPlan, plan_mutation
from awsql_shell.result import Result
from awsql_shell.session import Session
from awsql_shell.settings import Settings
from awsql_shell.sql import parse_statement
from awsql_shell.sql.statements import Delete, Insert, Update

EIC = "awscc.lambda.event_invoke_configs"
DESTINATION = '{"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}}'
US_EAST = DefaultRegion("us-east-1", "--region")
NO_REGION = DefaultRegion(None)

SEED_INSERT = """/*+ create */
INSERT INTO awscc.lambda.event_invoke_configs (
 DestinationConfig,
 FunctionName,
 MaximumEventAgeInSeconds,
 MaximumRetryAttempts,
 Qualifier,
 region
)
SELECT
 '{{ destination_config }}',
 '{{ function_name }}',
 '{{ maximum_event_age_in_seconds }}',
 '{{ maximum_retry_attempts }}',
 '{{ qualifier }}',
 '{{ region }}'"""

SEED_UPDATE = """/*+ update */
UPDATE awscc.lambda.event_invoke_configs
SET PatchDocument = string('{{ {
    "DestinationConfig": destination_config,
    "MaximumEventAgeInSeconds": maximum_event_age_in_seconds,
    "MaximumRetryAttempts": maximum_retry_attempts
} | generate_patch_document }}')
WHERE region = '{{ region }}'
AND Identifier = '{{ function_name }}|{{ qualifier }}'"""

SEED_DELETE = """/*+ delete */
DELETE FROM awscc.lambda.event_invoke_configs
WHERE Identifier = '{{ function_name }}|{{ qualifier }}'
AND region = 'us-east-1'"""

SEED_VARIABLES = {
    "destination_config": DESTINATION,
    "function_name": "orders-worker",
    "maximum_event_age_in_seconds": "300",
    "maximum_retry_attempts": "1",
    "qualifier": "$LATEST",
    "region": "us-east-1",
}


@pytest.fixture(autouse=True)
def _no_ambient_region(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    empty.touch()
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))


ACCOUNT = "123456789012"


def statement(text: str):
    return parse_statement(text)


def planned(
    catalog: Catalog, text: str, default: DefaultRegion = US_EAST, variables: dict[str, str] | None = None
) -> MutationPlan:
    parsed = statement(text)
    assert isinstance(parsed, Insert | Update | Delete)
    return plan_mutation(parsed, catalog, default, variables=variables)


def creates(catalog: Catalog, text: str, default: DefaultRegion = US_EAST):
    plan = planned(catalog, text, default)
    assert plan.read is None, "VALUES rows are planned offline"
    return plan.calls


def patch(catalog: Catalog, text: str, variables: dict[str, str] | None = None):
    (call,) = planned(catalog, text, variables=variables).calls
    return call.patch_document


def fails(kind: type[AwsqlError], call, *args) -> str:
    with pytest.raises(kind) as caught:
        call(*args)
    return describe(caught.value)


# -- INSERT ------------------------------------------------------------------------------------------


def test_insert_values_make_one_create_per_row_with_coerced_desired_state(catalog: Catalog) -> None:
    calls = creates(
        catalog,
        f"INSERT INTO {EIC} (FunctionName, qualifier, maximum_retry_attempts, DestinationConfig, region) VALUES "
        f"('fn', '$LATEST', '2', '{DESTINATION}', 'eu-west-1'), ('fn2', '$LATEST', 1, NULL, 'us-west-2')",
    )
    assert [(c.operation, c.region, c.type_name) for c in calls] == [
        ("CreateResource", "eu-west-1", "AWS::Lambda::EventInvokeConfig"),
        ("CreateResource", "us-west-2", "AWS::Lambda::EventInvokeConfig"),
    ]
    assert calls[0].desired_state == {
        "FunctionName": "fn",
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": 2,
        "DestinationConfig": json.loads(DESTINATION),
    }
    assert calls[1].desired_state == {"FunctionName": "fn2", "Qualifier": "$LATEST", "MaximumRetryAttempts": 1}
    params = calls[0].params()
    assert json.loads(params["DesiredState"]) == calls[0].desired_state
    assert set(params) == {"TypeName", "DesiredState", "ClientToken"}


def test_every_intended_operation_has_its_own_client_token(catalog: Catalog) -> None:
    calls = creates(catalog, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('a'), ('b'), ('c')")
    tokens = [c.client_token for c in calls]
    assert len(set(tokens)) == 3
    assert all(uuid.UUID(token).version == 4 for token in tokens)
    assert calls[0].params()["ClientToken"] == calls[0].params()["ClientToken"] == tokens[0]


def test_a_create_knows_the_identifier_its_desired_state_names(catalog: Catalog) -> None:
    """So the gateway can look the resource up before it sends a throttled create again."""
    (config,) = creates(catalog, f"INSERT INTO {EIC} (FunctionName, Qualifier) VALUES ('fn', '$LATEST')")
    assert config.identifier == "fn|$LATEST"
    (parameter,) = creates(catalog, "INSERT INTO awscc.ssm.parameters (Name, Type, Value) VALUES ('p', 'String', 'v')")
    assert parameter.identifier == "p"
    # A log group's name is optional, a secret's Id is read-only: Cloud Control makes the identifier up.
    (group,) = creates(catalog, "INSERT INTO awscc.logs.log_groups (RetentionInDays) VALUES (7)")
    (secret,) = creates(catalog, "INSERT INTO awscc.secretsmanager.secrets (Name) VALUES ('s')")
    assert group.identifier is None and secret.identifier is None


def test_booleans_numbers_and_enums_follow_the_schema(catalog: Catalog) -> None:
    (queue,) = creates(
        catalog,
        "INSERT INTO awscc.sqs.queues (QueueName, FifoQueue, ContentBasedDeduplication, delay_seconds, tags) "
        "VALUES ('q.fifo', 'true', 0, '5', '[{\"Key\": \"team\", \"Value\": \"data\"}]')",
    )
    assert queue.desired_state == {
        "QueueName": "q.fifo",
        "FifoQueue": True,
        "ContentBasedDeduplication": False,
        "DelaySeconds": 5,
        "Tags": [{"Key": "team", "Value": "data"}],
    }
    (group,) = creates(catalog, "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('g', '7')")
    assert group.desired_state["RetentionInDays"] == 7
    message = fails(
        ValidationError,
        creates,
        catalog,
        "INSERT INTO awscc.logs.log_groups (LogGroupName, log_group_class) VALUES ('g', 'STANDART')",
    )
    assert "log_group_class" in message and "'STANDARD'" in message


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (f"INSERT INTO {EIC} (FunctionNam, Qualifier) VALUES ('f', 'q')", "unknown column 'FunctionNam'"),
        (f"INSERT INTO {EIC} (FunctionNam, Qualifier) VALUES ('f', 'q')", "did you mean 'function_name'?"),
        ("INSERT INTO awscc.logs.log_groups (LogGroupName, Arn) VALUES ('g', 'arn')", "arn (Arn) is read-only"),
        (f"INSERT INTO {EIC} (FunctionName) VALUES ('f')", "misses the required property qualifier (Qualifier)"),
        (f"INSERT INTO {EIC} (FunctionName, function_name) VALUES ('f', 'g')", "are the same column"),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, DestinationConfig) VALUES ('f', 'q', '{{\"OnFailure\": ')",
            "destination_config (DestinationConfig) holds invalid JSON",
        ),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, DestinationConfig) VALUES ('f', 'q', '[1]')",
            "destination_config (DestinationConfig) expects a JSON object, not an array",
        ),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, DestinationConfig) "
            "VALUES ('f', 'q', '{\"OnFailure\": {\"Destinaton\": \"x\"}}')",
            "/DestinationConfig/OnFailure needs Destination",
        ),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, DestinationConfig) "
            'VALUES (\'f\', \'q\', \'{"OnFailure": {"Destination": ""}, "OnFailur": {}}\')',
            "has no property OnFailur (did you mean 'OnFailure'?)",
        ),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, MaximumRetryAttempts) VALUES ('f', 'q', 'two')",
            "maximum_retry_attempts (MaximumRetryAttempts) expects an integer, not 'two'",
        ),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier) VALUES ('f', NULL)",
            "row",
        ),
        (f"INSERT INTO {EIC} (FunctionName, Qualifier, region) VALUES ('f', 'q', 'us-east-9')", "unknown region"),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, MaximumRetryAttempts) VALUES ('f', 'q', 9)",
            "maximum_retry_attempts (MaximumRetryAttempts) must be at most 2, not 9",
        ),
        (
            f"INSERT INTO {EIC} (FunctionName, Qualifier, DestinationConfig) "
            "VALUES ('f', 'q', '{\"OnFailure\": {\"Destination\": \"not an arn\"}}')",
            "/DestinationConfig/OnFailure/Destination must match the pattern",
        ),
        ("INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('')", "must be at least 1 characters long, not 0"),
        (
            "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('{{ name | upper }}')",
            "is a template expression",
        ),
    ],
)
def test_invalid_inserts_are_refused_before_any_call(catalog: Catalog, sql: str, expected: str) -> None:
    if expected == "row":
        expected = "qualifier (Qualifier) is required: it cannot be NULL"
    assert expected in fails(AwsqlError, creates, catalog, sql)


def test_errors_point_at_the_offending_value_and_name_the_row(catalog: Catalog) -> None:
    sql = "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('a', 7), ('b', 'week')"
    with pytest.raises(ValidationError) as caught:
        creates(catalog, sql)
    assert caught.value.message.startswith("row 2: retention_in_days (RetentionInDays) expects an integer")
    assert caught.value.position == sql.index("'week'")


def test_rows_of_a_query_must_fit_the_column_list(catalog: Catalog) -> None:
    plan = planned(catalog, "INSERT INTO awscc.logs.log_groups (LogGroupName) SELECT * FROM t")
    assert plan.read is not None and not plan.calls, "the calls wait for the query's rows"
    (call,) = plan.calls_for([("a",)])
    assert call.desired_state == {"LogGroupName": "a"}
    message = fails(ValidationError, plan.calls_for, [("a",), ("b", "extra")])
    assert message == "row 2: the query gives 2 values but 1 column is listed"


def test_region_comes_from_the_row_or_the_default(catalog: Catalog) -> None:
    (call,) = creates(catalog, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('a')")
    assert call.region == "us-east-1"
    message = fails(
        ValidationError, creates, catalog, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('a')", NO_REGION
    )
    assert "no region for awscc.logs.log_groups" in message and "--region" in message


@pytest.mark.parametrize(
    ("sql", "kind", "expected"),
    [
        ("INSERT INTO awscc.logs.log_groups_list_only (LogGroupName) VALUES ('a')", ValidationError, "list view"),
        (
            "DELETE FROM awscc.cloud_control.resources WHERE Identifier = 'a'",
            UnsupportedError,
            "not awscc.cloud_control.resources",
        ),
        ("UPDATE awscc.acmpca.certificates SET status = 'x' WHERE Identifier = 'a'", UnsupportedError, "no update"),
        ("DELETE FROM awscc.lambda.functons WHERE Identifier = 'a'", UnknownNameError, "awscc.lambda.functions"),
    ],
)
def test_targets_must_be_writable_resources(catalog: Catalog, sql: str, kind: type[AwsqlError], expected: str) -> None:
    assert expected in fails(kind, planned, catalog, sql)


# -- UPDATE ------------------------------------------------------------------------------------------


def test_set_columns_become_add_and_remove_operations(catalog: Catalog) -> None:
    operations = patch(
        catalog,
        f"UPDATE {EIC} SET maximum_retry_attempts = '2', MaximumEventAgeInSeconds = 120, destination_config = NULL "
        "WHERE Identifier = 'fn|$LATEST'",
    )
    assert operations == (
        {"op": "add", "path": "/MaximumRetryAttempts", "value": 2},
        {"op": "add", "path": "/MaximumEventAgeInSeconds", "value": 120},
        {"op": "remove", "path": "/DestinationConfig"},
    )


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("function_name = 'other'", "function_name (FunctionName) is create-only: changing it needs replacement"),
        ("region = 'eu-west-1'", "region says where a resource is; it cannot be changed"),
        ("maximum_retry_atempts = 1", "did you mean 'maximum_retry_attempts'?"),
        ("qualifier = NULL", "create-only"),
        ("destination_config = '{oops'", "destination_config (DestinationConfig) holds invalid JSON"),
        ("maximum_retry_attempts = 1, MaximumRetryAttempts = 2", "is set twice"),
    ],
)
def test_invalid_set_clauses_are_refused(catalog: Catalog, assignment: str, expected: str) -> None:
    sql = f"UPDATE {EIC} SET {assignment} WHERE Identifier = 'fn|$LATEST'"
    assert expected in fails(AwsqlError, patch, catalog, sql)


def test_read_only_and_required_properties_cannot_be_set_or_removed(catalog: Catalog) -> None:
    assert "arn (Arn) is read-only" in fails(
        ValidationError, patch, catalog, "UPDATE awscc.logs.log_groups SET arn = 'x' WHERE Identifier = 'g'"
    )
    assert "role (Role) is required: it cannot be set to NULL" in fails(
        ValidationError, patch, catalog, "UPDATE awscc.lambda.functions SET role = NULL WHERE Identifier = 'f'"
    )


def test_a_given_patch_document_is_checked_against_the_schema(catalog: Catalog) -> None:
    document = (
        '[{"op": "replace", "path": "/MaximumRetryAttempts", "value": "2"}, '
        '{"op": "test", "path": "/Qualifier", "value": "$LATEST"}]'
    )
    operations = patch(catalog, f"UPDATE {EIC} SET PatchDocument = string('{document}') WHERE Identifier = 'f|q'")
    assert operations[0] == {"op": "replace", "path": "/MaximumRetryAttempts", "value": 2}
    assert operations[1]["op"] == "test"  # a test of a create-only property changes nothing: allowed


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ('{"op": "add"}', "must be a non-empty JSON array of RFC 6902 operations"),
        ("[", "PatchDocument holds invalid JSON"),
        ('[{"op": "ad", "path": "/MaximumRetryAttempts", "value": 1}]', "did you mean 'add'?"),
        ('[{"op": "add", "path": "/MaximumRetryAttempts"}]', 'needs "value"'),
        ('[{"op": "add", "path": "MaximumRetryAttempts", "value": 1}]', 'needs a "path"'),
        ('[{"op": "add", "path": "/MaxRetryAttempts", "value": 1}]', "did you mean 'MaximumRetryAttempts'?"),
        ('[{"op": "add", "path": "/maximum_retry_attempts", "value": 1}]', "did you mean '/MaximumRetryAttempts'?"),
        ('[{"op": "replace", "path": "/FunctionName", "value": "g"}]', "needs replacement"),
        ('[{"op": "move", "from": "/Qualifier", "path": "/MaximumRetryAttempts"}]', "create-only"),
        ('[{"op": "add", "path": "/MaximumRetryAttempts", "value": "many"}]', "expects an integer"),
    ],
)
def test_bad_patch_documents_are_refused(catalog: Catalog, document: str, expected: str) -> None:
    sql = f"UPDATE {EIC} SET PatchDocument = string('{document}') WHERE Identifier = 'f|q'"
    assert expected in fails(ValidationError, patch, catalog, sql)


def test_patch_document_must_be_the_only_assignment(catalog: Catalog) -> None:
    sql = f"UPDATE {EIC} SET PatchDocument = '[]', maximum_retry_attempts = 1 WHERE Identifier = 'f|q'"
    assert "must be the only assignment" in fails(ValidationError, patch, catalog, sql)


def test_the_stackql_generate_patch_document_form_reads_variables(catalog: Catalog) -> None:
    text = Session(Settings(variables=SEED_VARIABLES)).prepare(SEED_UPDATE).text
    operations = patch(catalog, text, SEED_VARIABLES)
    assert operations == (
        {"op": "add", "path": "/DestinationConfig", "value": json.loads(DESTINATION)},
        {"op": "add", "path": "/MaximumEventAgeInSeconds", "value": 300},
        {"op": "add", "path": "/MaximumRetryAttempts", "value": 1},
    )
    message = fails(ValidationError, patch, catalog, text, {"destination_config": "{}"})
    assert "undefined variables: maximum_event_age_in_seconds, maximum_retry_attempts" in message


def test_a_given_patch_keeps_nested_paths(catalog: Catalog) -> None:
    nested = json.dumps([{"op": "add", "path": "/DestinationConfig/OnFailure", "value": {"Destination": "a"}}])
    operations = patch(catalog, f"UPDATE {EIC} SET PatchDocument = '{nested}' WHERE Identifier = 'a|b'")
    assert operations[0]["path"] == "/DestinationConfig/OnFailure"


# -- write-only properties: only 'add' reaches them ---------------------------------------------------

PARAMETERS = "awscc.ssm.parameters"  # AWS::SSM::Parameter: Description and Tier are write-only


def planned_update(catalog: Catalog, assignment: str, table: str = PARAMETERS) -> MutationPlan:
    return planned(catalog, f"UPDATE {table} SET {assignment} WHERE region = 'us-east-1' AND Identifier = 'p'")


def test_setting_a_write_only_column_is_an_add(catalog: Catalog) -> None:
    plan = planned_update(catalog, "description = 'the key', value = 'v2'")
    (call,) = plan.calls
    assert call.patch_document == (
        {"op": "add", "path": "/Description", "value": "the key"},
        {"op": "add", "path": "/Value", "value": "v2"},
    )
    assert plan.notices == ()


def test_setting_a_write_only_column_to_null_is_refused_at_the_column(catalog: Catalog) -> None:
    sql = f"UPDATE {PARAMETERS} SET value = 'v', tier = NULL WHERE Identifier = 'p'"
    with pytest.raises(ValidationError) as caught:
        planned(catalog, sql)
    error = caught.value
    assert error.message == (
        "SET tier = NULL removes /Tier, which is write-only: Cloud Control accepts only 'add' for it, "
        "since a read never returns its value; set a value instead"
    )
    assert error.position == sql.index("tier = NULL")


def test_a_given_replace_of_a_write_only_path_is_sent_as_add_with_a_notice(catalog: Catalog) -> None:
    document = json.dumps(
        [
            {"op": "replace", "path": "/Value", "value": "v2"},
            {"op": "replace", "path": "/Description", "value": "rotated"},
        ]
    )
    plan = planned_update(catalog, f"PatchDocument = '{document}'")
    (call,) = plan.calls
    assert call.patch_document == (
        {"op": "replace", "path": "/Value", "value": "v2"},  # not write-only: left as given
        {"op": "add", "path": "/Description", "value": "rotated"},
    )
    assert plan.notices == (
        "PatchDocument operation 2: 'replace' of write-only /Description is sent as 'add' "
        "(Cloud Control accepts only 'add' for write-only properties)",
    )


def test_nested_write_only_paths_follow_the_same_rule(catalog: Catalog) -> None:
    """AWS::IAM::User lists /properties/LoginProfile/Password; AWS::Lambda::Function /properties/Code/ZipFile."""
    password = '[{"op": "replace", "path": "/LoginProfile/Password", "value": "s3cret"}]'
    (call,) = planned_update(catalog, f"PatchDocument = '{password}'", "awscc.iam.users").calls
    assert call.patch_document == ({"op": "add", "path": "/LoginProfile/Password", "value": "s3cret"},)
    # Above a write-only path (the whole LoginProfile) the rule does not reach: Cloud Control decides.
    profile = '[{"op": "replace", "path": "/LoginProfile", "value": {"Password": "s3cret"}}]'
    (call,) = planned_update(catalog, f"PatchDocument = '{profile}'", "awscc.iam.users").calls
    assert call.patch_document[0]["op"] == "replace"
    code = '[{"op": "remove", "path": "/Code/ZipFile"}]'
    message = fails(ValidationError, planned_update, catalog, f"PatchDocument = '{code}'", "awscc.lambda.functions")
    assert "PatchDocument operation 1 removes /Code/ZipFile, which is write-only" in message


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ({"op": "remove", "path": "/Description"}, "operation 1 removes /Description, which is write-only"),
        ({"op": "test", "path": "/Tier", "value": "Standard"}, "operation 1 tests /Tier, which is write-only"),
        (
            {"op": "move", "from": "/Description", "path": "/Value"},
            "operation 1 moves from /Description, which is write-only: Cloud Control never returns its value, "
            "so there is nothing to move",
        ),
        ({"op": "copy", "from": "/Tier", "path": "/Value"}, "operation 1 copies from /Tier, which is write-only"),
    ],
)
def test_a_given_patch_that_removes_or_reads_a_write_only_path_is_refused_at_the_document(
    catalog: Catalog, operation: dict[str, str], expected: str
) -> None:
    sql = f"UPDATE {PARAMETERS} SET PatchDocument = '{json.dumps([operation])}' WHERE Identifier = 'p'"
    with pytest.raises(ValidationError) as caught:
        planned(catalog, sql)
    assert expected in caught.value.message
    assert caught.value.position == sql.index("'[")


def test_a_write_only_rewrite_is_shown_by_explain(offline: Session) -> None:
    document = '[{"op": "replace", "path": "/Description", "value": "d"}]'
    result = explain(offline, f"UPDATE {PARAMETERS} SET PatchDocument = '{document}' WHERE Identifier = 'p'")
    assert '"op":"add","path":"/Description"' in result.rows[0][5]
    assert any("'replace' of write-only /Description is sent as 'add'" in notice for notice in result.notices)


# -- UPDATE and DELETE targets -----------------------------------------------------------------------


def targets(catalog: Catalog, text: str, default: DefaultRegion = US_EAST) -> list[tuple[str, str | None]]:
    """The (region, Identifier) pairs a statement names, planned without reading anything."""
    plan = planned(catalog, text, default)
    assert plan.read is None and not plan.needs_confirmation, "named targets need neither a read nor consent"
    return [(call.region, call.identifier) for call in plan.calls]


def test_identifier_and_region_name_the_targets_without_reading_anything(catalog: Catalog) -> None:
    found = targets(
        catalog,
        f"DELETE FROM {EIC} WHERE region IN ('us-east-1', 'eu-west-1') AND Identifier IN ('a|$LATEST', 'b|$LATEST')",
    )
    assert found == [
        ("us-east-1", "a|$LATEST"),
        ("us-east-1", "b|$LATEST"),
        ("eu-west-1", "a|$LATEST"),
        ("eu-west-1", "b|$LATEST"),
    ]
    assert not planned(catalog, f"DELETE FROM {EIC} WHERE region = 'eu-west-1' AND Identifier = 'a|b'").notices
    defaulted = planned(catalog, f"DELETE FROM {EIC} WHERE Identifier = 'a|$LATEST'")
    assert [(c.region, c.identifier) for c in defaulted.calls] == [("us-east-1", "a|$LATEST")]
    assert defaulted.notices == ("no region in WHERE; using the default region us-east-1 (--region)",)


def test_other_predicates_narrow_named_targets_or_need_confirmation(catalog: Catalog) -> None:
    narrowed = planned(catalog, f"DELETE FROM {EIC} WHERE Identifier = 'a|b' AND maximum_retry_attempts > 1")
    assert narrowed.read is not None and not narrowed.needs_confirmation
    for where in ("function_name = 'a'", "region = 'us-east-1'"):
        found = planned(catalog, f"DELETE FROM {EIC} WHERE {where}")
        assert found.read is not None and found.needs_confirmation, where
    # Identifier under an OR with another column names nothing and cannot steer the read: refused, not guessed.
    mixed = f"DELETE FROM {EIC} WHERE Identifier = 'a|b' OR function_name = 'c'"
    assert "Identifier steers which calls are made" in fails(ValidationError, planned, catalog, mixed)
    assert planned(catalog, "DELETE FROM awscc.logs.log_groups").needs_confirmation
    # An OR of Identifier equalities names its targets exactly, like Identifier IN (...).
    either = targets(catalog, f"DELETE FROM {EIC} WHERE Identifier = 'a|b' OR Identifier = 'c|d'")
    assert [identifier for _, identifier in either] == ["a|b", "c|d"]


def test_targets_found_by_a_query_become_one_call_each(catalog: Catalog) -> None:
    plan = planned(catalog, f"UPDATE {EIC} SET maximum_retry_attempts = 1 WHERE region = 'eu-west-1'")
    # The targets query's rows: (region, account_id, identifier).
    rows = [("eu-west-1", ACCOUNT, i) for i in ("a|b", "a|b", None, "c|d")]
    calls = plan.calls_for(rows)
    assert [(c.operation, c.region, c.identifier) for c in calls] == [
        ("UpdateResource", "eu-west-1", "a|b"),
        ("UpdateResource", "eu-west-1", "c|d"),
    ]
    assert calls[0].patch_document == ({"op": "add", "path": "/MaximumRetryAttempts", "value": 1},)


def test_compound_identifiers_need_every_part(catalog: Catalog) -> None:
    message = fails(ValidationError, targets, catalog, f"DELETE FROM {EIC} WHERE Identifier = 'orders-api'")
    assert "needs 2 parts joined by '|': FunctionName|Qualifier" in message


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (f"DELETE FROM {EIC} WHERE Identifier = 'orders-api|$LATEST|extra'", "needs 2 parts joined by '|'"),
        (f"DELETE FROM {EIC} WHERE Identifier IN ('a|b', 'orders-api')", "needs 2 parts joined by '|'"),
        (f"UPDATE {EIC} SET maximum_retry_attempts = 1 WHERE Identifier = ''", "empty Identifier"),
        ("DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = ''", "empty Identifier"),
        ("DELETE FROM awscc.logs.log_groups WHERE Identifier = '  '", "empty Identifier"),
    ],
)
def test_identifiers_that_name_nothing_are_refused_with_their_position(
    catalog: Catalog, where: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        planned(catalog, where)
    assert expected in raised.value.message
    assert raised.value.position is not None and where[raised.value.position] == "'"


def test_a_compound_identifier_may_be_given_as_json(catalog: Catalog) -> None:
    found = targets(catalog, f"""DELETE FROM {EIC} WHERE Identifier = '{{"FunctionName": "a", "Qualifier": "b"}}'""")
    assert found == [("us-east-1", '{"FunctionName": "a", "Qualifier": "b"}')]


def test_the_targets_query_selects_region_and_identifier(catalog: Catalog) -> None:
    plan = planned(catalog, f"UPDATE {EIC} c SET maximum_retry_attempts = 1 WHERE c.function_name = 'x'")
    assert plan.read is not None
    text = plan.read.plan.statement.text
    assert text.startswith(
        'SELECT region, account_id, CAST("function_name" AS TEXT) || \'|\' || CAST("qualifier" AS TEXT)'
    )
    assert text.endswith(f"FROM {EIC} c WHERE c.function_name = 'x'")


def test_returning_takes_progress_event_fields_forgivingly(catalog: Catalog) -> None:
    plan = planned(
        catalog, "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'a' RETURNING request_token, region, *"
    )
    assert plan.returning == ("RequestToken", "region", *PROGRESS_EVENT_FIELDS)
    bad = "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'a' RETURNING request_tokn"
    assert "did you mean 'RequestToken'?" in fails(ValidationError, planned, catalog, bad)


# -- EXPLAIN: offline, validated, the calls shown ----------------------------------------------------------


@pytest.fixture
def offline() -> Iterator[Session]:
    session = Session(Settings(region="us-east-1", variables=dict(SEED_VARIABLES)))
    yield session
    assert session.gateway_if_started is None, "EXPLAIN must not build the gateway"


def explain(session: Session, text: str) -> Result:
    (result,) = session.run(f"EXPLAIN {text}")
    assert result.columns == ["step", "operation", "account_id", "region", "type_name", "detail"]
    return result


def test_explain_the_seed_insert_shows_the_desired_state(offline: Session) -> None:
    result = explain(offline, SEED_INSERT + " RETURNING *")
    # RETURNING * includes ResourceModel: the resource is read back after SUCCESS.
    assert [row[1] for row in result.rows] == ["CreateResource", "GetResourceRequestStatus", "GetResource"]
    step = result.rows[0]
    assert step[2:5] == ("", "us-east-1", "AWS::Lambda::EventInvokeConfig")
    desired = json.loads(step[5].removeprefix("DesiredState="))
    assert desired == {
        "DestinationConfig": json.loads(DESTINATION),
        "FunctionName": "orders-worker",
        "MaximumEventAgeInSeconds": 300,
        "MaximumRetryAttempts": 1,
        "Qualifier": "$LATEST",
    }


def test_explain_the_seed_update_and_delete(offline: Session) -> None:
    update = explain(offline, SEED_UPDATE + " RETURNING OperationStatus")
    assert update.rows[0][1] == "UpdateResource"
    assert update.rows[0][5].startswith("Identifier=orders-worker|$LATEST, PatchDocument=[")
    assert '{"op":"add","path":"/MaximumRetryAttempts","value":1}' in update.rows[0][5]
    delete = explain(offline, SEED_DELETE)
    assert [r[1:] for r in delete.rows[:1]] == [
        ("DeleteResource", "", "us-east-1", "AWS::Lambda::EventInvokeConfig", "Identifier=orders-worker|$LATEST")
    ]
    assert delete.rows[-1][1] == "GetResourceRequestStatus"


def test_only_returning_resource_model_of_an_awaited_insert_or_update_reads_back(offline: Session) -> None:
    def operations(text: str) -> list[str]:
        return [row[1] for row in explain(offline, text).rows]

    update = f"UPDATE {EIC} SET maximum_retry_attempts = 1 WHERE Identifier = 'f|q'"
    assert operations(f"{update} RETURNING resource_model")[-1] == "GetResource"
    assert operations(f"{update} RETURNING OperationStatus")[-1] == "GetResourceRequestStatus"
    assert "GetResource" not in operations(f"/*+ NOWAIT */ {update} RETURNING *")
    assert "GetResource" not in operations(f"DELETE FROM {EIC} WHERE Identifier = 'f|q' RETURNING *")
    insert = explain(offline, SEED_INSERT + " RETURNING ResourceModel").rows[-1]
    assert insert[1] == "GetResource" and "while a new one is not visible yet" in insert[5]


def test_explain_validates_like_the_real_run(offline: Session) -> None:
    with pytest.raises(ValidationError, match="misses the required property"):
        explain(offline, f"INSERT INTO {EIC} (FunctionName) VALUES ('f')")
    with pytest.raises(ValidationError, match="needs replacement"):
        explain(offline, f"UPDATE {EIC} SET qualifier = 'v2' WHERE Identifier = 'f|q'")


def test_explain_of_a_query_driven_mutation_shows_the_reads_first(offline: Session) -> None:
    result = explain(
        offline,
        f"INSERT INTO {EIC} (FunctionName, Qualifier, region) SELECT function_name, '$LATEST', region "
        "FROM awscc.lambda.functions WHERE region = 'us-west-2'",
    )
    assert [row[1] for row in result.rows] == ["ListResources", "SQLite", "CreateResource", "GetResourceRequestStatus"]
    assert "for each row of the query" in result.rows[2][5]
    delete = explain(offline, f"DELETE FROM {EIC} WHERE region = 'us-east-1' AND function_name = 'orders-api'")
    assert [row[1] for row in delete.rows] == ["ListResources", "SQLite", "DeleteResource", "GetResourceRequestStatus"]
    assert any("needs your confirmation" in notice for notice in delete.notices)


def test_explain_under_read_only_and_nowait(offline: Session) -> None:
    offline.settings.read_only = True
    result = explain(offline, "/*+ NOWAIT */ DELETE FROM awscc.logs.log_groups WHERE Identifier = 'g'")
    assert any("--read-only" in notice for notice in result.notices)
    assert "not awaited" in result.rows[-1][5]
    assert any("default region us-east-1" in notice for notice in result.notices)


def test_explain_of_a_mutation_not_awaited_shows_no_status_call(offline: Session) -> None:
    statements = (
        "/*+ NOWAIT */ DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'g'",
        "/*+ NOWAIT */ DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name LIKE 'g%'",
        "/*+ NOWAIT */ INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES ('a', 'us-east-1'), "
        "('b', 'eu-west-1')",
        f"/*+ NOWAIT */ {SEED_UPDATE}",
    )
    for text in statements:
        result = explain(offline, text)
        operations = [row[1] for row in result.rows]
        assert "GetResourceRequestStatus" not in operations, text
        assert [row[0] for row in result.rows] == [str(n) for n in range(1, len(result.rows) + 1)]
        for row in result.rows:
            if row[1] in ("CreateResource", "UpdateResource", "DeleteResource"):
                assert row[5].endswith("; not awaited: its RequestToken is returned at once"), text
    offline.settings.no_wait = True
    assert [row[1] for row in explain(offline, SEED_DELETE).rows] == ["DeleteResource"]
    awaited = explain(offline, f"/*+ AWAIT */ {SEED_DELETE}")
    assert [row[1] for row in awaited.rows] == ["DeleteResource", "GetResourceRequestStatus"]
    assert "not awaited" not in awaited.rows[0][5]
