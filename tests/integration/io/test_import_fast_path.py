"""The fast import path for new records writes exactly what the general path writes.

A generated Salesforce folder (2,000 deals with stage, amount, close-date, probability and
forecast history, field history with separators in its values, users, accounts; closed, open,
reopened and history-less deals, ties and unsorted history) is imported twice into two fresh
workspaces, once with the fast path and once with the general ``timeline`` + ``diff`` path, and
then a second export (changed deals, new history, new deals) is imported on top. Every table must
be identical, row for row and value for value, after each import.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sqo.domain.actor import Actor
from sqo.io import salesforce
from sqo.io.salesforce_files import salesforce_files
from sqo.services import import_writer
from sqo.services.imports import known_keys, run_import
from sqo.services.workspace import Workspace, init_workspace
from sqo.store import tables as t

NOW = datetime(2026, 1, 5, 9, 0)
STAGES = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]
OPP_HEADER = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "CreatedDate",
    "LastModifiedDate",
    "OwnerId",
    "AccountId",
    "LeadSource",
    "Probability",
    "NextStep",
    "ForecastCategoryName",
    "Loss_Reason__c",
    "Region__c",
]


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def generate(folder: Path, deals: int, *, seed: int, second: bool = False) -> None:
    """Opportunity.csv, OpportunityHistory.csv and User.csv with many shapes of history."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2023, 1, 1)
    opps: list[list[Any]] = []
    history: list[list[Any]] = []
    field_history: list[list[Any]] = []
    for n in range(deals):
        if second and n % 3 == 0:
            continue  # not in this export: left as it is
        oid = f"006{n:015d}"
        created = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        shape = rng.random()
        if shape < 0.1:
            path: list[str] = []  # no history at all
        elif shape < 0.2:
            path = [rng.choice(STAGES)]
        else:
            path = [rng.choice(STAGES) for _ in range(rng.randrange(2, 8))]
        at = created
        events = []
        for step, stage in enumerate(path):
            if rng.random() < 0.1 and step:
                pass  # the same time as the previous row: a tie
            else:
                at += timedelta(days=rng.randrange(0, 15), minutes=rng.randrange(0, 90))
            events.append((at, stage))
        if second and events and n % 3 == 1:  # later moves revealed by the second export
            at = events[-1][0] + timedelta(days=3)
            events.append((at, rng.choice(STAGES)))
        if rng.random() < 0.2:
            rng.shuffle(events)  # exports are not always in time order
        for at_event, stage in events:
            history.append(
                [
                    f"008{len(history):015d}",
                    oid,
                    stage,
                    rng.choice([rng.randrange(0, 9000), 5000, ""]),
                    (created + timedelta(days=rng.choice([30, 30, 60]))).date().isoformat(),
                    rng.choice(["10", "20", "20", ""]),
                    rng.choice(["Pipeline", "BestCase", "Forecast", "Omitted"]),
                    _stamp(at_event),
                ]
            )
            if rng.random() < 0.3:  # field history: amount, close date and next step changes
                field, old, new = rng.choice(
                    [
                        ("Amount", str(rng.randrange(0, 9000)), f"{rng.randrange(0, 9000)}.0"),
                        ("CloseDate", "2023-05-01", created.date().isoformat()),
                        (
                            "NextStep",
                            "",
                            rng.choice(["Call back, then\nsend quote", 'Demo "v2"', "Demo"]),
                        ),
                        ("Owner", "005000000000000001", "005000000000000002"),
                    ]
                )
                field_history.append(
                    [f"017{len(field_history):015d}", oid, field, old, new, _stamp(at_event)]
                )
        current = events[-1][1] if events and rng.random() < 0.8 else rng.choice(STAGES)
        amount = rng.choice(["", str(rng.randrange(100, 90_000)), "$1,250.50", "12500.75"])
        if second and n % 3 == 1:
            amount = str(rng.randrange(100, 90_000))
        opps.append(
            [
                oid,
                f"Deal {n}" if not second or n % 2 else f"Deal {n} (renamed)",
                current,
                amount,
                rng.choice(["", "", "EUR", "SEK"]),
                (created + timedelta(days=rng.randrange(10, 200))).date().isoformat()
                if rng.random() < 0.9
                else "",
                _stamp(created),
                _stamp(created + timedelta(days=300)) if rng.random() < 0.5 else "",
                f"005{n % 17:015d}" if rng.random() < 0.9 else "",
                f"001{n % 97:015d}" if rng.random() < 0.8 else "",
                rng.choice(["Web", "Partner", "", "Event"]),
                rng.choice(["", "", "35", "90"]),
                rng.choice(["", "Call back"]),
                rng.choice(["", "", "Pipeline", "Omitted"]),
                rng.choice(["", "Price"]),
                rng.choice(["EMEA", "", "APAC"]),
            ]
        )
    for n in range(deals, deals + (deals // 10 if second else 0)):  # new deals, no history
        opps.append(
            [f"006{n:015d}", f"New {n}", "Prospecting", "10", "", "", _stamp(start), "", ""]
            + [""] * 7
        )
    _write(folder / "Opportunity.csv", OPP_HEADER, opps)
    _write(
        folder / "OpportunityHistory.csv",
        [
            "Id",
            "OpportunityId",
            "StageName",
            "Amount",
            "CloseDate",
            "Probability",
            "ForecastCategory",
            "CreatedDate",
        ],
        history,
    )
    _write(
        folder / "OpportunityFieldHistory.csv",
        ["Id", "OpportunityId", "Field", "OldValue", "NewValue", "CreatedDate"],
        field_history,
    )
    users = [[f"005{n:015d}", f"User {n}", f"u{n}@example.com"] for n in range(0, 17, 2)]
    _write(folder / "User.csv", ["Id", "Name", "Email"], users)


def _import(ws: Workspace, folder: Path, *, fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_writer, "FAST_NEW_RECORDS", fast)
    reader = salesforce.SalesforceReader(
        ws.stage_model, NOW, "USD", salesforce.DEFAULT_STAGES, salesforce.DEFAULT_LEAD_STATUSES
    )
    report = run_import(
        ws,
        Actor("tester"),
        "salesforce",
        salesforce_files(folder, reader, known_keys(ws)),
        now=NOW,
    )
    assert report.ok
    assert report.total("created") > 0


def _tables(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    with ws.engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            if table.name == "schema_version":
                continue
            order = [table.c.id] if "id" in table.c else list(table.c)
            query = select(table).order_by(*order)
            if table is t.audit_log:  # the workspaces' own creation times differ
                query = query.where(t.audit_log.c.action != "workspace.init")
            found[table.name] = [tuple(r) for r in connection.execute(query)]
    return found


def test_fast_path_writes_what_the_general_path_writes(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    generate(first, 2000, seed=11)
    generate(second, 2000, seed=11, second=True)
    fast = init_workspace(str(tmp_path / "fast.db"), Actor("tester"))
    general = init_workspace(str(tmp_path / "general.db"), Actor("tester"))
    try:
        for folder in (first, second):
            _import(fast, folder, fast=True, monkeypatch=monkeypatch)
            _import(general, folder, fast=False, monkeypatch=monkeypatch)
            got, want = _tables(fast), _tables(general)
            assert got.keys() == want.keys()
            for name in want:
                assert got[name] == want[name], name
        assert len(want["history"]) > 30_000
        assert len(want["opportunities"]) == 2200
    finally:
        fast.close()
        general.close()
