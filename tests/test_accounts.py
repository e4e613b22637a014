"""Many accounts in one query (issue 12): the sandbox's Organization answers real boto3 (STS, Organizations,
Cloud Control per account), and each test asserts what a user sees: rows per account, the warning and exit
code when an account cannot answer, awsql.errors, what EXPLAIN says and which accounts the sandbox heard from."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from awsenv import isolated_environment

from awsql_shell.errors import AwsqlError, CredentialsError, ValidationError
from awsql_shell.execution.mutation_run import ConfirmationRequired
from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.sandbox.organization import member_account_id
from awsql_shell.session import Session
from awsql_shell.settings import Settings

AWSQL = [sys.executable, "-m", "awsql_shell"]
pytestmark = pytest.mark.usefixtures("dummy_credentials")
MANAGEMENT = "123456789012"
PROD_1, DEV_1, PROD_EU_1, PROD_2 = (member_account_id(i) for i in (1, 2, 3, 4))
TWO_REGIONS = "('us-east-1', 'eu-west-1')"


@pytest.fixture(scope="module")
def org() -> Iterator[RunningSandbox]:
    """An Organization of five accounts: dev-1's role cannot be assumed, prod-2 is closed (suspended)."""
    with start_sandbox(SandboxConfig(accounts=5, deny_assume=DEV_1, suspended=PROD_2)) as running:
        yield running


def org_session(url: str, **settings: object) -> Session:
    return Session(Settings(endpoint_url=url, region="us-east-1", org=True, **settings))  # type: ignore[arg-type]


def calls_to(sandbox: RunningSandbox, account: str, operation: str = "ListResources") -> int:
    return sum(n for (who, _, what), n in sandbox.received.items() if who == account and what == operation)


CLOUD_CONTROL = ("ListResources", "GetResource", "CreateResource", "UpdateResource", "DeleteResource")


def cloud_control_calls(sandbox: RunningSandbox) -> int:
    """Cloud Control calls the sandbox answered (the accounts' discovery, STS and Organizations, left out)."""
    return sum(n for (_, _, operation), n in sandbox.received.items() if operation in CLOUD_CONTROL)


def run_cli(url: str, sql: str, tmp_path: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [*AWSQL, "--endpoint-url", url, *flags, "-e", sql]
    environment = isolated_environment(tmp_path, **env)
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)


# -- where the accounts come from: --org -------------------------------------------------------------------


def test_the_organization_is_the_session_accounts(org: RunningSandbox) -> None:
    (accounts,) = org_session(org.url).run("SELECT account_id, name, reached, status, problem FROM awsql.accounts")
    by_id = {row[0]: row for row in accounts.rows}
    assert set(by_id) == {MANAGEMENT, PROD_1, DEV_1, PROD_EU_1, PROD_2}
    assert by_id[MANAGEMENT][2] == "its own credentials (the caller)"
    assert by_id[PROD_1][1:] == ("prod-1", "role OrganizationAccountAccessRole", "ACTIVE", None)
    assert by_id[PROD_2][3:] == ("SUSPENDED", "suspended (closed): AWS lets no one in")
    assert by_id[DEV_1][3] == "UNREACHABLE" and by_id[DEV_1][4].startswith("AssumeRole failed: AccessDenied")


def test_an_org_query_answers_from_every_account_but_the_one_it_cannot_enter(org: RunningSandbox) -> None:
    session = org_session(org.url)
    (counted,) = session.run(
        f"SELECT account_id, region, count(*) FROM awscc.lambda.functions WHERE region IN {TWO_REGIONS} "
        "GROUP BY account_id, region ORDER BY account_id, region"
    )
    accounts = {row[0] for row in counted.rows}
    assert accounts == {MANAGEMENT, PROD_1, PROD_EU_1}  # not the one denied, not the suspended one
    assert all(row[2] > 0 for row in counted.rows)
    (warning,) = counted.warnings
    assert warning.startswith(f"account {DEV_1} could not be read, its rows are missing: AssumeRole failed: ")
    assert "AccessDenied" in warning and counted.partial
    assert calls_to(org, PROD_2) == 0 and calls_to(org, DEV_1) == 0
    (errors,) = session.run("SELECT account_id, operation, error_code, calls, rows_lost FROM awsql.errors")
    assert errors.rows == [(DEV_1, "AssumeRole", "AccessDenied", 1, None)]


@pytest.mark.slow
def test_the_cli_warns_and_exits_4_when_an_account_cannot_answer(org: RunningSandbox, tmp_path: Path) -> None:
    sql = "SELECT account_id, count(*) AS n FROM awscc.logs.log_groups WHERE region = 'us-east-1' GROUP BY 1"
    run = run_cli(org.url, sql, tmp_path, "--org")
    assert run.returncode == 4, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "account_id,n" and len(lines) == 4  # management, prod-1, prod-eu-1
    assert f"account {DEV_1} could not be read" in run.stderr and "Traceback" not in run.stderr


def test_an_aggregate_over_a_partial_result_still_computes(org: RunningSandbox) -> None:
    (whole,) = org_session(org.url).run(
        "SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND account_id IN "
        f"('{MANAGEMENT}', '{PROD_1}', '{PROD_EU_1}')"
    )
    (partial,) = org_session(org.url).run("SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
    assert partial.rows == whole.rows and whole.rows[0][0] > 0  # the reachable accounts' count, not nothing
    assert partial.partial and not whole.partial


def test_org_ou_limits_the_accounts_to_that_subtree(org: RunningSandbox, tmp_path: Path) -> None:
    import boto3

    client = boto3.client("organizations", endpoint_url=org.url, region_name="us-east-1")
    root = client.list_roots()["Roots"][0]["Id"]
    units = {
        u["Name"]: u["Id"] for u in client.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    }
    session = org_session(org.url, org_unit=units["prod"])
    (accounts,) = session.run("SELECT account_id FROM awsql.accounts ORDER BY 1")
    # prod holds prod-1 and prod-2 (suspended); prod-eu (under prod) holds prod-eu-1.
    assert [row[0] for row in accounts.rows] == sorted([PROD_1, PROD_EU_1, PROD_2])


# -- account_id steers the calls -------------------------------------------------------------------------------


def test_account_id_prunes_the_accounts_called(org: RunningSandbox) -> None:
    session = org_session(org.url, cache_enabled=False)
    sql = f"SELECT count(*) FROM awscc.lambda.functions WHERE region = 'eu-west-1' AND account_id = '{PROD_EU_1}'"
    (explained,) = session.run(f"EXPLAIN {sql}")
    listing = [row for row in explained.rows if row[1] == "ListResources"]
    assert [(row[2], row[3]) for row in listing] == [(PROD_EU_1, "eu-west-1")]
    before = {account: calls_to(org, account) for account in (MANAGEMENT, PROD_1, PROD_EU_1)}
    (counted,) = session.run(sql)
    assert counted.rows[0][0] > 0 and not counted.warnings  # an account named is read: no warning for dev-1
    after = {account: calls_to(org, account) for account in (MANAGEMENT, PROD_1, PROD_EU_1)}
    assert after[PROD_EU_1] > before[PROD_EU_1]
    assert after[MANAGEMENT] == before[MANAGEMENT] and after[PROD_1] == before[PROD_1]


def test_explain_counts_accounts_regions_and_types(org: RunningSandbox) -> None:
    (explained,) = org_session(org.url).run(
        f"EXPLAIN SELECT * FROM awscc.lambda.functions f JOIN awscc.logs.log_groups g ON f.account_id = g.account_id "
        f"AND f.region = g.region WHERE f.region IN {TWO_REGIONS}"
    )
    said = "\n".join(explained.notices)
    assert "calls: 3 accounts x 2 types x 2 regions: 12 ListResources" in said
    assert f"account {DEV_1} cannot be read, its rows will be missing: AssumeRole failed" in said
    assert "accounts: 3 of 5 reachable, found once per session from the Organization" in said


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("account_id != '200000000001'", "account_id steers which calls are made"),
        ("account_id LIKE '2%'", "account_id steers which calls are made"),
        ("(account_id = '200000000001' OR runtime = 'x')", "account_id steers which calls are made"),
        ("account_id = 200000000001", "account_id is a 12-digit string, not the number 200000000001"),
        ("account_id = '99'", "account_id must be a 12-digit AWS account id"),
        ("account_id = '999999999999'", "account 999999999999 is not one of this session's accounts"),
    ],
)
def test_what_cannot_steer_the_accounts_is_refused(org: RunningSandbox, where: str, expected: str) -> None:
    session = org_session(org.url)
    before = cloud_control_calls(org)
    with pytest.raises(ValidationError) as raised:
        session.run(f"SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND {where}")
    assert expected in raised.value.message
    assert cloud_control_calls(org) == before  # refused before any Cloud Control call


def test_an_unreachable_account_named_is_missing_from_the_rows_not_an_error(org: RunningSandbox) -> None:
    session = org_session(org.url)
    where = "WHERE region = 'us-east-1' AND account_id IN"
    (some,) = session.run(
        f"SELECT account_id, count(*) FROM awscc.logs.log_groups {where} ('{PROD_1}', '{DEV_1}') GROUP BY 1"
    )
    assert [row[0] for row in some.rows] == [PROD_1]
    assert some.partial and some.warnings[0].startswith(f"account {DEV_1} could not be read, its rows are missing")
    for only in (DEV_1, PROD_2):  # nothing named can answer: that is the statement's error (exit 3)
        with pytest.raises(CredentialsError, match=f"account {only} cannot be reached"):
            session.run(f"SELECT count(*) FROM awscc.logs.log_groups {where} ('{only}')")


def test_a_join_across_accounts(org: RunningSandbox) -> None:
    (joined,) = org_session(org.url).run(
        "SELECT f.account_id, a.name, count(*) AS functions FROM awscc.lambda.functions f "
        "JOIN awsql.accounts a ON a.account_id = f.account_id "
        "WHERE f.region = 'us-east-1' GROUP BY f.account_id, a.name ORDER BY f.account_id"
    )
    assert [row[:2] for row in joined.rows] == [
        (MANAGEMENT, "management"),
        (PROD_1, "prod-1"),
        (PROD_EU_1, "prod-eu-1"),
    ]
    (paired,) = org_session(org.url).run(
        "SELECT a.account_id, b.account_id FROM awscc.logs.log_groups a JOIN awscc.logs.log_groups b "
        "ON a.account_id <> b.account_id AND a.log_group_name = b.log_group_name "
        f"WHERE a.region = 'us-east-1' AND b.region = 'us-east-1' AND a.account_id = '{MANAGEMENT}' LIMIT 1"
    )
    assert all(left == MANAGEMENT and right != MANAGEMENT for left, right in paired.rows)


def test_max_calls_refuses_an_org_wide_select_before_any_call(org: RunningSandbox) -> None:
    session = org_session(org.url, max_calls=5)
    sql = f"SELECT * FROM awscc.lambda.functions WHERE region IN {TWO_REGIONS}"
    (explained,) = session.run(f"EXPLAIN {sql}")
    assert "it needs at least 6 calls: --max-calls 5 would refuse it" in explained.notices
    before = cloud_control_calls(org)
    with pytest.raises(AwsqlError) as refused:
        session.run(sql)
    assert "needs at least 6 Cloud Control calls, more than --max-calls 5; nothing was called" in refused.value.message
    assert cloud_control_calls(org) == before


# -- mutations name their account ---------------------------------------------------------------------------


def test_a_mutation_must_name_its_account(org: RunningSandbox) -> None:
    session = org_session(org.url)
    before = cloud_control_calls(org)
    with pytest.raises(ValidationError) as insert:
        session.run("INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES ('no-account', 'us-east-1')")
    assert "must say which account to create in" in insert.value.message and "account_id" in insert.value.message
    with pytest.raises(ValidationError) as delete:
        session.run("DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'x'")
    assert "DELETE must say which account it changes" in delete.value.message
    assert cloud_control_calls(org) == before


def test_a_mutation_lands_in_the_account_it_names(org: RunningSandbox) -> None:
    session = org_session(org.url, cache_enabled=False)
    (inserted,) = session.run(
        "INSERT INTO awscc.logs.log_groups (LogGroupName, region, account_id) "
        f"VALUES ('made-in-prod-1', 'us-east-1', '{PROD_1}')"
    )
    assert inserted.status == "INSERT 1"
    (found,) = session.run(
        "SELECT account_id FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name = 'made-in-prod-1'"
    )
    assert found.rows == [(PROD_1,)]
    session.run(
        f"DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND account_id = '{PROD_1}' "
        "AND Identifier = 'made-in-prod-1'"
    )


def test_a_change_across_accounts_lists_every_account_before_it_is_made(org: RunningSandbox) -> None:
    session = org_session(org.url, cache_enabled=False)
    (explained,) = session.run(
        "EXPLAIN INSERT INTO awscc.logs.log_groups (LogGroupName, region, account_id) VALUES "
        f"('x', 'us-east-1', '{MANAGEMENT}'), ('x', 'us-east-1', '{PROD_1}')"
    )
    assert "the INSERT spans 2 accounts: each is listed with its resources for your confirmation" in "\n".join(
        explained.notices
    )
    for account in (MANAGEMENT, PROD_1):
        session.run(
            "INSERT INTO awscc.logs.log_groups (LogGroupName, region, account_id) "
            f"VALUES ('across-accounts', 'us-east-1', '{account}')"
        )
    change = (
        "UPDATE awscc.logs.log_groups SET retention_in_days = 7 WHERE region = 'us-east-1' "
        f"AND account_id IN ('{MANAGEMENT}', '{PROD_1}') AND Identifier = 'across-accounts' RETURNING OperationStatus"
    )
    with pytest.raises(ConfirmationRequired) as refused:
        session.run(change)
    message = refused.value.message
    assert "spans several accounts" in message and "2 accounts" in message
    assert f"account {MANAGEMENT}: 1" in message and f"account {PROD_1}: 1" in message
    asked: list[str] = []
    session.confirm = lambda question: asked.append(question) is None
    (updated,) = session.run(change)
    assert updated.status == "UPDATE 2" and "UPDATE across accounts" in asked[0]
    # Each row says which account it is (a request is only followed in its own account).
    assert updated.columns == ["OperationStatus", "account_id"]
    assert sorted(updated.rows) == [("SUCCESS", MANAGEMENT), ("SUCCESS", PROD_1)]
    (kept,) = session.run(
        "SELECT account_id, retention_in_days FROM awscc.logs.log_groups WHERE region = 'us-east-1' "
        "AND log_group_name = 'across-accounts' ORDER BY 1"
    )
    assert kept.rows == [(MANAGEMENT, 7), (PROD_1, 7)]


# -- one account: nothing changes but account_id -------------------------------------------------------------


def test_one_account_is_filled_by_one_sts_call_per_session(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig()) as sandbox:
        session = Session(Settings(endpoint_url=sandbox.url, region="us-east-1"))
        for _ in range(3):
            (result,) = session.run("SELECT DISTINCT account_id FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
            assert result.rows == [(MANAGEMENT,)]
        (pinned,) = session.run(
            f"SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND account_id = '{MANAGEMENT}'"
        )
        assert pinned.rows[0][0] > 0
        assert calls_to(sandbox, MANAGEMENT, "GetCallerIdentity") == 1
        with pytest.raises(ValidationError, match="account 200000000001 is not one of this session's accounts"):
            session.run(
                "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND account_id = '200000000001'"
            )


# -- profiles ----------------------------------------------------------------------------------------------------


def profiles_config(tmp_path: Path) -> Path:
    """A management profile with keys, and assume-role profiles for member accounts (botocore assumes them)."""
    config = tmp_path / "aws-config"
    sections = ["[profile base]\naws_access_key_id = mgmt\naws_secret_access_key = mgmt\n"]
    for name, account in (("prod-a", PROD_1), ("prod-b", PROD_EU_1), ("dev-x", DEV_1)):
        sections.append(
            f"[profile {name}]\nrole_arn = arn:aws:iam::{account}:role/OrganizationAccountAccessRole\n"
            "source_profile = base\n"
        )
    config.write_text("\n".join(sections))
    return config


@pytest.mark.slow
def test_profiles_by_glob_and_repeated(org: RunningSandbox, tmp_path: Path) -> None:
    env = {"AWS_CONFIG_FILE": str(profiles_config(tmp_path)), "AWS_ENDPOINT_URL_STS": org.url}
    sql = "SELECT account_id, reached FROM awsql.accounts ORDER BY 1"
    globbed = run_cli(org.url, sql, tmp_path, "--profiles", "prod-*", **env)
    assert globbed.returncode == 0, globbed.stderr
    assert globbed.stdout.splitlines()[1:] == [f"{PROD_1},profile prod-a", f"{PROD_EU_1},profile prod-b"]
    repeated = run_cli(
        org.url,
        "SELECT account_id, count(*) FROM awscc.lambda.functions WHERE region = 'us-east-1' GROUP BY 1 ORDER BY 1",
        tmp_path,
        *("--profile", "prod-a", "--profile", "base", "--profile", "dev-x"),
        **env,
    )
    # dev-x's role cannot be assumed: its profile is the account that cannot answer.
    assert repeated.returncode == 4, repeated.stderr
    assert [line.split(",")[0] for line in repeated.stdout.splitlines()[1:]] == [MANAGEMENT, PROD_1]
    # Named by the account its role_arn names, and why: the profile's role could not be assumed.
    assert f"account {DEV_1} could not be read, its rows are missing: the role of profile 'dev-x'" in repeated.stderr
    nothing = run_cli(org.url, sql, tmp_path, "--profiles", "staging-*", **env)
    assert nothing.returncode == 2 and "the profile pattern 'staging-*' matches no configured profile" in nothing.stderr


@pytest.mark.slow
def test_profiles_are_checked_at_once_and_lend_their_common_region(org: RunningSandbox, tmp_path: Path) -> None:
    config = profiles_config(tmp_path)
    config.write_text(
        config.read_text().replace("source_profile = base\n", "source_profile = base\nregion = eu-west-1\n")
    )
    env = {"AWS_CONFIG_FILE": str(config), "AWS_ENDPOINT_URL_STS": org.url}
    typo = run_cli(org.url, "SELECT 1", tmp_path, "--profile", "prod-a", "--profile", "prod_b", **env)
    assert typo.returncode == 2 and "unknown AWS profile 'prod_b' (did you mean 'prod-b'" in typo.stderr
    both = run_cli(
        org.url, "SELECT DISTINCT region FROM awscc.logs.log_groups", tmp_path, "--profiles", "prod-*", **env
    )
    assert both.returncode == 0, both.stderr
    assert both.stdout.splitlines() == ["region", "eu-west-1"]
    assert "using the default region eu-west-1 (the region of every profile given)" in both.stderr


# -- credentials that expire ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_assumed_credentials_are_refreshed_in_a_long_session() -> None:
    with start_sandbox(SandboxConfig(accounts=2, credential_ttl_seconds=3)) as sandbox:
        session = org_session(sandbox.url, cache_enabled=False)
        sql = f"SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND account_id = '{PROD_1}'"
        (first,) = session.run(sql)
        time.sleep(3.5)  # the first credentials have expired by now
        (second,) = session.run(sql)
        assert second.rows == first.rows and not second.warnings
        assert calls_to(sandbox, MANAGEMENT, "AssumeRole") >= 2


@pytest.mark.slow
def test_an_expired_sso_session_says_which_login_to_run(tmp_path: Path) -> None:
    config = tmp_path / "sso-config"
    config.write_text(
        "[profile sso-dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )
    environment = isolated_environment(tmp_path, AWS_CONFIG_FILE=str(config), HOME=str(tmp_path))
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        environment.pop(key)
    run = subprocess.run(
        [*AWSQL, "--profile", "sso-dev", "-e", "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1'"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert run.returncode == 3, run.stderr
    assert "run `aws sso login --profile sso-dev`" in run.stderr and "Traceback" not in run.stderr


def test_several_accounts_keep_their_own_cache_entries(org: RunningSandbox) -> None:
    session = org_session(org.url)
    sql = "SELECT account_id, count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' GROUP BY 1 ORDER BY 1"
    (first,) = session.run(sql)
    (again,) = session.run(sql)
    assert again.rows == first.rows and len(first.rows) == 3
    assert session.gateway.stats.api_calls == 0  # every account answered from its own cache entry
    with pytest.raises(AwsqlError):
        session.run(f"SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND account_id = '{PROD_2}'")


def test_a_failure_alike_in_every_account_is_said_once(org: RunningSandbox) -> None:
    (result,) = org_session(org.url).run(
        "SELECT account_id, count(*) FROM awscc.logs.log_groups WHERE region IN ('us-east-1', 'ap-east-2') GROUP BY 1"
    )
    disabled = [warning for warning in result.warnings if "ap-east-2" in warning]
    assert len(disabled) == 1 and disabled[0].startswith("3 accounts (")  # not one line per account
    assert len(result.rows) == 3


def test_awsql_accounts_filtered_in_a_join_prunes_the_accounts_called(org: RunningSandbox) -> None:
    session = org_session(org.url, cache_enabled=False)
    sql = (
        "SELECT a.name, count(*) FROM awscc.lambda.functions f JOIN awsql.accounts a ON a.account_id = f.account_id "
        f"WHERE f.region = 'us-east-1' AND a.account_id = '{PROD_1}' GROUP BY 1"
    )
    before = {account: calls_to(org, account) for account in (MANAGEMENT, PROD_1, PROD_EU_1)}
    (joined,) = session.run(sql)
    assert joined.rows == [("prod-1", 1)] and not joined.warnings  # dev-1 was never asked for: no warning
    after = {account: calls_to(org, account) for account in (MANAGEMENT, PROD_1, PROD_EU_1)}
    assert after[PROD_1] > before[PROD_1]
    assert after[MANAGEMENT] == before[MANAGEMENT] and after[PROD_EU_1] == before[PROD_EU_1]


def test_awsql_tables_describe_and_refuse_changes() -> None:
    session = Session(Settings(region="us-east-1"))
    (described,) = session.run("DESCRIBE awsql.accounts")
    assert [row[0] for row in described.rows] == ["account_id", "name", "reached", "status", "problem"]
    outcomes = list(session.execute_script("SELECT * FROM awsql.acounts; DELETE FROM awsql.errors;"))
    assert outcomes[0].error is not None and "did you mean 'awsql.accounts'" in outcomes[0].error.message
    assert outcomes[1].error is not None and "one of awsql's own tables, answered by the session: SELECT it" in (
        outcomes[1].error.message
    )


def test_an_account_named_outside_a_derived_table_prunes_its_calls(org: RunningSandbox) -> None:
    session = org_session(org.url, cache_enabled=False)
    before = calls_to(org, MANAGEMENT)
    (narrowed,) = session.run(
        "SELECT t.account_id, count(*) FROM (SELECT account_id, function_name FROM awscc.lambda.functions "
        f"WHERE region = 'us-east-1') t WHERE t.account_id = '{PROD_EU_1}' GROUP BY 1"
    )
    assert [row[0] for row in narrowed.rows] == [PROD_EU_1]
    assert not narrowed.warnings and calls_to(org, MANAGEMENT) == before  # neither dev-1 nor the others asked


def test_accounts_joined_by_name_that_cannot_answer_are_still_said(org: RunningSandbox) -> None:
    (joined,) = org_session(org.url).run(
        "SELECT a.account_id, count(*) FROM awscc.lambda.functions f JOIN awsql.accounts a "
        f"ON a.account_id = f.account_id WHERE f.region = 'us-east-1' AND a.account_id IN ('{PROD_1}', '{DEV_1}') "
        "GROUP BY 1"
    )
    assert [row[0] for row in joined.rows] == [PROD_1]
    assert joined.partial and f"account {DEV_1} could not be read" in joined.warnings[0]  # never silently short


def test_a_role_missing_everywhere_is_one_warning() -> None:
    with start_sandbox(SandboxConfig(accounts=5)) as sandbox:
        (result,) = org_session(sandbox.url, org_role="NoSuchRole").run(
            "SELECT account_id, count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' GROUP BY 1"
        )
    assert [row[0] for row in result.rows] == [MANAGEMENT]
    (warning,) = result.warnings
    assert warning.startswith("4 accounts (200000000001, 200000000002, 200000000003, ...) could not be read")


def test_a_join_to_awsql_accounts_filtered_by_name_reads_only_those_accounts(org: RunningSandbox) -> None:
    session = org_session(org.url, cache_enabled=False)
    before = calls_to(org, MANAGEMENT)
    (joined,) = session.run(
        "SELECT a.name, count(*) FROM awscc.lambda.functions f JOIN awsql.accounts a ON a.account_id = f.account_id "
        "WHERE f.region = 'us-east-1' AND a.name LIKE 'prod%' GROUP BY 1 ORDER BY 1"
    )
    # prod-1 and prod-eu-1 answer; prod-2 is suspended (never called, no warning); dev-1 was not asked for.
    assert [row[0] for row in joined.rows] == ["prod-1", "prod-eu-1"]
    assert not joined.warnings and calls_to(org, MANAGEMENT) == before


def test_a_statement_that_reads_no_table_finds_no_organization() -> None:
    with start_sandbox(SandboxConfig(accounts=3)) as sandbox:
        (one,) = org_session(sandbox.url).run("SELECT 1 AS x")
        assert one.rows == [(1,)]
        assert not [key for key in sandbox.received if key[2] in ("ListAccounts", "AssumeRole")]


@pytest.mark.slow
def test_timing_is_shown_for_a_statement_max_calls_stopped(org: RunningSandbox, tmp_path: Path) -> None:
    sql = "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1'"
    run = run_cli(org.url, sql, tmp_path, "--org", "--max-calls", "5", "--timing")
    assert run.returncode == 1 and "needs more than 5 Cloud Control calls" in run.stderr
    assert "time: " in run.stderr and "API calls: " in run.stderr  # the calls made before it stopped
