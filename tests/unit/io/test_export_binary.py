"""A fitted forecast model is stored as bytes; an export must give back exactly those bytes."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from sqo.io.export import DamagedExport, TableWriter, read_batches
from sqo.store import tables as t

PAYLOADS = [b"", b"\x00\x00\xff", b"\\starts with a backslash, =SUM(A1)\n", os.urandom(70_000)]


def model_row(number: int, payload: bytes) -> tuple[object, ...]:
    at = datetime(2026, 3, 2, 9, 30, 15)
    return (number, at, "ann", "logistic_regression", at, at, 10, 4, 6, ["stage"], {}, payload)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_bytes_come_back_exactly(tmp_path: Path, fmt):
    rows = [model_row(i + 1, payload) for i, payload in enumerate(PAYLOADS)]
    writer = TableWriter(tmp_path, t.forecast_models, fmt)  # type: ignore[arg-type]
    writer.write(rows)
    writer.close()
    back = [row for batch in read_batches(writer.path, t.forecast_models, fmt, 2) for row in batch]
    assert [row[-1] for row in back] == PAYLOADS
    assert back == rows


def test_a_cell_that_is_not_base64_names_the_file_and_row(tmp_path: Path):
    writer = TableWriter(tmp_path, t.forecast_models, "csv")
    writer.write([model_row(1, b"model")])
    writer.close()
    text = writer.path.read_text(encoding="utf-8")
    writer.path.write_text(text.replace("bW9kZWw=", "not base64!"), encoding="utf-8")
    with pytest.raises(DamagedExport, match=r"forecast_models\.csv, row 2"):
        list(read_batches(writer.path, t.forecast_models, "csv", 10))
