"""Meta commands (``\\x``, ``\\o FILE``, ``\\d``, ``help``...): one registry that runs them, writes their help
and tells completion their names and arguments, for the shell and for scripts alike.

As in pgcli's special commands, each command is data (names, argument synopsis, one line of help, whether
it makes sense in a script) plus a handler; the registry finds the command a line starts with and hands
the rest of the line to it. Handlers change ``Settings`` or call back into the face through the small
``ShellControl`` protocol (the shell's ``Shell`` and batch mode's ``Batch``), and raise ``AwsqlError``
for bad input (the face reports it). Commands that read SQL (``\\d``, ``\\dt``, ``\\l``) write the
statement and run it, so the Session answers them as it answers anything typed.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from awsql_shell.catalog.awsql_tables import ACCOUNTS
from awsql_shell.catalog.regions import check_region
from awsql_shell.errors import AwsqlError, UsageError, did_you_mean, one_line
from awsql_shell.render import output_format
from awsql_shell.settings import EXPANDED_MODES, OUTPUT_FORMATS, Settings
from awsql_shell.shell.completion.meta_command_info import ArgumentKind, MetaCommandInfo
from awsql_shell.shell.editing import split_meta_command
from awsql_shell.shell.output import OneOff

if TYPE_CHECKING:
    from awsql_shell.catalog import Catalog
    from awsql_shell.catalog.regions import DefaultRegion
    from awsql_shell.gateway.accounts import Account

ON_OFF = ("on", "off")
ON_OFF_ARGS = "[on|off]"
DEFAULT_WATCH_SECONDS = 2.0


class MetaAction(Enum):
    CONTINUE = "continue"
    EXIT = "exit"


class ShellControl(Protocol):
    """What a meta command may do to the face around it (the shell, or a script in batch mode)."""

    settings: Settings
    catalog: Catalog
    last_statement: str | None
    current_service: str | None  # the service the last statement named, for \dt
    interactive: bool  # False in batch mode: commands that need a terminal are refused

    def say(self, text: str) -> None:
        """Show an answer (the shell: stdout; batch: stderr, stdout holds only results)."""

    def run_script(self, text: str) -> MetaAction:
        """Run statements and meta command lines as if typed at the prompt."""
        ...

    def run_query(self, text: str, once: OneOff | None = None) -> bool:
        """Run SQL, its results shown with ``once`` for these statements only; False if it failed or was cancelled."""
        ...

    def take_buffer(self) -> str | None:
        """The statement a ``\\g`` ends (``SELECT 1 \\gx``); None when the command stands alone."""
        ...

    def send_output_to(self, name: str | None) -> None:
        """``\\o FILE``: results go to the file from now on; None: back to stdout."""

    def output_target(self) -> str | None: ...

    def default_region(self) -> DefaultRegion: ...

    def config_path(self) -> Path: ...

    def sleep(self, seconds: float) -> None:
        """Wait; Ctrl-C raises KeyboardInterrupt."""

    def clear_cache(self) -> None: ...

    def edit(self, text: str) -> str:
        """Open ``text`` in the user's editor; return what was saved."""
        ...

    def settings_changed(self) -> None:
        """Region or profile changed: refresh what depends on them (toolbar, completion)."""

    def profiles(self) -> tuple[str, ...]:
        """AWS profiles in the config and credentials files."""
        ...

    def known_accounts(self) -> Sequence[Account] | None:
        """The session's accounts when they have been found; None before (finding them would call AWS)."""
        ...

    def use_accounts(
        self, *, org: bool = False, profiles: Sequence[str] = (), glob: str | None = None, unit: str | None = None
    ) -> tuple[Sequence[Account], list[str]]:
        """Change where the session's accounts come from (``Session.use_accounts``): the accounts found, and
        what finding them had to say. Raises AwsqlError, the accounts as they were, when they cannot be found."""
        ...

    def use_profile(self, profile: str) -> None:
        """The session's profile is now ``profile`` (``Session.use_profile``: its accounts found again)."""
        ...


@dataclass(frozen=True)
class MetaCall:
    """One use of a meta command: what the user typed after its name, and where it runs."""

    shell: ShellControl
    argument: str
    name: str  # as typed: "\\o", "exit"
    registry: MetaRegistry


Handler = Callable[[MetaCall], "MetaAction | None"]


@dataclass(frozen=True)
class MetaCommand:
    """``names[0]`` is how help lists it; ``args`` is its synopsis (``FORMAT``, ``[on|off]``); ``in_scripts``:
    it makes sense outside a terminal, so ``-f``, stdin and ``\\i`` files may use it."""

    names: tuple[str, ...]
    help: str
    handler: Handler
    args: str = ""
    argument: ArgumentKind | None = None  # what completion offers for the first argument
    choices: tuple[str, ...] = ()
    in_scripts: bool = True

    @property
    def name(self) -> str:
        return self.names[0]

    def info(self) -> MetaCommandInfo:
        return MetaCommandInfo(self.name, self.help, self.names[1:], self.argument, self.choices)


class MetaRegistry:
    def __init__(self, commands: Iterable[MetaCommand]):
        self.commands: tuple[MetaCommand, ...] = tuple(commands)
        self._by_name: dict[str, MetaCommand] = {}
        for command in self.commands:
            for name in command.names:
                if name in self._by_name:
                    raise ValueError(f"meta command {name} is registered twice")
                self._by_name[name] = command

    def find(self, line: str) -> tuple[MetaCommand, str, str]:
        """The command ``line`` starts with, the name as typed and the rest of the line. Names are matched
        exactly, then case-blind (``\\G`` and ``\\g`` differ, ``HELP`` is ``help``)."""
        name, argument = split_meta_command(line)
        command = self._by_name.get(name)
        if command is None:
            folded = [c for n, c in self._by_name.items() if n.lower() == name.lower()]
            command = folded[0] if len(folded) == 1 else None
        if command is None:
            raise UsageError(f"unknown meta command '{name}'{self.closest(name)}; type \\? for the list")
        return command, name, argument

    def closest(self, name: str) -> str:
        """A did-you-mean only for names one or two edits away: among a dozen two-letter commands,
        difflib's similarity finds ``\\o`` "close" to ``\\foo``."""
        allowed = 1 if len(name) <= 4 else 2
        close = sorted(
            (distance, known)
            for known in self._by_name
            if (distance := _edits(name.lower(), known.lower())) <= allowed and known.lower() != name.lower()
        )
        if not close:
            return ""
        return " (did you mean " + " or ".join(f"'{known}'" for _, known in close[:3]) + "?)"

    def run(self, shell: ShellControl, line: str) -> MetaAction:
        command, name, argument = self.find(line)
        if not shell.interactive and not command.in_scripts:
            raise UsageError(f"{name} needs the interactive shell: scripts cannot use it")
        return command.handler(MetaCall(shell, argument, name, self)) or MetaAction.CONTINUE

    def infos(self) -> tuple[MetaCommandInfo, ...]:
        """For the completer: every command, its spellings and its argument."""
        return tuple(command.info() for command in self.commands)

    def usage(self, command: MetaCommand) -> str:
        return " | ".join(f"{n} {command.args}".rstrip() for n in command.names)

    def help_text(self) -> str:
        usages = [self.usage(c) for c in self.commands]
        width = max(len(usage) for usage in usages)
        lines = ["Meta commands (* also in scripts: -f, stdin, \\i):"]
        lines += [
            f" {'*' if c.in_scripts else ' '}{usage.ljust(width)}  {c.help}"
            for usage, c in zip(usages, self.commands, strict=True)
        ]
        lines += [
            "",
            "SQL statements end with ';' (Enter inside one starts a new line; Esc Enter runs it anyway),",
            "or with \\g [FILE] or \\gx / \\G (expanded).",
            "Start with: SHOW SERVICES;  SHOW RESOURCES IN awscc.s3;  DESCRIBE awscc.s3.buckets;",
            "Keys: Tab completes, Ctrl-R searches history, F4 switches emacs/vi, Ctrl-C cancels, Ctrl-D quits.",
        ]
        return "\n".join(lines)


def _edits(a: str, b: str) -> int:
    """Levenshtein distance, with a swap of neighbours counting once (``\\tiimng``)."""
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if previous2 is not None and i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


# -- handlers --------------------------------------------------------------------------------------


def _show_help(call: MetaCall) -> None:
    if call.argument:
        typed = call.argument.split()[0]
        try:
            command, _, _ = call.registry.find(typed)
        except UsageError:
            command, _, _ = call.registry.find("\\" + typed.lstrip("\\"))
        where = "" if command.in_scripts else " (the shell only)"
        call.shell.say(f"{call.registry.usage(command)}\n  {command.help}{where}")
        return
    call.shell.say(call.registry.help_text())


def _quit(call: MetaCall) -> MetaAction:
    return MetaAction.EXIT


def switch(argument: str, current: bool, what: str) -> bool:
    """``on``/``off`` (and their usual synonyms); nothing toggles."""
    word = argument.strip().lower()
    if not word:
        return not current
    if word in ("on", "true", "yes", "1"):
        return True
    if word in ("off", "false", "no", "0"):
        return False
    raise UsageError(f"{what} expects on or off, not '{argument}'")


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _set_format(call: MetaCall) -> None:
    """``\\T FORMAT`` (pgcli's), and ``\\o FORMAT`` as before."""
    settings = call.shell.settings
    if not call.argument:
        call.shell.say(f"Output format is {settings.output or 'table'}.")
        return
    wanted = output_format(_unquoted(call.argument.strip()))
    settings.output = wanted
    call.shell.say(f"Output format is {wanted}.")


def _set_output(call: MetaCall) -> None:
    """psql's ``\\o FILE`` and ``\\o``; a format name (``\\o json``) sets the format, as awsql's \\o always
    did: ``\\o ./json`` writes to a file named json."""
    word = _unquoted(call.argument.strip())
    if word.lower() in OUTPUT_FORMATS:
        _set_format(call)
        return
    before = call.shell.output_target()
    call.shell.send_output_to(word or None)
    if word:
        # psql's \o jsn writes a file named jsn; a name this close to a format was probably meant as one.
        hint = did_you_mean(word.lower(), OUTPUT_FORMATS) if "." not in word and "/" not in word else ""
        hint = hint.replace("(did you mean '", "(did you mean \\T '") if hint else ""
        call.shell.say(f"Results go to {word}{hint} (\\o alone sends them back to the screen).")
    elif before:
        call.shell.say(f"Results go to the screen again ({before} is closed).")
    else:
        call.shell.say("Results go to the screen.")


def _toggle(setting: str, label: str) -> Handler:
    """A handler for an on/off setting: ``\\timing``, ``\\pager``."""

    def handler(call: MetaCall) -> None:
        settings = call.shell.settings
        value = switch(call.argument, getattr(settings, setting), call.name)
        setattr(settings, setting, value)
        call.shell.say(f"{label} is {_on_off(value)}.")

    return handler


def _expanded(call: MetaCall) -> None:
    """``\\x`` toggles on and off (auto counts as off); ``\\x on|off|auto`` sets it."""
    settings = call.shell.settings
    word = call.argument.strip().lower()
    current = settings.expanded or ("auto" if call.shell.interactive else "off")
    if not word:
        mode = "off" if current == "on" else "on"
    elif word == "auto":
        mode = "auto"
    else:
        mode = "on" if switch(word, current == "on", call.name) else "off"
    settings.expanded = mode
    shown = "auto (when a table does not fit the screen)" if mode == "auto" else mode
    call.shell.say(f"Expanded display is {shown}.")


def _set_region(call: MetaCall) -> None:
    settings = call.shell.settings
    region = call.argument.strip().strip("'\"").lower()
    if not region:
        chosen = call.shell.default_region()
        said = f"{chosen.name} ({chosen.source})" if chosen.name else "none (statements must name one)"
        call.shell.say(f"Default region is {said}.")
        return
    try:
        check_region(region)
    except AwsqlError as exc:
        raise UsageError(exc.message) from None
    settings.region = region
    settings.region_source = "\\region"
    call.shell.settings_changed()
    call.shell.say(f"Default region is {region}.")


def _credentials_source(settings: Settings) -> str:
    """Where the session's credentials come from, in words: a profile, several, or an Organization's."""
    one = settings.profile or os.environ.get("AWS_PROFILE") or "default"
    if settings.profiles or settings.profiles_glob:
        named = [
            *settings.profiles,
            *([f"those matching '{settings.profiles_glob}'"] if settings.profiles_glob else []),
        ]
        return f"profiles {', '.join(named)} (an account each)"
    if settings.org:
        unit = f" under {settings.org_unit}" if settings.org_unit else ""
        return f"profile {one}, and role {settings.org_role} in every account of its Organization{unit}"
    return f"profile {one}"


def _set_profile(call: MetaCall) -> None:
    settings = call.shell.settings
    profile = call.argument.strip().strip("'\"")
    if not profile:
        source = _credentials_source(settings)
        call.shell.say(f"{source[0].upper()}{source[1:]}.")
        return
    if settings.sandbox:
        raise UsageError("the sandbox has no profiles: it accepts any credentials")
    known = call.shell.profiles()
    if profile not in known:
        hint = did_you_mean(profile, known)
        where = "" if known else " (no profiles in the AWS config or credentials file)"
        raise UsageError(f"unknown AWS profile '{profile}'{hint}{where}")
    note = ""
    if settings.profiles or settings.profiles_glob:
        note = " The accounts still come from their own profiles (\\accounts one: this profile alone)."
    call.shell.use_profile(profile)
    call.shell.settings_changed()
    call.shell.say(f"Profile is {profile}.{note}")


# -- \accounts ---------------------------------------------------------------------------------------

_GLOB_CHARACTERS = "*?["
ACCOUNT_SOURCES = ("org", "one")  # \accounts org, \accounts one: alone, these are no profile names


def _accounts(call: MetaCall) -> None:
    """``\\accounts``: the session's accounts (``awsql.accounts``). ``org``: the Organization of the current
    credentials; ``one``: the session's profile alone again; profile names, or a glob over the configured
    profiles (``prod-*``): an account per profile. The old accounts stay when the new cannot be found."""
    shell = call.shell
    try:
        words = shlex.split(call.argument)
    except ValueError as exc:
        raise UsageError(f"{call.name}: {exc}") from None
    if not words:
        shell.run_query(f"SELECT * FROM {ACCOUNTS};")
        return
    word = words[0].lower() if len(words) == 1 else None
    if len(words) == 2 and words[0].lower() == "org":  # \accounts org ou-...: under that OU (or a root)
        found, notices = shell.use_accounts(org=True, unit=words[1])
        shell.say(accounts_line(found, f"the Organization under {words[1]}"))
        return
    if word == "one":
        found, _ = shell.use_accounts()
        shell.say(f"accounts: 1 (the one of {found[0].reached})")
        return
    if word == "org":
        found, notices = shell.use_accounts(org=True)
        unit = shell.settings.org_unit
        source = f"the Organization under {unit}" if unit else "the Organization"
    else:
        patterns = [word for word in words if any(char in word for char in _GLOB_CHARACTERS)]
        names = [word for word in words if word not in patterns]
        if len(patterns) > 1:
            raise UsageError(f"{call.name} takes one pattern at a time, not {len(patterns)}: {' '.join(patterns)}")
        known = shell.profiles()
        for name in names:
            if name not in known:
                where = "" if known else " (no profiles in the AWS config or credentials file)"
                raise UsageError(f"unknown AWS profile '{name}'{did_you_mean(name, known)}{where}")
        glob = patterns[0] if patterns else None
        found, notices = shell.use_accounts(profiles=names, glob=glob)
        named = [*names, *([f"matching '{glob}'"] if glob else [])]
        source = ("profile " if len(named) == 1 and not glob else "profiles ") + ", ".join(named)
    shell.say(accounts_line(found, source))
    for notice in notices:
        shell.say(notice)


def accounts_line(accounts: Sequence[Account], source: str) -> str:
    """What a change of accounts answers: ``accounts: 3 of 4 reachable (the Organization)``."""
    reachable = sum(1 for account in accounts if account.callable)
    why = "; \\accounts shows why" if reachable < len(accounts) else ""
    return f"accounts: {reachable} of {len(accounts)} reachable ({source}){why}"


_VARIABLE_NAME = re.compile(r"[A-Za-z_][\w]*\Z")


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _set_variable(call: MetaCall) -> None:
    variables = call.shell.settings.variables
    name, _, value = call.argument.partition(" ")
    if not name:
        if not variables:
            call.shell.say("No variables set. Use \\set NAME VALUE, then {{ NAME }} in a statement.")
            return
        call.shell.say("\n".join(f"{key} = {variables[key]!r}" for key in sorted(variables)))
        return
    if not _VARIABLE_NAME.match(name):
        raise UsageError(f"'{name}' is not a variable name: use letters, digits and _")
    # Kept in place: completion reads this very mapping.
    variables[name] = _unquoted(value.strip())


def _unset_variable(call: MetaCall) -> None:
    variables = call.shell.settings.variables
    name = call.argument.strip()
    if not name:
        raise UsageError("\\unset expects a variable name")
    if name not in variables:
        hint = did_you_mean(name, variables)
        raise UsageError(f"variable '{name}' is not set{hint}")
    del variables[name]


def _include_file(call: MetaCall) -> MetaAction:
    name = _unquoted(call.argument.strip())
    if not name:
        raise UsageError("\\i expects a file name")
    path = Path(name).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read {name}: not UTF-8 text") from None
    return call.shell.run_script(text)


def _cache(call: MetaCall) -> None:
    word = call.argument.strip().lower()
    settings = call.shell.settings
    if not word:
        state = f"on, results kept {settings.cache_ttl:g} s" if settings.cache_enabled else "off"
        call.shell.say(f"Cache is {state}. \\cache clear forgets every cached result.")
        return
    if word != "clear":
        raise UsageError(f"\\cache expects 'clear', not '{call.argument}'")
    call.shell.clear_cache()
    call.shell.say("Cache cleared.")


def _edit_last(call: MetaCall) -> None:
    start = _unquoted(call.argument.strip()) or call.shell.last_statement or ""
    edited = call.shell.edit(start)
    if not edited.strip():
        call.shell.say("Nothing to run.")
        return
    call.shell.say(edited.rstrip())
    call.shell.run_script(edited)


# -- \g, \gx, \G: run the buffer (or the last statement again) -------------------------------------


def _statement_to_run(call: MetaCall) -> str:
    text = call.shell.take_buffer() or call.shell.last_statement
    if not text:
        raise UsageError(f"{call.name}: no statement to run yet")
    return text


def _go(expanded: bool) -> Handler:
    def handler(call: MetaCall) -> None:
        path = _unquoted(call.argument.strip()) or None
        call.shell.run_query(_statement_to_run(call), OneOff(expanded=expanded, path=path))

    return handler


# -- \d, \dt, \l: the catalog in psql's words --------------------------------------------------------


def _like(pattern: str) -> str:
    """psql's ``*`` and ``?`` as LIKE's ``%`` and ``_``; a pattern without them matches as a prefix."""
    converted = pattern.replace("'", "''").replace("*", "%").replace("?", "_")
    return converted if converted != pattern.replace("'", "''") else converted + "%"


def _is_pattern(text: str) -> bool:
    return any(char in text for char in "*?%")


def _kind_of(catalog: Catalog, name: str) -> str | None:
    """``resource``, ``service`` or None, as the catalog reads ``name``."""
    try:
        catalog.resolve_resource(name)
        return "resource"
    except (AwsqlError, ValueError):
        pass
    try:
        catalog.resolve_service(name)
        return "service"
    except AwsqlError:
        return None


def _describe(extended: bool) -> Handler:
    def handler(call: MetaCall) -> None:
        name = _unquoted(call.argument.strip())
        if not name or _is_pattern(name):
            _list_resources(call)
            return
        kind = _kind_of(call.shell.catalog, name)
        if kind == "service":
            _list_resources(call)
            return
        # An unknown name still goes to DESCRIBE: its error has the did-you-mean.
        call.shell.run_query(f"DESCRIBE {'EXTENDED ' if extended else ''}{name};")

    return handler


def _list_resources(call: MetaCall) -> None:
    """``\\dt [SERVICE][.PATTERN]``: the resources of a service, else of the service in use."""
    shell = call.shell
    catalog = shell.catalog
    typed = _unquoted(call.argument.strip()).removeprefix("awscc.")
    service_part, _, pattern = typed.partition(".") if "." in typed else ("", "", typed)
    if not service_part and pattern and not _is_pattern(pattern) and _kind_of(catalog, pattern) == "service":
        service_part, pattern = pattern, ""
    service = service_part or shell.current_service
    if not service:
        if pattern:
            raise UsageError(f"no service in use yet: write {call.name} SERVICE.{pattern} (\\l lists the services)")
        shell.say("No service in use yet: \\dt SERVICE lists its resources. The services:")
        shell.run_query("SHOW SERVICES;")
        return
    try:
        service = catalog.resolve_service(service)
    except AwsqlError as exc:
        raise UsageError(exc.message) from None
    shell.current_service = service
    like = f" LIKE '{_like(pattern)}'" if pattern else ""
    shell.run_query(f"SHOW RESOURCES IN awscc.{service}{like};")


def _list_services(call: MetaCall) -> None:
    pattern = _unquoted(call.argument.strip()).removeprefix("awscc.")
    like = f" LIKE '{_like(pattern)}'" if pattern else ""
    call.shell.run_query(f"SHOW SERVICES{like};")


# -- \watch -----------------------------------------------------------------------------------------


def _watch(call: MetaCall) -> None:
    """Run the last statement every SECONDS until Ctrl-C (or a failure), the cache bypassed: a watch is
    for seeing change."""
    text = call.argument.strip()
    try:
        seconds = float(text) if text else DEFAULT_WATCH_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise UsageError(f"\\watch expects a number of seconds, not '{text}'")
    statement = _statement_to_run(call)
    settings = call.shell.settings
    cached = settings.cache_enabled
    settings.cache_enabled = False
    try:
        while True:
            title = f"{time.strftime('%Y-%m-%d %H:%M:%S')} (every {seconds:g} s): {one_line(statement)}"
            if not call.shell.run_query(statement, OneOff(title=title)):
                break
            call.shell.sleep(seconds)
    except KeyboardInterrupt:
        pass
    finally:
        settings.cache_enabled = cached
    call.shell.say("Watch stopped.")


# -- \copy ------------------------------------------------------------------------------------------

_COPY = re.compile(
    r"\s*(?:\((?P<query>.*)\)|(?P<table>[\w.]+))\s+(?P<direction>TO|FROM)\s+(?P<file>'[^']*'|\"[^\"]*\"|\S+)"
    r"(?:\s+(?:WITH\s*)?\(?\s*(?:FORMAT\s+)?(?P<format>\w+)\s*\)?)?\s*\Z",
    re.IGNORECASE | re.DOTALL,
)
# Formats by file name ending; anything else is csv, as psql's \copy is.
FORMAT_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "text",
}


def _copy(call: MetaCall) -> None:
    """``\\copy (SELECT ...) TO 'file.csv' [WITH (FORMAT json)]`` or ``\\copy awscc.s3.buckets TO 'f.json'``."""
    match = _COPY.match(call.argument)
    if match is None:
        raise UsageError("\\copy expects (SELECT ...) TO 'FILE' [WITH (FORMAT csv|tsv|json|jsonl|text)]")
    if match.group("direction").upper() == "FROM":
        raise UsageError("\\copy ... FROM is not supported: Cloud Control creates resources with INSERT ... VALUES")
    query = match.group("query") or f"SELECT * FROM {match.group('table')}"
    name = _unquoted(match.group("file"))
    fmt = match.group("format")
    fmt = output_format(fmt) if fmt else FORMAT_BY_SUFFIX.get(Path(name).suffix.lower(), "csv")
    path = None if name.upper() == "STDOUT" else name
    call.shell.run_query(query.strip().rstrip(";") + ";", OneOff(path=path, fmt=fmt))


# -- named queries ----------------------------------------------------------------------------------


def _named_queries(call: MetaCall) -> Mapping[str, str]:
    from awsql_shell.config import read_config

    return read_config(call.shell.config_path()).named_queries


def _save_query(call: MetaCall) -> None:
    from awsql_shell.config import save_named_query

    name, _, sql = call.argument.strip().partition(" ")
    if not name or not sql.strip():
        raise UsageError("\\ns expects a name and a statement: \\ns NAME SELECT ...")
    save_named_query(call.shell.config_path(), name, sql)
    call.shell.say(f"Saved query '{name}' in {call.shell.config_path()}.")


def _run_query(call: MetaCall) -> MetaAction | None:
    queries = _named_queries(call)
    name = call.argument.strip()
    if not name:
        if not queries:
            call.shell.say("No named queries. \\ns NAME SQL saves one.")
        else:
            call.shell.say("\n".join(f"{key}: {one_line(queries[key])}" for key in sorted(queries)))
        return None
    if name not in queries:
        raise UsageError(f"no named query '{name}'{did_you_mean(name, queries)}; \\n lists them")
    call.shell.say(f"> {one_line(queries[name])}")
    return call.shell.run_script(queries[name])


def _delete_query(call: MetaCall) -> None:
    from awsql_shell.config import delete_named_query

    name = call.argument.strip()
    if not name:
        raise UsageError("\\nd expects the name of a query")
    if not delete_named_query(call.shell.config_path(), name):
        raise UsageError(f"no named query '{name}'{did_you_mean(name, _named_queries(call))}")
    call.shell.say(f"Deleted query '{name}'.")


# -- \conninfo --------------------------------------------------------------------------------------


def _conninfo(call: MetaCall) -> None:
    settings = call.shell.settings
    region = call.shell.default_region()
    if settings.sandbox:
        who = "the sandbox (any credentials)"
    elif settings.endpoint_url:
        who = f"{_credentials_source(settings)}, at a custom endpoint"
    else:
        who = _credentials_source(settings)
    known = call.shell.known_accounts()
    if known and len(known) > 1:
        reachable = sum(1 for a in known if a.callable)
        account = f"{len(known)} accounts, {reachable} reachable (\\accounts lists them)"
    elif known and known[0].id:
        account = known[0].id
    else:
        account = settings.account or "not asked yet (the first query asks STS once; SELECT * FROM awsql.accounts)"
    where = f"{region.name} ({region.source})" if region.name else "none (statements must name one)"
    endpoint = settings.endpoint_url or (
        f"https://cloudcontrolapi.{region.name}.amazonaws.com" if region.name else "per region"
    )
    call.shell.say(f"Connected as {who}.\nAccount: {account}\nDefault region: {where}\nEndpoint: {endpoint}")


def default_registry() -> MetaRegistry:
    shell_only = {"in_scripts": False}
    return MetaRegistry(
        [
            MetaCommand(("\\?", "help"), "Show this help", _show_help, args="[COMMAND]"),
            MetaCommand(("\\q", "exit", "quit"), "Quit (in a script: stop it)", _quit),
            MetaCommand(
                ("\\o",),
                "Send results to FILE (the format kept); alone, back to the screen; \\o FORMAT sets the format",
                _set_output,
                args="[FILE]",
                argument=ArgumentKind.OUTPUT_TARGET,
            ),
            MetaCommand(
                ("\\T",), "Set the output format", _set_format, args="[FORMAT]", argument=ArgumentKind.OUTPUT_FORMAT
            ),
            MetaCommand(
                ("\\x",),
                "Expanded display: one field per line (auto: when a table does not fit)",
                _expanded,
                "[on|off|auto]",
                choices=EXPANDED_MODES,
            ),
            MetaCommand(("\\g",), "Run the statement (or the last again), into FILE if given", _go(False), "[FILE]"),
            MetaCommand(("\\gx", "\\G"), "Run the statement, its result expanded", _go(True), "[FILE]"),
            MetaCommand(
                ("\\d",),
                "Describe a resource; a service or PATTERN lists resources, as \\dt",
                _describe(False),
                "[NAME]",
                argument=ArgumentKind.RESOURCE,
            ),
            MetaCommand(
                ("\\d+",),
                "Describe a resource with nested fields",
                _describe(True),
                "NAME",
                argument=ArgumentKind.RESOURCE,
            ),
            MetaCommand(
                ("\\dt",),
                "List the resources of a service (else of the service in use)",
                _list_resources,
                "[SERVICE][.PATTERN]",
                argument=ArgumentKind.RESOURCE,
            ),
            MetaCommand(("\\l", "\\dn"), "List the services", _list_services, "[PATTERN]"),
            MetaCommand(
                ("\\copy",),
                "Write a query's result to a file (format from its name, or FORMAT)",
                _copy,
                "(SELECT ...) TO 'FILE' [WITH (FORMAT f)]",
            ),
            MetaCommand(("\\ns",), "Save a named query (in the config file)", _save_query, "NAME SQL"),
            MetaCommand(
                ("\\n",), "Run a named query; alone, list them", _run_query, "[NAME]", argument=ArgumentKind.NAMED_QUERY
            ),
            MetaCommand(("\\nd",), "Delete a named query", _delete_query, "NAME", argument=ArgumentKind.NAMED_QUERY),
            MetaCommand(("\\conninfo",), "Show profile, account, region and endpoint", _conninfo),
            MetaCommand(
                ("\\watch",),
                "Run the last statement every SECONDS (2), uncached, until Ctrl-C",
                _watch,
                "[SECONDS]",
                **shell_only,
            ),
            MetaCommand(
                ("\\timing",), "Toggle timing of statements", _toggle("timing", "Timing"), ON_OFF_ARGS, choices=ON_OFF
            ),
            MetaCommand(
                ("\\region",), "Set the default region", _set_region, args="[REGION]", argument=ArgumentKind.REGION
            ),
            MetaCommand(
                ("\\profile",), "Switch the AWS profile", _set_profile, args="[PROFILE]", argument=ArgumentKind.PROFILE
            ),
            MetaCommand(
                ("\\accounts",),
                "List the session's accounts; org, one, PROFILE... or a GLOB of profiles switches them",
                _accounts,
                args="[org [OU]|one|PROFILE...|GLOB]",
                argument=ArgumentKind.ACCOUNTS,
                choices=ACCOUNT_SOURCES,
            ),
            MetaCommand(
                ("\\set",),
                "Set a variable for {{ NAME }}, or list them",
                _set_variable,
                args="[NAME VALUE]",
                argument=ArgumentKind.VARIABLE,
            ),
            MetaCommand(
                ("\\unset",), "Remove a variable", _unset_variable, args="NAME", argument=ArgumentKind.VARIABLE
            ),
            MetaCommand(
                ("\\i",), "Run the statements in a file", _include_file, args="FILE", argument=ArgumentKind.FILE
            ),
            MetaCommand(("\\cache",), "Forget cached results", _cache, args="[clear]", choices=("clear",)),
            MetaCommand(
                ("\\e",), "Edit the last statement in $EDITOR, then run it", _edit_last, args="[TEXT]", **shell_only
            ),
            MetaCommand(
                ("\\pager",),
                "Page output too wide or tall for the screen",
                _toggle("pager", "Pager"),
                ON_OFF_ARGS,
                choices=ON_OFF,
                **shell_only,
            ),
        ]
    )


# -- AWS profiles, read the way the AWS CLI finds them (without botocore) ---------------------------


def aws_profiles(environ: Mapping[str, str]) -> tuple[str, ...]:
    home = Path(environ.get("HOME") or Path.home())
    config = Path(environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config")
    credentials = Path(environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials")
    names: dict[str, None] = {}
    for path, prefixed in ((config, True), (credentials, False)):
        for section in _sections(path):
            if prefixed and section.startswith("profile "):
                names[section.removeprefix("profile ").strip()] = None
            elif section == "default" or not prefixed:
                names[section] = None
    return tuple(sorted(names))


def _sections(path: Path) -> Sequence[str]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError):
        return ()
    return parser.sections()
