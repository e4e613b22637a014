"""What a listed resource is worth before any GetResource: the row it will be, whether the statement's
list filter keeps it, and whether it needs a GetResource at all. Pure functions, so the one place that
applies them (the gateway, as pages arrive) and their tests see the same rules.

A listed resource needs no GetResource when its listed properties hold (with a value, not null) every
property the statement reads of its type (``Fetch.needed``): some list handlers return the whole model
(AWS::Logs::LogGroup's does), and a read would only repeat it. Decided per resource, since a property a
resource leaves unset is absent from its list model and its read alike, and awsql cannot tell that from a
listing that never carries it: such a resource is read. Never for ``SELECT *`` (``needed`` None: no listing
can be known to hold every property) nor for an account-wide listing, whose reads find where each lives.

The filter judges a listed resource by its listed identifier properties (and the values its list was
given), taken to be the ones its read returns: both spell the same Identifier, the one the read is asked
for. It answers exactly what SQLite would, or it does not decide: a value that is no string (SQLite would
compare it after its own type conversions), or that the listing leaves out, is kept, and SQLite judges the
row. ``like`` is SQLite's LIKE: ``%`` any run of characters, ``_`` one character, case folded for ASCII
letters only (``'É' LIKE 'é'`` is false), and ESCAPE's character making the next one literal (an ESCAPE
that ends the pattern matches nothing). The planner never asks for an ESCAPE of ``%`` or ``_``, whose
meaning has changed between SQLite versions.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from awsql_shell.catalog.schema import with_identifier_values
from awsql_shell.gateway.vocabulary import Fetch, ListFilter, ListTerm

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def row_properties(fetch: Fetch, identifier: str, properties: Mapping[str, Any]) -> Mapping[str, Any]:
    """The properties a fetched resource has as a row: the values its list was given (a ResourceModel), its
    own, and the identifier properties its model leaves out, read from its Identifier."""
    given = fetch.resource_model or {}
    merged = {**given, **properties} if given else properties
    return with_identifier_values(merged, identifier, fetch.primary_identifier)


def needs_get(fetch: Fetch, row: Mapping[str, Any]) -> bool:
    """Whether a listed resource (``row``: its ``row_properties``) is read with GetResource."""
    if not fetch.with_details:
        return False
    if fetch.needed is None or fetch.home_regions:
        return True
    return any(row.get(name) is None for name in fetch.needed)


def admits(list_filter: ListFilter, row: Mapping[str, Any]) -> bool | None:
    """True when the row satisfies every term, False when it fails one (SQLite would drop it), None when a
    value decides nothing here (not a string): keep the row and let SQLite judge."""
    verdict: bool | None = True
    for term in list_filter.terms:
        holds = _holds(term, row.get(term.property))
        if holds is False:
            return False
        if holds is None:
            verdict = None
    return verdict


def _holds(term: ListTerm, value: Any) -> bool | None:
    if not isinstance(value, str):
        # Not even a missing value decides: the listing may leave out what GetResource then returns.
        return None
    if term.pattern is not None:
        return like(value, term.pattern, term.escape)
    return value in term.values  # TEXT = TEXT under the BINARY collation: the very same string


def like(value: str, pattern: str, escape: str | None = None) -> bool:
    """``value LIKE pattern [ESCAPE escape]`` as SQLite evaluates it (with ``case_sensitive_like`` off)."""
    compiled = _compile(pattern, escape)
    return compiled is not None and compiled.fullmatch(value.translate(_ASCII_LOWER)) is not None


@lru_cache(maxsize=256)
def _compile(pattern: str, escape: str | None) -> re.Pattern[str] | None:
    parts: list[str] = []
    characters = iter(pattern)
    for character in characters:
        if escape is not None and character == escape:
            literal = next(characters, None)
            if literal is None:
                return None  # SQLite: an ESCAPE with nothing after it matches no value
            parts.append(re.escape(literal.translate(_ASCII_LOWER)))
        elif character == "%":
            parts.append(".*")
        elif character == "_":
            parts.append(".")
        else:
            parts.append(re.escape(character.translate(_ASCII_LOWER)))
    return re.compile("".join(parts), re.DOTALL)
