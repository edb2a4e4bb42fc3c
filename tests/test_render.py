from __future__ import annotations

import pytest

from job_aids import parse_text, render_aid_html, render_aid_text, render_markdown


def test_tables_code_tasklists_admonitions_and_heading_anchors() -> None:
    html = render_markdown(
        "# Clear a jam\n\n- [ ] open tray\n- [x] pull paper\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```bash\nlpstat -p\n```\n\n!!! warning \"Hot\"\n    The fuser is hot.\n")
    assert '<h1 id="clear-a-jam">' in html
    assert '<input type="checkbox"' in html and "checked" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<code class="language-bash">lpstat -p' in html
    assert 'class="admonition warning"' in html and "The fuser is hot." in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="vbscript:msgbox">x</a>',
    '<div style="background:url(javascript:alert(1))" onclick="x()">y</div>',
    '<form action="https://evil.example"><input type="text" name="p"></form>',
])
def test_scripts_handlers_and_unsafe_schemes_never_survive(hostile: str) -> None:
    html = render_markdown(f"text before\n\n{hostile}\n\ntext after").lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "vbscript:", "data:", "<iframe",
                "style=", "<form", 'type="text"'):
        assert bad not in html
    assert "text before" in html and "text after" in html


@pytest.mark.parametrize("url", ["https://example.com/a", "http://example.com", "mailto:a@b.c",
                                 "tel:+15550100", "handrail:aid/Printer%20jam"])
def test_safe_link_schemes_survive(url: str) -> None:
    assert f'href="{url}"' in render_markdown(f"[link]({url})")


def test_wiki_links_between_aids_become_handrail_links() -> None:
    html = render_markdown("See [[Printer is jammed]].")
    assert 'href="handrail:aid/Printer%20is%20jammed"' in html


def test_checkbox_glyphs_for_views_without_forms() -> None:
    aid = parse_text("- [ ] one\n- [x] two\n")
    html = render_aid_html(aid, checkbox_glyphs=True)
    assert "\u2610" in html and "\u2611" in html and "<input" not in html


def test_render_text_is_readable_and_warns_when_stale() -> None:
    aid = parse_text("---\ntitle: Toner\nkind: procedure\nreview_by: 2001-01-01\n"
                     "tags: [printer]\n---\n# Toner\n\n1. Open the cover.\n")
    text = render_aid_text(aid)
    assert text.startswith("Toner\n=====\n")
    assert "Kind: procedure" in text and "Tags: printer" in text
    assert "STALE" in text and "1. Open the cover." in text
    assert text.count("# Toner") == 0  # the heading is not repeated under the title


TITLE_CASES = [
    "Title\n=====\n\ntext", "   # spaced heading", "    # code, not a heading",
    "```\n# in a fence\n```\n# Real", "  ```\n# an indented fence is no fence here\n  ```\n",
    "#NoSpace", "# Title #", "#\n\n# Second", "a\nb\n===\n", "~~~\n# x\n~~~\n\nProse\n===\n",
    "## Not level one\n\n# One", "",
]


def test_the_index_finds_the_title_the_renderer_shows() -> None:
    """The index reads titles with a line scanner (a build reads every aid); it finds the first
    level-one heading the renderer's own parser finds, on odd cases and the tldr sample."""
    from pathlib import Path

    from job_aids.model import first_heading
    from job_aids.outline import outline

    sample = Path(__file__).parent / "data" / "tldr-sample"
    bodies = TITLE_CASES + [p.read_text(encoding="utf-8") for p in sorted(sample.rglob("*.md"))]
    assert len(bodies) > 50
    for body in bodies:
        shown = next((b.text for b in outline(body) if b.kind == "heading" and b.level == 1
                      and b.text), None)
        assert first_heading(body) == shown, body
