"""What the code itself must keep to: Whoosh's internals only behind the fence, and no error
swallowed whole in the app but by the top-level hook."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = ROOT / "search" / "whoosh_fence.py"
HOOK = ROOT / "app" / "unexpected.py"
# Handrail's own attributes on its own objects are fine; ``_stored_<field>`` is Whoosh's
# documented way to store another value than the one indexed.
ALLOWED_STRINGS = ("_stored_",)


def _sources(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def _private_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found += [f"imports {a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            base = node.value
            if not (isinstance(base, ast.Name) and base.id in ("self", "cls")):
                found.append(f"line {node.lineno}: .{node.attr} of {ast.unparse(base)}")
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("_"):
            found.append(f"line {node.lineno}: keyword {node.arg}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("_") and not node.value.startswith("__") \
                and not node.value.startswith(ALLOWED_STRINGS) and node.value.isidentifier() \
                and node.value != "_":
            found.append(f"line {node.lineno}: name {node.value!r}")
    return found


def _imports_whoosh(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            return True
        if isinstance(node, ast.Import) and any(a.name.startswith("whoosh") for a in node.names):
            return True
    return False


def test_whoosh_internals_are_reached_only_through_the_fence() -> None:
    uses = {str(path.relative_to(ROOT)): _private_uses(path)
            for path in _sources("search") if path != FENCE}
    assert {path: found for path, found in uses.items() if found} == {}
    assert _private_uses(FENCE)  # the scan does find them where they are
    # Outside the search package, Whoosh is not used at all.
    assert [str(p) for p in _sources("app", "job_aids", "sync") if _imports_whoosh(p)] == []


def test_only_the_top_level_hook_catches_every_exception() -> None:
    catch_all = []
    for path in _sources("app"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and (
                    node.type is None or ast.unparse(node.type) in ("Exception",
                                                                    "BaseException")):
                catch_all.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert all(place.startswith("app/unexpected.py:") for place in catch_all), catch_all
    assert catch_all  # the hook itself is found


def test_message_boxes_show_names_as_plain_text() -> None:
    """QMessageBox's static helpers guess rich text from the message, and messages name aids
    and files (``<img src=…>.md``): every box goes through app/dialogs.py."""
    static = []
    for path in _sources("app"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and ast.unparse(node) in (
                    "QMessageBox.warning", "QMessageBox.question", "QMessageBox.information",
                    "QMessageBox.critical", "QMessageBox.about"):
                static.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert static == []
