"""Cold start of metadata statements beside the cost of importing boto3, measured in the same run.

Target (issue 2): `awsql -e "SHOW SERVICES"` at most 1.2x `python -c "import boto3"`.
Run: .venv/bin/python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

STATEMENTS = (
    "SHOW SERVICES",
    "SHOW RESOURCES IN awscc.lambda",
    "DESCRIBE awscc.lambda.functions",
    "SHOW INSERT INTO awscc.s3.buckets",
    "SELECT 1 AS x",
)


def cold_run(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def median_ms(command: list[str], runs: int) -> float:
    cold_run(command)  # one discarded run warms the OS file cache, as on a user's machine
    return statistics.median(cold_run(command) for _ in range(runs)) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    python = sys.executable
    baseline = median_ms([python, "-c", "import boto3"], args.runs)
    bare = median_ms([python, "-c", "pass"], args.runs)
    print(f"{'command':<48} {'median ms':>10} {'x boto3':>8}")
    print(f"{'python -c pass':<48} {bare:>10.1f} {bare / baseline:>8.2f}")
    print(f"{'python -c import boto3':<48} {baseline:>10.1f} {1.0:>8.2f}")
    worst = 0.0
    for sql in STATEMENTS:
        ms = median_ms([python, "-m", "awsql_shell", "-o", "csv", "-e", sql], args.runs)
        worst = max(worst, ms / baseline)
        print(f"{'awsql -e ' + repr(sql):<48} {ms:>10.1f} {ms / baseline:>8.2f}")
    verdict = "met" if worst <= 1.2 else "NOT met"
    print(f"target: metadata statements <= 1.2x the boto3 import; worst {worst:.2f}x: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
