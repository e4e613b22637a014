"""What a statement produces: rows for stdout, notices and warnings for stderr."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    # A line such as "INSERT 1" for statements whose outcome is not a table; rendered to stderr.
    status: str | None = None
    notices: list[str] = field(default_factory=list)  # informational, stderr
    warnings: list[str] = field(default_factory=list)  # a part failed; the command exits 4
    # Column types from the schema where known ("integer", "object", ...), for alignment and JSON output.
    types: dict[str, str] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        return bool(self.warnings)

    @classmethod
    def of(cls, columns: Sequence[str], rows: Sequence[Sequence[Any]], **extra: Any) -> Result:
        return cls(list(columns), [tuple(row) for row in rows], **extra)
