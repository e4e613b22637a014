"""JSON pointers: RFC 6901 for patches, and the ``/properties/A/*/B`` form resource schemas use.

RFC 6902 patching is implemented here (all six operations) because it is small and a dependency
would buy nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

MISSING = object()
PATCH_OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")


class PatchError(ValueError):
    """A patch document that is malformed or does not apply to the resource."""


# -- schema pointers ---------------------------------------------------------------------------


def schema_path(pointer: str) -> tuple[str, ...]:
    """``/properties/Code/ZipFile`` -> ``("Code", "ZipFile")``; ``*`` stands for every array item."""
    parts = [_unescape(part) for part in pointer.strip("/").split("/")]
    if parts and parts[0] == "properties":
        parts = parts[1:]
    return tuple(part for part in parts if part != "properties")


def values_at(document: Any, path: tuple[str, ...], trail: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every (concrete pointer, value) the schema path reaches in the document."""
    if not path:
        yield "/" + "/".join(trail), document
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(document, list):
            for index, item in enumerate(document):
                yield from values_at(item, rest, (*trail, str(index)))
        return
    if isinstance(document, dict) and head in document:
        yield from values_at(document[head], rest, (*trail, head))


def without(document: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """A copy of the document with every path removed; objects left empty by the removal go too."""
    result = copy.deepcopy(document)
    for path in paths:
        _remove(result, path)
    return result


def _remove(node: Any, path: tuple[str, ...]) -> None:
    head, rest = path[0], path[1:]
    if head == "*":
        children = node if isinstance(node, list) else []
        for child in children:
            if rest:
                _remove(child, rest)
        return
    if not isinstance(node, dict) or head not in node:
        return
    if not rest:
        del node[head]
        return
    child = node[head]
    _remove(child, rest)
    if isinstance(child, dict) and not child:
        del node[head]


def reaches(pointer: Any, path: tuple[str, ...]) -> bool:
    """Whether an RFC 6901 pointer names the schema path (``*`` matching any array index) or lies inside it."""
    try:
        tokens = parse_pointer(pointer)
    except PatchError:
        return False  # applying the patch reports it
    if len(tokens) < len(path):
        return False
    return all(token == part or (part == "*" and token.isdigit()) for token, part in zip(tokens, path, strict=False))


# -- RFC 6901 / 6902 ---------------------------------------------------------------------------


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def parse_pointer(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise PatchError(f"'{pointer}' is not a JSON pointer")
    return [_unescape(token) for token in pointer.split("/")[1:]] if pointer else []


def _index(container: list[Any], token: str, pointer: str, *, for_insert: bool) -> int:
    if token == "-" and for_insert:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError(f"'{token}' in '{pointer}' is not an array index")
    index = int(token)
    limit = len(container) if for_insert else len(container) - 1
    if index > limit:
        raise PatchError(f"array index {index} in '{pointer}' is out of range")
    return index


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    tokens = parse_pointer(pointer)
    if not tokens:
        raise PatchError("the patch path '' (the whole resource) cannot be changed")
    node = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, pointer, for_insert=False)]
        else:
            raise PatchError(f"path '{pointer}' does not exist in the resource")
    return node, tokens[-1]


def _get(document: Any, pointer: str) -> Any:
    node = document
    for token in parse_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, pointer, for_insert=False)]
        else:
            raise PatchError(f"path '{pointer}' does not exist in the resource")
    return node


def _add(document: Any, pointer: str, value: Any) -> None:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, pointer, for_insert=True), value)
    else:
        raise PatchError(f"path '{pointer}' does not exist in the resource")


def _pop(document: Any, pointer: str) -> Any:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(f"path '{pointer}' does not exist in the resource")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, pointer, for_insert=False))
    raise PatchError(f"path '{pointer}' does not exist in the resource")


def parse_patch(text: str) -> list[dict[str, Any]]:
    try:
        operations = json.loads(text)
    except (TypeError, ValueError) as error:
        raise PatchError(f"the patch document is not valid JSON: {error}") from None
    if not isinstance(operations, list):
        raise PatchError("the patch document must be a JSON array of operations")
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") not in PATCH_OPERATIONS:
            raise PatchError(f"invalid patch operation {json.dumps(operation)}: 'op' must be one of {PATCH_OPERATIONS}")
        if "path" not in operation:
            raise PatchError(f"invalid patch operation {json.dumps(operation)}: 'path' is missing")
        if operation["op"] in ("add", "replace", "test") and "value" not in operation:
            raise PatchError(f"invalid patch operation {json.dumps(operation)}: 'value' is missing")
        if operation["op"] in ("move", "copy") and "from" not in operation:
            raise PatchError(f"invalid patch operation {json.dumps(operation)}: 'from' is missing")
    return operations


def apply_patch(document: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """The patched copy; the input is never changed (a failing patch must leave the resource as it was)."""
    result = copy.deepcopy(document)
    for operation in operations:
        op, path = operation["op"], operation["path"]
        if op == "add":
            _add(result, path, copy.deepcopy(operation["value"]))
        elif op == "remove":
            _pop(result, path)
        elif op == "replace":
            _pop(result, path)
            _add(result, path, copy.deepcopy(operation["value"]))
        elif op == "move":
            if path.startswith(operation["from"] + "/"):
                raise PatchError(f"cannot move '{operation['from']}' into its own child '{path}'")
            _add(result, path, _pop(result, operation["from"]))
        elif op == "copy":
            _add(result, path, copy.deepcopy(_get(result, operation["from"])))
        elif op == "test" and _get(result, path) != operation["value"]:
            raise PatchError(f"test failed: '{path}' is not {json.dumps(operation['value'])}")
    return result
