"""The live connectors against RECORDED API responses (tests/fixtures/recorded/), injected through
the libraries' own seams: hubspot-api-client's ``api_factory`` with urllib3 answering from the
recording, and a ``requests.Session`` for simple-salesforce. Everything else is real: the
libraries' request building and deserialization, the readers, the writer, the database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import urllib3
from sqlalchemy import select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.io.connectors import hubspot_api
from sqo.store import tables as t
from tests.integration.io.test_hubspot import DEALS, count, stage_moves, write

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "recorded"


class RecordedHttp:
    """A urllib3 pool manager that answers from a recording and keeps the requests made."""

    def __init__(self, cassette: Path) -> None:
        self.interactions = json.loads(cassette.read_text(encoding="utf-8"))
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, url: str, fields: Any = None, body: Any = None, **kw: Any):
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        query |= {k: str(v).lower() for k, v in (fields or [])}
        sent = json.loads(body) if body else None
        base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self.requests.append(
            {"method": method, "url": base, "query": query, "body": sent, "headers": kw["headers"]}
        )
        for interaction in self.interactions:
            wanted = interaction["request"]
            if (
                wanted["method"] == method
                and wanted["url"] == base
                and all(query.get(k) == v for k, v in wanted.get("query", {}).items())
                and ("after" in wanted.get("query", {})) == ("after" in query)
                and all((sent or {}).get(k) == v for k, v in wanted.get("body", {}).items())
            ):
                response = interaction["response"]
                return urllib3.HTTPResponse(
                    body=json.dumps(response["body"]).encode(),
                    status=response["status"],
                    headers={"Content-Type": "application/json;charset=utf-8"},
                    preload_content=True,
                )
        raise AssertionError(f"no recorded response for {method} {url} {query} {sent}")


def recorded_hubspot(cassette: str) -> tuple[RecordedHttp, hubspot_api.ApiFactory]:
    from hubspot.discovery.discovery_base import DiscoveryBase

    http = RecordedHttp(RECORDED / "hubspot" / cassette)

    def factory(package: Any, api_name: str, config: dict[str, Any]) -> Any:
        api = DiscoveryBase._default_api_factory(package, api_name, config)
        api.api_client.rest_client.pool_manager = http
        return api

    return http, factory


def run(db: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", db, "import", *args])


def workspace_dump(ws) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What an import wrote, by external id (ids differ between workspaces)."""
    o, r, a, h = t.opportunities, t.reps, t.accounts, t.history
    with ws.engine.connect() as connection:
        opps = connection.execute(
            select(o, r.c.name.label("owner"), a.c.name.label("account"))
            .outerjoin(r, r.c.id == o.c.owner_id)
            .outerjoin(a, a.c.id == o.c.account_id)
        ).mappings()
        by_id = {}
        records = {}
        for row in opps:
            by_id[row["id"]] = row["external_id"]
            records[row["external_id"]] = {
                k: v for k, v in row.items() if k not in ("id", "owner_id", "account_id")
            }
        history = sorted(
            (by_id[x.record_id], x.field, str(x.old_value), str(x.new_value), x.changed_at)
            for x in connection.execute(select(h).where(h.c.record_type == "opportunity"))
        )
        reps = sorted(connection.execute(select(r.c.name, r.c.external_id)).all())
        accounts = sorted(connection.execute(select(a.c.name, a.c.external_id)).all())
    return {"opportunities": records, "history": history, "reps": reps, "accounts": accounts}


def test_hubspot_live_pages_history_and_same_workspace_as_the_export(
    workspace, actor, tmp_path, monkeypatch
):
    http, factory = recorded_hubspot("deals.json")
    monkeypatch.setattr(hubspot_api, "API_FACTORY", factory)
    monkeypatch.setenv("SQO_HUBSPOT_TOKEN", "pat-na1-test")
    result = run(workspace.url, "hubspot", "--live")
    assert result.exit_code == 0, result.output
    assert "HubSpot deals (API)" in result.output
    assert count(workspace, t.opportunities) == 3
    # Two pages of deals, each followed by the names of its deals' companies.
    assert [
        (q["method"], q["url"].rsplit("/v3/", 1)[1], q["query"].get("after")) for q in http.requests
    ] == [
        ("GET", "pipelines/deals", None),
        ("GET", "owners/", None),
        ("GET", "objects/deals", None),
        ("POST", "objects/companies/batch/read", None),
        ("GET", "objects/deals", "1002"),
        ("POST", "objects/companies/batch/read", None),
    ]
    assert all(q["headers"]["Authorization"] == "Bearer pat-na1-test" for q in http.requests)
    assert http.requests[2]["query"]["propertiesWithHistory"] == "dealstage"

    # The full stage history: the earlier visit to Presentation Scheduled is there, which an
    # export's "Date entered" columns (the last entry per stage) overwrite.
    assert stage_moves(workspace, actor, "hs:1002") == [
        (None, "Qualification", datetime(2024, 2, 1, 10)),
        ("Qualification", "SQO", datetime(2024, 2, 5, 11)),
        ("SQO", "Solution", datetime(2024, 2, 8, 9)),
        ("Solution", "SQO", datetime(2024, 2, 10, 14, 22, 10)),
        ("SQO", "Solution", datetime(2024, 2, 10, 14, 22, 40)),
    ]
    live = workspace_dump(workspace)

    again = run(workspace.url, "hubspot", "--live")
    assert again.exit_code == 0, again.output
    assert workspace_dump(workspace) == live  # idempotent

    # The equivalent export, into a fresh workspace: the same records and history, except for
    # the visits to 1002's stages the export cannot show.
    fresh = tmp_path / "from-export.db"
    assert CliRunner().invoke(app, ["--db", str(fresh), "init"]).exit_code == 0
    path = write(tmp_path / "deals.csv", DEALS)
    # USD and SEK deals: the export needs the SEK rate (per USD, the corporate currency).
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\nSEK,10.5580\n", encoding="utf-8")
    assert run(str(fresh), "hubspot", str(path), "--rates", str(rates)).exit_code == 0
    from sqo.services.workspace import open_workspace

    ws = open_workspace(str(fresh))
    exported = workspace_dump(ws)
    ws.close()
    assert exported["opportunities"] == live["opportunities"]
    assert (
        exported["reps"]
        == live["reps"]
        == [("Ann Lee", "hs:rep:Ann Lee"), ("Bo Berg", "hs:rep:Bo Berg")]
    )
    assert (
        exported["accounts"]
        == live["accounts"]
        == [
            ("Acme", "hs:account:Acme"),
            ("Initech", "hs:account:Initech"),
        ]
    )

    def without_1002_stages(history: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [x for x in history if not (x[0] == "hs:1002" and x[1] == "stage")]

    assert without_1002_stages(exported["history"]) == without_1002_stages(live["history"])
    assert len(live["history"]) - len(exported["history"]) == 2


def test_hubspot_live_unmapped_stage_refused_token_and_auth_errors(
    workspace, tmp_path, monkeypatch
):
    _http, factory = recorded_hubspot("deals.json")
    monkeypatch.setattr(hubspot_api, "API_FACTORY", factory)
    monkeypatch.delenv("SQO_HUBSPOT_TOKEN", raising=False)
    result = run(workspace.url, "hubspot", "--live")
    assert result.exit_code == 2
    assert "No HubSpot token: set SQO_HUBSPOT_TOKEN or pass --token (a private app token)." in (
        result.output
    )

    stages = tmp_path / "stages.yaml"
    stages.write_text(
        "Appointment Scheduled: Qualification\nQualified To Buy: SQO\nClosed Won: Won\n"
        "Presentation Scheduled: Solution\nContract Sent: Commit\n",
        encoding="utf-8",
    )
    result = run(workspace.url, "hubspot", "--live", "--token", "pat", "--stages", str(stages))
    assert result.exit_code == 8
    assert "deal 1003: the stage 'Closed Lost' is not mapped to a stage of this workspace" in (
        result.output
    )
    assert "HubSpot deals (API): 1 row(s) rejected; nothing from this file was imported." in (
        " ".join(result.output.split())
    )
    assert count(workspace, t.opportunities) == 0 and count(workspace, t.history) == 0

    dry = run(workspace.url, "hubspot", "--live", "--token", "pat", "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output
    assert count(workspace, t.opportunities) == 0

    _http, factory = recorded_hubspot("unauthorized.json")
    monkeypatch.setattr(hubspot_api, "API_FACTORY", factory)
    result = run(workspace.url, "hubspot", "--live", "--token", "expired")
    assert result.exit_code == 2
    assert (
        "HubSpot refused to list pipelines (HTTP 401): check the token and its scopes "
        "(crm.objects.deals.read, crm.objects.companies.read, crm.objects.owners.read)."
        in " ".join(result.output.split())
    )
