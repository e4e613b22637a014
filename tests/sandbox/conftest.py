"""Sandboxes served in-process on free ports, and plain boto3 clients pointed at them with dummy credentials."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
FAST = {"request_delay_ms": 30}  # mutations stay IN_PROGRESS briefly, so waiting tests stay quick
NO_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1})

ClientFactory = Callable[..., Any]


def make_client(url: str, region: str = "us-east-1", config: Config | None = None) -> Any:
    return boto3.client("cloudcontrol", endpoint_url=url, region_name=region, config=config, **DUMMY_CREDENTIALS)


def aws_client(
    service: str,
    url: str,
    credentials: dict[str, str] | None = None,
    region: str = "us-east-1",
    config: Config | None = None,
) -> Any:
    """A plain boto3 client of any service on a sandbox, with the caller's own (dummy) keys or others."""
    return boto3.client(
        service, endpoint_url=url, region_name=region, config=config, **(credentials or DUMMY_CREDENTIALS)
    )


def assume_role(url: str, account: str, role: str = "OrganizationAccountAccessRole", **params: Any) -> dict[str, str]:
    """Credentials for ``role`` in ``account``, from AssumeRole with the caller's own keys, as client kwargs."""
    issued = aws_client("sts", url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName=params.pop("session", "tests"), **params
    )["Credentials"]
    return {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }


@pytest.fixture(autouse=True)
def _no_aws_profile(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A developer's ~/.aws must not change what these tests see."""
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    empty.touch()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox with the default fixtures per test module: tests that change it use names of their own."""
    with start_sandbox(SandboxConfig(**FAST)) as running:
        yield running


@pytest.fixture(scope="module")
def sandbox_url(sandbox: RunningSandbox) -> str:
    return sandbox.url


@pytest.fixture
def client(sandbox_url: str) -> Any:
    """A cloudcontrol client for us-east-1 on the module's sandbox."""
    return make_client(sandbox_url)


@pytest.fixture
def client_for(sandbox_url: str) -> ClientFactory:
    """Clients for other regions or botocore configs on the module's sandbox."""

    def build(region: str = "us-east-1", config: Config | None = None) -> Any:
        return make_client(sandbox_url, region, config)

    return build


@pytest.fixture
def connect() -> ClientFactory:
    """``connect(url, region="us-east-1", config=None)``: a client for a sandbox started by the test."""
    return make_client


@pytest.fixture
def start() -> Iterator[Callable[..., RunningSandbox]]:
    """Start sandboxes of one's own (``start(throttle_rate=1.0)``); all are stopped after the test."""
    started: list[RunningSandbox] = []

    def launch(**settings: Any) -> RunningSandbox:
        running = start_sandbox(SandboxConfig(**{**FAST, **settings}))
        started.append(running)
        return running

    yield launch
    for running in started:
        running.stop()


@pytest.fixture
def aws() -> ClientFactory:
    """``aws(service, url, credentials=None, region="us-east-1", config=None)``: any boto3 client on a sandbox."""
    return aws_client


@pytest.fixture
def assume() -> ClientFactory:
    """``assume(url, account, role=OrganizationAccountAccessRole, **AssumeRole params)``: credentials as kwargs."""
    return assume_role
