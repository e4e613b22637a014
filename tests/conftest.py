"""Shared fixtures. Reference data lives beside the repository in ../shared and is read from there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from awsenv import isolated_environment

from awsql_shell.catalog import Catalog, default_catalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user's config file: $AWSQL_CONFIG points into a fresh directory
    (processes started by tests inherit it; ``awsenv.isolated_environment`` sets its own)."""
    path = tmp_path_factory.mktemp("config") / "config"
    monkeypatch.setenv("AWSQL_CONFIG", str(path))
    return path


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference data not found at {SHARED}")
    return SHARED


@pytest.fixture
def dummy_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """This process sees only throwaway credentials and no AWS config: real accounts stay out of tests."""
    isolated = isolated_environment(tmp_path_factory.getbasetemp())
    for name in [k for k in os.environ if k.startswith(("AWS", "AWSQL"))]:
        monkeypatch.delenv(name)
    for name, value in isolated.items():
        if name.startswith(("AWS", "AWSQL")):
            monkeypatch.setenv(name, value)
