"""A generated Salesforce export for the reliability tests (kill -9, concurrency, exports):
users, deals with stage history, in the files Salesforce's Data Loader writes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from tests.csv_files import write_export

STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Closed Won"]


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def salesforce_folder(
    folder: Path, deals: int, *, seed: int, prefix: str = "006", users: bool = True
) -> Path:
    """``deals`` opportunities (ids ``<prefix>...``), each with 1-4 stage history rows, and
    their 7 owners in User.csv (without it, the owners are placeholders the deals create)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 1, 1)
    opps: list[list[str]] = []
    history: list[list[str]] = []
    for n in range(deals):
        oid = f"{prefix}{n:015d}"
        created = start + timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
        at = created
        path = STAGES[: rng.randrange(1, 5)]
        amount = str(rng.randrange(100, 90_000))
        for stage in path:
            at += timedelta(days=rng.randrange(1, 10))
            # The last row's amount is the deal's amount, as in Salesforce.
            step = amount if stage == path[-1] else str(rng.randrange(100, 9000))
            history.append([f"008{prefix}{len(history):012d}", oid, stage, step, _stamp(at)])
        opps.append(
            [
                oid,
                f"Deal {prefix}-{n}",
                path[-1],
                amount,
                (created + timedelta(days=90)).date().isoformat(),
                _stamp(created),
                f"005{n % 7:015d}",
            ]
        )
    write_export(
        folder / "Opportunity.csv",
        ["Id", "Name", "StageName", "Amount", "CloseDate", "CreatedDate", "OwnerId"],
        opps,
    )
    write_export(
        folder / "OpportunityHistory.csv",
        ["Id", "OpportunityId", "StageName", "Amount", "CreatedDate"],
        history,
    )
    if not users:
        return folder
    write_export(
        folder / "User.csv",
        ["Id", "Name", "Email"],
        [[f"005{n:015d}", f"User {n}", f"u{n}@example.com"] for n in range(7)],
    )
    return folder
