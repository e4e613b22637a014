"""AWS regions known to awsql, so that a mistyped region is an error before any call, and the
session's default region, found the way the AWS CLI finds it (without importing botocore).

A fixed list rather than botocore's endpoint data: reading that costs a botocore import, and
metadata statements and EXPLAIN must stay offline and fast. Extend it when AWS opens a region.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from awsql_shell.errors import ValidationError, did_you_mean

REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
)


def is_region(name: str) -> bool:
    return name in REGIONS


def check_region(name: str) -> str:
    """``name`` when it is a region; else the one "unknown region" error, with a case-blind did-you-mean.
    Callers place it (``.at(position)``) or turn it into their own kind of error (a usage error)."""
    if is_region(name):
        return name
    raise ValidationError(f"unknown region '{name}'{did_you_mean(name, REGIONS, key=str.lower)}")


@dataclass(frozen=True)
class DefaultRegion:
    """The session's region when a statement names none, and where it came from (for the notice)."""

    name: str | None
    source: str = ""

    def required(self, subject: str, how: str) -> str:
        """The region, or the error that says every way to give one (``how`` names the statement's own)."""
        if self.name is None:
            raise ValidationError(
                f"no region for {subject}: {how}, pass --region, or set AWS_REGION / a region in your AWS profile"
            )
        return self.name

    def notice(self, statement: str = "") -> str:
        """What a statement that named no region is told: which region it used, and why that one."""
        where = "no region column" if statement == "INSERT" else "no region in WHERE"
        return f"{where}; using the default region {self.name} ({self.source})"


def default_region(
    explicit: str | None,
    profile: str | None,
    environ: Mapping[str, str] = os.environ,
    explicit_source: str = "--region",
) -> DefaultRegion:
    if explicit:
        return DefaultRegion(explicit, explicit_source)
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
