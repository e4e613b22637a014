"""awsql over an AWS Organization (issue 12, item 8). Prints figures; asserts nothing.

(1) 20 accounts x 4 regions (us-east-1, us-west-2, eu-west-1, where the sandbox has fixtures, and us-east-2,
    which it serves empty: one empty page per type and account), one statement of two halves, so that awsql
    may fetch both types at once as the boto3 script does:

        SELECT 'functions' AS kind, account_id, region, count(*) AS n FROM awscc.lambda.functions
         WHERE region IN (...) GROUP BY account_id, region
        UNION ALL
        SELECT 'log_groups', account_id, region, count(*) FROM awscc.logs.log_groups
         WHERE region IN (...) GROUP BY account_id, region

    The sandbox runs as its own process (``--accounts 20 --latency-ms 50 --list-latency-ms 50`` and its
    default limit of 25 requests/s per (account, region), burst 10), every account's fixtures multiplied by
    ``--fixture-scale`` (40: up to 1,000 functions and 1,040 log groups in one account and region), so that
    the run is made of calls. count(*) needs ListResources only (functions list their identifiers; log group
    lists carry whole models), 100 functions or 50 log groups a page. Three figures, whole-process wall time:

    - awsql --org (every active account of the Organization; the caller's own directly, the others through
      OrganizationAccountAccessRole), with --rate-limit 25, with its default 20/s (both at its default
      --max-concurrency with several accounts, 64), and at --rate-limit 25 --max-concurrency 16
      (``--narrow-concurrency``), the script's own 16 threads;
    - the floor the rate limits set. For each bucket b = (account, region), with p_f and p_l the pages of
      functions and log groups the sandbox actually serves there (counted with boto3 beforehand on an
      unlimited copy of the same state), n = p_f + p_l calls, L the list latency, r = 25/s, B = 10 (burst):

          quota(b) = L + max(0, n - B) / r   the sandbox answers B calls at once, then one each 1/r s, and
                                             a call is admitted only after its latency (faults.delay, then
                                             the token bucket)
          chain(b) = max(p_f, p_l) x L       a type's pages chain (each needs the last one's NextToken), so
                                             the longer chain takes that long whatever runs beside it
          floor    = max over b of max(quota(b), chain(b))

      Both terms bound the same bucket at once, so they are maxed, not added: a sum would not be a floor.
      Discovery (ListAccounts, AssumeRole) is answered without latency by the sandbox and left out; so is
      awsql's start-up (printed beside, from a one-call run). For context, what N calls in flight allow,
      total calls x L / N, is printed too (N = 16, the script's threads), and each run's ratio to
      max(floor, calls x L / N), the bound both limits set together (N: that run's calls in flight).
    - a hand-written boto3 script, as a user writes one: the management keys, Organizations ListAccounts,
      STS AssumeRole into each member, one cloudcontrol client per (account, region) on the default session
      (the cheapest idiomatic way: a boto3 Session per account costs ~80 ms of CPU each), then a
      ThreadPoolExecutor of 16 threads, one job per (account, region) paging both types and counting, with
      botocore's standard retry mode (max_attempts 10) handling throttling, no client-side rate limiter.

                                     targets: awsql <= 1.3x the floor, >= 2x faster than the boto3 script
(2) peak RSS of the awsql process (its own rusage, os.wait4) over 100 accounts x the 17 regions the sandbox
    enables by default (it refuses the opt-in regions and the other partitions as AWS does), at fixture scale
    1 and 10 ms a call: SELECT account_id, region, count(*) FROM awscc.logs.log_groups ... GROUP BY 1, 2 (the
    fan-out itself: 1,700 (account, region) pairs) and SELECT * FROM awscc.logs.log_groups ... (its rows too).
                                                                                       target: < 300 MB

Every figure is a ratio to a baseline measured in the same run. awsql's runs are skipped, saying so, when
this awsql has no --org yet. Run: .venv/bin/python bench/org_accounts.py [--accounts N] [--fixture-scale N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable

from cloud_control import Run, environment, measured_with_output  # the same record of a run and the same credentials
from select_speed import credentials, sandbox  # the sandbox as its own process

from awsql_shell.settings import DEFAULT_ACCOUNTS_CONCURRENCY

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "us-east-2")
TYPES = {"AWS::Lambda::Function": "functions", "AWS::Logs::LogGroup": "log_groups"}
ROLE = "OrganizationAccountAccessRole"
MEMORY_TABLE = "awscc.logs.log_groups"
THREADS = 16  # the script's pool (awsql's default --max-concurrency is 64 with several accounts)
RATE, BURST = 25.0, 10  # the sandbox's default limit per (account, region)
Counts = dict[tuple[str, str, str], tuple[int, int]]  # (kind, account, region) -> (resources, pages)


def statement(regions: Iterable[str]) -> str:
    where = "WHERE region IN ({})".format(", ".join(f"'{r}'" for r in regions))
    return (
        f"SELECT 'functions' AS kind, account_id, region, count(*) AS n FROM awscc.lambda.functions {where} "
        "GROUP BY account_id, region UNION ALL "
        f"SELECT 'log_groups', account_id, region, count(*) FROM awscc.logs.log_groups {where} "
        "GROUP BY account_id, region"
    )


def enabled_regions() -> tuple[str, ...]:
    """The regions a sandbox account may call by default (not opt-in, not China or GovCloud)."""
    from awsql_shell.catalog.regions import REGIONS as KNOWN
    from awsql_shell.sandbox.config import SandboxConfig

    disabled = SandboxConfig().disabled_regions
    return tuple(r for r in KNOWN if r not in disabled)


# -- the boto3 script a user would write ------------------------------------------------------------------


def org_inventory(url: str, regions: Iterable[str], threads: int = THREADS) -> tuple[Counts, int, int]:
    """Every active account of the Organization, each (account, region) listed on ``threads`` threads.
    Returns the counts, the Cloud Control calls made and the retries botocore made for throttling."""
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=threads)
    me = boto3.client("sts", endpoint_url=url, region_name="us-east-1").get_caller_identity()["Account"]
    organizations = boto3.client("organizations", endpoint_url=url, region_name="us-east-1")
    accounts = [
        account["Id"]
        for page in organizations.get_paginator("list_accounts").paginate()
        for account in page["Accounts"]
        if account["Status"] == "ACTIVE"
    ]
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1")
    keys: dict[str, dict[str, str]] = {me: {}}
    for account in accounts:
        if account != me:
            role = f"arn:aws:iam::{account}:role/{ROLE}"
            got = sts.assume_role(RoleArn=role, RoleSessionName="inventory")["Credentials"]
            keys[account] = {
                "aws_access_key_id": got["AccessKeyId"],
                "aws_secret_access_key": got["SecretAccessKey"],
                "aws_session_token": got["SessionToken"],
            }
    clients = {
        (account, region): boto3.client(
            "cloudcontrol", endpoint_url=url, region_name=region, config=config, **keys[account]
        )
        for account in accounts
        for region in regions
    }

    def scan(job: tuple[str, str]) -> tuple[Counts, int]:
        account, region = job
        found: Counts = {}
        retries = 0
        for type_name, kind in TYPES.items():
            resources = pages = 0
            for page in clients[job].get_paginator("list_resources").paginate(TypeName=type_name):
                pages += 1
                resources += len(page["ResourceDescriptions"])
                retries += page["ResponseMetadata"].get("RetryAttempts", 0)
            found[(kind, account, region)] = (resources, pages)
        return found, retries

    counts: Counts = {}
    retries = 0
    with ThreadPoolExecutor(threads) as pool:
        for found, retried in pool.map(scan, clients):
            counts.update(found)
            retries += retried
    return counts, sum(pages for _, pages in counts.values()), retries


def run_boto3_script(url: str, regions: list[str]) -> int:
    counts, calls, retries = org_inventory(url, regions)
    print("kind,account_id,region,n")
    for (kind, account, region), (resources, _) in sorted(counts.items()):
        if resources:  # as GROUP BY gives them: no row for an empty (account, region)
            print(f"{kind},{account},{region},{resources}")
    print(f"API calls: {calls}, retries: {retries}", file=sys.stderr)
    return 0


def awsql_command(url: str, *flags: str) -> list[str]:
    return [sys.executable, "-m", "awsql_shell", "--endpoint-url", url, "--timing", "-o", "csv", *flags]


def org_support() -> str | None:
    """None when this awsql has --org; else why its runs are skipped."""
    shown = subprocess.run(
        [sys.executable, "-m", "awsql_shell", "--help"], capture_output=True, text=True, env=environment()
    )
    if re.search(r"--org(?![\w-])", shown.stdout):
        return None
    return "this awsql has no --org option yet (awsql --help does not list it)"


def attempt(command: list[str]) -> tuple[Run, str] | str:
    """The run and its stdout, or why it failed."""
    try:
        return measured_with_output(command)
    except SystemExit as failed:
        return str(failed)


def median(tries: list[tuple[Run, str] | str]) -> tuple[Run, str] | str:
    """The run of median wall time; a failure when any try failed (the first one's words)."""
    failed = [t for t in tries if isinstance(t, str)]
    if failed:
        return failed[0]
    ranked = sorted(tries, key=lambda t: t[0].seconds)  # type: ignore[index]
    return ranked[(len(ranked) - 1) // 2]


def spread(tries: list[tuple[Run, str] | str]) -> str:
    seconds = [t[0].seconds for t in tries if not isinstance(t, str)]
    return f"[{min(seconds):5.2f} - {max(seconds):5.2f}]" if seconds else ""


def rows_of(output: str) -> dict[tuple[str, str, str], int]:
    reader = csv.reader(io.StringIO(output))
    next(reader, None)
    return {(kind, account, region): int(n) for kind, account, region, n in reader}


def retries_of(stderr: str) -> int:
    found = re.search(r"retries: (\d+)", stderr)
    return int(found.group(1)) if found else 0


def throttling_shown(stderr: str) -> int:
    return sum("Throttl" in line or "Rate exceeded" in line for line in stderr.splitlines())


def agreement(got: dict[tuple[str, str, str], int], census: Counts) -> str:
    expected = {key: resources for key, (resources, _) in census.items() if resources}
    if got == expected:
        return f"rows agree with the census ({len(got)} groups)"
    missing = sorted(set(expected) - set(got))
    wrong = sorted(key for key in set(expected) & set(got) if got[key] != expected[key])
    extra = sorted(set(got) - set(expected))
    return f"ROWS DIFFER from the census: {len(missing)} missing, {len(wrong)} wrong, {len(extra)} extra; first: " + (
        ", ".join(map(str, (missing + wrong + extra)[:3]))
    )


# -- the floor ------------------------------------------------------------------------------------------


def floors(census: Counts, latency: float, rate: float = RATE, burst: int = BURST) -> tuple[float, str, int]:
    """The floor the per-(account, region) limit sets (see the module docstring), the bucket that sets it
    and the calls the statement needs."""
    buckets: dict[tuple[str, str], list[int]] = {}
    for (_, account, region), (_, pages) in census.items():
        buckets.setdefault((account, region), []).append(pages)
    worst, where = 0.0, ""
    for (account, region), chains in buckets.items():
        calls = sum(chains)
        quota = latency + max(0, calls - burst) / rate
        chain = max(chains) * latency
        if max(quota, chain) > worst:
            worst = max(quota, chain)
            limit = "quota" if quota >= chain else "page chain"
            where = f"{account} {region}: {calls} calls, longest chain {max(chains)} pages ({limit} binds)"
    return worst, where, sum(pages for _, pages in census.values())


# -- (2) peak memory ------------------------------------------------------------------------------------


def peak_rss(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, the process's own max RSS in MB (os.wait4: not the max over every child reaped so far,
    which RUSAGE_CHILDREN gives and which an earlier, larger sandbox would set), rows printed, stderr."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=environment())
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rows = max(0, sum(1 for _ in out) - 1)
        stderr = err.read()
    if process.returncode not in (0, 4):
        stderr = f"exit {process.returncode}: {stderr[-2000:]}"
    kb = usage.ru_maxrss  # kilobytes on Linux
    return seconds, kb / 1024, rows, stderr


# -- the run --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20, help="accounts of the Organization (default 20)")
    parser.add_argument("--fixture-scale", type=int, default=40, help="every account's fixtures x N (default 40)")
    parser.add_argument("--latency-ms", type=int, default=50, help="per call (default 50)")
    parser.add_argument(
        "--list-latency-ms", type=int, default=50, help="per list page (default 50; the sandbox's own is 3x)"
    )
    parser.add_argument(
        "--narrow-concurrency",
        type=int,
        default=THREADS,
        metavar="N",
        help="one more awsql run at --max-concurrency N, the script's threads (default 16; 0: skip)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each figure of (1), median shown (default 3)")
    parser.add_argument("--memory-accounts", type=int, default=100, help="accounts for (2) (default 100)")
    parser.add_argument("--memory-scale", type=int, default=1, help="fixture scale for (2) (default 1)")
    parser.add_argument("--skip-memory", action="store_true", help="skip (2)")
    parser.add_argument("--boto3-script", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--regions", default=",".join(REGIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    regions = args.regions.split(",")
    if args.boto3_script:
        return run_boto3_script(args.boto3_script, regions)
    credentials()  # the census below runs in this process, with the management account's keys
    skipped = org_support()
    sql = statement(regions)
    latency = args.list_latency_ms / 1000
    org = ("--accounts", str(args.accounts))
    script_command = [sys.executable, __file__, "--boto3-script", "URL", "--regions", ",".join(regions)]
    contestants: dict[str, list[str]] = {"boto3 script": script_command}
    if skipped is None:
        one = "SELECT count(*) AS n FROM awscc.logs.log_groups WHERE region = 'us-east-2'"
        contestants["start-up"] = awsql_command("URL", "-e", one)  # one call, the management account's, no --org
        narrow = ["--max-concurrency", str(args.narrow_concurrency)]
        contestants["--org --rate-limit 25"] = awsql_command("URL", "--org", "--rate-limit", "25", "-e", sql)
        contestants["--org (default --rate-limit 20)"] = awsql_command("URL", "--org", "-e", sql)
        if args.narrow_concurrency:
            contestants[f"--org --rate-limit 25 {' '.join(narrow)}"] = awsql_command(
                "URL", "--org", "--rate-limit", "25", *narrow, "-e", sql
            )
    outcomes: dict[str, list[tuple[Run, str] | str]] = {name: [] for name in contestants}
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state.json")
        fixtures = ("--fixture-scale", str(args.fixture_scale))
        with sandbox("--state", state, *org, *fixtures, "--rate-limit", "0") as url:
            census, _, _ = org_inventory(url, regions)
        latencies = ("--latency-ms", str(args.latency_ms), "--list-latency-ms", str(args.list_latency_ms))
        with sandbox("--state", state, *org, *latencies) as url:  # the sandbox's default 25/s limit
            for _ in range(args.runs):  # rounds, so that any drift of the machine touches every figure alike
                for name, command in contestants.items():
                    time.sleep(1)  # every bucket full again
                    outcomes[name].append(attempt([url if part == "URL" else part for part in command]))

    floor, where, calls = floors(census, latency)
    resources = sum(n for n, _ in census.values())
    in_flight = calls * latency / THREADS
    print(
        f"(1) {args.accounts} accounts x {len(regions)} regions ({', '.join(regions)}), fixture scale "
        f"{args.fixture_scale}: {resources:,} functions and log groups, {calls} ListResources pages; "
        f"{args.list_latency_ms} ms a page, {RATE:.0f}/s per (account, region), burst {BURST}; "
        f"median of {args.runs} runs [min - max]"
    )
    print("    statement: one SELECT ... UNION ALL SELECT ... (functions, log groups) grouped by account_id, region")
    print(f"    floor the rate limits set   {floor:7.2f} s   set by {where}")
    print(f"    16 calls in flight allow    {in_flight:7.2f} s   ({calls} calls x {latency * 1000:.0f} ms / 16)")
    script = median(outcomes["boto3 script"])
    if isinstance(script, str):
        print(f"    boto3 script: failed: {script}")
        return 0
    run, out = script
    print(
        f"    boto3 script, {THREADS} threads     {run.seconds:7.2f} s   {spread(outcomes['boto3 script'])}  "
        f"{run.seconds / floor:5.2f}x the floor"
    )
    print(
        f"        {run.seconds / max(floor, in_flight):4.2f}x what the floor and {THREADS} calls in flight "
        "allow together"
    )
    print(
        f"        CPU {run.cpu:5.2f} s ({run.cpu / max(1, run.calls) * 1000:.1f} ms a call, whole process), "
        f"{run.calls} calls, {retries_of(run.stderr)} retries; {agreement(rows_of(out), census)}"
    )
    script_seconds = run.seconds
    if skipped is not None:
        print(f"    awsql: skipped, {skipped}")
    for name, tries in outcomes.items():
        outcome = median(tries)
        if name == "boto3 script":
            continue
        if isinstance(outcome, str):
            print(f"    awsql {name}: failed: {outcome}")
            continue
        run, out = outcome
        if name == "start-up":
            print(f"    awsql start-up (one call)   {run.seconds:7.2f} s   (part of every awsql figure below)")
            continue
        slots = args.narrow_concurrency if "--max-concurrency" in name else DEFAULT_ACCOUNTS_CONCURRENCY
        bound = max(floor, calls * latency / slots)
        print(f"    awsql {name}")
        print(
            f"        {run.seconds:7.2f} s   {spread(tries)}  {run.seconds / floor:5.2f}x the floor (target <= 1.3x), "
            f"{script_seconds / run.seconds:5.2f}x faster than the script (target >= 2x)"
        )
        print(
            f"        {run.seconds / bound:4.2f}x what the floor and {slots} calls in flight allow together "
            f"({bound:.2f} s)"
        )
        print(
            f"        CPU {run.cpu:5.2f} s ({run.cpu / max(1, run.calls) * 1000:.1f} ms a call), {run.calls} calls, "
            f"{retries_of(run.stderr)} retries, "
            f"{throttling_shown(run.stderr)} throttling lines shown; {agreement(rows_of(out), census)}"
        )
    if args.skip_memory:
        return 0
    if skipped is not None:
        print(f"(2) awsql: skipped, {skipped}")
        return 0
    every = enabled_regions()
    in_regions = "WHERE region IN ({})".format(", ".join(f"'{r}'" for r in every))
    statements = {
        "count(*) GROUP BY 1, 2": f"SELECT account_id, region, count(*) FROM {MEMORY_TABLE} {in_regions} GROUP BY 1, 2",
        "SELECT *": f"SELECT * FROM {MEMORY_TABLE} {in_regions}",
    }
    memory_org = ("--accounts", str(args.memory_accounts), "--fixture-scale", str(args.memory_scale))
    print(
        f"(2) awscc.logs.log_groups over {args.memory_accounts} accounts x {len(every)} regions "
        f"(every region the sandbox enables), 10 ms a call; peak RSS of the awsql process (target < 300 MB)"
    )
    with sandbox(*memory_org, "--latency-ms", "10", "--list-latency-ms", "10") as url:
        for name, memory_sql in statements.items():
            time.sleep(1)
            seconds, peak_mb, rows, stderr = peak_rss(
                awsql_command(url, "--org", "--rate-limit", "25", "-e", memory_sql)
            )
            found = re.search(r"API calls: (\d+)", stderr)
            print(
                f"    {name:<24} {peak_mb:6.1f} MB   {rows:,} rows, {found.group(1) if found else '?'} calls "
                f"in {seconds:.1f} s"
            )
            if stderr.startswith("exit"):
                print(f"    awsql failed: {stderr}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
