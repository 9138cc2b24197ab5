"""A mapped CSV read by a second process (sqo.io.read_ahead) imports exactly what reading it in
the importing process imports, and the worker's refusals, crashes and early stops leave nothing
written and no process behind.

The file is written the way a CRM report export writes it: three-decimal amounts in several
currencies, stage-entered times to the second (space or T, Z or an offset),
rich text with quoted newlines, empty dates, and a bad row or two."""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.domain.errors import ImportFailed, SqoError
from sqo.io import read_ahead
from sqo.io.incoming import Item, Rejected
from sqo.io.mapped_csv import mapped_csv_files
from sqo.io.mapping import load_mapping
from sqo.services.imports import run_import
from sqo.services.workspace import Workspace, init_workspace
from sqo.store import tables as t

NOW = datetime(2026, 1, 5, 9, 0)
OPEN = ["Discovery", "SQO", "Proposal", "Negotiation"]
STAGES = """name: four-step
sqo_stage: SQO
opportunity_start_stage: Discovery
convertible_from: [SQL]
allow_reopen: true
loss_reason_required: false
stages:
  - {name: Lead, kind: lead}
  - {name: SQL, kind: lead}
  - {name: Disqualified, kind: disqualified}
  - {name: Discovery, kind: opportunity, probability: 0.05, forecast_category: Pipeline}
  - {name: SQO, kind: opportunity, probability: 0.2, forecast_category: Pipeline}
  - {name: Proposal, kind: opportunity, probability: 0.5, forecast_category: Best Case}
  - {name: Negotiation, kind: opportunity, probability: 0.7, forecast_category: Commit}
  - {name: Won, kind: won, probability: 1.0, forecast_category: Closed}
  - {name: Lost, kind: lost, probability: 0.0, forecast_category: Omitted}
"""
MAPPING = """source: crm
id: Opportunity ID
date_format: iso
currency: USD
fields:
  name: Opportunity Name
  stage: Stage
  amount: Amount
  currency: Amount Currency
  close_date: Close Date
  created_at: Created Date
  owner: Opportunity Owner
  account: Account Name
  next_step: Next Step
values:
  stage:
    Closed Won: Won
    Closed Lost: Lost
    Discovery: Discovery
    SQO: SQO
    Proposal: Proposal
    Negotiation: Negotiation
stage_entered:
  Discovery: Entered Discovery
  SQO: Entered SQO
  Proposal: Entered Proposal
  Negotiation: Entered Negotiation
  Won: Closed On
  Lost: Closed On
"""
HEADER = [
    "Opportunity ID",
    "Opportunity Name",
    "Stage",
    "Amount",
    "Amount Currency",
    "Close Date",
    "Created Date",
    "Opportunity Owner",
    "Account Name",
    "Next Step",
    *(f"Entered {s}" for s in OPEN),
    "Closed On",
]


def _when(at: datetime, rng: random.Random) -> str:
    shape = rng.randrange(4)
    if shape == 0:
        return at.strftime("%Y-%m-%d %H:%M:%S")
    if shape == 1:
        return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if shape == 2:
        return (at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    return (at - timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S-0500")


def write_export(path: Path, deals: int, *, seed: int = 7, bad: bool = True) -> None:
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for n in range(deals):
        created = datetime(2024, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400))
        at, dates = created, []
        reached = rng.randrange(1, len(OPEN) + 1)
        for _stage in OPEN[:reached]:
            dates.append(_when(at, rng))
            at += timedelta(seconds=rng.randrange(3600, 40 * 86400))
        dates += [""] * (len(OPEN) - reached)
        closing = rng.random() < 0.6
        stage = rng.choice(["Closed Won", "Closed Lost"]) if closing else OPEN[reached - 1]
        rows.append(
            [
                f"006{n:012d}",
                f'Deal {n}\n<b>renewal</b>, "Q3"' if n % 50 == 0 else f"Deal {n}",
                stage,
                f"{rng.randrange(50_000, 25_000_000) / 100:.3f}",  # 12500.500, as Salesforce
                rng.choice(["USD", "EUR", "SEK", "GBP"]),
                at.strftime("%Y-%m-%d"),
                created.strftime("%Y-%m-%d %H:%M:%S"),
                f"Rep {rng.randrange(25)}",
                f"Account {rng.randrange(300)}",
                "Call back" if n % 7 == 0 else "",
                *dates,
                _when(at, rng) if closing else "",
            ]
        )
    if bad:
        rows[333][5] = "31/02/2024"  # not ISO: rejected
        rows[901][0] = ""  # no id: rejected
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(rows)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    export, mapping, stages = tmp_path / "deals.csv", tmp_path / "m.yaml", tmp_path / "s.yaml"
    write_export(export, 2600)  # more than the encoding sniffer reads
    mapping.write_text(MAPPING, encoding="utf-8")
    stages.write_text(STAGES, encoding="utf-8")
    return export, mapping, stages


def _import(ws: Workspace, export: Path, mapping: Path, **options: Any) -> Any:
    return run_import(
        ws,
        Actor("tester"),
        "csv",
        mapped_csv_files(export, load_mapping(mapping), ws.stage_model, NOW),
        now=NOW,
        **options,
    )


def _tables(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    with ws.engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            if table is t.audit_log:  # the workspaces' own creation times differ
                query = query.where(t.audit_log.c.action != "workspace.init")
            found[table.name] = [tuple(r) for r in connection.execute(query)]
        # The indexes the import drops and builds again (the tables' own DDL is the same
        # metadata, with constraints in an order that varies between processes).
        found["indexes"] = [
            tuple(r)
            for r in connection.exec_driver_sql(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
            )
        ]
    return found


def _counting_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    original = read_ahead._read_in_worker

    def counted(make: Any) -> Iterator[Item]:
        started.append(1)
        return original(make)

    monkeypatch.setattr(read_ahead, "_read_in_worker", counted)
    monkeypatch.setattr(read_ahead, "_can_fork", lambda: True)
    return started


def test_reading_in_a_worker_imports_what_reading_here_imports(files, tmp_path, monkeypatch):
    export, mapping, stages = files
    started = _counting_workers(monkeypatch)
    here = init_workspace(str(tmp_path / "here.db"), Actor("tester"), stage_file=stages)
    ahead = init_workspace(str(tmp_path / "ahead.db"), Actor("tester"), stage_file=stages)
    try:
        monkeypatch.setattr(read_ahead, "ENABLED", False)
        serial = _import(here, export, mapping, skip_invalid=True)
        (tmp_path / "deals.rejected.csv").rename(tmp_path / "serial.rejected.csv")
        assert started == []
        monkeypatch.setattr(read_ahead, "ENABLED", True)
        parallel = _import(ahead, export, mapping, skip_invalid=True)
        assert started == [1]
        got, want = _tables(ahead), _tables(here)
        assert got.keys() == want.keys()
        for name in want:
            assert got[name] == want[name], name
        assert len(want["opportunities"]) == 2598
        assert len(want["history"]) > 30_000
        assert [f.rejected for f in parallel.files] == [f.rejected for f in serial.files] == [2]
        assert (tmp_path / "deals.rejected.csv").read_bytes() == (
            tmp_path / "serial.rejected.csv"
        ).read_bytes()
    finally:
        here.close()
        ahead.close()
    assert multiprocessing.active_children() == []


def test_a_file_that_breaks_off_while_read_ahead_is_refused_whole(files, tmp_path, monkeypatch):
    export, mapping, stages = files
    started = _counting_workers(monkeypatch)
    with export.open("ab") as handle:  # Latin-1 bytes after 2,600 UTF-8 rows
        handle.write("D-late,Caf\u00e9 late,SQO,1.000,USD,2024-05-01".encode("latin-1"))
        handle.write(b",2024-05-01,Rep 1,Account 1,,,,,,\r\n")
    messages = []
    for enabled in (False, True):
        monkeypatch.setattr(read_ahead, "ENABLED", enabled)
        ws = init_workspace(str(tmp_path / f"{enabled}.db"), Actor("tester"), stage_file=stages)
        try:
            with pytest.raises(ImportFailed) as refused:
                _import(ws, export, mapping, skip_invalid=True)
            messages.append(refused.value.message)
            with ws.engine.connect() as connection:
                for table in (t.opportunities, t.history, t.reps, t.accounts):
                    assert connection.execute(select(func.count()).select_from(table)).scalar() == 0
        finally:
            ws.close()
    assert started == [1]
    assert messages[0] == messages[1]
    assert "deals.csv" in messages[0] and "utf-8" in messages[0]
    assert "Traceback" not in messages[0]


def _numbers(count: int) -> Iterator[Item]:
    for n in range(count):
        yield Rejected(n, f"row {n}")


def _dies_after(count: int) -> Iterator[Item]:
    yield from _numbers(count)
    os._exit(3)


def test_a_worker_that_dies_is_a_refusal_not_a_hang(monkeypatch):
    monkeypatch.setattr(read_ahead, "_can_fork", lambda: True)
    items = read_ahead.read_ahead(read_ahead.RowItems(lambda: _dies_after(1200)))
    with pytest.raises(SqoError) as stopped:
        for _item in items:
            pass
    assert "stopped unexpectedly (exit code 3)" in stopped.value.message
    assert multiprocessing.active_children() == []


def test_the_worker_stops_when_the_import_stops_early(monkeypatch):
    monkeypatch.setattr(read_ahead, "_can_fork", lambda: True)
    items = read_ahead.read_ahead(read_ahead.RowItems(lambda: _numbers(10**9)))
    assert [next(items).row for _n in range(3)] == [0, 1, 2]  # type: ignore[union-attr]
    assert len(multiprocessing.active_children()) == 1
    items.close()  # type: ignore[attr-defined]
    assert multiprocessing.active_children() == []


def test_interrupting_the_import_writes_nothing(files, tmp_path, monkeypatch):
    export, mapping, stages = files
    started = _counting_workers(monkeypatch)
    ws = init_workspace(str(tmp_path / "ws.db"), Actor("tester"), stage_file=stages)

    def interrupt(_name: str, rows: int) -> None:
        if rows >= 1000:
            raise KeyboardInterrupt  # Ctrl-C while the worker is still reading

    try:
        with pytest.raises(KeyboardInterrupt):
            _import(ws, export, mapping, skip_invalid=True, progress=interrupt)
        with ws.engine.connect() as connection:
            for table in (t.opportunities, t.history):
                assert connection.execute(select(func.count()).select_from(table)).scalar() == 0
    finally:
        ws.close()
    assert started == [1]
    assert multiprocessing.active_children() == []
