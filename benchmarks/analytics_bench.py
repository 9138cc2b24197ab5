# ruff: noqa: E501
"""Analytics at scale: 1,000,000 opportunities, 5,000,000 history rows, 10,000,000 activities.

Run with ``make bench-analytics`` (= ``.venv/bin/python -m benchmarks.analytics_bench``). Data is
generated once per engine with bulk SQL (recursive CTE on SQLite, generate_series on PostgreSQL)
into benchmarks/work/ (git-ignored) and reused; pass ``--regenerate`` to build it again (the
PostgreSQL database is dropped after the run unless ``--keep`` is given).

Per engine: first ``sqo refresh-analytics --rebuild`` builds the analytics copy from scratch (the
one-time cost a workspace pays on its first analytics command), then each command runs
``--runs`` times, each in a fresh process, on the copy brought up to date (the everyday case).
Wall time and peak memory (max RSS) go to benchmarks/results/analytics.md. ``--direct`` adds one
run of each command on the workspace database itself (``SQO_ANALYTICS_COPY=off``), slow.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sqo.domain.actor import Actor
from sqo.services.workspace import init_workspace

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results" / "analytics.md"
PG_ADMIN = os.environ.get(
    "SQO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_DB = "sqo_bench_analytics"
OPPS, ACTIVITIES, REPS, TEAMS, ACCOUNTS = 1_000_000, 10_000_000, 200, 10, 10_000

# History: five rows per opportunity (stage at creation, amount, close date, SQO, final stage).
# Stage path by id % 10: 0-2 stay in Qualification/SQO, 3-5 Won, 6-8 Lost, 9 Proposal.
SQLITE_TS = "strftime('%Y-%m-%d %H:%M:%S.000000', '2024-01-01', '+' || ({minutes}) || ' minutes')"


def _sqlite_ts(minutes: str) -> str:
    return SQLITE_TS.format(minutes=minutes)


def _pg_ts(minutes: str) -> str:
    return f"(timestamp '2024-01-01' + ({minutes}) * interval '1 minute')"


def statements(pg: bool) -> list[str]:
    ts = _pg_ts if pg else _sqlite_ts
    day = (
        (lambda m: f"(({m}) / 1440 * interval '1 day' + date '2024-01-01')::date::text")
        if pg
        else (lambda m: f"date('2024-01-01', '+' || (({m}) / 1440) || ' days')")
    )
    series = (lambda n: f"generate_series(1::bigint, {n}) AS s(i)") if pg else (lambda n: "n")

    def cte(n: int) -> str:
        return (
            ""
            if pg
            else f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "
        )

    created = "(i * 7919 % 1051200)"  # minutes over two years
    sqo_at = f"({created} + 1440 * (1 + i % 20))"
    end_at = f"({created} + 1440 * (25 + i % 90))"
    final = "CASE WHEN i % 10 IN (3, 4, 5) THEN 'Won' WHEN i % 10 IN (6, 7, 8) THEN 'Lost' WHEN i % 10 = 9 THEN 'Proposal' ELSE 'SQO' END"
    close = day(f"{created} + 1440 * (30 + i % 120)")
    close_value = f"CAST({close} AS DATE)" if pg else close
    segs = "CASE i % 3 WHEN 0 THEN 'SMB' WHEN 1 THEN 'mid-market' ELSE 'enterprise' END"
    out = [
        f"{cte(TEAMS)}INSERT INTO teams (id, name) SELECT i, 'Team ' || i FROM {series(TEAMS)}",
        f"{cte(REPS)}INSERT INTO reps (id, name, team_id, role, active) SELECT i, 'Rep ' || i, 1 + i % {TEAMS}, 'rep', {'true' if pg else 1} FROM {series(REPS)}",
        f"{cte(ACCOUNTS)}INSERT INTO accounts (id, name, segment, attributes) SELECT i, 'Account ' || i, {segs}, '{{}}' FROM {series(ACCOUNTS)}",
        f"{cte(OPPS)}INSERT INTO opportunities (id, name, account_id, owner_id, stage, amount_cents, currency, close_date, competitors, complexity, created_at, version, attributes, source) "
        f"SELECT i, 'Deal ' || i, 1 + i % {ACCOUNTS}, 1 + i % {REPS}, {final}, 100000 + (i % 500) * 10000, 'USD', {close_value}, '[]', 'standard', {ts(created)}, 1, '{{}}', CASE i % 4 WHEN 0 THEN 'web' WHEN 1 THEN 'event' WHEN 2 THEN 'partner' ELSE 'outbound' END FROM {series(OPPS)}",
    ]
    rows = [
        ("'stage'", "'Qualification'", created),
        ("'amount_cents'", "CAST(100000 + (i % 500) * 10000 AS TEXT)", created),
        ("'close_date'", close, created),
        ("'stage'", "'SQO'", sqo_at),
        ("'stage'", final, end_at),
    ]
    for field, value, moment in rows:
        out.append(
            f"{cte(OPPS)}INSERT INTO history (record_type, record_id, field, new_value, changed_at, actor) "
            f"SELECT 'opportunity', i, {field}, {value}, {ts(moment)}, 'bench' FROM {series(OPPS)}"
        )
    out.append(
        f"{cte(ACTIVITIES)}INSERT INTO activities (kind, direction, occurred_at, opportunity_id) "
        f"SELECT 'email', CASE i % 2 WHEN 0 THEN 'outbound' ELSE 'inbound' END, {ts('i % 1051200')}, 1 + i % {OPPS} FROM {series(ACTIVITIES)}"
    )
    if pg:
        out += [
            f"ANALYZE {name}"
            for name in ("history", "opportunities", "activities", "accounts", "reps")
        ]
    else:
        out.append("ANALYZE")
    return out


def generate(url: str, pg: bool) -> float:
    started = time.perf_counter()
    init_workspace(url, Actor(name="bench")).close()
    engine = create_engine(url if pg else f"sqlite:///{url}")
    with engine.begin() as connection:
        for sql in statements(pg):
            t0 = time.perf_counter()
            connection.execute(text(sql))
            print(f"  {sql[:70]}... {time.perf_counter() - t0:.1f}s", flush=True)
    engine.dispose()
    return time.perf_counter() - started


def sqlite_url() -> str:
    return str(WORK / "analytics.db")


def postgres_url() -> str:
    return make_url(PG_ADMIN).set(database=PG_DB).render_as_string(hide_password=False)


def prepare(engine_name: str, regenerate: bool) -> tuple[str, float | None]:
    if engine_name == "sqlite":
        url = sqlite_url()
        path = Path(url)  # a plain path: the sqo CLI accepts it as --db
        if path.exists() and not regenerate:
            return url, None
        for suffix in ("", "-wal", "-shm"):
            Path(url + suffix).unlink(missing_ok=True)
        return url, generate(url, pg=False)
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DB}
        ).first()
        if exists and not regenerate:
            admin.dispose()
            return postgres_url(), None
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{PG_DB}"'))
    admin.dispose()
    return postgres_url(), generate(postgres_url(), pg=True)


def drop_postgres() -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
    admin.dispose()


COMMANDS = {
    "sqo funnel --by segment,quarter": [
        "funnel",
        "--by",
        "segment,quarter",
        "--as-of",
        "2026-06-30",
        "--json",
    ],
    "sqo benchmarks": ["benchmarks", "--as-of", "2026-06-30", "--json"],
    "sqo pipeline-change": [
        "pipeline-change",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--json",
    ],
}


COPIES = WORK / "copies"


def measure(url: str, args: list[str], copy: str = "on") -> tuple[float, float, int]:
    sqo = str(Path(sys.executable).with_name("sqo"))
    env = {**os.environ, "SQO_ANALYTICS_DIR": str(COPIES), "SQO_ANALYTICS_COPY": copy}
    started = time.perf_counter()
    process = subprocess.Popen([sqo, "--db", url, *args], stdout=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3, help="fresh-process runs per command")
    parser.add_argument("--direct", action="store_true", help="also run without the copy")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL benchmark database afterwards"
    )
    options = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    lines = [
        "# Analytics benchmark",
        "",
        f"Data: {OPPS:,} opportunities, {OPPS * 5:,} history rows, {ACTIVITIES:,} activities, "
        f"{REPS} reps in {TEAMS} teams, {ACCOUNTS:,} accounts. Machine: {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Every figure is one "
        "command in a fresh process (`--json`): wall clock, and peak memory (max RSS). "
        f"Commands on the analytics copy: median and slowest of {options.runs} runs.",
        "Targets: each under 5 s and 1 GB.",
        "",
        "| engine | command | reads | median s | slowest s | peak MB | exit | load before |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for engine_name in options.engines.split(","):
        print(f"{engine_name}: preparing data", flush=True)
        url, generated = prepare(engine_name, options.regenerate)
        if generated is not None:
            notes.append(f"- {engine_name}: data generated in {generated:.0f} s.")
        runs: list[tuple[str, list[str], str, int]] = [
            ("sqo refresh-analytics --rebuild", ["refresh-analytics", "--rebuild"], "on", 1)
        ]
        runs += [(label, args, "on", options.runs) for label, args in COMMANDS.items()]
        if options.direct:
            runs += [(label, args, "off", 1) for label, args in COMMANDS.items()]
        for label, args, copy, count in runs:
            load = os.getloadavg()[0]
            measured = [measure(url, args, copy) for _ in range(count)]
            seconds = sorted(m[0] for m in measured)
            peak = max(m[1] for m in measured)
            code = max((m[2] for m in measured), key=abs)
            reads = "copy (build)" if "refresh" in label else "copy" if copy == "on" else "database"
            median = seconds[len(seconds) // 2]
            print(
                f"{engine_name}: {label} [{reads}]: median {median:.2f} s, slowest "
                f"{seconds[-1]:.2f} s, {peak:.0f} MB, exit {code}",
                flush=True,
            )
            lines.append(
                f"| {engine_name} | `{label}` | {reads} | {median:.2f} | {seconds[-1]:.2f} | "
                f"{peak:.0f} | {code} | {load:.2f} |"
            )
    RESULTS.write_text("\n".join([*lines, "", *notes, ""]), encoding="utf-8")
    if "postgres" in options.engines.split(",") and not options.keep:
        drop_postgres()
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
