"""Environments that keep tests away from a developer's real AWS setup: throwaway credentials, empty
config files, no instance metadata lookups."""

from __future__ import annotations

import os
from pathlib import Path

DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def isolated_environment(directory: Path, **extra: str) -> dict[str, str]:
    """``os.environ`` without AWS and awsql settings, plus dummy credentials, for a subprocess."""
    empty = directory / "no-aws-config"
    empty.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "AWSQL"))}
    env.update(
        DUMMY_CREDENTIALS,
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        # Never the user's own config file (it may set a format, a region...); none exists here.
        AWSQL_CONFIG=str(directory / "no-awsql-config" / "config"),
    )
    env.update(extra)
    return env
