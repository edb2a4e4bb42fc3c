"""An aid as a list of steps to tick off and code blocks to copy: what a pinned aid shows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import atomic_write_text
from .model import JobAid
from .plain import plain_line

_INLINE_CODE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Step:
    text: str
    copy_text: str | None = None  # the step's first inline code, if any: a value to paste


@dataclass(frozen=True)
class CodeBlock:
    text: str
    language: str = ""


@dataclass(frozen=True)
class Callout:
    """A warning, caution or note of the aid (``!!! warning "Hot parts"`` and its indented
    text): shown among the steps, where it applies."""

    kind: str
    text: str

    @property
    def is_warning(self) -> bool:
        return self.kind in ("warning", "caution", "danger", "attention", "important")


Item = Step | CodeBlock | Callout


@dataclass
class Checklist:
    items: list[Item] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        return [item for item in self.items if isinstance(item, Step)]

    @property
    def code_blocks(self) -> list[CodeBlock]:
        return [item for item in self.items if isinstance(item, CodeBlock)]

    @classmethod
    def from_aid(cls, aid: JobAid) -> Checklist:
        return cls.from_markdown(aid.body)

    @classmethod
    def from_markdown(cls, body: str) -> Checklist:
        """Task-list items and numbered items are steps, code blocks are code to copy, and
        warnings and notes stay where they are: read by the renderer's own parser
        (job_aids/outline.py), so the pinned view shows what the aid window shows."""
        from .outline import outline

        items: list[Item] = []
        for block in outline(body):
            if block.kind == "step":
                code = _INLINE_CODE.search(block.text)
                items.append(Step(block.text, code.group(1) if code else None))
            elif block.kind == "code":
                items.append(CodeBlock(block.text, block.language))
            elif block.kind == "callout":
                items.append(Callout(block.callout, block.text))
        return cls(items)

    def first_copyable(self) -> str | None:
        """What Ctrl+C copies from an aid: its first code block, else its steps as text."""
        if self.code_blocks:
            return self.code_blocks[0].text
        if self.steps:
            return "\n".join(f"{n}. {plain_line(step.text)}"
                             for n, step in enumerate(self.steps, 1))
        return None


class PinnedState:
    """Which aids are pinned, in order, and which of their steps are ticked; survives restarts.

    Ticks are kept by step text, so editing an aid keeps the ticks of the steps it kept.
    """

    VERSION = 1

    def __init__(self, file: Path) -> None:
        self._file = file
        self.pinned: list[str] = []
        self.locations: dict[str, str] = {}  # aid id -> file, to reopen pinned aids at start
        self._done: dict[str, list[str]] = {}
        self.places: dict[str, tuple[int, int]] = {}  # aid id -> where its window was left
        try:
            data: Any = json.loads(file.read_text(encoding="utf-8"))
            self.pinned = [str(aid_id) for aid_id in data.get("pinned", [])]
            self.locations = {str(k): str(v) for k, v in data.get("locations", {}).items()}
            self._done = {str(k): [str(s) for s in v] for k, v in data.get("done", {}).items()}
            self.places = {str(k): (int(v[0]), int(v[1]))
                           for k, v in data.get("places", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # no file yet, or a damaged one: start with nothing pinned

    def pin(self, aid_id: str, path: Path) -> None:
        if aid_id not in self.pinned:
            self.pinned.append(aid_id)
        self.locations[aid_id] = str(path)
        self.save()

    def unpin(self, aid_id: str) -> None:
        if aid_id in self.pinned:
            self.pinned.remove(aid_id)
            self.locations.pop(aid_id, None)
            self.save()

    def done(self, aid_id: str) -> set[str]:
        return set(self._done.get(aid_id, []))

    def set_done(self, aid_id: str, step_text: str, done: bool) -> None:
        current = self._done.setdefault(aid_id, [])
        if done and step_text not in current:
            current.append(step_text)
        elif not done and step_text in current:
            current.remove(step_text)
        self.save()

    def set_place(self, aid_id: str, x: int, y: int) -> None:
        if self.places.get(aid_id) != (x, y):
            self.places[aid_id] = (x, y)
            self.save()

    def reset(self, aid_id: str) -> None:
        self._done.pop(aid_id, None)
        self.save()

    def save(self) -> None:
        atomic_write_text(self._file, json.dumps(
            {"version": self.VERSION, "pinned": self.pinned, "locations": self.locations,
             "done": self._done, "places": self.places}, indent=1))
