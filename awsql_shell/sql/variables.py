"""``{{ name }}`` variables (dialect section 3.7): plain text replacement, nothing is evaluated.

A small set of Jinja's filters works, as StackQL users write them: ``upper``, ``lower``, ``default('x')``
(used when the variable is not set) and ``tojson`` (the value as a JSON string). Anything else between
``{{`` and ``}}`` is an error that says what a template may hold: never left in the SQL as literal text.

Parsing and substitution are independent: a statement with ``{{ name }}`` still parses (SHOW INSERT
templates must), and the executor decides when to substitute.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awsql_shell.errors import UsageError, ValidationError

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
# Every {{ ... }}: what is inside is a variable, with filters, or an error; never left as text.
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_EXPRESSION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*((?:\|[^|]*)*)\Z", re.DOTALL)
_FILTER = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:\(\s*('[^']*'|\"[^\"]*\"|[^()'\"]*?)\s*\))?\s*\Z", re.DOTALL)
# stackql-deploy's {{ { "Prop": variable } | generate_patch_document }} is the planner's to read (mutation_plan).
_PLANNER_TEMPLATE = re.compile(r"\s*\{.*\}\s*\|\s*generate_patch_document\s*\Z", re.DOTALL)
# The filters a template may use, Jinja's names: {{ env | upper }}, {{ name | default('dev') }}, {{ tags | tojson }}.
FILTERS = ("upper", "lower", "default", "tojson")


@dataclass(frozen=True)
class _Template:
    name: str
    filters: tuple[tuple[str, str | None], ...] = ()  # (filter, its argument)

    @property
    def default(self) -> str | None:
        return next((argument or "" for name, argument in self.filters if name == "default"), None)


def _templates(text: str) -> list[re.Match[str]]:
    """Every ``{{ ... }}`` of ``text`` that substitution answers."""
    return [match for match in _TEMPLATE.finditer(text) if not _PLANNER_TEMPLATE.match(match.group(1))]


def _parse(match: re.Match[str]) -> _Template:
    """The variable and filters of one ``{{ ... }}``; a ValidationError placed at it otherwise."""
    expression = _EXPRESSION.match(match.group(1))
    if expression is None:
        raise ValidationError(
            f"'{match.group(0)}' is not a variable: write {{{{ name }}}}, optionally with filters "
            f"({', '.join(FILTERS)}): {{{{ name | upper }}}}",
            position=match.start(),
        )
    filters = []
    for part in expression.group(2).split("|")[1:]:
        found = _FILTER.match(part)
        if found is None or found.group(1) not in FILTERS:
            word = found.group(1) if found else part.strip()
            raise ValidationError(
                f"unknown filter '{word}' in '{match.group(0)}': the filters are {', '.join(FILTERS)}",
                position=match.start(),
            )
        argument = found.group(2)
        if argument is not None and argument[:1] in "'\"":
            argument = argument[1:-1]
        if found.group(1) != "default" and argument is not None:
            raise ValidationError(f"the filter '{found.group(1)}' takes no argument", position=match.start())
        filters.append((found.group(1), argument))
    return _Template(expression.group(1), tuple(filters))


def _value(template: _Template, variables: Mapping[str, str]) -> str:
    value = str(variables[template.name]) if template.name in variables else template.default
    assert value is not None
    for name, _ in template.filters:
        if name == "upper":
            value = value.upper()
        elif name == "lower":
            value = value.lower()
        elif name == "tojson":
            value = json.dumps(value)
    return value


def find_variables(text: str) -> list[str]:
    """The names of the variables in ``text``, each once, in order of first appearance (a ``{{ }}`` that is
    no variable counts under its own text, so that substituting it reports it)."""
    names = []
    for match in _templates(text):
        expression = _EXPRESSION.match(match.group(1))
        names.append(expression.group(1) if expression else match.group(0))
    return list(dict.fromkeys(names))


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with every ``{{ name }}`` (and ``{{ name | filter }}``) replaced by its value; undefined names
    are one error naming them all, a template that is no variable or an unknown filter an error at it.

    Values are inserted as they are, never scanned again, so a value holding ``{{ x }}`` stays as it is.
    """
    templates = []
    for match in _templates(text):
        try:
            templates.append((match, _parse(match)))
        except ValidationError as exc:
            exc.statement = text
            raise
    missing = sorted({t.name for _, t in templates if t.name not in variables and t.default is None})
    if missing:
        first = next(m for m, t in templates if t.name in missing and t.default is None)
        noun = "variable" if len(missing) == 1 else "variables"
        raise ValidationError(f"undefined {noun}: {', '.join(missing)}", position=first.start(), statement=text)
    pieces, end = [], 0
    for match, template in templates:
        pieces += [text[end : match.start()], _value(template, variables)]
        end = match.end()
    return "".join([*pieces, text[end:]])


def original_position(text: str, variables: Mapping[str, str], position: int) -> int:
    """Where a position in ``substitute(text, variables)`` stands in ``text``; inside a substituted value it
    is the value's ``{{``. Errors found after substitution point at what the user wrote."""
    shift = 0
    for match in _templates(text):
        start = match.start() + shift  # where the value begins in the substituted text
        try:
            template = _parse(match)
            known = template.name in variables or template.default is not None
            value = _value(template, variables) if known else match.group(0)
        except ValidationError:
            value = match.group(0)
        if position < start:
            break
        if position < start + len(value):
            return match.start()
        shift += len(value) - len(match.group(0))
    return position - shift


def parse_var_option(text: str) -> tuple[str, str]:
    """``--var name=value`` or ``\\set``-style ``name=value`` as (name, value)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not NAME.fullmatch(name):
        raise UsageError(f"expected NAME=VALUE with NAME made of letters, digits, '_' and '.', got '{text}'")
    return name, value


def load_vars_file(path: str | Path) -> dict[str, str]:
    """Variables from a JSON or YAML file holding a mapping of names to values.

    Numbers and booleans become their JSON text (``true``, ``3``); a nested mapping or list becomes its
    JSON text under its own name (ready for an object property) and its scalar members are also
    reachable by dotted names (``{{ tags.env }}``).
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"vars file not found: {file}") from None
    except IsADirectoryError:
        raise UsageError(f"vars file is a directory: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read vars file {file}: {exc}") from None
    data = _decode(file, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"vars file {file} must hold a mapping of names to values, not a {_kind(data)}")
    variables: dict[str, str] = {}
    _flatten(file, data, "", variables)
    return variables


def _decode(file: Path, text: str) -> Any:
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{file}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    import yaml  # only paid for when a vars file is used

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{file}: invalid YAML: {problem}{where}") from None


def _flatten(file: Path, data: dict, prefix: str, out: dict[str, str]) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if not NAME.fullmatch(name):
            raise UsageError(
                f"{file}: '{name}' is not a variable name (letters, digits, '_' and '.', not starting with a digit)"
            )
        if value is None:
            raise UsageError(f"{file}: variable '{name}' has no value")
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, dict | list):
            out[name] = json.dumps(value)
            if isinstance(value, dict):
                _flatten(file, value, f"{name}.", out)
        else:
            out[name] = json.dumps(value) if isinstance(value, bool | int | float) else str(value)


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "value")
