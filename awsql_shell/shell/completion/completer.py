"""The prompt_toolkit completer: lists candidates for the suggestions `context.suggest` works out.

Everything comes from memory (the catalog index, schemas decoded once and cached, values the session
has seen); nothing here touches the network, and nothing here raises into the prompt.

While the user types (no Tab), a menu opens only once a word has begun, or right after the `.` of a
qualified name (`awscc.`, `f.`) or the opening quote of a value (`region = '`): characters typed to pick
from a list. An empty word after Enter, a space, a paste or a comment line gets no menu until Tab.
"""

from __future__ import annotations

import heapq
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from awsql_shell.catalog import Catalog, ResourceEntry
from awsql_shell.catalog.naming import PROVIDER, fold
from awsql_shell.catalog.regions import REGIONS
from awsql_shell.errors import AwsqlError
from awsql_shell.settings import OUTPUT_FORMATS
from awsql_shell.shell.completion.context import suggest
from awsql_shell.shell.completion.matching import Candidate, Rank, candidate, rank_all
from awsql_shell.shell.completion.meta_command_info import DEFAULT_META_COMMANDS, ArgumentKind, MetaCommandInfo
from awsql_shell.shell.completion.suggestions import (
    Column,
    Function,
    IdentifierValue,
    InsertProperty,
    Keyword,
    MetaArgument,
    MetaCommand,
    Parameter,
    Provider,
    RegionValue,
    Resource,
    Service,
    Suggestion,
    TableInScope,
    TypeNameValue,
    Variable,
)
from awsql_shell.shell.completion.values import CompletionValues, SessionValues
from awsql_shell.shell.completion.vocabulary import (
    CLOUD_CONTROL_SERVICE,
    CLOUD_CONTROL_VIEWS,
    FUNCTIONS,
    KEYWORDS,
)

_log = logging.getLogger(__name__)

# A menu longer than this helps nobody; it also bounds the work per keystroke.
MAX_COMPLETIONS = 400
MAX_GLOBAL_RESOURCES = 100
MIN_GLOBAL_FRAGMENT = 1
# The widest a resource's name is shown in the menu: at 80 columns the type keeps about 36 cells beside it.
MAX_DISPLAY = 40
MAX_DIRECTORY_ENTRIES = 2000
_TABLE_CACHE_SIZE = 512

# Ties in match quality go to the kind listed first.
_PRIORITY: dict[type[Suggestion], int] = {
    Column: 0,
    InsertProperty: 0,
    RegionValue: 0,
    IdentifierValue: 0,
    TypeNameValue: 0,
    Variable: 0,
    MetaArgument: 0,
    Provider: 0,
    Service: 1,
    Resource: 2,
    Parameter: 3,
    Function: 5,
    Keyword: 6,
    MetaCommand: 7,
}


class AwsqlCompleter(Completer):
    def __init__(
        self,
        catalog: Catalog,
        values: CompletionValues | None = None,
        meta_commands: Sequence[MetaCommandInfo] = DEFAULT_META_COMMANDS,
    ):
        self.catalog = catalog
        self.values: CompletionValues = values if values is not None else SessionValues()
        self.meta_commands = tuple(meta_commands)
        self._services: tuple[Candidate, ...] | None = None
        self._qualified_services: tuple[Candidate, ...] | None = None
        self._all_resources: tuple[Candidate, ...] | None = None
        self._type_names: tuple[Candidate, ...] | None = None
        self._resources_by_service: dict[str, tuple[Candidate, ...]] = {}
        self._columns: dict[tuple[str, bool, bool], tuple[Candidate, ...]] = {}
        self._properties: dict[str, tuple[tuple[Candidate, str], ...]] = {}
        self._tables: dict[str, tuple[str, bool] | None] = {}
        self._keywords = tuple(candidate(k, "keyword") for k in KEYWORDS)
        self._functions = tuple(candidate(f, "function") for f in FUNCTIONS)

    def prime(self) -> None:
        """Build the name indexes now (tens of milliseconds, once) instead of on the first keystroke that
        needs them; the REPL may call this from a background thread once the prompt is up."""
        self._service_candidates(qualified=False)
        self._global_resources()
        self._type_name_candidates()

    # -- prompt_toolkit ----------------------------------------------------------------------------

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        try:
            found = self.completions(
                document.text_before_cursor,
                document.text_after_cursor,
                requested=complete_event.completion_requested,
            )
        except Exception:  # completion must never break typing; a bug here shows up as no menu
            _log.debug("completion failed for %r", document.text_before_cursor, exc_info=True)
            return
        yield from found

    def completions(
        self, text_before_cursor: str, text_after_cursor: str = "", requested: bool = True
    ) -> list[Completion]:
        """The ranked completions for a cursor position (the same as get_completions, as a list).
        ``requested`` is False while the user types: then an empty word gets none (see the module doc)."""
        ranked: list[_Ranked] = []
        for suggestion in suggest(text_before_cursor, text_after_cursor):
            if not requested and not _offered_unasked(suggestion, text_before_cursor):
                continue
            typed, options, limit = self._candidates(suggestion)
            priority = _PRIORITY.get(type(suggestion), 9)
            finish = self._finisher(suggestion, text_after_cursor)
            matched = [
                (rank, priority, index, options[index], -len(typed), finish)
                for rank, index in rank_all(typed, [option.key for option in options], limit)
            ]
            if limit is not None and len(matched) > limit:
                matched = heapq.nsmallest(limit, matched, key=_sort_key)
            ranked.extend(matched)
        ranked.sort(key=_sort_key)
        completions: list[Completion] = []
        seen: set[str] = set()
        for _, _, _, option, start, finish in ranked:
            text = finish(option.text) if finish else option.text
            if text in seen:
                continue
            seen.add(text)
            completions.append(Completion(text, start, display=option.display, display_meta=option.meta))
            if len(completions) >= MAX_COMPLETIONS:
                break
        return completions

    def _finisher(self, suggestion: Suggestion, text_after: str) -> Callable[[str], str] | None:
        """Values go in as SQL strings: whole (`'us-east-1'`) or, inside an open string, closed after."""
        if not isinstance(suggestion, (RegionValue, IdentifierValue, TypeNameValue)):
            return None
        if not suggestion.quoted:
            return lambda value: "'" + value.replace("'", "''") + "'"
        closing = "" if text_after.startswith("'") else "'"
        return lambda value: value.replace("'", "''") + closing

    # -- candidates per suggestion -------------------------------------------------------------------

    def _candidates(self, suggestion: Suggestion) -> tuple[str, Sequence[Candidate], int | None]:
        """What the typed prefix is matched against, the candidates, and how many of them at most to keep."""
        typed = suggestion.prefix
        if isinstance(suggestion, Keyword):
            return typed, self._keyword_candidates(suggestion), None
        if isinstance(suggestion, Function):
            return typed, self._functions, None
        if isinstance(suggestion, Provider):
            return typed, (candidate(PROVIDER, "provider"),), None
        if isinstance(suggestion, Service):
            return typed, self._service_candidates(suggestion.qualified), None
        if isinstance(suggestion, Resource):
            if suggestion.service is None:
                # Every resource of every service, but only once a fragment is typed: the list is thousands long.
                wanted = len(typed) >= MIN_GLOBAL_FRAGMENT
                return typed, self._global_resources() if wanted else (), MAX_GLOBAL_RESOURCES
            return typed, self._service_resources(suggestion.service), None
        if isinstance(suggestion, Column):
            return typed, self._column_candidates(suggestion.tables, suggestion.qualifier, suggestion.updatable), None
        if isinstance(suggestion, Parameter):
            return typed, tuple(candidate(name, "parameter") for name in suggestion.names), None
        if isinstance(suggestion, InsertProperty):
            return typed, self._property_candidates(suggestion.table, suggestion.listed), None
        if isinstance(suggestion, RegionValue):
            return typed, self._region_candidates(), None
        if isinstance(suggestion, IdentifierValue):
            return typed, self._identifier_candidates(suggestion.tables), None
        if isinstance(suggestion, TypeNameValue):
            return typed, self._type_name_candidates(), None
        if isinstance(suggestion, Variable):
            return typed, tuple(candidate(name, "variable") for name in sorted(self.values.variables())), None
        if isinstance(suggestion, MetaCommand):
            return typed, self._meta_command_candidates(), None
        if isinstance(suggestion, MetaArgument):
            return self._meta_argument_candidates(suggestion)
        return typed, (), None

    def _keyword_candidates(self, suggestion: Keyword) -> Sequence[Candidate]:
        options = tuple(candidate(k, "keyword") for k in suggestion.choices) if suggestion.choices else self._keywords
        typed = suggestion.prefix
        if typed and typed.islower():  # follow the user's case: `sel` -> `select`
            return tuple(
                option._replace(text=option.text.lower(), display=option.display.lower()) for option in options
            )
        return options

    def _service_candidates(self, qualified: bool) -> tuple[Candidate, ...]:
        if self._services is None:
            services = [(s.name, _count(s.resources, "resource")) for s in self.catalog.services()]
            services.append((CLOUD_CONTROL_SERVICE, "raw Cloud Control API"))
            services.sort()
            self._services = tuple(candidate(name, meta) for name, meta in services)
            self._qualified_services = tuple(candidate(f"{PROVIDER}.{name}", meta, key=name) for name, meta in services)
        return self._qualified_services if qualified else self._services  # type: ignore[return-value]

    def _service_resources(self, typed_service: str) -> tuple[Candidate, ...]:
        key = typed_service.lower()
        cached = self._resources_by_service.get(key)
        if cached is None:
            if key == CLOUD_CONTROL_SERVICE:
                cached = tuple(candidate(name, f"Cloud Control: {what}") for name, what in CLOUD_CONTROL_VIEWS)
            else:
                try:
                    entries = self.catalog.resources(typed_service)
                except AwsqlError:
                    entries = []
                cached = tuple(option for entry in entries for option in _resource_candidates(entry, full=False))
            self._resources_by_service[key] = cached
        return cached

    def _global_resources(self) -> tuple[Candidate, ...]:
        if self._all_resources is None:
            options = [option for entry in self.catalog for option in _resource_candidates(entry, full=True)]
            options += [
                candidate(f"{PROVIDER}.{CLOUD_CONTROL_SERVICE}.{name}", f"Cloud Control: {what}")
                for name, what in CLOUD_CONTROL_VIEWS
            ]
            # Matched without the provider, so that `lam` is a prefix of `lambda.functions`.
            options = [option._replace(key=option.key[len(PROVIDER) + 1 :]) for option in options]
            options.sort(key=lambda option: option.key)
            self._all_resources = tuple(options)
        return self._all_resources

    def _type_name_candidates(self) -> tuple[Candidate, ...]:
        if self._type_names is None:
            entries = sorted(self.catalog, key=lambda entry: entry.type_name)
            self._type_names = tuple(candidate(entry.type_name, entry.id) for entry in entries)
        return self._type_names

    def _resolve(self, table: str) -> tuple[str, bool] | None:
        """A table as typed -> (type name, is the list view); None when it is not a catalog resource."""
        if table in self._tables:
            return self._tables[table]
        try:
            resolved = self.catalog.resolve_resource(table)
            answer: tuple[str, bool] | None = (resolved.entry.type_name, resolved.list_only)
        except (AwsqlError, ValueError):
            answer = None
        if len(self._tables) >= _TABLE_CACHE_SIZE:
            self._tables.clear()
        self._tables[table] = answer
        return answer

    def _column_candidates(
        self, tables: tuple[TableInScope, ...], qualifier: str | None, updatable: bool = False
    ) -> list[Candidate]:
        if qualifier is not None:
            tables = tuple(table for table in tables if table.answers_to(qualifier))
        options: list[Candidate] = []
        for table in tables:
            resolved = self._resolve(table.name)
            if resolved is not None:
                options.extend(self._columns_of(*resolved, updatable=updatable))
        return options

    def _columns_of(self, type_name: str, list_only: bool, updatable: bool = False) -> tuple[Candidate, ...]:
        key = (type_name, list_only, updatable)
        cached = self._columns.get(key)
        if cached is None:
            schema = self.catalog.schema(type_name)
            columns = schema.list_columns if list_only else schema.columns
            if updatable:  # what a patch may change: SET region or a read-only column is refused anyway
                columns = [c for c in columns if not (c.read_only or c.create_only or c.is_pseudo)]
            cached = tuple(candidate(column.name, column.type) for column in sorted(columns, key=lambda c: c.name))
            self._columns[key] = cached
        return cached

    def _property_candidates(self, table: str, listed: tuple[str, ...]) -> list[Candidate]:
        resolved = self._resolve(table)
        if resolved is None:
            return []
        type_name = resolved[0]
        cached = self._properties.get(type_name)
        if cached is None:
            schema = self.catalog.schema(type_name)
            writable = [c for c in schema.columns if not c.read_only]
            # Required properties first: they are the ones an INSERT cannot do without.
            writable.sort(key=lambda c: (not c.required, c.property.lower()))
            cached = tuple(
                (candidate(c.property, f"{c.type}, required" if c.required else c.type), c.name) for c in writable
            )
            self._properties[type_name] = cached
        already = {fold(name) for name in listed}
        return [option for option, column in cached if fold(option.text) not in already and fold(column) not in already]

    def _region_candidates(self) -> list[Candidate]:
        default = self.values.default_region
        options = [candidate(region, "default region") for region in (default,) if region in REGIONS]
        options += [candidate(region, "region") for region in REGIONS if region != default]
        return options

    def _identifier_candidates(self, tables: tuple[TableInScope, ...]) -> list[Candidate]:
        options: list[Candidate] = []
        for table in tables:
            resolved = self._resolve(table.name)
            if resolved is not None:
                type_name = resolved[0]
                options.extend(candidate(value, type_name) for value in self.values.identifiers(type_name))
        return options

    def _meta_command_candidates(self) -> list[Candidate]:
        return [candidate(spelling, info.help) for info in self.meta_commands for spelling in info.spellings()]

    def _meta_argument_candidates(self, suggestion: MetaArgument) -> tuple[str, Sequence[Candidate], int | None]:
        typed = suggestion.prefix
        typed_command = suggestion.command
        info = next((i for i in self.meta_commands if typed_command in i.spellings()), None) or next(
            (i for i in self.meta_commands if typed_command.lower() in (n.lower() for n in i.spellings())), None
        )
        if info is not None and info.argument is ArgumentKind.ACCOUNTS:  # \accounts org, or profiles
            words = [candidate(word, info.help) for word in info.choices] if suggestion.position == 0 else []
            return typed, [*words, *(candidate(name, "AWS profile") for name in self.values.profiles())], None
        if info is None or suggestion.position != 0:
            return typed, (), None
        if info.choices:
            return typed, tuple(candidate(choice, info.help) for choice in info.choices), None
        kind = info.argument
        if kind is ArgumentKind.OUTPUT_FORMAT:
            return typed, tuple(candidate(name, "output format") for name in OUTPUT_FORMATS), None
        if kind is ArgumentKind.REGION:
            return typed, self._region_candidates(), None
        if kind is ArgumentKind.PROFILE:
            return typed, tuple(candidate(name, "AWS profile") for name in self.values.profiles()), None
        if kind is ArgumentKind.VARIABLE:
            return typed, tuple(candidate(name, "variable") for name in sorted(self.values.variables())), None
        if kind is ArgumentKind.FILE:
            return _file_candidates(typed)
        if kind is ArgumentKind.OUTPUT_TARGET:  # \o: a format by name, else a file
            stem, files, _ = _file_candidates(typed)
            if stem != typed:
                return stem, files, None
            formats = [candidate(name, "output format") for name in OUTPUT_FORMATS]
            return typed, [*formats, *files], None
        if kind is ArgumentKind.RESOURCE:
            options = [*self._service_candidates(qualified=True), *self._global_resources()]
            return typed.removeprefix(f"{PROVIDER}."), options, MAX_GLOBAL_RESOURCES
        if kind is ArgumentKind.NAMED_QUERY:
            return typed, tuple(candidate(name, "named query") for name in self.values.named_queries()), None
        return typed, (), None


_Ranked = tuple[Rank, int, int, Candidate, int, "Callable[[str], str] | None"]


def _offered_unasked(suggestion: Suggestion, text_before_cursor: str) -> bool:
    """Whether a menu may open without Tab: a word has begun, or a `.` or an opening quote was just typed."""
    if suggestion.prefix:
        return True
    if isinstance(suggestion, (RegionValue, IdentifierValue, TypeNameValue)) and suggestion.quoted:
        return True
    return text_before_cursor.endswith(".")


def _sort_key(item: _Ranked) -> tuple[int, int, int, int, int]:
    rank, priority, index = item[0], item[1], item[2]
    return (rank[0], priority, rank[1], rank[2], index)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _resource_candidates(entry: ResourceEntry, full: bool) -> list[Candidate]:
    """A resource (and its list view) to complete. The menu gives the name its width first and the type what
    is left: at 80 columns ``awscc.lambda.layer_version_permissions_list_only`` left 28 cells for the type.
    So a full name is shown without the provider every name shares (``awscc.`` is still inserted), and the
    type without the ``AWS::`` every AWS type starts with."""
    name = entry.id if full else entry.resource
    kind = entry.type_name.removeprefix("AWS::")
    options = [candidate(name, kind, display=_shown(name))]
    if entry.list_only_id:
        list_name = entry.list_only_id if full else entry.list_only_id.rsplit(".", 1)[-1]
        options.append(candidate(list_name, f"{kind}, list only", display=_shown(list_name)))
    return options


def _shown(name: str) -> str:
    """The name as the menu shows it: no provider, and at most ``MAX_DISPLAY`` cells (its middle elided), so
    that one very long name in the list does not take the type's room from every row."""
    shown = name.removeprefix(f"{PROVIDER}.")
    if len(shown) <= MAX_DISPLAY:
        return shown
    keep = MAX_DISPLAY - 1
    return shown[: keep - keep // 2] + "…" + shown[-(keep // 2) :]


def _file_candidates(typed: str) -> tuple[str, list[Candidate], int | None]:
    """Entries of the directory named so far; only the last path part is replaced."""
    directory, _, stem = typed.rpartition("/")
    if typed.startswith("/") and not directory:
        directory = "/"
    where = Path(os.path.expanduser(directory)) if directory else Path(".")
    options: list[Candidate] = []
    try:
        with os.scandir(where) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_DIRECTORY_ENTRIES:
                    break
                if entry.name.startswith(".") and not stem.startswith("."):
                    continue
                is_dir = _is_dir(entry)
                options.append(candidate(entry.name + ("/" if is_dir else ""), "directory" if is_dir else "file"))
    except OSError:
        return stem, [], None
    options.sort(key=lambda option: option.key)
    return stem, options, None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
