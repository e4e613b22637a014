"""What the user asked of the output, passed to every renderer."""

from __future__ import annotations

from dataclasses import dataclass

# A table width nothing is fitted to: each column as wide as its widest value, for a pager that scrolls sideways.
NATURAL_WIDTH = 100_000


@dataclass(frozen=True)
class RenderOptions:
    headers: bool = True  # -H turns the header row off (csv, tsv, table)
    color: bool = True  # allowed, not forced: only a terminal gets colors; False (NO_COLOR) never
    expanded: bool = False  # table only: one field per line, values whole, like psql's \x
    width: int | None = None  # table only: None fits the terminal (80 columns when not a terminal)
