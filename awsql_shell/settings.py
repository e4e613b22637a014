"""The one piece of mutable state: what the user asked for on the command line or with meta commands."""

from __future__ import annotations

from dataclasses import dataclass, field

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv", "tsv", "text")
# \x and --expanded: always, never, or when a table does not fit the screen readably (render.render decides).
EXPANDED_MODES = ("on", "off", "auto")
KEY_BINDINGS = ("emacs", "vi")
DEFAULT_CACHE_TTL_SECONDS = 300.0
DEFAULT_MAX_CONCURRENCY = 16
# With several accounts: each (account, region) has its own quota and rate limiter, so the calls in flight,
# not the quotas, bound an Organization's fan-out (80 listings at 50 ms on 16 slots: 2.5 s; on 64: 0.7 s).
DEFAULT_ACCOUNTS_CONCURRENCY = 64
DEFAULT_ORG_ROLE = "OrganizationAccountAccessRole"  # what AWS Organizations creates in accounts it creates
DEFAULT_RATE_LIMIT = 20.0  # Cloud Control calls per second per (credentials, region); 0 = no limit


@dataclass
class Settings:
    profile: str | None = None
    # Where the accounts come from (see gateway.accounts): one profile (``profile``), several (``profiles``,
    # or a glob over the configured ones, ``profiles_glob``), or an Organization (``org``).
    profiles: tuple[str, ...] = ()
    profiles_glob: str | None = None
    org: bool = False
    org_unit: str | None = None
    org_role: str = DEFAULT_ORG_ROLE
    external_id: str | None = None
    region: str | None = None
    region_source: str = "--region"  # how the region above was chosen, for the notice that names it
    endpoint_url: str | None = None
    sandbox: bool = False
    account: str | None = None  # the account id, where awsql knows it without asking STS (the sandbox's)
    output: str | None = None  # None: table on a terminal, csv when piped
    headers: bool = True
    expanded: str | None = None  # \x: "on", "off" or "auto"; None: auto in the shell, off in batch
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
    pager_command: str | None = None  # the config file's; $PAGER wins over it, less -SRXF is the default
    key_bindings: str = "emacs"
    syntax_style: str = "default"  # a Pygments style name, for the shell's highlighting
    config_file: str | None = None  # where the config file (and its named queries) is; None: not read
    variables: dict[str, str] = field(default_factory=dict)
