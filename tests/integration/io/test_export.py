"""`sqo export` and `sqo import export` from the command line, and what they refuse."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services.workspace import Workspace, init_workspace
from sqo.store import tables as t
from tests.conftest import T0
from tests.factories import opportunity, org

runner = CliRunner()


@pytest.fixture
def source(tmp_path: Path, actor: Actor) -> Path:
    db = tmp_path / "source.db"
    ws = init_workspace(str(db), actor)
    org(ws, actor)
    opportunity(ws, actor, at=T0, moves=[("SQO", timedelta(days=2))])
    ws.close()
    return db


def export(db: Path, folder: Path, *args: str) -> object:
    return runner.invoke(app, ["--db", str(db), "export", str(folder), *args])


def restore(db: Path, folder: Path) -> object:
    return runner.invoke(app, ["--db", str(db), "import", "export", str(folder)])


def count(ws: Workspace, table: object) -> int:
    with ws.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_export_writes_one_file_per_table_and_a_manifest(source, tmp_path):
    result = export(source, tmp_path / "out", "--format", "parquet")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == sorted([f"{name}.parquet" for name in t.metadata.tables] + ["manifest.json"])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["format_version"] == 2
    assert manifest["file_format"] == "parquet"
    assert manifest["tables"]["opportunities"]["rows"] == 1
    assert manifest["tables"]["reps"]["rows"] == 2
    assert manifest["stage_model"]
    assert manifest["settings"]["default_currency"] == "USD"
    assert manifest["schema_revision"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_a_non_empty_folder_is_refused_unless_forced(source, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("keep me")
    result = export(source, tmp_path / "out")
    assert result.exit_code == 2
    assert "is not empty" in result.output
    assert (tmp_path / "out" / "notes.txt").exists()
    forced = export(source, tmp_path / "out", "--force")
    assert forced.exit_code == 0, forced.output
    assert not (tmp_path / "out" / "notes.txt").exists()
    assert (tmp_path / "out" / "history.csv").exists()


def test_an_unknown_format_is_refused(source, tmp_path):
    result = export(source, tmp_path / "out", "--format", "xlsx")
    assert result.exit_code == 2
    assert "use csv or parquet" in result.output
    assert not (tmp_path / "out").exists()


def test_restore_creates_a_new_workspace_file(source, tmp_path):
    assert export(source, tmp_path / "out").exit_code == 0
    result = restore(tmp_path / "copy.db", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "identical copy" in result.output
    shown = runner.invoke(app, ["--db", str(tmp_path / "copy.db"), "opp", "list"])
    assert "Acme – 50 seats" in shown.output


def test_restore_into_a_workspace_with_records_is_refused(source, tmp_path, actor):
    assert export(source, tmp_path / "out").exit_code == 0
    result = restore(source, tmp_path / "out")
    assert result.exit_code == 6
    assert "already holds records" in result.output


def _damaged(tmp_path: Path, source: Path) -> tuple[Path, Workspace]:
    assert export(source, tmp_path / "out").exit_code == 0
    target = init_workspace(str(tmp_path / "target.db"), Actor("t"))
    return tmp_path / "out", target


def _unchanged(ws: Workspace) -> None:
    assert count(ws, t.opportunities) == 0
    assert count(ws, t.history) == 0
    assert count(ws, t.settings) == 2
    assert count(ws, t.audit_log) == 1


def test_a_missing_file_is_refused(source, tmp_path):
    folder, target = _damaged(tmp_path, source)
    (folder / "history.csv").unlink()
    result = restore(tmp_path / "target.db", folder)
    assert result.exit_code == 2
    assert "history.csv" in result.output and "missing" in result.output
    _unchanged(target)


def test_a_wrong_manifest_version_is_refused(source, tmp_path):
    folder, target = _damaged(tmp_path, source)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["format_version"] = 99
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = restore(tmp_path / "target.db", folder)
    assert result.exit_code == 2
    assert "manifest.json" in result.output and "version 99" in result.output
    _unchanged(target)


def test_a_row_that_does_not_parse_is_named(source, tmp_path):
    folder, target = _damaged(tmp_path, source)
    path = folder / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[2] = "not-a-number"  # record_id
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = restore(tmp_path / "target.db", folder)
    assert result.exit_code == 2
    assert "history.csv, row 4" in result.output
    assert "'not-a-number' of record_id" in result.output
    _unchanged(target)


def test_a_row_count_that_differs_from_the_manifest_is_refused(source, tmp_path):
    folder, target = _damaged(tmp_path, source)
    path = folder / "history.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    result = restore(tmp_path / "target.db", folder)
    assert result.exit_code == 2
    assert "history.csv holds" in result.output
    _unchanged(target)
