"""SELECT speed and memory against the sandbox (issue 4, item 7). Prints figures; asserts nothing.

(a) SELECT * FROM awscc.lambda.functions over 3 regions, 200 functions per region, 20 ms per call:
    awsql beside a plain sequential boto3 list+get loop, and beside the ideal critical path
    (pages x latency + ceil(gets / concurrency) x latency).            targets: >= 10x the loop, <= 1.3x ideal
(b) the same statement again in the same session, from the cache.     target: < 100 ms
(c) peak RSS of `awsql` printing a 10,000-row SELECT * result.         target: < 200 MB

The sandbox runs as its own process (python -m awsql_shell.sandbox), as AWS would be remote.
Run: .venv/bin/python bench/select_speed.py [--skip-memory]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
LATENCY_MS = 20
PAGE_SIZE = 20
CONCURRENCY = 16
FUNCTIONS_PER_REGION = 200
SQL = "SELECT * FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'us-west-2', 'eu-west-1')"


@contextmanager
def sandbox(*flags: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "awsql_shell.sandbox", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        yield line.removeprefix("listening on ")
    finally:
        process.terminate()
        process.wait(timeout=30)


def credentials() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true")
    os.environ.pop("AWS_PROFILE", None)


def top_up_functions(url: str, per_region: int) -> None:
    """Create functions until every region holds ``per_region`` (the fixtures are uneven across regions)."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    import boto3

    for region in REGIONS:
        client = boto3.client("cloudcontrol", endpoint_url=url, region_name=region)
        have = sum(
            len(page["ResourceDescriptions"])
            for page in client.get_paginator("list_resources").paginate(TypeName="AWS::Lambda::Function")
        )

        def create(number: int, client=client, region=region) -> None:
            state = {
                "FunctionName": f"bench-{region}-{number}",
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "Role": "arn:aws:iam::123456789012:role/bench-role",
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
                "MemorySize": 256,
            }
            client.create_resource(TypeName="AWS::Lambda::Function", DesiredState=json.dumps(state))

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(per_region - have)))


def boto3_loop(url: str) -> tuple[float, int, int]:
    """What a user would write by hand: for each region, every page, then GetResource one by one."""
    import json

    import boto3

    started = time.perf_counter()
    rows = pages = 0
    for region in REGIONS:
        client = boto3.client("cloudcontrol", endpoint_url=url, region_name=region)
        token = None
        while True:
            kwargs = {"TypeName": "AWS::Lambda::Function", **({"NextToken": token} if token else {})}
            page = client.list_resources(**kwargs)
            pages += 1
            for description in page["ResourceDescriptions"]:
                got = client.get_resource(TypeName="AWS::Lambda::Function", Identifier=description["Identifier"])
                json.loads(got["ResourceDescription"]["Properties"])
                rows += 1
            token = page.get("NextToken")
            if not token:
                break
    return time.perf_counter() - started, rows, pages


def boto3_threads(url: str) -> float:
    """The best a hand-written loop does: every page, then all GetResource calls on CONCURRENCY threads,
    one client per region (botocore clients are thread-safe). The floor botocore's CPU cost sets here."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from botocore.config import Config

    started = time.perf_counter()
    config = Config(max_pool_connections=CONCURRENCY)
    clients = {r: boto3.client("cloudcontrol", endpoint_url=url, region_name=r, config=config) for r in REGIONS}

    def identifiers(region: str) -> list[tuple[str, str]]:
        pages = clients[region].get_paginator("list_resources").paginate(TypeName="AWS::Lambda::Function")
        return [(region, d["Identifier"]) for page in pages for d in page["ResourceDescriptions"]]

    def get(item: tuple[str, str]) -> dict:
        region, identifier = item
        got = clients[region].get_resource(TypeName="AWS::Lambda::Function", Identifier=identifier)
        return json.loads(got["ResourceDescription"]["Properties"])

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        listed = [item for items in pool.map(identifiers, REGIONS) for item in items]
        list(pool.map(get, listed))
    return time.perf_counter() - started


def awsql_runs(url: str) -> tuple[float, float, int]:
    from awsql_shell.session import Session
    from awsql_shell.settings import Settings

    session = Session(Settings(endpoint_url=url, max_concurrency=CONCURRENCY, rate_limit=0))
    started = time.perf_counter()
    (result,) = session.run(SQL)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    (again,) = session.run(SQL)
    cached = time.perf_counter() - started
    assert again.rows == result.rows
    return cold, cached, len(result.rows)


def peak_memory(url: str) -> tuple[float, int, float]:
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "awsql_shell",
            "--endpoint-url",
            url,
            "--rate-limit",
            "0",
            "-o",
            "csv",
            "-e",
            "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak_kb / 1024, len(run.stdout.splitlines()) - 1, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-memory", action="store_true", help="skip (c), which lists 10,000 functions")
    args = parser.parse_args()
    credentials()
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state.json")
        # Neither side rate limited: this measures awsql's own overhead (bench/cloud_control.py measures the
        # limits). A list page costs what a read does here, as the ideal path below assumes.
        unlimited = ("--rate-limit", "0")
        with sandbox("--state", state, "--request-delay-ms", "0", *unlimited) as url:
            top_up_functions(url, FUNCTIONS_PER_REGION)
        latency = ("--latency-ms", str(LATENCY_MS), "--list-latency-ms", str(LATENCY_MS))
        with sandbox("--state", state, *latency, "--page-size", str(PAGE_SIZE), *unlimited) as url:
            loop_seconds, loop_rows, pages = boto3_loop(url)
            threads_seconds = boto3_threads(url)
            cold, cached, rows = awsql_runs(url)
    per_region_pages = math.ceil(pages / len(REGIONS))
    ideal = (per_region_pages + math.ceil(loop_rows / CONCURRENCY)) * LATENCY_MS / 1000
    print(f"(a) {rows} rows ({loop_rows} by the loop), {pages} list pages, {LATENCY_MS} ms per call")
    print(f"    sequential boto3 loop   {loop_seconds:8.2f} s")
    print(f"    boto3, {CONCURRENCY} threads        {threads_seconds:8.2f} s   (list, then every get in parallel)")
    print(f"    awsql                   {cold:8.2f} s   {loop_seconds / cold:5.1f}x faster (target >= 10x)")
    print(f"    ideal critical path     {ideal:8.2f} s   awsql at {cold / ideal:4.2f}x of it (target <= 1.3x)")
    print(f"(b) again from the cache    {cached * 1000:8.1f} ms  (target < 100 ms)")
    if not args.skip_memory:
        with sandbox("--fixture-scale", "400", "--page-size", "100", "--rate-limit", "0") as url:
            peak_mb, printed, elapsed = peak_memory(url)
        print(f"(c) peak RSS for {printed:,} rows of SELECT *: {peak_mb:6.1f} MB in {elapsed:.1f} s (target < 200 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
