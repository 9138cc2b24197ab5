"""A CSV cut off mid-row (a copy interrupted, a disk that filled up) is refused with the row
number, instead of importing its last deal with half a value. Cut at every byte of the last
row: the deal is either refused or (cut after its last field) whole."""

from __future__ import annotations

import random
from pathlib import Path

from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services import opportunities
from sqo.services.workspace import init_workspace, open_workspace
from tests.csv_files import write_export

HEADER = ["Id", "Name", "StageName", "Amount", "CloseDate", "CreatedDate", "AccountId"]


def _export(folder: Path) -> bytes:
    folder.mkdir()
    rows = [
        [f"006{n:015d}", f"Deal {n}", "Prospecting", "1000", "2026-03-01", "2026-01-01", ""]
        for n in range(3)
    ]
    rows[-1][1] = "Acme, the last deal"
    write_export(folder / "Opportunity.csv", HEADER, rows)
    return (folder / "Opportunity.csv").read_bytes()


def test_a_file_cut_inside_its_last_row_is_refused(tmp_path: Path, actor: Actor) -> None:
    whole = _export(tmp_path / "export")
    last_row = whole.rstrip(b"\r\n").rfind(b"\r\n") + 2
    end = len(whole.rstrip(b"\r\n"))
    # Inside the last row (a seeded sample, and where the name is half written); not after its
    # last comma, where the row is whole with an empty last field.
    inside = [c for c in range(last_row + 1, end - 1) if whole[c - 1 : c] != b"," or c < end - 3]
    name = whole.index(b"Acme")
    cuts = sorted({*random.Random(7).sample(inside, 5), last_row + 1, name + 4, name + 20})
    runner = CliRunner()
    for n, cut in enumerate(cuts):
        folder = tmp_path / f"cut-{n}"
        folder.mkdir()
        (folder / "Opportunity.csv").write_bytes(whole[:cut])
        db = str(tmp_path / f"cut-{n}.db")
        init_workspace(db, actor).close()
        result = runner.invoke(app, ["--db", db, "import", "salesforce", str(folder)])
        assert result.exit_code == 8, (whole[last_row:cut], result.output)
        assert "row 4:" in result.output, result.output
        assert "cut off" in result.output
        ws = open_workspace(db)
        assert opportunities.list_opportunities(ws, actor, limit=None) == []
        ws.close()


def test_a_whole_file_without_a_final_line_break_imports(tmp_path: Path, actor: Actor) -> None:
    whole = _export(tmp_path / "export")
    (tmp_path / "export" / "Opportunity.csv").write_bytes(whole.rstrip(b"\r\n"))
    db = str(tmp_path / "whole.db")
    init_workspace(db, actor).close()
    result = CliRunner().invoke(app, ["--db", db, "import", "salesforce", str(tmp_path / "export")])
    assert result.exit_code == 0, result.output
    ws = open_workspace(db)
    names = sorted(o.name for o in opportunities.list_opportunities(ws, actor, limit=None))
    ws.close()
    assert names == ["Acme, the last deal", "Deal 0", "Deal 1"]
