"""Subsequence (fuzzy) matching with a rank: prefix, then word-start, then substring, then scattered."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import NamedTuple

PREFIX, WORD_START, SUBSTRING, SUBSEQUENCE = 0, 1, 2, 3
_WORD_BOUNDARIES = frozenset("_.-:| /")

Rank = tuple[int, int, int]


class Candidate(NamedTuple):
    """One thing completion may insert. `key` is the lower-cased text the typed prefix is matched against."""

    text: str
    key: str
    display: str
    meta: str


def candidate(text: str, meta: str = "", display: str | None = None, key: str | None = None) -> Candidate:
    return Candidate(text, (key if key is not None else text).lower(), display if display is not None else text, meta)


@lru_cache(maxsize=64)
def _subsequence(typed: str) -> Callable[[str], re.Match[str] | None]:
    # `a[^b]*b[^c]*c`: each gap stops at the first next letter, so a failing key costs one pass instead of
    # the exponential backtracking of `a.*?b.*?c`; the span found is tight enough to rank "closer first".
    parts = [re.escape(typed[0])]
    parts += [f"[^{re.escape(char)}]*{re.escape(char)}" for char in typed[1:]]
    return re.compile("".join(parts)).search


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
            elif found is not None:
                rank = (SUBSEQUENCE, found.end() - found.start(), len(key))
            else:
                continue
        ranked.append((rank, index))
    return ranked


_EVERYTHING: Rank = (PREFIX, 0, 0)
