"""Reading and writing the on-disk format: optional YAML front matter, then Markdown.

Reading never fails and never drops text: whatever is wrong becomes a :class:`Problem` naming the
file and line, and the text is kept as the body so it can still be shown and searched.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import uuid
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml

from .model import KINDS, AidSource, JobAid, Problem, parse_date

MAX_FILE_BYTES = 2 * 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
BINARY_SNIFF_BYTES = 8192
_BOM = b"\xef\xbb\xbf"
_OPEN = re.compile(r"\A---[ \t]*\n")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
MARKDOWN_SUFFIXES = (".md", ".markdown")


def is_markdown_name(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES)


def looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


MAX_YAML_DEPTH = 32  # lists and mappings inside each other; front matter needs two or three


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML as ``safe_load`` reads it, but one bad value cannot take the library down.

    - A date or time that does not exist (``2027-02-30``, ``25:61:61``, year 0) stays the text
      it is, which the field checks then report with its line.
    - Lists and mappings nested deeper than :data:`MAX_YAML_DEPTH` are refused (500 deep ran
      Python out of stack).
    - An alias may repeat a value, not a list or a mapping: a 342-byte "billion laughs" alias
      bomb expanded to 14.6 GB. (Old templates wrote ``updated: *id001`` for a date: still fine.)
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            anchored = self.anchors.get(event.anchor)
            if isinstance(anchored, yaml.CollectionNode):
                raise yaml.composer.ComposerError(
                    None, None, f"the alias *{event.anchor} repeats a list or mapping, which "
                    "front matter does not allow", event.start_mark)
            return super().compose_node(parent, index)
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            self._depth += 1
            try:
                if self._depth > MAX_YAML_DEPTH:
                    raise yaml.composer.ComposerError(
                        None, None, f"lists and mappings are nested more than {MAX_YAML_DEPTH} "
                        "deep", self.peek_event().start_mark)  # type: ignore[no-untyped-call]
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                   _FrontMatterLoader.construct_yaml_timestamp)


def load_front_matter(yaml_text: str) -> Any:
    """The front matter's YAML (see :class:`_FrontMatterLoader`); raises ``yaml.YAMLError``."""
    return yaml.load(yaml_text, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader


def parse_text(text: str, path: Path | None = None) -> JobAid:
    """Split text into front matter and body. Line endings must already be ``\\n``."""
    opening = _OPEN.match(text)
    if not opening:
        return JobAid(meta={}, body=text, has_front_matter=False)
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        problem = Problem(path, 1, "front matter opened with '---' on line 1 is never closed; "
                          "add a line with '---' after the last field. The file is shown as "
                          "plain Markdown.")
        return JobAid(meta={}, body=text, problems=[problem])
    yaml_text = text[opening.end():closing.start()]
    body_start = closing.end() + 1 if text[closing.end():closing.end() + 1] == "\n" \
        else closing.end()
    body = text[body_start:]
    try:
        loaded = load_front_matter(yaml_text) if yaml_text.strip() else {}
    except yaml.YAMLError as error:
        # The context mark is where the broken construct starts (an unclosed list, a key
        # without a colon); the problem mark can point past it, at the end of the block.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problem = Problem(path, line, f"front matter is not valid YAML ({reason}); the file is "
                          "shown as plain Markdown until it is fixed.")
        return JobAid(meta={}, body=text, problems=[problem])
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        problem = Problem(path, 2, "front matter must be 'key: value' lines, not a "
                          f"{type(loaded).__name__}; the file is shown as plain Markdown.")
        return JobAid(meta={}, body=text, problems=[problem])
    aid = JobAid(meta=loaded, body=body, has_front_matter=True)
    aid.problems.extend(check_fields(loaded, yaml_text, path))
    return aid


def _key_line(yaml_text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", yaml_text, re.MULTILINE)
    return 2 + yaml_text.count("\n", 0, match.start()) if match else 1


def check_fields(meta: dict[Any, Any], yaml_text: str, path: Path | None) -> list[Problem]:
    """Problems with the known fields; unknown keys are never a problem."""
    problems: list[Problem] = []

    def add(key: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(path, _key_line(yaml_text, key), message,
                                "warning" if severity == "warning" else "error"))

    if "id" in meta:
        value = meta["id"]
        if not isinstance(value, str) or not value.strip():
            add("id", "'id' must be text (a UUID such as " f"{uuid.uuid4()})")
    kind = meta.get("kind")
    if kind is not None and (not isinstance(kind, str) or kind.strip().lower() not in KINDS):
        add("kind", f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}", "warning")
    for key in ("title", "summary", "owner", "url"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str | int | float):
            add(key, f"'{key}' must be text")
    for key in ("tags",):
        value = meta.get(key)
        if value is not None and not isinstance(value, str | list):
            add(key, f"'{key}' must be a list such as [printing, hardware]")
    apps = meta.get("apps")
    if apps is not None and not isinstance(apps, str | list):
        add("apps", "'apps' must be a list of application names or {app:, title:} entries")
    elif isinstance(apps, list) and not all(_is_app_entry(item) for item in apps):
        add("apps", "each entry of 'apps' must be an application name, or {app: name, "
            "title: 'window title pattern'} (or document: / url: patterns) with text in each")
    experts = meta.get("experts")
    if experts is not None and not isinstance(experts, str | list):
        add("experts", "'experts' must be a list of {name:, contact:} entries")
    for key in ("review_by", "created", "updated"):
        value = meta.get(key)
        real = _is_date_text(value) if isinstance(value, str) else parse_date(value) is not None
        if value is not None and not real:
            looks_like_one = re.match(r"\d{4}-\d\d-\d\d", str(value).strip())
            add(key, f"'{key}' must be a date like 2027-01-31"
                + (f"; {str(value).strip()} does not exist" if looks_like_one else ""))
    url = meta.get("url")
    if isinstance(url, str) and url and not re.match(r"^(https?|mailto|tel):", url, re.I):
        add("url", "'url' must start with http:, https:, mailto: or tel:", "warning")
    return problems


def _is_app_entry(item: object) -> bool:
    if isinstance(item, str):
        return True
    keys = ("app", "title", "document", "url")
    return isinstance(item, dict) and all(
        isinstance(item.get(key), str | type(None)) for key in keys) and any(
        item.get(key) for key in keys)


def _is_date_text(value: str) -> bool:
    """Whether text is a real ISO date or date and time (YAML reads real ones as dates)."""
    text = value.strip()
    try:
        if len(text) <= 10:
            dt.date.fromisoformat(text)
        else:
            dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return False
    return True


def decode(data: bytes, path: Path | None = None) -> tuple[str, list[Problem], str, bool]:
    """Bytes to ``\\n`` text. Returns (text, problems, newline, had_bom)."""
    problems: list[Problem] = []
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(Problem(path, line, f"invalid UTF-8 at byte {error.start}; shown with "
                                "replacement characters (�). The file is left unchanged; save it "
                                "as UTF-8 in your editor to fix it."))
        text = data.decode("utf-8", errors="replace")
    newline = "\n"
    if "\r" in text:
        # The commonest ending is the file's (written back by saves); every kind is a line
        # break when reading: old Mac lone CRs hid the front matter, and so did a file of
        # lone CRs with one CRLF (a mixed file is then read-only in the editor).
        crlf = text.count("\r\n")
        counts = {"\r\n": crlf, "\r": text.count("\r") - crlf, "\n": text.count("\n") - crlf}
        newline = max(("\n", "\r\n", "\r"), key=lambda kind: counts[kind])
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems, newline, bom


def parse_bytes(data: bytes, path: Path | None = None, *, total_size: int | None = None) -> JobAid:
    """Parse file contents. ``total_size`` is the real size when ``data`` was cut at the limit."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problem = Problem(path, 1, "this file is UTF-16 text, which Handrail does not read; "
                          "save it as UTF-8 (Notepad: File > Save as, Encoding: UTF-8) to list, "
                          "show and search it.")
        return JobAid(meta={}, body="", problems=[problem])
    if looks_binary(data):
        problem = Problem(path, 1, "this looks like a binary file, not Markdown text; it is "
                          "listed but not shown or searched. Remove it or rename it away from .md.")
        return JobAid(meta={}, body="", problems=[problem])
    text, problems, newline, bom = decode(data, path)
    nul = data.find(b"\0", BINARY_SNIFF_BYTES)  # the sniff saw only the start
    if nul >= 0:
        problems.append(Problem(path, data.count(b"\n", 0, nul) + 1, "a NUL byte: this is "
                                "not plain text from here on (a damaged file, or binary data "
                                "pasted in?). Open it in a text editor and remove what is not "
                                "text."))
    if total_size is not None and total_size > len(data):
        # Do not show half a character or half a line at the cut.
        text = text[: text.rfind("\n") + 1] if "\n" in text else text
        problems.append(Problem(path, 1, f"file is {total_size / 1048576:.1f} MB, over the "
                                f"{MAX_FILE_BYTES // 1048576} MB limit for an aid: only the first "
                                f"{MAX_FILE_BYTES // 1048576} MB are shown and searched. Split it "
                                "into smaller aids.", "warning"))
    aid = parse_text(text, path)
    aid.problems[:0] = problems
    aid.newline, aid.bom = newline, bom
    return aid


def read_limited(path: Path) -> tuple[bytes, os.stat_result]:
    """A file's bytes up to the size limit, and its stat. Raises ``OSError`` if it cannot be
    read at all, or if it is not a regular file: a pipe named ``x.md`` hung every command that
    read it."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)  # opening a pipe does not wait for a writer
    with os.fdopen(fd, "rb") as handle:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a pipe, socket or device); only "
                          "files are aids", str(path))
        # As much as the file holds (asking for the 2 MB limit each time allocated 2 MB per
        # file), and the rest if it grew meanwhile.
        data = handle.read(min(stat.st_size + 1, MAX_FILE_BYTES))
        if len(data) > stat.st_size and len(data) < MAX_FILE_BYTES:
            data += handle.read(MAX_FILE_BYTES - len(data))
    return data, stat


def aid_from_bytes(data: bytes, stat: os.stat_result, path: Path, collection: str = "",
                   root: Path | None = None) -> JobAid:
    aid = parse_bytes(data, path, total_size=stat.st_size)
    if any("\udc80" <= char <= "\udcff" for char in path.name):
        shown = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        aid.problems.append(Problem(path, 1, f"the file name is not valid UTF-8 (shown as "
                                    f"{shown!r}); rename it so that every system shows it "
                                    "the same", "warning"))
    aid.source = AidSource(collection=collection, root=root or path.parent, path=path,
                           mtime_ns=stat.st_mtime_ns, size=stat.st_size,
                           digest=hashlib.blake2b(data, digest_size=16).hexdigest())
    return aid


def read_aid(path: Path, collection: str = "", root: Path | None = None) -> JobAid:
    """Read and parse one file (see :func:`read_limited` for what it refuses)."""
    data, stat = read_limited(path)
    return aid_from_bytes(data, stat, path, collection, root)


def encode_text(text: str, newline: str = "\n", bom: bool = False) -> bytes:
    """``\n`` text as file bytes with the given line endings and BOM (``decode``'s inverse)."""
    if newline != "\n":
        text = text.replace("\n", newline)
    data = text.encode("utf-8")
    return (_BOM + data) if bom else data


def why_not_rewritable(data: bytes, size: int | None = None) -> str | None:
    """Why a file cannot be written back as it came after an edit in Handrail, or None.

    A save writes UTF-8 with one kind of line ending; a file that is anything else would be
    changed in places the user never touched, so it is left for another editor.
    """
    size = len(data) if size is None else size
    if size > MAX_FILE_BYTES:
        return (f"it is {size / 1048576:.1f} MB, over the {MAX_FILE_BYTES // 1048576} MB that "
                "Handrail edits. Edit it in another program, or split it into smaller aids.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 text. Save it as UTF-8 in another editor to edit it here."
    if looks_binary(data):
        return "it is not text."
    try:
        (data[len(_BOM):] if data.startswith(_BOM) else data).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return (f"it is not valid UTF-8 (byte {error.start}, line {line}): a save would "
                "replace what cannot be read with \ufffd. Save it as UTF-8 in another editor "
                "first.")
    text, _, newline, bom = decode(data)
    if encode_text(text, newline, bom) != data:
        counts = {"CRLF": data.count(b"\r\n")}
        counts["LF"] = data.count(b"\n") - counts["CRLF"]
        counts["CR"] = data.count(b"\r") - counts["CRLF"]
        mixed = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
        return (f"it mixes line endings ({mixed}); a save would change them all. Convert it "
                "to one kind in another editor to edit it here.")
    return None


def serialize_text(aid: JobAid) -> str:
    """The aid as ``\\n`` text; ``parse_text(serialize_text(a))`` gives back ``a.meta`` and body."""
    needs_block = bool(aid.meta) or aid.has_front_matter or _OPEN.match(aid.body) is not None
    if not needs_block:
        return aid.body
    front = yaml.safe_dump(aid.meta, sort_keys=False, allow_unicode=True, width=100,
                           default_flow_style=False) if aid.meta else ""
    return f"---\n{front}---\n{aid.body}"


def serialize_bytes(aid: JobAid) -> bytes:
    """The aid as file bytes, with the line endings and BOM the file had."""
    return encode_text(serialize_text(aid), aid.newline, aid.bom)
