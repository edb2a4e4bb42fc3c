"""What the index's files should be: a manifest of each file's size and checksum, written after
every commit, checked when the index is opened (sizes and modification times; the checksum of a
file whose time changed) and on ``index`` and at the app's start (every checksum). Whoosh writes
each segment file once and never changes it, so any difference is damage: a truncated,
scribbled, replaced or deleted file that would otherwise give tracebacks or, worse, silently
wrong results.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from job_aids.atomic import TEMP_SUFFIX, atomic_write_text, read_own_text

MANIFEST_FILE = "handrail-files.tsv"
# Handrail's own files in the folder, written in place or often: not part of what is checked.
OWN_FILES = frozenset({MANIFEST_FILE, "handrail-index.json", "handrail-state.tsv",
                       "surfaces.json"})


def _is_checked(name: str) -> bool:
    return not (name in OWN_FILES or name.endswith(("LOCK", TEMP_SUFFIX)) or name.startswith("."))


def digest_of(path: Path) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


@dataclass
class Manifest:
    generation: int = -1
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # size, mtime, sum

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        try:
            lines = read_own_text(folder / MANIFEST_FILE).splitlines()
            manifest = cls(int(lines[0].split("\t")[1]))
            for line in lines[1:]:
                _, name, size, mtime, digest = line.split("\t")
                manifest.files[name] = (int(size), int(mtime), digest)
        except (OSError, ValueError, IndexError):
            return None
        return manifest

    def refresh(self, folder: Path, generation: int) -> None:
        """Take in the files now in ``folder`` (checksumming only the new ones) and save."""
        files = {}
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and _is_checked(entry.name):
                stat = entry.stat()
                known = self.files.get(entry.name)
                if known and known[:2] == (stat.st_size, stat.st_mtime_ns):
                    files[entry.name] = known
                else:
                    files[entry.name] = (stat.st_size, stat.st_mtime_ns,
                                         digest_of(Path(entry.path)))
        self.generation, self.files = generation, files
        lines = [f"generation\t{generation}"]
        lines += [f"f\t{name}\t{size}\t{mtime}\t{digest}"
                  for name, (size, mtime, digest) in sorted(files.items())]
        atomic_write_text(folder / MANIFEST_FILE, "\n".join(lines) + "\n")

    def damage(self, folder: Path, *, deep: bool) -> str | None:
        """What is wrong with the files, or None. ``deep`` compares every checksum; else
        sizes and times, and the checksum of a file whose time changed (a copy made without
        keeping times is not damage)."""
        for name, (size, mtime, digest) in self.files.items():
            path = folder / name
            try:
                stat = path.stat()
                if stat.st_size != size:
                    return f"its file {name} has {stat.st_size} bytes instead of {size}"
                if (deep or stat.st_mtime_ns != mtime) and digest_of(path) != digest:
                    return f"its file {name} has changed (its checksum differs)"
            except FileNotFoundError:
                return f"its file {name} is missing"
            except OSError as error:
                return f"its file {name} cannot be read ({error.strerror})"
        return None
