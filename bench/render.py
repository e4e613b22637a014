"""How long each output format takes for a large result (5,000 rows of typical Lambda columns).

Run: .venv/bin/python bench/render.py [--rows N]
"""

from __future__ import annotations

import argparse
import io
import json
import time

from awsql_shell.render import RENDERERS, render
from awsql_shell.result import Result


def sample(rows: int) -> Result:
    environment = json.dumps({"Variables": {"STAGE": "prod", "TABLE_NAME": "orders", "LOG_LEVEL": "INFO"}})
    return Result.of(
        ["function_name", "runtime", "memory_size", "environment", "role", "description"],
        [
            (
                f"function-{i}",
                "python3.12",
                128 * (1 + i % 8),
                environment,
                f"arn:aws:iam::123456789012:role/team-{i % 6}-lambda-role",
                "handles orders for the storefront and writes them to DynamoDB" if i % 5 == 0 else None,
            )
            for i in range(rows)
        ],
        types={"memory_size": "integer", "environment": "object"},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    result = sample(args.rows)
    print(f"{'format':<10} {'seconds':>8}  ({args.rows:,} rows)")
    for fmt in RENDERERS:
        started = time.perf_counter()
        render(result, io.StringIO(), fmt=fmt, width=160, color=False)
        print(f"{fmt:<10} {time.perf_counter() - started:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
