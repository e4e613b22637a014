"""The config file: the defaults a user sets once, and the named queries of ``\\ns`` / ``\\n`` / ``\\nd``.

Where: ``--config FILE``, else ``$AWSQL_CONFIG``, else ``config`` in the user's config directory
(platformdirs: ``~/.config/awsql/config`` on Linux, ``~/Library/Application Support/awsql/config`` on
macOS). INI, as pgcli's ``config`` is: a ``[main]`` section of settings and a ``[named queries]`` section.
The shell writes a commented default file on its first run, as pgcli does; batch runs only read it (a
script in CI should not leave files in a home directory).

Precedence, in one place (``Layers``): command-line flags > environment variables (``AWS_REGION`` /
``AWS_DEFAULT_REGION`` over ``region``, ``$PAGER`` over ``pager_command``) > this file > built-in defaults.

A broken file is one ``ConfigError`` naming the file and the line, never a traceback. ``\\ns`` and ``\\nd``
rewrite only the lines of the named query they touch, so the user's comments and layout survive.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsql_shell.errors import UsageError, did_you_mean
from awsql_shell.settings import (
    DEFAULT_CACHE_TTL_SECONDS,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_RATE_LIMIT,
    EXPANDED_MODES,
    KEY_BINDINGS,
    OUTPUT_FORMATS,
)

CONFIG_ENV = "AWSQL_CONFIG"
APP_NAME = "awsql"
MAIN = "main"
NAMED_QUERIES = "named queries"
_INDENT = "    "
NAME_PATTERN = re.compile(r"[A-Za-z_][\w-]*\Z")

DEFAULT_TEXT = f"""\
# awsql's configuration, written on the shell's first run: edit it freely.
# Precedence: command-line flags > environment variables > this file > built-in defaults.
# An empty value means the built-in default. Comments start with # on a line of their own.

[{MAIN}]
# Region for statements that name none. AWS_REGION / AWS_DEFAULT_REGION win over it; empty: the AWS
# profile's region.
region =

# Output format: {", ".join(OUTPUT_FORMATS)}. Empty: table on a terminal, csv when piped.
output =

# Page results wider or taller than the screen: on or off. The pager: $PAGER wins; empty: less -SRXF.
pager = on
pager_command =

# Expanded display (one field per line): on, off or auto (when a table does not fit the screen).
# Empty: auto in the shell, off in batch mode (-e, -f, stdin).
expanded =

# Print time, API calls, cache hits and retries after each statement: on or off.
timing = off

# Key bindings of the shell: emacs or vi (F4 switches while typing).
key_bindings = emacs

# Cloud Control calls in flight at most (--max-concurrency), and calls a second per region at most
# (--rate-limit; 0: no limit).
max_concurrency = {DEFAULT_MAX_CONCURRENCY}
rate_limit = {DEFAULT_RATE_LIMIT:g}

# How long results are reused within a session, in seconds (0: not at all).
cache_ttl = {DEFAULT_CACHE_TTL_SECONDS:g}

# Highlighting style of the shell: a Pygments style name (default, monokai, native, friendly, ...).
syntax_style = default

# Ask before an UPDATE or DELETE that does not name its Identifier: on; off confirms them all, as --yes.
confirm_destructive = on

[{NAMED_QUERIES}]
# \\ns NAME SQL saves a query here, \\n NAME runs it, \\nd NAME deletes it. For example:
# lambdas = SELECT function_name, runtime FROM awscc.lambda.functions;
"""


class ConfigError(UsageError):
    """The config file cannot be used: one line, naming the file and the line."""


def config_path(explicit: str | None, environ: Mapping[str, str]) -> Path:
    """``--config``, else ``$AWSQL_CONFIG``, else ``config`` in the user's config directory."""
    chosen = explicit or environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_path  # only paid for when neither names the file

    return user_config_path(APP_NAME, appauthor=False) / "config"


def write_default(path: Path) -> bool:
    """Write the commented default file when there is none; False when it exists or cannot be written
    (a read-only home must not stop the shell)."""
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:
            file.write(DEFAULT_TEXT)
    except OSError:
        return False
    return True


# -- reading ---------------------------------------------------------------------------------------


def _on_off(text: str) -> bool:
    word = text.lower()
    if word in ("on", "true", "yes", "1"):
        return True
    if word in ("off", "false", "no", "0"):
        return False
    raise ValueError("expects on or off")


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        word = text.lower()
        if word not in choices:
            raise ValueError(f"expects one of {', '.join(choices)}{did_you_mean(word, choices)}")
        return word

    return parse


def _number(minimum: float, whole: bool) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            raise ValueError(f"expects {'a whole number' if whole else 'a number'}") from None
        if not minimum <= value < float("inf"):
            raise ValueError(f"expects a number of at least {minimum:g}")
        return value

    return parse


def _region(text: str) -> str:
    from awsql_shell.catalog.regions import check_region

    try:
        return check_region(text)
    except Exception as exc:  # the catalog's ValidationError, said as this file's error
        raise ValueError(str(exc)) from None


def _style(text: str) -> str:
    from pygments.styles import get_all_styles

    styles = tuple(get_all_styles())
    if text not in styles:
        raise ValueError(f"is not a Pygments style{did_you_mean(text, styles)}")
    return text


# Every setting of [main]: how its text is read. The Settings field it feeds is named in ``Layers``.
SETTINGS: dict[str, Callable[[str], Any]] = {
    "region": _region,
    "output": _choice(OUTPUT_FORMATS),
    "pager": _on_off,
    "pager_command": str,
    "expanded": _choice(EXPANDED_MODES),
    "timing": _on_off,
    "key_bindings": _choice(KEY_BINDINGS),
    "max_concurrency": _number(1, whole=True),
    "rate_limit": _number(0, whole=False),
    "cache_ttl": _number(0, whole=False),
    "syntax_style": _style,
    "confirm_destructive": _on_off,
}


@dataclass(frozen=True)
class ConfigFile:
    """What a config file says: the settings it gives (empty values left out) and its named queries."""

    path: Path
    values: Mapping[str, Any] = field(default_factory=dict)
    named_queries: Mapping[str, str] = field(default_factory=dict)
    exists: bool = False

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def _parser() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(interpolation=None, comment_prefixes=("#",), strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # named queries keep their case
    return parser


def read_config(path: Path) -> ConfigFile:
    """The file at ``path`` read and checked; a missing file gives nothing (the defaults)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return ConfigFile(path)
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path}: not UTF-8 text (byte {exc.start})") from None
    parser = _parser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise ConfigError(f"config file {path}, line {_error_line(exc)}: {_error_text(exc)}") from None
    lines = _option_lines(text)
    unknown = [s for s in parser.sections() if s not in (MAIN, NAMED_QUERIES)]
    if unknown:
        line = lines.get((unknown[0], None), 0)
        hint = did_you_mean(unknown[0], (MAIN, NAMED_QUERIES))
        raise ConfigError(f"config file {path}, line {line}: unknown section [{unknown[0]}]{hint}")
    values: dict[str, Any] = {}
    if parser.has_section(MAIN):
        for name, raw in parser.items(MAIN):
            line = lines.get((MAIN, name), 0)
            if name not in SETTINGS:
                hint = did_you_mean(name, SETTINGS)
                raise ConfigError(f"config file {path}, line {line}: unknown setting '{name}'{hint}")
            text_value = raw.strip()
            if not text_value:
                continue
            try:
                values[name] = SETTINGS[name](text_value)
            except ValueError as exc:
                raise ConfigError(f"config file {path}, line {line}: {name} {exc}, not '{text_value}'") from None
    queries: dict[str, str] = {}
    if parser.has_section(NAMED_QUERIES):
        for name, sql in parser.items(NAMED_QUERIES):
            if not NAME_PATTERN.match(name):
                line = lines.get((NAMED_QUERIES, name), 0)
                raise ConfigError(f"config file {path}, line {line}: '{name}' is not a query name")
            queries[name] = sql.strip()
    return ConfigFile(path, values, queries, exists=True)


def _error_line(error: configparser.Error) -> int:
    lineno = getattr(error, "lineno", None)
    if lineno is None and isinstance(error, configparser.ParsingError) and error.errors:
        lineno = error.errors[0][0]
    return int(lineno or 0)


def _error_text(error: configparser.Error) -> str:
    if isinstance(error, configparser.MissingSectionHeaderError):
        return f"a setting before any [section]: start with [{MAIN}]"
    if isinstance(error, configparser.DuplicateOptionError):
        return f"'{error.option}' is given twice in [{error.section}]"
    if isinstance(error, configparser.DuplicateSectionError):
        return f"section [{error.section}] is given twice"
    if isinstance(error, configparser.ParsingError) and error.errors:
        return f"not a setting: {error.errors[0][1].strip()!r} (expected name = value)"
    return error.message.splitlines()[0]


_SECTION = re.compile(r"\s*\[([^\]]+)\]\s*$")
_OPTION = re.compile(r"([^\s=:#;\[][^=:]*?)\s*[=:]")


def _option_lines(text: str) -> dict[tuple[str, str | None], int]:
    """The line of every section header (``(section, None)``) and option, for errors configparser cannot place."""
    found: dict[tuple[str, str | None], int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip()
            found.setdefault((section, None), number)
            continue
        option = _OPTION.match(line)
        if option and not line[:1].isspace():
            found.setdefault((section, option.group(1).strip()), number)
    return found


# -- precedence ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layers:
    """The one precedence rule: a flag the user gave, else the environment, else the file, else the default."""

    config: ConfigFile
    environ: Mapping[str, str]

    def pick(self, name: str, flag: Any, default: Any, *, environment: tuple[str, ...] = ()) -> Any:
        if flag is not None:
            return flag
        if any(self.environ.get(variable) for variable in environment):
            return default  # the environment speaks for itself where the value is used (AWS_REGION, PAGER)
        return self.config.get(name, default)


# -- named queries ---------------------------------------------------------------------------------


def save_named_query(path: Path, name: str, sql: str) -> None:
    """Add or replace ``name`` in the file's [named queries] section, touching no other line."""
    _check_name(name)
    lines = _lines_for_update(path)
    entry = _entry_lines(name, sql)
    start, end = _query_span(lines, name)
    if start is not None:
        lines[start:end] = entry
    else:
        lines[_section_end(lines) : _section_end(lines)] = entry
    _write(path, lines)


def delete_named_query(path: Path, name: str) -> bool:
    """Remove ``name``; False when there is no such query."""
    if not path.exists():
        return False
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    start, end = _query_span(lines, name)
    if start is None:
        return False
    del lines[start:end]
    _write(path, lines)
    return True


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise UsageError(f"'{name}' is not a query name: use letters, digits, '_' and '-'")


def _entry_lines(name: str, sql: str) -> list[str]:
    # Continuation lines are indented (INI's rule); blank lines would end the value, SQL does without them.
    first, *more = [line.rstrip() for line in sql.strip().splitlines() if line.strip()]
    return [f"{name} = {first}\n", *(f"{_INDENT}{line.lstrip()}\n" for line in more)]


def _lines_for_update(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig") if path.exists() else DEFAULT_TEXT
    read_config_text_check(path, text)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if _section_start(lines) is None:
        lines += ["\n", f"[{NAMED_QUERIES}]\n"]
    return lines


def read_config_text_check(path: Path, text: str) -> None:
    """Refuse to edit a file that does not parse: rewriting it could only make it worse."""
    parser = _parser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise ConfigError(f"config file {path}, line {_error_line(exc)}: {_error_text(exc)}") from None


def _section_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        header = _SECTION.match(line)
        if header and header.group(1).strip() == NAMED_QUERIES:
            return index
    return None


def _section_end(lines: list[str]) -> int:
    """Where a new query goes: after the section's last query (its trailing comments and blanks stay below)."""
    start = _section_start(lines)
    assert start is not None
    end = start + 1
    index = start + 1
    while index < len(lines) and not _SECTION.match(lines[index]):
        if lines[index].strip() and not lines[index].lstrip().startswith("#"):
            end = index + 1
        index += 1
    return end


def _query_span(lines: list[str], name: str) -> tuple[int | None, int]:
    start = _section_start(lines)
    if start is None:
        return None, 0
    index = start + 1
    while index < len(lines) and not _SECTION.match(lines[index]):
        option = _OPTION.match(lines[index])
        if option and not lines[index][:1].isspace() and option.group(1).strip() == name:
            end = index + 1
            while end < len(lines) and lines[end][:1].isspace() and lines[end].strip():
                end += 1
            return index, end
        index += 1
    return None, 0


def _write(path: Path, lines: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text("".join(lines), encoding="utf-8")
        os.replace(temporary, path)  # whole or not at all: a full disk leaves the old file
    except OSError as exc:
        raise UsageError(f"cannot write the config file {path}: {exc.strerror or exc}") from None
