"""Reading back what a mutation changed, for RETURNING ResourceModel; and the one GetResource that tells
whether a resource exists, which a resend after throttling asks first (``gateway.mutation_send``).

Decision: after an awaited SUCCESS, the ResourceModel a RETURNING shows is what GetResource answers, not the
ProgressEvent's. The event's is optional (botocore's cloudcontrol model requires no ProgressEvent member) and
is whatever the type's handler put there, which its contract only asks to match a read at the very end
(aws-cloudformation/cloudformation-cli-python-plugin#129); a read is the resource's "current state", which
is what hashicorp/terraform-provider-awscc keeps after a create or update succeeds
(contributing/docs/resource-behavior.md).

A read right after a create may not find the resource yet: Cloud Control's reads are eventually consistent
(pulumi/pulumi-aws-native#1809: "resources ... fail with NotFound in Get even after
WaitForResourceOpCompletion succeeded"; #1714: a GetResource right after creation answered
ResourceNotFoundException and the next run did not). So such a read asks again, 5 tries in at most 3 seconds
(``RetryPolicy.not_yet_visible``; pulumi/pulumi-aws-native#1810 settled on 3 s as "more appropriate for AWS
eventual consistency propagation delays"), each counted as a retry, and stops at once when cancelled.
Anything else that goes wrong is reported for that resource alone: the change itself took effect.

The reads go through the gateway's pool and ``ApiCaller`` (bounded, retried, counted) and never through the
cache: they exist to see the resource as it is after the change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from awsql_shell.errors import AwsqlError
from awsql_shell.gateway.calls import Abandoned, ApiCaller, resource_properties
from awsql_shell.gateway.clients import Target
from awsql_shell.gateway.errors import error_code, error_message, is_not_found
from awsql_shell.gateway.pool import Submit
from awsql_shell.gateway.progress import ProgressReport
from awsql_shell.gateway.vocabulary import ReadBack

_WAIT_POLL_SECONDS = 0.02


def read_resource(
    caller: ApiCaller,
    target: Target,
    region: str,
    type_name: str,
    identifier: str,
    *,
    abandoned: Callable[[], bool],
    retry: bool = False,
) -> dict[str, Any] | None:
    """One GetResource: the resource's properties, or None when Cloud Control says it does not exist.
    Other errors are raised as they came."""
    params = {"TypeName": type_name, "Identifier": identifier}
    try:
        response = caller.call(target, region, "get_resource", params, abandoned=abandoned, retry=retry)
    except Exception as error:
        if is_not_found(error):
            return None
        raise
    return resource_properties((response.get("ResourceDescription") or {}).get("Properties"))


@dataclass(frozen=True)
class ReadBackResult:
    """The resource as read after the change, or why it could not be read."""

    read: ReadBack
    properties: dict[str, Any] | None = None
    error: AwsqlError | None = None


@dataclass(eq=False)
class ReadBackRun:
    """One statement's read-backs: each is a job in the gateway's pool."""

    caller: ApiCaller
    submit: Submit
    target_of: Callable[[str | None], Target]  # the target of each account
    reads: Sequence[ReadBack]
    listener: Any = None  # a ProgressListener

    def __post_init__(self) -> None:
        self.results: list[ReadBackResult | None] = [None] * len(self.reads)
        self._lock = threading.Lock()
        self._progress = ProgressReport(self.listener)
        self._stop = threading.Event()
        self._remaining = len(self.reads)
        self._finished = threading.Event()

    def run(self, cancel: threading.Event | None = None) -> list[ReadBackResult]:
        """A result per read, in order; raises ``KeyboardInterrupt`` when cancelled (the rest are given up)."""
        if cancel is not None and cancel.is_set():
            raise KeyboardInterrupt
        if not self.reads:
            return []
        try:
            for index in range(len(self.reads)):
                self.submit(lambda index=index: self._work(index))
            while not self._finished.wait(_WAIT_POLL_SECONDS):
                if cancel is not None and cancel.is_set():
                    raise KeyboardInterrupt
        except BaseException:
            self._stop.set()
            self._progress.stop()
            raise
        return [result or ReadBackResult(read) for result, read in zip(self.results, self.reads, strict=True)]

    def _work(self, index: int) -> None:
        read = self.reads[index]
        try:
            self.results[index] = self._read(read)
        except Abandoned:
            self.results[index] = ReadBackResult(read, error=AwsqlError(f"{_subject(read)}: not read (interrupted)"))
        except BaseException as failure:  # the run must hear about every read, or it never ends
            self.results[index] = ReadBackResult(read, error=_read_error(read, failure))
        finally:
            with self._lock:
                self._remaining -= 1
                if self._remaining == 0:
                    self._finished.set()

    def _read(self, read: ReadBack) -> ReadBackResult:
        backoff = self.caller.policy.not_yet_visible
        tries = backoff.attempts if read.created else 1
        for attempt in range(tries):
            if attempt:
                ApiCaller.pause(self.caller.backoff(backoff, attempt - 1), self._stop.is_set)
            self._progress.planned(read.account, read.region)
            try:
                properties = read_resource(
                    self.caller,
                    self.target_of(read.account),
                    read.region,
                    read.type_name,
                    read.identifier,
                    abandoned=self._stop.is_set,
                    retry=attempt > 0,
                )
            finally:
                self._progress.done(read.account, read.region)
            if properties is not None:
                return ReadBackResult(read, properties)
        after = f" after {tries} tries over a few seconds" if tries > 1 else ""
        return ReadBackResult(read, error=AwsqlError(f"{_subject(read)}: GetResource found no such resource{after}"))


def _subject(read: ReadBack) -> str:
    account = f" of account {read.account}" if read.account else ""
    return f"{read.type_name} '{read.identifier}' in {read.region}{account}"


def _read_error(read: ReadBack, failure: BaseException) -> AwsqlError:
    if isinstance(failure, AwsqlError):
        return failure
    code = error_code(failure) or type(failure).__name__
    return AwsqlError(f"{_subject(read)}: GetResource failed: {code}: {error_message(failure)}")
