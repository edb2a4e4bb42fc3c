"""What the user opened and when: a ranking signal, kept in the state folder."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from job_aids.atomic import atomic_write_text

HALF_LIFE_DAYS = 30.0


class UsageLog:
    def __init__(self, file: Path) -> None:
        self._file = file
        self._opens: dict[str, list[float]] = {}
        self.version = 0  # bumped on every change, so cached rankings are not reused
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            opens = data.get("opens", {}) if isinstance(data, dict) else {}
            self._opens = {str(k): [float(c), float(t)] for k, (c, t) in opens.items()}
        except (OSError, ValueError, TypeError):
            self._opens = {}  # a damaged usage file costs only the ranking hint

    def record_open(self, aid_id: str, when: float | None = None) -> None:
        count, _ = self._opens.get(aid_id, [0.0, 0.0])
        self._opens[aid_id] = [count + 1, when if when is not None else time.time()]
        self.version += 1
        try:
            atomic_write_text(self._file, json.dumps({"version": 1, "opens": self._opens}))
        except OSError:
            pass  # losing a usage count must never get in the user's way

    def habit(self, aid_id: str, now: float | None = None) -> float:
        """0 for never opened, up to 1 for opened often and lately."""
        entry = self._opens.get(aid_id)
        if not entry:
            return 0.0
        count, last = entry
        age_days = max(0.0, ((now or time.time()) - last) / 86400)
        recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
        return float(min(1.0, math.log1p(count) / math.log1p(20)) * (0.5 + 0.5 * recency))
