"""A realistic month of a 20-person accounts-payable team, for the Insights screenshots.

This machine's own log, and 19 colleagues' shared files ("words" mode) in the team folder, as
Handrail writes them. The searches come from a fixed pool (what people in accounts payable
look for), with gaps that recur, searches that were found only in other words, finished and
abandoned checklists, and votes.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from search.team_insights import share
from search.usage import Search, UsageLog

TEAM_AIDS = {
    "post-invoice": ("Post a vendor invoice", "procedure", "ap-team@example.com", "2027-06-30"),
    "park-invoice": ("Park an invoice that has no purchase order", "decision",
                     "ap-team@example.com", "2026-10-31"),
    "month-end": ("Month-end close checklist (AP)", "checklist", "controller@example.com",
                  "2027-03-31"),
    "blocked-payment": ("Release a blocked payment", "procedure", "ap-team@example.com",
                        "2026-09-30"),
    "vendor-master": ("Change a vendor's bank details", "procedure", "master-data@example.com",
                      "2027-01-31"),
    "credit-memo": ("Post a credit memo", "procedure", "ap-team@example.com", "2027-05-31"),
}
FOUND = [("post invoice", "post-invoice"), ("miro", "post-invoice"),
         ("park invoice", "park-invoice"), ("invoice without po", "park-invoice"),
         ("month end close", "month-end"), ("release blocked payment", "blocked-payment"),
         ("payment block", "blocked-payment"), ("credit memo", "credit-memo"),
         ("vendor bank details", "vendor-master")]
# Searched in other words first, then found: the team's tacit vocabulary.
LATER = [("supplier bill", "post-invoice"), ("unblock payment run", "blocked-payment"),
         ("change iban", "vendor-master")]
GAPS = ["goods receipt reversal", "duplicate invoice check", "withholding tax code",
        "gr ir clearing", "foreign currency invoice", "vendor statement reconciliation",
        "three way match tolerance", "early payment discount"]


def write_team_aids(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for aid_id, (title, kind, owner, review_by) in TEAM_AIDS.items():
        steps = "\n".join(f"- [ ] Step {n}" for n in range(1, 5)) if kind == "checklist" \
            else "\n".join(f"{n}. Step {n}" for n in range(1, 4))
        (folder / f"{aid_id}.md").write_text(
            f"---\nid: {aid_id}\ntitle: {title}\nkind: {kind}\nowner: {owner}\n"
            f"review_by: {review_by}\ncreated: 2026-01-15\ntags: [accounts payable]\n"
            f"apps: [SAPLogon]\n---\n{steps}\n", encoding="utf-8")


def simulate_person(usage: UsageLog, rng: random.Random, days: int = 30) -> None:
    now = time.time()
    for day in range(days, 0, -1):
        if dt.date.fromtimestamp(now - day * 86400).weekday() >= 5:
            continue  # weekends off
        for _ in range(rng.randint(3, 9)):
            ts = now - day * 86400 + rng.randint(8 * 3600, 17 * 3600) - 12 * 3600
            roll = rng.random()
            if roll < 0.55:
                query, aid = rng.choice(FOUND)
                usage.record_search(Search(query, rng.randint(2, 9), app="SAPLogon",
                                           opened=aid, action="open", ms=rng.randint(900, 9000)),
                                    ts)
                usage.record_event("open", aid, when=ts)
                if aid == "month-end" and rng.random() < 0.6:
                    usage.record_event("complete" if rng.random() < 0.8 else "abandon", aid,
                                       when=ts + 600)
            elif roll < 0.7:
                query, aid = rng.choice(LATER)
                usage.record_search(Search(query, rng.randint(0, 3), app="SAPLogon",
                                           found_later=aid), ts)
                usage.record_event("open", aid, when=ts + 20)
            else:
                usage.record_search(Search(rng.choice(GAPS[:5] if rng.random() < 0.8 else GAPS),
                                           rng.randint(0, 6), app=rng.choice(
                                               ["SAPLogon", "SAPLogon", "firefox", "Excel"])),
                                    ts)
        if rng.random() < 0.3:
            aid = rng.choice(list(TEAM_AIDS))
            vote = rng.choices(["helpful", "unhelpful", "outdated"], [6, 1, 1 + (
                aid in ("park-invoice", "blocked-payment")) * 3])[0]
            usage.vote(aid, vote, "The screen changed after the upgrade" if vote == "outdated"
                       else "", when=now - day * 86400)


def build(home_state: Path, team_folder: Path, colleagues: int = 19, seed: int = 7) -> None:
    """This machine's log in ``home_state``, and the colleagues' files in ``team_folder``."""
    write_team_aids(team_folder)
    rng = random.Random(seed)
    today = dt.date.today() + dt.timedelta(days=1)  # share today too
    with tempfile.TemporaryDirectory(prefix="handrail-colleagues-") as scratch:
        for person in range(colleagues):
            log = UsageLog(Path(scratch) / f"colleague-{person}.sqlite3")
            simulate_person(log, rng)
            share(log, "team", team_folder, "words", set(TEAM_AIDS), today=today)
            log.close()
    mine = UsageLog(home_state / "usage.sqlite3")
    simulate_person(mine, rng)
    mine.close()
