"""Existing material (courseware, manuals, web pages) turned into Markdown aids.

Each converter is a well-kept library: mammoth for Word, python-pptx for PowerPoint, pypdf for
PDF, markdownify (over BeautifulSoup) for HTML. What a worker needs stays (headings, numbered
steps, tables, images); scripts, styles and navigation go. The title comes from the document
(its properties, its first heading, its ``<title>``), the file name only when it has none.
Images become attachments: bytes the caller writes beside the aid, linked with a relative path.

A converter returns :class:`Converted` pieces, one per aid: a slide deck with sections becomes
one aid per section. Nothing here writes a file.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from .fileformat import decode

DOCUMENT_SUFFIXES = (".docx", ".pptx", ".pdf")
_DROPPED = ("script", "style", "nav", "header", "footer", "noscript", "template", "iframe",
            "form", "button", "aside", "svg")
_IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                "image/bmp": ".bmp", "image/webp": ".webp", "image/svg+xml": ".svg"}


class ConversionError(ValueError):
    """The document cannot be read (damaged, encrypted, not what its name says)."""


@dataclass
class Converted:
    title: str
    body: str
    section: str = ""  # for a piece of a larger document: which (a deck's section)
    images: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes


def _tidy(markdown: str) -> str:
    markdown = re.sub(r"[ \t]+\n", "\n", markdown)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- HTML -------------------------------------------------------------------------------------
def html_to_markdown(page: str, fallback_title: str,
                     images: dict[str, bytes] | None = None) -> Converted:
    """A web page or exported HTML as an aid: the page's main text, without its scripts, styles
    and navigation; the title from its first ``<h1>``, else its ``<title>``."""
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(page, "html.parser")
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    for tag in soup.find_all(True, attrs={"role": "navigation"}):
        tag.decompose()
    heading = soup.find("h1")
    head_title = soup.find("title")
    title = _one_line(heading.get_text()) if heading else ""
    if not title and head_title:
        title = _one_line(head_title.get_text())
    if head_title:
        head_title.decompose()
    main = soup.find("main") or soup.find("article") or soup.body or soup
    if heading is not None and title:
        heading.decompose()  # the title lives in the front matter
    markdown = MarkdownConverter(heading_style="ATX", bullets="-",
                                 table_infer_header=True).convert_soup(main)
    return Converted(title or fallback_title, _tidy(markdown), images=images or {})


# -- Word -------------------------------------------------------------------------------------
def _core_title(data: bytes) -> str:
    """The title an Office file's properties give (docProps/core.xml), if any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            core = archive.read("docProps/core.xml")
        root = ElementTree.fromstring(core)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return ""
    found = root.find("{http://purl.org/dc/elements/1.1/}title")
    return _one_line(found.text or "") if found is not None else ""


def docx_to_markdown(data: bytes, stem: str) -> Converted:
    import mammoth

    images: dict[str, bytes] = {}

    def keep_image(image: Any) -> dict[str, str]:
        with image.open() as handle:
            content = handle.read()
        name = f"{stem}-{len(images) + 1}{_IMAGE_TYPES.get(image.content_type, '.png')}"
        images[name] = content
        return {"src": f"images/{name}", "alt": image.alt_text or ""}

    try:
        result = mammoth.convert_to_html(io.BytesIO(data),
                                         convert_image=mammoth.images.img_element(keep_image))
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError) as error:
        raise ConversionError(f"not a readable Word document ({error})") from error
    converted = html_to_markdown(f"<body>{result.value}</body>", stem, images)
    title = _core_title(data)
    if title and title != converted.title:
        converted.title = title
    return converted


# -- PowerPoint -------------------------------------------------------------------------------
_P14 = "{http://schemas.microsoft.com/office/powerpoint/2010/main}"


def _sections(presentation: Any) -> list[tuple[str, set[int]]]:
    """The deck's sections as (name, slide ids), from the p14 extension, in order."""
    root = presentation.part._element  # noqa: SLF001 - python-pptx has no section API
    found = []
    for section in root.iter(f"{_P14}section"):
        ids = {int(entry.get("id")) for entry in section.iter(f"{_P14}sldId")}
        found.append((section.get("name") or "", ids))
    return [entry for entry in found if entry[1]]


def _table_markdown(table: Any) -> str:
    rows = [[_one_line(cell.text).replace("|", "\\|") for cell in row.cells] for row in table.rows]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _slide_markdown(slide: Any, stem: str, images: dict[str, bytes]) -> tuple[str, str]:
    """(the slide's title, its content as Markdown)."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    title_shape = slide.shapes.title
    title = _one_line(title_shape.text_frame.text) if title_shape is not None else ""
    title_id = title_shape.shape_id if title_shape is not None else None
    blocks: list[str] = []
    for shape in slide.shapes:
        if shape.shape_id == title_id:
            continue
        if shape.has_text_frame:
            lines = []
            for paragraph in shape.text_frame.paragraphs:
                text = _one_line("".join(run.text for run in paragraph.runs))
                if text:
                    lines.append("  " * paragraph.level + f"- {text}")
            if lines:
                blocks.append("\n".join(lines))
        elif getattr(shape, "has_table", False) and shape.has_table:
            blocks.append(_table_markdown(shape.table))
        elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            name = f"{stem}-{len(images) + 1}.{shape.image.ext}"
            images[name] = shape.image.blob
            blocks.append(f"![{_one_line(shape.name)}](images/{name})")
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame.text.strip()
        if notes:
            blocks.append("> " + "\n> ".join(notes.splitlines()))
    return title, "\n\n".join(block for block in blocks if block)


def pptx_to_markdown(data: bytes, stem: str) -> list[Converted]:
    """A deck as aids: one per section where the deck has sections, else one for the deck,
    each slide a ``##`` heading."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ConversionError(f"not a readable PowerPoint file ({error})") from error
    slides = list(deck.slides)
    deck_title = _core_title(data) or next(
        (title for title, _ in (_slide_markdown(s, stem, {}) for s in slides[:1]) if title), stem)
    groups = [(name, [s for s in slides if s.slide_id in ids])
              for name, ids in _sections(deck)] or [("", slides)]
    pieces = []
    for name, members in groups:
        images: dict[str, bytes] = {}
        parts = []
        for slide in members:
            title, content = _slide_markdown(slide, stem, images)
            parts.append((f"## {title}\n\n" if title else "") + content)
        title = f"{deck_title}: {name}" if name and len(groups) > 1 else deck_title
        pieces.append(Converted(title, _tidy("\n\n".join(parts)), name, images))
    return pieces


# -- PDF --------------------------------------------------------------------------------------
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+")
_BULLET = re.compile(r"^\s*[•▪◦‣∙·]\s*")


def pdf_to_markdown(data: bytes, stem: str) -> Converted:
    """A PDF's text as an aid: numbered lines stay steps, bullets become a list, paragraphs
    are joined; the title from its properties, else its first line."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ConversionError("the PDF is encrypted; save an unprotected copy to import it")
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        metadata: Any = reader.metadata or {}
        meta_title = _one_line(str(metadata.get("/Title") or ""))
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise ConversionError(f"not a readable PDF ({error})") from error
    lines = [line.rstrip() for line in text.splitlines()]
    first = next((_one_line(line) for line in lines if line.strip()), "")
    title = meta_title or first or stem
    if first and first.casefold() == title.casefold():  # the title is not a paragraph too
        while lines and _one_line(lines[0]) != first:
            lines.pop(0)
        lines = lines[1:]
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(" ".join(paragraph))
            out.append("")
            paragraph.clear()

    for line in lines:
        if not line.strip():
            flush()
        elif match := _NUMBERED.match(line):
            flush()
            out.append(f"{match.group(1)}. {line[match.end():].strip()}")
        elif _BULLET.match(line):
            flush()
            out.append(f"- {_BULLET.sub('', line).strip()}")
        elif out and out[-1] and re.match(r"^(\d+\.|-) ", out[-1]) and not paragraph \
                and line.startswith(" "):
            out[-1] += " " + line.strip()  # a step's wrapped line
        else:
            paragraph.append(line.strip())
    flush()
    return Converted(title, _tidy("\n".join(out)))


def convert_document(data: bytes, suffix: str, stem: str) -> list[Converted]:
    """Convert a .docx, .pptx, .pdf or .html file's bytes (ConversionError if unreadable)."""
    if suffix == ".docx":
        return [docx_to_markdown(data, stem)]
    if suffix == ".pptx":
        return pptx_to_markdown(data, stem)
    if suffix == ".pdf":
        return [pdf_to_markdown(data, stem)]
    text, _, _, _ = decode(data)
    return [html_to_markdown(text, stem)]
