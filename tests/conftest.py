"""Shared fixtures. Reference data lives beside the repository in ../shared and is read from there."""

from __future__ import annotations

from pathlib import Path

import pytest

from awsql_shell.catalog import Catalog, default_catalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference data not found at {SHARED}")
    return SHARED
