"""Reading what the user typed: words, the word being typed, quoted phrases and filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import query_words

FILTER_NAMES = ("tag", "kind", "app", "in")
_TOKEN = re.compile(r'(?P<filter>\b(?:tag|kind|app|in):(?:"[^"]*"?|\S*))'
                    r'|"(?P<phrase>[^"]*)"?'
                    r"|(?P<word>[^\s\"]+)")


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)   # complete words, folded
    prefix: str | None = None                        # the word still being typed
    phrases: list[list[str]] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.prefix or self.phrases)

    @property
    def is_empty(self) -> bool:
        return not self.has_text and not self.filters


def parse_query(text: str) -> ParsedQuery:
    """Split a query. The last word is a prefix unless the text ends with a space."""
    parsed = ParsedQuery()
    last_word_token: str | None = None
    for match in _TOKEN.finditer(text):
        if match.group("filter"):
            name, _, value = match.group("filter").partition(":")
            value = value.strip('"').strip().lower()
            if value:
                parsed.filters.setdefault(name, []).append(value)
            last_word_token = None
        elif match.group("phrase") is not None:
            words = query_words(match.group("phrase"))
            if len(words) > 1:
                parsed.phrases.append(words)
            else:
                parsed.words.extend(words)
            last_word_token = None
        else:
            words = query_words(match.group("word"))
            parsed.words.extend(words)
            last_word_token = match.group("word") if words else None
    if last_word_token is not None and text and not text[-1].isspace() and parsed.words:
        if text.rstrip().endswith(last_word_token):
            parsed.prefix = parsed.words.pop()
    return parsed
