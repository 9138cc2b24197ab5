# ruff: noqa: E501
"""A realistic synthetic sales pipeline, generated outside sqo, deterministic for a seed.

Opportunities are created 2023-01-01..2025-12-31 at times to the second (mostly working hours on
weekdays, some evenings and weekends), on accounts in three segments (SMB, mid-market,
enterprise), owned by reps in teams with quarterly quotas. Each deal walks the default stage
model (Qualification -> SQO -> Solution -> Proposal -> Negotiation -> Commit -> Won) with one
history row per stage entered: a drop-out to Lost at each stage, Solution or Negotiation skipped
now and then, a few moves back from Proposal to Solution. Stays are log-normal per stage and
segment (medians differ, long tail). Amount and close-date changes, and ``closed_at`` on close,
give the pipeline change something to show. A deal whose next move would fall after
2025-12-31 23:59:59 stays open where it is.

Every random draw is a hash of (seed, opportunity, draw number), so a chunk of opportunities is
the same whichever chunks come before it: the data is generated chunk by chunk, straight into
the Parquet files of sqo's export layout, in bounded memory. benchmarks/pipeline_load.py copies
those files into a SQLite or PostgreSQL workspace.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

END = "2025-12-31 23:59:59"
STAGES = ["Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit"]
SEGMENTS = ["SMB", "mid-market", "enterprise"]
# Chance of leaving each open stage for Lost; Solution and Negotiation are sometimes skipped.
DROP = [0.42, 0.22, 0.18, 0.20, 0.15, 0.08]
SKIP = [0.0, 0.0, 0.10, 0.0, 0.12, 0.0]
# Median days in each stage per segment (SMB, mid-market, enterprise); sigma of the log.
MEDIAN_DAYS = [
    [4, 9, 18],
    [6, 12, 25],
    [5, 11, 21],
    [7, 14, 30],
    [5, 12, 26],
    [3, 7, 14],
]
SIGMA = 0.9
# Median amount in dollars per segment; sigma of the log.
AMOUNT = [8_000, 40_000, 150_000]
AMOUNT_SIGMA = 0.8
# Tables the generator fills; every other table of the export stays empty.
FILLED = ("teams", "reps", "accounts", "quotas", "opportunities", "history")


@dataclass(frozen=True)
class Size:
    opportunities: int

    @property
    def accounts(self) -> int:
        return max(50, self.opportunities // 20)

    @property
    def reps(self) -> int:
        return max(12, min(2_000, self.opportunities // 5_000))

    @property
    def teams(self) -> int:
        return max(3, self.reps // 10)


def _u(k: int, i: str = "i") -> str:
    """A uniform draw in [0, 1) for row ``i`` and draw number ``k``. One integer is hashed:
    DuckDB's hash of several values mixes them too little (draws came out correlated)."""
    return f"(hash((({i}) * 256 + {k}) * 1000 + seed_value()) >> 11) / 9007199254740992.0"


def _normal(k: int, i: str = "i") -> str:
    # Box-Muller over two draws; 1 - u keeps the logarithm away from zero.
    return f"(sqrt(-2 * ln(1 - {_u(k, i)})) * cos(2 * pi() * {_u(k + 1, i)}))"


def _pick(values: list[Any], index: str) -> str:
    return "[" + ", ".join(str(v) for v in values) + f"][{index} + 1]"


def _connect(seed: int, memory: str = "1GB") -> duckdb.DuckDBPyConnection:
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    db.execute(f"SET memory_limit = '{memory}'")
    db.execute("SET preserve_insertion_order = true")
    db.execute(f"CREATE MACRO seed_value() AS {int(seed)}")
    return db


def _directory_sql(size: Size) -> dict[str, str]:
    """Teams, reps, accounts and quotas: small, made whole."""
    segment = f"CASE WHEN {_u(1)} < 0.6 THEN 'SMB' WHEN {_u(1)} < 0.9 THEN 'mid-market' ELSE 'enterprise' END"
    return {
        "teams": f"SELECT i::BIGINT AS id, 'Team ' || i AS name, NULL::BIGINT AS manager_id, NULL::VARCHAR AS external_id FROM range(1, {size.teams + 1}) t(i)",
        "reps": f"SELECT i::BIGINT AS id, 'Rep ' || i AS name, 'rep' || i || '@example.com' AS email, (1 + (i - 1) % {size.teams})::BIGINT AS team_id, NULL::BIGINT AS manager_id, 'rep' AS role, true AS active, NULL::VARCHAR AS external_id FROM range(1, {size.reps + 1}) t(i)",
        "accounts": f"SELECT i::BIGINT AS id, 'Account ' || i AS name, {segment} AS segment, NULL::VARCHAR AS industry, NULL::BIGINT AS employees, NULL::VARCHAR AS country, NULL::TIMESTAMP AS created_at, NULL::VARCHAR AS external_id, '{{}}' AS attributes FROM range(1, {size.accounts + 1}) t(i)",
        # A quota per rep and per team for every quarter 2023-2026; rep quotas vary around a
        # level that makes coverage land near the healthy band.
        "quotas": f"""
            WITH q AS (SELECT (DATE '2023-01-01' + to_months(3 * n))::DATE AS s FROM range(16) t(n)),
            rep_q AS (
                SELECT r.i AS rep, q.s FROM range(1, {size.reps + 1}) r(i), q
            ),
            team_q AS (
                SELECT t.i AS team, q.s FROM range(1, {size.teams + 1}) t(i), q
            ),
            unioned AS (
                SELECT rep::BIGINT AS rep_id, NULL::BIGINT AS team_id, s,
                       (round({size.opportunities // size.reps // 12} * 30000 * (0.7 + 0.6 * {_u(2, "rep * 100000 + (s - DATE '2023-01-01')")})) * 100)::BIGINT AS amount_cents
                FROM rep_q
                UNION ALL
                SELECT NULL, team::BIGINT, s,
                       (round({size.opportunities // size.teams // 12} * 30000 * 0.9) * 100)::BIGINT
                FROM team_q
            )
            SELECT row_number() OVER (ORDER BY s, rep_id NULLS LAST, team_id)::BIGINT AS id, rep_id, team_id,
                   s AS period_start, (s + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE AS period_end,
                   amount_cents, 'USD' AS currency
            FROM unioned
        """,
    }


def _deals_sql(size: Size, first: int, last: int) -> str:
    """One row per opportunity of ids ``first``..``last`` with its whole path, as columns."""
    day = f"floor({_u(10)} * 1096)::INT"
    # Weekends: most deals created on a Saturday move to the Monday after, on a Sunday to the
    # Friday before.
    hour_s = f"CASE WHEN {_u(12)} < 0.85 THEN 8 * 3600 + floor({_u(13)} * 36000) ELSE floor({_u(13)} * 86400) END"
    steps = []
    for k in range(6):
        median = _pick(MEDIAN_DAYS[k], "seg")
        steps.append(
            f"CASE WHEN {_u(40 + k)} < {SKIP[k]} THEN 0 ELSE ({median}) * 86400 * exp({SIGMA} * {_normal(20 + 2 * k)}) END AS stay{k}"
        )
        steps.append(f"{_u(40 + k)} < {SKIP[k]} AS skip{k}")
        steps.append(f"{_u(50 + k)} < {DROP[k]} AS drop{k}")
    return f"""
        SELECT i, account_id, seg, owner_id, created, amount0, amount_factor,
               {_u(60)} < 0.3 AS amount_changes, {_u(61)} AS amount_when,
               {_u(62)} < 0.25 AS close_pushed, 30 + floor({_u(63)} * 61)::INT AS push_days, {_u(64)} AS push_when,
               {_u(65)} < 0.03 AS goes_back, {_u(66)} AS source_draw,
               {", ".join(steps)}
        FROM (
            SELECT i, a.id AS account_id, list_position(['SMB', 'mid-market', 'enterprise'], a.segment) - 1 AS seg,
                   (1 + floor({_u(11)} * {size.reps}))::BIGINT AS owner_id,
                   (DATE '2023-01-01' + d + CASE WHEN {_u(14)} < 0.8 THEN CASE dayofweek(DATE '2023-01-01' + d) WHEN 6 THEN 2 WHEN 0 THEN -2 ELSE 0 END ELSE 0 END)
                       + to_seconds(({hour_s})::BIGINT) AS created,
                   (round({_pick(AMOUNT, "list_position(['SMB', 'mid-market', 'enterprise'], a.segment) - 1")} * exp({AMOUNT_SIGMA} * {_normal(16)}) / 100) * 10000)::BIGINT AS amount0,
                   0.7 + 0.6 * {_u(18)} AS amount_factor
            FROM (SELECT i, {day} AS d, (1 + floor({_u(17)} * {size.accounts}))::BIGINT AS acc FROM range({first}, {last + 1}) t(i)) base
            JOIN accounts a ON a.id = base.acc
        )
    """


def _moves_sql() -> str:
    """The stage rows of every deal of the ``deals`` table: (i, stage, at)."""
    parts = []
    # Entering stage k happens after the stays of the earlier stages (a skipped one lasts 0).
    for k in range(6):
        entered = " + ".join(["0"] + [f"stay{j}" for j in range(k)])
        reached = " AND ".join(["true"] + [f"NOT (drop{j} AND NOT skip{j})" for j in range(k)])
        parts.append(
            f"SELECT i, {k} AS pos, '{STAGES[k]}' AS stage, created + to_microseconds(round(({entered}) * 1e6)::BIGINT) AS moment, 0 AS ord FROM deals WHERE {reached} AND NOT skip{k}"
        )
        # Leaving stage k for Lost at the end of its stay.
        parts.append(
            f"SELECT i, {k} + 0.5, 'Lost', created + to_microseconds(round(({entered} + stay{k}) * 1e6)::BIGINT), 0 FROM deals WHERE {reached} AND drop{k} AND NOT skip{k}"
        )
    won_reached = " AND ".join(f"NOT (drop{j} AND NOT skip{j})" for j in range(6))
    won_at = " + ".join(f"stay{j}" for j in range(6))
    parts.append(
        f"SELECT i, 6, 'Won', created + to_microseconds(round(({won_at}) * 1e6)::BIGINT), 0 FROM deals WHERE {won_reached}"
    )
    # A few deals go back from Proposal to Solution for a while, then return to Proposal.
    back = " AND ".join(f"NOT (drop{j} AND NOT skip{j})" for j in range(3))
    at3 = "stay0 + stay1 + stay2"
    parts.append(
        f"SELECT i, 3.2, 'Solution', created + to_microseconds(round(({at3} + 0.4 * stay3) * 1e6)::BIGINT), 0 FROM deals WHERE goes_back AND {back}"
    )
    parts.append(
        f"SELECT i, 3.4, 'Proposal', created + to_microseconds(round(({at3} + 0.7 * stay3) * 1e6)::BIGINT), 0 FROM deals WHERE goes_back AND {back}"
    )
    # Seconds only: sqo keeps timestamps to the second from most sources.
    return f"SELECT i, pos, stage, date_trunc('second', moment) AS moment FROM ({' UNION ALL '.join(parts)}) WHERE moment <= TIMESTAMP '{END}'"


def _chunk_tables(db: duckdb.DuckDBPyConnection, size: Size, first: int, last: int) -> None:
    db.execute(f"CREATE OR REPLACE TEMP TABLE deals AS {_deals_sql(size, first, last)}")
    db.execute(f"CREATE OR REPLACE TEMP TABLE moves AS {_moves_sql()}")
    # The last stage row is where the deal is now; its close (Won or Lost) ends its life.
    db.execute("""
        CREATE OR REPLACE TEMP TABLE fate AS
        SELECT i, arg_max(stage, (moment, pos)) AS stage, max(moment) AS last_at,
               max(moment) FILTER (WHERE stage IN ('Won', 'Lost')) AS closed_at,
               max(pos) AS pos
        FROM moves GROUP BY i
    """)
    # The expected close date set at creation: creation plus a typical cycle for the segment.
    db.execute(f"""
        CREATE OR REPLACE TEMP TABLE plan AS
        SELECT d.*, f.stage AS final_stage, f.closed_at, f.last_at,
               (d.created::DATE + ({_pick([45, 75, 120], "d.seg")}))::DATE AS close0,
               d.created + (coalesce(f.closed_at, TIMESTAMP '{END}') - d.created) * amount_when AS amount_at,
               d.created + (coalesce(f.closed_at, TIMESTAMP '{END}') - d.created) * push_when AS push_at
        FROM deals d JOIN fate f USING (i)
    """)
    db.execute("""
        CREATE OR REPLACE TEMP TABLE changes AS
        SELECT i, 'stage' AS field, stage AS new_value, moment, pos AS ord FROM moves
        UNION ALL SELECT i, 'owner_id', owner_id::VARCHAR, created, -3 FROM plan
        UNION ALL SELECT i, 'amount_cents', amount0::VARCHAR, created, -2 FROM plan
        UNION ALL SELECT i, 'close_date', strftime(close0, '%Y-%m-%d'), created, -1 FROM plan
        UNION ALL SELECT i, 'amount_cents', (round(amount0 * amount_factor / 10000) * 10000)::BIGINT::VARCHAR,
                         date_trunc('second', amount_at), 10 FROM plan
                  WHERE amount_changes AND date_trunc('second', amount_at) > created
        UNION ALL SELECT i, 'close_date', strftime(close0 + push_days, '%Y-%m-%d'), date_trunc('second', push_at), 11 FROM plan
                  WHERE close_pushed AND date_trunc('second', push_at) > created
        UNION ALL SELECT i, 'close_date', strftime(closed_at::DATE, '%Y-%m-%d'), closed_at, 12 FROM plan
                  WHERE closed_at IS NOT NULL
        UNION ALL SELECT i, 'closed_at', strftime(closed_at, '%Y-%m-%dT%H:%M:%S'), closed_at, 13 FROM plan
                  WHERE closed_at IS NOT NULL
    """)
    # The current values: each field's last value in time order.
    db.execute("""
        CREATE OR REPLACE TEMP TABLE current AS
        SELECT i,
               arg_max(new_value, (moment, ord)) FILTER (WHERE field = 'amount_cents')::BIGINT AS amount_cents,
               arg_max(new_value, (moment, ord)) FILTER (WHERE field = 'close_date')::DATE AS close_date
        FROM changes GROUP BY i
    """)


def _opportunities_select() -> str:
    source = "CASE WHEN source_draw < 0.35 THEN 'web' WHEN source_draw < 0.55 THEN 'event' WHEN source_draw < 0.75 THEN 'partner' ELSE 'outbound' END"
    return f"""
        SELECT p.i::BIGINT AS id, 'Deal ' || p.i AS name, p.account_id::BIGINT AS account_id, p.owner_id,
               p.final_stage AS stage, c.amount_cents, 'USD' AS currency, c.close_date,
               NULL::VARCHAR AS next_step, NULL::DATE AS next_step_due, NULL::VARCHAR AS forecast_category,
               NULL::DOUBLE AS probability, '[]' AS competitors, 'standard' AS complexity,
               CASE WHEN p.final_stage = 'Lost' THEN 'No decision' END AS loss_reason,
               NULL::BIGINT AS lead_id, NULL::BIGINT AS campaign_id, {source} AS source,
               p.created AS created_at, p.closed_at, 1::BIGINT AS version, NULL::VARCHAR AS external_id,
               '{{}}' AS attributes
        FROM plan p JOIN current c USING (i) ORDER BY p.i
    """


def _history_select(first_id: int) -> str:
    # Ids in time order within a deal, as sqo writes them (creation rows first).
    return f"""
        SELECT ({first_id} + row_number() OVER (ORDER BY i, moment, ord) - 1)::BIGINT AS id,
               'opportunity' AS record_type, i::BIGINT AS record_id, field,
               lag(new_value) OVER (PARTITION BY i, field ORDER BY moment, ord) AS old_value, new_value,
               moment AS changed_at, 'bench' AS actor, NULL::VARCHAR AS justification
        FROM changes ORDER BY id
    """


def _schemas() -> dict[str, Any]:
    from sqo.io.export import arrow_schema
    from sqo.store import tables as t

    return {table.name: arrow_schema(table) for table in t.metadata.sorted_tables}


class _Writer:
    def __init__(self, folder: Path, schemas: dict[str, Any]) -> None:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        self.folder = folder
        self.schemas = schemas
        self.rows = dict.fromkeys(FILLED, 0)
        self.writers = {
            name: pq.ParquetWriter(folder / f"{name}.parquet", schemas[name], compression="zstd")
            for name in FILLED
        }

    def write(self, db: duckdb.DuckDBPyConnection, name: str, sql: str) -> int:
        reader = db.sql(sql).to_arrow_reader(batch_size=500_000)
        count = 0
        for batch in reader:
            table = _as_schema(batch, self.schemas[name])
            self.writers[name].write_table(table)
            count += batch.num_rows
        self.rows[name] += count
        return count

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def _as_schema(batch: Any, schema: Any) -> Any:
    import pyarrow as pa

    table = pa.Table.from_batches([batch])
    return table.rename_columns(schema.names).cast(schema)


def _empty_export(folder: Path) -> dict[str, Any]:
    """An export of a freshly initialised workspace (sqo's own export): the manifest and an
    empty file per table, so the layout is exactly sqo's."""
    from sqo.domain.actor import Actor
    from sqo.services.exports import export_workspace
    from sqo.services.workspace import init_workspace, open_workspace

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "empty.db"
        init_workspace(str(db), Actor(name="bench")).close()
        ws = open_workspace(str(db))
        try:
            export_workspace(ws, Actor(name="bench"), folder, fmt="parquet", force=True)
        finally:
            ws.close()
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def generate_parquet(
    folder: Path,
    opportunities: int,
    *,
    seed: int = 12,
    chunk: int = 500_000,
    log: bool = True,
    layout: bool = True,
) -> dict[str, int]:
    """The export layout of a workspace holding ``opportunities`` generated deals, in
    ``folder`` (replaced). Memory stays bounded by ``chunk`` deals at a time. Without
    ``layout``, only the filled tables' files (no manifest, no empty tables): quicker, for tests."""
    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    manifest = _empty_export(folder) if layout else None
    size = Size(opportunities)
    db = _connect(seed)
    directory = _directory_sql(size)
    db.execute(f"CREATE TEMP TABLE accounts AS {directory['accounts']}")
    writer = _Writer(folder, _schemas())
    try:
        for name in ("teams", "reps", "accounts", "quotas"):
            writer.write(db, name, f"SELECT * FROM ({directory[name]}) ORDER BY id")
        history_id = 1
        for first in range(1, opportunities + 1, chunk):
            last = min(opportunities, first + chunk - 1)
            _chunk_tables(db, size, first, last)
            writer.write(db, "opportunities", _opportunities_select())
            history_id += writer.write(db, "history", _history_select(history_id))
            if log:
                print(
                    f"  generated deals {first:,}-{last:,}: {writer.rows['history']:,} history rows, "
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
    finally:
        writer.close()
        db.close()
    if manifest is not None:
        for name, count in writer.rows.items():
            manifest["tables"][name]["rows"] = count
        (folder / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return dict(writer.rows)
