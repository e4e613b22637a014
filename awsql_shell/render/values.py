"""How one value reads in each kind of output: text for csv/tsv/text/table, a JSON value for json/jsonl."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

JSON_TYPES = frozenset({"object", "array"})
NUMBER_TYPES = frozenset({"integer", "number"})


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def typed(value: Any, kind: str | None) -> Any:
    """Give back what SQLite lost: a ``boolean`` column's 0/1 is false/true again."""
    if kind == "boolean" and type(value) is int and value in (0, 1):
        return bool(value)
    return value


def as_text(value: Any) -> str:
    """The text of a value in csv, tsv, text and tables: NULL is empty, booleans are true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return compact_json(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    return str(value)


# C0 and C1 control characters but newline and tab: sent raw, ESC and its kin drive the terminal (a tag value
# holding "\x1b]52;..." could write the clipboard). Newlines and tabs the table and text formats lay out.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with control characters (but newline and tab) shown as escapes: ``\x1b``, ``\x07``."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def as_shown(value: Any) -> str:
    """The text of a value on a terminal (table and text formats): as ``as_text``, control characters escaped.
    JSON and CSV keep values exact; they are for programs."""
    return escape_controls(as_text(value))


def as_json(value: Any, kind: str | None) -> Any:
    """A value for json/jsonl: object and array columns nest as real JSON, not as strings holding it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or Infinity
    if kind in JSON_TYPES and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if kind == "json" and isinstance(value, str) and value[:1] in "[{":
        # Built by json_object, json_array, -> ...: nested when it is an object or an array; a string that
        # only looks like one (json_extract of a text) stays the string it is.
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, dict | list) else value
    if value is None or isinstance(value, (bool, int, float, str, dict, list)):
        return value
    if isinstance(value, tuple):
        return list(value)
    return as_text(value)


def unique_keys(columns: Sequence[str]) -> list[str]:
    """Object keys for a row; a repeated column name gets ``:1``, ``:2`` as SQLite names them."""
    seen: dict[str, int] = {}
    keys = []
    for name in columns:
        if name in seen:
            seen[name] += 1
            candidate = f"{name}:{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}:{seen[name]}"
            keys.append(candidate)
            seen[candidate] = 0
        else:
            seen[name] = 0
            keys.append(name)
    return keys
