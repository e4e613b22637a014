"""json (one array of objects per result) and jsonl (one object per line).

Object and array columns (``Result.types``) are emitted as nested JSON rather than strings holding
JSON, so ``jq '.[0].destination_config.OnFailure'`` works; numbers stay numbers, NULL is ``null``.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from awsql_shell.render.options import RenderOptions
from awsql_shell.render.values import as_json, typed, unique_keys
from awsql_shell.result import Result


def row_objects(result: Result) -> list[dict[str, Any]]:
    keys = unique_keys(result.columns)
    kinds = [result.types.get(name) for name in result.columns]
    return [
        {key: as_json(typed(value, kind), kind) for key, value, kind in zip(keys, row, kinds, strict=True)}
        for row in result.rows
    ]


def render_json(result: Result, out: TextIO, options: RenderOptions) -> None:
    json.dump(row_objects(result), out, indent=2, ensure_ascii=False, default=str)
    out.write("\n")


def render_jsonl(result: Result, out: TextIO, options: RenderOptions) -> None:
    for obj in row_objects(result):
        out.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
