"""Cloud Control mutations: send each planned call, then follow its request until it settles.

- Once: every call carries the ``ClientToken`` its plan made, and ``ApiCaller`` re-sends the very same
  parameters on a retry, so a call whose answer was lost (a dropped connection, a 5xx) is replayed by
  Cloud Control instead of acting twice.
- Awaited: GetResourceRequestStatus is polled no sooner than the request's ``RetryAfter`` (with a
  growing pause when it gives none) until SUCCESS, FAILED or CANCEL_COMPLETE.
- Bounded: each call is one job in the gateway's worker pool, so at most ``max_concurrency`` requests are
  being sent or followed at a time.
- Interrupted: queued calls are never sent; the requests already made go on in AWS, and
  ``MutationInterrupted`` names their RequestTokens.
- Errors a user can act on: an API error or a FAILED request becomes a ``MutationError`` naming the
  operation, type, identifier, region, ErrorCode and StatusMessage.
- Throttled handlers: a request that ends FAILED with ErrorCode ``Throttling`` (the type's handler was
  throttled by the service behind it, not Cloud Control's own API) changed nothing the caller can rely on,
  and its ClientToken is spent: sent again, it would replay the failure. So the call is sent again under a
  new ClientToken, a second or more later (``RetryPolicy.throttled_request``, at most 3 times, each counted
  as a retry), but only once a GetResource shows that doing so cannot act twice: a create only when the
  resource its DesiredState names does not exist (a create that does not name its primary identifier cannot
  be checked, so it is not sent again and the error says why), an update or delete only when the resource
  still exists. The final error names every RequestToken. Evidence: pulumi/pulumi-aws-native#2522 (the
  Create/Update/Delete calls "always succeed and return a progress handle ... it eventually indicates the
  underlying operation failed with a Throttling error code", so SDK retries never see it);
  aws/aws-sdk-go-v2#3248 (the waiter "treats all OperationStatus: FAILED as terminal, but should retry when
  ErrorCode: Throttling"); botocore's cloudcontrol model on ClientToken: once used, it names that request
  for 36 hours, so a retry under it is answered with the same, failed, request.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsql_shell.errors import AwsqlError, CredentialsError, Interrupted
from awsql_shell.gateway.calls import Abandoned, ApiCaller
from awsql_shell.gateway.clients import Target
from awsql_shell.gateway.errors import (
    UNSUPPORTED_ERROR_CODES,
    RetryKind,
    UnsupportedTypeError,
    credentials_error,
    error_code,
    error_message,
    is_credentials_problem,
    retry_kind,
)
from awsql_shell.gateway.pool import Submit
from awsql_shell.gateway.progress import ProgressReport
from awsql_shell.gateway.read_back import read_resource
from awsql_shell.gateway.vocabulary import CREATE, FINAL_STATUSES, MutationCall

# How long an interrupted statement waits for calls already on the wire, to learn their RequestTokens.
_INTERRUPT_GRACE_SECONDS = 2.0
_WAIT_POLL_SECONDS = 0.02

# The ErrorCode of a request whose handler was throttled (HandlerErrorCode in botocore's cloudcontrol model).
THROTTLED_REQUEST = "Throttling"

# What to do about an error code, where its message does not say.
_HINTS = {
    "NotUpdatableException": "create-only properties need replacement: DELETE the resource, then INSERT it",
    "NotUpdatable": "create-only properties need replacement: DELETE the resource, then INSERT it",
    "ConcurrentOperationException": "another operation is in progress on this resource; try again when it ends",
    "ResourceConflictException": "the resource is being changed by someone else; try again shortly",
    "ClientTokenConflictException": "this ClientToken was already used for a different request",
}


class MutationError(AwsqlError):
    """A mutation Cloud Control refused or that FAILED; ``code`` is its error code or ErrorCode."""

    def __init__(
        self, message: str, *, code: str, request_token: str | None = None, request_tokens: Sequence[str] = ()
    ):
        super().__init__(message)
        self.code = code
        self.request_token = request_token
        # Every request made for the call, oldest first: the throttled ones it was sent again after, then the last.
        self.request_tokens = tuple(request_tokens) or ((request_token,) if request_token else ())


def _subject(call: MutationCall, event: dict[str, Any] | None = None) -> str:
    identifier = call.identifier or (event or {}).get("Identifier")
    named = f" '{identifier}'" if identifier else ""
    account = f" of account {call.account}" if call.account else ""
    return f"{call.operation} {call.type_name}{named} in {call.region}{account}"


def api_error(error: BaseException, call: MutationCall, *, profile: str | None) -> AwsqlError:
    """A mutation call that Cloud Control answered with an error (or that never got an answer)."""
    if isinstance(error, AwsqlError):
        return error
    if is_credentials_problem(error):
        return credentials_error(error, profile=profile)
    code = error_code(error) or type(error).__name__
    message = error_message(error)
    if code in UNSUPPORTED_ERROR_CODES:
        return UnsupportedTypeError(
            f"{call.type_name} is not supported by Cloud Control in {call.region} "
            f"({call.operation}: {code}: {message})",
            region=call.region,
            type_name=call.type_name,
            code=code,
        )
    hint = _HINTS.get(code)
    cause = f"{code}: {message}"
    text = f"{_subject(call)}: {hint} ({cause})" if hint else f"{_subject(call)}: {cause}"
    if retry_kind(error) is RetryKind.TRANSIENT and error_code(error) is None:
        # No answer came back (the connection failed or timed out after the call was sent): AWS may have
        # acted on it. Say so, and how to find out, rather than imply that nothing happened.
        text += (
            f"; the call may have reached AWS and taken effect (ClientToken {call.client_token}): check with "
            f"SELECT * FROM awscc.cloud_control.resource_requests WHERE region = '{call.region}'"
        )
    return MutationError(text, code=code)


def failed_error(
    call: MutationCall, event: dict[str, Any], *, earlier: Sequence[str] = (), note: str | None = None
) -> MutationError:
    """A request that ended FAILED (or was cancelled): its ErrorCode and StatusMessage, and its token, after
    the tokens of the ``earlier`` requests made for the same call (throttled, then sent again)."""
    status = event.get("OperationStatus")
    code = event.get("ErrorCode") or ("Cancelled" if status == "CANCEL_COMPLETE" else "Failed")
    message = event.get("StatusMessage") or ("the request was cancelled" if status == "CANCEL_COMPLETE" else "")
    token = event.get("RequestToken")
    hint = _HINTS.get(code)
    text = f"{_subject(call, event)} {status}: {code}: {message}".rstrip(": ")
    if note:
        text += f"; {note}"
    if hint:
        text += f" ({hint})"
    tokens = [*earlier, *([token] if token else [])]
    named = f"RequestTokens {', '.join(tokens)}" if len(tokens) > 1 else f"RequestToken {token}"
    return MutationError(f"{text} [{named}]", code=code, request_token=token, request_tokens=tokens)


@dataclass(frozen=True)
class PollPolicy:
    """When to ask again about a request: at its ``RetryAfter`` (never sooner than ``min_delay`` nor later
    than ``max_retry_after``), else after a pause that starts at ``first_delay`` and grows to ``max_delay``."""

    first_delay: float = 0.5
    growth: float = 1.5
    max_delay: float = 10.0
    min_delay: float = 0.02
    max_retry_after: float = 60.0

    def delay(self, event: dict[str, Any], polls: int, now: datetime.datetime | None = None) -> float:
        retry_after = _timestamp(event.get("RetryAfter"))
        if retry_after is not None:
            now = now or datetime.datetime.now(datetime.timezone.utc)
            wait = (retry_after - now).total_seconds()
            return min(max(wait, self.min_delay), self.max_retry_after)
        return min(self.first_delay * self.growth**polls, self.max_delay)


def _timestamp(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    return None


@dataclass(eq=False)
class MutationOutcome:
    """What became of one call: the latest ProgressEvent, and the error when it did not succeed."""

    call: MutationCall
    event: dict[str, Any] | None = None
    error: AwsqlError | None = None
    # queued -> sending -> following -> done; skipped: never sent; unknown: given up while retrying the send
    stage: str = "queued"
    # RequestTokens of the requests that ended FAILED: Throttling, after each of which the call was sent again
    # (``call`` is then the latest, with its own ClientToken).
    throttled: list[str] = field(default_factory=list)

    @property
    def request_token(self) -> str | None:
        return (self.event or {}).get("RequestToken")

    @property
    def request_tokens(self) -> list[str]:
        """Every request made for the call, oldest first."""
        return [*self.throttled, *([self.request_token] if self.request_token else [])]

    @property
    def throttled_at_last(self) -> bool:
        """It ended FAILED because its handler was throttled, and was not sent again (any more)."""
        return self.status == "FAILED" and (self.event or {}).get("ErrorCode") == THROTTLED_REQUEST

    @property
    def status(self) -> str | None:
        return (self.event or {}).get("OperationStatus")

    @property
    def settled(self) -> bool:
        return self.status in FINAL_STATUSES


class MutationInterrupted(Interrupted):
    """Ctrl-C (or the cancel event) while sending or awaiting: what was sent goes on in AWS."""

    def __init__(self, outcomes: Sequence[MutationOutcome]):
        super().__init__("interrupted")
        self.outcomes = list(outcomes)

    @property
    def going_on(self) -> list[MutationOutcome]:
        return [o for o in self.outcomes if o.request_token and not o.settled]

    @property
    def maybe_sent(self) -> list[MutationOutcome]:
        return [o for o in self.outcomes if o.stage in ("sending", "unknown") and not o.request_token]

    @property
    def unsent(self) -> list[MutationOutcome]:
        return [o for o in self.outcomes if o.stage in ("queued", "skipped")]

    def report(self) -> list[str]:
        """What the user must know: which requests go on without us, and how to follow them."""
        lines = []
        for outcome in self.outcomes:
            if outcome.throttled_at_last:
                call = outcome.call
                lines.append(
                    f"interrupted: the {call.operation} request for {call.type_name} in {call.region} was throttled "
                    f"(FAILED: Throttling) and not sent again; RequestTokens {', '.join(outcome.request_tokens)}"
                )
        for outcome in self.going_on:
            call = outcome.call
            lines.append(
                f"interrupted: the {call.operation} request for {call.type_name} goes on in AWS ({call.region}); "
                f"RequestToken {outcome.request_token} -- follow it with: SELECT * FROM "
                f"awscc.cloud_control.resource_request WHERE region = '{call.region}' "
                f"AND RequestToken = '{outcome.request_token}'"
            )
        for outcome in self.maybe_sent:
            call = outcome.call
            lines.append(
                f"interrupted: a {call.operation} call for {call.type_name} in {call.region} may have reached AWS "
                f"(ClientToken {call.client_token}); check with awscc.cloud_control.resource_requests"
            )
        if self.unsent:
            count = len(self.unsent)
            lines.append(f"interrupted: {count} call{'s were' if count > 1 else ' was'} not sent")
        return lines


@dataclass(eq=False)
class MutationRun:
    """One statement's calls: each is a job that sends its call and (when awaiting) follows the request."""

    caller: ApiCaller
    submit: Submit
    target_of: Callable[[str | None], Target]  # the target of each account
    calls: Sequence[MutationCall]
    wait: bool = True
    listener: Any = None  # a ProgressListener: told of every API call (the mutations and each status poll)
    invalidate: Callable[[str, str, str | None], None] = lambda region, type_name, identifier: None
    poll: PollPolicy = field(default_factory=PollPolicy)

    def __post_init__(self) -> None:
        self.outcomes = [MutationOutcome(call) for call in self.calls]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._remaining = len(self.outcomes)
        self._finished = threading.Event()
        self._progress = ProgressReport(self.listener)

    def run(self, cancel: threading.Event | None = None) -> list[MutationOutcome]:
        """Every outcome, in the order of the calls; raises ``MutationInterrupted`` when cancelled."""
        if cancel is not None and cancel.is_set():
            raise MutationInterrupted(self.outcomes)
        if not self.outcomes:
            return []
        for outcome in self.outcomes:
            self._progress.planned(outcome.call.account, outcome.call.region)
        try:
            for outcome in self.outcomes:
                self.submit(lambda outcome=outcome: self._work(outcome))
            while not self._finished.wait(_WAIT_POLL_SECONDS):
                if cancel is not None and cancel.is_set():
                    raise KeyboardInterrupt
        except BaseException:
            self._interrupt()
            raise MutationInterrupted(self.outcomes) from None
        return self.outcomes

    def _interrupt(self) -> None:
        self._stop.set()
        self._progress.stop()
        deadline = time.monotonic() + _INTERRUPT_GRACE_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                if not any(o.stage == "sending" for o in self.outcomes):
                    return
            time.sleep(_WAIT_POLL_SECONDS)

    # -- in a worker ---------------------------------------------------------------------------

    def _work(self, outcome: MutationOutcome) -> None:
        try:
            with self._lock:
                if self._stop.is_set():
                    outcome.stage = "skipped"
                    return
                outcome.stage = "sending"
            resend = False
            while True:
                try:
                    self._send(outcome, retry=resend)
                finally:
                    self._progress.done(outcome.call.account, outcome.call.region)
                if outcome.error is None and outcome.request_token and self.wait:
                    self._follow(outcome)
                resend = self._resend_after_throttling(outcome)
                if not resend:
                    break
        except BaseException as failure:  # the run must hear about every call, or it never ends
            if outcome.error is None and not isinstance(failure, Abandoned):
                outcome.error = AwsqlError(f"{_subject(outcome.call)}: {type(failure).__name__}: {failure}")
        finally:
            self._settle(outcome)

    def _send(self, outcome: MutationOutcome, *, retry: bool = False) -> None:
        call = outcome.call
        try:
            response = self.caller.call(
                self.target_of(call.account),
                call.region,
                call.method,
                call.params(),
                abandoned=self._stop.is_set,
                retry=retry,
            )
        except Abandoned:
            with self._lock:
                outcome.stage = "unknown"  # interrupted while backing off: an earlier attempt may have arrived
            return
        except Exception as error:
            outcome.error = api_error(error, call, profile=self.target_of(call.account).profile)
            with self._lock:
                outcome.stage = "done"
            return
        event = dict(response.get("ProgressEvent") or {})
        with self._lock:
            outcome.event = event
            outcome.stage = "following"
        self._check_final(outcome)

    def _follow(self, outcome: MutationOutcome) -> None:
        polls = 0
        while not outcome.settled and outcome.error is None:
            assert outcome.event is not None
            if self._stop.wait(self.poll.delay(outcome.event, polls)):
                return
            polls += 1
            # Every poll is a call on the progress line, so a long wait still shows signs of life.
            self._progress.planned(outcome.call.account, outcome.call.region)
            try:
                response = self.caller.call(
                    self.target_of(outcome.call.account),
                    outcome.call.region,
                    "get_resource_request_status",
                    {"RequestToken": outcome.request_token},
                    abandoned=self._stop.is_set,
                )
            except Abandoned:
                return
            except Exception as error:
                self._progress.done(outcome.call.account, outcome.call.region)
                problem = api_error(error, outcome.call, profile=self.target_of(outcome.call.account).profile)
                if not isinstance(problem, CredentialsError):
                    problem = AwsqlError(
                        f"{problem.message}; the request goes on in AWS: RequestToken {outcome.request_token}"
                    )
                outcome.error = problem
                return
            self._progress.done(outcome.call.account, outcome.call.region)
            event = dict(response.get("ProgressEvent") or {})
            # A settled event carries no RetryAfter; keep the Identifier should it leave that out.
            event.setdefault("Identifier", outcome.event.get("Identifier"))
            with self._lock:
                outcome.event = event
            self._check_final(outcome)

    def _check_final(self, outcome: MutationOutcome) -> None:
        if outcome.event is not None and outcome.status in ("FAILED", "CANCEL_COMPLETE"):
            outcome.error = failed_error(outcome.call, outcome.event, earlier=outcome.throttled)

    # -- a request whose handler was throttled ---------------------------------------------------------

    def _resend_after_throttling(self, outcome: MutationOutcome) -> bool:
        """Make ``outcome`` ready to be sent again when its request ended FAILED: Throttling and a resend cannot
        act twice; otherwise leave it failed, its error saying why it was not sent again."""
        if not outcome.throttled_at_last:
            return False
        backoff = self.caller.policy.throttled_request
        sent = len(outcome.throttled) + 1
        if sent >= backoff.attempts:
            self._give_up(outcome, f"sent {sent} times, throttled each time")
            return False
        try:
            blocker = self._resend_blocker(outcome)
            if blocker is None:
                ApiCaller.pause(self.caller.backoff(backoff, sent - 1), self._stop.is_set)
        except Abandoned:
            self._give_up(outcome, "not sent again: interrupted")
            return False
        if blocker is not None:
            self._give_up(outcome, f"not sent again: {blocker}")
            return False
        with self._lock:
            if self._stop.is_set():
                self._give_up(outcome, "not sent again: interrupted")
                return False
            token = outcome.request_token
            assert token is not None
            outcome.throttled.append(token)
            outcome.call = outcome.call.resent()  # the old ClientToken would only replay the failure
            outcome.event = None
            outcome.error = None
            outcome.stage = "sending"
        self._progress.planned(outcome.call.account, outcome.call.region)
        return True

    def _resend_blocker(self, outcome: MutationOutcome) -> str | None:
        """Why sending the call again might act twice (None: it cannot), from a GetResource of its resource."""
        call = outcome.call
        if call.identifier is None:
            return (
                "it cannot be retried safely: its DesiredState does not name the primary identifier, so awsql "
                "cannot look up whether the throttled request created the resource anyway (check "
                "awscc.cloud_control.resource_requests and the resources before running it again)"
            )
        self._progress.planned(call.account, call.region)
        try:
            found = read_resource(
                self.caller,
                self.target_of(call.account),
                call.region,
                call.type_name,
                call.identifier,
                abandoned=self._stop.is_set,
            )
        except Abandoned:
            raise
        except Exception as error:
            cause = f"GetResource: {error_code(error) or type(error).__name__}: {error_message(error)}"
            return f"whether '{call.identifier}' exists could not be read ({cause})"
        finally:
            self._progress.done(call.account, call.region)
        if call.operation == CREATE and found is not None:
            return f"'{call.identifier}' exists now (the throttled request may have created it, or it was there before)"
        if call.operation != CREATE and found is None:
            return f"'{call.identifier}' no longer exists"
        return None

    def _give_up(self, outcome: MutationOutcome, why: str) -> None:
        assert outcome.event is not None
        outcome.error = failed_error(outcome.call, outcome.event, earlier=outcome.throttled, note=why)

    def _settle(self, outcome: MutationOutcome) -> None:
        call = outcome.call
        if outcome.stage != "skipped":
            # Whatever happened, what is cached about this resource may be stale now.
            identifier = call.identifier or (outcome.event or {}).get("Identifier") or None
            self.invalidate(call.region, call.type_name, identifier)
        with self._lock:
            if outcome.stage == "following" and (outcome.settled or outcome.error is not None or not self.wait):
                outcome.stage = "done"
            self._remaining -= 1
            finished = self._remaining == 0
        if finished:
            self._finished.set()
