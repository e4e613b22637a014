"""Values checked against a resource's schema before any call: a column's value made into the JSON the
schema wants (``coerce``), and nested objects and arrays checked key by key (``check_nested``).

Everything a statement could get wrong in a value is found here, offline, so a statement that fails
changes nothing and EXPLAIN refuses what the run would refuse.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from awsql_shell.catalog import Column, ResourceSchema
from awsql_shell.catalog.naming import fold
from awsql_shell.catalog.schema import json_type_matches
from awsql_shell.errors import ValidationError, did_you_mean

MAX_NESTED_DEPTH = 12
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_INTEGER = re.compile(r"[+-]?\d+")


def label(column: Column) -> str:
    return column.name if column.name == column.property else f"{column.name} ({column.property})"


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"'{value}'" if isinstance(value, str) else type(value).__name__


def _refuse_template(value: Any, what: str) -> None:
    if isinstance(value, str) and _TEMPLATE.search(value):
        raise ValidationError(
            f"{what}: '{_TEMPLATE.search(value).group(0)}' is a template expression; awsql substitutes plain "  # type: ignore[union-attr]
            "{{ name }} variables only (--var, --vars-file, \\set)"
        )


def coerce(schema: ResourceSchema, column: Column, value: Any, where: str = "") -> Any:
    """``value`` as the JSON the schema wants for ``column``: JSON text parsed for objects and arrays,
    numbers and booleans from their text; anything that cannot be made to fit is an error naming the column."""
    what = f"{where}{label(column)}"
    _refuse_template(value, what)
    kind = column.type
    converted = _convert(kind, value, what)
    if column.enum and converted not in column.enum:
        options = [str(option) for option in column.enum]
        hint = did_you_mean(str(converted), options) if isinstance(converted, str) else ""
        listed = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
        raise ValidationError(f"{what} cannot be {json.dumps(converted)}{hint}: it is one of {listed}")
    if kind in ("object", "array"):
        problem = check_nested(schema, schema.properties.get(column.property, {}), converted, column.property)
        if problem:
            raise ValidationError(f"{what}: {problem}")
    return converted


def _convert(kind: str, value: Any, what: str) -> Any:
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value
    elif kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            with contextlib.suppress(ValueError):  # more digits than Python reads: no integer a schema wants
                return int(value.strip())
        raise ValidationError(f"{what} expects an integer, not {_kind_of(value)}")
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = value.strip()
            if _INTEGER.fullmatch(text):
                with contextlib.suppress(ValueError):
                    return int(text)
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and number == number and abs(number) != float("inf"):
                return number
        raise ValidationError(f"{what} expects a number, not {_kind_of(value)}")
    elif kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)  # SQLite has no booleans: a query over resources gives 0 and 1
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        raise ValidationError(f"{what} expects a boolean (TRUE, FALSE, 'true' or 'false'), not {_kind_of(value)}")
    elif kind in ("object", "array"):
        wanted = dict if kind == "object" else list
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"{what} holds invalid JSON: {exc.msg} at character {exc.pos + 1}") from None
        if isinstance(value, wanted):
            return value
        raise ValidationError(f"{what} expects a JSON {kind}, not {_kind_of(value)}")
    raise ValidationError(f"{what} expects a string, not {_kind_of(value)}")


def check_nested(schema: ResourceSchema, node: Any, value: Any, path: str, depth: int = 0) -> str | None:
    """The first problem of a JSON value against its schema node: wrong JSON type, unknown or missing keys.

    Patterns, lengths and bounds are left to Cloud Control, which reports them itself."""
    if depth > MAX_NESTED_DEPTH or not isinstance(node, dict):
        return None
    node = schema.resolve(node)
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    if kinds and not any(json_type_matches(value, kind) for kind in kinds):
        expected = " or ".join(str(k) for k in kinds)
        return f"/{path} must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}, not {_kind_of(value)}"
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        for name in node.get("required", []):
            if name not in value:
                return f"/{path} needs {name}"
        closed = node.get("additionalProperties") is False and not node.get("patternProperties")
        for key, item in value.items():
            if key in properties:
                problem = check_nested(schema, properties[key], item, f"{path}/{key}", depth + 1)
                if problem:
                    return problem
            elif closed and properties:
                return f"/{path} has no property {key}{did_you_mean(key, properties, key=fold)}"
    elif isinstance(value, list):
        items = node.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                problem = check_nested(schema, items, item, f"{path}/{index}", depth + 1)
                if problem:
                    return problem
    return None
