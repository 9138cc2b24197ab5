# ruff: noqa: E501
"""`sqo review` on the demo and on 1,000,000 opportunities (200 reps), against a hand-written
DuckDB reference for its change reasons.

Run with ``make bench-review`` (= ``.venv/bin/python -m benchmarks.review_bench``); options go in
ARGS: ``make bench-review ARGS="--sizes demo --runs 1"``.

Per size: ``sqo review --week W --format json`` and ``--format html`` each ``--runs`` times in a
fresh process (wall time and peak memory from GNU time, the median reported); then the change
reasons of the same week computed by a DuckDB query written here from docs/review.md (not from
sqo's code) over the workspace's Parquet export, timed as a query, and compared with the
reasons in sqo's JSON, reason by reason (deals and amount). The ratio is sqo's whole review over
the reference's reasons query: the review also computes the funnel, benchmarks, forecast and the
rest, so the ratio bounds what the reasons cost.

Data: the demo is built (seed 7, today 2026-06-30; week 2026-W20) and exported; 1M is the
analytics benchmark's SQLite workspace and Parquet data (benchmarks/work/, made by
``make bench-analytics``; week 2025-W50 of its history, which ends 2025-12-31). Results go to
benchmarks/results/review.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.analytics_bench import GNU_TIME, WORK, child_env, data_folder, sqo_command
from benchmarks.pipeline_load import load_sqlite
from benchmarks.reference import SQO_OR_LATER, _in_list, connect, rows

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "review.md"
STAGE_ORDER = ["Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit"]
CATEGORY = {
    "Qualification": 1,
    "SQO": 1,
    "Solution": 1,
    "Proposal": 2,
    "Negotiation": 2,
    "Commit": 3,
}


def _state(moment: str) -> str:
    return f"""
        SELECT record_id,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'stage') AS stage,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'amount_cents')::BIGINT AS amount,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'close_date')::DATE AS close,
               arg_max(new_value, (changed_at, id)) FILTER (WHERE field = 'owner_id')::INTEGER AS owner
        FROM history
        WHERE record_type = 'opportunity' AND field IN ('stage', 'amount_cents', 'close_date', 'owner_id')
          AND changed_at <= TIMESTAMP '{moment}'
        GROUP BY record_id
    """


def _case(column: str, values: dict[str, int], missing: int) -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in values.items())
    return f"(CASE {column} {whens} ELSE {missing} END)"


def reasons_sql(start: str, end: str, lo: str, hi: str) -> str:
    """Each change reason's deals and amount between ``start`` and ``end`` (docs/review.md)."""
    sqo, opens = _in_list(SQO_OR_LATER), _in_list(STAGE_ORDER)
    window = f"BETWEEN DATE '{lo}' AND DATE '{hi}'"
    order = {s: i for i, s in enumerate(STAGE_ORDER)}
    pos_a, pos_b = _case("a.stage", order, -1), _case("b.stage", order, -1)
    cat_a, cat_b = _case("a.stage", CATEGORY, 0), _case("b.stage", CATEGORY, 0)
    return f"""
        WITH a AS ({_state(start)}), b AS ({_state(end)}),
        d AS (
            SELECT b.record_id,
                   coalesce(a.stage IN {sqo} AND a.close {window}, false) AS in_a,
                   coalesce(b.stage IN {sqo} AND b.close {window}, false) AS in_b,
                   coalesce(a.stage IN {sqo}, false) AS open_a,
                   coalesce(b.stage IN {sqo}, false) AS open_b,
                   coalesce(a.stage IN {opens} AND b.stage IN {opens}, false) AS both_open,
                   b.stage AS stage_b, coalesce(a.amount, 0) AS amount_a, coalesce(b.amount, 0) AS amount_b,
                   {pos_a} AS pos_a, {pos_b} AS pos_b, {cat_a} AS cat_a, {cat_b} AS cat_b,
                   a.close AS close_a, b.close AS close_b, a.owner AS owner_a, b.owner AS owner_b
            FROM b LEFT JOIN a USING (record_id)
        ),
        p AS (SELECT * FROM d WHERE in_a OR in_b)
        SELECT 'new' AS name, count(*) AS deals, coalesce(sum(amount_b), 0) AS cents FROM p WHERE in_b AND NOT open_a
        UNION ALL SELECT 'pulled_in', count(*), coalesce(sum(amount_b), 0) FROM p WHERE in_b AND open_a AND NOT in_a
        UNION ALL SELECT 'pushed_out', count(*), coalesce(-sum(amount_b), 0) FROM p WHERE in_a AND NOT in_b AND open_b
        UNION ALL SELECT 'won', count(*), coalesce(-sum(amount_b), 0) FROM p WHERE in_a AND NOT in_b AND stage_b = 'Won'
        UNION ALL SELECT 'lost', count(*), coalesce(-sum(amount_b), 0) FROM p WHERE in_a AND NOT in_b AND stage_b = 'Lost'
        UNION ALL SELECT 'moved_below_sqo', count(*), coalesce(-sum(amount_b), 0) FROM p WHERE in_a AND NOT in_b AND NOT open_b AND stage_b NOT IN ('Won', 'Lost')
        UNION ALL SELECT 'amount_up', count(*), coalesce(sum(amount_b - amount_a), 0) FROM p WHERE in_a AND amount_b > amount_a
        UNION ALL SELECT 'amount_down', count(*), coalesce(sum(amount_b - amount_a), 0) FROM p WHERE in_a AND amount_b < amount_a
        UNION ALL SELECT 'stage_forward', count(*), coalesce(sum(amount_b), 0) FROM p WHERE both_open AND pos_b > pos_a
        UNION ALL SELECT 'stage_back', count(*), coalesce(sum(amount_b), 0) FROM p WHERE both_open AND pos_b < pos_a
        UNION ALL SELECT 'category_in', count(*), coalesce(sum(amount_b), 0) FROM p WHERE both_open AND cat_b > cat_a
        UNION ALL SELECT 'category_out', count(*), coalesce(sum(amount_b), 0) FROM p WHERE both_open AND cat_b < cat_a
        UNION ALL SELECT 'close_date_later', count(*), coalesce(sum(amount_b), 0) FROM p WHERE both_open AND close_b > close_a
        UNION ALL SELECT 'owner_changed', count(*), coalesce(sum(amount_b), 0) FROM p WHERE owner_a IS NOT NULL AND owner_b IS NOT NULL AND owner_a <> owner_b
    """


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system: what the command itself needed, however busy the machine
    peak_mb: float
    exit_code: int
    stdout: str


def measure(command: list[str], env: dict[str, str]) -> Run:
    """Wall time, CPU time and peak memory (max RSS) of one fresh process, from GNU time."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        process = subprocess.run(
            [GNU_TIME, "-f", "%M %U %S", "-o", report.name, *command],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            print(process.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
        out.seek(0)
        kilobytes, user, system = report.read().strip().splitlines()[-1].split()
        return Run(
            seconds,
            float(user) + float(system),
            int(kilobytes) / 1024,
            process.returncode,
            out.read().decode(),
        )


def _quarter(day: date) -> tuple[str, str]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(following.toordinal() - 1).isoformat()


def reference(export: Path, week: str) -> tuple[float, dict[str, tuple[int, int]]]:
    year, number = (int(x) for x in week.split("-W"))
    monday = date.fromisocalendar(year, number, 1)
    sunday = date.fromisocalendar(year, number, 7)
    lo, hi = _quarter(monday)[0], _quarter(sunday)[1]
    db = connect(export)
    # CPU time of this process, DuckDB's threads included: comparable with sqo's CPU time on a
    # machine whose other work makes wall times vary.
    started = time.process_time()
    found = rows(db, reasons_sql(f"{monday} 00:00:00", f"{sunday} 23:59:59.999999", lo, hi))
    seconds = time.process_time() - started
    return seconds, {r["name"]: (int(r["deals"]), int(r["cents"])) for r in found}


def _sqo_reasons(data: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {r["name"]: (r["deals"], round(r["amount"] * 100)) for r in data["changes"]["reasons"]}


def _demo(env: dict[str, str]) -> tuple[Path, Path]:
    db, export = WORK / "review-demo.db", WORK / "review-demo-export"
    if not db.exists():
        from sqo.domain.actor import Actor
        from sqo.services.demo import build_demo

        build_demo(str(db), Actor("bench"), seed=7, today=date(2026, 6, 30)).workspace.close()
    if not (export / "history.parquet").exists():
        command = [*sqo_command(), "--db", str(db), "export", str(export), "--format", "parquet"]
        subprocess.run([*command, "--force"], check=True, env=env, capture_output=True)
    return db, export


def _million(seed: int, env: dict[str, str]) -> tuple[Path, Path]:
    folder = data_folder(1_000_000, seed, regenerate=False)
    db = WORK / f"sqlite-1000000-seed{seed}.db"
    if not db.exists():
        load_sqlite(folder, db)
    return db, folder


def parts(
    db: Path,
    week_label: str,
    today: str,
    copies: Path,
    done: dict[str, list[str]],
    size: str,
    forecast: bool = True,
) -> list[str]:
    """Each part of the review timed in this process (CPU and wall), in the review's order and
    as the review runs them: in one analytics session, the milestones built once for the
    benchmarks, the funnel and hygiene's cycle."""
    os.environ["SQO_ANALYTICS_DIR"] = str(copies)
    from contextlib import ExitStack

    from sqo.analytics.milestone_table import shared
    from sqo.analytics.milestones import milestone_ladder
    from sqo.domain.actor import Actor
    from sqo.services import review as r
    from sqo.services.analytics import benchmark_report, funnel
    from sqo.services.analytics_source import analytics_session
    from sqo.services.forecast import forecast_report
    from sqo.services.hygiene import hygiene_report
    from sqo.services.review_scope import parse_week, review_scope
    from sqo.services.workspace import open_workspace

    ws, actor = open_workspace(str(db)), Actor("bench")
    week = parse_week(week_label, date.fromisoformat(today))
    end, scope = week.end, review_scope(ws, actor, None, None)
    since = date.fromordinal(week.sunday.toordinal() - r.TRAILING_DAYS + 1)
    quarter = f"{week.sunday.year}-Q{(week.sunday.month - 1) // 3 + 1}"
    session = ExitStack()

    def open_session() -> None:
        connection = session.enter_context(analytics_session(ws))
        ladder = milestone_ladder(ws.stage_model)
        session.enter_context(shared(connection, ladder, end, r.SHARED_KEYS, kept=True))

    spans = [r._span(week, end, r.DEALS_PER_LIST), r._span(week.previous(), end, 0)]
    steps = {
        "analytics session and the milestones as of the week's end (once)": open_session,
        "change reasons, the week and the week before (one pass)": lambda: r._weeks_changes(
            ws, spans, scope
        ),
        "benchmarks": lambda: benchmark_report(ws, actor, start=since, end=week.sunday, as_of=end),
        "funnel by team and rep": lambda: funnel(
            ws, actor, by=("team", "owner"), start=since, end=week.sunday, as_of=end
        ),
        "hygiene (sqo hygiene)": lambda: hygiene_report(ws, actor, as_of=end),
        "session closed": session.close,
        "forecast (sqo forecast)": lambda: forecast_report(ws, actor, period=quarter, as_of=end),
    }
    if not forecast:
        del steps["forecast (sqo forecast)"]
    found = []
    for name, step in steps.items():
        cpu, wall = time.process_time(), time.perf_counter()
        step()
        found.append(
            f"| {name} | {time.process_time() - cpu:.2f} s | {time.perf_counter() - wall:.2f} s |"
        )
        print(found[-1], flush=True)
        _write_parts({**done, size: found})  # as it goes: a part at 1M can take minutes
    ws.close()
    return found


def reasons_only(db: Path, export: Path, week_label: str, today: str, copies: Path) -> str:
    """The week's change reasons alone: sqo's (CPU in this process) against the reference."""
    os.environ["SQO_ANALYTICS_DIR"] = str(copies)
    from sqo.domain.actor import Actor
    from sqo.services import review as r
    from sqo.services.review_scope import parse_week, review_scope
    from sqo.services.workspace import open_workspace

    ws, actor = open_workspace(str(db)), Actor("bench")
    week = parse_week(week_label, date.fromisoformat(today))
    scope = review_scope(ws, actor, None, None)
    r._changes(ws, week, week.end, scope, r.DEALS_PER_LIST)  # the copy brought up to date first
    cpu = time.process_time()
    found = r._changes(ws, week, week.end, scope, r.DEALS_PER_LIST)
    seconds = time.process_time() - cpu
    ws.close()
    ours = {x.name: (x.deals, x.amount_cents) for x in found.reasons}
    theirs_seconds, theirs = reference(export, week_label)
    equal = sum(ours.get(k) == v for k, v in theirs.items())
    return (
        f"| {week_label} | {seconds:.2f} s | {theirs_seconds:.2f} s | "
        f"{seconds / theirs_seconds:.1f}x | {equal} of {len(theirs)} |"
    )


SIZES = {"demo": ("2026-W20", "2026-06-30"), "1000000": ("2025-W50", "2025-12-31")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--parts", action="store_true", help="Time each part of the review in-process instead."
    )
    parser.add_argument(
        "--reasons", action="store_true", help="Only the change reasons against the reference."
    )
    parser.add_argument(
        "--no-forecast",
        action="store_true",
        help="With --parts: stop before the forecast (another module's; minutes at 1M).",
    )
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    env = child_env(WORK / "review-copies")
    lines: list[str] = []
    part_lines: dict[str, list[str]] = {}
    for size in args.sizes.split(","):
        week, as_of = SIZES[size]
        db, export = _demo(env) if size == "demo" else _million(args.seed, env)
        if args.reasons:
            line = reasons_only(db, export, week, as_of, WORK / "review-copies")
            print(line, flush=True)
            _write_reasons(size, line)
            continue
        if args.parts:
            part_lines[size] = parts(
                db, week, as_of, WORK / "review-copies", part_lines, size, not args.no_forecast
            )
            continue
        base = [*sqo_command(), "--db", str(db), "review", "--week", week, "--as-of", as_of]
        # The analytics copy is built once per workspace (analytics.md has its figures): first.
        build = measure([*sqo_command(), "--db", str(db), "refresh-analytics"], env)
        print(f"{size}: analytics copy ready in {build.seconds:.0f} s", flush=True)
        figures: dict[str, list[Run]] = {"json": [], "html": []}
        for _ in range(args.runs):
            for form in figures:
                run = measure([*base, "--format", form], env)
                assert run.exit_code == 0, f"sqo review --format {form} failed on {size}"
                figures[form].append(run)
        ours = _sqo_reasons(json.loads(figures["json"][-1].stdout or "{}"))
        seconds, theirs = reference(export, week)
        differing = sorted(k for k in theirs if ours.get(k) != theirs[k])
        for form, runs in figures.items():
            wall = statistics.median(r.seconds for r in runs)
            cpu = statistics.median(r.cpu_seconds for r in runs)
            peak = max(r.peak_mb for r in runs)
            load = os.getloadavg()[0]
            lines.append(
                f"| {size} | {week} | `--format {form}` | {wall:.2f} s | {cpu:.2f} s | {load:.1f} | {peak:.0f} MiB | "
                f"{seconds:.3f} s | {cpu / seconds:.0f}x | {len(theirs) - len(differing)} of {len(theirs)} |"
            )
        if differing:
            print(f"{size}: reasons differ: {differing}: sqo {ours} reference {theirs}")
        print(lines[-2], lines[-1], sep="\n", flush=True)
    if args.parts:
        _write_parts(part_lines)
    elif not args.reasons:
        _write(lines, args.runs)


def _write(lines: list[str], runs: int) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    head = text.split("<!-- figures -->")[0] if "<!-- figures -->" in text else _HEAD
    kept = "\n<!-- parts -->" + text.split("<!-- parts -->")[1] if "<!-- parts -->" in text else ""
    table = [
        f"| size | week | command | wall (median of {runs}) | CPU, user + system | load average | peak memory | reference reasons query, CPU | ratio (CPU / reference) | reasons equal |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
        *lines,
    ]
    body = head + "<!-- figures -->\n\n" + "\n".join(table) + "\n" + kept
    RESULTS.write_text(body, encoding="utf-8")


def _write_reasons(size: str, line: str) -> None:
    """One line per size in the reasons table (kept above the figures)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _HEAD
    marker = "<!-- reasons -->"
    if marker not in text:
        text = text.replace(
            "<!-- figures -->",
            f"{marker}\n\n| size | week | sqo's reasons, CPU | reference query, CPU | ratio | "
            "reasons equal |\n|---|---|---:|---:|---:|---|\n<!-- /reasons -->\n\n<!-- figures -->",
        )
    head, rest = text.split(marker)
    table, tail = rest.split("<!-- /reasons -->")
    rows = [r for r in table.strip().splitlines()[2:] if not r.startswith(f"| {size} |")]
    rows.append(f"| {size} {line}")
    header = "\n".join(table.strip().splitlines()[:2])
    RESULTS.write_text(
        head + marker + "\n\n" + header + "\n" + "\n".join(rows) + "\n<!-- /reasons -->" + tail,
        encoding="utf-8",
    )


def _write_parts(found: dict[str, list[str]]) -> None:
    """The parts tables between their markers; the notes after them are kept."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else _HEAD
    head, _, rest = text.partition("<!-- parts -->")
    tail = rest.partition("<!-- /parts -->")[2]
    text = head.rstrip() + "\n\n<!-- parts -->\n"
    for size, lines in found.items():
        text += (
            f"\n### The review's parts, {size} (`--parts`, in one process)\n\n"
            "| part | CPU | wall |\n|---|---:|---:|\n" + "\n".join(lines) + "\n"
        )
    RESULTS.write_text(text + "\n<!-- /parts -->" + tail, encoding="utf-8")


_HEAD = """# `sqo review`: measured

`make bench-review` (benchmarks/review_bench.py); the machine has 2 cores shared with other
work (a one-minute load average of 6-9 during these runs), so wall times vary with how busy it
was and the comparisons use CPU time (user + system; DuckDB's threads included).

- **Change reasons** (`ARGS=--reasons`): the week's 14 change reasons computed by sqo
  (`sqo.analytics.changes`, in-process, the analytics copy up to date) against a DuckDB query
  over the workspace's Parquet export written from docs/review.md, not from sqo's code; *reasons
  equal* compares the deals and amount of each reason.
- **The whole review** (default): `sqo review --format json` and `--format html`, each in a fresh
  process (GNU time: wall, CPU, peak memory). Its ratio sets the whole review (change reasons for
  two weeks, new and lost SQOs, funnel, benchmarks, hygiene, forecast, decisions, the coaching
  table, rendering) against the one reasons query, so it overstates what the reasons cost.
- **Parts** (`ARGS=--parts`): each part of the review timed in one process, to show where the
  time goes.

Sizes: the demo (seed 7, today 2026-06-30; week 2026-W20) and the analytics benchmark's
1,000,000 opportunities with 200 reps (`make bench-analytics` makes it; week 2025-W50).

"""


if __name__ == "__main__":
    sys.exit(main())
