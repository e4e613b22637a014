"""A shell made only to be asked things (its completer, its toolbar): on a pipe, its output discarded."""

from __future__ import annotations

import io
import os

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from awsql_shell.settings import Settings
from awsql_shell.shell.repl import Shell


def quiet_shell(settings: Settings | None = None) -> Shell:
    with create_pipe_input() as pipe:
        return Shell(
            settings or Settings(color=False),
            terminal_input=pipe,
            terminal_output=DummyOutput(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            environ=os.environ,
        )
