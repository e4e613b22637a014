"""Where the shell keeps its history: private to the user, because statements carry account details."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

HISTORY_ENV = "AWSQL_HISTORY"
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def history_path(environ: Mapping[str, str]) -> Path:
    """``$AWSQL_HISTORY``, else ``$XDG_STATE_HOME/awsql/history``, else ``~/.local/state/awsql/history``."""
    explicit = environ.get(HISTORY_ENV)
    if explicit:
        return Path(explicit).expanduser()
    state = environ.get("XDG_STATE_HOME", "")
    # The XDG spec says a relative path there is invalid and must be ignored.
    base = Path(state) if state and os.path.isabs(state) else Path(environ.get("HOME") or Path.home()) / ".local/state"
    return base / "awsql" / "history"


def prepare_history_file(path: Path) -> Path:
    """Create the file (mode 0600, its directory 0700) before anything is written to it; raise OSError
    when that is impossible. An existing file readable by others is made private."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIRECTORY_MODE)
    descriptor = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, FILE_MODE)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path
