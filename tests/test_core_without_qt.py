"""The core packages must never import Qt: prove it with Qt made unimportable."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

SCRIPT = """
import sys, pkgutil, importlib
sys.modules['PySide6'] = None  # any `import PySide6...` now raises ImportError
for package in ('job_aids', 'search', 'sync'):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + '.'):
        importlib.import_module(info.name)
loaded = sorted(name for name in sys.modules if name.startswith(('job_aids', 'search', 'sync')))
print(len(loaded))
assert not any(name.startswith('PySide6.') for name in sys.modules)
"""


def test_core_imports_with_pyside6_unavailable() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10  # the job_aids modules, at least, were imported


def test_pyside6_being_unavailable_really_breaks_a_qt_import() -> None:
    """The guard above is meaningful: the same trick makes a Qt-using module fail."""
    script = "import sys; sys.modules['PySide6'] = None; import app.background"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode != 0
    assert "PySide6" in result.stderr
