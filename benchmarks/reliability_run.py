"""Reliability run: the figures of issue 17, repeated many times (not part of `make test`).

- kill -9: an import of a deals-only Salesforce export (owners become placeholders, the shape
  that dropped indexes outside the transaction) killed at a random moment, N trials per engine:
  indexes lost, integrity failures, records disagreeing with history, files half-written;
- two imports at once, N runs per engine: runs with a traceback or a failed import;
- exports under a writer, N trials per engine: records of the export disagreeing with its
  history (counted in a restored copy; the restore itself refuses such an export);
- a CSV cut off inside its last row, N cut points: imports that exit 0.

Run: `.venv/bin/python -m benchmarks.reliability_run [--trials 20] [--deals 5000]`; PostgreSQL
too when `SQO_TEST_POSTGRES_URL` is set. Writes benchmarks/results/reliability.md. The data comes
from the tests' generator (tests/reliability_data.py), so the run and the tests share one shape.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from sqo.domain.actor import Actor
from sqo.domain.history import RecordType
from sqo.io.export import DamagedExport
from sqo.services.exports import export_workspace
from sqo.services.restore import restore_export
from sqo.services.workspace import init_workspace, open_workspace
from sqo.store import tables as t
from sqo.store.consistency import disagreements
from sqo.store.database import make_engine, resolve_url
from sqo.store.indexes import missing_indexes
from tests.reliability_data import salesforce_folder

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "reliability.md"
ACTOR = Actor("reliability-run")
WRITER = textwrap.dedent("""
    import random, sys
    from sqo.domain.actor import Actor
    from sqo.services import opportunities
    from sqo.services.workspace import open_workspace
    ws = open_workspace(sys.argv[1])
    rng = random.Random(5)
    ids = [o.id for o in opportunities.list_opportunities(ws, Actor("w"), limit=None)]
    print("ready", flush=True)
    while True:
        opportunities.update_opportunity(ws, Actor("w"), rng.choice(ids),
                                         amount=str(rng.randrange(100, 10**6)))
""")


def sqo(db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sqo", "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT.parent), "COLUMNS": "200"},
    )


@contextmanager
def workspace(engine: str, folder: Path) -> Iterator[str]:
    """A new, empty workspace on the engine (a SQLite file or a throwaway PostgreSQL db)."""
    if engine == "sqlite":
        path = folder / f"{uuid.uuid4().hex[:8]}.db"
        init_workspace(str(path), ACTOR).close()
        yield str(path)
        return
    server = os.environ["SQO_TEST_POSTGRES_URL"]
    name = f"sqo_rel_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        init_workspace(url, ACTOR).close()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def kill_trials(engine: str, trials: int, deals: int, work: Path) -> dict[str, int | float]:
    folder = salesforce_folder(work / f"kill-{engine}", deals, seed=17, users=False)
    with workspace(engine, work) as db:  # how long the whole import takes here
        started = time.perf_counter()
        sqo(db, "import", "salesforce", str(folder)).wait()
        whole = time.perf_counter() - started
    rng = random.Random(1)
    found: dict[str, int | float] = {
        "trials": trials,
        "deals in": 0,  # kills after the deal file committed (the others: before it did)
        "import s": round(whole, 1),
        "indexes lost": 0,
        "integrity": 0,
        "disagree": 0,
        "partial": 0,
    }
    for _trial in range(trials):
        with workspace(engine, work) as db:
            process = sqo(db, "import", "salesforce", str(folder))
            time.sleep(rng.uniform(0.1, 1.1) * whole)  # any moment, a few after the end
            process.send_signal(signal.SIGKILL)
            process.wait()
            eng = make_engine(resolve_url(db))
            with eng.connect() as connection:
                found["indexes lost"] += bool(missing_indexes(connection))
                if connection.dialect.name == "sqlite":
                    check = connection.execute(text("PRAGMA integrity_check")).scalar_one()
                    found["integrity"] += check != "ok"
                found["disagree"] += bool(disagreements(connection, RecordType.OPPORTUNITY)[0])
                held = connection.execute(
                    select(func.count()).select_from(t.opportunities)
                ).scalar_one()
                found["partial"] += held not in (0, deals)
                found["deals in"] += held == deals
            eng.dispose()
    return found


def refusals(engine: str, trials: int, deals: int, work: Path) -> dict[str, int | float]:
    """Indexes lost after a dry run and after a refused file (the last deal has a bad date)."""
    folder = salesforce_folder(work / f"refused-{engine}", deals, seed=3, users=False)
    bad = work / f"bad-{engine}"
    shutil.copytree(folder, bad)
    lines = (bad / "Opportunity.csv").read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].replace('"2024-', '"not a date ', 1)
    (bad / "Opportunity.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    found: dict[str, int | float] = {"trials": trials, "after a dry run": 0, "after a refusal": 0}
    for _trial in range(trials):
        for label, args in (
            ("after a dry run", ["import", "salesforce", str(folder), "--dry-run"]),
            ("after a refusal", ["import", "salesforce", str(bad)]),
        ):
            with workspace(engine, work) as db:
                sqo(db, *args).wait()
                eng = make_engine(resolve_url(db))
                with eng.connect() as connection:
                    found[label] += bool(missing_indexes(connection))
                eng.dispose()
    return found


def concurrent_imports(engine: str, runs: int, deals: int, work: Path) -> dict[str, int]:
    first = salesforce_folder(work / f"a-{engine}", deals, seed=1, prefix="006", users=False)
    second = salesforce_folder(work / f"b-{engine}", deals, seed=2, prefix="007", users=False)
    found = {"runs": runs, "tracebacks": 0, "failed": 0, "lost": 0}
    for _run in range(runs):
        with workspace(engine, work) as db:
            running = [sqo(db, "import", "salesforce", str(f)) for f in (first, second)]
            for process in running:
                _out, err = process.communicate()
                found["tracebacks"] += "Traceback" in err
                found["failed"] += process.returncode != 0
            ws = open_workspace(db)
            with ws.engine.connect() as connection:
                held = connection.execute(
                    select(func.count()).select_from(t.opportunities)
                ).scalar_one()
            ws.close()
            found["lost"] += 2 * deals - held
    return found


def exports_under_writer(engine: str, trials: int, deals: int, work: Path) -> dict[str, int]:
    folder = salesforce_folder(work / f"export-{engine}", deals, seed=9)
    found = {"trials": trials, "refused restores": 0, "disagreeing records": 0}
    with workspace(engine, work) as db:
        assert sqo(db, "import", "salesforce", str(folder)).wait() == 0
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, db],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT.parent)},
        )
        assert writer.stdout is not None
        writer.stdout.readline()
        source = open_workspace(db)
        try:
            for n in range(trials):
                export_workspace(source, ACTOR, work / f"x-{engine}-{n}")
        finally:
            writer.kill()
            writer.wait()
            source.close()
    for n in range(trials):
        copy = init_workspace(str(work / f"copy-{engine}-{n}.db"), ACTOR)
        try:
            restore_export(copy, ACTOR, work / f"x-{engine}-{n}")
            with copy.engine.connect() as connection:
                found["disagreeing records"] += disagreements(connection, RecordType.OPPORTUNITY)[0]
        except DamagedExport:
            found["refused restores"] += 1
        copy.close()
    return found


def truncated_csv(cuts: int, work: Path) -> dict[str, int]:
    folder = salesforce_folder(work / "whole", 50, seed=4)
    whole = (folder / "Opportunity.csv").read_bytes()
    last = whole.rstrip(b"\r\n").rfind(b"\r\n") + 2
    rng = random.Random(3)
    found = {"cuts": cuts, "imported with exit 0": 0}
    for n in range(cuts):
        cut = rng.randrange(last + 1, len(whole.rstrip(b"\r\n")) - 1)
        target = work / f"cut-{n}"
        target.mkdir()
        (target / "Opportunity.csv").write_bytes(whole[:cut])
        with workspace("sqlite", work) as db:
            found["imported with exit 0"] += (
                sqo(db, "import", "salesforce", str(target)).wait() == 0
            )
    return found


def _table(title: str, rows: Mapping[str, Mapping[str, int | float]]) -> list[str]:
    columns = list(next(iter(rows.values())))
    lines = [f"### {title}", "", "| engine | " + " | ".join(columns) + " |"]
    lines.append("|" + "---|" * (len(columns) + 1))
    for engine, values in rows.items():
        lines.append(f"| {engine} | " + " | ".join(str(values[c]) for c in columns) + " |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--deals", type=int, default=5000)
    args = parser.parse_args()
    engines = ["sqlite"] + (["postgres"] if os.environ.get("SQO_TEST_POSTGRES_URL") else [])
    work = Path(tempfile.mkdtemp(prefix="sqo-reliability-"))
    started = time.perf_counter()
    try:
        kills = {e: kill_trials(e, args.trials, args.deals, work) for e in engines}
        refused = {e: refusals(e, 3, args.deals, work) for e in engines}
        pairs = {e: concurrent_imports(e, args.trials // 2, args.deals // 2, work) for e in engines}
        exports = {e: exports_under_writer(e, 3, args.deals, work) for e in engines}
        cuts = {"sqlite": truncated_csv(args.trials, work)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "# Reliability run (issue 17)",
        "",
        f"`python -m benchmarks.reliability_run --trials {args.trials} --deals {args.deals}` on "
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; {time.perf_counter() - started:.0f} s in all.",
        "",
        *_table(f"kill -9 during an import ({args.deals} deals, deals-only export)", kills),
        *_table("workspaces left without an index", refused),
        *_table(f"two imports at once ({args.deals // 2} deals each)", pairs),
        *_table(f"exports taken while a writer runs ({args.deals} deals)", exports),
        *_table("a CSV cut off inside its last row", cuts),
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
