"""``{{ name }}`` variables (dialect section 3.7): plain text replacement, nothing is evaluated.

Parsing and substitution are independent: a statement with ``{{ name }}`` still parses (SHOW INSERT
templates must), and the executor decides when to substitute.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from awsql_shell.errors import UsageError, ValidationError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


def find_variables(text: str) -> list[str]:
    """The names of the variables in ``text``, each once, in order of first appearance."""
    return list(dict.fromkeys(match.group(1) for match in _VARIABLE.finditer(text)))


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with every ``{{ name }}`` replaced by its value; undefined names are one error naming them all.

    Values are inserted as they are, never scanned again, so a value holding ``{{ x }}`` stays as it is.
    """
    missing = sorted({match.group(1) for match in _VARIABLE.finditer(text) if match.group(1) not in variables})
    if missing:
        first = next(m for m in _VARIABLE.finditer(text) if m.group(1) in missing)
        noun = "variable" if len(missing) == 1 else "variables"
        raise ValidationError(f"undefined {noun}: {', '.join(missing)}", position=first.start(), statement=text)
    return _VARIABLE.sub(lambda match: str(variables[match.group(1)]), text)


def original_position(text: str, variables: Mapping[str, str], position: int) -> int:
    """Where a position in ``substitute(text, variables)`` stands in ``text``; inside a substituted value it
    is the value's ``{{``. Errors found after substitution point at what the user wrote."""
    shift = 0
    for match in _VARIABLE.finditer(text):
        start = match.start() + shift  # where the value begins in the substituted text
        value = str(variables.get(match.group(1), match.group(0)))
        if position < start:
            break
        if position < start + len(value):
            return match.start()
        shift += len(value) - len(match.group(0))
    return position - shift


def parse_var_option(text: str) -> tuple[str, str]:
    """``--var name=value`` or ``\\set``-style ``name=value`` as (name, value)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not NAME.fullmatch(name):
        raise UsageError(f"expected NAME=VALUE with NAME made of letters, digits, '_' and '.', got '{text}'")
    return name, value


def load_vars_file(path: str | Path) -> dict[str, str]:
    """Variables from a JSON or YAML file holding a mapping of names to values.

    Numbers and booleans become their JSON text (``true``, ``3``); a nested mapping or list becomes its
    JSON text under its own name (ready for an object property) and its scalar members are also
    reachable by dotted names (``{{ tags.env }}``).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"vars file not found: {file}") from None
    except IsADirectoryError:
        raise UsageError(f"vars file is a directory: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read vars file {file}: {exc}") from None
    data = _decode(file, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"vars file {file} must hold a mapping of names to values, not a {_kind(data)}")
    variables: dict[str, str] = {}
    _flatten(file, data, "", variables)
    return variables


def _decode(file: Path, text: str) -> Any:
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{file}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    import yaml  # only paid for when a vars file is used

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{file}: invalid YAML: {problem}{where}") from None


def _flatten(file: Path, data: dict, prefix: str, out: dict[str, str]) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if not NAME.fullmatch(name):
            raise UsageError(
                f"{file}: '{name}' is not a variable name (letters, digits, '_' and '.', not starting with a digit)"
            )
        if value is None:
            raise UsageError(f"{file}: variable '{name}' has no value")
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, dict | list):
            out[name] = json.dumps(value)
            if isinstance(value, dict):
                _flatten(file, value, f"{name}.", out)
        else:
            out[name] = json.dumps(value) if isinstance(value, bool | int | float) else str(value)


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "value")
