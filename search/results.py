"""What a search answers: plain data, light to import (the popup needs it before the engine)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Context:
    """The screen the user came from."""

    app: str | None = None
    window_title: str | None = None


@dataclass
class SearchResult:
    id: str
    title: str
    path: str
    collection: str
    kind: str
    score: float
    snippet: str
    summary: str = ""
    stale: bool = False
    context_match: bool = False
    own_copy: bool = False      # this user has a copy of it (the copy is ranked above it)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResponse:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    did_you_mean: str | None = None
    corrected: bool = False   # results are for the did-you-mean query
    partial: bool = False     # not every word matched; these are the best partial matches
