"""Subsequence (fuzzy) matching with a rank: prefix, then word start, then substring, then word initials
(`sg` -> `security_groups`), then scattered letters."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import NamedTuple

PREFIX, WORD_START, SUBSTRING, INITIALS, SUBSEQUENCE = 0, 1, 2, 3, 4
_BOUNDARY_CHARACTERS = "_.-:| /"
_WORD_BOUNDARIES = frozenset(_BOUNDARY_CHARACTERS)

Rank = tuple[int, int, int]


class Candidate(NamedTuple):
    """One thing completion may insert. `key` is the lower-cased text the typed prefix is matched against."""

    text: str
    key: str
    display: str
    meta: str


def candidate(text: str, meta: str = "", display: str | None = None, key: str | None = None) -> Candidate:
    return Candidate(text, (key if key is not None else text).lower(), display if display is not None else text, meta)


def _atomic_groups_supported() -> bool:
    try:
        re.compile("(?>a)")
    except re.error:  # Python 3.10
        return False
    return True


_GAP_OPEN = "(?>" if _atomic_groups_supported() else "(?:"


@lru_cache(maxsize=64)
def _subsequence(typed: str) -> Callable[[str], re.Match[str] | None]:
    # `[^a]*(a[^b]*b[^c]*c)`, anchored: each gap runs to the first occurrence of the next letter, and taking
    # the earliest occurrence every time is enough to decide a subsequence, so one pass per key decides it
    # (atomic gaps, where available, also stop the engine from retrying shorter gaps). Group 1 is the span.
    def gap(char: str) -> str:
        return f"{_GAP_OPEN}[^{re.escape(char)}]*)"

    body = re.escape(typed[0]) + "".join(gap(char) + re.escape(char) for char in typed[1:])
    return re.compile(f"{gap(typed[0])}({body})").match


_WORD_START = re.compile(f"(?:^|(?<=[{re.escape(_BOUNDARY_CHARACTERS)}]))[^{re.escape(_BOUNDARY_CHARACTERS)}]")


@lru_cache(maxsize=16384)
def _initials_of(key: str) -> str:
    """The first letter of every word: `security_group_egresses` -> `sge` (keys come from a fixed catalog)."""
    return "".join(_WORD_START.findall(key))


def rank_all(typed: str, keys: Sequence[str], enough: int | None = None) -> list[tuple[Rank, int]]:
    """(rank, index) of every key that `typed` matches; a smaller rank is a better match. With `enough`,
    scattered matches are skipped when at least that many keys hold `typed` whole (they would rank lower)."""
    if not typed:
        return [(_EVERYTHING, index) for index in range(len(keys))]
    typed = typed.lower()
    search = _subsequence(typed)
    hits: list[tuple[int, re.Match[str] | None]] = []
    if enough is not None:
        hits = [(index, None) for index, key in enumerate(keys) if typed in key]
    if enough is None or len(hits) < enough:
        # Every prefix or substring is also a subsequence, so one C-level search per key filters first.
        hits = [(index, found) for index, key in enumerate(keys) if (found := search(key)) is not None]
    ranked = []
    for index, found in hits:
        key = keys[index]
        if key.startswith(typed):
            rank = (PREFIX, len(key), 0)
        else:
            position = key.find(typed)
            if position > 0:
                kind = WORD_START if key[position - 1] in _WORD_BOUNDARIES else SUBSTRING
                rank = (kind, position, len(key))
            elif found is None:
                continue
            elif search(_initials_of(key)) is not None:
                rank = (INITIALS, len(key), 0)
            else:
                rank = (SUBSEQUENCE, found.end(1) - found.start(1), len(key))
        ranked.append((rank, index))
    return ranked


_EVERYTHING: Rank = (PREFIX, 0, 0)
