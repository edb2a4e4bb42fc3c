"""What the user opened and when: a ranking signal, kept in the state folder."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

from job_aids.atomic import atomic_write_text

HALF_LIFE_DAYS = 30.0
log = logging.getLogger(__name__)


class UsageLog:
    def __init__(self, file: Path) -> None:
        self._file = file
        self._opens: dict[str, list[float]] = {}
        self._gaps: dict[str, dict[str, Any]] = {}
        # Aids the user chose to see for an application ("Show for XTerm"), by app: kept
        # here, so a read-only aid (a team's, the starter's) can be marked without a change.
        self._marks: dict[str, list[str]] = {}
        self.version = 0  # bumped on every change, so cached rankings are not reused
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            opens = data.get("opens", {}) if isinstance(data, dict) else {}
            self._opens = {str(k): [float(c), float(t)] for k, (c, t) in opens.items()}
            gaps = data.get("gaps", {})
            self._gaps = {str(k): dict(v) for k, v in gaps.items() if isinstance(v, dict)}
            marks = data.get("marks", {})
            self._marks = {str(k): [str(i) for i in v] for k, v in marks.items()
                           if isinstance(v, list)}
        except (OSError, ValueError, TypeError, AttributeError):
            self._opens = {}  # a damaged usage file costs only the ranking hint

    def record_open(self, aid_id: str, when: float | None = None) -> None:
        count, _ = self._opens.get(aid_id, [0.0, 0.0])
        self._opens[aid_id] = [count + 1, when if when is not None else time.time()]
        self.version += 1
        self._save()

    def mark_for_app(self, aid_id: str, app: str, *, on: bool = True) -> None:
        """Show (or stop showing) an aid first whenever the user is in ``app``."""
        key = app.strip().lower()
        marked = [i for i in self._marks.get(key, []) if i != aid_id]
        self._marks[key] = [aid_id, *marked] if on else marked
        self.version += 1
        self._save()

    def marked_for(self, app: str) -> list[str]:
        return list(self._marks.get(app.strip().lower(), []))

    def open_counts(self) -> dict[str, int]:
        """How often each aid was opened."""
        return {aid_id: int(count) for aid_id, (count, _) in self._opens.items()}

    def most_used(self, limit: int = 10, now: float | None = None) -> list[str]:
        """Aid ids opened most often and most lately, best first."""
        ranked = sorted(self._opens, key=lambda aid_id: -self.habit(aid_id, now))
        return ranked[:limit]

    def record_gap(self, query: str, app: str | None = None, when: float | None = None) -> None:
        """A search that found nothing: a content gap for authors to fill."""
        key = " ".join(query.lower().split())
        if not key:
            return
        entry = self._gaps.setdefault(key, {"query": query.strip(), "count": 0, "apps": []})
        entry["count"] = int(entry.get("count", 0)) + 1
        entry["last"] = when if when is not None else time.time()
        if app and app not in entry["apps"]:
            entry["apps"] = [*entry["apps"], app]
        self._save()

    def gaps(self) -> list[dict[str, Any]]:
        """Searches that found nothing, most frequent first."""
        return sorted(self._gaps.values(), key=lambda g: (-int(g.get("count", 0)),
                                                          -float(g.get("last", 0))))

    def _save(self) -> None:
        try:
            atomic_write_text(self._file, json.dumps(
                {"version": 1, "opens": self._opens, "gaps": self._gaps,
                 "marks": self._marks}))
        except OSError as error:  # losing a usage count must never get in the user's way
            log.warning("usage counts not saved (%s): %s", type(error).__name__,
                        error.strerror or error)

    def habit(self, aid_id: str, now: float | None = None) -> float:
        """0 for never opened, up to 1 for opened often and lately."""
        entry = self._opens.get(aid_id)
        if not entry:
            return 0.0
        count, last = entry
        age_days = max(0.0, ((now or time.time()) - last) / 86400)
        recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
        return float(min(1.0, math.log1p(count) / math.log1p(20)) * (0.5 + 0.5 * recency))
