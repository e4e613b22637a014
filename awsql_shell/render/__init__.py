"""Results on a stream, in each output format of ``-o/--output``; a registry maps format names to renderers.

``render(result, out, fmt=...)`` writes the rows of one result to ``out`` (stdout); notices, warnings
and the status line are for stderr (``message_lines``), and ``footer`` is the shell's "3 rows in 0.21 s".
A result without columns (a status only, such as ``INSERT 1``) writes nothing to ``out``.
Importing this package does not import rich: only drawing a table does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from awsql_shell.errors import UsageError, did_you_mean
from awsql_shell.render.delimited import render_csv, render_text, render_tsv
from awsql_shell.render.jsonfmt import render_json, render_jsonl
from awsql_shell.render.options import RenderOptions
from awsql_shell.render.values import escape_controls
from awsql_shell.result import Result
from awsql_shell.settings import OUTPUT_FORMATS

Renderer = Callable[[Result, TextIO, RenderOptions], None]


def render_table(result: Result, out: TextIO, options: RenderOptions) -> None:
    """The table module (and rich with it) loads only when a table is drawn: it is the slow import."""
    from awsql_shell.render.table import render_table as draw

    draw(result, out, options)


RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
    "tsv": render_tsv,
    "text": render_text,
}
assert set(RENDERERS) == set(OUTPUT_FORMATS), "every output format needs a renderer"

__all__ = [
    "RENDERERS",
    "RenderOptions",
    "Renderer",
    "footer",
    "lines_after_rows",
    "lines_before_rows",
    "message_lines",
    "output_format",
    "render",
    "render_messages",
    "render_table",
    "renderer",
]


def output_format(name: str) -> str:
    """``name`` as an output format (case-blind); an unknown one is a usage error with a suggestion. The one
    check for ``-o``, ``\\o`` and library callers."""
    wanted = name.strip().lower()
    if wanted not in RENDERERS:
        hint = did_you_mean(wanted, RENDERERS)
        raise UsageError(f"unknown output format '{name}'{hint}; choose one of {', '.join(OUTPUT_FORMATS)}")
    return wanted


def renderer(fmt: str) -> Renderer:
    """The renderer for a format name."""
    return RENDERERS[output_format(fmt)]


def render(
    result: Result,
    out: TextIO,
    *,
    fmt: str,
    headers: bool = True,
    color: bool = True,
    expanded: bool | str = False,
    width: int | None = None,
) -> None:
    """``expanded``: True or ``"on"``, False or ``"off"``, or ``"auto"``: expanded when the table does not fit
    ``width`` readably (``table.fits_readably``; the one place that decides, for the shell and batch)."""
    if not result.columns:
        return
    fmt = output_format(fmt)
    if expanded == "auto":
        expanded = fmt == "table" and not _fits(result, width)
    options = RenderOptions(headers=headers, color=color, expanded=expanded in (True, "on"), width=width)
    renderer(fmt)(result, out, options)


def _fits(result: Result, width: int | None) -> bool:
    from awsql_shell.render.table import DEFAULT_WIDTH, fits_readably

    return fits_readably(result, width or DEFAULT_WIDTH)


def footer(row_count: int, seconds: float | None = None) -> str:
    """``3 rows in 0.21 s``; ``1 row``; the time is left out when not measured."""
    rows = f"{row_count} row" if row_count == 1 else f"{row_count} rows"
    return rows if seconds is None else f"{rows} in {seconds:.2f} s"


def lines_before_rows(result: Result) -> list[str]:
    """What goes to stderr before a result's rows: its notices (what the rows mean, which region...)."""
    return [f"NOTICE: {escape_controls(notice)}" for notice in result.notices]


def lines_after_rows(result: Result) -> list[str]:
    """What goes to stderr after the rows: warnings (a part failed, so the rows are not all), then the status."""
    # Warnings quote what AWS answered: shown, never obeyed, by the terminal.
    lines = [f"WARNING: {escape_controls(warning)}" for warning in result.warnings]
    if result.status:
        lines.append(escape_controls(result.status))
    return lines


def message_lines(result: Result) -> list[str]:
    """Everything a result says on stderr, in the order the faces show it around the rows."""
    return [*lines_before_rows(result), *lines_after_rows(result)]


_YELLOW, _RESET = "\x1b[33m", "\x1b[0m"


def render_messages(lines: list[str], err: TextIO, *, color: bool = True) -> None:
    """Write message lines to ``err``; warnings in yellow only when colors are allowed and err is a terminal."""
    paint = color and getattr(err, "isatty", lambda: False)()
    for line in lines:
        if paint and line.startswith("WARNING: "):
            line = f"{_YELLOW}{line}{_RESET}"
        err.write(line + "\n")
