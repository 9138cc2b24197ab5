"""A Salesforce org's folder of exports, written the way real orgs' exports look.

Everything a real multi-currency org throws at an import, in one small folder: Data Loader files
(ISO times with ``.000+0000``) beside a report-style Opportunity export (two-digit years,
``02/23/26 08:55 PM``, date-only close dates), NUL bytes inside quoted rich text, four
currencies with ``CurrencyType`` and ``DatedConversionRate``, three-decimal amounts, integration
users sharing one address, CampaignMember and Task files mixing lead and contact rows, accounts
with head counts but no segment field, custom opportunity stages, won and open deals with full
OpportunityHistory (amounts and close dates that move) and lost deals with no history at all.

The generator is deterministic (a seeded random); tests compute their expected figures from
the CSV files it writes, with pandas, never from sqo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.csv_files import write_export as _write

CORPORATE = "EUR"
# Units of each currency per 1 EUR: the static rates of CurrencyType, then dated periods.
STATIC_RATES = {"EUR": "1.0", "USD": "1.08", "GBP": "0.86", "SEK": "11.4"}
DATED_RATES = [  # (iso code, rate, start, next start)
    ("USD", "1.10", date(2024, 1, 1), date(2025, 7, 1)),
    ("USD", "1.05", date(2025, 7, 1), date(9999, 12, 31)),
    ("GBP", "0.85", date(2024, 1, 1), date(2025, 7, 1)),
    ("GBP", "0.87", date(2025, 7, 1), date(9999, 12, 31)),
    ("SEK", "11.20", date(2024, 1, 1), date(2025, 7, 1)),
    ("SEK", "11.60", date(2025, 7, 1), date(9999, 12, 31)),
    ("EUR", "1.0", date(2024, 1, 1), date(9999, 12, 31)),
]
# The org's own opportunity stages, and the stage map a user gives for them.
OPEN_STAGES = ["Discovery", "Qualified", "Demo", "Proposal Sent", "Contract Review"]
STAGE_MAP = {
    "Discovery": "Qualification",
    "Qualified": "SQO",
    "Demo": "Solution",
    "Proposal Sent": "Proposal",
    "Contract Review": "Negotiation",
}
SQO_AND_LATER = {"Qualified", "Demo", "Proposal Sent", "Contract Review", "Closed Won"}
PAST = datetime(2025, 9, 30, 23, 59, 59)  # "as of" date for the amounts-as-of check


def _sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _report_time(moment: datetime) -> str:
    # Salesforce report export: month-first, two-digit year, 12-hour clock.
    return moment.strftime("%m/%d/%y %I:%M %p")


def _report_day(day: date) -> str:
    return f"{day.month}/{day.day}/{day:%y}"


@dataclass
class Org:
    folder: Path
    stage_map: Path
    opportunities: int = 0
    notes: list[str] = field(default_factory=list)


def write_org(folder: Path, seed: int = 20251) -> Org:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)

    users = [
        ["0055g00000AAAA1", "Ann Lee", "ann.lee@acme-sales.example", "true", "EMEA Sales"],
        ["0055g00000AAAA2", "Bo Ek", "bo.ek@acme-sales.example", "true", "EMEA Sales"],
        ["0055g00000AAAA3", "Cara Diaz", "cara.diaz@acme-sales.example", "true", "US Sales"],
        ["0055g00000AAAA4", "Integration User", "noreply@acme-sales.example", "true", ""],
        ["0055g00000AAAA5", "Marketing Sync", "noreply@acme-sales.example", "true", ""],
        ["0055g00000AAAA6", "Data Migration", "noreply@acme-sales.example", "false", ""],
    ]
    _write(folder / "User.csv", ["Id", "Name", "Email", "IsActive", "Department"], users)
    reps = [u[0] for u in users[:3]]

    accounts = []
    for n in range(12):
        employees = rng.choice([12, 45, 80, 250, 600, 900, 2500, 12000])
        accounts.append(
            [
                f"0015g00000ACC{n:03d}",
                f"Account {n:02d} AB",
                str(employees),
                f"{employees * rng.randrange(80_000, 200_000)}",
                rng.choice(["Sweden", "Germany", "United States", "United Kingdom"]),
                _sf_time(datetime(2023, 1, 1) + timedelta(days=rng.randrange(300))),
            ]
        )
    _write(
        folder / "Account.csv",
        ["Id", "Name", "NumberOfEmployees", "AnnualRevenue", "BillingCountry", "CreatedDate"],
        accounts,
    )

    contacts = []
    for n in range(20):
        account = accounts[n % len(accounts)][0] if n % 4 else ""  # every 4th has no account
        contacts.append([f"0035g00000CON{n:03d}", f"Contact {n}", f"c{n}@client.example", account])
    _write(folder / "Contact.csv", ["Id", "Name", "Email", "AccountId"], contacts)

    _write(
        folder / "CurrencyType.csv",
        ["Id", "IsoCode", "ConversionRate", "DecimalPlaces", "IsActive", "IsCorporate"],
        [
            [f"01L5g0000000{n:03d}", code, rate, "2", "true", str(code == CORPORATE).lower()]
            for n, (code, rate) in enumerate(STATIC_RATES.items())
        ],
    )
    _write(
        folder / "DatedConversionRate.csv",
        ["Id", "IsoCode", "ConversionRate", "StartDate", "NextStartDate"],
        [
            [f"04w5g0000000{n:03d}", code, rate, start.isoformat(), nxt.isoformat()]
            for n, (code, rate, start, nxt) in enumerate(DATED_RATES)
        ],
    )

    _write(
        folder / "Campaign.csv",
        ["Id", "Name", "Type", "StartDate"],
        [
            ["7015g00000CMP001", "Spring Webinar", "Webinar", "2025-03-01"],
            ["7015g00000CMP002", "Trade Fair", "Event", "2025-05-12"],
        ],
    )

    opp_rows: list[list[str]] = []
    history: list[list[str]] = []
    field_history: list[list[str]] = []
    hist_n = 0
    for n in range(60):
        oid = f"0065g00000OPP{n:03d}"
        created = datetime(2025, 1, 6, 8, 0, 0) + timedelta(
            days=rng.randrange(0, 300), seconds=rng.randrange(0, 36_000)
        )
        currency = rng.choice(["EUR", "EUR", "USD", "GBP", "SEK"])
        amount = rng.randrange(2_000, 90_000) + rng.choice([0, 0.5, 0.25, 0.125, 0.375])
        kind = "lost" if n % 3 == 0 else "won" if n % 3 == 1 else "open"
        close = (created + timedelta(days=rng.randrange(20, 120))).date()
        if kind == "lost":
            stage = "Closed Lost"  # lost deals: no history at all, as these orgs export them
        else:
            path = OPEN_STAGES[: rng.randrange(2, len(OPEN_STAGES) + 1)]
            if kind == "won":
                path = [*path, "Closed Won"]
            at = created
            shown_amount, shown_close = amount * rng.choice([0.8, 1.0, 1.2]), close
            for step, name in enumerate(path):
                if step == len(path) // 2:
                    shown_amount = amount  # the amount and close date move halfway
                    shown_close = close
                hist_n += 1
                history.append(
                    [
                        f"0085g0000H{hist_n:05d}",
                        oid,
                        name,
                        f"{shown_amount:.2f}",
                        shown_close.isoformat()
                        if step >= len(path) // 2
                        else (close - timedelta(days=14)).isoformat(),
                        "Closed" if name == "Closed Won" else "Pipeline",
                        "100" if name == "Closed Won" else "20",
                        _sf_time(at),
                    ]
                )
                at += timedelta(days=rng.randrange(3, 15), seconds=rng.randrange(3600))
            stage = path[-1]
            if kind == "won":
                close = at.date() - timedelta(days=1)
                history[-1][4] = close.isoformat()
        description = "Pain: forecast misses.\x00 Champion: VP Sales." if n % 7 == 0 else ""
        opp_rows.append(
            [
                oid,
                f"Deal {n:02d}",
                accounts[n % len(accounts)][0],
                reps[n % len(reps)],
                stage,
                f"{amount:.3f}" if n % 5 == 0 else f"{amount:.2f}",
                currency,
                _report_day(close),
                _report_time(created),
                description,
                "Web" if n % 2 else "Partner",
            ]
        )
    _write(
        folder / "Opportunity.csv",
        [
            "Id",
            "Name",
            "AccountId",
            "OwnerId",
            "StageName",
            "Amount",
            "CurrencyIsoCode",
            "CloseDate",
            "CreatedDate",
            "Description",
            "LeadSource",
        ],
        opp_rows,
    )
    _write(
        folder / "OpportunityHistory.csv",
        [
            "Id",
            "OpportunityId",
            "StageName",
            "Amount",
            "CloseDate",
            "ForecastCategory",
            "Probability",
            "CreatedDate",
        ],
        history,
    )
    del field_history

    leads = []
    for n in range(30):
        converted = n % 5 == 0
        leads.append(
            [
                f"00Q5g00000LEA{n:03d}",
                f"Lead {n}",
                f"Company {n}",
                "Qualified" if converted else rng.choice(["New", "Working", "Nurturing"]),
                "true" if converted else "false",
                _sf_time(datetime(2025, 2, 1) + timedelta(days=n)) if converted else "",
                "000000000000000AAA" if converted else "",
                "" if n == 7 else _sf_time(datetime(2025, 1, 2) + timedelta(days=n, hours=3)),
                "Web" if n % 2 else "Event",
                "Asked for a demo.\x00" if n % 6 == 0 else "",
            ]
        )
    _write(
        folder / "Lead.csv",
        [
            "Id",
            "Name",
            "Company",
            "Status",
            "IsConverted",
            "ConvertedDate",
            "ConvertedOpportunityId",
            "CreatedDate",
            "LeadSource",
            "Description",
        ],
        leads,
    )

    members = []
    for n in range(16):
        who = ["", contacts[n][0]] if n % 2 else [leads[n][0], ""]
        members.append(
            [
                f"00v5g00000MEM{n:03d}",
                f"7015g00000CMP00{1 + n % 2}",
                *who,
                "Responded",
                _sf_time(datetime(2025, 3, 2, 10) + timedelta(days=n)),
            ]
        )
    _write(
        folder / "CampaignMember.csv",
        ["Id", "CampaignId", "LeadId", "ContactId", "Status", "CreatedDate"],
        members,
    )

    tasks = []
    for n in range(24):
        who = leads[n][0] if n % 2 else contacts[n % len(contacts)][0]
        what = opp_rows[n][0] if n % 3 == 0 else ""
        tasks.append(
            [
                f"00T5g00000TSK{n:03d}",
                who,
                what,
                reps[n % 3],
                "Call" if n % 2 else "Email",
                f"Follow-up {n}",
                (date(2025, 4, 1) + timedelta(days=n)).isoformat(),
            ]
        )
    _write(
        folder / "Task.csv",
        ["Id", "WhoId", "WhatId", "OwnerId", "TaskSubtype", "Subject", "ActivityDate"],
        tasks,
    )

    stage_map = folder.parent / f"{folder.name}-stages.yaml"
    stage_map.write_text("".join(f'"{k}": {v}\n' for k, v in STAGE_MAP.items()), encoding="utf-8")
    return Org(folder, stage_map, opportunities=len(opp_rows))
