"""How the shell shows what statements produce: results on stdout, the row count and time after each,
notices, warnings and errors on stderr.

With the pager on and a terminal on stdout, a table is drawn at its natural width and paged when it is
wider or taller than the screen (``less -S`` scrolls sideways), as pgcli does; with the pager off, or
no pager to be had, it is fitted to the screen's width instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from prompt_toolkit.utils import get_cwidth

from awsql_shell.errors import AwsqlError, caret_lines, describe
from awsql_shell.render import footer, lines_after_rows, lines_before_rows, render, render_messages
from awsql_shell.render.options import NATURAL_WIDTH
from awsql_shell.result import Result
from awsql_shell.settings import Settings

DEFAULT_PAGER = ("less", "-SRXF")
_RED, _RESET = "\x1b[31m", "\x1b[0m"
# Lines kept free under paged-or-not output: the footer and the next prompt.
_RESERVED_LINES = 2
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class ScreenSize:
    columns: int
    rows: int


def pager_command(environ: Mapping[str, str]) -> list[str] | None:
    """``$PAGER`` when set (an empty one means no pager), else ``less -SRXF``."""
    configured = environ.get("PAGER")
    if configured is None:
        return list(DEFAULT_PAGER)
    return shlex.split(configured) or None


class _TerminalBuffer(io.StringIO):
    """Collects rendered output yet answers isatty() like the stream it is for, so colors stay decided
    by where the text finally goes."""

    def __init__(self, is_terminal: bool):
        super().__init__()
        self._is_terminal = is_terminal

    def isatty(self) -> bool:
        return self._is_terminal


def _exceeds(text: str, size: ScreenSize) -> bool:
    """Whether ``text`` is taller than the screen (less the footer and prompt) or has a line wider than it."""
    lines = text.splitlines()
    if len(lines) > size.rows - _RESERVED_LINES:
        return True
    return any(_cell_width(line) > size.columns for line in lines)


def _cell_width(line: str) -> int:
    plain = _ESCAPE_SEQUENCE.sub("", line)
    return len(plain) if plain.isascii() else sum(get_cwidth(char) for char in plain)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class ShellOutput:
    settings: Settings
    out: TextIO
    err: TextIO
    screen: Callable[[], ScreenSize]
    environ: Mapping[str, str]

    # -- results -----------------------------------------------------------------------------------

    def result(self, result: Result, seconds: float, timing: str | None = None) -> None:
        render_messages(lines_before_rows(result), self.err, color=self._color())
        if result.columns:
            self._show_rows(result)
        render_messages(lines_after_rows(result), self.err, color=self._color())
        if result.columns:
            self.out.write(footer(len(result.rows), seconds) + "\n")
        if timing:
            self.err.write(timing + "\n")
        self._flush()

    def _show_rows(self, result: Result) -> None:
        """Natural width into the pager when the result does not fit the screen; else fitted and printed."""
        size = self.screen()
        command = self._pager()
        if command is not None:
            text = self._rendered(result, NATURAL_WIDTH)
            if not _exceeds(text, size):
                self.out.write(text)  # fitting would change nothing: it fits already
                return
            if self._page(command, text):
                return
        self.out.write(self._rendered(result, size.columns))

    def _rendered(self, result: Result, width: int) -> str:
        buffer = _TerminalBuffer(_is_terminal(self.out))
        render(
            result,
            buffer,
            fmt=self.settings.output or "table",
            headers=self.settings.headers,
            color=self.settings.color,
            expanded=self.settings.expanded,
            width=width,
        )
        return buffer.getvalue()

    def _pager(self) -> list[str] | None:
        """The pager command when results may be paged: the pager is on and stdout is a terminal."""
        if not self.settings.pager or not _is_terminal(self.out):
            return None
        return pager_command(self.environ)

    def _page(self, command: list[str], text: str) -> bool:
        """Hand ``text`` to the pager; False when it cannot be started."""
        self.out.flush()
        environ = dict(os.environ)
        environ.setdefault("LESSCHARSET", "utf-8")
        try:
            pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=environ, text=True, encoding="utf-8")
        except OSError:
            return False
        try:
            assert pager.stdin is not None
            pager.stdin.write(text)
            pager.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the user quit the pager before reading everything
        while True:
            try:
                pager.wait()
                return True
            except KeyboardInterrupt:
                continue  # Ctrl-C belongs to the pager (less uses it to stop a search)

    # -- messages ----------------------------------------------------------------------------------

    def error(self, error: AwsqlError) -> None:
        line = f"ERROR: {describe(error)}"
        if self._color():
            line = f"{_RED}{line}{_RESET}"
        self.err.write(line + "\n")
        for text in caret_lines(error):
            self.err.write(text + "\n")
        self._flush()

    def say(self, text: str) -> None:
        """An answer to a meta command, on stdout."""
        self.out.write(text if text.endswith("\n") else text + "\n")
        self._flush()

    def warn(self, text: str) -> None:
        self.err.write(text if text.endswith("\n") else text + "\n")
        self._flush()

    def err_is_terminal(self) -> bool:
        return _is_terminal(self.err)

    def _color(self) -> bool:
        return self.settings.color and _is_terminal(self.err)

    def _flush(self) -> None:
        for stream in (self.out, self.err):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
