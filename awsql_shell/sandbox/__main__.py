"""``python -m awsql_shell.sandbox``: serve the sandbox until interrupted.

The first line on stdout is ``listening on http://127.0.0.1:PORT``, so a script can start it with
``--port 0`` and read where it went. ``AWSQL_SANDBOX_*`` variables give defaults; flags win.
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
from awsql_shell.sandbox.config import FIXTURE_SETS, SandboxConfig
from awsql_shell.sandbox.server import start_sandbox


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m awsql_shell.sandbox",
        description="A local AWS Cloud Control API endpoint with a sample account (123456789012).",
    )
    parse.add_argument("--host", help="loopback address to bind (default 127.0.0.1)")
    parse.add_argument("--port", type=int, help="port (default 0: any free port)")
    parse.add_argument("--state", dest="state_path", type=Path, metavar="FILE", help="keep resources in FILE")
    parse.add_argument("--fixtures", choices=FIXTURE_SETS, help="sample resources to start with (default: default)")
    parse.add_argument("--fixture-scale", type=int, metavar="N", help="multiply the sample resources by N")
    parse.add_argument("--latency-ms", type=int, metavar="N", help="answer every call after N milliseconds")
    parse.add_argument("--throttle-rate", type=float, metavar="P", help="throttle each call with probability P")
    parse.add_argument("--fail-region", metavar="R", help="fail every call to region R (comma-separate several)")
    parse.add_argument("--seed", type=int, metavar="S", help="seed for the throttling draws (default 0)")
    parse.add_argument("--request-delay-ms", type=int, metavar="N", help="how long mutations stay IN_PROGRESS")
    parse.add_argument("--page-size", type=int, metavar="N", help="ListResources page size (default 20)")
    parse.add_argument("--verbose", dest="log_requests", action="store_true", default=None, help="log every call")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    flags: dict[str, Any] = {k: v for k, v in vars(parser().parse_args(argv)).items() if v is not None}
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
