"""Courseware and documents made in the test (Word, PowerPoint, PDF, HTML) become clean aids."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import fpdf
import pptx
import pytest

from job_aids import import_files, read_aid
from job_aids.checklist import Checklist
from tests.conftest import run_cli


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _word(path: Path, *, steps: tuple[str, ...] = ("Press the red key", "Count the drawer")
          ) -> None:
    document = docx.Document()
    document.core_properties.title = "Reset a till"
    document.add_heading("Reset a till", 1)
    document.add_paragraph("When the till freezes mid-sale.")
    document.add_heading("Steps", 2)
    for step in steps:
        document.add_paragraph(step, style="List Number")
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Code", (0, 1): "Meaning", (1, 0): "E12",
                             (1, 1): "Drawer open"}.items():
        table.cell(row, col).text = text
    document.add_picture(io.BytesIO(_png()))
    document.save(str(path))


def _deck(path: Path, *, sections: bool) -> None:
    from lxml import etree

    deck = pptx.Presentation()
    deck.core_properties.title = "Shop routines"
    for title, bullets in [("Unlock", ["Disarm the alarm", "Lights on"]),
                           ("Till float", ["Count the float"]),
                           ("Lock up", ["Count cash", "Set the alarm"])]:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        frame = slide.placeholders[1].text_frame
        frame.text = bullets[0]
        for bullet in bullets[1:]:
            frame.add_paragraph().text = bullet
    if sections:  # python-pptx cannot make sections: write PowerPoint's p14 extension
        ids = [slide.slide_id for slide in deck.slides]
        p14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
        ns_p = "http://schemas.openxmlformats.org/presentationml/2006/main"
        ext_list = etree.SubElement(deck.part._element, f"{{{ns_p}}}extLst")
        ext = etree.SubElement(ext_list, f"{{{ns_p}}}ext",
                               uri="{521415D9-36F7-43E2-AB2F-B90AF26B5E84}")
        section_list = etree.SubElement(ext, f"{{{p14}}}sectionLst")
        for name, members in [("Opening", ids[:2]), ("Closing", ids[2:])]:
            section = etree.SubElement(section_list, f"{{{p14}}}section", name=name,
                                       id=f"{{00000000-0000-0000-0000-00000000000{len(name)}}}")
            slide_list = etree.SubElement(section, f"{{{p14}}}sldIdLst")
            for slide_id in members:
                etree.SubElement(slide_list, f"{{{p14}}}sldId", id=str(slide_id))
    deck.save(str(path))


def _pdf(path: Path) -> None:
    document = fpdf.FPDF()
    document.add_page()
    document.set_font("Helvetica", size=12)
    document.set_title("Clear a paper jam")
    for line in ["Clear a paper jam", "", "Do this before calling Facilities.", "",
                 "1. Open the front door", "2. Pull the green lever", "3. Remove the paper"]:
        document.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    document.output(str(path))


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


def test_a_word_document_becomes_steps_a_table_and_an_image(tmp_path: Path, dest: Path) -> None:
    _word(tmp_path / "till.docx")
    report = import_files([tmp_path / "till.docx"], dest)
    [(_, target)] = report.imported
    aid = read_aid(target)
    assert aid.title == "Reset a till" and not aid.problems
    assert [s.text for s in Checklist.from_aid(aid).steps] == ["Press the red key",
                                                               "Count the drawer"]
    assert "| Code | Meaning |\n| --- | --- |\n| E12 | Drawer open |" in aid.body
    assert "![](images/till-1.png)" in aid.body
    assert (target.parent / "images" / "till-1.png").read_bytes() == _png()
    assert "# Reset a till" not in aid.body  # the title is the front matter's


def test_importing_the_same_document_again_updates_its_aid(tmp_path: Path, dest: Path) -> None:
    _word(tmp_path / "till.docx")
    [(_, target)] = import_files([tmp_path / "till.docx"], dest).imported
    first = read_aid(target)
    again = import_files([tmp_path / "till.docx"], dest)
    assert not again.imported and "unchanged since it was imported" in again.skipped[0].reason
    _word(tmp_path / "till.docx", steps=("Press the red key", "Count the drawer", "Sign it"))
    third = import_files([tmp_path / "till.docx"], dest)
    assert third.updated == [(tmp_path / "till.docx", target)] and not third.imported
    updated = read_aid(target)
    assert updated.id == first.id and "Sign it" in updated.body
    assert sorted(p.name for p in dest.glob("*.md")) == ["till.md"]


@pytest.mark.parametrize("sections", [True, False])
def test_a_slide_deck_becomes_one_aid_per_section(tmp_path: Path, dest: Path,
                                                  sections: bool) -> None:
    _deck(tmp_path / "shop.pptx", sections=sections)
    report = import_files([tmp_path / "shop.pptx"], dest)
    aids = sorted((read_aid(t) for _, t in report.imported), key=lambda a: a.title)
    if sections:
        assert report.split == [(tmp_path / "shop.pptx", 2)]
        assert [a.title for a in aids] == ["Shop routines: Closing", "Shop routines: Opening"]
        assert aids[1].body == ("## Unlock\n\n- Disarm the alarm\n- Lights on\n\n"
                                "## Till float\n\n- Count the float\n")
        assert all(t.parent.name == "shop" for _, t in report.imported)
    else:
        assert [a.title for a in aids] == ["Shop routines"]
        assert aids[0].body.count("## ") == 3 and "- Set the alarm" in aids[0].body


def test_a_pdf_keeps_its_numbered_steps(tmp_path: Path, dest: Path) -> None:
    _pdf(tmp_path / "jam.pdf")
    [(_, target)] = import_files([tmp_path / "jam.pdf"], dest).imported
    aid = read_aid(target)
    assert aid.title == "Clear a paper jam"
    assert aid.body == ("Do this before calling Facilities.\n\n1. Open the front door\n"
                        "2. Pull the green lever\n3. Remove the paper\n")


def test_html_drops_scripts_styles_and_navigation_and_takes_its_heading(tmp_path: Path,
                                                                        dest: Path) -> None:
    (tmp_path / "page.html").write_text(
        "<html><head><title>Intranet</title><script>alert(1)</script><style>p{color:red}"
        "</style></head><body><nav>Home | About</nav><h1>Book a return</h1><p>Use code "
        "<b>R7</b>.</p><script>alert(2)</script><footer>© Corp</footer></body></html>")
    [(_, target)] = import_files([tmp_path / "page.html"], dest).imported
    aid = read_aid(target)
    assert aid.title == "Book a return"
    assert aid.body == "Use code **R7**.\n"


def test_a_damaged_document_is_skipped_with_the_reason(tmp_path: Path, dest: Path) -> None:
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 this is not a document")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    report = import_files([tmp_path / "broken.docx", tmp_path / "broken.pdf"], dest)
    assert not report.imported and len(report.skipped) == 2
    assert all(s.reason for s in report.skipped) and not list(dest.iterdir())


def test_the_command_line_reports_what_it_imported_split_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "courseware"
    folder.mkdir()
    _deck(folder / "shop.pptx", sections=True)
    _pdf(folder / "jam.pdf")
    (folder / "notes.xlsx").write_bytes(b"PK")
    result = run_cli("import", str(folder), home=tmp_path / "home")
    assert "split: " in result.stdout and "into 2 aids" in result.stdout
    assert "skipped: " in result.stdout and "not a supported type (.xlsx" in result.stdout
    assert "imported 3 files" in result.stdout
    listed = run_cli("list", home=tmp_path / "home").stdout
    assert "Shop routines: Opening" in listed and "Clear a paper jam" in listed
