"""awsql against Cloud Control as it really behaves (issue 10). Prints figures; asserts nothing.

(a) SELECT * FROM awscc.lambda.functions over 3 regions x 200 functions, 100 ms per call (pages and gets),
    no rate limit on either side: awsql's whole-process time beside the ideal critical path (each region's
    first page, then every other call through ``--max-concurrency`` slots) and beside a hand-tuned boto3
    script (16 threads, one client per region).        targets: <= 1.2x the ideal, >= 1.2x faster than boto3
(b) the same statement under the sandbox's default limit of 25 requests/s per region (its AWS-like
    default): awsql beside the floor the limit sets (calls / (rate x regions)), with the default
    --rate-limit (20/s) and with --rate-limit 25; throttling errors that reached the user are counted.
                                                       target: <= 1.15x the floor, no throttling error
(c) client CPU per Cloud Control call (user + system time of the whole process / calls), awsql beside the
    boto3 script, from the processes' own resource usage, on the runs of (a).   target: below boto3's

The sandbox runs as its own process (python -m awsql_shell.sandbox), as AWS would be remote; every figure is
a ratio to a baseline measured in the same run.
Run: .venv/bin/python bench/cloud_control.py [--functions N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from select_speed import REGIONS, sandbox, top_up_functions  # the same sandbox and functions

LATENCY_MS = 100
CONCURRENCY = 16
PAGE_SIZE = 100  # what AWS::Lambda::Function lists per page on AWS (the sandbox's per-type default too)
SQL = "SELECT * FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'us-west-2', 'eu-west-1')"


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "AWSQL"))}
    env.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true")
    return env


def top_up(url: str, per_region: int) -> None:
    os.environ.update(environment())
    top_up_functions(url, per_region)


@dataclass
class Run:
    seconds: float
    cpu: float
    calls: int
    rows: int
    stderr: str


def measured(command: list[str]) -> Run:
    return measured_with_output(command)[0]


def measured_with_output(command: list[str]) -> tuple[Run, str]:
    """One whole-process run: wall and CPU time (of the process alone), the calls it reports, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment(), check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 4):
        raise SystemExit(f"{command[:4]} failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    calls = rows = 0
    for line in done.stderr.splitlines():
        if "API calls:" in line:
            calls = int(line.split("API calls:")[1].split(",")[0])
    rows = max(0, len(done.stdout.splitlines()) - 1)
    return Run(seconds, cpu, calls, rows, done.stderr), done.stdout


ONE_CALL_SQL = "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND Identifier = 'orders-api'"


def awsql(url: str, *flags: str, sql: str = SQL) -> Run:
    command = [sys.executable, "-m", "awsql_shell", "--endpoint-url", url, "--timing", "-o", "csv"]
    return measured([*command, "--max-concurrency", str(CONCURRENCY), *flags, "-e", sql])


def boto3_script(url: str, *flags: str) -> Run:
    return measured([sys.executable, __file__, "--boto3-script", url, *flags])


def run_boto3_script(url: str, one_call: bool = False) -> int:
    """The hand-tuned script a user would write: one client per region, every region's pages, then all the
    GetResource calls on 16 threads. Prints rows as CSV-ish lines and its call count like --timing does."""
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from botocore.config import Config

    config = Config(max_pool_connections=CONCURRENCY, retries={"mode": "standard", "max_attempts": 10})
    clients = {r: boto3.client("cloudcontrol", endpoint_url=url, region_name=r, config=config) for r in REGIONS}
    calls = 0
    if one_call:  # what starting up costs: the same imports and clients, one call
        clients["us-east-1"].get_resource(TypeName="AWS::Lambda::Function", Identifier="orders-api")
        print("API calls: 1", file=sys.stderr)
        return 0

    def identifiers(region: str) -> list[tuple[str, str]]:
        nonlocal calls
        found = []
        for page in clients[region].get_paginator("list_resources").paginate(TypeName="AWS::Lambda::Function"):
            calls += 1
            found += [(region, d["Identifier"]) for d in page["ResourceDescriptions"]]
        return found

    def get(item: tuple[str, str]) -> str:
        region, identifier = item
        got = clients[region].get_resource(TypeName="AWS::Lambda::Function", Identifier=identifier)
        return json.dumps(json.loads(got["ResourceDescription"]["Properties"]))

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        listed = [item for items in pool.map(identifiers, REGIONS) for item in items]
        rows = list(pool.map(get, listed))
    calls += len(listed)
    print("properties")
    print("\n".join(rows))
    print(f"API calls: {calls}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=200, help="functions per region (default 200)")
    parser.add_argument("--boto3-script", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--one-call", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.boto3_script:
        return run_boto3_script(args.boto3_script, args.one_call)
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state.json")
        with sandbox("--state", state, "--request-delay-ms", "0", "--rate-limit", "0") as url:
            top_up(url, args.functions)
        latency = ["--latency-ms", str(LATENCY_MS), "--list-latency-ms", str(LATENCY_MS)]
        with sandbox("--state", state, "--rate-limit", "0", *latency) as url:
            script = boto3_script(url)
            fast = awsql(url, "--rate-limit", "0")
            script_start = boto3_script(url, "--one-call")
            awsql_start = awsql(url, "--rate-limit", "0", sql=ONE_CALL_SQL)
        with sandbox("--state", state, "--latency-ms", "20") as url:  # the sandbox's default 25/s limit
            limited = awsql(url)
            at_quota = awsql(url, "--rate-limit", "25")
    gets = fast.rows
    pages = fast.calls - gets
    ideal = LATENCY_MS / 1000 * (1 + math.ceil((gets + pages - len(REGIONS)) / CONCURRENCY))
    print(f"(a) {fast.rows} rows, {fast.calls} calls ({pages} list pages), {LATENCY_MS} ms per call, no rate limit")
    print(f"    ideal critical path       {ideal:7.2f} s")
    print(
        f"    awsql                     {fast.seconds:7.2f} s   {fast.seconds / ideal:4.2f}x the ideal (target <= 1.2x)"
    )
    speedup = script.seconds / fast.seconds
    print(f"    boto3 script, {CONCURRENCY} threads  {script.seconds:7.2f} s   awsql {speedup:4.2f}x faster (>= 1.2x)")
    for name, run in (("--rate-limit 20 (default)", limited), ("--rate-limit 25", at_quota)):
        floor = run.calls / (25.0 * len(REGIONS))
        throttled = sum("Throttl" in line or "Rate exceeded" in line for line in run.stderr.splitlines())
        print(
            f"(b) {name:26} {run.seconds:7.2f} s for {run.calls} calls; the 25/s floor {floor:5.2f} s: "
            f"{run.seconds / floor:4.2f}x (target <= 1.15x); throttling errors shown: {throttled}"
        )
    marginal = {}
    for name, run, start in (("awsql", fast, awsql_start), ("boto3 script", script, script_start)):
        per_call = run.cpu / run.calls * 1000
        marginal[name] = (run.cpu - start.cpu) / (run.calls - start.calls) * 1000
        print(
            f"(c) {name:13} CPU {run.cpu:6.2f} s / {run.calls} calls = {per_call:5.2f} ms per call; "
            f"start-up {start.cpu:5.2f} s, so {marginal[name]:5.2f} ms per call beyond it"
        )
    whole = fast.cpu / fast.calls / (script.cpu / script.calls)
    print(
        f"    awsql at {whole:4.2f}x boto3's CPU per call, whole process; "
        f"{marginal['awsql'] / marginal['boto3 script']:4.2f}x beyond start-up (target < 1)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
