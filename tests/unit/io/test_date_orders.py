"""Each file of a Salesforce folder is read in the date order its own dates show."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sqo.domain.errors import InvalidValue
from sqo.io.csv_source import CsvSource
from sqo.io.date_orders import file_order


def _file(tmp_path: Path, rows: list[list[str]]) -> CsvSource:
    path = tmp_path / "Opportunity.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, quoting=csv.QUOTE_ALL)
        out.writerow(["Id", "CloseDate", "CreatedDate", "Amount"])
        out.writerows(rows)
    return CsvSource(path)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Data Loader: ISO everywhere.
        ([["1", "2026-02-23", "2026-02-23T20:55:00.000+0000", "10"]], "iso"),
        # A US report export: two-digit years, 12-hour clock; the 23 proves month first.
        ([["1", "2/23/26", "02/23/26 08:55 PM", "10"]], "month-first"),
        # A European report export: the 23 comes first.
        ([["1", "23/02/2026", "23/02/2026 20:55", "10"]], "day-first"),
        # Nothing over 12: read as Salesforce's default (US) locale writes it.
        ([["1", "3/4/26", "03/04/26 08:55 AM", "10"]], "month-first"),
        # Empty dates and amounts that look like fractions do not count.
        ([["1", "", "", "1/2"]], "iso"),
    ],
)
def test_the_order_comes_from_the_files_own_dates(tmp_path, rows, expected):
    assert file_order(_file(tmp_path, rows), "Opportunity.csv") == expected


def test_a_file_that_proves_both_orders_is_refused_with_the_flag_to_use(tmp_path):
    source = _file(tmp_path, [["1", "23/02/2026", "", ""], ["2", "02/23/2026", "", ""]])
    with pytest.raises(InvalidValue) as refused:
        file_order(source, "Opportunity.csv")
    message = refused.value.message
    assert "23/02/2026" in message and "02/23/2026" in message
    assert "--date-format" in message


def test_a_stray_slashed_date_in_an_iso_file_leaves_it_iso(tmp_path):
    rows = [[str(n), "2026-02-23", "2026-02-23T20:55:00.000Z", ""] for n in range(3)]
    source = _file(tmp_path, [*rows, ["9", "31/01/2024", "2026-01-02T10:00:00.000Z", ""]])
    assert file_order(source, "Opportunity.csv") == "iso"


def test_an_unknown_date_format_is_refused_up_front():
    from sqo.io.values import check_date_format

    assert check_date_format("auto", auto=True) == "auto"
    assert check_date_format("%d.%m.%Y") == "%d.%m.%Y"
    with pytest.raises(InvalidValue) as refused:
        check_date_format("bogus", auto=True)
    assert "Unknown --date-format 'bogus'" in refused.value.message
    with pytest.raises(InvalidValue):
        check_date_format("auto")  # HubSpot has no per-file detection
