"""``python -m awsql_shell.sandbox``: serve the sandbox until interrupted.

The first line on stdout is ``listening on http://127.0.0.1:PORT``, so a script can start it with
``--port 0`` and read where it went. ``AWSQL_SANDBOX_*`` variables give defaults; flags win. Every flag
maps to one ``SandboxConfig`` field, which validates it; list flags may be repeated or comma-separated.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from awsql_shell.errors import EXIT_OK, EXIT_USAGE, AwsqlError
from awsql_shell.sandbox.config import FIXTURE_SETS, HANDLER_OPERATIONS, READ_FAILURE_CODES, SandboxConfig
from awsql_shell.sandbox.server import start_sandbox

# repeatable flags, joined by commas
LISTS = (
    "fail_region",
    "disabled_region",
    "deny",
    "read_failure_ids",
    "delegated_admin",
    "deny_assume",
    "suspended",
    "account_rate_limit",
)


def _default(name: str, none: str = "") -> str:
    """A field's default for a flag's help, so that the help says what a run without the flag does."""
    value = getattr(SandboxConfig(), name)
    if isinstance(value, bool):
        return "default: on" if value else "default: off"
    return f"default: {none if value is None else value}"


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m awsql_shell.sandbox",
        description="A local AWS Cloud Control, STS and Organizations endpoint (sample account 123456789012).",
    )
    parse.add_argument("--host", help="loopback address to bind (default 127.0.0.1)")
    parse.add_argument("--port", type=int, help="port (default 0: any free port)")
    parse.add_argument("--state", dest="state_path", type=Path, metavar="FILE", help="keep resources in FILE")
    parse.add_argument("--fixtures", choices=FIXTURE_SETS, help="sample resources to start with (default: default)")
    parse.add_argument("--fixture-scale", type=int, metavar="N", help="multiply the sample resources by N")
    parse.add_argument("--seed", type=int, metavar="S", help="seed for every random draw (default 0)")
    parse.add_argument("--request-delay-ms", type=int, metavar="N", help="how long mutations stay IN_PROGRESS")
    parse.add_argument("--verbose", dest="log_requests", action="store_true", default=None, help="log every call")

    org = parse.add_argument_group("accounts (2 or more: an AWS Organization, the sample account its management)")
    org.add_argument(
        "--accounts", type=int, metavar="N", help="how many accounts (default 1: the sample account alone)"
    )
    org.add_argument(
        "--org-role",
        metavar="ROLE",
        help=f"the role each member account has for the management ({_default('org_role')})",
    )
    org.add_argument(
        "--external-id", metavar="ID", help="the sts:ExternalId that role's trust requires (default: none)"
    )
    org.add_argument(
        "--credential-ttl-seconds",
        type=int,
        metavar="N",
        help=f"assumed credentials last at most N seconds ({_default('credential_ttl_seconds')})",
    )
    org.add_argument(
        "--delegated-admin",
        action="append",
        metavar="ACCOUNT",
        help="a member account that may read the Organization like the management account",
    )

    aws = parse.add_argument_group("AWS behaviour (by default as AWS does it, but for what awsql awaits)")
    switch = argparse.BooleanOptionalAction
    aws.add_argument(
        "--account-wide-lists",
        action=switch,
        help=f"S3 lists every region's buckets; reads answer at home only ({_default('account_wide_lists')})",
    )
    aws.add_argument(
        "--page-size",
        type=int,
        metavar="N",
        help=f"every list page holds N; 0: each type's own ({_default('page_size', 'per type')})",
    )
    aws.add_argument(
        "--honor-max-results", action=switch, help=f"obey MaxResults of ListResources ({_default('honor_max_results')})"
    )
    aws.add_argument("--full-model-lists", metavar="TYPES", help="types whose list returns whole models, or 'none'")
    aws.add_argument(
        "--not-found-by-type",
        action=switch,
        help=f"each type's own not-found error, LogGroup's ({_default('not_found_by_type')})",
    )
    aws.add_argument("--missing-parent-not-found", action=switch, help="a list under a missing parent fails")
    aws.add_argument("--write-only-patches", action=switch, help="patches may only 'add' write-only properties")
    aws.add_argument("--sparse-events", action=switch, help="progress events carry only what AWS sends")
    aws.add_argument("--rate-limit", type=float, metavar="N", help="requests/s per region (default 25; 0: off)")
    aws.add_argument("--rate-burst", type=int, metavar="N", help="requests the rate limit lets through at once")
    aws.add_argument(
        "--disabled-region",
        action="append",
        metavar="R",
        help="regions the account has not enabled (default: opt-in and other partitions; 'none')",
    )

    faults = parse.add_argument_group("faults (off by default)")
    faults.add_argument("--latency-ms", type=int, metavar="N", help="answer reads and mutations after N ms")
    faults.add_argument("--list-latency-ms", type=int, metavar="N", help="answer list pages after N ms (default 3x)")
    faults.add_argument("--throttle-rate", type=float, metavar="P", help="ThrottlingException with probability P")
    faults.add_argument(
        "--read-throttle-rate", type=float, metavar="P", help="reads fail 'Rate exceeded' (GeneralServiceException)"
    )
    faults.add_argument(
        "--mutation-throttle-rate", type=float, metavar="P", help="mutations end FAILED with ErrorCode Throttling"
    )
    faults.add_argument(
        "--mutation-failure-rate", type=float, metavar="P", help="mutations end FAILED, InternalFailure, no message"
    )
    faults.add_argument("--read-failure-rate", type=float, metavar="P", help="this fraction of resources fails reads")
    faults.add_argument(
        "--read-failure-id", dest="read_failure_ids", action="append", metavar="ID", help="this resource fails reads"
    )
    faults.add_argument("--read-failure-code", choices=READ_FAILURE_CODES, help="the error of a failing read")
    faults.add_argument("--fail-region", action="append", metavar="R", help="fail every call to region R with 503")
    faults.add_argument(
        "--deny",
        action="append",
        metavar="TYPE[:OP]",
        help=f"AccessDenied for TYPE (or only its OP: {', '.join(HANDLER_OPERATIONS)})",
    )
    faults.add_argument(
        "--consistency-delay-ms", type=int, metavar="N", help="created resources stay invisible for N ms"
    )
    faults.add_argument(
        "--deny-assume", action="append", metavar="ACCOUNT", help="AssumeRole into ACCOUNT answers AccessDenied"
    )
    faults.add_argument(
        "--suspended", action="append", metavar="ACCOUNT", help="member ACCOUNT is closed: SUSPENDED, not enterable"
    )
    faults.add_argument(
        "--account-rate-limit",
        action="append",
        metavar="ACCOUNT=N",
        help="ACCOUNT's requests/s per region instead of --rate-limit",
    )
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    flags: dict[str, Any] = {k: v for k, v in vars(parser().parse_args(argv)).items() if v is not None}
    for name in LISTS:
        if name in flags:
            flags[name] = ",".join(flags[name])
    try:
        sandbox = start_sandbox(SandboxConfig.from_env(**flags))
    except AwsqlError as error:
        print(f"awsql sandbox: {error}", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    # Handlers first: whoever reads the first line may signal at once.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"listening on {sandbox.url}", flush=True)
    while not stop.wait(0.5):
        pass
    sandbox.stop()
    print("awsql sandbox: stopped", file=sys.stderr, flush=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
