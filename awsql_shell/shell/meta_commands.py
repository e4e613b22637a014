"""Meta commands (``\\x``, ``\\o json``, ``help``...): one registry that runs them, writes their help and
tells completion their names and arguments.

As in pgcli's special commands, each command is data (names, argument synopsis, one line of help) plus a
handler; the registry finds the command a line starts with and hands the rest of the line to it. Handlers
change ``Settings`` or call back into the shell through the small ``ShellControl`` protocol, and raise
``AwsqlError`` for bad input (the shell prints it and goes on).
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from awsql_shell.catalog.regions import check_region
from awsql_shell.errors import AwsqlError, UsageError, did_you_mean
from awsql_shell.render import output_format
from awsql_shell.settings import Settings
from awsql_shell.shell.completion.meta_command_info import ArgumentKind, MetaCommandInfo
from awsql_shell.shell.editing import split_meta_command

ON_OFF = ("on", "off")
ON_OFF_ARGS = "[on|off]"


class MetaAction(Enum):
    CONTINUE = "continue"
    EXIT = "exit"


class ShellControl(Protocol):
    """What a meta command may do to the shell around it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def last_statement(self) -> str | None: ...

    def say(self, text: str) -> None:
        """Show an answer (stdout)."""

    def run_sql(self, text: str) -> None:
        """Run statements as if typed at the prompt."""

    def clear_cache(self) -> None: ...

    def edit(self, text: str) -> str:
        """Open ``text`` in the user's editor; return what was saved."""
        ...

    def settings_changed(self) -> None:
        """Region or profile changed: refresh what depends on them (toolbar, completion)."""

    def profiles(self) -> tuple[str, ...]:
        """AWS profiles in the config and credentials files."""
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
    """``names[0]`` is how help lists it; ``args`` is its synopsis (``FORMAT``, ``[on|off]``)."""

    names: tuple[str, ...]
    help: str
    handler: Handler
    args: str = ""
    argument: ArgumentKind | None = None  # what completion offers for the first argument
    choices: tuple[str, ...] = ()

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
                if name.lower() in self._by_name:
                    raise ValueError(f"meta command {name} is registered twice")
                self._by_name[name.lower()] = command

    def find(self, line: str) -> tuple[MetaCommand, str, str]:
        """The command ``line`` starts with, the name as typed and the rest of the line."""
        name, argument = split_meta_command(line)
        command = self._by_name.get(name.lower())
        if command is None:
            hint = did_you_mean(name, self._by_name)
            raise UsageError(f"unknown meta command '{name}'{hint}; type \\? for the list")
        return command, name, argument

    def run(self, shell: ShellControl, line: str) -> MetaAction:
        command, name, argument = self.find(line)
        return command.handler(MetaCall(shell, argument, name, self)) or MetaAction.CONTINUE

    def infos(self) -> tuple[MetaCommandInfo, ...]:
        """For the completer: every command, its spellings and its argument."""
        return tuple(command.info() for command in self.commands)

    def help_text(self) -> str:
        usages = [" | ".join(f"{n} {c.args}".rstrip() for n in c.names) for c in self.commands]
        width = max(len(usage) for usage in usages)
        lines = ["Meta commands:"]
        lines += [f"  {usage.ljust(width)}  {c.help}" for usage, c in zip(usages, self.commands, strict=True)]
        lines += [
            "",
            "SQL statements end with ';' (Enter inside one starts a new line; Esc Enter runs it anyway).",
            "Start with: SHOW SERVICES;  SHOW RESOURCES IN awscc.s3;  DESCRIBE awscc.s3.buckets;",
            "Keys: Tab completes, Ctrl-R searches history, F4 switches emacs/vi, Ctrl-C cancels, Ctrl-D quits.",
        ]
        return "\n".join(lines)


# -- handlers --------------------------------------------------------------------------------------


def _show_help(call: MetaCall) -> None:
    if call.argument:
        typed = call.argument.split()[0]
        try:
            command, _, _ = call.registry.find(typed)
        except UsageError:
            command, _, _ = call.registry.find("\\" + typed.lstrip("\\"))
        call.shell.say(f"{' | '.join(command.names)} {command.args}".rstrip() + f"\n  {command.help}")
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


def _set_output(call: MetaCall) -> None:
    settings = call.shell.settings
    if not call.argument:
        call.shell.say(f"Output format is {settings.output or 'table'}.")
        return
    wanted = output_format(call.argument)
    settings.output = wanted
    call.shell.say(f"Output format is {wanted}.")


def _toggle(setting: str, label: str) -> Handler:
    """A handler for an on/off setting: ``\\x``, ``\\timing``, ``\\pager``."""

    def handler(call: MetaCall) -> None:
        settings = call.shell.settings
        value = switch(call.argument, getattr(settings, setting), call.name)
        setattr(settings, setting, value)
        call.shell.say(f"{label} is {_on_off(value)}.")

    return handler


def _set_region(call: MetaCall) -> None:
    settings = call.shell.settings
    region = call.argument.strip().strip("'\"").lower()
    if not region:
        call.shell.say(f"Default region is {settings.region or '(from the AWS profile or environment)'}.")
        return
    try:
        check_region(region)
    except AwsqlError as exc:
        raise UsageError(exc.message) from None
    settings.region = region
    settings.region_source = "\\region"
    call.shell.settings_changed()
    call.shell.say(f"Default region is {region}.")


def _set_profile(call: MetaCall) -> None:
    settings = call.shell.settings
    profile = call.argument.strip().strip("'\"")
    if not profile:
        call.shell.say(f"Profile is {settings.profile or os.environ.get('AWS_PROFILE') or 'default'}.")
        return
    if settings.sandbox:
        raise UsageError("the sandbox has no profiles: it accepts any credentials")
    known = call.shell.profiles()
    if profile not in known:
        hint = did_you_mean(profile, known)
        where = "" if known else " (no profiles in the AWS config or credentials file)"
        raise UsageError(f"unknown AWS profile '{profile}'{hint}{where}")
    settings.profile = profile  # the gateway's cache is keyed by profile: nothing to forget
    call.shell.settings_changed()
    call.shell.say(f"Profile is {profile}.")


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


def _include_file(call: MetaCall) -> None:
    name = _unquoted(call.argument.strip())
    if not name:
        raise UsageError("\\i expects a file name")
    path = Path(name).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"cannot read {name}: not UTF-8 text") from None
    call.shell.run_sql(text)


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
    call.shell.run_sql(edited)


def default_registry() -> MetaRegistry:
    return MetaRegistry(
        [
            MetaCommand(("\\?", "help"), "Show this help", _show_help, args="[COMMAND]"),
            MetaCommand(("\\q", "exit", "quit"), "Quit", _quit),
            MetaCommand(
                ("\\o",), "Set the output format", _set_output, args="[FORMAT]", argument=ArgumentKind.OUTPUT_FORMAT
            ),
            MetaCommand(
                ("\\x",),
                "Toggle one field per line (values whole)",
                _toggle("expanded", "Expanded display"),
                ON_OFF_ARGS,
                choices=ON_OFF,
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
            MetaCommand(("\\e",), "Edit the last statement in $EDITOR, then run it", _edit_last, args="[TEXT]"),
            MetaCommand(
                ("\\pager",),
                "Page output too wide or tall for the screen",
                _toggle("pager", "Pager"),
                ON_OFF_ARGS,
                choices=ON_OFF,
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
