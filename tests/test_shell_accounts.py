"""The shell's ``\\accounts`` and the toolbar's count (issue 12), typed through prompt_toolkit's pipe input at a
shell on the sandbox's Organization: four accounts, one of which (200000000002) refuses the role. Each test
asserts what a user sees: the tables, the one-line answers and errors, the warning, the toolbar."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shellenv import quiet_shell

from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.settings import Settings
from awsql_shell.shell.batch import Batch
from awsql_shell.shell.repl import Shell

pytestmark = [pytest.mark.usefixtures("dummy_credentials"), pytest.mark.timeout(60)]
CTRL_D = "\x04"
MANAGEMENT, PROD_1, DEV_1, PROD_EU_1 = "123456789012", "200000000001", "200000000002", "200000000003"
COUNT_PER_ACCOUNT = "SELECT account_id, count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1' GROUP BY 1;"
DISCOVERY = ("GetCallerIdentity", "ListAccounts", "AssumeRole")


@pytest.fixture(scope="module")
def org() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(accounts=4, deny_assume=DEV_1)) as running:
        yield running


@pytest.fixture(autouse=True)
def private_history(dummy_credentials: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWSQL_HISTORY", str(tmp_path / "history"))


@dataclass
class Typed:
    out: str
    err: str
    toolbar: str  # the bottom toolbar as the next prompt would show it


def typed(url: str, keys: str, **settings: object) -> Typed:
    """Type ``keys`` at a shell on the sandbox at ``url``, then Ctrl-D."""
    out, err = io.StringIO(), io.StringIO()
    chosen = Settings(color=False, endpoint_url=url, region="us-east-1", **settings)  # type: ignore[arg-type]
    with create_pipe_input() as pipe:
        pipe.send_text(keys + CTRL_D)
        shell = Shell(
            chosen, terminal_input=pipe, terminal_output=DummyOutput(), stdout=out, stderr=err, environ=os.environ
        )
        shell.run()
    return Typed(out.getvalue(), err.getvalue(), toolbar_of(shell))


def toolbar_of(shell: Shell) -> str:
    toolbar = shell.prompt.bottom_toolbar
    assert callable(toolbar)
    return str(toolbar())


def table_rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("│")] for line in text.splitlines() if "│" in line]


def discovery_calls(sandbox: RunningSandbox) -> int:
    return sum(n for (_, _, operation), n in sandbox.received.items() if operation in DISCOVERY)


# -- \accounts, then \accounts org ------------------------------------------------------------------------


def test_accounts_lists_one_then_org_switches_to_the_organization(org: RunningSandbox) -> None:
    run = typed(
        org.url,
        "\\accounts\n" + "\\accounts org\n" + COUNT_PER_ACCOUNT + "\n" + "\\accounts nosuch-*\n" + "\\accounts\n",
    )
    first, listed = run.out.split("accounts: 3 of 4 reachable (the Organization); \\accounts shows why\n")
    # One account to begin with: the session's own, its id asked of STS.
    header = ["account_id", "name", "reached", "status", "problem"]
    assert table_rows(first) == [header, [MANAGEMENT, "NULL", org.url, "ACTIVE", "NULL"]]
    assert "1 row in " in first
    # The statement after the switch reads the three accounts that answer, and warns of the fourth.
    counted = listed.split("3 rows in ")[0]
    assert [row[0] for row in table_rows(counted)[1:]] == [MANAGEMENT, PROD_1, PROD_EU_1]
    warning = f"WARNING: account {DEV_1} could not be read, its rows are missing: AssumeRole failed: AccessDenied"
    assert warning in run.err
    # A pattern no profile matches: one line on stderr, and the Organization stays.
    errors = [line for line in run.err.splitlines() if line.startswith("ERROR")]
    assert errors == ["ERROR: the profile pattern 'nosuch-*' matches no configured profile (configured: none)"]
    # The listing (expanded when the problem's words do not fit the screen) has all four in order.
    after = listed.split("3 rows in ", 1)[1]
    assert list(dict.fromkeys(re.findall(r"\b\d{12}\b", after))) == [MANAGEMENT, PROD_1, DEV_1, PROD_EU_1]
    assert "4 rows in " in listed
    assert run.toolbar.count("accounts 4 (3 reachable)") == 1


def test_accounts_one_goes_back_to_the_session_profile(org: RunningSandbox) -> None:
    run = typed(org.url, "\\accounts org\n\\accounts one\n" + COUNT_PER_ACCOUNT + "\n")
    assert f"accounts: 1 (the one of {org.url})\n" in run.out
    assert [row[0] for row in table_rows(run.out)[1:]] == [MANAGEMENT]
    assert run.err == ""
    assert "accounts" not in run.toolbar  # one account: no count


# -- the toolbar -------------------------------------------------------------------------------------------


def test_the_toolbar_counts_accounts_only_once_found_and_never_calls_aws(org: RunningSandbox) -> None:
    before = discovery_calls(org)
    out, err = io.StringIO(), io.StringIO()
    settings = Settings(color=False, endpoint_url=org.url, region="us-east-1", org=True)
    with create_pipe_input() as pipe:
        shell = Shell(
            settings, terminal_input=pipe, terminal_output=DummyOutput(), stdout=out, stderr=err, environ=os.environ
        )
        for _ in range(3):
            assert "accounts" not in toolbar_of(shell)
        assert discovery_calls(org) == before  # the toolbar found no accounts: it asked nothing
        pipe.send_text(COUNT_PER_ACCOUNT + "\n" + CTRL_D)
        shell.run()
    toolbar = toolbar_of(shell)
    assert f" endpoint {org.url} | accounts 4 (3 reachable) | region us-east-1 |" in toolbar
    assert len(table_rows(out.getvalue())) == 4  # header and three accounts


# -- profiles -----------------------------------------------------------------------------------------------


@pytest.fixture
def member_profiles(org: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile with the management account's keys, and assume-role profiles into three members."""
    config = tmp_path / "aws-config"
    sections = ["[profile base]\naws_access_key_id = mgmt\naws_secret_access_key = mgmt\n"]
    for name, account in (("prod-a", PROD_1), ("prod-b", PROD_EU_1), ("dev-x", DEV_1)):
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        sections.append(f"[profile {name}]\nrole_arn = {role}\nsource_profile = base\n")
    config.write_text("\n".join(sections))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", org.url)


@pytest.mark.usefixtures("member_profiles")
def test_accounts_by_glob_and_by_names(org: RunningSandbox) -> None:
    run = typed(
        org.url,
        "\\accounts prod-*\n"
        "SELECT account_id, reached FROM awsql.accounts;\n"
        "\\accounts prod-a dev-x\n"
        "\\accounts prod-c\n"
        "\\accounts 'prod-*' 'dev-?'\n",
    )
    assert "accounts: 2 of 2 reachable (profiles matching 'prod-*')\n" in run.out
    assert table_rows(run.out)[1:3] == [[PROD_1, "profile prod-a"], [PROD_EU_1, "profile prod-b"]]
    assert "accounts: 1 of 2 reachable (profiles prod-a, dev-x); \\accounts shows why\n" in run.out
    assert run.err.splitlines() == [
        "ERROR: unknown AWS profile 'prod-c' (did you mean 'prod-b' or 'prod-a'?)",
        "ERROR: \\accounts takes one pattern at a time, not 2: prod-* dev-?",
    ]
    assert "accounts 2 (1 reachable)" in run.toolbar  # prod-a and dev-x: the last set that was found


# -- in scripts, and completion -------------------------------------------------------------------------------


def test_a_script_may_switch_accounts(org: RunningSandbox) -> None:
    out, err = io.StringIO(), io.StringIO()
    settings = Settings(color=False, endpoint_url=org.url, region="us-east-1", output="csv")
    script = "\\accounts org\nSELECT count(*) AS n FROM awsql.accounts;\n\\accounts no-such-*\nSELECT 1 AS never;\n"
    code = Batch(settings, out, err, os.environ).run([script])
    assert out.getvalue().splitlines() == ["n", "4"]  # results alone on stdout
    assert err.getvalue().splitlines() == [
        "accounts: 3 of 4 reachable (the Organization); \\accounts shows why",
        "ERROR: the profile pattern 'no-such-*' matches no configured profile (configured: none)",
    ]
    assert code == 2  # the failed \accounts stops the script, as any usage error does


def test_completion_offers_org_one_and_the_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile prod-a]\nregion = us-east-1\n\n[profile dev-x]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    shell = quiet_shell()
    assert "\\accounts" in [c.text for c in shell.completer.completions("\\acc")]
    assert {"org", "one", "prod-a", "dev-x"} <= {c.text for c in shell.completer.completions("\\accounts ")}
    second = {c.text for c in shell.completer.completions("\\accounts prod-a ")}
    assert "dev-x" in second and "org" not in second  # org and one stand alone


@pytest.mark.usefixtures("member_profiles")
def test_profile_switches_the_account_after_a_statement_has_run(org: RunningSandbox) -> None:
    run = typed(org.url, COUNT_PER_ACCOUNT + "\n\\profile prod-a\n" + COUNT_PER_ACCOUNT + "\n", profile="base")
    assert [row[0] for row in table_rows(run.out) if row[0] != "account_id"] == [MANAGEMENT, PROD_1]
    assert "Profile is prod-a." in run.out and run.err == ""


@pytest.mark.usefixtures("member_profiles")
def test_profile_lists_the_organization_again_or_stays(org: RunningSandbox) -> None:
    keys = "\\accounts org\n\\profile prod-a\n\\profile\n\\accounts prod-*\n\\profile dev-x\n"
    run = typed(org.url, keys, profile="base")
    (error,) = run.err.splitlines()  # a member cannot list the Organization: base stays, and its accounts
    assert error.startswith("ERROR: listing the Organization needs its management account or a delegated administrator")
    assert "Profile base, and role OrganizationAccountAccessRole in every account of its Organization.\n" in run.out
    assert (
        "Profile is dev-x. The accounts still come from their own profiles (\\accounts one: this profile alone)."
        in run.out
    )


def test_accounts_org_takes_an_ou_and_says_it(org: RunningSandbox) -> None:
    import boto3

    client = boto3.client("organizations", endpoint_url=org.url, region_name="us-east-1")
    root = client.list_roots()["Roots"][0]["Id"]
    units = client.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    prod = next(unit["Id"] for unit in units if unit["Name"] == "prod")
    run = typed(org.url, f"\\accounts org {prod}\n\\accounts org\n\\accounts org nope\n")
    # prod holds prod-1, and prod-eu-1 in the OU under it; a plain "org" keeps the OU, and says so.
    assert run.out.count(f"accounts: 2 of 2 reachable (the Organization under {prod})") == 2
    assert "ERROR: an OU is named by its id, such as ou-ab12-cdef3456 (or a root, r-ab12), not 'nope'" in run.err
