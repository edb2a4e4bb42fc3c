"""Screenshots of the tray app on a real X desktop, for anyone to look at.

    make screenshots     # or: .venv/bin/python -m bench.screenshots [--out DIR]

Writes popup-context.png (hotkey pressed in an SAP window: the aid for its title first, then
the aids for SAP; the payroll aid, for another SAP window, is not there), popup-query.png (a
typed query with a typo, matches highlighted), pinned.png (a checklist pinned beside the work,
two steps ticked), library.png (the Library window: every aid, its kind, collection, tags and
review date), pinned-dark.png (the pinned checklist in the dark theme), insights.png and
insights-charts.png (the Insights window on a month of a 20-person team), report.png (the
HTML report in headless Chromium, where it is installed), editor-checklist.png and
editor-decision.png (the editor: the form, the toolbar, line-numbered source and the live
preview), aid-window.png (an aid with a warning, a table, who to ask and the stale mark) and
pinned-troubleshooting.png (that troubleshooting aid pinned, its warning among the steps), and
aid-window-dark.png (the same aid window in the dark theme).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from .desktop import Desktop, HandrailApp, wait_for

DEMO_AIDS = {
    "post-a-vendor-invoice.md": """\
---
title: Post a vendor invoice
kind: procedure
apps: [SAPLogon]
tags: [accounts payable, invoice]
summary: Book an incoming invoice against its purchase order in MIRO.
owner: ap-team@example.com
review_by: 2027-06-30
---
1. Open transaction `MIRO`
2. Enter the invoice date and the **purchase order** number
3. Check that the balance is zero, then **Simulate**
4. Post, and write the document number on the paper invoice
""",
    "park-an-invoice-without-po.md": """\
---
title: Park an invoice that has no purchase order
kind: decision
apps: [SAPLogon]
tags: [accounts payable, invoice]
summary: When there is no PO, park the invoice and ask the buyer.
---
| Situation | Do this |
|---|---|
| Buyer known | Park with `FV60`, assign to the buyer |
| Buyer unknown | Park, then ask purchasing |
""",
    "month-end-close.md": """\
---
title: Month-end close checklist (AP)
kind: checklist
apps: [SAPLogon]
tags: [month end, close]
summary: Everything accounts payable closes on the last working day.
---
- [ ] Post every invoice received before noon
- [ ] Clear the GR/IR account with `F.13`
- [ ] Run the open-items report
- [ ] Send the accruals list to the controller
- [ ] Lock the period with `OB52`

```
F.13  automatic clearing, test run first
```
""",
    "sap-menu-paths.md": """\
---
title: SAP menu paths for accounts payable
kind: reference
apps: [{title: "*SAP Easy Access*"}]
tags: [accounts payable, menu]
owner: ap-team@example.com
---
| Task | Menu path |
|---|---|
| Post an invoice | Logistics > Materials Management > Logistics Invoice Verification |
| Display a vendor | Accounting > Financial Accounting > Accounts Payable > Master Records |
""",
    "payroll-run.md": """\
---
title: Start the monthly payroll run
kind: procedure
apps: [{app: SAPLogon, title: "*Payroll*"}]
tags: [payroll]
---
1. Open transaction `PA03` and release the payroll area
""",
    "unjam-the-label-printer.md": """\
---
title: Unjam the label printer
kind: troubleshooting
tags: [printer, labels]
summary: Labels stuck or printing blank on the Zebra at the packing desk.
review_by: 2024-01-31
owner: packing-leads@example.com
experts:
  - name: Facilities desk
    contact: tel:+15550100
  - name: Ana Lima
    contact: mailto:ana.lima@example.com
---
!!! warning "Hot print head"
    Let the head cool for a minute before you touch it.

1. Switch the printer off
2. Open the cover and pull the labels out gently
3. Hold **FEED** while switching it on until the light blinks twice

| Light | Means |
|---|---|
| Green | Ready |
| Red, blinking | Out of labels or jammed |
""",
}


def _editing(title: str, state: dict[str, Any]) -> bool:
    return any(title in editor["title"] for editor in state["editors"])


def authoring_shots(desktop: Desktop, app: HandrailApp, library: Path, out: Path,
                    pinned: int) -> list[Path]:
    """The editor on a checklist and on a decision table; an aid window and a pinned view of
    a troubleshooting aid with a warning, a table, experts and the stale mark. The pinned
    checklist is minimised first: it stays on top, over the editor's form."""
    desktop.xdotool("windowminimize", "--sync", str(pinned))
    shots = []
    for name, shot, title in (("month-end-close.md", "editor-checklist.png", "Month-end"),
                              ("park-an-invoice-without-po.md", "editor-decision.png", "Park")):
        app.request(cmd="edit", path=str(library / name))
        app.wait_state(partial(_editing, title))
        time.sleep(1.0)
        shots.append(desktop.screenshot(out / shot))
        desktop.xdotool("key", "ctrl+w")
        app.wait_state(lambda s: not s["editors"])
    unjam = str(library / "unjam-the-label-printer.md")
    app.request(cmd="open", path=unjam)
    wait_for(lambda: desktop.window_ids(name="Unjam the label printer - Handrail"),
             what="the aid window")
    time.sleep(0.6)
    shots.append(desktop.screenshot(out / "aid-window.png"))
    desktop.xdotool("key", "Escape")
    app.request(cmd="pin", path=unjam)
    app.wait_state(lambda s: any("Unjam" in p for p in map(str, s["pinned"])))
    time.sleep(0.6)
    shots.append(desktop.screenshot(out / "pinned-troubleshooting.png"))
    return shots


def insights_shots(desktop: Desktop, work: Path, out: Path) -> list[Path]:
    """The Insights window on a month of a 20-person team (bench/insights_demo.py), and the
    HTML report in headless Chromium where it is installed."""
    import subprocess

    from .insights_demo import build

    home = work / "insights-home"
    team = work / "ap-team"
    (home / "state").mkdir(parents=True)
    build(home / "state", team)
    cli = [sys.executable, "-m", "app", "--home", str(home)]
    subprocess.run([*cli, "collection", "add", str(team), "--name", "ap-team"], check=True,
                   capture_output=True)
    shots = []
    app = HandrailApp(desktop, home).start()
    try:
        wait_for(lambda: app.events("index-current"), timeout=60, what="the index")
        app.request(cmd="insights")
        app.wait_state(lambda s: s["insights"] and s["insights"]["gaps"], timeout=30)
        time.sleep(0.5)
        shots.append(desktop.screenshot(out / "insights.png"))
        desktop.xdotool("key", "ctrl+5")  # the Charts page
        app.wait_state(lambda s: s["insights"]["tab"] == "Charts")
        time.sleep(0.5)
        shots.append(desktop.screenshot(out / "insights-charts.png"))
    finally:
        app.stop()
    report = work / "report.html"
    subprocess.run([*cli, "report", "--html", "-o", str(report)], check=True,
                   capture_output=True)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("no chromium here: report.png not made (apt install chromium)")
        return shots
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=1200,2200",
                    f"--screenshot={out / 'report.png'}", report.as_uri()],
                   check=True, capture_output=True, timeout=120)
    shots.append(out / "report.png")
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    work = Path(tempfile.mkdtemp(prefix="handrail-shots-"))
    try:
        home = work / "home"
        library = home / "data" / "library"
        library.mkdir(parents=True)
        for name, text in DEMO_AIDS.items():
            (library / name).write_text(text, encoding="utf-8")
        with Desktop() as desktop:
            app = HandrailApp(desktop, home).start()
            try:
                sap = desktop.open_app_window("Invoice 4711 - SAP Easy Access", "SAPLogon")
                desktop.xdotool("key", "ctrl+alt+space")
                app.wait_state(lambda s: s["active"] and len(s["rows"]) >= 4)
                time.sleep(0.4)
                shots = [desktop.screenshot(out / "popup-context.png")]
                desktop.xdotool("type", "--delay", "40", "unjam labl")
                app.wait_state(lambda s: s["current"] == "Unjam the label printer")
                time.sleep(0.4)
                shots.append(desktop.screenshot(out / "popup-query.png"))
                desktop.xdotool("key", "ctrl+a")
                desktop.xdotool("type", "--delay", "20", "month end")
                app.wait_state(lambda s: s["current"] == "Month-end close checklist (AP)")
                desktop.xdotool("key", "ctrl+Return")
                app.wait_state(lambda s: s["pinned"] and not s["visible"])
                wait_for(lambda: desktop.active_window_name() != "Handrail", what="focus back")
                pinned = desktop.window_ids(name="Month-end close")[0]
                desktop.xdotool("windowactivate", "--sync", str(pinned))
                desktop.xdotool("key", "space", "space")
                desktop.xdotool("windowactivate", "--sync", str(sap))
                time.sleep(0.4)
                shots.append(desktop.screenshot(out / "pinned.png"))
                desktop.xdotool("key", "--delay", "0", "ctrl+alt+space")
                app.wait_state(lambda s: s["active"])
                desktop.xdotool("key", "ctrl+l")
                app.wait_state(lambda s: s["library"] and s["library"]["active"]
                               and s["library"]["total"] >= len(DEMO_AIDS))
                time.sleep(0.4)
                shots.append(desktop.screenshot(out / "library.png"))
                desktop.xdotool("key", "ctrl+w")
                app.wait_state(lambda s: not s["library"])
                shots += authoring_shots(desktop, app, library, out, pinned)
            finally:
                app.stop()
            (home / "config").mkdir(exist_ok=True)
            (home / "config" / "settings.json").write_text('{"version": 2, "theme": "dark"}')
            app = HandrailApp(desktop, home).start()  # the pinned checklist comes back
            try:
                app.wait_state(lambda s: s["pinned"])
                desktop.xdotool("windowactivate", "--sync", str(sap))
                time.sleep(0.6)
                shots.append(desktop.screenshot(out / "pinned-dark.png"))
                app.request(cmd="open", path=str(library / "unjam-the-label-printer.md"))
                wait_for(lambda: desktop.window_ids(name="Unjam the label printer - Handrail"),
                         what="the aid window")
                time.sleep(0.6)
                shots.append(desktop.screenshot(out / "aid-window-dark.png"))
            finally:
                app.stop()
            shots += insights_shots(desktop, work, out)
        for shot in shots:
            print(shot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
