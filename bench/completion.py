"""Completion latency per keystroke over the full catalog: p50 and p99 of get_completions.

Run: .venv/bin/python bench/completion.py [--rounds N]

Each case is a partial statement with the cursor at `|` (text after it is what follows the cursor).
Timing covers what the prompt does on a keystroke: build the Document, call get_completions, and
materialize the candidate list. Figures are taken warm (after one untimed pass, which decodes the
schemas involved); the cold pass is printed too. The target is p99 < 10 ms. Nothing here fails on
timing: it prints figures.
"""

from __future__ import annotations

import argparse
import statistics
import time

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from awsql_shell.catalog import default_catalog
from awsql_shell.shell.completion import AwsqlCompleter, SessionValues

TARGET_P99_MS = 10.0

CASES: tuple[str, ...] = (
    "|",
    "sel|",
    "SELECT * FROM |",
    "SELECT * FROM awscc.|",
    "SELECT * FROM awscc.lam|",
    "SELECT * FROM awscc.lambda.|",
    "SELECT * FROM awscc.lambda.evic|",
    "SELECT * FROM awscc.ec2.|",
    "SELECT * FROM awscc.ec2.sec|",
    "SELECT * FROM awscc.ec2.sg|",
    "SELECT * FROM l|",
    "SELECT * FROM la|",
    "SELECT * FROM secgrp|",
    "SELECT |",
    "SELECT | FROM awscc.lambda.functions",
    "SELECT fun| FROM awscc.lambda.functions",
    "SELECT f.| FROM awscc.lambda.functions f",
    "SELECT f.fun| FROM awscc.lambda.functions f",
    "SELECT f.function_name, c.max| FROM awscc.lambda.functions f JOIN awscc.lambda.event_invoke_configs c",
    "SELECT * FROM awscc.lambda.functions f JOIN awscc.lambda.event_invoke_configs c ON c.|",
    "SELECT * FROM awscc.ec2.instances WHERE |",
    "SELECT * FROM awscc.ec2.instances WHERE region = |",
    "SELECT * FROM awscc.ec2.instances WHERE region = 'us-|",
    "SELECT * FROM awscc.s3.buckets WHERE region IN ('us-east-1', '|",
    "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND Identifier = '|",
    "SELECT region, count(*) FROM awscc.s3.buckets GROUP BY |",
    "SELECT * FROM awscc.ec2.vpcs ORDER BY c|",
    "INSERT INTO awscc.lambda.event_invoke_configs (|",
    "INSERT INTO awscc.lambda.event_invoke_configs (FunctionName, Qual|",
    "UPDATE awscc.lambda.event_invoke_configs SET max|",
    "SHOW RESOURCES IN awscc.|",
    "DESCRIBE awscc.iam.r|",
    "\\|",
    "\\o |",
    "\\region eu|",
    "SELECT 1; SELECT * FROM awscc.cloud_control.resources WHERE TypeName = 'AWS::Lambda::|",
)


def _documents() -> list[Document]:
    documents = []
    for case in CASES:
        before, _, after = case.partition("|")
        documents.append(Document(before + after, cursor_position=len(before)))
    return documents


def _time_once(completer: AwsqlCompleter, document: Document) -> tuple[float, int]:
    event = CompleteEvent(completion_requested=True)
    started = time.perf_counter()
    # A fresh Document per keystroke, as the prompt builds one for every buffer change.
    fresh = Document(document.text, document.cursor_position)
    found = list(completer.get_completions(fresh, event))
    return (time.perf_counter() - started) * 1000, len(found)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="timed passes over all cases (default 50)")
    args = parser.parse_args()

    started = time.perf_counter()
    catalog = default_catalog()
    load_ms = (time.perf_counter() - started) * 1000
    values = SessionValues(default_region="us-east-1")
    values.remember("AWS::Lambda::Function", [f"function-{n}" for n in range(200)])
    completer = AwsqlCompleter(catalog, values)
    documents = _documents()

    cold = [_time_once(completer, document)[0] for document in documents]
    per_case: list[list[float]] = [[] for _ in documents]
    counts = [0] * len(documents)
    for _ in range(args.rounds):
        for index, document in enumerate(documents):
            elapsed, counts[index] = _time_once(completer, document)
            per_case[index].append(elapsed)

    width = max(len(case) for case in CASES)
    width = min(width, 70)
    print(f"catalog: {len(catalog)} types, loaded in {load_ms:.1f} ms; {args.rounds} warm rounds x {len(CASES)} cases")
    print(f"{'case (| = cursor)':<{width}}  {'cands':>5}  {'cold':>7}  {'p50':>7}  {'p99':>7}")
    for case, samples, count, first in zip(CASES, per_case, counts, cold, strict=True):
        shown = case if len(case) <= width else "..." + case[-(width - 3) :]
        p50, p99 = statistics.median(samples), _percentile(samples, 0.99)
        print(f"{shown:<{width}}  {count:>5}  {first:>7.3f}  {p50:>7.3f}  {p99:>7.3f}")
    everything = [sample for samples in per_case for sample in samples]
    p50, p99 = statistics.median(everything), _percentile(everything, 0.99)
    verdict = "met" if p99 < TARGET_P99_MS else "NOT met"
    print(f"\nall keystrokes: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {max(everything):.3f} ms")
    print(f"cold first pass: max {max(cold):.3f} ms (includes decoding each schema once)")
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
