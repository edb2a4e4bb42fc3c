"""What a window title says besides itself: the document open in it and the page's address.

Office programs and editors put the file first ("Payroll 2026.ods - LibreOffice Calc",
"● main.py - billing - Visual Studio Code"); a browser puts the page title first, and the
address only where the user's browser is set to show it there ("Vendor master -
https://sap.example.com/fiori - Mozilla Firefox"). Nothing else is read: no window's
contents, no browser history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"\s+[-–—|]\s+")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s]+", re.IGNORECASE)
_HOST_PATH = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.IGNORECASE)
_MODIFIED = re.compile(r"^[*●•]\s*")  # the unsaved-changes marks editors put first


@dataclass(frozen=True)
class TitleParts:
    document: str = ""  # the first part of a title of several, without an unsaved mark
    url: str = ""       # an address in the title: "https://..." or "host.name/path"


def title_parts(title: str) -> TitleParts:
    parts = [part.strip() for part in _SEPARATORS.split(title.strip()) if part.strip()]
    document = _MODIFIED.sub("", parts[0]) if len(parts) > 1 else ""
    found = _URL.search(title)
    url = found.group(0).rstrip(").,") if found else next(
        (part for part in parts if _HOST_PATH.match(part)), "")
    return TitleParts(document=document, url=url)
