"""RFC 6902 patches as the sandbox applies them to resource models (the edge cases of RFC 6901 pointers)."""

from __future__ import annotations

from typing import Any

import pytest

from awsql_shell.sandbox.pointer import PatchError, apply_patch, parse_patch, schema_path, values_at, without

MODEL: dict[str, Any] = {
    "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
    "Environment": {"Variables": {"A/B": "slash", "C~D": "tilde"}},
    "Timeout": 3,
}


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ('[{"op": "add", "path": "/Tags/1", "value": {"Key": "x"}}]', ["a", "x", "b"]),
        ('[{"op": "add", "path": "/Tags/-", "value": {"Key": "z"}}]', ["a", "b", "z"]),
        ('[{"op": "replace", "path": "/Tags/0/Key", "value": "q"}]', ["q", "b"]),
        ('[{"op": "remove", "path": "/Tags/1"}]', ["a"]),
        ('[{"op": "move", "from": "/Tags/0", "path": "/Tags/-"}]', ["b", "a"]),
    ],
)
def test_array_operations(patch: str, expected: list[str]) -> None:
    assert [tag["Key"] for tag in apply_patch(MODEL, parse_patch(patch))["Tags"]] == expected


def test_escaped_pointer_tokens() -> None:
    patch = [
        {"op": "remove", "path": "/Environment/Variables/A~1B"},
        {"op": "replace", "path": "/Environment/Variables/C~0D", "value": "x"},
    ]
    assert apply_patch(MODEL, patch)["Environment"] == {"Variables": {"C~D": "x"}}


def test_a_failing_patch_leaves_the_model_unchanged() -> None:
    patch = '[{"op": "replace", "path": "/Timeout", "value": 9}, {"op": "remove", "path": "/Missing"}]'
    with pytest.raises(PatchError, match="does not exist"):
        apply_patch(MODEL, parse_patch(patch))
    assert MODEL["Timeout"] == 3


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ('[{"op": "add", "path": "/Tags/9", "value": 1}]', "out of range"),
        ('[{"op": "add", "path": "/Tags/01", "value": 1}]', "not an array index"),
        ('[{"op": "move", "from": "/Environment", "path": "/Environment/Variables/X"}]', "own child"),
        ('[{"op": "replace", "path": "", "value": {}}]', "whole resource"),
        ('[{"op": "copy", "path": "/X"}]', "'from' is missing"),
        ("not json", "not valid JSON"),
    ],
)
def test_invalid_patches(patch: str, message: str) -> None:
    with pytest.raises(PatchError, match=message):
        apply_patch(MODEL, parse_patch(patch))


def test_schema_pointers_with_wildcards() -> None:
    path = schema_path("/properties/Tags/*/Value")
    assert dict(values_at(MODEL, path)) == {"/Tags/0/Value": "1", "/Tags/1/Value": "2"}
    assert without(MODEL, [path])["Tags"] == [{"Key": "a"}, {"Key": "b"}]
    assert "Environment" not in without(MODEL, [schema_path("/properties/Environment/Variables")])
