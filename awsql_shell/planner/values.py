"""Values checked against a resource's schema before any call: a column's value made into the JSON the
schema wants (``coerce``), and nested objects and arrays checked key by key (``check_nested``).

Everything a statement could get wrong in a value is found here, offline, so a statement that fails
changes nothing and EXPLAIN refuses what the run would refuse.
"""

from __future__ import annotations

import contextlib
import json
import re
from functools import lru_cache
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
        raise ValidationError(f"{what} {_not_one_of(converted, column.enum)}")
    node = schema.properties.get(column.property, {})
    if kind in ("object", "array"):
        problem = check_nested(schema, node, converted, column.property)
    else:
        problem = _bounds_problem(schema.resolve(node) if isinstance(node, dict) else {}, converted)
    if problem:
        raise ValidationError(f"{what}: {problem}" if kind in ("object", "array") else f"{what} {problem}")
    return converted


def _not_one_of(value: Any, options: Any) -> str:
    shown = [str(option) for option in options]
    hint = did_you_mean(str(value), shown) if isinstance(value, str) else ""
    listed = ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "")
    return f"cannot be {json.dumps(value)}{hint}: it is one of {listed}"


def _bounds_problem(node: dict[str, Any], value: Any) -> str | None:
    """What the schema's bounds say against ``value``: minimum/maximum (and the exclusive ones), minLength,
    maxLength and pattern of strings, minItems/maxItems of arrays. Checked here, before any call, so a
    bulk change is refused whole rather than half applied when the service refuses one row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _number_problem(node, value)
    elif isinstance(value, str):
        shortest, longest = node.get("minLength"), node.get("maxLength")
        if isinstance(shortest, int) and len(value) < shortest:
            return f"must be at least {shortest} characters long, not {len(value)}"
        if isinstance(longest, int) and len(value) > longest:
            return f"must be at most {longest} characters long, not {len(value)}"
        pattern = node.get("pattern")
        if isinstance(pattern, str) and not _matches(pattern, value):
            return f"must match the pattern {pattern}"
    elif isinstance(value, list):
        fewest, most = node.get("minItems"), node.get("maxItems")
        if isinstance(fewest, int) and len(value) < fewest:
            return f"needs at least {fewest} items, not {len(value)}"
        if isinstance(most, int) and len(value) > most:
            return f"takes at most {most} items, not {len(value)}"
    return None


def _number_problem(node: dict[str, Any], value: float) -> str | None:
    low, low_open = node.get("minimum"), node.get("exclusiveMinimum") is True
    high, high_open = node.get("maximum"), node.get("exclusiveMaximum") is True
    # draft-04 (most CloudFormation schemas) writes exclusiveMinimum: true beside minimum; later drafts
    # give exclusiveMinimum the bound itself.
    if _is_number(node.get("exclusiveMinimum")):
        low, low_open = node["exclusiveMinimum"], True
    if _is_number(node.get("exclusiveMaximum")):
        high, high_open = node["exclusiveMaximum"], True
    if _is_number(low) and (value <= low if low_open else value < low):
        return f"must be {'more than' if low_open else 'at least'} {low:g}, not {value:g}"
    if _is_number(high) and (value >= high if high_open else value > high):
        return f"must be {'less than' if high_open else 'at most'} {high:g}, not {value:g}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError):
        return None  # an ECMA-262 construct Python's re does not know: Cloud Control will judge it


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.search(value) is not None  # JSON Schema patterns are not anchored


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
        # 7.5 is a number too: "not a number" would mislead; name the value.
        shown = repr(value) if isinstance(value, float) else _kind_of(value)
        raise ValidationError(f"{what} expects an integer, not {shown}")
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
    """The first problem of a JSON value against its schema node: wrong JSON type, unknown or missing keys,
    a value outside the node's enum or bounds (numbers, string lengths and patterns, array sizes)."""
    if depth > MAX_NESTED_DEPTH or not isinstance(node, dict):
        return None
    node = schema.resolve(node)
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    if kinds and not any(json_type_matches(value, kind) for kind in kinds):
        expected = " or ".join(str(k) for k in kinds)
        return f"/{path} must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}, not {_kind_of(value)}"
    enum = node.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        return f"/{path} {_not_one_of(value, enum)}"
    bounds = _bounds_problem(node, value)
    if bounds:
        return f"/{path} {bounds}"
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
