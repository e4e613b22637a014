"""The table format for people at a terminal, and its expanded (one field per line) form.

awsql draws the table itself, with rich's measure of character cells (wide characters take two):
rich's own Table squeezes short columns to nothing when one long column (a description, a JSON
document) wants the whole line, and re-measures every cell (seconds for a few thousand rows).
Every column first gets its natural width. When the line is too narrow, columns of single words
(names, ids, ARNs, booleans, numbers: broken, they are hard to read and to copy) keep their width up
to ``COMPACT_CAP`` while free text and JSON give way; when even that does not fit, free text goes
down to the floor and the widest compact columns give way; only when the floors alone do not fit do
all columns shrink alike, the widest first ("water filling"). Then:

- JSON columns (object/array, or holding dicts and lists) stay on one line, cut with an ellipsis;
- numbers are right-aligned on one line;
- other text wraps to at most three lines, the third cut with an ellipsis; a line breaks at a space,
  else after punctuation (`awscc.sns.` / `subscriptions`), mid-word only when a part is too long;
- a one-column result (``SHOW INSERT INTO``) is shown whole, line breaks kept, wrapped to the width.

Expanded mode shows every value whole. This module loads only when a table is drawn.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, TextIO

from rich.cells import cell_len

from awsql_shell.render.options import RenderOptions
from awsql_shell.render.values import JSON_TYPES, NUMBER_TYPES, as_shown, escape_controls, typed
from awsql_shell.result import Result

MAX_TEXT_LINES = 3
MIN_COLUMN_WIDTH = 8
# Compact columns keep up to this much of their width before free text must give way entirely.
COMPACT_CAP = 40
# From this many columns on, free text keeps at least 1/READABLE_SHARE of the line.
WIDE_LINE = 100
# \x auto expands a table that would squeeze a column narrower than this.
READABLE_WIDTH = 20
READABLE_SHARE = 4
DEFAULT_WIDTH = 80
NULL_TEXT = "NULL"
ELLIPSIS = "…"


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    kind: str  # "json", "number" or "text"
    width: int
    natural: int = 0  # the width it would take with nothing cut or wrapped
    compact: bool = False  # single words (names, ids, numbers): hard to read broken


# Where a line may break: after a run of spaces, or after punctuation that joins the parts of a name.
_WRAP_PIECE = re.compile(r"\s+|[^\s._:/,;|=@-]*[._:/,;|=@-]+|[^\s._:/,;|=@-]+")
_SPACE = re.compile(r"\s")


def column_kind(declared: str | None, values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if declared in JSON_TYPES or any(isinstance(v, (dict, list, tuple)) for v in present):
        return "json"
    if declared in NUMBER_TYPES or (
        present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
    ):
        return "number"
    return "text"


def table_overhead(column_count: int) -> int:
    """Characters the table itself takes: one space of padding each side, one separator between."""
    return 3 * column_count - 1 if column_count else 0


def fit_widths(
    natural: list[int], available: int, floor: int = MIN_COLUMN_WIDTH, compact: list[bool] | None = None
) -> list[int]:
    """Widths that fit ``available``. ``compact`` columns (single words: names, ids, numbers) keep their width
    up to ``COMPACT_CAP`` while the others shrink, down to ``floor``; then the widest compact ones shrink.
    Without ``compact`` (or when even the floors do not fit), the widest columns shrink first, none below ``floor``."""
    if sum(natural) <= available or not compact or all(compact) or not any(compact):
        return _water_fill(natural, available, floor)
    kept = [i for i, is_compact in enumerate(compact) if is_compact]
    free = [i for i, is_compact in enumerate(compact) if not is_compact]
    free_floors = sum(min(natural[i], floor) for i in free)
    room = available - free_floors  # for the compact columns once free text is at its floor
    wanted = [min(natural[i], COMPACT_CAP) for i in kept]
    # On a wide line, free text keeps a readable share even if names must wrap: eight columns of a
    # description between nine columns of names and flags (DESCRIBE EXTENDED at 160) read as nothing.
    readable = min(sum(natural[i] for i in free), available // READABLE_SHARE) if available >= WIDE_LINE else 0
    if room >= sum(wanted) and available - sum(wanted) >= readable:
        free_widths = _water_fill([natural[i] for i in free], available - sum(wanted), floor)
        # Free text whole yet room to spare: the compact columns above the cap share it.
        kept_widths = _water_fill([natural[i] for i in kept], available - sum(free_widths), floor)
    elif readable and available - readable >= sum(min(natural[i], floor) for i in kept):
        kept_widths = _water_fill([natural[i] for i in kept], available - readable, floor)
        free_widths = _water_fill([natural[i] for i in free], available - sum(kept_widths), floor)
    elif room >= sum(min(natural[i], floor) for i in kept):
        free_widths = [min(natural[i], floor) for i in free]
        kept_widths = _water_fill([natural[i] for i in kept], room, floor)
    else:
        return _water_fill(natural, available, floor)
    widths = [0] * len(natural)
    for index, width in zip(kept + free, kept_widths + free_widths, strict=True):
        widths[index] = width
    return widths


def _water_fill(natural: list[int], available: int, floor: int) -> list[int]:
    """Shrink the widest columns first until the widths fit ``available``; none below ``floor``."""
    if sum(natural) <= available:
        return list(natural)
    floors = [min(n, floor) for n in natural]

    def total(cap: int) -> int:
        return sum(min(n, max(cap, f)) for n, f in zip(natural, floors, strict=True))

    low, high = 0, max(natural)
    while low < high:  # the largest cap that fits
        middle = (low + high + 1) // 2
        if total(middle) <= available:
            low = middle
        else:
            high = middle - 1
    widths = [min(n, max(low, f)) for n, f in zip(natural, floors, strict=True)]
    spare = available - sum(widths)
    for index in sorted(range(len(natural)), key=lambda i: -natural[i]):  # what is left goes to the widest
        if spare <= 0:
            break
        if widths[index] < natural[index]:
            widths[index] += 1
            spare -= 1
    return widths


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell_text(value: Any, single_column: bool, limit: int) -> str:
    """The text a cell can show at most: whole in a one-column table, else one line of ``limit`` characters."""
    text = as_shown(value)
    if single_column:
        return text
    if len(text) > limit:  # a huge JSON document never gets measured or wrapped in full
        return _one_line(text[: limit * 2])[: limit - 1] + ELLIPSIS
    return _one_line(text)


def _clip_lines(text: str, width: int, max_lines: int) -> str:
    """Wrap to ``width`` and keep at most ``max_lines`` lines, marking a cut with an ellipsis."""
    lines = wrap_text(text, width)
    if len(lines) <= max_lines:
        return "\n".join(lines)
    kept = lines[:max_lines]
    kept[-1] = _take(kept[-1], max(width - 1, 0)).rstrip() + ELLIPSIS
    return "\n".join(kept)


def wrap_text(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken at spaces, else after punctuation (``.``, ``::``, ``_``,
    ``/``, ``,``), and inside a word only when the word alone is wider than a line."""
    width = max(width, 1)
    lines: list[str] = []
    current, used = "", 0
    for piece in _WRAP_PIECE.findall(text):
        if piece.isspace():
            if current:
                current, used = current + " ", used + 1
            continue
        size = cell_len(piece)
        if used + size <= width:
            current, used = current + piece, used + size
            continue
        if current.strip():
            lines.append(current.rstrip())
        while size > width:  # a part no line can hold is cut where the line ends
            head = _take(piece, width)
            lines.append(head)
            piece = piece[len(head) :]
            size = cell_len(piece)
        current, used = piece, size
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _take(text: str, width: int) -> str:
    """The longest start of ``text`` that fits ``width`` cells (at least one character)."""
    if cell_len(text) <= width:
        return text
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return text[: max(index, 1)]
    return text


def plan_columns(result: Result, available: int) -> list[ColumnPlan]:
    single = len(result.columns) == 1
    limit = available * MAX_TEXT_LINES
    natural = []
    kinds = []
    compact = []
    for index, name in enumerate(result.columns):
        declared = result.types.get(name)
        values = [typed(row[index], declared) for row in result.rows]
        kind = column_kind(declared, values)
        texts = [_cell_text(v, single, limit) for v in values if v is not None]
        longest = max((cell_len(line) for text in texts for line in text.splitlines()), default=0)
        natural.append(max(cell_len(name), longest, len(NULL_TEXT) if None in values else 0, 1))
        kinds.append(kind)
        compact.append(kind == "number" or (kind == "text" and not any(_SPACE.search(text) for text in texts)))
    widths = fit_widths(natural, max(available - table_overhead(len(natural)), len(natural)), compact=compact)
    return [
        ColumnPlan(name, kind, width, wide, is_compact)
        for name, kind, width, wide, is_compact in zip(result.columns, kinds, widths, natural, compact, strict=True)
    ]


def fits_readably(result: Result, width: int) -> bool:
    """Whether the table fitted to ``width`` is still readable, the test of ``\\x auto``: every column at least
    ``READABLE_WIDTH`` wide (or as wide as it needs, if less) and no line wider than ``width``. A value that
    wraps over two or three lines is the table's way of fitting, not a reason to expand; a grid of 8-column
    fragments is. A one-column result (a SHOW INSERT template) is always shown whole."""
    if len(result.columns) <= 1:
        return True
    plans = plan_columns(result, width)
    if sum(plan.width for plan in plans) + table_overhead(len(plans)) > width:
        return False
    return all(plan.width >= min(plan.natural, READABLE_WIDTH) for plan in plans)


@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]
    null: bool = False


def _cell(value: Any, plan: ColumnPlan, single_column: bool, limit: int) -> Cell:
    if value is None:
        return Cell((NULL_TEXT[: plan.width],), null=True)
    text = _cell_text(value, single_column, limit)
    if single_column:
        return Cell(tuple(piece for line in text.split("\n") for piece in _fold(line, plan.width)))
    if plan.kind in ("number", "json"):
        return Cell((_cut(text, plan.width),))
    return Cell(tuple(_clip_lines(text, plan.width, MAX_TEXT_LINES).split("\n")))


def _cut(text: str, width: int) -> str:
    return text if cell_len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def _fold(line: str, width: int) -> list[str]:
    """Hard-wrap a line at ``width`` cells, as a one-column result shows long lines."""
    pieces, current, used = [], [], 0
    for char in line:
        size = cell_len(char)
        if used + size > width and current:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += size
    pieces.append("".join(current))
    return pieces


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(width - cell_len(text), 0)
    return gap + text if right else text + gap


def _safe_names(result: Result) -> Result:
    """Column names as a terminal may show them (a quoted alias can hold anything)."""
    names = [escape_controls(name) for name in result.columns]
    if names == result.columns:
        return result
    types = {escape_controls(name): kind for name, kind in result.types.items()}
    return Result(names, result.rows, status=result.status, types=types)


def render_table(result: Result, out: TextIO, options: RenderOptions) -> None:
    """Draw the table line by line (rich's Table measures every cell again: seconds for 5,000 rows)."""
    result = _safe_names(result)
    if options.expanded:
        render_expanded(result, out, options)
        return
    if not result.columns:
        return
    width = options.width or _terminal_width(out)
    single = len(result.columns) == 1
    plans = plan_columns(result, width)
    paint = options.color and getattr(out, "isatty", lambda: False)()
    bold, dim, reset = ("\x1b[1m", "\x1b[2m", "\x1b[0m") if paint else ("", "", "")
    right = [plan.kind == "number" and not single for plan in plans]
    limit = width * MAX_TEXT_LINES
    rows = [
        [_cell(typed(v, result.types.get(p.name)), p, single, limit) for v, p in zip(row, plans, strict=True)]
        for row in result.rows
    ]
    # Once a cell takes several lines, rules between rows show where each row ends.
    wrapped = not single and any(len(cell.lines) > 1 for row in rows for cell in row)
    rule = "┼".join("─" * (plan.width + 2) for plan in plans)
    lines: list[str] = []
    if options.headers:
        names = (_pad(_cut(p.name, p.width), p.width, r) for p, r in zip(plans, right, strict=True))
        lines.append("│".join(f" {bold}{name}{reset} " if paint else f" {name} " for name in names))
        lines.append(rule)
    for number, cells in enumerate(rows):
        if wrapped and number:
            lines.append(rule)
        for index in range(max(len(cell.lines) for cell in cells)):
            parts = []
            for cell, plan, align in zip(cells, plans, right, strict=True):
                text = _pad(cell.lines[index] if index < len(cell.lines) else "", plan.width, align)
                parts.append(f" {dim}{text}{reset} " if cell.null and index == 0 and paint else f" {text} ")
            lines.append("│".join(parts))
    out.write("\n".join(lines) + "\n")


def _terminal_width(out: TextIO) -> int:
    try:
        columns = os.get_terminal_size(out.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return DEFAULT_WIDTH
    return columns if columns > 0 else DEFAULT_WIDTH  # a pty nobody sized reports 0


# -- expanded: one field per line ------------------------------------------------------------


def expanded_lines(result: Result, *, headers: bool = True, width: int | None = None) -> list[str]:
    """psql's ``\\x``: a ``-[ RECORD n ]`` line, then ``column | value`` per field, values whole."""
    if not result.columns:
        return []
    label_width = max(len(name) for name in result.columns)
    kinds = [result.types.get(name) for name in result.columns]
    records: list[list[str]] = []
    for row in result.rows:
        fields = []
        for name, value, kind in zip(result.columns, row, kinds, strict=True):
            text = NULL_TEXT if value is None else as_shown(typed(value, kind))
            first, *more = text.split("\n")
            fields.append(f"{name.ljust(label_width)} | {first}".rstrip())
            fields.extend(f"{' ' * label_width} | {line}".rstrip() for line in more)
        records.append(fields)
    longest = max((len(line) for fields in records for line in fields), default=0)
    lines: list[str] = []
    for number, fields in enumerate(records, start=1):
        if headers:
            title = f"-[ RECORD {number} ]"
            rule_width = min(longest, width or DEFAULT_WIDTH)
            lines.append(title + "-" * max(rule_width - len(title), 0))
        elif number > 1:
            lines.append("")
        lines.extend(fields)
    return lines


def render_expanded(result: Result, out: TextIO, options: RenderOptions) -> None:
    for line in expanded_lines(_safe_names(result), headers=options.headers, width=options.width):
        out.write(line + "\n")
