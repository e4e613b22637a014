"""The session's default region, found the way the AWS CLI finds it, without importing botocore."""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from pathlib import Path

from awsql_shell.planner.select import DefaultRegion


def default_region(explicit: str | None, profile: str | None, environ: Mapping[str, str] = os.environ) -> DefaultRegion:
    if explicit:
        return DefaultRegion(explicit, "--region")
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(variable):
            return DefaultRegion(environ[variable], variable)
    profile = profile or environ.get("AWS_PROFILE") or "default"
    config_file = Path(environ.get("AWS_CONFIG_FILE") or Path.home() / ".aws" / "config")
    parser = configparser.RawConfigParser()
    try:
        parser.read(config_file)
    except (OSError, configparser.Error):
        return DefaultRegion(None)
    section = profile if profile == "default" else f"profile {profile}"
    if parser.has_option(section, "region"):
        return DefaultRegion(parser.get(section, "region"), f"profile {profile}")
    return DefaultRegion(None)
