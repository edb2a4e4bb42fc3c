from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from job_aids.names import safe_component, safe_relative_path, slugify, unique_path


@pytest.mark.parametrize(("title", "expected"), [
    ("Unjam the Printer!", "unjam-the-printer"),
    ("Café: ordering & payments", "café-ordering-payments"),
    ("打印机卡纸", "打印机卡纸"),
    ("CON", "con_"),
    ("aux", "aux_"),
    ("   ", "aid"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"),
])
def test_slugs_are_readable_and_safe_everywhere(title: str, expected: str) -> None:
    assert slugify(title) == expected


def test_long_titles_are_cut() -> None:
    assert len(slugify("word " * 100)) <= 80


@pytest.mark.parametrize("name", ["..", ".", "", "NUL.md", "a:b.md", "x" * 300, "trail. "])
def test_safe_component_never_yields_a_dangerous_name(name: str) -> None:
    safe = safe_component(name)
    assert safe not in ("", ".", "..")
    assert not any(c in safe for c in '<>:"/\\|?*')
    assert safe.split(".")[0].upper() not in ("CON", "PRN", "AUX", "NUL")
    assert len(safe) <= 120 and not safe.endswith((".", " "))


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "/abs/path.md", "C:\\Windows\\x.md",
                                     "a/../../b.md", "..\\..\\up.md"])
def test_relative_paths_from_outside_cannot_escape(tmp_path: Path, hostile: str) -> None:
    rel = safe_relative_path(hostile)
    assert not rel.is_absolute() and ".." not in rel.parts
    resolved = (tmp_path / rel).resolve()
    assert resolved.is_relative_to(tmp_path)


def test_unique_path_avoids_collisions_in_any_case(tmp_path: Path) -> None:
    (tmp_path / "Toner.md").write_text("x")
    assert unique_path(tmp_path, "toner").name == "toner-2.md"
    (tmp_path / "toner-2.md").write_text("x")
    assert unique_path(tmp_path, "toner").name == "toner-3.md"


@pytest.mark.parametrize("stem", ["a" * 200, "打印机卡纸" * 30, "word. " * 40])
def test_a_long_name_is_cut_to_fit_and_keeps_its_extension(stem: str) -> None:
    """Imported names over 120 bytes were cut inside ".md", and the aids were never listed."""
    safe = safe_component(stem + ".md")
    assert safe.endswith(".md") and len(safe.encode()) <= 120
    assert safe_component("short name.md") == "short name.md"
    assert safe_relative_path(f"wiki/{stem}.md").name.endswith(".md")


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(alphabet="abcXYZ019_+-.", max_size=130),
    st.sampled_from(["con.md", "COM1.md", "lpt9", "aux.tar.gz", "conin$", "a..b", "x.",
                     "-x.md", "report.md", "en-us.json", "com¹.md", "nul", "a" * 121]),
    st.text(max_size=40)))
def test_the_quick_way_for_plain_names_says_what_the_careful_way_says(name: str) -> None:
    """safe_component skips pathvalidate for plain ASCII names no platform reserves; for each
    name it must answer exactly as the careful way does."""
    from job_aids import names

    quick = safe_component(name)
    careful = names._plainly_safe  # noqa: SLF001 - the two ways, compared
    try:
        names._plainly_safe = lambda _name, _max: False  # type: ignore[assignment]
        assert safe_component(name) == quick
    finally:
        names._plainly_safe = careful
