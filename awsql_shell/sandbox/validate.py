"""Model validation against a resource schema: the subset of JSON Schema CloudFormation schemas use.

Messages follow the form Cloud Control reports (``#/MemorySize: expected type: Integer, found: String``).
Regular expressions written for JavaScript that Python cannot compile are not checked, rather than
rejecting values the real service would accept.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from awsql_shell.catalog.schema import ResourceSchema, json_type_matches

MAX_ERRORS = 5
_TYPE_NAMES = {
    dict: "JSONObject",
    list: "JSONArray",
    str: "String",
    bool: "Boolean",
    int: "Integer",
    float: "Number",
    type(None): "Null",
}
_KIND_NAMES = {
    "object": "JSONObject",
    "array": "JSONArray",
    "string": "String",
    "boolean": "Boolean",
    "integer": "Integer",
    "number": "Number",
    "null": "Null",
}


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def validate_model(schema: ResourceSchema, model: dict[str, Any]) -> list[str]:
    """Every violation (at most a few) of the model against the schema; empty when it is valid."""
    errors: list[str] = []
    _check(schema, schema.raw, model, "#", errors)
    return errors[:MAX_ERRORS]


def _check(schema: ResourceSchema, node: Any, value: Any, where: str, errors: list[str]) -> None:
    if len(errors) >= MAX_ERRORS or not isinstance(node, dict):
        return
    node = schema.resolve(node)
    kinds = node.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(json_type_matches(value, kind) for kind in kinds):
            expected = " or ".join(_KIND_NAMES.get(kind, str(kind)) for kind in kinds)
            errors.append(f"{where}: expected type: {expected}, found: {_TYPE_NAMES.get(type(value), 'Unknown')}")
            return
    if "enum" in node and value not in node["enum"]:
        allowed = ", ".join(json.dumps(option) for option in node["enum"][:20])
        errors.append(f"{where}: {json.dumps(value)} is not a valid enum value (allowed: {allowed})")
    if "const" in node and value != node["const"]:
        errors.append(f"{where}: {json.dumps(value)} is not {json.dumps(node['const'])}")
    if isinstance(value, str):
        _check_string(node, value, where, errors)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_number(node, value, where, errors)
    elif isinstance(value, list):
        _check_array(schema, node, value, where, errors)
    elif isinstance(value, dict):
        _check_object(schema, node, value, where, errors)
    _check_combinators(schema, node, value, where, errors)


def _check_string(node: dict[str, Any], value: str, where: str, errors: list[str]) -> None:
    if "minLength" in node and len(value) < node["minLength"]:
        errors.append(f"{where}: expected minLength: {node['minLength']}, actual: {len(value)}")
    if "maxLength" in node and len(value) > node["maxLength"]:
        errors.append(f"{where}: expected maxLength: {node['maxLength']}, actual: {len(value)}")
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        compiled = _compiled(pattern)
        if compiled is not None and not compiled.search(value):
            errors.append(f"{where}: string [{value}] does not match pattern {pattern}")


def _check_number(node: dict[str, Any], value: float, where: str, errors: list[str]) -> None:
    if "minimum" in node and value < node["minimum"]:
        errors.append(f"{where}: {value} is not greater or equal to {node['minimum']}")
    if "maximum" in node and value > node["maximum"]:
        errors.append(f"{where}: {value} is not less or equal to {node['maximum']}")
    low, high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    # draft-04 writes these as booleans beside minimum/maximum; only numbers are bounds of their own
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value <= low:
        errors.append(f"{where}: {value} is not greater than {low}")
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value >= high:
        errors.append(f"{where}: {value} is not less than {high}")


def _check_array(schema: ResourceSchema, node: dict[str, Any], value: list[Any], where: str, errors: list[str]) -> None:
    if "minItems" in node and len(value) < node["minItems"]:
        errors.append(f"{where}: expected minimum item count: {node['minItems']}, found: {len(value)}")
    if "maxItems" in node and len(value) > node["maxItems"]:
        errors.append(f"{where}: expected maximum item count: {node['maxItems']}, found: {len(value)}")
    if node.get("uniqueItems"):
        seen = set()
        for item in value:
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                errors.append(f"{where}: array items are not unique")
                break
            seen.add(key)
    items = node.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            _check(schema, items, item, f"{where}/{index}", errors)
    elif isinstance(items, list):
        for index, (item, item_schema) in enumerate(zip(value, items, strict=False)):
            _check(schema, item_schema, item, f"{where}/{index}", errors)


def _check_object(schema: ResourceSchema, node: dict[str, Any], value: dict[str, Any], where: str, errors: list[str]):
    for name in node.get("required", []):
        if name not in value:
            errors.append(f"{where}: required key [{name}] not found")
    properties = node.get("properties", {})
    patterns = node.get("patternProperties", {})
    additional = node.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _check(schema, properties[key], item, f"{where}/{key}", errors)
            continue
        matched = [p for p in patterns if (_compiled(p) or re.compile("")).search(key)]
        for pattern in matched:
            _check(schema, patterns[pattern], item, f"{where}/{key}", errors)
        if matched:
            continue
        if additional is False:
            errors.append(f"{where}: extraneous key [{key}] is not permitted")
        elif isinstance(additional, dict):
            _check(schema, additional, item, f"{where}/{key}", errors)
    if "minProperties" in node and len(value) < node["minProperties"]:
        errors.append(f"{where}: minimum size: [{node['minProperties']}], found: [{len(value)}]")
    if "maxProperties" in node and len(value) > node["maxProperties"]:
        errors.append(f"{where}: maximum size: [{node['maxProperties']}], found: [{len(value)}]")
    for key, needed in (node.get("dependencies") or {}).items():
        if key in value and isinstance(needed, list):
            for other in needed:
                if other not in value:
                    errors.append(f"{where}: property [{key}] requires [{other}]")


def _check_combinators(schema: ResourceSchema, node: dict[str, Any], value: Any, where: str, errors: list[str]) -> None:
    for option in node.get("allOf", []):
        _check(schema, option, value, where, errors)
    for combinator in ("anyOf", "oneOf"):
        options = node.get(combinator)
        if not options:
            continue
        passing = sum(1 for option in options if not _errors_of(schema, option, value, where))
        if combinator == "anyOf" and passing == 0:
            errors.append(f"{where}: no subschema matched out of the total {len(options)} subschemas")
        if combinator == "oneOf" and passing != 1:
            errors.append(f"{where}: {passing} subschemas matched instead of one")
    negated = node.get("not")
    if isinstance(negated, dict) and not _errors_of(schema, negated, value, where):
        errors.append(f"{where}: subject must not be valid against schema {json.dumps(negated)[:200]}")


def _errors_of(schema: ResourceSchema, node: Any, value: Any, where: str) -> list[str]:
    errors: list[str] = []
    _check(schema, node, value, where, errors)
    return errors
