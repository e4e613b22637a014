"""Batch mode (``-e``, ``-f``, stdin): scripts run straight through, with the same meta command registry and
output as the shell, so that a script can ``\\set`` its variables, ``\\o`` its results and ``\\i`` another.

It lives beside the shell because it shares the shell's registry, output and script reading; the ``awsql``
command (``cli.py``) only chooses between the two. Meta commands that need a terminal (``\\e``, ``\\watch``,
``\\pager``) are refused in a script. Their answers go to stderr: stdout holds nothing but results.

Exit codes: the first failure's (a statement's, or a meta command's usage error), 4 when a result was
partial; the first failure stops the run unless --continue-on-error.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from awsql_shell.catalog import Catalog, default_catalog
from awsql_shell.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_STATEMENT, AwsqlError, Interrupted
from awsql_shell.session import Session
from awsql_shell.settings import Settings
from awsql_shell.shell.host import ScriptHost
from awsql_shell.shell.meta_commands import MetaAction, aws_profiles, default_registry
from awsql_shell.shell.output import OneOff, ScreenSize, ShellOutput, stream_width

if TYPE_CHECKING:
    from awsql_shell.gateway.accounts import Account


class _Stop(Exception):
    """The first failure ends the run (no --continue-on-error)."""


class Batch(ScriptHost):
    interactive = False

    def __init__(
        self,
        settings: Settings,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
        catalog: Catalog | None = None,
    ):
        self.settings = settings
        self.environ = environ
        self.catalog = catalog or default_catalog()
        self.registry = default_registry()
        self.stdout, self.stderr = stdout, stderr
        self.session = Session(settings, catalog=self.catalog)
        if _is_terminal(stderr):
            from awsql_shell.render.progress import ProgressLine

            self.session.progress = ProgressLine(stderr)
        self.output = ShellOutput(settings, stdout, stderr, self._screen, environ, interactive=False)
        self.exit_code = EXIT_OK
        self._init_host()

    def run(self, scripts: Sequence[str]) -> int:
        try:
            for script in scripts:
                if self.run_script(script) is MetaAction.EXIT:
                    break
        except _Stop:
            pass
        except KeyboardInterrupt as interrupted:
            self.session.cancel.set()
            for line in interrupted.report() if isinstance(interrupted, Interrupted) else []:
                self.stderr.write(line + "\n")
            self.stderr.write("interrupted\n")
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # `awsql ... | head` closed the pipe: not an error worth a traceback.
            silence_stdout()
        except OSError as exc:
            # A full disk (> /dev/full), a closed stdout: the results are lost, and the user must know.
            silence_stdout()
            self.stderr.write(f"awsql: cannot write the results: {exc.strerror or exc}\n")
            return self.exit_code or EXIT_STATEMENT
        finally:
            self.output.close()
        return self.exit_code

    def run_query(self, text: str, once: OneOff | None = None) -> bool:
        settings = self.settings
        ok = True
        started = time.perf_counter()
        for outcome in self.session.execute_script(text):
            if outcome.error is not None:
                if outcome.error.result is not None:
                    self.output.result(outcome.error.result, 0.0, None, once)
                ok = False
                if settings.timing:  # as psql's \timing: a statement that failed took time and calls too
                    self.output.warn(self.session.timing_line(time.perf_counter() - started))
                self.report(outcome.error)
                continue
            result = outcome.result
            assert result is not None
            timing = self.session.timing_line(time.perf_counter() - started) if settings.timing else None
            self.output.result(result, 0.0, timing, once)
            if result.partial:
                self._exit_with(EXIT_PARTIAL)
            started = time.perf_counter()
        return ok

    def report(self, error: AwsqlError) -> None:
        self.output.error(error)
        self._exit_with(error.exit_code)
        if not self.settings.continue_on_error:
            raise _Stop

    def _exit_with(self, code: int) -> None:
        """The exit code says the worst that happened: the first error, else a partial result, else success.
        A later error must not hide behind an earlier partial result (4 reads as usable)."""
        if self.exit_code in (EXIT_OK, EXIT_PARTIAL) and code != EXIT_OK:
            self.exit_code = code if self.exit_code == EXIT_OK or code != EXIT_PARTIAL else self.exit_code

    def say(self, text: str) -> None:
        self.output.warn(text)

    # -- ShellControl, for the meta commands ---------------------------------------------------------

    def clear_cache(self) -> None:
        if self.session.gateway_if_started is not None:
            self.session.gateway.clear_cache()

    def edit(self, text: str) -> str:  # refused before it is reached: \e is not for scripts
        raise NotImplementedError

    def settings_changed(self) -> None:
        pass

    def profiles(self) -> tuple[str, ...]:
        return aws_profiles(self.environ)

    def known_accounts(self) -> list[Account] | None:
        return self.session.accounts_if_known

    def _screen(self) -> ScreenSize:
        return ScreenSize(stream_width(self.stdout, self.environ), 24)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def silence_stdout() -> None:
    """What is left in stdout's buffer is not flushed at exit (it would fail the same way, noisily)."""
    import sys

    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
