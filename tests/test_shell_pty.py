"""The shell end to end, in a real pseudo-terminal: type, complete with Tab, run, quit."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Each test starts awsql as a process (or a terminal): the fast lane (-m "not slow") leaves them out.
pytestmark = pytest.mark.slow

pexpect = pytest.importorskip("pexpect")

REPO = Path(__file__).resolve().parent.parent
PROMPT = "awsql>"
CURSOR_POSITION_REQUEST = "\x1b[6n"
TIMEOUT_SECONDS = 10
PAGER_END = "(END)"  # less waiting at the end of what it shows


def expect(child: pexpect.spawn, pattern: str) -> None:
    """Wait for ``pattern``, answering prompt_toolkit's cursor position requests as a terminal would."""
    while child.expect_exact([pattern, CURSOR_POSITION_REQUEST]) == 1:
        child.send("\x1b[1;1R")


def expect_either(child: pexpect.spawn, first: str, second: str) -> str:
    """Wait for whichever of two patterns comes first; the one that came."""
    while True:
        index = child.expect_exact([first, second, CURSOR_POSITION_REQUEST])
        if index < 2:
            return (first, second)[index]
        child.send("\x1b[1;1R")


def spawn_shell(tmp_path: Path, *, rows: int, columns: int, **extra: str) -> pexpect.spawn:
    """The shell on a real pseudo-terminal of that size, with a home, history and AWS files of its own."""
    environ = {
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "NO_COLOR": "1",
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        **extra,
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "awsql_shell"],
        cwd=str(REPO),
        env=environ,
        dimensions=(rows, columns),
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
    )


@pytest.mark.timeout(60)
def test_tab_completes_a_resource_name_and_the_statement_runs(tmp_path: Path) -> None:
    child = spawn_shell(tmp_path, rows=40, columns=120)
    try:
        expect(child, PROMPT)
        child.send("DESCRIBE awscc.lambda.event_inv")
        expect(child, "event_inv")
        child.send("\t")
        expect(child, "event_invoke_configs")
        child.send(";\r")
        expect(child, "destination_config")  # a column of AWS::Lambda::EventInvokeConfig
        if expect_either(child, "rows in", PAGER_END) == PAGER_END:
            child.send("q")  # the descriptions make the table wider than the screen: less shows it
            expect(child, "rows in")
        expect(child, PROMPT)
        child.send("\\pager off\r")
        expect(child, "Pager is off.")
        expect(child, PROMPT)
        child.send("DESCRIBE EXTENDED ")  # no menu opens on the empty word...
        expect(child, "EXTENDED")
        child.send("\t")  # ...but Tab offers what fits: the provider, the only candidate, goes in
        expect(child, "awscc")
        child.send(".lambda.functions;\r")
        expect(child, "rows in")
        expect(child, PROMPT)
        child.send("\\q\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    history = (tmp_path / "state" / "awsql" / "history").read_text()
    assert "+DESCRIBE awscc.lambda.event_invoke_configs;" in history  # what Tab filled in is what ran
    assert "+DESCRIBE EXTENDED awscc.lambda.functions;" in history


@pytest.mark.timeout(60)
def test_expanded_auto_on_a_narrow_terminal_and_watch_stopped_by_ctrl_c(tmp_path: Path) -> None:
    child = spawn_shell(tmp_path, rows=30, columns=60, AWSQL_CONFIG=str(tmp_path / "config" / "awsql"), PAGER="")
    try:
        expect(child, PROMPT)
        columns = ", ".join(f"'{letter * 25}' AS {letter}" for letter in "abcd")
        child.send(f"SELECT {columns};\r")
        expect(child, "-[ RECORD 1 ]")  # four columns of 25 cannot be fitted readably into 60: expanded
        expect(child, "d | " + "d" * 25)
        expect(child, "1 row in")
        expect(child, PROMPT)
        child.send("SELECT 1 AS tick;\r")
        expect(child, "1 row in")
        expect(child, PROMPT)
        child.send("\\watch 0.2\r")
        for _ in range(2):
            expect(child, "(every 0.2 s): SELECT 1 AS tick;")
        child.sendintr()  # Ctrl-C, as the terminal sends it
        expect(child, "Watch stopped.")
        expect(child, PROMPT)
        child.send("\\q\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert (tmp_path / "config" / "awsql").read_text().startswith("# awsql's configuration")  # the first run wrote it
