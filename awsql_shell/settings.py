"""The one piece of mutable state: what the user asked for on the command line or with meta commands."""

from __future__ import annotations

from dataclasses import dataclass, field

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv", "tsv", "text")
DEFAULT_CACHE_TTL_SECONDS = 300.0
DEFAULT_MAX_CONCURRENCY = 16
DEFAULT_RATE_LIMIT = 20.0  # Cloud Control calls per second per (credentials, region); 0 = no limit


@dataclass
class Settings:
    profile: str | None = None
    region: str | None = None
    region_source: str = "--region"  # how the region above was chosen, for the notice that names it
    endpoint_url: str | None = None
    sandbox: bool = False
    account: str | None = None  # the account id, where awsql knows it without asking STS (the sandbox's)
    output: str | None = None  # None: table on a terminal, csv when piped
    headers: bool = True
    expanded: bool = False  # \x: one field per line
    read_only: bool = False
    assume_yes: bool = False
    no_wait: bool = False
    cache_enabled: bool = True
    cache_ttl: float = DEFAULT_CACHE_TTL_SECONDS
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    rate_limit: float = DEFAULT_RATE_LIMIT
    max_calls: int | None = None  # Cloud Control calls one statement may make; None: no limit
    continue_on_error: bool = False
    timing: bool = False
    color: bool = True  # False under NO_COLOR
    pager: bool = True
    variables: dict[str, str] = field(default_factory=dict)
