"""The ``awsql`` command's entry point: nothing but a guard around importing the command.

Importing the CLI (argparse, the settings, the errors) takes tens of milliseconds, and a Ctrl-C that lands
in them would otherwise end the process with a traceback. Here the import itself is inside the guard, so
an early Ctrl-C exits 130 with one line, as a later one does.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED, which cannot be imported before the guard is up


def main() -> int:
    try:
        from awsql_shell.cli import main as run

        return run()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        from awsql_shell.errors import was_interrupted

        if not was_interrupted(exc):
            raise
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
