"""Analytics against a hand-written DuckDB reference, side by side, on a realistic pipeline.

Run with ``make bench-analytics`` (= ``.venv/bin/python -m benchmarks.analytics_bench``); options
go in ARGS: ``make bench-analytics ARGS="--engines sqlite --sizes 100000"``.

Data (benchmarks/pipeline_data.py, deterministic for ``--seed``): opportunities created
2023-2025 at times to the second, three segments, one history row per stage entered, amount and
close-date changes; generated once per size into the Parquet export layout under
benchmarks/work/ (git-ignored) and loaded into a SQLite file and a PostgreSQL database made by
sqo's own init_workspace. ``--regenerate`` builds them again.

Per engine and size: the workspace is exported with ``sqo export --format parquet`` (the
reference reads those files); the analytics copy is deleted and the first funnel runs on a
workspace without a copy (its peak memory includes the copy's first build); then
``sqo refresh-analytics --rebuild`` (time and peak memory of a first build); then ``--runs``
rounds of each command in a fresh process with ``--json``, each followed by the reference query
in its own process (timed as a query, the data in place). sqo's figures are compared cell for
cell with the reference's. The ratio is sqo's median over the reference's median. Results go to
benchmarks/results/analytics.md.

``--spark-10m`` also generates 10,000,000 opportunities to Parquet and runs the funnel on
Spark local[2] against the DuckDB reference over the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import reference as ref
from benchmarks.analytics_results import Line, Run, report
from benchmarks.pipeline_data import generate_parquet
from benchmarks.pipeline_load import load_postgres, load_sqlite
from benchmarks.questions import QUESTIONS

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results" / "analytics.md"
PG_ADMIN = os.environ.get(
    "SQO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SIZES = (100_000, 1_000_000)
SPARK_SIZE = 10_000_000
FUNNEL = "sqo funnel --by segment,quarter"
LOADED_MARK = "sqo benchmark data loaded"


def sqo_command() -> list[str]:
    # The tree being benchmarked, not an installed sqo: python -m sqo with this checkout first.
    return [sys.executable, "-m", "sqo"]


def child_env(copies: Path) -> dict[str, str]:
    path = str(ROOT.parent)
    extra = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": f"{path}{os.pathsep}{extra}" if extra else path,
        "SQO_ANALYTICS_DIR": str(copies),
        "SQO_ANALYTICS_COPY": "on",
    }


# GNU time reports its child's peak. os.wait4 here would not: a child forked from this process
# starts with this process's resident size as its high-water mark, so after generating data
# in-process (over 1 GB) every command looked as large as the benchmark itself.
GNU_TIME = "/usr/bin/time"


def measure(command: list[str], env: dict[str, str]) -> Run:
    """Wall time and peak memory (max RSS) of one fresh process."""
    if not Path(GNU_TIME).exists():
        sys.exit("benchmarks need GNU time for peak memory: apt-get install time")
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as peak:
        started = time.perf_counter()
        process = subprocess.Popen(
            [GNU_TIME, "-f", "%M", "-o", peak.name, *command],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
        )
        _, errors = process.communicate()
        seconds = time.perf_counter() - started
        code = process.returncode
        if code != 0:
            print(errors.decode(errors="replace")[-2000:], file=sys.stderr)
        out.seek(0)
        text = out.read().decode()
        kilobytes = int(peak.read().strip().splitlines()[-1])
    return Run(seconds, kilobytes / 1024, code, text)


def reference_run(export: Path, label: str, env: dict[str, str]) -> tuple[Run, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        answer = Path(tmp) / "answer.json"
        run = measure(
            [sys.executable, "-m", "benchmarks.reference_run", str(export), label, str(answer)],
            env,
        )
        data = json.loads(answer.read_text())
    # The reference is timed as its queries; its process start is not part of the question.
    return Run(data["seconds"], run.peak_mb, run.exit_code), data["answer"]


# --- Data -----------------------------------------------------------------------------------


def data_folder(size: int, seed: int, regenerate: bool) -> Path:
    folder = WORK / f"data-{size}-seed{seed}"
    if regenerate or not (folder / "manifest.json").exists():
        print(f"generating {size:,} opportunities", flush=True)
        started = time.perf_counter()
        rows = generate_parquet(folder, size, seed=seed)
        print(f"  {rows} in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_ADMIN).set(database=database).render_as_string(hide_password=False)


def _pg_admin(sql: str, params: dict[str, Any] | None = None) -> Any:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            result = connection.execute(text(sql), params or {})
            return result.first() if result.returns_rows else None
    finally:
        admin.dispose()


def workspace(engine: str, size: int, seed: int, data: Path, regenerate: bool) -> tuple[str, str]:
    """The --db of a workspace holding the data, and a note on how it was made."""
    if engine == "sqlite":
        path = WORK / f"sqlite-{size}-seed{seed}.db"
        stamp = Path(str(path) + ".loaded")
        if regenerate or not stamp.exists():
            stamp.unlink(missing_ok=True)
            seconds = load_sqlite(data, path)
            stamp.write_text(str(seconds))
            return str(path), f"loaded in {seconds:.0f} s"
        return str(path), "reused"
    database = f"sqo_bench_analytics_{size}_seed{seed}"
    url = pg_url(database)
    # A database whose load was interrupted exists too: only one marked as loaded is reused.
    loaded = _pg_admin(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n",
        {"n": database},
    )
    if loaded and str(loaded[0] or "").startswith(LOADED_MARK) and not regenerate:
        return url, "reused"
    _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{database}"')
    seconds = load_postgres(data, url, WORK)
    _pg_admin(f"COMMENT ON DATABASE \"{database}\" IS '{LOADED_MARK} in {seconds:.0f} s'")
    return url, f"loaded in {seconds:.0f} s"


def export(db: str, folder: Path, env: dict[str, str]) -> Run:
    if folder.exists():
        shutil.rmtree(folder)
    run = measure([*sqo_command(), "--db", db, "export", "--format", "parquet", str(folder)], env)
    if run.exit_code != 0:
        raise SystemExit(f"sqo export failed for {db}")
    return run


# --- The run --------------------------------------------------------------------------------


def bench_one(engine: str, size: int, options: argparse.Namespace) -> tuple[list[Line], list[str]]:
    data = data_folder(size, options.seed, options.regenerate)
    db, made = workspace(engine, size, options.seed, data, options.regenerate)
    name = f"{engine}-{size}-seed{options.seed}"
    copies = WORK / f"copies-{name}"
    env = child_env(copies)
    if options.reference_reads == "export":
        source = WORK / f"export-{name}"
        exported = export(db, source, env)
        read = f"`sqo export --format parquet` (the reference's data) {exported.seconds:.0f} s"
    else:
        # The files the workspace was loaded from: the same rows, without the export's wait.
        source = data
        read = "the reference read the generated Parquet files the workspace was loaded from"
    notes = [f"- {engine}, {size:,}: workspace {made}; {read}."]
    shutil.rmtree(copies, ignore_errors=True)
    lines: list[Line] = []
    funnel_args = QUESTIONS[FUNNEL][0]
    cold = Line(engine, size, f"`{FUNNEL}`, no copy yet (includes its first build)", [])
    first = measure([*sqo_command(), "--db", db, *funnel_args], env)
    cold.sqo.append(first)
    lines.append(cold)
    rebuild = Line(engine, size, "`sqo refresh-analytics --rebuild` (first build)", [])
    build = measure([*sqo_command(), "--db", db, "refresh-analytics", "--rebuild"], env)
    rebuild.sqo.append(build)
    lines.append(rebuild)
    print(f"{name}: first funnel {first.seconds:.1f} s, rebuild {build.seconds:.1f} s", flush=True)
    for label, (args, question) in QUESTIONS.items():
        line = Line(engine, size, f"`{label}`", [])
        answer: dict[str, Any] = {}
        for _ in range(options.runs):
            line.sqo.append(measure([*sqo_command(), "--db", db, *args], env))
            run, answer = reference_run(source, label, env)
            line.reference.append(run)
        last = line.sqo[-1]
        if last.exit_code == 0:
            compared, differing, examples = ref.compare(
                answer, question.sqo_rows(json.loads(last.stdout)), question.keys
            )
            line.compared, line.differing, line.examples = compared, differing, examples
        print(
            f"{name}: {label}: sqo {line.median:.2f} s, reference {line.reference_median:.3f} s, "
            f"ratio {line.ratio:.1f}, {line.peak:.0f} MB, {line.differing} of {line.compared} "
            "cells differ",
            flush=True,
        )
        for example in line.examples:
            print(f"    {example}", flush=True)
        lines.append(line)
    return lines, notes


def spark_10m(options: argparse.Namespace) -> list[str]:
    """The funnel on Spark local[2] over 10M generated opportunities, against DuckDB."""
    data = data_folder(SPARK_SIZE, options.seed, options.regenerate)
    label = FUNNEL
    args, question = QUESTIONS[label]
    env = child_env(WORK / "copies-spark")
    help_text = measure([*sqo_command(), "funnel", "--help"], env).stdout
    reference, answer = reference_run(data, label, env)
    out = [
        f"- Spark, {SPARK_SIZE:,} opportunities: DuckDB reference {reference.seconds:.1f} s, "
        f"{reference.peak_mb:.0f} MB."
    ]
    if "--engine" not in help_text or "--parquet" not in help_text:
        return [*out, "  `sqo funnel` has no `--engine`/`--parquet` on this branch: not run."]
    # The workspace supplies the stage model and currency (the export's rows everything else): a
    # freshly initialised one, as the generated export's manifest was made from.
    settings_db = WORK / "spark-settings.db"
    if not settings_db.exists():
        from sqo.domain.actor import Actor
        from sqo.services.workspace import init_workspace

        init_workspace(str(settings_db), Actor(name="bench")).close()
    command = [
        *sqo_command(),
        "--db",
        str(settings_db),
        *args,
        "--engine",
        "spark",
        "--master",
        "local[2]",
        "--parquet",
        str(data),
    ]
    run = measure(command, env)
    if run.exit_code != 0:
        return [*out, f"  `sqo funnel --engine spark` exited {run.exit_code}."]
    compared, differing, examples = ref.compare(
        answer, question.sqo_rows(json.loads(run.stdout)), question.keys
    )
    return [
        *out,
        f"  `{' '.join(command[2:])}`: {run.seconds:.1f} s wall, {run.peak_mb:.0f} MB (driver "
        f"process), {differing} of {compared} cells differ from DuckDB.",
        *[f"  - {e}" for e in examples],
    ]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--engines",
        default="sqlite,postgres",
        help="comma-separated: sqlite, postgres (empty: none, e.g. with --spark-10m alone)",
    )
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="comma-separated numbers of opportunities (default 100000,1000000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="fresh-process runs per command")
    parser.add_argument("--seed", type=int, default=12, help="seed of the generated data")
    parser.add_argument(
        "--regenerate", action="store_true", help="generate and load the data again"
    )
    parser.add_argument(
        "--spark-10m",
        action="store_true",
        help="also the funnel on Spark local[2] over 10M generated opportunities (Parquet)",
    )
    parser.add_argument(
        "--reference-reads",
        choices=("export", "generated"),
        default="export",
        help="the reference's Parquet: the workspace's own sqo export (default), or the "
        "generated files it was loaded from (skips the export's minutes at 1M)",
    )
    parser.add_argument(
        "--note", default="", help="a line for the results file, e.g. which code was measured"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="the Markdown file written (default %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    WORK.mkdir(exist_ok=True)
    lines: list[Line] = []
    notes: list[str] = []
    for engine in [e for e in options.engines.split(",") if e]:
        for size in (int(s) for s in options.sizes.split(",")):
            more, said = bench_one(engine, size, options)
            lines += more
            notes += said
            options.results.write_text(report(lines, notes, options), encoding="utf-8")
    if options.spark_10m:
        notes += spark_10m(options)
    options.results.write_text(report(lines, notes, options), encoding="utf-8")
    print(f"written to {options.results}")


if __name__ == "__main__":
    main()
