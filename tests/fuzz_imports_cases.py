"""Mutated import files and what must hold for each: shared by the in-suite hypothesis test
(tests/integration/io/test_fuzz_imports.py) and the 392-file run (benchmarks/fuzz_imports_run.py).

A case takes one valid seed file of one import (a mapped CSV, a file of a Salesforce folder, a
HubSpot deals export), mutates its bytes once (truncation, deleted or inserted bytes, a
duplicated or swapped line, a wild cell, another encoding, an empty file), and imports it with
``sqo import ...`` into a copy of a prepared workspace. Then:

- no traceback: the command ends with exit 0 (imported) or a refusal's exit code, never an
  exception;
- a refusal (exit code not 0) leaves every table's digest as it was;
- no truncated row accepted: when the file was cut inside a data row, no record holds that
  row cut short (a name, or an id, that differs from the seed's).
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.csv_files import write_export
from tests.integration.io import test_hubspot as hubspot
from tests.integration.io import test_mapped_csv_bad_input as mapped
from tests.integration.io import test_salesforce_folder as salesforce

SOURCES = ("csv", "salesforce", "hubspot")
SALESFORCE_FILES = ("User.csv", "Account.csv", "Opportunity.csv", "Task.csv")
KINDS = (
    "truncate",
    "delete",
    "insert",
    "duplicate-line",
    "swap-lines",
    "wild-cell",
    "encoding",
    "empty",
)
INSERTS = (
    b"\x00",
    b'"',
    b",",
    b";",
    b"\r",
    b"\n",
    b"\r\n",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3",
    b"\x1b[2J",
    b'=HYPERLINK("http://x")',
    b'"",""',
)
WILD = (
    "",
    "-5",
    "1e309",
    "99999999999999999999999",
    "2024-02-30",
    "31/12/24",
    "=1+1",
    "@SUM(A1)",
    "\x00",
    "[/]",
    "x" * 5000,
    "NaN",
    "-0",
    " ",
    '"',
)
ENCODINGS = ("cp1252", "utf-16", "latin-1", "utf-8-sig")
# Exit codes of a refusal: a bad value or file (2), an import that refused a file (8).
REFUSALS = (2, 8)

runner = CliRunner()


@dataclass(frozen=True)
class Case:
    source: str  # one of SOURCES
    file: str  # the mutated file (of a Salesforce folder; the one file otherwise)
    kind: str  # one of KINDS
    at: float  # where in the file, 0..1
    span: float  # how much, 0..1 (of a deleted range, or which line to swap with)
    pick: int  # which insert, wild value or encoding


@dataclass
class Outcome:
    case: Case
    exit_code: int
    traceback: str | None  # the exception a command ended with, if any
    changed_on_refusal: bool
    truncated_accepted: int  # records holding a cut-short row (0 unless truncated)
    cut_inside_row: bool


# --- seeds -------------------------------------------------------------------------------------


def write_seeds(folder: Path) -> None:
    """The valid files every case mutates one of."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mapping.yaml").write_text(mapped.MAPPING, encoding="utf-8")
    with (folder / "deals.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(mapped.HEADER)
        writer.writerows(mapped.GOOD)
    sf = folder / "sf"
    sf.mkdir(exist_ok=True)
    write_export(sf / "User.csv", ["Id", "Name", "Email", "IsActive"], salesforce.USERS)
    write_export(
        sf / "Account.csv",
        ["Id", "Name", "Industry", "NumberOfEmployees", "BillingCountry"],
        salesforce.ACCOUNTS,
    )
    write_export(
        sf / "Opportunity.csv",
        salesforce.OPP_HEADER,
        [
            salesforce.opp("0065g0000001", "Closed Won"),
            salesforce.opp("0065g0000002", "Prospecting", "5.10", "EUR"),
            salesforce.opp("0065g0000003", "Prospecting"),
        ],
    )
    write_export(
        sf / "Task.csv",
        ["Id", "WhatId", "Subject", "TaskSubtype", "ActivityDate"],
        salesforce.TASKS,
    )
    hubspot.write(folder / "hubspot.csv", hubspot.DEALS)


def prepare_workspace(path: Path) -> None:
    """A workspace holding reps and an account, so that imports update as well as create."""
    for args in (["init"], ["rep", "add", "Ann Lee"], ["account", "add", "Acme"]):
        result = runner.invoke(app, ["--db", str(path), *args])
        assert result.exit_code == 0, result.output


# --- mutations ---------------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def mutate(data: bytes, case: Case) -> bytes:
    n = len(data)
    at = min(int(case.at * n), n)
    if case.kind == "truncate":
        return data[: max(at, 1)]
    if case.kind == "delete":
        end = min(n, at + 1 + int(case.span * 64))
        return data[:at] + data[end:]
    if case.kind == "insert":
        return data[:at] + INSERTS[case.pick % len(INSERTS)] + data[at:]
    lines = _lines(data)
    line = min(int(case.at * len(lines)), len(lines) - 1)
    if case.kind == "duplicate-line":
        return b"".join([*lines[: line + 1], lines[line], *lines[line + 1 :]])
    if case.kind == "swap-lines":
        other = min(int(case.span * len(lines)), len(lines) - 1)
        lines[line], lines[other] = lines[other], lines[line]
        return b"".join(lines)
    if case.kind == "wild-cell":
        text = data.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        row = 1 + min(int(case.at * (len(rows) - 1)), len(rows) - 2)
        column = min(int(case.span * len(rows[row])), len(rows[row]) - 1)
        rows[row][column] = WILD[case.pick % len(WILD)]
        out = io.StringIO(newline="")
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("utf-8")
    if case.kind == "encoding":
        encoding = ENCODINGS[case.pick % len(ENCODINGS)]
        return data.decode("utf-8").encode(encoding, errors="replace")
    if case.kind == "empty":
        return b""
    raise ValueError(case.kind)


def cut_inside_row(data: bytes, case: Case) -> bool:
    """Whether a truncation ends inside a data row (not at the end of a line)."""
    if case.kind != "truncate":
        return False
    kept = mutate(data, case)
    return (
        len(kept) < len(data)
        and not kept.endswith((b"\n", b"\r"))
        and b"\n" in kept.rstrip(b"\r\n")  # beyond the header
    )


# --- running a case ----------------------------------------------------------------------------


def digest(url: str) -> str:
    """A hash of every row of every table, in primary-key order."""
    engine = create_engine(url)
    h = hashlib.sha256()
    try:
        with engine.connect() as connection:
            for table in t.metadata.sorted_tables:
                if table.name == "audit_log":
                    continue  # a refused import records nothing here either; checked below
                h.update(table.name.encode())
                for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                    h.update(repr(tuple(row)).encode())
            audit = connection.execute(select(func.count()).select_from(t.audit_log)).scalar_one()
            h.update(str(audit).encode())
    finally:
        engine.dispose()
    return h.hexdigest()


# For each seed file: the table its rows land in, and the column of their id.
IDENTITY = {
    "deals.csv": ("opportunities", "Deal ID"),
    "hubspot.csv": ("opportunities", "Record ID"),
    "User.csv": ("reps", "Id"),
    "Account.csv": ("accounts", "Id"),
    "Opportunity.csv": ("opportunities", "Id"),
}


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline="")))


def _key(external_id: str) -> str:
    # Imports keep a source's ids with its prefix ("sf:0065..."); the seed holds them bare.
    return external_id.split(":", 1)[1] if ":" in external_id else external_id


def _truncated_records(url: str, seed: bytes, kept: bytes, file: str) -> int:
    """1 when the row the cut went through is in the workspace (by its id), or a record holds
    an id the seed does not (the cut went through the id); else 0."""
    if file not in IDENTITY:
        return 0
    seed_rows, kept_rows = _rows(seed), _rows(kept)
    last = len(kept_rows) - 1
    if last < 1 or kept_rows[last] == seed_rows[last]:
        return 0  # only the header left, or the cut fell at the end of a whole row
    table_name, id_column = IDENTITY[file]
    position = seed_rows[0].index(id_column)
    cut_key = seed_rows[last][position]
    keys = {row[position] for row in seed_rows[1:]}
    table = t.metadata.tables[table_name]
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = {
                _key(key)
                for key in connection.execute(
                    select(table.c.external_id).where(table.c.external_id.is_not(None))
                ).scalars()
            }
    finally:
        engine.dispose()
    return int(cut_key in found or bool(found - keys))


def _command(case: Case, work: Path, db: Path) -> list[str]:
    base = ["--db", str(db), "import"]
    if case.source == "csv":
        return [*base, "csv", str(work / "deals.csv"), "--mapping", str(work / "mapping.yaml")]
    if case.source == "salesforce":
        return [*base, "salesforce", str(work / "sf")]
    return [*base, "hubspot", str(work / "hubspot.csv")]


def seed_path(case: Case, folder: Path) -> Path:
    if case.source == "salesforce":
        return folder / "sf" / case.file
    return folder / case.file


def run_case(case: Case, seeds: Path, workspace: Path, work: Path) -> Outcome:
    """Import the mutated file into a copy of ``workspace``; what held."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(seeds, work)
    db = work / "fuzz.db"
    shutil.copy(workspace, db)
    url = f"sqlite:///{db}"
    seed = seed_path(case, seeds).read_bytes()
    seed_path(case, work).write_bytes(mutate(seed, case))
    before = digest(url)
    result = runner.invoke(app, _command(case, work, db), env={"COLUMNS": "200"})
    problem = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problem = f"{type(result.exception).__name__}: {result.exception}"
    elif result.exit_code not in (0, *REFUSALS):
        problem = f"exit code {result.exit_code}: {result.output[-300:]}"
    refused = result.exit_code != 0
    inside = cut_inside_row(seed, case)
    return Outcome(
        case=case,
        exit_code=result.exit_code,
        traceback=problem,
        changed_on_refusal=refused and digest(url) != before,
        truncated_accepted=0
        if refused or not inside
        else _truncated_records(url, seed, mutate(seed, case), case.file),
        cut_inside_row=inside,
    )


def file_of(source: str, index: int) -> str:
    if source == "salesforce":
        return SALESFORCE_FILES[index % len(SALESFORCE_FILES)]
    return "deals.csv" if source == "csv" else "hubspot.csv"
