"""Property: rows of one batch that name different columns (as a CampaignMember export mixes lead
and contact rows) are written whole: every value given is stored, and every column a row leaves
out gets the column's default, as a single INSERT would give it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sqo.store import tables as t
from sqo.store.bulk import BulkWriter

# What the schema says a column left out becomes (written here, not read from the code).
REP_DEFAULTS: dict[str, Any] = {
    "email": None,
    "team_id": None,
    "manager_id": None,
    "role": "rep",
    "active": True,
    "external_id": None,
}
ACCOUNT_DEFAULTS: dict[str, Any] = {
    "segment": None,
    "industry": None,
    "employees": None,
    "country": None,
    "created_at": None,
    "external_id": None,
    "attributes": {},
}
TEAM_ID = 900_001

text = st.text(alphabet="abcdefghij ÅÄÖé-", min_size=1, max_size=12)
rep_values = {
    "email": st.sampled_from(["noreply@acme.example", "ann@acme.example", None]),
    "team_id": st.sampled_from([TEAM_ID, None]),
    "role": st.sampled_from(["rep", "manager"]),
    "active": st.booleans(),
    "external_id": st.none(),  # made unique below
}
account_values = {
    "segment": st.sampled_from(["SMB", "enterprise", None]),
    "industry": st.one_of(st.none(), text),
    "employees": st.one_of(st.none(), st.integers(min_value=0, max_value=500_000)),
    "country": st.one_of(st.none(), text),
    "created_at": st.one_of(
        st.none(), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1))
    ),
    "external_id": st.none(),
    "attributes": st.dictionaries(st.sampled_from(["Region__c", "Tier__c"]), text, max_size=2),
}


@st.composite
def batch(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    """Reps and accounts in any order, each naming a random subset of its optional columns."""
    rows: list[tuple[str, dict[str, Any]]] = []
    rep_ids: list[int] = []
    for n in range(draw(st.integers(min_value=1, max_value=14))):
        is_rep = draw(st.booleans())
        values = rep_values if is_rep else account_values
        row: dict[str, Any] = {"id": 1000 + n, "name": f"Row {n} {draw(text)}"}
        for name in draw(st.lists(st.sampled_from(sorted(values)), unique=True)):
            row[name] = draw(values[name])
            if name == "external_id":
                row[name] = f"sf:{n}"
        if is_rep and rep_ids and draw(st.booleans()):
            row["manager_id"] = draw(st.sampled_from(rep_ids))  # an earlier row of the batch
        if is_rep:
            rep_ids.append(row["id"])
        rows.append(("reps" if is_rep else "accounts", row))
    return rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=batch(), batch_size=st.integers(min_value=1, max_value=6))
def test_every_value_lands_and_left_out_columns_get_their_default(any_workspace, rows, batch_size):
    tables = {"reps": t.reps, "accounts": t.accounts}
    defaults = {"reps": REP_DEFAULTS, "accounts": ACCOUNT_DEFAULTS}
    with any_workspace.engine.connect() as connection:
        transaction = connection.begin()
        try:
            writer = BulkWriter(connection, batch_size=batch_size)
            writer.add(t.teams, {"id": TEAM_ID, "name": "Nordics"})
            writer.flush()  # parents first, as the import writes them
            for name, row in rows:
                writer.add(tables[name], row)
            writer.finish()
            for name, table in tables.items():
                given_rows = [row for n, row in rows if n == name]
                stored = {
                    r["id"]: dict(r)
                    for r in connection.execute(
                        select(table).where(table.c.id >= 1000).order_by(table.c.id)
                    ).mappings()
                }
                assert sorted(stored) == sorted(r["id"] for r in given_rows)
                for row in given_rows:
                    expected = {**defaults[name], **row}
                    assert stored[row["id"]] == expected
        finally:
            transaction.rollback()
