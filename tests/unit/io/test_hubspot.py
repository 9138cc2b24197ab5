"""The HubSpot reader's pure parts: stage date columns and the order of same-minute moves."""

from datetime import datetime

import pytest

from sqo.domain.errors import InvalidValue
from sqo.domain.stages import load_stage_model
from sqo.io.hubspot import DEFAULT_STAGES, HubSpotReader, StageColumn, stage_columns


def test_stage_columns_both_header_forms():
    header = [
        "Record ID",
        "Date entered Closed Won (Sales Pipeline)",
        'Date entered "Stage (2) (Partners)"',
        "Date entered current stage",
    ]
    assert stage_columns(header) == [
        StageColumn(header[1], True, "Closed Won", "Sales Pipeline"),
        StageColumn(header[2], True, "Stage (2)", "Partners"),
    ]


def reader() -> HubSpotReader:
    return HubSpotReader(load_stage_model(None), datetime(2024, 6, 1), "USD", DEFAULT_STAGES)


def test_moves_in_one_minute_are_ordered_by_their_exit_dates():
    r = reader()
    names = ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled"]
    r.columns = stage_columns(
        [f"Date {w} {n} (Sales Pipeline)" for n in names for w in ("entered", "exited")]
    )
    row = {
        "Date entered Presentation Scheduled (Sales Pipeline)": "2024-02-10 14:22",
        "Date entered Qualified To Buy (Sales Pipeline)": "2024-02-10 14:22",
        "Date exited Qualified To Buy (Sales Pipeline)": "2024-02-10 14:22",
        "Date entered Appointment Scheduled (Sales Pipeline)": "2024-02-01 10:00",
        "Date exited Appointment Scheduled (Sales Pipeline)": "2024-02-10 14:22",
    }
    assert [(e.stage, e.at) for e in r.events_from_columns(row)] == [
        ("Qualification", datetime(2024, 2, 1, 10)),
        ("SQO", datetime(2024, 2, 10, 14, 22)),
        ("Solution", datetime(2024, 2, 10, 14, 22)),
    ]


def test_an_unmapped_stage_is_named_never_guessed():
    with pytest.raises(InvalidValue, match="the stage 'Verbal Yes' is not mapped"):
        reader().stage("Verbal Yes", "Sales Pipeline")
    assert reader().stage("closedwon", None).name == "Won"
