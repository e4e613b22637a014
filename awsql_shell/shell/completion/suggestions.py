"""What may come at the cursor, as typed values: the contract between `context.suggest` and the completer.

Every suggestion carries `prefix`, the text just before the cursor that a candidate replaces. It is left
out of equality so that tests and callers can compare suggestions by meaning (`Keyword() in found`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Suggestion:
    prefix: str = field(default="", compare=False, kw_only=True)


@dataclass(frozen=True)
class TableInScope:
    """A resource named in FROM / JOIN / UPDATE, as typed, with its alias if any."""

    name: str
    alias: str | None = None

    def answers_to(self, qualifier: str) -> bool:
        """Whether `qualifier.` refers to this table: its alias, else its name or the name's last part."""
        wanted = qualifier.lower()
        if self.alias is not None:
            return self.alias.lower() == wanted
        name = self.name.lower()
        return wanted in (name, name.rsplit(".", 1)[-1])


@dataclass(frozen=True)
class Keyword(Suggestion):
    """SQL keywords; only `choices` when the grammar allows just a few."""

    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Function(Suggestion):
    """SQLite scalar, aggregate, window and JSON functions."""


@dataclass(frozen=True)
class Provider(Suggestion):
    """The provider segment: `awscc`."""


@dataclass(frozen=True)
class Service(Suggestion):
    """A service name; `qualified` candidates carry the provider (`awscc.lambda`) because none was typed."""

    qualified: bool = False


@dataclass(frozen=True)
class Resource(Suggestion):
    """Resources of `service` (the last name segment is completed), or, with `service=None`,
    every resource by its full name (`lam` -> `awscc.lambda.functions`)."""

    service: str | None = None


@dataclass(frozen=True)
class Column(Suggestion):
    """Columns of the tables in scope; with a `qualifier` (`f` in `f.`), only that table's. `updatable`: only
    what UPDATE ... SET may change (not read-only, not create-only, not `region`)."""

    tables: tuple[TableInScope, ...] = ()
    qualifier: str | None = None
    updatable: bool = False


@dataclass(frozen=True)
class Parameter(Suggestion):
    """Names that are valid here without being columns: `Identifier` in WHERE, `PatchDocument` in SET,
    the ProgressEvent fields after RETURNING."""

    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionValue(Suggestion):
    """A region on the right of `region =` / `region IN (`. `quoted`: the cursor is already inside the string."""

    quoted: bool = False


@dataclass(frozen=True)
class IdentifierValue(Suggestion):
    """A primary identifier seen earlier, for `Identifier =` / `Identifier IN (`."""

    tables: tuple[TableInScope, ...] = ()
    quoted: bool = False


@dataclass(frozen=True)
class TypeNameValue(Suggestion):
    """A CloudFormation type name for `TypeName =` (the raw `awscc.cloud_control.*` views)."""

    quoted: bool = False


@dataclass(frozen=True)
class InsertProperty(Suggestion):
    """A property name inside `INSERT INTO table (...)`; `listed` are those already written."""

    table: str
    listed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variable(Suggestion):
    """A variable name inside `{{ ... }}`."""


@dataclass(frozen=True)
class MetaCommand(Suggestion):
    """A meta command name (`\\o`, `help`, ...)."""


@dataclass(frozen=True)
class MetaArgument(Suggestion):
    """The argument number `position` (0-based) of the meta command `command`."""

    command: str
    position: int = 0
