"""The gateway against the sandbox, through real boto3 clients over HTTP: paging, details, pushdown,
LIMIT, the cache, shared calls, throttling, failing regions, credentials and cancellation."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from awsql_shell.errors import CredentialsError, UnsupportedError
from awsql_shell.gateway import Gateway
from awsql_shell.gateway.mutation_send import MutationInterrupted
from awsql_shell.gateway.vocabulary import UPDATE, Fetch, FetchResult, ListFilter, ListTerm, MutationCall
from awsql_shell.sandbox import (
    FIXTURE_REGIONS,
    LAMBDA_FUNCTION_NAMES,
    RunningSandbox,
    SandboxConfig,
    fixture_count,
    start_sandbox,
)
from awsql_shell.settings import Settings

FUNCTION = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
NODEGROUP = "AWS::EKS::Nodegroup"
PAGE_SIZE = 4


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingListener:
    def __init__(self) -> None:
        self.planned: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def on_calls_planned(self, account: str | None, region: str, count: int) -> None:
        self.planned[region] = self.planned.get(region, 0) + count

    def on_call_done(self, account: str | None, region: str) -> None:
        self.done[region] = self.done.get(region, 0) + 1


@pytest.fixture(autouse=True)
def dummy_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(port=0, page_size=PAGE_SIZE)) as running:
        yield running


def gateway_for(sandbox: RunningSandbox, **settings: object) -> Gateway:
    clock = settings.pop("clock", None)
    config = Settings(endpoint_url=sandbox.url, **settings)  # type: ignore[arg-type]
    return Gateway(config, clock=clock) if clock else Gateway(config)


def identifiers(result: FetchResult) -> list[str]:
    return [resource.identifier for resource in result.resources]


def functions_everywhere(*, with_details: bool = True) -> list[Fetch]:
    return [Fetch(region, FUNCTION, with_details=with_details) for region in FIXTURE_REGIONS]


# ------------------------------------------------------------------------------------------------ reading


@pytest.mark.slow
def test_listing_follows_every_page_in_every_region(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    results = gateway.fetch_all(functions_everywhere(with_details=False))

    pages = 0
    for region, result in zip(FIXTURE_REGIONS, results, strict=True):
        assert result.error is None
        assert sorted(identifiers(result)) == sorted(LAMBDA_FUNCTION_NAMES[region])
        assert len(result.resources) == fixture_count(FUNCTION, region)
        pages += math.ceil(fixture_count(FUNCTION, region) / PAGE_SIZE)
    # list only: no GetResource at all, one ListResources per page
    assert pages <= gateway.stats.api_calls <= pages + len(FIXTURE_REGIONS)


def test_details_bring_full_properties_in_list_order(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    listed, detailed = gateway.fetch_all(
        [Fetch("us-east-1", FUNCTION), Fetch("us-east-1", FUNCTION, with_details=True)]
    )

    assert identifiers(detailed) == identifiers(listed)
    orders = detailed.resources[0]
    assert orders.properties["FunctionName"] == orders.identifier
    assert orders.properties["Role"].startswith("arn:aws:iam::123456789012:role/")
    assert isinstance(orders.properties["MemorySize"], int)
    assert isinstance(orders.properties["Environment"]["Variables"], dict)
    assert all("Runtime" in resource.properties for resource in detailed.resources)


def test_get_by_identifier_skips_a_missing_one(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    first, second = LAMBDA_FUNCTION_NAMES["us-west-2"][:2]

    (result,) = gateway.fetch_all([Fetch("us-west-2", FUNCTION, identifiers=(second, "no-such-function", first))])

    assert result.error is None
    assert identifiers(result) == [second, first]
    assert result.resources[0].properties["FunctionName"] == second
    assert gateway.stats.api_calls == 3


@pytest.mark.slow
def test_resource_model_is_pushed_down_to_the_list_handler(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    pushed, missing = gateway.fetch_all(
        [Fetch("us-east-1", NODEGROUP, resource_model={"ClusterName": "prod-eks"}), Fetch("us-east-1", NODEGROUP)]
    )

    assert sorted(identifiers(pushed)) == ["prod-eks|general", "prod-eks|spot"]
    assert pushed.error is None
    assert missing.resources == []
    assert "us-east-1 AWS::EKS::Nodegroup" in str(missing.error)
    assert "ClusterName" in str(missing.error)


@pytest.mark.slow
def test_limit_stops_listing_and_getting_early(sandbox: RunningSandbox) -> None:
    full_gateway = gateway_for(sandbox)
    (full,) = full_gateway.fetch_all([Fetch("us-east-1", FUNCTION, with_details=True)])
    gateway = gateway_for(sandbox)

    (limited,) = gateway.fetch_all([Fetch("us-east-1", FUNCTION, with_details=True, limit=3)])

    assert identifiers(limited) == identifiers(full)[:3]
    assert gateway.stats.api_calls == 1 + 3  # one page (of 4), three gets
    assert gateway.stats.api_calls < full_gateway.stats.api_calls


def named(*values: str, pattern: str | None = None) -> ListFilter:
    return ListFilter((ListTerm("FunctionName", "function_name", values=values, pattern=pattern),))


def test_a_list_filter_gets_only_the_listed_resources_it_keeps(sandbox: RunningSandbox) -> None:
    names = LAMBDA_FUNCTION_NAMES["us-east-1"]
    pages = math.ceil(len(names) / PAGE_SIZE)
    gateway = gateway_for(sandbox, cache_enabled=False)

    (one,) = gateway.fetch_all([Fetch("us-east-1", FUNCTION, with_details=True, list_filter=named("orders-api"))])
    assert identifiers(one) == ["orders-api"] and one.resources[0].properties["Runtime"]
    assert gateway.stats.api_calls == pages + 1  # every page, and the one GetResource

    gateway.reset_stats()
    (like,) = gateway.fetch_all([Fetch("us-east-1", FUNCTION, with_details=True, list_filter=named(pattern="ORDERS%"))])
    assert identifiers(like) == [name for name in names if name.startswith("orders")]
    assert gateway.stats.api_calls == pages + len(identifiers(like))


@pytest.mark.slow
def test_a_limit_counts_the_resources_the_filter_keeps(sandbox: RunningSandbox) -> None:
    names = LAMBDA_FUNCTION_NAMES["us-east-1"]
    wanted = [name for name in names if "-s" in name]
    assert len(wanted) > 2 and names.index(wanted[1]) >= PAGE_SIZE  # the second match is past the first page
    gateway = gateway_for(sandbox, cache_enabled=False)
    fetch = Fetch("us-east-1", FUNCTION, with_details=True, limit=2, list_filter=named(pattern="%-s%"))

    (limited,) = gateway.fetch_all([fetch])

    assert identifiers(limited) == wanted[:2]  # not the first two listed, the first two that match
    pages_read = math.ceil((names.index(wanted[1]) + 1) / PAGE_SIZE)
    assert pages_read < math.ceil(len(names) / PAGE_SIZE)  # it stopped listing early
    assert gateway.stats.api_calls == pages_read + 2


def test_the_cache_keeps_the_whole_listing_not_the_filtered_one(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    (filtered,) = gateway.fetch_all([Fetch("eu-west-1", FUNCTION, list_filter=named("orders-api"))])
    gateway.reset_stats()
    (everything,) = gateway.fetch_all([Fetch("eu-west-1", FUNCTION)])

    assert identifiers(filtered) == ["orders-api"]
    assert sorted(identifiers(everything)) == sorted(LAMBDA_FUNCTION_NAMES["eu-west-1"])
    assert gateway.stats.api_calls == 0


def test_listed_models_that_hold_what_is_read_need_no_get_resource() -> None:
    # As AWS::Logs::LogGroup's list handler does on AWS, the sandbox lists log groups whole.
    with start_sandbox(SandboxConfig(page_size=PAGE_SIZE, full_model_lists=LOG_GROUP)) as full:
        count = fixture_count(LOG_GROUP, "us-east-1")
        pages = math.ceil(count / PAGE_SIZE)
        gateway = gateway_for(full, cache_enabled=False)

        retention = frozenset({"LogGroupName", "RetentionInDays"})
        (held,) = gateway.fetch_all([Fetch("us-east-1", LOG_GROUP, with_details=True, needed=retention)])
        assert len(held.resources) == count and all(r.properties["RetentionInDays"] for r in held.resources)
        assert gateway.stats.api_calls == pages  # not one GetResource

        # A property some models leave unset: only those resources are read (their read may still hold it).
        gateway.reset_stats()
        tags = frozenset({"LogGroupName", "Tags"})
        (some,) = gateway.fetch_all([Fetch("us-east-1", LOG_GROUP, with_details=True, needed=tags)])
        untagged = [r.identifier for r in some.resources if not r.properties.get("Tags")]
        assert len(some.resources) == count and 0 < len(untagged) < count
        assert gateway.stats.api_calls == pages + len(untagged)

        gateway.reset_stats()
        (star,) = gateway.fetch_all([Fetch("us-east-1", LOG_GROUP, with_details=True)])  # SELECT *
        assert gateway.stats.api_calls == pages + count
        assert [r.properties for r in star.resources] == [r.properties for r in held.resources]


@pytest.mark.slow
def test_unknown_type_and_missing_handler_are_unsupported(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    unknown, no_list, fine = gateway.fetch_all(
        [
            Fetch("us-east-1", "AWS::Nothing::Here"),
            Fetch("us-east-1", "AWS::ApiGateway::Account"),
            Fetch("us-east-1", "AWS::Logs::LogGroup"),
        ]
    )

    assert isinstance(unknown.error, UnsupportedError)
    assert "AWS::Nothing::Here is not supported by Cloud Control in us-east-1" in str(unknown.error)
    assert isinstance(no_list.error, UnsupportedError)
    assert "AWS::ApiGateway::Account" in str(no_list.error)
    assert len(fine.resources) == fixture_count("AWS::Logs::LogGroup", "us-east-1")


# ------------------------------------------------------------------------------------------------- cache


@pytest.mark.slow
def test_a_repeated_fetch_is_answered_from_the_cache(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    first = gateway.fetch_all(functions_everywhere())
    gateway.reset_stats()

    again = gateway.fetch_all(functions_everywhere())
    one = LAMBDA_FUNCTION_NAMES["eu-west-1"][0]
    (by_identifier,) = gateway.fetch_all([Fetch("eu-west-1", FUNCTION, identifiers=(one,))])
    (list_only,) = gateway.fetch_all([Fetch("eu-west-1", FUNCTION)])

    assert gateway.stats.api_calls == 0
    assert gateway.stats.cache_hits > 0
    assert [r.resources for r in again] == [r.resources for r in first]
    assert by_identifier.resources == [next(r for r in first[2].resources if r.identifier == one)]
    assert identifiers(list_only) == identifiers(first[2])


def test_cache_entries_expire_after_the_ttl(sandbox: RunningSandbox) -> None:
    clock = FakeClock()
    gateway = gateway_for(sandbox, cache_ttl=60.0, clock=clock)
    fetch = Fetch("eu-west-1", FUNCTION, with_details=True)
    gateway.fetch_all([fetch])
    calls = gateway.stats.api_calls

    clock.now += 59
    gateway.fetch_all([fetch])
    assert gateway.stats.api_calls == calls

    clock.now += 2
    (result,) = gateway.fetch_all([fetch])
    assert gateway.stats.api_calls == 2 * calls
    assert len(result.resources) == fixture_count(FUNCTION, "eu-west-1")


@pytest.mark.slow
def test_no_cache_setting_and_invalidation_force_new_calls(sandbox: RunningSandbox) -> None:
    uncached = gateway_for(sandbox, cache_enabled=False)
    fetch = Fetch("eu-west-1", FUNCTION)
    uncached.fetch_all([fetch])
    uncached.fetch_all([fetch])
    assert uncached.stats.cache_hits == 0

    gateway = gateway_for(sandbox)
    name = LAMBDA_FUNCTION_NAMES["eu-west-1"][0]
    by_identifier = Fetch("eu-west-1", FUNCTION, identifiers=(name,))
    gateway.fetch_all([fetch, by_identifier])
    gateway.reset_stats()
    gateway.invalidate("eu-west-1", FUNCTION, name)
    gateway.fetch_all([fetch, by_identifier])
    assert gateway.stats.cache_hits == 0
    assert gateway.stats.api_calls > 1

    gateway.reset_stats()
    gateway.clear_cache()
    gateway.fetch_all([by_identifier])
    assert gateway.stats.api_calls == 1


def _retention(days: int, *groups: str) -> list[MutationCall]:
    patch = ({"op": "add", "path": "/RetentionInDays", "value": days},)
    return [MutationCall(UPDATE, "us-east-1", LOG_GROUP, identifier=group, patch_document=patch) for group in groups]


@pytest.mark.slow
def test_a_type_changed_by_a_request_not_awaited_is_read_afresh_until_the_request_is_seen_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with start_sandbox(SandboxConfig(request_delay_ms=3_600_000)) as slow:
        groups = ("/aws/lambda/orders-api", "/aws/lambda/orders-worker", "/aws/lambda/payments-api")
        by_identifier = Fetch("us-east-1", LOG_GROUP, identifiers=groups[:1])
        listing = Fetch("us-east-1", LOG_GROUP)
        other_type = Fetch("us-east-1", FUNCTION)
        reads = [by_identifier, listing, other_type]
        uncached = gateway_for(slow, cache_enabled=False)
        uncached.fetch_all(reads[:2])
        log_group_calls = uncached.stats.api_calls

        gateway = gateway_for(slow, max_concurrency=2)
        gateway.fetch_all(reads)
        outcomes = gateway.mutate(_retention(90, *groups), wait=False)
        assert [o.status for o in outcomes] == ["IN_PROGRESS"] * 3 and gateway.unsettled_requests == 3
        for _ in range(2):
            gateway.reset_stats()
            (one, _, _) = gateway.fetch_all(reads)
            # The two oldest requests (max_concurrency) are asked about; the log groups are read afresh.
            assert gateway.stats.api_calls == 2 + log_group_calls
            assert gateway.stats.cache_hits == 1  # the functions
            assert one.resources[0].properties.get("RetentionInDays") != 90

        monkeypatch.setattr(slow.service, "clock", lambda: time.time() + 7_200)  # every request is done
        gateway.reset_stats()
        (one, _, _) = gateway.fetch_all(reads)
        assert one.resources[0].properties["RetentionInDays"] == 90
        assert gateway.unsettled_requests == 0
        assert gateway.stats.api_calls == 3 + log_group_calls
        gateway.reset_stats()
        gateway.fetch_all(reads)
        assert gateway.stats.api_calls == 0  # cached again

        # Seen finished through the request view: no status check is needed before the next read.
        (outcome,) = gateway.mutate(_retention(30, groups[0]), wait=False)
        monkeypatch.setattr(slow.service, "clock", lambda: time.time() + 14_400)
        (status,) = gateway.fetch_all([Fetch.requests("us-east-1", "requests", tokens=(outcome.request_token,))])
        assert status.resources[0].properties["OperationStatus"] == "SUCCESS"
        assert gateway.unsettled_requests == 0
        gateway.reset_stats()
        (one,) = gateway.fetch_all([by_identifier])
        assert one.resources[0].properties["RetentionInDays"] == 30 and gateway.stats.api_calls == 1


@pytest.mark.slow
def test_a_request_left_going_by_an_interrupted_wait_keeps_its_type_uncached() -> None:
    with start_sandbox(SandboxConfig(request_delay_ms=3_600_000)) as slow:
        gateway = gateway_for(slow)
        group = Fetch("us-east-1", LOG_GROUP, identifiers=("/aws/lambda/orders-api",))
        gateway.fetch_all([group])
        cancel = threading.Event()
        interrupted: list[BaseException] = []

        def mutate() -> None:
            try:
                gateway.mutate(_retention(60, "/aws/lambda/orders-api"), cancel=cancel)
            except MutationInterrupted as exc:
                interrupted.append(exc)

        worker = threading.Thread(target=mutate)
        worker.start()
        while not slow.service.state.requests:
            time.sleep(0.01)
        cancel.set()
        worker.join(timeout=10)
        assert interrupted and gateway.unsettled_requests == 1
        gateway.reset_stats()
        gateway.fetch_all([group])
        assert gateway.stats.cache_hits == 0 and gateway.stats.api_calls == 2  # its status, then the group


def test_a_limited_listing_is_not_cached_as_complete(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    gateway.fetch_all([Fetch("us-east-1", FUNCTION, limit=2)])

    (full,) = gateway.fetch_all([Fetch("us-east-1", FUNCTION)])

    assert len(full.resources) == fixture_count(FUNCTION, "us-east-1")


@pytest.mark.slow
def test_identical_calls_in_flight_are_made_once(sandbox: RunningSandbox) -> None:
    with start_sandbox(SandboxConfig(port=0, page_size=PAGE_SIZE, latency_ms=30)) as slow:
        alone = gateway_for(slow, cache_enabled=False)
        alone.fetch_all([Fetch("eu-west-1", FUNCTION, with_details=True)])
        gateway = gateway_for(slow, cache_enabled=False)

        twice = gateway.fetch_all([Fetch("eu-west-1", FUNCTION, with_details=True)] * 2)

    assert identifiers(twice[0]) == identifiers(twice[1])
    assert len(twice[0].resources) == fixture_count(FUNCTION, "eu-west-1")
    assert gateway.stats.api_calls == alone.stats.api_calls
    assert gateway.stats.shared_calls == alone.stats.api_calls


@pytest.mark.slow
def test_progress_reports_every_call_planned_and_done(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox)
    listener = CountingListener()

    gateway.fetch_all(functions_everywhere(), progress=listener)

    assert listener.planned == listener.done
    assert set(listener.planned) == set(FIXTURE_REGIONS)
    assert sum(listener.done.values()) == gateway.stats.api_calls


# ------------------------------------------------------------------------------------------------ faults


@pytest.mark.slow
def test_throttling_is_retried_and_every_row_arrives_exactly_once(sandbox: RunningSandbox) -> None:
    fetches = [*functions_everywhere(), *(Fetch(region, LOG_GROUP) for region in FIXTURE_REGIONS)]
    expected = [identifiers(result) for result in gateway_for(sandbox).fetch_all(fetches)]

    with start_sandbox(SandboxConfig(port=0, page_size=PAGE_SIZE, throttle_rate=0.1, seed=7)) as throttled:
        gateway = gateway_for(throttled)
        results = gateway.fetch_all(fetches)

    assert [result.error for result in results] == [None] * len(fetches)
    assert [identifiers(result) for result in results] == expected
    assert gateway.stats.retries > 0


@pytest.mark.slow
def test_a_failing_region_fails_alone(sandbox: RunningSandbox) -> None:
    with start_sandbox(SandboxConfig(port=0, page_size=PAGE_SIZE, fail_region="us-west-2")) as faulty:
        gateway = gateway_for(faulty)
        results = gateway.fetch_all(functions_everywhere())

    by_region = dict(zip(FIXTURE_REGIONS, results, strict=True))
    failed = by_region.pop("us-west-2")
    assert failed.resources == []
    assert str(failed.error).startswith("us-west-2 AWS::Lambda::Function: ServiceUnavailable")
    for region, result in by_region.items():
        assert result.error is None
        assert len(result.resources) == fixture_count(FUNCTION, region)


def test_missing_credentials_stop_the_statement(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    gateway = gateway_for(sandbox)

    with pytest.raises(CredentialsError) as raised:
        gateway.fetch_all(functions_everywhere())

    assert raised.value.exit_code == 3
    message = str(raised.value)
    assert "aws configure" in message
    assert "--profile" in message
    assert "--sandbox" in message


def test_an_unknown_profile_is_a_credentials_error(sandbox: RunningSandbox) -> None:
    gateway = gateway_for(sandbox, profile="no-such-profile")

    with pytest.raises(CredentialsError, match="profile 'no-such-profile' was not found"):
        gateway.fetch_all([Fetch("us-east-1", FUNCTION)])


def settled_call_count(gateway: Gateway, quiet: float = 0.3, limit: float = 10.0) -> int:
    """The call count once it has stopped moving: on a loaded machine in-flight calls land late."""
    deadline = time.monotonic() + limit
    count = gateway.stats.api_calls
    while time.monotonic() < deadline:
        time.sleep(quiet)
        if gateway.stats.api_calls == count:
            return count
        count = gateway.stats.api_calls
    return count


@pytest.mark.slow
def test_cancel_abandons_a_long_fan_out() -> None:
    names = tuple(f"function-{number}" for number in range(1000))
    with start_sandbox(SandboxConfig(port=0, latency_ms=50)) as slow:
        gateway = gateway_for(slow)
        cancel = threading.Event()
        timer = threading.Timer(0.3, cancel.set)
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            gateway.fetch_all([Fetch("us-east-1", FUNCTION, identifiers=names)], cancel=cancel)
        returned_after = time.monotonic() - started
        calls_after_cancel = settled_call_count(gateway)  # calls already on the wire may still finish
        time.sleep(0.3)
        assert gateway.stats.api_calls == calls_after_cancel  # but no new one starts
    assert returned_after < 2.0
    assert calls_after_cancel < len(names) / 2


def test_importing_the_gateway_does_not_import_boto3() -> None:
    code = (
        "import sys; from awsql_shell.gateway import Gateway; from awsql_shell.settings import Settings; "
        "Gateway(Settings()); print('boto3' in sys.modules or 'botocore' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("ExpiredTokenException", "expired"),
        ("UnrecognizedClientException", "could not be used"),
        ("InvalidClientTokenId", "could not be used"),
    ],
)
def test_credentials_rejected_by_aws_stop_the_statement(code: str, says: str) -> None:
    from botocore.exceptions import ClientError

    from awsql_shell.gateway.errors import credentials_error, is_credentials_problem

    rejected = ClientError({"Error": {"Code": code, "Message": "nope"}}, "ListResources")

    assert is_credentials_problem(rejected)
    error = credentials_error(rejected, profile=None)
    assert error.exit_code == 3
    assert says in str(error)
    assert "aws sso login" in str(error)
    assert "--sandbox" in str(error)


def test_access_denied_for_one_type_is_a_partial_failure_not_a_credentials_error() -> None:
    from botocore.exceptions import ClientError

    from awsql_shell.gateway.errors import fetch_error, is_credentials_problem

    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "ListResources")

    assert not is_credentials_problem(denied)
    error = fetch_error(denied, region="us-west-2", type_name=FUNCTION, operation="ListResources")
    assert str(error) == "us-west-2 AWS::Lambda::Function: AccessDeniedException: not allowed"
