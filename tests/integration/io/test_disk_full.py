"""A full disk while exporting or writing a rejected-rows file: one sentence, nothing half-written,
and never "nothing was changed" after some files of an import were committed. The disk is "full"
for real: the child process cannot grow a file past 1 MB (RLIMIT_FSIZE, EFBIG)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.services.workspace import Workspace, init_workspace
from sqo.store import tables as t
from tests.csv_files import write_export
from tests.fault_runner import run_sqo
from tests.integration.io.test_salesforce_folder import opp as salesforce_opp
from tests.integration.io.test_salesforce_folder import refused_folder

FULL = "fsize=1000000"
BIG = "x" * 1_500_000  # more than the disk takes


def counts(ws: Workspace) -> dict[str, int]:
    with ws.engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in t.metadata.sorted_tables
        }


def test_a_full_disk_during_export_is_one_sentence_and_leaves_nothing(
    tmp_path: Path, actor: Actor
) -> None:
    db = tmp_path / "big.db"
    init_workspace(str(db), actor).close()
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "source: crm\nid: Deal ID\ncurrency: USD\nfields: {name: Deal, stage: Stage}\n",
        encoding="utf-8",
    )
    deals = [[f"D{n}", f"Deal {n} " + "x" * 240, "Qualification"] for n in range(6000)]
    write_export(tmp_path / "deals.csv", ["Deal ID", "Deal", "Stage"], deals)
    imported = run_sqo(
        "none",
        "--db",
        str(db),
        "import",
        "csv",
        str(tmp_path / "deals.csv"),
        "--mapping",
        str(mapping),
    )
    assert imported.returncode == 0, imported.stderr  # 6,000 names: 1.5 MB of export
    (tmp_path / "exports").mkdir()
    done = run_sqo(
        FULL, "--db", str(tmp_path / "big.db"), "export", str(tmp_path / "exports" / "out")
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"Error: The export cannot be written to {tmp_path / 'exports' / 'out'} (File too large); "
        "nothing was exported. Free some space or choose another folder."
    )
    assert list((tmp_path / "exports").iterdir()) == []


def test_a_full_disk_for_the_rejected_rows_names_the_files_committed(
    tmp_path: Path, actor: Actor
) -> None:
    ws = init_workspace(str(tmp_path / "import.db"), actor)
    before = counts(ws)
    folder = refused_folder(tmp_path)
    path = folder / "Opportunity.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[3][-1] = BIG  # the bad row's description: its copy in the rejected rows fills the disk
    write_export(path, rows[0], rows[1:])
    done = run_sqo(
        FULL,
        "--db",
        str(tmp_path / "import.db"),
        "import",
        "salesforce",
        str(folder),
        "--file-by-file",
        "--skip-invalid",
        env={"COLUMNS": "200"},
    )
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 8, said
    assert "Traceback" not in said and "nothing was changed" not in said
    assert (
        f"Error: Opportunity.csv: the rejected rows cannot be written to "
        f"{folder / 'Opportunity.rejected.csv'} (File too large); nothing from this file was "
        "imported. Free some space or make the folder writable, or import without "
        "--skip-invalid." in said
    )
    assert (
        "User.csv: imported (2 created, 0 updated, 0 unchanged). "
        "Account.csv: imported (3 created, 0 updated, 0 unchanged). "
        "Opportunity.csv: refused; nothing written. "
        "Task.csv: not read; the import stopped at the refused file." in said
    )
    assert not (folder / "Opportunity.rejected.csv").exists()
    after = counts(ws)
    assert after["accounts"] == 3 and after["reps"] == before["reps"] + 2
    assert after["opportunities"] == 0 and after["activities"] == 0
    ws.close()


def test_a_full_disk_for_the_database_names_the_files_committed(
    tmp_path: Path, actor: Actor
) -> None:
    ws = init_workspace(str(tmp_path / "import.db"), actor)
    folder = refused_folder(tmp_path)
    path = folder / "Opportunity.csv"
    header = next(csv.reader(path.open(encoding="utf-8", newline="")))
    many = [salesforce_opp(f"0065g{n:07d}", "Prospecting") for n in range(4000)]
    for row in many:
        row[-1] = "y" * 300  # 4,000 descriptions: more than the disk takes
    write_export(path, header, many)
    done = run_sqo(
        FULL,
        "--db",
        str(tmp_path / "import.db"),
        "import",
        "salesforce",
        str(folder),
        "--file-by-file",
        env={"COLUMNS": "200"},
    )
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 8, said
    assert "Traceback" not in said and "nothing was changed" not in said
    assert "Error: Opportunity.csv: the database refused to write it (" in said
    assert (
        "User.csv: imported (2 created, 0 updated, 0 unchanged). "
        "Account.csv: imported (3 created, 0 updated, 0 unchanged). "
        "Opportunity.csv: refused; nothing written. "
        "Task.csv: not read; the import stopped at the refused file." in said
    )
    after = counts(ws)
    assert after["accounts"] == 3 and after["opportunities"] == 0
    ws.close()
