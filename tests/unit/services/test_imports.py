"""Imports of small mapped CSVs through the services, on the in-memory tier: created, updated
and unchanged counts, dry runs and refused rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import ImportFailed
from sqo.services import opportunities
from sqo.services.import_sources import MappedCsvImport, import_request, mapped_csv_import
from sqo.services.imports import ImportReport
from sqo.services.workspace import Workspace

NOW = datetime(2024, 8, 1, 12, 0)
MAPPING = """\
source: crm
id: Deal ID
date_format: iso
currency: USD
fields:
  name: Deal
  stage: Stage
  amount: Amount
  close_date: Close
values:
  stage: {Open: Qualification, Late: Proposal}
"""
HEADER = "Deal ID,Deal,Stage,Amount,Close\n"
DEALS = HEADER + (
    "D1,Acme,Open,1000,2024-06-30\nD2,Globex,Late,2500.75,2024-07-15\nD3,Initech,Open,,\n"
)

Write = Callable[[str, str], Path]


def deals(ws: Workspace, actor: Actor) -> dict[str | None, tuple[str, str, int | None]]:
    return {
        o.external_id: (o.name, o.stage, o.amount_cents)
        for o in opportunities.list_opportunities(ws, actor)
    }


def request(csv_file: Write, text: str) -> MappedCsvImport:
    return mapped_csv_import(csv_file("deals.csv", text), csv_file("mapping.yaml", MAPPING))


def run(ws: Workspace, actor: Actor, what: MappedCsvImport, **options: bool) -> ImportReport:
    return import_request(ws, actor, what, now=NOW, **options)


def test_a_small_file_creates_one_deal_a_row(ws: Workspace, actor: Actor, csv_file: Write) -> None:
    report = run(ws, actor, request(csv_file, DEALS))
    file = report.files[0]
    assert (file.rows, file.created, file.updated, file.rejected, file.status) == (
        3,
        3,
        0,
        0,
        "imported",
    )
    assert deals(ws, actor) == {
        "crm:D1": ("Acme", "Qualification", 100_000),
        "crm:D2": ("Globex", "Proposal", 250_075),
        "crm:D3": ("Initech", "Qualification", None),
    }


def test_the_same_file_again_changes_nothing(ws: Workspace, actor: Actor, csv_file: Write) -> None:
    run(ws, actor, request(csv_file, DEALS))
    file = run(ws, actor, request(csv_file, DEALS)).files[0]
    assert (file.created, file.updated, file.unchanged) == (0, 0, 3)
    assert len(deals(ws, actor)) == 3


def test_a_changed_row_updates_its_deal_by_external_id(
    ws: Workspace, actor: Actor, csv_file: Write
) -> None:
    run(ws, actor, request(csv_file, DEALS))
    changed = DEALS.replace("D2,Globex,Late,2500.75", "D2,Globex,Late,3000")
    file = run(ws, actor, request(csv_file, changed)).files[0]
    assert (file.created, file.updated, file.unchanged) == (0, 1, 2)
    assert deals(ws, actor)["crm:D2"] == ("Globex", "Proposal", 300_000)


def test_a_dry_run_counts_what_it_would_do_and_writes_nothing(
    ws: Workspace, actor: Actor, csv_file: Write
) -> None:
    report = run(ws, actor, request(csv_file, DEALS), dry_run=True)
    assert (report.dry_run, report.files[0].status, report.files[0].created) == (
        True,
        "dry-run",
        3,
    )
    assert deals(ws, actor) == {}


def test_a_bad_row_refuses_the_file(ws: Workspace, actor: Actor, csv_file: Write) -> None:
    bad = DEALS.replace("D3,Initech,Open,,", "D3,Initech,Open,lots,")
    with pytest.raises(ImportFailed) as refused:
        run(ws, actor, request(csv_file, bad))
    report = refused.value.report
    assert isinstance(report, ImportReport)
    assert (report.files[0].status, report.files[0].rejected) == ("rejected", 1)
    assert deals(ws, actor) == {}


def test_skip_invalid_imports_the_good_rows_and_keeps_the_bad_one(
    ws: Workspace, actor: Actor, csv_file: Write
) -> None:
    bad = DEALS.replace("D3,Initech,Open,,", "D3,Initech,Open,lots,")
    file = run(ws, actor, request(csv_file, bad), skip_invalid=True).files[0]
    assert (file.created, file.rejected) == (2, 1)
    assert sorted(deals(ws, actor)) == ["crm:D1", "crm:D2"]
    assert file.rejected_file is not None
    kept = Path(file.rejected_file).read_text(encoding="utf-8").splitlines()
    assert kept[0] == "row,reason,Deal ID,Deal,Stage,Amount,Close"
    assert kept[1].startswith("4,") and kept[1].endswith(",D3,Initech,Open,lots,")
