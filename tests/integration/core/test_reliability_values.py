"""Values one engine would accept and the other refuse are decided by the domain, the same on
SQLite and PostgreSQL: over-long text and NUL characters, amounts out of range, and ``-0``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.errors import ImportFailed, InvalidValue
from sqo.domain.history import RecordType
from sqo.domain.values import TEXT_LIMITS, parse_amount, utc_now
from sqo.services import directory, opportunities
from sqo.services.imports import known_keys, run_import
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from sqo.store.consistency import disagreements
from tests.csv_files import write_export

HEADER = ["Id", "Name", "StageName", "Amount", "CloseDate", "CreatedDate", "LeadSource", "NextStep"]


def _deal(n: int, **values: str) -> list[str]:
    row = {
        "Id": f"006{n:015d}",
        "Name": f"Deal {n}",
        "StageName": "Prospecting",
        "Amount": "1000",
        "CloseDate": "2026-03-01",
        "CreatedDate": "2026-01-01",
        "LeadSource": "Web",
        "NextStep": "Call",
    }
    row.update(values)
    return [row[c] for c in HEADER]


def _import(ws: Workspace, folder: Path) -> None:
    from sqo.io import salesforce
    from sqo.io.salesforce_files import salesforce_files

    reader = salesforce.SalesforceReader(
        ws.stage_model,
        utc_now(),
        "USD",
        salesforce.DEFAULT_STAGES,
        salesforce.DEFAULT_LEAD_STATUSES,
    )
    run_import(ws, Actor("t"), "salesforce", salesforce_files(folder, reader, known_keys(ws)))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("LeadSource", "w" * 81, "row 3: The source is 81 characters long; it holds at most 80."),
        (
            "NextStep",
            "n" * 256,
            "row 3: The next_step is 256 characters long; it holds at most 255.",
        ),
        (
            "NextStep",
            "x" * 10_000_000,
            "row 3: The next_step is 10000000 characters long; it holds at most 255.",
        ),
    ],
)
def test_an_import_refuses_over_long_text_on_both_engines(
    any_workspace: Workspace, tmp_path: Path, column: str, value: str, message: str
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    write_export(folder / "Opportunity.csv", HEADER, [_deal(1), _deal(2, **{column: value})])
    with pytest.raises(ImportFailed) as refused:
        _import(any_workspace, folder)
    assert message in refused.value.message
    assert opportunities.list_opportunities(any_workspace, Actor("t"), limit=None) == []


def test_a_rep_name_longer_than_its_limit_is_refused(any_workspace: Workspace) -> None:
    with pytest.raises(InvalidValue) as refused:
        directory.add_rep(any_workspace, Actor("t"), "r" * 121)
    assert refused.value.message == "The name is 121 characters long; it holds at most 120."


def test_a_deal_source_longer_than_its_limit_is_refused(any_workspace: Workspace) -> None:
    directory.add_rep(any_workspace, Actor("t"), "Ann Lee")
    with pytest.raises(InvalidValue) as refused:
        opportunities.create_opportunity(
            any_workspace, Actor("t"), name="Big", owner="Ann Lee", source="s" * 81
        )
    assert refused.value.message == "The source is 81 characters long; it holds at most 80."


def test_the_store_columns_have_the_domain_limits() -> None:
    o = t.opportunities.c
    columns = {
        "name": o.name,
        "next_step": o.next_step,
        "loss_reason": o.loss_reason,
        "source": o.source,
        "rep": t.reps.c.name,
        "team": t.teams.c.name,
        "email": t.reps.c.email,
        "external_id": o.external_id,
    }
    lengths = {k: getattr(c.type, "length", None) for k, c in columns.items()}
    assert lengths == {k: TEXT_LIMITS[k] for k in columns}


@pytest.mark.parametrize(
    "amount", ["100000000000000000", "92233720368547758.07", "10000000000000.01"]
)
def test_amounts_above_ten_trillion_are_refused(amount: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_amount(amount)
    assert refused.value.message == (
        f"The amount {amount} is too large: sqo keeps amounts up to 10,000,000,000,000 in any "
        "currency."
    )
    assert parse_amount("10000000000000") == 10**15
    assert parse_amount(Decimal("9999999999999.99")) == 10**15 - 1


def test_an_import_refuses_an_amount_out_of_range_and_the_pipeline_works(
    any_workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    write_export(
        folder / "Opportunity.csv",
        HEADER,
        [_deal(1, Amount="10000000000000"), _deal(2, Amount="92233720368547758.07")],
    )
    with pytest.raises(ImportFailed) as refused:
        _import(any_workspace, folder)
    assert "row 3:" in refused.value.message and "too large" in refused.value.message
    result = CliRunner().invoke(app, ["--db", any_workspace.url, "pipeline"])
    assert result.exit_code == 0, result.output


def test_a_probability_of_minus_zero_is_zero_on_the_record_and_in_history(
    any_workspace: Workspace,
) -> None:
    actor = Actor("t")
    directory.add_rep(any_workspace, actor, "Ann Lee")
    opp = opportunities.create_opportunity(any_workspace, actor, name="Zero", owner="Ann Lee")
    result = CliRunner().invoke(
        app, ["--db", any_workspace.url, "opp", "update", str(opp.id), "--probability", "-0"]
    )
    assert result.exit_code == 0, result.output
    with any_workspace.engine.connect() as connection:
        assert disagreements(connection, RecordType.OPPORTUNITY)[0] == 0
        stored = connection.execute(
            t.history.select().where(t.history.c.field == "probability")
        ).all()
    assert [row.new_value for row in stored][-1] == "0.0"
