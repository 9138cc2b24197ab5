"""The analytics copy (a DuckDB file) against the workspace database it mirrors, on SQLite and on
PostgreSQL: after a first build, after incremental refreshes (back-dated changes, late history
rows), after the database was replaced, after a failed refresh; the fallback when another process
holds the copy; and the same figures from the copy as from the workspace database.

Every expectation is computed here, independently of ``sqo.store.analytics_copy``: the source
tables are read with plain SQLAlchemy ``select``, the copy with plain DuckDB SQL, and
``valid_until`` is worked out in Python from the source's history.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import JSON, Text, cast, func, insert, select

from sqo.domain.actor import Actor
from sqo.domain.errors import WorkspaceError
from sqo.services import analytics, directory, leads
from sqo.services.workspace import Workspace, init_workspace
from sqo.store import analytics_copy, analytics_copy_file
from sqo.store import tables as t
from sqo.store.analytics_copy import AnalyticsCopy, CopyUnavailable, copy_path
from sqo.store.database import sqlite_path
from tests.conftest import T0
from tests.factories import org
from tests.integration.analytics.helpers import day, edit, lead, lead_move, move, opp
from tests.integration.io.test_hubspot import DEALS, HEADER
from tests.integration.io.test_hubspot import run as import_hubspot
from tests.integration.io.test_hubspot import write as write_csv

MIRRORED = (t.leads, t.opportunities, t.teams, t.reps, t.accounts, t.campaigns, t.quotas)
HISTORY_COLUMNS = ("id", "record_type", "record_id", "field", "new_value", "changed_at")
# The copy keeps history as intervals: changed_at is the interval's valid_from.
INTERVALS = "history_intervals"
INTERVAL_COLUMNS = [
    "id",
    "record_type",
    "record_id",
    "field",
    "new_value",
    "valid_from",
    "valid_until",
]
LATER = T0 + timedelta(days=365)


@pytest.fixture
def analytics_reads() -> str:
    """Overrides the folder's parametrized fixture: these tests check the copy itself (and set
    SQO_ANALYTICS_COPY themselves where it matters), so they run once per database engine."""
    return "copy"


# -- reading both sides -------------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """One form for a value read from either side. Datetimes become naive (UTC if a zone came
    along: the schema stores UTC without a zone; both sides give naive ones today); dates stay
    dates; integers, floats, booleans and text compare as they are (both sides hold the same
    IEEE double, so floats are compared exactly)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _source_rows(ws: Workspace, table: Any, names: list[str]) -> list[tuple[Any, ...]]:
    """The source table's rows (columns ``names``) ordered by id. JSON columns are read as the
    text the database stores (CAST AS TEXT: SQLite keeps JSON as text, PostgreSQL's ``json`` type
    keeps the input text verbatim): the copy keeps that text, not a parsed value, so the text is
    what must be equal."""
    columns = [
        cast(table.c[n], Text).label(n) if isinstance(table.c[n].type, JSON) else table.c[n]
        for n in names
    ]
    with ws.engine.connect() as connection:
        rows = connection.execute(select(*columns).order_by(table.c.id)).all()
    return [tuple(_norm(v) for v in row) for row in rows]


def _expected_history(ws: Workspace) -> list[tuple[Any, ...]]:
    """The analytics fields' history rows with ``valid_until``: the ``changed_at`` of the next
    row of the same (record_type, record_id, field) in (changed_at, id) order, None for the
    last."""
    h = t.history
    with ws.engine.connect() as connection:
        rows = connection.execute(
            select(*(h.c[n] for n in HISTORY_COLUMNS)).where(h.c.field.in_(t.ANALYTICS_FIELDS))
        ).all()
    chains: dict[tuple[str, int, str], list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        values = tuple(_norm(v) for v in row)
        chains[(values[1], values[2], values[3])].append(values)
    result = []
    for chain in chains.values():
        chain.sort(key=lambda r: (r[5], r[0]))
        for i, row in enumerate(chain):
            result.append((*row, chain[i + 1][5] if i + 1 < len(chain) else None))
    return sorted(result)


def _read_copy(path: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table of the copy file: its column names and its rows ordered by all columns."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        result = {}
        for name in names:
            cursor = con.execute(f"SELECT * FROM {name}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            result[name] = (columns, sorted(rows, key=lambda r: tuple(map(repr, r))))
        return result
    finally:
        con.close()


def _copy_rows(path: Path, table: str, names: list[str]) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY id").fetchall()
    finally:
        con.close()
    return [tuple(_norm(v) for v in row) for row in rows]


def _copy_columns(path: Path, table: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    finally:
        con.close()


def assert_copy_equals_source(ws: Workspace) -> None:
    """The copy holds exactly what the source holds: the mirrored tables row for row and column
    for column, and the analytics fields' history with the right ``valid_until``."""
    path = copy_path(ws.url)
    for table in MIRRORED:
        columns = _copy_columns(path, table.name)
        assert "id" in columns, table.name
        assert set(columns) <= {c.name for c in table.columns}, table.name
        mine = _copy_rows(path, table.name, columns)
        theirs = _source_rows(ws, table, columns)
        assert mine == theirs, f"table {table.name} differs from the source"
    assert _copy_columns(path, INTERVALS) == INTERVAL_COLUMNS
    assert _copy_rows(path, INTERVALS, INTERVAL_COLUMNS) == _expected_history(ws)


def _top(ws: Workspace) -> int:
    with ws.engine.connect() as connection:
        return int(connection.execute(select(func.max(t.history.c.id))).scalar_one())


def refresh(ws: Workspace) -> analytics_copy.RefreshReport:
    copy = AnalyticsCopy(ws.url, copy_path(ws.url))
    try:
        return copy.refresh()
    finally:
        copy.close()


# -- building data through the services ---------------------------------------------------------


def _busy(ws: Workspace, actor: Actor) -> dict[str, int]:
    """A varied history: leads through the lifecycle and a conversion, opportunities moved forward
    and back, edits of amount, close date, owner and JSON-backed fields, a lost deal reopened."""
    org(ws, actor)
    directory.add_campaign(
        ws, actor, "Webinar", channel="webinar", cost="1500", start="2026-01-01", end="2026-01-31"
    )
    directory.set_quota(
        ws, actor, rep="Ann Lee", period_start="2026-01-01", period_end="2026-03-31", amount="9000"
    )
    directory.set_quota(
        ws,
        actor,
        team="Nordics",
        period_start="2026-01-01",
        period_end="2026-03-31",
        amount="20000",
    )
    ids = {}
    a = lead(ws, actor, "A", T0, segment="SMB", company="Acme", campaign="Webinar")
    lead_move(ws, actor, a, "MQL", day(T0, 1))
    lead_move(ws, actor, a, "SAL", day(T0, 2))
    lead_move(ws, actor, a, "MQL", day(T0, 2.5))  # back
    lead_move(ws, actor, a, "SAL", day(T0, 3))
    lead_move(ws, actor, a, "SQL", day(T0, 4))
    _, a_opp = leads.convert_lead(ws, actor, a, at=day(T0, 5), owner="Ann Lee", amount="1200")
    ids["A"], ids["A_opp"] = a, a_opp.id
    move(ws, actor, a_opp.id, "SQO", day(T0, 7))
    move(ws, actor, a_opp.id, "Won", day(T0, 17))
    b = opp(ws, actor, "B", day(T0, 1), "SQO", account="Globex", owner="Bo Ek", amount="5000")
    edit(ws, actor, b, day(T0, 2), amount="5500.25", close_date="2026-03-31")
    edit(ws, actor, b, day(T0, 3), owner="Ann Lee", competitors="Initech, Hooli")
    edit(ws, actor, b, day(T0, 3.5), probability="35", next_step="Call the CFO")
    move(ws, actor, b, "Proposal", day(T0, 4))
    move(ws, actor, b, "Solution", day(T0, 6))  # back
    move(ws, actor, b, "Lost", day(T0, 11))
    move(ws, actor, b, "Negotiation", day(T0, 13))  # reopened
    edit(ws, actor, b, day(T0, 14), close_date="2026-04-15")
    ids["B"] = b
    c = opp(ws, actor, "C", day(T0, 2), "Qualification", close_date="2026-02-28")
    move(ws, actor, c, "SQO", day(T0, 3))
    move(ws, actor, c, "Qualification", day(T0, 4))
    move(ws, actor, c, "SQO", day(T0, 6))
    ids["C"] = c
    e = lead(ws, actor, "E", T0, segment="mid-market", owner="Bo Ek")
    lead_move(ws, actor, e, "Disqualified", day(T0, 3))
    leads.update_lead(ws, actor, e, at=day(T0, 3.5), owner="Ann Lee", email="e@example.com")
    ids["E"] = e
    ids["F"] = lead(ws, actor, "F", day(T0, 1), stage="MQL", segment="enterprise")
    return ids


# -- the tests ----------------------------------------------------------------------------------


def test_a_built_copy_equals_the_source(any_workspace, actor):
    ws = any_workspace
    _busy(ws, actor)
    report = refresh(ws)
    assert report.rebuilt
    assert_copy_equals_source(ws)
    # The comparison is not vacuous: the copy holds every kind of row built above.
    path = copy_path(ws.url)
    counts = {table.name: len(_copy_rows(path, table.name, ["id"])) for table in MIRRORED}
    assert counts == {
        "leads": 3,
        "opportunities": 3,
        "teams": 1,
        "reps": 2,
        "accounts": 2,
        "campaigns": 1,
        "quotas": 2,
    }
    fields = {r[1] for r in _copy_rows(path, INTERVALS, ["id", "field"])}
    assert fields == set(t.ANALYTICS_FIELDS)


def test_an_incremental_refresh_equals_a_rebuild(any_workspace, actor):
    ws = any_workspace
    ids = _busy(ws, actor)
    assert refresh(ws).rebuilt
    # More of everything after the first refresh.
    directory.add_rep(ws, actor, "Cy Oh", email="cy@example.com", team="Nordics")
    directory.add_account(ws, actor, "Initech", segment="mid-market")
    directory.set_quota(
        ws, actor, rep="Cy Oh", period_start="2026-04-01", period_end="2026-06-30", amount="3000"
    )
    g = opp(ws, actor, "G", day(T0, 20), "Qualification", account="Initech", owner="Cy Oh")
    move(ws, actor, g, "SQO", day(T0, 21))
    move(ws, actor, g, "Solution", day(T0, 21))  # the same moment: ordered by id
    lead_move(ws, actor, ids["F"], "SAL", day(T0, 22))
    # Back-dated changes (the services take any ``at``): C's stage rows are at days 2, 3, 4, 6;
    # a move at day 3.5 falls between them (the SQO row of day 3 is now replaced at 3.5, not 4)
    # and one at day 1 precedes them all.
    move(ws, actor, ids["C"], "Solution", day(T0, 3.5))
    move(ws, actor, ids["C"], "Proposal", day(T0, 1))
    # B's amount changed at day 2; a back-dated change at day 1.5 goes before it.
    edit(ws, actor, ids["B"], day(T0, 1.5), amount="4800")
    # A change of a field analytics do not read must still reach the copied record.
    edit(ws, actor, ids["A_opp"], day(T0, 30), name="A renamed", next_step="Upsell")
    report = refresh(ws)
    assert not report.rebuilt
    assert_copy_equals_source(ws)
    # Nothing new: still incremental, still equal.
    assert not refresh(ws).rebuilt
    assert_copy_equals_source(ws)


def test_a_directory_row_changed_in_place_reaches_the_copy(any_workspace, actor):
    """Accounts, reps, quotas... change in place, without history: the copy reads a table again
    only when its content differs, so an edit keeping the row count and the text lengths (what a
    re-import of an account's segment does) must still be noticed."""
    ws = any_workspace
    _busy(ws, actor)
    assert refresh(ws).rebuilt
    with ws.engine.begin() as connection:
        changed = connection.execute(
            t.accounts.update().where(t.accounts.c.segment == "SMB").values(segment="ENT")
        ).rowcount
    assert changed >= 1
    assert not refresh(ws).rebuilt
    assert_copy_equals_source(ws)
    with duckdb.connect(str(copy_path(ws.url)), read_only=True) as duck:
        segments = {row[0] for row in duck.execute("SELECT segment FROM accounts").fetchall()}
    assert "ENT" in segments and "SMB" not in segments


@pytest.mark.parametrize("size", ["smaller", "larger"])
def test_a_replaced_database_is_detected_and_the_copy_rebuilt(sqlite_url, actor, size):
    old = init_workspace(sqlite_url, actor)
    try:
        _busy(old, actor)
        assert refresh(old).rebuilt
        old_top = _top(old)
    finally:
        old.close()
    path = sqlite_path(old.url)
    assert path is not None
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    new = init_workspace(sqlite_url, actor)
    try:
        # Different data from day 100 on: fewer history rows than before, or more (then the row
        # at the copy's mark exists but is another change).
        org(new, actor)
        start = day(T0, 100)
        x = opp(new, actor, "X", start, "SQO", amount="700", owner="Bo Ek")
        n = 0
        while size == "larger" and _top(new) <= old_top + 5:
            n += 1
            edit(new, actor, x, day(start, n), amount=str(700 + n))
        assert (_top(new) > old_top) == (size == "larger")
        report = refresh(new)
        assert report.rebuilt
        assert_copy_equals_source(new)
    finally:
        new.close()


def test_late_history_rows_in_a_block_with_gaps_are_copied(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    x = opp(ws, actor, "X", T0, "SQO", amount="900")
    move(ws, actor, x, "Proposal", day(T0, 2))
    assert refresh(ws).rebuilt
    top = _top(ws)

    # Writing history directly is justified here only: it simulates concurrent PostgreSQL
    # transactions, which take ids in one order and commit in another, so a row with a lower id
    # becomes visible after a higher one was already copied. (Explicit ids; no service writes
    # follow, so PostgreSQL's id sequence, which these inserts do not advance, is never used.)
    def late_row(row_id: int, stage: str, old: str, at: datetime) -> None:
        with ws.engine.begin() as connection:
            connection.execute(
                insert(t.history).values(
                    id=row_id,
                    record_type="opportunity",
                    record_id=x,
                    field="stage",
                    old_value=old,
                    new_value=stage,
                    changed_at=at,
                    actor="concurrent",
                )
            )

    late_row(top + 10, "Won", "Proposal", day(T0, 20))
    assert not refresh(ws).rebuilt
    assert_copy_equals_source(ws)
    late_row(top + 5, "Negotiation", "Proposal", day(T0, 10))  # commits after top + 10
    assert not refresh(ws).rebuilt
    assert_copy_equals_source(ws)
    copied = _copy_rows(copy_path(ws.url), INTERVALS, ["id", "new_value", "valid_until"])
    assert (top + 5, "Negotiation", day(T0, 20)) in copied
    assert (top + 10, "Won", None) in copied


def test_a_failed_refresh_leaves_the_copy_as_it_was(any_workspace, actor, monkeypatch):
    ws = any_workspace
    org(ws, actor)
    x = opp(ws, actor, "X", T0, "SQO", amount="900")
    assert refresh(ws).rebuilt
    path = copy_path(ws.url)
    before = _read_copy(path)
    assert before["sqo_copy"][1] and before[INTERVALS][1]

    move(ws, actor, x, "Proposal", day(T0, 2))
    lead(ws, actor, "New lead", day(T0, 3))

    def fail(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("simulated failure late in the refresh")

    with monkeypatch.context() as patch:
        patch.setattr(AnalyticsCopy, "_load_records", fail)
        copy = AnalyticsCopy(ws.url, path)
        try:
            with pytest.raises(RuntimeError, match="simulated failure"):
                copy.refresh()
        finally:
            copy.close()
    after = _read_copy(path)
    assert after["sqo_copy"] == before["sqo_copy"]
    assert len(after[INTERVALS][1]) == len(before[INTERVALS][1])
    assert after == before  # every table, not only the meta data and the history count

    assert not refresh(ws).rebuilt
    assert_copy_equals_source(ws)


def test_a_record_updated_without_history_reaches_the_copy(any_workspace, actor, tmp_path):
    """An import that changes only a column history does not track (a HubSpot deal's Deal Type,
    kept in ``attributes``) updates the record, and bumps its version, without a history row."""
    ws = any_workspace
    first = import_hubspot(ws.url, str(write_csv(tmp_path / "deals.csv", DEALS[:1])))
    assert first.exit_code == 0, first.output
    assert refresh(ws).rebuilt
    assert_copy_equals_source(ws)
    history = _top(ws)
    row = list(DEALS[0])
    row[HEADER.index("Deal Type")] = "Renewal"
    again = import_hubspot(ws.url, str(write_csv(tmp_path / "newer.csv", [row])))
    assert again.exit_code == 0, again.output
    with ws.engine.connect() as connection:
        version, attributes = connection.execute(
            select(t.opportunities.c.version, t.opportunities.c.attributes)
        ).one()
    assert (version, attributes["Deal Type"]) == (2, "Renewal")  # the record changed
    assert _top(ws) == history  # and no history row says so
    assert not refresh(ws).rebuilt
    assert_copy_equals_source(ws)


def _same(a: Any, b: Any, where: str = "") -> None:
    """Equal, with floats compared to 1e-9 relative (sums may be added in another order)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool):
        assert b == pytest.approx(a, rel=1e-9), f"{where}: {a!r} != {b!r}"
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def test_the_fallback_when_another_process_holds_the_copy(workspace, actor, monkeypatch):
    ws = workspace
    _busy(ws, actor)
    path = copy_path(ws.url)
    refresh(ws)  # the copy exists and is up to date
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, duckdb\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('holding', flush=True)\n"
            "time.sleep(120)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(analytics_copy_file, "LOCK_WAIT_SECONDS", 0.5)
        monkeypatch.delenv("SQO_ANALYTICS_COPY", raising=False)
        fallen_back = analytics.funnel(ws, actor, as_of=LATER)
        monkeypatch.setenv("SQO_ANALYTICS_COPY", "off")
        direct = analytics.funnel(ws, actor, as_of=LATER)
        assert fallen_back.conversions  # not an empty report
        _same(fallen_back.conversions, direct.conversions)
        monkeypatch.setenv("SQO_ANALYTICS_COPY", "required")
        with pytest.raises(CopyUnavailable) as caught:
            analytics.funnel(ws, actor, as_of=LATER)
        assert isinstance(caught.value, WorkspaceError)
        assert str(path) in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


def _figures_history(ws: Workspace, actor: Actor) -> None:
    """Leads and deals across two quarters and three segments, with quotas, for every report."""
    org(ws, actor)
    directory.add_account(ws, actor, "Initech", segment="mid-market")
    for rep, amount in (("Ann Lee", "10000"), ("Bo Ek", "4000")):
        directory.set_quota(
            ws, actor, rep=rep, period_start="2026-01-01", period_end="2026-03-31", amount=amount
        )
    at = datetime(2025, 11, 3, 9)
    for n, (segment, account) in enumerate(
        (("SMB", "Acme"), ("mid-market", "Initech"), ("enterprise", "Globex"), ("SMB", "Acme"))
    ):
        start = day(at, 9 * n)
        x = lead(ws, actor, f"L{n}", start, segment=segment, company=account)
        lead_move(ws, actor, x, "MQL", day(start, 1 + n))
        if n == 3:
            lead_move(ws, actor, x, "Disqualified", day(start, 4))
            continue
        lead_move(ws, actor, x, "SAL", day(start, 3))
        lead_move(ws, actor, x, "SQL", day(start, 5 + n))
        _, o = leads.convert_lead(
            ws, actor, x, at=day(start, 8), owner="Ann Lee", amount=str(1000 * (n + 1))
        )
        move(ws, actor, o.id, "SQO", day(start, 10 + 2 * n))
        edit(ws, actor, o.id, day(start, 12), close_date="2026-03-15")
        if n == 0:
            move(ws, actor, o.id, "Won", datetime(2026, 2, 10, 10))
        elif n == 1:
            edit(ws, actor, o.id, datetime(2026, 2, 5, 10), amount="2500")
    deals = (
        ("P1", "Acme", "Ann Lee", "1500", "2026-03-20"),
        ("P2", "Globex", "Bo Ek", "8000", "2026-02-27"),
        ("P3", "Initech", "Bo Ek", "600", "2026-05-01"),
    )
    for n, (name, account, owner, amount, close) in enumerate(deals):
        x = opp(ws, actor, name, day(T0, 3 * n), "SQO", account=account, owner=owner, amount=amount)
        edit(ws, actor, x, day(T0, 3 * n + 1), close_date=close)
        if name == "P1":
            move(ws, actor, x, "Proposal", datetime(2026, 2, 3, 10))
        elif name == "P2":
            move(ws, actor, x, "Lost", datetime(2026, 2, 20, 10))
        else:
            edit(ws, actor, x, datetime(2026, 2, 12, 10), close_date="2026-03-05")
    q = opp(ws, actor, "Q", datetime(2026, 2, 4, 9), "Qualification", amount="700")
    edit(ws, actor, q, datetime(2026, 2, 4, 10), close_date="2026-03-30")
    move(ws, actor, q, "SQO", datetime(2026, 2, 9, 10))


def test_figures_from_the_copy_equal_figures_from_the_database(any_workspace, actor, monkeypatch):
    ws = any_workspace
    _figures_history(ws, actor)
    as_of = datetime(2026, 2, 28, 18)

    def figures(mode: str) -> list[Any]:
        monkeypatch.setenv("SQO_ANALYTICS_COPY", mode)
        return [
            analytics.funnel(ws, actor, by="segment,quarter", as_of=as_of),
            analytics.benchmark_report(ws, actor, as_of=as_of),
            analytics.coverage_report(ws, actor, as_of=as_of),
            analytics.pipeline_change_report(
                ws, actor, start=date(2026, 2, 1), end=date(2026, 2, 28)
            ),
        ]

    on_copy, on_database = figures("required"), figures("off")
    # Not vacuous: the history gives groups, verdicts, quota lines and waterfall bars.
    funnel, bench, cover, change = on_database
    assert len({tuple(c.group.values()) for c in funnel.conversions}) > 2
    assert any(v.value is not None for v in bench.verdicts)
    assert any(line.coverage is not None for line in cover.lines)
    assert change.start_deals and any(b.deals for b in change.bars)
    _same(on_copy, on_database)


def test_a_copy_duckdb_cannot_read_is_built_again(any_workspace, actor, monkeypatch):
    """A damaged copy (or one written by another DuckDB version) is a lost cache, not an error."""
    _figures_history(any_workspace, actor)
    path = copy_path(any_workspace.url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a DuckDB database, just some bytes" * 100)
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "required")
    from_copy = analytics.funnel(any_workspace, actor, by="segment")
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "off")
    from_database = analytics.funnel(any_workspace, actor, by="segment")
    assert from_copy.conversions
    _same(from_copy.conversions, from_database.conversions)
    assert_copy_equals_source(any_workspace)


def _funnel_both_ways(ws: Workspace, actor: Actor, monkeypatch, **options: Any) -> list[Any]:
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "required")
    from_copy = analytics.funnel(ws, actor, **options)
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "off")
    from_database = analytics.funnel(ws, actor, **options)
    _same(
        (from_copy.conversions, from_copy.win_rates, from_copy.cycles),
        (from_database.conversions, from_database.win_rates, from_database.cycles),
    )
    return from_copy.conversions


def test_kept_funnel_records_follow_changes_between_commands(any_workspace, actor, monkeypatch):
    """The copy keeps every funnel record's milestones between commands and recomputes only
    those whose history moved: conversions, back-dated moves, reopened deals and a lead that
    changes funnel record when converted must all show, and past "as of" dates still hold."""
    ws = any_workspace
    _figures_history(ws, actor)
    before = _funnel_both_ways(ws, actor, monkeypatch, by="segment,quarter")
    assert sum(c.entered for c in before) > 0
    with ws.engine.connect() as connection:
        ids = {
            name: i
            for name, i in connection.execute(select(t.opportunities.c.name, t.opportunities.c.id))
        }
        dropped = connection.execute(
            select(t.leads.c.id).where(t.leads.c.name == "L3")
        ).scalar_one()
    # The disqualified lead comes back and converts: its history joins a new opportunity.
    lead_move(ws, actor, dropped, "SQL", datetime(2026, 2, 16, 9))
    _, converted = leads.convert_lead(
        ws, actor, dropped, at=datetime(2026, 2, 17, 9), owner="Bo Ek", amount="900"
    )
    move(ws, actor, converted.id, "SQO", datetime(2026, 2, 18, 9))
    move(ws, actor, ids["P2"], "SQO", datetime(2026, 2, 25, 9))  # reopened after Lost
    move(ws, actor, ids["P3"], "Won", day(T0, 5))  # back-dated before its later edit
    fresh = lead(ws, actor, "L9", datetime(2026, 2, 19, 9), segment="SMB", company="Acme")
    lead_move(ws, actor, fresh, "MQL", datetime(2026, 2, 20, 9))
    after = _funnel_both_ways(ws, actor, monkeypatch, by="segment,quarter")
    assert after != before
    for moment in (datetime(2026, 2, 1), datetime(2026, 2, 17, 12), datetime(2025, 1, 1)):
        _funnel_both_ways(ws, actor, monkeypatch, by="segment", as_of=moment)
    _funnel_both_ways(ws, actor, monkeypatch)


def test_refresh_analytics_also_prepares_the_funnel_records(any_workspace, actor):
    from sqo.services.analytics_source import refresh_copy

    ws = any_workspace
    _figures_history(ws, actor)
    refresh_copy(ws, actor)
    with ws.engine.connect() as connection:
        opportunities = connection.execute(select(func.count()).select_from(t.opportunities))
        expected = opportunities.scalar_one()
        unconverted = select(func.count()).where(t.leads.c.converted_opportunity_id.is_(None))
        expected += connection.execute(unconverted).scalar_one()
    with duckdb.connect(str(copy_path(ws.url)), read_only=True) as copy:
        kept = copy.execute("SELECT count(*), count(DISTINCT key) FROM sqo_funnel_records")
        assert kept.fetchall() == [(expected, expected)]
        assert copy.execute("SELECT count(*) FROM sqo_pending").fetchall() == [(0,)]
