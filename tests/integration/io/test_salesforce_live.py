"""``sqo import salesforce --live`` against RECORDED REST responses (tests/fixtures/recorded/
salesforce/), served through a ``requests.Session`` whose transport adapter answers from the
recording; the session is simple-salesforce's own ``session=`` seam. Everything else is real:
simple-salesforce's request building, paging and errors, the reader, the writer, the database."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.io.connectors import salesforce_api
from sqo.io.connectors.salesforce_api import text
from sqo.store import tables as t

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded" / "salesforce"
INSTANCE = "https://acme.my.salesforce.com"

O1, O2, O3 = "sf:0065g00000MnOp1AAA", "sf:0065g00000MnOp2AAA", "sf:0065g00000MnOp3AAA"


class RecordedSalesforce(BaseAdapter):
    """Answers each request from the recorded interactions of one folder; keeps the requests."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.interactions = [
            json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
        ]
        self.requests: list[dict[str, Any]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        soql = parse_qs(parts.query).get("q", [None])[0]
        self.requests.append(
            {
                "method": request.method,
                "host": parts.netloc,
                "path": parts.path,
                "soql": soql,
                "auth": request.headers.get("Authorization"),
                "timeout": kwargs.get("timeout"),
            }
        )
        for interaction in self.interactions:
            wanted = interaction["request"]
            if (
                wanted["method"] == request.method
                and re.fullmatch(wanted["path"], parts.path)
                and ("soql" not in wanted or re.fullmatch(wanted["soql"], soql or ""))
            ):
                response = requests.Response()
                response.status_code = interaction["response"]["status"]
                response._content = json.dumps(interaction["response"]["body"]).encode()
                response.headers["Content-Type"] = "application/json;charset=UTF-8"
                response.url = request.url or ""
                response.request = request
                return response
        raise AssertionError(f"no recorded response for {request.method} {request.url}")

    def close(self) -> None:
        pass


def recorded(monkeypatch: pytest.MonkeyPatch, folder: str = "org") -> RecordedSalesforce:
    adapter = RecordedSalesforce(RECORDED / folder)
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    monkeypatch.setattr(salesforce_api, "SESSION", session)
    return adapter


def run(db: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", db, "import", "salesforce", *args])


def flat(output: str) -> str:
    return " ".join(output.split())


def count(ws, table) -> int:  # type: ignore[no-untyped-def]
    with ws.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


TABLES = (
    "reps",
    "teams",
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "opportunity_contacts",
    "activities",
    "history",
)


def dump(ws) -> dict[str, list[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    """Every imported table, rows sorted, without the audit log's import times."""
    with ws.engine.connect() as connection:
        return {
            name: sorted(
                (
                    tuple(map(repr, row))
                    for row in connection.execute(select(t.metadata.tables[name]))
                ),
            )
            for name in TABLES
        }


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQO_SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SQO_SALESFORCE_TOKEN", "00D5g000004AbCd!AQ0AQtest")


def test_values_become_what_an_export_writes():
    assert text("2024-03-05T14:22:00.000+0000") == "2024-03-05T14:22:00.000Z"
    assert text("2024-03-05T16:22:07.250+0200") == "2024-03-05T14:22:07.250Z"
    assert text("2024-03-05") == "2024-03-05"
    assert [text(True), text(False), text(None)] == ["true", "false", ""]
    assert [text(12000.0), text(1500.5), text(1200), text(1e16)] == [
        "12000.0",
        "1500.5",
        "1200",
        "10000000000000000.0",
    ]


def test_live_import_pages_history_owners_custom_fields_and_idempotence(
    workspace, env, monkeypatch
):
    http = recorded(monkeypatch)
    result = run(workspace.url, "--live")
    assert result.exit_code == 0, result.output
    with workspace.engine.connect() as connection:
        files = [
            (d["file"], d["created"])
            for (d,) in connection.execute(
                select(t.audit_log.c.detail)
                .where(t.audit_log.c.action == "import.file")
                .order_by(t.audit_log.c.id)
            )
        ]
    assert files == [  # the folder's import order; Campaign and CampaignMember not exposed
        ("User (API)", 2),
        ("Account (API)", 2),
        ("Contact (API)", 1),
        ("OpportunityHistory (API)", 0),
        ("OpportunityFieldHistory (API)", 0),
        ("Opportunity (API)", 3),
        ("LeadHistory (API)", 0),
        ("Lead (API)", 2),
        ("OpportunityContactRole (API)", 1),
        ("Task (API)", 1),
        ("Event (API)", 1),
    ]

    # The requests: describe where custom fields matter, one paged query per object (Campaign and
    # CampaignMember refused with INVALID_TYPE and skipped), the ids for the history, archived
    # activities through queryAll. All authenticated with the token, none without a timeout.
    calls = [
        (r["method"], r["path"].removeprefix("/services/data/v59.0/"), r["soql"])
        for r in http.requests
    ]
    assert [c[1] for c in calls if c[2] is None] == [
        "sobjects/Account/describe",
        "sobjects/Opportunity/describe",
        "sobjects/Lead/describe",
        "query/0r85g00000AbCdEAAV-4",  # OpportunityHistory's second page, read while importing
    ]
    objects = [re.search(r"FROM (\w+)", c[2]).group(1) for c in calls if c[2]]  # type: ignore[union-attr]
    assert objects == [
        "User",
        "Account",
        "Campaign",
        "Contact",
        "OpportunityHistory",
        "OpportunityFieldHistory",
        "Opportunity",
        "LeadHistory",
        "Lead",
        "OpportunityContactRole",
        "CampaignMember",
        "Task",
        "Event",
        "Opportunity",
        "Lead",
    ]
    assert all(r["host"] == "acme.my.salesforce.com" for r in http.requests)
    assert all(r["auth"] == "Bearer 00D5g000004AbCd!AQ0AQtest" for r in http.requests)
    by_object = {
        re.search(r"FROM (\w+)", c[2]).group(1): c
        for c in calls
        if c[2] and "SELECT Id FROM" not in c[2]
    }  # type: ignore[union-attr]
    opp_soql = by_object["Opportunity"][2]
    assert "Region__c, Seats__c, Loss_Reason__c FROM Opportunity" in opp_soql
    assert "CurrencyIsoCode" not in opp_soql  # not in this single-currency org's describe
    assert "HQ_Location__c" not in by_object["Account"][2]  # a compound (location) field
    assert "UserRole.Name" in by_object["User"][2]
    assert by_object["Task"][1] == "queryAll/" and "WHERE IsDeleted = false" in by_object["Task"][2]
    assert "WHERE Field = 'StageName'" in by_object["OpportunityFieldHistory"][2]

    # Counts.
    assert count(workspace, t.opportunities) == 3
    assert count(workspace, t.accounts) == 2
    assert count(workspace, t.reps) == 2
    assert count(workspace, t.contacts) == 1
    assert count(workspace, t.leads) == 2
    assert count(workspace, t.activities) == 2
    assert count(workspace, t.opportunity_contacts) == 1
    with workspace.engine.connect() as connection:
        # The role's CreatedDate (2025-03-04T10:15:00.000+0000) is when it became known, in UTC.
        added = connection.execute(select(t.opportunity_contacts.c.added_at)).scalar_one()
    assert added == datetime(2025, 3, 4, 10, 15)

    with workspace.engine.connect() as connection:
        o, r, a, h = t.opportunities, t.reps, t.accounts, t.history
        opps = {
            row.external_id: row
            for row in connection.execute(
                select(o, r.c.name.label("owner"), a.c.name.label("account"))
                .outerjoin(r, r.c.id == o.c.owner_id)
                .outerjoin(a, a.c.id == o.c.account_id)
            )
        }
        # Owners from User, with their team and manager; custom fields kept as attributes.
        assert {k: (v.owner, v.account) for k, v in opps.items()} == {
            O1: ("Ann Lee", "Acme AB"),
            O2: ("Bo Berg", "Globex"),
            O3: ("Ann Lee", "Acme AB"),
        }
        assert opps[O1].attributes == {"Region__c": "EMEA", "Seats__c": "50.0"}
        assert opps[O2].attributes == {}
        assert opps[O3].loss_reason == "Price"
        assert opps[O2].amount_cents == 150050 and opps[O2].next_step == "Send pricing"
        assert opps[O1].closed_at == datetime(2024, 3, 1, 15)
        assert opps[O3].closed_at == datetime(2024, 4, 2, 16, 45, 12)
        bo = connection.execute(select(r).where(r.c.name == "Bo Berg")).one()
        ann = connection.execute(select(r).where(r.c.name == "Ann Lee")).one()
        assert bo.manager_id == ann.id and bo.active is False and ann.team_id is not None
        accounts = {x.name: x for x in connection.execute(select(a))}
        assert accounts["Acme AB"].attributes == {"Tier__c": "Gold"}
        assert accounts["Acme AB"].employees == 1200
        lead = connection.execute(select(t.leads).where(t.leads.c.name == "Dana Ek")).one()
        assert lead.attributes == {"Intent_Score__c": "72.5"}

        # Stage history with the real timestamps, across both pages of OpportunityHistory.
        ids = {v.id: k for k, v in opps.items()}
        moves = sorted(
            [
                (ids[x.record_id], x.old_value, x.new_value, x.changed_at)
                for x in connection.execute(
                    select(h).where(h.c.record_type == "opportunity", h.c.field == "stage")
                )
            ],
            key=lambda m: (m[0], m[3]),
        )
    assert [(m[1], m[2], m[3]) for m in moves if m[0] == O1] == [
        (None, "Qualification", datetime(2024, 1, 2, 9)),
        ("Qualification", "SQO", datetime(2024, 1, 20, 9)),
        ("SQO", "Won", datetime(2024, 3, 1, 15)),
    ]
    assert [(m[1], m[2], m[3]) for m in moves if m[0] == O3] == [
        (None, "Qualification", datetime(2024, 2, 10, 11, 30)),
        ("Qualification", "Lost", datetime(2024, 4, 2, 16, 45, 12)),
    ]

    # Idempotent: a second live run changes nothing.
    before = dump(workspace)
    again = run(workspace.url, "--live")
    assert again.exit_code == 0, again.output
    assert dump(workspace) == before


def test_live_and_export_folder_give_the_same_workspace(workspace, env, tmp_path, monkeypatch):
    recorded(monkeypatch)
    assert run(workspace.url, "--live").exit_code == 0
    live = dump(workspace)

    fresh = tmp_path / "from-export.db"
    assert CliRunner().invoke(app, ["--db", str(fresh), "init"]).exit_code == 0
    result = run(str(fresh), str(RECORDED / "export"))
    assert result.exit_code == 0, result.output
    from sqo.services.workspace import open_workspace

    ws = open_workspace(str(fresh))
    exported = dump(ws)
    ws.close()
    assert {k: len(v) for k, v in live.items()} == {k: len(v) for k, v in exported.items()}
    assert exported == live


def test_live_dry_run_and_folder_or_live(workspace, env, tmp_path, monkeypatch):
    recorded(monkeypatch)
    dry = run(workspace.url, "--live", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was written." in dry.output
    assert "Event" in dry.output and "Campaign" not in dry.output
    assert count(workspace, t.opportunities) == 0 and count(workspace, t.history) == 0

    both = run(workspace.url, str(tmp_path), "--live")
    assert both.exit_code == 2 and "Give either a FOLDER or --live." in flat(both.output)
    neither = run(workspace.url)
    assert neither.exit_code == 2 and "Give either a FOLDER or --live." in flat(neither.output)


def test_live_missing_token_and_expired_session(workspace, monkeypatch):
    http = recorded(monkeypatch)
    monkeypatch.delenv("SQO_SALESFORCE_TOKEN", raising=False)
    monkeypatch.delenv("SQO_SALESFORCE_INSTANCE_URL", raising=False)
    result = run(workspace.url, "--live", "--instance-url", INSTANCE)
    assert result.exit_code == 2
    assert (
        "No Salesforce token: set SQO_SALESFORCE_TOKEN or pass --token (a session id or OAuth "
        "access token, such as `sf org display` shows)." in flat(result.output)
    )
    result = run(workspace.url, "--live", "--token", "x")
    assert result.exit_code == 2
    assert "No Salesforce instance URL: set SQO_SALESFORCE_INSTANCE_URL" in flat(result.output)
    assert http.requests == []

    recorded(monkeypatch, "expired")
    result = run(
        workspace.url, "--live", "--instance-url", "acme.my.salesforce.com", "--token", "old"
    )
    assert result.exit_code == 2, result.output
    assert (
        "Salesforce refused to read User (HTTP 401): the session token is invalid or has "
        "expired; sign in again and pass a new one (`sf org display` shows it)."
        in flat(result.output)
    )
    assert count(workspace, t.opportunities) == 0
