"""What the shell and batch mode share around the meta command registry: running a script's statements and
meta lines in order, the ``\\g`` buffer, the service in use, where results go.

One registry (``meta_commands.default_registry``) serves both; each face is a ``ScriptHost`` that says how a
statement runs (the shell: in a worker thread that Ctrl-C cancels; batch: straight through, stopping at the
first error unless --continue-on-error) and how it talks (the shell answers on stdout; batch on stderr,
because its stdout holds nothing but results).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from awsql_shell.catalog import Catalog
from awsql_shell.errors import AwsqlError
from awsql_shell.settings import Settings
from awsql_shell.shell.meta_commands import MetaAction, MetaRegistry
from awsql_shell.shell.output import OneOff, ShellOutput
from awsql_shell.shell.script import ScriptItem, masked, split_script

if TYPE_CHECKING:
    from awsql_shell.catalog.regions import DefaultRegion
    from awsql_shell.gateway.accounts import Account
    from awsql_shell.session import Session

_SERVICE_NAME = re.compile(r"\bawscc\.([A-Za-z0-9_]+)\b", re.IGNORECASE)


class ScriptHost:
    """The ``ShellControl`` state both faces share. Subclasses give ``run_query``, ``say`` and ``report``."""

    interactive = True
    settings: Settings
    catalog: Catalog
    registry: MetaRegistry
    output: ShellOutput
    environ: Mapping[str, str]
    session: Session  # the shell makes it on first use; batch mode at once

    def _init_host(self) -> None:
        self.last_statement: str | None = None
        self.current_service: str | None = None
        self._buffer: str | None = None

    # -- scripts -----------------------------------------------------------------------------------

    def run_script(self, text: str) -> MetaAction:
        """Statements and meta command lines in order; a meta line's error is reported, the rest goes on
        (batch's ``report`` stops the script when it must)."""
        pending: list[ScriptItem] = []
        for item in split_script(text):
            if not item.meta and item.terminator is None:
                pending.append(item)
                continue
            self._run_pending(text, pending)
            if item.meta:
                action = self.run_meta(item.text)
            else:  # SELECT ... \gx: the statement is the buffer its command runs
                self._buffer = masked(text, item)
                self._remember(item.text)
                action = self.run_meta(item.terminator or "\\g")
                self._buffer = None
            if action is MetaAction.EXIT:
                return action
        self._run_pending(text, pending)
        return MetaAction.CONTINUE

    def _run_pending(self, text: str, pending: list[ScriptItem]) -> None:
        """Consecutive statements run as one script: positions count from the start of the user's text."""
        if not pending:
            return
        first, last = pending[0], pending[-1]
        span = ScriptItem(text[first.offset : last.offset + len(last.text)], first.offset)
        pending.clear()
        self._remember(last.text)
        self.run_query(masked(text, span))

    def _remember(self, sql: str) -> None:
        self.last_statement = sql.strip()
        for name in reversed(_SERVICE_NAME.findall(sql)):
            try:
                self.current_service = self.catalog.resolve_service(name)
                break
            except AwsqlError:
                continue

    def run_meta(self, line: str) -> MetaAction:
        try:
            return self.registry.run(self, line)
        except AwsqlError as exc:
            self.report(exc)
            return MetaAction.CONTINUE

    def take_buffer(self) -> str | None:
        """The statement a ``\\g`` ends, or None when the command stands alone (it reruns the last)."""
        buffer, self._buffer = self._buffer, None
        return buffer

    # -- for subclasses ----------------------------------------------------------------------------

    def run_query(self, text: str, once: OneOff | None = None) -> bool:
        """Run SQL statements, showing their results (``once``: for these only); False when one failed or
        was cancelled."""
        raise NotImplementedError

    def say(self, text: str) -> None:
        raise NotImplementedError

    def report(self, error: AwsqlError) -> None:
        raise NotImplementedError

    # -- ShellControl ------------------------------------------------------------------------------

    def send_output_to(self, name: str | None) -> None:
        self.output.send_to(name)

    def output_target(self) -> str | None:
        return self.output.target.name if self.output.target is not None else None

    def default_region(self) -> DefaultRegion:
        from awsql_shell.catalog.regions import default_region

        settings = self.settings
        if settings.profiles or settings.profiles_glob:
            return self.session.default_region()  # the profiles' common region: the Session's rule
        return default_region(settings.region, settings.profile, self.environ, explicit_source=settings.region_source)

    def config_path(self) -> Path:
        from awsql_shell.config import config_path

        return config_path(self.settings.config_file, self.environ)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def use_accounts(
        self, *, org: bool = False, profiles: Sequence[str] = (), glob: str | None = None, unit: str | None = None
    ) -> tuple[Sequence[Account], list[str]]:
        notices = self.session.use_accounts(org=org, profiles=profiles, glob=glob, unit=unit)
        return self.session.accounts(), notices

    def use_profile(self, profile: str) -> None:
        for notice in self.session.use_profile(profile):
            self.say(notice)
