"""The ``awsql`` command: batch mode for pipes and scripts, or the shell on a terminal.

Results go to stdout; notices, warnings, progress and errors go to stderr. Exit codes follow
dialect section 4: 0 ok, 1 statement error, 2 usage, 3 credentials, 4 partial result, 130 interrupted.

Settings come from flags, else the environment, else the config file (``config.py``), else the defaults:
options that the file may also set default to None here, so that "not given" can be told apart. Batch
mode itself (scripts with meta commands) is ``shell/batch.py``: it shares the shell's registry.
"""

from __future__ import annotations

import argparse
import errno
import io
import os
import re
import sys
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from awsql_shell import __version__
from awsql_shell.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STATEMENT,
    EXIT_USAGE,
    AwsqlError,
    UsageError,
    describe,
    was_interrupted,
)
from awsql_shell.settings import (
    DEFAULT_ACCOUNTS_CONCURRENCY,
    DEFAULT_CACHE_TTL_SECONDS,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_ORG_ROLE,
    DEFAULT_RATE_LIMIT,
    EXPANDED_MODES,
    OUTPUT_FORMATS,
    Settings,
)

if TYPE_CHECKING:
    from awsql_shell.config import ConfigFile

SANDBOX_REGION = "us-east-1"
_ORG_REFINEMENTS = {"--org-ou": "org_ou", "--org-role": "org_role", "--external-id": "external_id"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="awsql",
        description="A SQL shell for AWS, answered by the Cloud Control API. "
        "With no -e/-f and a terminal on stdin, opens the interactive shell; otherwise runs SQL in batch.",
    )
    source = parser.add_argument_group("what to run")
    # Both land in one list, so -e and -f run in the order they were given.
    source.add_argument(
        "-e", "--execute", dest="sources", action=_Tagged, metavar="SQL", help="run these statements (repeatable)"
    )
    source.add_argument(
        "-f", "--file", dest="sources", action=_Tagged, metavar="FILE", help="run the statements in FILE (- = stdin)"
    )
    aws = parser.add_argument_group("where")
    aws.add_argument(
        "--profile",
        action="append",
        default=[],
        help="AWS profile (default: AWS_PROFILE or 'default'); give it again for one account per profile",
    )
    aws.add_argument("--region", type=_region, help="default region for statements that name none")
    aws.add_argument("--endpoint-url", type=_endpoint_url, help="send every Cloud Control call to this endpoint")
    aws.add_argument("--sandbox", action="store_true", help="run against a local Cloud Control emulator")
    accounts = parser.add_argument_group("many accounts (each row has account_id)")
    accounts.add_argument("--profiles", metavar="GLOB", help="one account per configured profile matching GLOB")
    accounts.add_argument(
        "--org",
        action="store_true",
        help="every active account of the AWS Organization of these credentials (management or delegated admin)",
    )
    accounts.add_argument("--org-ou", metavar="OU", help="with --org: only the accounts under this OU (ou-...)")
    accounts.add_argument(
        "--org-role",
        metavar="ROLE",
        help=f"with --org: the role assumed in each account (default: {DEFAULT_ORG_ROLE})",
    )
    accounts.add_argument("--external-id", metavar="ID", help="with --org: the sts:ExternalId the role's trust needs")
    out = parser.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        type=_output_format,
        metavar="{" + ",".join(OUTPUT_FORMATS) + "}",
        help="default: table on a terminal, csv when piped",
    )
    out.add_argument(
        "--expanded",
        choices=EXPANDED_MODES,
        help="one field per line: on, off, or auto when a table does not fit (default: auto in the shell, off "
        "in batch)",
    )
    out.add_argument("-H", "--no-headers", action="store_true", help="omit the header row")
    out.add_argument("--timing", action="store_true", help="print time, API calls, cache hits and retries to stderr")
    run = parser.add_argument_group("behaviour")
    run.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="define {{ NAME }}")
    run.add_argument("--vars-file", metavar="FILE", help="variables from a JSON or YAML file")
    run.add_argument("--read-only", action="store_true", help="refuse every mutation")
    run.add_argument("--yes", action="store_true", help="confirm mutations that do not name their Identifier")
    run.add_argument("--no-wait", action="store_true", help="return mutation request tokens without awaiting them")
    run.add_argument("--no-cache", action="store_true", help="do not reuse results within the session")
    run.add_argument(
        "--max-concurrency",
        type=_positive_int,
        metavar="N",
        help=f"Cloud Control calls in flight at most (default {DEFAULT_MAX_CONCURRENCY}, with several accounts "
        f"{DEFAULT_ACCOUNTS_CONCURRENCY})",
    )
    run.add_argument(
        "--max-calls",
        type=_positive_int,
        metavar="N",
        help="stop a statement that would make more than N Cloud Control calls (default: no limit)",
    )
    run.add_argument(
        "--rate-limit",
        type=_rate,
        metavar="N",
        help=f"Cloud Control calls per second per region at most, adapting when throttled (default "
        f"{DEFAULT_RATE_LIMIT:g}; 0 = no limit)",
    )
    run.add_argument("--continue-on-error", action="store_true", help="run every statement even after a failure")
    run.add_argument(
        "--config",
        metavar="FILE",
        help="the config file (default: $AWSQL_CONFIG, else config in the user's config directory)",
    )
    parser.add_argument("--version", action="version", version=f"awsql {__version__}")
    return parser


class _Tagged(argparse.Action):
    """Append ``(option, value)`` to a list shared by several options."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        sources = list(getattr(namespace, self.dest, None) or [])
        sources.append((self.option_strings[-1], values))
        setattr(namespace, self.dest, sources)


def _positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)


def _endpoint_url(text: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (reading it checks the port)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"'{text}' is not a URL: expected http(s)://host[:port], as the AWS CLI takes")
    return text


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0 <= rate < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of calls per second (0 for no limit), got '{text}'")
    return rate


def _region(text: str) -> str:
    from awsql_shell.catalog.regions import check_region

    try:
        return check_region(text)
    except AwsqlError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _output_format(text: str) -> str:
    from awsql_shell.render import output_format

    try:
        return output_format(text)
    except AwsqlError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def settings_from(args: argparse.Namespace, environ: Mapping[str, str], config: ConfigFile | None = None) -> Settings:
    """Flags, else the environment, else the config file, else the defaults (``config.Layers``)."""
    from awsql_shell.config import ConfigFile, Layers
    from awsql_shell.sql.variables import load_vars_file, parse_var_option

    if args.sandbox and args.endpoint_url:
        raise UsageError("--sandbox serves its own endpoint: give --sandbox or --endpoint-url, not both")
    profiles = tuple(dict.fromkeys(args.profile))
    if args.org and (len(profiles) > 1 or args.profiles):
        raise UsageError(
            "--org cannot be combined with several profiles: it reaches the accounts from one profile's "
            "credentials (give --profile once, or leave --org out)"
        )
    if len(profiles) > 1:  # checked before any statement, as the AWS CLI checks its --profile
        from awsql_shell.gateway.accounts import check_profiles, configured_profiles

        check_profiles(profiles, configured_profiles())
    refining = next((flag for flag, given in _ORG_REFINEMENTS.items() if getattr(args, given)), None)
    if refining and not args.org:
        raise UsageError(f"{refining} refines --org: add --org")
    org_role = args.org_role or DEFAULT_ORG_ROLE
    from awsql_shell.catalog.aws_behaviour import IAM_ROLE_NAME, IAM_ROLE_PATH

    if not re.fullmatch(IAM_ROLE_PATH + IAM_ROLE_NAME, org_role):
        raise UsageError(
            f"--org-role takes a role name such as OrganizationAccountAccessRole (a path allowed: "
            f"audit/Reader), not '{org_role}'"
        )
    if args.org_ou:
        from awsql_shell.gateway.accounts import check_org_unit

        try:
            check_org_unit(args.org_ou)
        except UsageError as exc:
            raise UsageError(f"--org-ou: {exc.message}") from None
    variables: dict[str, str] = {}
    if args.vars_file:
        variables.update(load_vars_file(args.vars_file))
    for item in args.var:
        name, value = parse_var_option(item)
        variables[name] = value
    layers = Layers(config or ConfigFile(Path(os.devnull)), environ)
    region = layers.pick("region", args.region, None, environment=("AWS_REGION", "AWS_DEFAULT_REGION"))
    return Settings(
        profile=profiles[0] if len(profiles) == 1 else None,
        profiles=profiles if len(profiles) > 1 or args.profiles else (),
        profiles_glob=args.profiles,
        org=args.org,
        org_unit=args.org_ou,
        org_role=org_role,
        external_id=args.external_id,
        region=region,
        region_source="--region" if args.region or config is None else f"the config file {config.path}",
        endpoint_url=args.endpoint_url,
        sandbox=args.sandbox,
        output=layers.pick("output", args.output, None),
        expanded=layers.pick("expanded", args.expanded, None),
        headers=not args.no_headers,
        read_only=args.read_only,
        assume_yes=args.yes or not layers.pick("confirm_destructive", None, True),
        no_wait=args.no_wait,
        cache_enabled=not args.no_cache,
        cache_ttl=layers.pick("cache_ttl", None, DEFAULT_CACHE_TTL_SECONDS),
        max_concurrency=layers.pick(
            "max_concurrency",
            args.max_concurrency,
            DEFAULT_ACCOUNTS_CONCURRENCY if args.org or len(profiles) > 1 or args.profiles else DEFAULT_MAX_CONCURRENCY,
        ),
        rate_limit=layers.pick("rate_limit", args.rate_limit, DEFAULT_RATE_LIMIT),
        max_calls=args.max_calls,
        continue_on_error=args.continue_on_error,
        timing=args.timing or layers.pick("timing", None, False),
        color=not environ.get("NO_COLOR"),
        pager=layers.pick("pager", None, True),
        pager_command=layers.pick("pager_command", None, None),
        key_bindings=layers.pick("key_bindings", None, "emacs"),
        syntax_style=layers.pick("syntax_style", None, "default"),
        config_file=str(config.path) if config is not None else None,
        variables=variables,
    )


def read_stdin(stdin: TextIO | None) -> str:
    """Standard input as a script: read as bytes, so that text that is not UTF-8 is a usage error and a
    byte-order mark is dropped, as for -f files."""
    if stdin is None:
        return ""
    raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read standard input: not UTF-8 text (byte {exc.start})") from None


def read_sources(args: argparse.Namespace, stdin: TextIO | None) -> list[str]:
    scripts: list[str] = []
    for option, value in args.sources or []:
        if option == "--execute":
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:  # bytes the shell passed that are not UTF-8 (surrogate escapes)
                raise UsageError(f"-e: the SQL is not UTF-8 text (character {exc.start + 1})") from None
            scripts.append(value.removeprefix("\ufeff"))
            continue
        name = value
        if name == "-":
            scripts.append(read_stdin(stdin))
            continue
        try:
            # utf-8-sig: a byte-order mark from a Windows editor is not part of the SQL.
            with open(name, encoding="utf-8-sig") as handle:
                scripts.append(handle.read())
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"cannot read {name}: not UTF-8 text (byte {exc.start})") from None
    return scripts


def start_sandbox(settings: Settings, stack: ExitStack) -> None:
    """Serve the emulator in this process and point the session at it, with throwaway credentials."""
    from awsql_shell.catalog.regions import default_region
    from awsql_shell.sandbox import ACCOUNT_ID, SandboxConfig
    from awsql_shell.sandbox import start_sandbox as serve

    running = stack.enter_context(serve(SandboxConfig.from_env(os.environ)))
    settings.endpoint_url = running.url
    settings.account = ACCOUNT_ID
    if default_region(settings.region, None).name is None:
        settings.region, settings.region_source = SANDBOX_REGION, "the sandbox's default"
    settings.profile = None
    # The sandbox accepts any signature; never send real credentials to it.
    os.environ.update(AWS_ACCESS_KEY_ID="sandbox", AWS_SECRET_ACCESS_KEY="sandbox")
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug of ours: one line, the details only when asked for
        if was_interrupted(exc):  # Ctrl-C while a lazily imported module was being built
            print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        if os.environ.get("AWSQL_DEBUG"):
            raise
        detail = f"{type(exc).__name__}: {exc}"
        print(f"awsql: internal error: {detail} (run with AWSQL_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_STATEMENT


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stderr = sys.stderr
    try:
        from awsql_shell.config import config_path, read_config

        path = config_path(args.config, os.environ)
        config = read_config(path)
        settings = settings_from(args, dict(os.environ), config)
        scripts = read_sources(args, sys.stdin)
        interactive = not scripts and sys.stdin is not None and sys.stdin.isatty()
        if not scripts and not interactive:
            scripts = [read_stdin(sys.stdin)]
    except AwsqlError as exc:
        print(f"awsql: {describe(exc)}", file=stderr)
        return exc.exit_code if exc.exit_code != 1 else EXIT_USAGE
    with ExitStack() as stack:
        if settings.sandbox:
            start_sandbox(settings, stack)
        if interactive:
            from awsql_shell.config import write_default
            from awsql_shell.shell.repl import run_shell

            write_default(path)  # as pgcli: the first run of the shell leaves a commented file to edit
            return run_shell(settings)
        # A closed stdout (>&-) has no stream at all: results fail to be written, changes still run.
        stdout = sys.stdout if sys.stdout is not None else _ClosedStream()
        return run_batch(settings, scripts, stdout, stderr)
    return EXIT_OK


class _ClosedStream(io.TextIOBase):
    """Standard output the shell closed: writing to it fails as writing to a closed descriptor does."""

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def run_batch(settings: Settings, scripts: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    from awsql_shell.shell.batch import Batch

    return Batch(settings, stdout, stderr, os.environ).run(scripts)


if __name__ == "__main__":
    raise SystemExit(main())
