"""The state file (resources kept across runs) and the configuration from flags and environment."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from awsenv import isolated_environment

from awsql_shell.errors import UsageError
from awsql_shell.sandbox import SandboxConfig, SandboxStateError, start_sandbox
from awsql_shell.sandbox.config import AWS_DEFAULTS_AWAITING_CLIENT
from awsql_shell.sandbox.state import load_state

REPO = Path(__file__).resolve().parents[2]

LOG_GROUP = "AWS::Logs::LogGroup"
LAMBDA = "AWS::Lambda::Function"


def wait_for(client: Any, event: dict[str, Any]) -> None:
    waiter = client.get_waiter("resource_request_success")
    waiter.wait(RequestToken=event["RequestToken"], WaiterConfig={"Delay": 0.02, "MaxAttempts": 250})


def identifiers(client: Any, type_name: str) -> list[str]:
    pages = client.get_paginator("list_resources").paginate(TypeName=type_name)
    return [d["Identifier"] for page in pages for d in page["ResourceDescriptions"]]


@pytest.mark.slow
def test_resources_survive_a_restart(tmp_path: Path, start: Any, connect: Any) -> None:
    state = tmp_path / "account.json"
    first = start(state_path=state)
    client = connect(first.url)
    created = client.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": "kept"}))
    wait_for(client, created["ProgressEvent"])
    deleted = client.delete_resource(TypeName=LAMBDA, Identifier="cleanup-cron")
    wait_for(client, deleted["ProgressEvent"])
    first.stop()

    second = connect(start(state_path=state).url)
    assert "kept" in identifiers(second, LOG_GROUP)
    assert "cleanup-cron" not in identifiers(second, LAMBDA)
    assert len(identifiers(second, LAMBDA)) == 24
    status = second.get_resource_request_status(RequestToken=created["ProgressEvent"]["RequestToken"])
    assert status["ProgressEvent"]["OperationStatus"] == "SUCCESS"


def test_the_state_file_is_written_whole_and_at_once(tmp_path: Path, start: Any) -> None:
    state = tmp_path / "nested" / "account.json"
    start(state_path=state)
    assert json.loads(state.read_text())["format"] == "awsql-sandbox-state"
    # No temporary file left behind; the lock file that serialises processes sharing the state stays.
    assert sorted(p.name for p in state.parent.iterdir()) == [".account.json.lock", "account.json"]


@pytest.mark.slow
def test_fixtures_are_seeded_only_when_the_file_is_new(tmp_path: Path, start: Any, connect: Any) -> None:
    state = tmp_path / "empty.json"
    start(state_path=state, fixtures="none").stop()
    # The file exists now, so asking for the default fixtures does not add them to it.
    client = connect(start(state_path=state, fixtures="default").url)
    assert identifiers(client, LAMBDA) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "Expecting property name"),
        ('{"hello": 1}', "not an awsql sandbox state file"),
        ('{"format": "awsql-sandbox-state", "version": 99, "resources": {}}', "version 99"),
        ('{"format": "awsql-sandbox-state", "version": 1, "resources": []}', "'resources' is not an object"),
        ('{"format": "awsql-sandbox-state", "version": 2, "accounts": []}', "'accounts' is not an object"),
        ('{"format": "awsql-sandbox-state", "version": 2, "accounts": {"prod": {}}}', "12-digit account id"),
    ],
)
def test_a_corrupt_state_file_is_a_clear_error_and_left_alone(tmp_path: Path, content: str, reason: str) -> None:
    state = tmp_path / "broken.json"
    state.write_text(content)
    with pytest.raises(SandboxStateError, match=reason) as caught:
        start_sandbox(SandboxConfig(state_path=state))
    assert str(state) in str(caught.value)
    assert state.read_text() == content


def test_a_state_file_of_version_1_loads_as_the_sample_accounts_and_is_kept_as_version_2(
    tmp_path: Path, start: Any, connect: Any
) -> None:
    """A file saved before the sandbox had accounts (one account's resources at the top) keeps working."""
    state = tmp_path / "old.json"
    request = {
        "token": "t-1",
        "region": "us-east-1",
        "type_name": LOG_GROUP,
        "operation": "CREATE",
        "identifier": "old",
        "status": "SUCCESS",
        "event_time": 1.0,
        "due": 1.0,
        "model": {"LogGroupName": "old"},
    }
    old = {
        "format": "awsql-sandbox-state",
        "version": 1,
        "resources": {"us-east-1": {LOG_GROUP: {"old": {"LogGroupName": "old"}}}},
        "requests": [request],
    }
    state.write_text(json.dumps(old))
    client = connect(start(state_path=state).url)
    assert identifiers(client, LOG_GROUP) == ["old"]
    assert client.get_resource_request_status(RequestToken="t-1")["ProgressEvent"]["OperationStatus"] == "SUCCESS"
    wait_for(client, client.delete_resource(TypeName=LOG_GROUP, Identifier="old")["ProgressEvent"])
    saved = json.loads(state.read_text())
    assert saved["version"] == 2 and "resources" not in saved
    assert saved["accounts"]["123456789012"]["us-east-1"][LOG_GROUP] == {}
    assert {r["account"] for r in saved["requests"]} == {"123456789012"}


def test_config_from_environment() -> None:
    config = SandboxConfig.from_env(
        {
            "AWSQL_SANDBOX_STATE": "/tmp/sandbox.json",
            "AWSQL_SANDBOX_LATENCY_MS": "25",
            "AWSQL_SANDBOX_THROTTLE_RATE": "0.1",
            "AWSQL_SANDBOX_FAIL_REGION": "eu-west-1",
            "AWSQL_SANDBOX_FIXTURE_SCALE": "3",
            "AWSQL_SANDBOX_SEED": "42",
            "AWSQL_SANDBOX_REQUEST_DELAY_MS": "5",
            "AWSQL_SANDBOX_PAGE_SIZE": "",
        }
    )
    assert config.state_path == Path("/tmp/sandbox.json")
    assert (config.latency_ms, config.throttle_rate, config.fail_region) == (25, 0.1, "eu-west-1")
    assert (config.fixture_scale, config.seed, config.request_delay_ms) == (3, 42, 5)
    assert config.page_size == SandboxConfig().page_size  # empty: the default
    assert SandboxConfig.from_env({}, port=8123).port == 8123


def test_aws_behaviour_and_faults_from_environment() -> None:
    config = SandboxConfig.from_env(
        {
            "AWSQL_SANDBOX_ACCOUNT_WIDE_LISTS": "0",
            "AWSQL_SANDBOX_HONOR_MAX_RESULTS": "true",
            "AWSQL_SANDBOX_FULL_MODEL_LISTS": "none",
            "AWSQL_SANDBOX_NOT_FOUND_BY_TYPE": "on",
            "AWSQL_SANDBOX_MISSING_PARENT_NOT_FOUND": "off",
            "AWSQL_SANDBOX_WRITE_ONLY_PATCHES": "no",
            "AWSQL_SANDBOX_SPARSE_EVENTS": "yes",
            "AWSQL_SANDBOX_RATE_LIMIT": "0",
            "AWSQL_SANDBOX_RATE_BURST": "4",
            "AWSQL_SANDBOX_DISABLED_REGION": "none",
            "AWSQL_SANDBOX_DENY": "AWS::Logs::LogGroup:read, AWS::S3::Bucket",
            "AWSQL_SANDBOX_READ_FAILURE_IDS": "orders-api",
            "AWSQL_SANDBOX_READ_FAILURE_RATE": "0.2",
            "AWSQL_SANDBOX_READ_FAILURE_CODE": "HandlerInternalFailureException",
            "AWSQL_SANDBOX_READ_THROTTLE_RATE": "0.1",
            "AWSQL_SANDBOX_MUTATION_THROTTLE_RATE": "0.3",
            "AWSQL_SANDBOX_MUTATION_FAILURE_RATE": "0.4",
            "AWSQL_SANDBOX_LIST_LATENCY_MS": "90",
            "AWSQL_SANDBOX_CONSISTENCY_DELAY_MS": "250",
        }
    )
    assert (config.account_wide_lists, config.honor_max_results, config.full_model_list_types) == (False, True, set())
    assert (config.not_found_by_type, config.missing_parent_not_found) == (True, False)
    assert (config.write_only_patches, config.sparse_events) == (False, True)
    assert (config.rate_limit, config.rate_burst, config.disabled_regions) == (0.0, 4, set())
    assert config.denied == {("AWS::Logs::LogGroup", "read"), ("AWS::S3::Bucket", None)}
    assert (config.read_failure_identifiers, config.read_failure_rate) == ({"orders-api"}, 0.2)
    assert config.read_failure_code == "HandlerInternalFailureException"
    assert (config.read_throttle_rate, config.mutation_throttle_rate, config.mutation_failure_rate) == (0.1, 0.3, 0.4)
    assert (config.list_latency_ms, config.consistency_delay_ms) == (90, 250)


def test_aws_defaults() -> None:
    """What a sandbox does unasked: AWS's way, but for the behaviours config.py holds off for the client."""
    config = SandboxConfig()
    assert (config.rate_limit, config.rate_burst) == (25.0, 10)
    assert {"me-south-1", "cn-north-1", "us-gov-west-1"} <= config.disabled_regions
    assert not {"us-east-1", "us-west-2", "eu-west-1"} & config.disabled_regions
    assert config.full_model_list_types == {"AWS::Logs::LogGroup"}
    assert (config.write_only_patches, config.sparse_events, config.missing_parent_not_found) == (True, True, True)
    assert config.honor_max_results is False
    for name, held in AWS_DEFAULTS_AWAITING_CLIENT.items():
        assert getattr(config, name) == held, name


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"AWSQL_SANDBOX_LATENCY_MS": "soon"}, "AWSQL_SANDBOX_LATENCY_MS='soon' is not an integer"),
        ({"AWSQL_SANDBOX_THROTTLE_RATE": "2"}, "between 0 and 1"),
        ({"AWSQL_SANDBOX_FAIL_REGION": "mars-1"}, "not an AWS region"),
        ({"AWSQL_SANDBOX_FIXTURE_SCALE": "0"}, "at least 1"),
        ({"AWSQL_SANDBOX_FIXTURES": "lots"}, "unknown sandbox fixtures"),
        ({"AWSQL_SANDBOX_RATE_LIMIT": "-1"}, "rate limit cannot be negative"),
        ({"AWSQL_SANDBOX_RATE_BURST": "0"}, "rate burst must be at least 1"),
        ({"AWSQL_SANDBOX_READ_FAILURE_RATE": "1.5"}, "read failure rate must be between 0 and 1"),
        ({"AWSQL_SANDBOX_READ_FAILURE_CODE": "Oops"}, "is not one of GeneralServiceException"),
        ({"AWSQL_SANDBOX_DISABLED_REGION": "mars-1"}, "disabled region 'mars-1' is not an AWS region"),
        ({"AWSQL_SANDBOX_DENY": "AWS::Logs::LogGroop"}, "did you mean 'AWS::Logs::LogGroup'"),
        ({"AWSQL_SANDBOX_DENY": "AWS::Logs::LogGroup:explode"}, "operation must be one of create, read"),
        ({"AWSQL_SANDBOX_DENY": "logs"}, "is not TYPE or TYPE:operation"),
        ({"AWSQL_SANDBOX_FULL_MODEL_LISTS": "AWS::Nope::Nope"}, "unknown resource type"),
        ({"AWSQL_SANDBOX_SPARSE_EVENTS": "maybe"}, "is not a boolean"),
        ({"AWSQL_SANDBOX_PAGE_SIZE": "1001"}, "page size must be between 1 and 1000"),
        ({"AWSQL_SANDBOX_CONSISTENCY_DELAY_MS": "-5"}, "consistency delay ms cannot be negative"),
    ],
)
def test_bad_settings_are_usage_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SandboxConfig.from_env(environ)


def test_page_size_is_configurable(start: Any, connect: Any) -> None:
    client = connect(start(page_size=50).url)
    assert len(client.list_resources(TypeName=LAMBDA)["ResourceDescriptions"]) == 25


# -- one state file, several processes ------------------------------------------------------------


def log_group_names(state: Path, region: str = "us-east-1") -> set[str]:
    loaded = load_state(state)
    assert loaded is not None
    return set(loaded.peek(region, LOG_GROUP))


def test_sandboxes_sharing_a_state_file_see_and_keep_each_others_changes(
    tmp_path: Path, start: Any, connect: Any
) -> None:
    state = tmp_path / "shared.json"
    first, second = start(state_path=state), start(state_path=state)
    a, b = connect(first.url), connect(second.url)
    wait_for(
        a, a.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": "from-a"}))["ProgressEvent"]
    )
    assert "from-a" in identifiers(b, LOG_GROUP)  # the second sandbox reads what the first saved
    wait_for(
        b, b.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": "from-b"}))["ProgressEvent"]
    )
    deleted = a.delete_resource(TypeName=LAMBDA, Identifier="cleanup-cron")["ProgressEvent"]
    wait_for(b, deleted)  # either sandbox settles what the other started
    first.stop()
    second.stop()
    assert {"from-a", "from-b"} <= log_group_names(state)
    loaded = load_state(state)
    assert loaded is not None and "cleanup-cron" not in loaded.peek("us-east-1", LAMBDA)


def test_parallel_creates_through_two_sandboxes_lose_nothing(tmp_path: Path, start: Any, connect: Any) -> None:
    state = tmp_path / "shared.json"
    clients = [connect(start(state_path=state, rate_limit=0).url) for _ in range(2)]

    def make(index: int) -> None:
        client = clients[index % 2]
        created = client.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": f"p-{index}"}))
        wait_for(client, created["ProgressEvent"])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make, range(16)))
    assert {f"p-{i}" for i in range(16)} <= log_group_names(state)


def test_parallel_awsql_processes_sharing_a_state_file_lose_no_write(tmp_path: Path) -> None:
    state = tmp_path / "shared.json"
    env = isolated_environment(tmp_path, AWSQL_SANDBOX_STATE=str(state), AWSQL_SANDBOX_REQUEST_DELAY_MS="20")

    def insert(process: int) -> subprocess.Popen[str]:
        statements = "; ".join(
            f"INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES ('proc-{process}-{n}', 'us-east-1')"
            for n in range(2)
        )
        return subprocess.Popen(
            [sys.executable, "-m", "awsql_shell", "--sandbox", "-e", statements],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    processes = [insert(p) for p in range(4)]
    for process in processes:
        _, errors = process.communicate(timeout=90)
        assert process.returncode == 0, errors
    made = {name for name in log_group_names(state) if name.startswith("proc-")}
    assert made == {f"proc-{p}-{n}" for p in range(4) for n in range(2)}
