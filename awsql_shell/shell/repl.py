"""The interactive shell: a prompt_toolkit prompt in front of the same ``Session.execute_script`` as batch mode.

One loop: read a statement (Enter runs it once it ends with ';' or ``\\g``, or at once for a meta command),
run it with Ctrl-C cancelling, show the results, and feed what they reveal (identifiers) back to completion.
A buffer is a script like any other (``host.ScriptHost``): meta command lines and statements in order,
through the same registry as batch mode.
Nothing slow happens before the first prompt: the session, and with it the parser, planner and engine,
is built when the first statement runs; boto3 waits for the first call to AWS.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import ThreadedCompleter
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth, Output
from prompt_toolkit.shortcuts import CompleteStyle
from prompt_toolkit.styles import BaseStyle

from awsql_shell import __version__
from awsql_shell.catalog import Catalog, default_catalog
from awsql_shell.errors import EXIT_OK, AwsqlError, UsageError
from awsql_shell.settings import Settings
from awsql_shell.shell.completion import AwsqlCompleter, SessionValues
from awsql_shell.shell.editing import is_meta_command, statement_complete
from awsql_shell.shell.highlight import AwsqlLexer
from awsql_shell.shell.history import history_path, prepare_history_file
from awsql_shell.shell.host import ScriptHost
from awsql_shell.shell.identifiers import identifiers_seen
from awsql_shell.shell.meta_commands import MetaAction, MetaRegistry, aws_profiles, default_registry
from awsql_shell.shell.output import OneOff, ScreenSize, ShellOutput
from awsql_shell.shell.running import StatementCancelled, Step, run_steps
from awsql_shell.shell.toolbar import toolbar_text

if TYPE_CHECKING:
    from awsql_shell.gateway.accounts import Account
    from awsql_shell.session import Session

PROMPT = "awsql> "
CONTINUATION = "-> "
DEFAULT_EDITOR = "vi"


def run_shell(
    settings: Settings,
    *,
    input: Input | None = None,
    output: Output | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the shell until \\q, exit or Ctrl-D; the exit code. ``input``/``output`` are the terminal
    (prompt_toolkit's; tests pass a pipe and DummyOutput), ``stdout``/``stderr`` where results and messages go."""
    shell = Shell(
        settings,
        terminal_input=input,
        terminal_output=output,
        stdout=stdout or sys.stdout,
        stderr=stderr or sys.stderr,
        environ=os.environ,
    )
    return shell.run()


def continuation_prompt(width: int, line_number: int, wrap_count: int) -> str:
    """``->`` before each new line of a statement; blanks before a long line's soft-wrapped rest, which is
    no new line (inside a string, ``->`` would read as a line break in the value)."""
    if wrap_count > 0:
        return " " * width
    return CONTINUATION.rjust(width)


class Shell(ScriptHost):
    """The REPL's state; also the ``ShellControl`` the meta commands act on."""

    def __init__(
        self,
        settings: Settings,
        *,
        terminal_input: Input | None,
        terminal_output: Output | None,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
    ):
        self.settings = settings
        self.environ = environ
        self._init_host()
        self.registry: MetaRegistry = default_registry()
        self.catalog: Catalog = default_catalog()
        self._session: Session | None = None
        self._region_memo: tuple[tuple[str | None, str | None], str | None] | None = None
        self.values = SessionValues(
            default_region=self._default_region_name(),
            profile_names=aws_profiles(environ),
            known_variables=settings.variables,  # the same mapping: \set shows up in completion at once
            query_names=self._query_names,
        )
        self.completer = AwsqlCompleter(self.catalog, self.values, self.registry.infos())
        self.output = ShellOutput(settings, stdout, stderr, self._screen_size, environ)
        self._terminal_input = terminal_input
        self._terminal_output = terminal_output
        self._confirm_prompt: PromptSession[str] | None = None
        self.prompt: PromptSession[str] = self._build_prompt(terminal_input, terminal_output)

    # -- the loop ----------------------------------------------------------------------------------

    def run(self) -> int:
        self.output.say(f"awsql {__version__}: type \\? for help, end statements with ';', Ctrl-D to quit.")
        # The completion indexes are built while the user reads the banner, not on their first Tab.
        threading.Thread(target=self.completer.prime, name="awsql-completion-index", daemon=True).start()
        while True:
            try:
                text = self.prompt.prompt()
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt: the line is dropped, the shell stays
            except EOFError:
                break
            if self.handle(text) is MetaAction.EXIT:
                break
        self.output.close()
        return EXIT_OK

    def handle(self, text: str) -> MetaAction:
        """Run one submitted buffer: meta commands and SQL. Nothing a user types ends the loop but \\q."""
        if not text.strip():
            return MetaAction.CONTINUE
        try:
            if is_meta_command(text) and "\n" not in text.strip():
                return self.run_meta(text)
            return self.run_script(text)
        except AwsqlError as exc:
            self.output.error(exc)
        except KeyboardInterrupt:
            self._cancel()
            self.output.warn("Cancelled.")
        except Exception as exc:  # a bug must not cost the user the session
            self.output.error(AwsqlError(f"internal error ({type(exc).__name__}: {exc}); please report it"))
        return MetaAction.CONTINUE

    # -- statements ----------------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            from awsql_shell.session import Session

            self._session = Session(self.settings, catalog=self.catalog)
        return self._session

    def run_query(self, text: str, once: OneOff | None = None) -> bool:
        session = self.session
        ok = True
        try:
            for step in run_steps(session, text, before_each=self._before_statement, ask=self.ask_confirmation):
                ok = self._show(step, once) and ok
        except StatementCancelled as cancelled:
            for line in cancelled.report:
                self.output.warn(line)
            note = " The statement goes on in the background." if cancelled.abandoned else ""
            self.output.warn("Cancelled." + note)
            return False
        return ok

    def report(self, error: AwsqlError) -> None:
        self.output.error(error)

    def _before_statement(self) -> None:
        session = self.session
        if self.settings.timing:
            session.gateway.reset_stats()
        if self.output.err_is_terminal():
            from awsql_shell.render.progress import ProgressLine

            # A fresh line per statement: its "draw only after a delay" clock starts with the statement.
            session.progress = ProgressLine(self.output.err)

    def ask_confirmation(self, question: str) -> bool:
        """A yes/no question on the terminal (for mutations that do not name their Identifier); no by default."""
        if self._confirm_prompt is None:
            self._confirm_prompt = PromptSession(input=self._terminal_input, output=self._terminal_output)
        answer = self._confirm_prompt.prompt(question.rstrip() + " [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    def _show(self, step: Step, once: OneOff | None) -> bool:
        """Show one statement's outcome; False when it failed."""
        outcome = step.outcome
        if outcome.error is not None:
            if outcome.error.result is not None:  # what a statement that failed part way did, then why it failed
                self.output.result(outcome.error.result, step.seconds, self._timing(), once)
            self.output.error(outcome.error)
            return False
        if outcome.result is None:
            return True
        self.output.result(outcome.result, step.seconds, self._timing(), once)
        try:
            seen = identifiers_seen(outcome.statement, outcome.result, self.catalog)
        except Exception:  # feeding completion is a nicety; it must never spoil a result already shown
            seen = {}
        for type_name, identifiers in seen.items():
            self.values.remember(type_name, identifiers)
        return True

    def _timing(self) -> str | None:
        return self._timing_line() if self.settings.timing else None

    def _timing_line(self) -> str:
        return self.session.timing_line()

    def _cancel(self) -> None:
        if self._session is not None:
            self._session.cancel.set()

    # -- ShellControl, for the meta commands ---------------------------------------------------------

    def say(self, text: str) -> None:
        self.output.say(text)

    def clear_cache(self) -> None:
        if self._session is not None:
            self._session.gateway.clear_cache()

    def settings_changed(self) -> None:
        self.values.default_region = self._default_region_name()

    def profiles(self) -> tuple[str, ...]:
        names = aws_profiles(self.environ)
        self.values.profile_names = names
        return names

    def known_accounts(self) -> list[Account] | None:
        return self._session.accounts_if_known if self._session is not None else None

    def edit(self, text: str) -> str:
        """Open ``text`` in $VISUAL or $EDITOR; what is saved becomes the last statement and enters history."""
        editor = self.environ.get("VISUAL") or self.environ.get("EDITOR") or DEFAULT_EDITOR
        handle, name = tempfile.mkstemp(prefix="awsql-", suffix=".sql")
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text.rstrip() + "\n")
            try:
                status = subprocess.call([*shlex.split(editor), str(path)])
            except OSError as exc:
                raise UsageError(f"cannot start the editor '{editor}': {exc.strerror or exc}") from None
            if status != 0:
                raise UsageError(f"the editor '{editor}' exited with status {status}; nothing was run")
            edited = path.read_text(encoding="utf-8").strip()
        finally:
            path.unlink(missing_ok=True)
        if edited:
            self.last_statement = edited
            self.prompt.history.append_string(edited)
        return edited

    # -- the prompt ----------------------------------------------------------------------------------

    def _build_prompt(self, terminal_input: Input | None, terminal_output: Output | None) -> PromptSession[str]:
        bindings = KeyBindings()

        @bindings.add("f4")
        def _switch_keys(event: KeyPressEvent) -> None:
            app = event.app
            app.editing_mode = EditingMode.VI if app.editing_mode is EditingMode.EMACS else EditingMode.EMACS

        session: PromptSession[str] = PromptSession(
            PROMPT,
            # pgcli's rule: the buffer is "multiline" (Enter = newline) until the statement is complete.
            multiline=Condition(lambda: not statement_complete(session.default_buffer.text)),
            prompt_continuation=continuation_prompt,
            history=self._history(),
            auto_suggest=AutoSuggestFromHistory(),
            completer=ThreadedCompleter(self.completer),
            complete_while_typing=True,
            complete_style=CompleteStyle.COLUMN,
            lexer=PygmentsLexer(AwsqlLexer),
            bottom_toolbar=self._toolbar,
            key_bindings=bindings,
            editing_mode=EditingMode.VI if self.settings.key_bindings == "vi" else EditingMode.EMACS,
            style=self._style(),
            search_ignore_case=True,
            color_depth=None if self.settings.color else ColorDepth.MONOCHROME,
            input=terminal_input,
            output=terminal_output,
        )
        return session

    def _style(self) -> BaseStyle | None:
        """The config file's ``syntax_style`` (a Pygments style); None keeps prompt_toolkit's default."""
        name = self.settings.syntax_style
        if not name or name == "default":
            return None
        from prompt_toolkit.styles import style_from_pygments_cls
        from pygments.styles import get_style_by_name
        from pygments.util import ClassNotFound

        try:
            return style_from_pygments_cls(get_style_by_name(name))
        except ClassNotFound:
            return None

    def _history(self) -> History:
        path = history_path(self.environ)
        try:
            return FileHistory(str(prepare_history_file(path)))
        except OSError as exc:
            self.output.warn(f"History is not saved: cannot create {path}: {exc.strerror or exc}")
            return InMemoryHistory()

    def _toolbar(self) -> str:
        vi = self.prompt.app.editing_mode is EditingMode.VI
        return toolbar_text(self.settings, self.values.default_region, vi, self.environ, self.known_accounts())

    def _query_names(self) -> tuple[str, ...]:
        from awsql_shell.config import read_config

        return tuple(read_config(self.config_path()).named_queries)

    def _default_region_name(self) -> str | None:
        """The region statements without one go to (as the planner finds it), remembered per region/profile."""
        key = (self.settings.region, self.settings.profile)
        if self._region_memo is None or self._region_memo[0] != key:
            from awsql_shell.catalog.regions import default_region

            self._region_memo = (key, default_region(self.settings.region, self.settings.profile, self.environ).name)
        return self._region_memo[1]

    def _screen_size(self) -> ScreenSize:
        try:
            size = self.prompt.output.get_size()
            if size.columns > 0 and size.rows > 0:
                return ScreenSize(size.columns, size.rows)
        except (OSError, ValueError):
            pass
        fallback = shutil.get_terminal_size()
        return ScreenSize(fallback.columns, fallback.lines)
