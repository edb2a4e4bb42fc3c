"""What changed in a library between two snapshots: how edits by other programs are noticed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

Stamp = TypeVar("Stamp")


@dataclass(frozen=True)
class Changes:
    added: list[Path]
    modified: list[Path]
    removed: list[Path]

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)


def diff_snapshots(before: Mapping[Path, Stamp], after: Mapping[Path, Stamp]) -> Changes:
    """Files added, modified (stamp differs) and removed between two snapshots."""
    added = sorted(p for p in after if p not in before)
    removed = sorted(p for p in before if p not in after)
    modified = sorted(p for p in after if p in before and before[p] != after[p])
    return Changes(added, modified, removed)
