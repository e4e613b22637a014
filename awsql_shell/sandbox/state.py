"""The sandbox's accounts: resources by account, region and type, and resource requests; saved as one JSON file.

Format version 2 keeps resources per account (``"accounts": {account id: {partition: {type: {id: model}}}}``)
and each request names its account. Decision: a file of version 1 (one account, ``"resources"`` at the top,
written before the sandbox had an Organization) still loads, as the resources of the sample account
``ACCOUNT_ID``; it is written back as version 2 at the next change. A file of a version this code does not
know is refused with an error naming the version, never guessed at.

Saving writes a temporary file beside the target and renames it over, so a crash never leaves half a
file. A file that cannot be read back is an error naming it; it is never silently replaced.

Several processes may share one state file (parallel ``awsql --sandbox`` runs): ``StateFile`` makes each
change a read-modify-write under an exclusive ``fcntl`` lock on a lock file beside it (the state file
itself is replaced on every save, so it cannot carry the lock), re-reading the file first whenever
another process has saved since. No write is lost that way; without ``fcntl`` (Windows) there is no lock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process per state file
    fcntl = None  # type: ignore[assignment]

from awsql_shell.sandbox.errors import SandboxStateError
from awsql_shell.sandbox.generate import ACCOUNT_ID

STATE_FORMAT = "awsql-sandbox-state"
STATE_VERSION = 2
SINGLE_ACCOUNT_VERSION = 1  # resources of the sample account only, at the top level
OPERATIONS = ("CREATE", "UPDATE", "DELETE")
STATUSES = ("PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCEL_IN_PROGRESS", "CANCEL_COMPLETE")
ACTIVE_STATUSES = ("PENDING", "IN_PROGRESS", "CANCEL_IN_PROGRESS")


@dataclass
class ResourceRequest:
    """One asynchronous mutation, as GetResourceRequestStatus reports it."""

    token: str
    region: str
    type_name: str
    operation: str
    identifier: str
    status: str
    event_time: float  # when the status last changed
    due: float  # when an IN_PROGRESS request completes
    model: dict[str, Any] | None  # what a CREATE or UPDATE stores on success
    client_token: str | None = None
    fingerprint: str = ""  # the request's parameters, to tell a retry from a reused ClientToken
    error_code: str | None = None
    status_message: str | None = None
    named: bool = True  # whether the request named the resource's identifier (a CREATE may leave it generated)
    fate_code: str | None = None  # a failure decided at submission, which the request ends with
    fate_message: str | None = None
    account: str = ACCOUNT_ID  # whose request it is (a version 1 file has only the sample account's)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


Resources = dict[str, dict[str, dict[str, dict[str, Any]]]]  # partition -> type name -> identifier -> model


@dataclass
class SandboxState:
    # account -> partition (a region, or "global") -> type name -> identifier -> properties, in creation order
    accounts: dict[str, Resources] = field(default_factory=dict)
    requests: dict[str, ResourceRequest] = field(default_factory=dict)

    def resources_of(self, account: str) -> Resources:
        return self.accounts.setdefault(account, {})

    @property
    def resources(self) -> Resources:
        """The sample account's resources: all there is without an Organization."""
        return self.resources_of(ACCOUNT_ID)

    def collection(self, partition: str, type_name: str, account: str = ACCOUNT_ID) -> dict[str, dict[str, Any]]:
        return self.resources_of(account).setdefault(partition, {}).setdefault(type_name, {})

    def peek(self, partition: str, type_name: str, account: str = ACCOUNT_ID) -> dict[str, dict[str, Any]]:
        """The collection if it exists, without creating it (reads must not grow the state)."""
        return self.accounts.get(account, {}).get(partition, {}).get(type_name, {})

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "accounts": self.accounts,
            "requests": [asdict(request) for request in self.requests.values()],
        }

    @classmethod
    def from_json(cls, data: Any) -> SandboxState:
        """Raises ValueError saying what is wrong with the data."""
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValueError(f'it is not an awsql sandbox state file (no "format": "{STATE_FORMAT}")')
        version = data.get("version")
        if version == SINGLE_ACCOUNT_VERSION:
            accounts = {ACCOUNT_ID: _resources(data.get("resources"), "resources")}
        elif version == STATE_VERSION:
            raw = data.get("accounts")
            if not isinstance(raw, dict):
                raise ValueError("'accounts' is not an object")
            accounts = {}
            for account, resources in raw.items():
                if not (isinstance(account, str) and account.isdigit() and len(account) == 12):
                    raise ValueError(f"'accounts.{account}' is not named by a 12-digit account id")
                accounts[account] = _resources(resources, f"accounts.{account}")
        else:
            expected = f"{SINGLE_ACCOUNT_VERSION} or {STATE_VERSION}"
            raise ValueError(f"state version {version!r} is not supported (expected {expected})")
        requests: dict[str, ResourceRequest] = {}
        for index, raw_request in enumerate(data.get("requests", [])):
            try:
                request = ResourceRequest(**raw_request)
            except TypeError as error:
                raise ValueError(f"request #{index} is malformed: {error}") from None
            if request.operation not in OPERATIONS or request.status not in STATUSES:
                raise ValueError(f"request #{index} has an unknown operation or status")
            requests[request.token] = request
        return cls(accounts=accounts, requests=requests)


def _resources(resources: Any, where: str) -> Resources:
    if not isinstance(resources, dict):
        raise ValueError(f"'{where}' is not an object")
    for partition, types in resources.items():
        if not isinstance(types, dict):
            raise ValueError(f"'{where}.{partition}' is not an object")
        for type_name, items in types.items():
            if not isinstance(items, dict) or not all(isinstance(m, dict) for m in items.values()):
                raise ValueError(f"'{where}.{partition}.{type_name}' is not an object of resource models")
    return resources


def _unusable(path: Path, reason: str) -> SandboxStateError:
    return SandboxStateError(
        f"sandbox state file {path} cannot be used: {reason}. Fix it, or delete it to start again from the fixtures"
    )


def load_state(path: Path) -> SandboxState | None:
    """The saved state, or None when the file does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise _unusable(path, str(error)) from None
    try:
        return SandboxState.from_json(json.loads(text))
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise _unusable(path, str(error)) from None


def save_state(path: Path, state: SandboxState) -> None:
    text = json.dumps(state.to_json(), separators=(",", ":"))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise SandboxStateError(f"cannot save sandbox state to {path}: {error}") from None


Signature = tuple[int, int, int]  # (inode, size, mtime in ns): changes whenever the file is replaced


class StateFile:
    """A state file that several processes read and change, one change at a time."""

    def __init__(self, path: Path):
        self.path = path
        self.lock_path = path.with_name(f".{path.name}.lock")
        self._seen: Signature | None = None

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive lock: no other process reads or writes the state meanwhile."""
        if fcntl is None:
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.lock_path.open("a")
        except OSError as error:
            raise SandboxStateError(f"cannot lock sandbox state file {self.path}: {error}") from None
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def changed(self) -> bool:
        """Whether the file is not the one this process last read or wrote."""
        return self._signature() != self._seen

    def load(self) -> SandboxState | None:
        state = load_state(self.path)
        self._seen = self._signature()
        return state

    def save(self, state: SandboxState) -> None:
        save_state(self.path, state)
        self._seen = self._signature()

    def _signature(self) -> Signature | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise _unusable(self.path, str(error)) from None
        return (info.st_ino, info.st_size, info.st_mtime_ns)
