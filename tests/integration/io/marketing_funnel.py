"""A marketing-funnel export as a marketing automation tool (Marketo, HubSpot) writes one: a lead
file with one row per marketing-qualified lead, and a file of the closed deals sales made of
some of them, keyed by the lead.

Shaped like the real thing: a year of MQLs with timestamps to the second, five lead sources and
some leads with none, leads that stall at MQL or SAL or are disqualified, a few that skip SAL,
a lead that was created as an MQL (a form fill), deals created a little before the lead was
marked SQL, amounts with cents, names with accents, a company with a comma, a disqualification
note with a quoted line break, and a UTF-8 BOM (the file was saved from Excel).

``python -m tests.integration.io.marketing_funnel FOLDER`` writes the two files (leads.csv,
deals.csv) for the worked example in docs/import.md.
"""

from __future__ import annotations

import csv
import random
import sys
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

LEAD_COLUMNS = [
    "Lead ID",
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Job Title",
    "Country",
    "Lead Source",
    "Lead Status",
    "Lead Owner",
    "Create Date",
    "MQL Date",
    "SAL Date",
    "SQL Date",
    "Disqualified Date",
    "Disqualification Reason",
]
DEAL_COLUMNS = [
    "Deal ID",
    "Deal Name",
    "Lead ID",
    "Amount",
    "Deal Stage",
    "Create Date",
    "Close Date",
    "Deal Owner",
    "Pipeline",
    "Closed Lost Reason",
]
SOURCES = [("Webinar", 5), ("Paid Search", 6), ("Organic Search", 5), ("Referral", 3), ("Event", 3)]
FIRST = ["Åsa", "Björn", "Chloé", "Daniel", "Emma", "François", "Grace", "Hiro", "Inés", "Jonas"]
LAST = ["Öberg", "Nguyen", "Smith", "García", "Müller", "O'Brien", "Kowalski", "Lindqvist", "Rossi"]
COMPANIES = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella, Inc.",
    "Hooli",
    "Vandelay Industries",
    "Stark Industries",
    "Wayne Enterprises",
    "Café Åkesson AB",
    "Soylent",
]
SDRS = ["Maria Lopez", "Kenji Sato", "Olivia Brown", "Sven Nilsson"]
AES = ["Priya Patel", "Tom Becker", "Léa Martin"]
STAMP = "%Y-%m-%d %H:%M:%S"


def _at(moment: datetime | None) -> str:
    return moment.strftime(STAMP) if moment else ""


def _email(first: str, n: int, company: str) -> str:
    plain = unicodedata.normalize("NFKD", f"{first[0]}.{n}@{company.split()[0]}").encode(
        "ascii", "ignore"
    )
    return plain.decode().strip(",").lower() + ".example"


def _later(rng: random.Random, moment: datetime, low_days: float, high_days: float) -> datetime:
    return moment + timedelta(seconds=rng.randint(int(low_days * 86400), int(high_days * 86400)))


def funnel_rows(seed: int = 2025, mqls: int = 360) -> tuple[list[list[str]], list[list[str]]]:
    """The lead rows and deal rows (without headers), the same for the same seed."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    created = sorted(
        start + timedelta(seconds=rng.randint(0, 364 * 86400 - 1)) for _ in range(mqls)
    )
    names = [s for s, _w in SOURCES]
    weights = [w for _s, w in SOURCES]
    leads: list[list[str]] = []
    sqls: list[tuple[str, datetime, str]] = []
    for n, made in enumerate(created):
        lead_id = str(1_000_311 + n * 7)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(COMPANIES)
        source = "" if rng.random() < 0.04 else rng.choices(names, weights)[0]
        mql = made if rng.random() < 0.1 else _later(rng, made, 0.01, 20)
        sal = sql = disqualified = None
        reason = ""
        if rng.random() < 0.62:
            sal = _later(rng, mql, 0.05, 9)
            if rng.random() < 0.55:
                sql = _later(rng, sal, 0.1, 15)
                if rng.random() < 0.08:
                    sal = None  # sales qualified it straight away, never marking it accepted
        if sql is None and rng.random() < 0.45:
            disqualified = _later(rng, sal or mql, 0.5, 30)
            reason = rng.choice(["No budget", "Student", 'Competitor\n"just looking"', "Spam"])
        status = (
            "Disqualified"
            if disqualified
            else "Sales Qualified"
            if sql
            else "Sales Accepted"
            if sal
            else "Marketing Qualified"
        )
        if sql is not None:
            sqls.append((lead_id, sql, company))
        leads.append(
            [
                lead_id,
                first,
                last,
                _email(first, n, company),
                company,
                rng.choice(["VP Sales", "Head of RevOps", "CFO", "Marketing Manager", ""]),
                rng.choice(["US", "SE", "DE", "GB", "FR"]),
                source,
                status,
                rng.choice(SDRS),
                _at(made),
                _at(mql),
                _at(sal),
                _at(sql),
                _at(disqualified),
                reason,
            ]
        )
    deals: list[list[str]] = []
    converted: set[str] = set()
    for lead_id, sql, company in sqls:
        if rng.random() > 0.7:
            continue  # still a sales-qualified lead: no deal yet
        if rng.random() < 0.05:
            opened = sql - timedelta(seconds=rng.randint(60, 3 * 3600))  # deal made first
        else:
            opened = _later(rng, sql, 0.01, 10)
        closed = _later(rng, opened, 7, 120)
        won = rng.random() < 0.38
        cents = rng.randint(250_000, 9_500_000)
        deals.append(
            [
                "",  # numbered below, in the order the deals were created
                f"{company} – New Business",
                lead_id,
                f"{cents // 100}.{cents % 100:02d}",
                "Closed Won" if won else "Closed Lost",
                _at(opened),
                _at(closed),
                rng.choice(AES),
                "Sales Pipeline",
                "" if won else rng.choice(["Price", "Timing", "Went with a competitor"]),
            ]
        )
        converted.add(lead_id)
    deals.sort(key=lambda row: row[5])
    for n, row in enumerate(deals):
        row[0] = str(8_801_020_001 + n)
    for row in leads:
        if row[0] in converted:
            row[8] = "Converted"
    return leads, deals


def write_funnel(folder: Path, seed: int = 2025, mqls: int = 360) -> tuple[Path, Path]:
    """leads.csv and deals.csv in ``folder``, as Excel saves them (UTF-8 with a BOM, CRLF)."""
    leads, deals = funnel_rows(seed, mqls)
    paths = folder / "leads.csv", folder / "deals.csv"
    for path, header, rows in ((paths[0], LEAD_COLUMNS, leads), (paths[1], DEAL_COLUMNS, deals)):
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    for written in write_funnel(target):
        print(written)
