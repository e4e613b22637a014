"""How the shell and batch mode show what statements produce: results on stdout (or the file of ``\\o FILE``,
``\\g FILE``, ``\\copy``), notices, warnings and errors on stderr; in the shell, the row count and time after each.

With the pager on and a terminal on stdout, a table is drawn at its natural width and paged when it is
wider or taller than the screen (``less -S`` scrolls sideways), as pgcli does; with the pager off, or
no pager to be had, it is fitted to the screen's width instead. ``\\x auto`` (the shell's default) is
decided against that width first: a table that cannot be fitted readably is shown expanded.

A table that goes to a file or a pipe fits ``$COLUMNS``, else ``PIPE_WIDTH`` (120) columns: one line of
11,000 characters helps no one, and 120 reads in an editor and in a CI log alike.
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
PIPE_WIDTH = 120
TERMINAL_FALLBACK_WIDTH = 80
_RED, _RESET = "\x1b[31m", "\x1b[0m"
# Lines kept free under paged-or-not output: the footer and the next prompt.
_RESERVED_LINES = 2
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class ScreenSize:
    columns: int
    rows: int


def pager_command(environ: Mapping[str, str], configured: str | None = None) -> list[str] | None:
    """``$PAGER`` when set (an empty one means no pager), else the config file's ``pager_command``, else
    ``less -SRXF``."""
    chosen = environ.get("PAGER")
    if chosen is None:
        chosen = configured or None
    if chosen is None:
        return list(DEFAULT_PAGER)
    return shlex.split(chosen) or None


def stream_width(stream: TextIO, environ: Mapping[str, str]) -> int:
    """How wide a table written to ``stream`` may be: a terminal's width; in a file or pipe, $COLUMNS or
    ``PIPE_WIDTH``. A terminal that reports no size (a pty nobody sized) counts as $COLUMNS or 80."""
    terminal = False
    try:
        terminal = stream.isatty()
        if terminal and (columns := os.get_terminal_size(stream.fileno()).columns) > 0:
            return columns
    except (AttributeError, OSError, ValueError):
        pass
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return TERMINAL_FALLBACK_WIDTH if terminal else PIPE_WIDTH


@dataclass(frozen=True)
class OneOff:
    """Output asked for one statement only: ``\\gx`` (expanded), ``\\g FILE`` and ``\\copy`` (a file,
    a format), ``\\watch`` (a title line before each run)."""

    expanded: bool = False
    path: str | None = None
    fmt: str | None = None
    title: str | None = None


class ResultFile:
    """A file results are written to (``\\o FILE``): opened once, truncated as psql does, kept open."""

    def __init__(self, name: str):
        from awsql_shell.errors import UsageError

        self.name = name
        try:
            self.stream: TextIO = open(os.path.expanduser(name), "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()


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
    """``interactive``: the shell (a footer after each result, the pager, carets under errors, tables by
    default); batch mode has none of those, and csv by default when stdout is not a terminal."""

    settings: Settings
    out: TextIO
    err: TextIO
    screen: Callable[[], ScreenSize]
    environ: Mapping[str, str]
    interactive: bool = True
    target: ResultFile | None = None  # \o FILE

    # -- where results go ------------------------------------------------------------------------

    def send_to(self, name: str | None) -> None:
        """``\\o FILE`` (None: back to stdout); the file before is closed."""
        opened = ResultFile(name) if name else None
        if self.target is not None:
            self.target.close()
        self.target = opened

    def close(self) -> None:
        self.send_to(None)

    def default_format(self) -> str:
        """The format when none is set: table in the shell or on a terminal, csv in a pipe."""
        if self.settings.output:
            return self.settings.output
        return "table" if self.interactive or _is_terminal(self.out) else "csv"

    def expanded_mode(self) -> str:
        return self.settings.expanded or ("auto" if self.interactive else "off")

    # -- results -----------------------------------------------------------------------------------

    def result(self, result: Result, seconds: float, timing: str | None = None, once: OneOff | None = None) -> None:
        once = once or OneOff()
        if once.title:
            self.out.write(once.title + "\n\n")
        render_messages(lines_before_rows(result), self.err, color=self._color())
        if result.columns:
            if once.path is not None:
                self._to_file(result, once)
            elif self.target is not None:
                self._write_rows(result, self.target.stream, once)
                self.target.stream.flush()
            else:
                self._show_rows(result, once)
        render_messages(lines_after_rows(result), self.err, color=self._color())
        if result.columns and self.interactive:
            written = once.path or (self.target.name if self.target is not None else None)
            where = f", written to {written}" if written else ""
            self.out.write(footer(len(result.rows), seconds) + where + "\n")
        if timing:
            self.err.write(timing + "\n")
        self._flush()

    def _to_file(self, result: Result, once: OneOff) -> None:
        assert once.path is not None
        file = ResultFile(once.path)
        try:
            self._write_rows(result, file.stream, once)
        finally:
            file.close()

    def _write_rows(self, result: Result, stream: TextIO, once: OneOff) -> None:
        """Rows into a file or pipe: no pager, no colors, tables as wide as ``stream_width`` allows."""
        render(
            result,
            stream,
            fmt=once.fmt or self.default_format(),
            headers=self.settings.headers,
            color=self.settings.color,
            expanded=True if once.expanded else self.expanded_mode(),
            width=stream_width(stream, self.environ),
        )

    def _show_rows(self, result: Result, once: OneOff) -> None:
        """Natural width into the pager when the result does not fit the screen; else fitted and printed."""
        if not self.interactive:
            self._write_rows(result, self.out, once)
            return
        size = self.screen()
        expanded = True if once.expanded else self.expanded_mode()
        if expanded == "auto":  # decided against the screen, before the pager sees a natural-width table
            from awsql_shell.render.table import fits_readably

            expanded = self.default_format() == "table" and not fits_readably(result, size.columns)
        command = self._pager()
        if command is not None:
            text = self._rendered(result, NATURAL_WIDTH, expanded, once)
            if not _exceeds(text, size):
                self.out.write(text)  # fitting would change nothing: it fits already
                return
            if self._page(command, text):
                return
        self.out.write(self._rendered(result, size.columns, expanded, once))

    def _rendered(self, result: Result, width: int, expanded: bool | str, once: OneOff) -> str:
        buffer = _TerminalBuffer(_is_terminal(self.out))
        render(
            result,
            buffer,
            fmt=once.fmt or self.default_format(),
            headers=self.settings.headers,
            color=self.settings.color,
            expanded=expanded,
            width=width,
        )
        return buffer.getvalue()

    def _pager(self) -> list[str] | None:
        """The pager command when results may be paged: the pager is on and stdout is a terminal."""
        if not self.interactive or not self.settings.pager or not _is_terminal(self.out):
            return None
        return pager_command(self.environ, self.settings.pager_command)

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
        for text in caret_lines(error) if self.interactive else ():
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
