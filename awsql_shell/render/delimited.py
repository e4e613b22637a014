"""csv, tsv and text: one line per row for scripts and spreadsheets.

- csv: RFC 4180 quoting (the csv module's minimal quoting), with ``\\n`` line ends as ``psql --csv``
  writes them, so ``cut`` and ``read`` see no stray carriage returns.
- tsv: tab-separated; backslash, tab, newline and carriage return inside a value are written ``\\\\``,
  ``\\t``, ``\\n``, ``\\r`` (PostgreSQL's text COPY escapes), so every row stays on one line.
- text: values only, no header, tab-separated, written as they are (like ``psql -At -F '\\t'``): a
  one-value result such as ``SHOW INSERT INTO`` prints exactly the text to paste, newlines and all.

In all three NULL is empty and booleans are ``true``/``false``.
"""

from __future__ import annotations

import csv
from typing import TextIO

from awsql_shell.render.options import RenderOptions
from awsql_shell.render.values import as_text, escape_controls, typed
from awsql_shell.result import Result

_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text_rows(result: Result) -> list[list[str]]:
    kinds = [result.types.get(name) for name in result.columns]
    return [[as_text(typed(value, kind)) for value, kind in zip(row, kinds, strict=True)] for row in result.rows]


def render_csv(result: Result, out: TextIO, options: RenderOptions) -> None:
    writer = csv.writer(out, lineterminator="\n")
    if options.headers:
        writer.writerow(result.columns)
    writer.writerows(_text_rows(result))


def tsv_escape(text: str) -> str:
    return text.translate(_TSV_ESCAPES)


def render_tsv(result: Result, out: TextIO, options: RenderOptions) -> None:
    if options.headers:
        out.write("\t".join(tsv_escape(name) for name in result.columns) + "\n")
    for row in _text_rows(result):
        out.write("\t".join(tsv_escape(cell) for cell in row) + "\n")


def render_text(result: Result, out: TextIO, options: RenderOptions) -> None:
    rows = _text_rows(result)
    if len(rows) == 1 and len(rows[0]) == 1:
        out.write(escape_controls(rows[0][0]) + "\n")
        return
    for row in rows:
        out.write("\t".join(escape_controls(tsv_escape(cell)) for cell in row) + "\n")
