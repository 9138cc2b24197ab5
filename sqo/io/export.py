"""The files of an sqo export: one file per table (CSV or Parquet) and ``manifest.json``.

Values are written so that reading them back gives exactly the same value:

- CSV (UTF-8, comma, header row of column names): an empty cell is NULL; text is written as it
  is, except that a leading backslash is an escape (a text that starts with ``\\`` is written
  with one more ``\\`` in front, and the empty text is written as a single ``\\``), and that a
  text a spreadsheet would run as a formula (it starts with ``= + - @``, a tab or a carriage
  return), or that starts with ``'``, is written with a ``'`` in front (format version 2; see
  :mod:`sqo.io.formula_guard`). Number columns are never quoted: ``-5`` is data. Integers in
  decimal, floats as Python's shortest exact ``repr``, booleans ``true``/``false``, dates
  ``YYYY-MM-DD``, timestamps ISO 8601 without a zone (UTC), JSON columns as JSON text.
- Parquet: native types (int64, float64, bool, date32, timestamp[us]); text and JSON columns
  as UTF-8 strings (JSON as JSON text).

Both formats are written and read in batches, so memory stays flat whatever the table size.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Table

from sqo.domain.errors import InvalidValue
from sqo.i18n import _
from sqo.io.formula_guard import guard_text, unguard_text
from sqo.store.kinds import column_kind

Format = Literal["csv", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "parquet")
FORMAT_VERSION = 2
# Version 1 wrote formula-like text unquoted, so a leading quote in it is the text's own.
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def kinds(table: Table) -> list[str]:
    return [column_kind(c) for c in table.columns]


# --- CSV cells -------------------------------------------------------------------------------


def _text_out(value: str) -> str:
    return "\\" + value if value == "" or value.startswith("\\") else guard_text(value)


def _text_in(cell: str) -> str:
    return cell[1:] if cell.startswith("\\") else unguard_text(cell)


def _text_in_version_1(cell: str) -> str:
    return cell[1:] if cell.startswith("\\") else cell


def _bool_in(cell: str) -> bool:
    if cell not in ("true", "false"):
        raise ValueError(cell)
    return cell == "true"


CELL_OUT: dict[str, Callable[[Any], str]] = {
    "text": _text_out,
    "int": str,
    "float": repr,
    "bool": lambda v: "true" if v else "false",
    "date": lambda v: v.isoformat(),
    "datetime": lambda v: v.isoformat(),
    "json": lambda v: json.dumps(v, ensure_ascii=False),
}
CELL_IN: dict[str, Callable[[str], Any]] = {
    "text": _text_in,
    "int": int,
    "float": float,
    "bool": _bool_in,
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "json": json.loads,
}

# --- Parquet ----------------------------------------------------------------------------------


def arrow_schema(table: Table) -> Any:
    # pyarrow is imported when Parquet is used: it costs every other command a fifth of a second.
    import pyarrow as pa  # type: ignore[import-untyped]

    arrow = {
        "text": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us"),
        "json": pa.string(),
    }
    return pa.schema(
        [pa.field(c.name, arrow[k]) for c, k in zip(table.columns, kinds(table), strict=True)]
    )


class DamagedExport(InvalidValue):
    """A file of the export cannot be read back; the message names the file (and row)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="export")


def _row_problem(file: str, row: int, problem: str) -> DamagedExport:
    return DamagedExport(
        _("{file}, row {row}: {problem}", file=file, row=row, problem=problem),
    )


# --- Writing ----------------------------------------------------------------------------------


class TableWriter:
    """Writes one table's rows, batch after batch, into one file."""

    def __init__(self, folder: Path, table: Table, fmt: Format) -> None:
        self.table = table
        self.fmt = fmt
        self.path = folder / f"{table.name}.{fmt}"
        self.kinds = kinds(table)
        self.rows = 0
        self._csv_handle: Any = None
        self._csv: Any = None
        self._parquet: Any = None
        self._schema = arrow_schema(table)
        if fmt == "csv":
            self._csv_handle = self.path.open("w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._csv_handle, lineterminator="\n")
            self._csv.writerow([c.name for c in table.columns])
        else:
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            self._parquet = pq.ParquetWriter(self.path, self._schema, compression="zstd")

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        self.rows += len(rows)
        if self._csv is not None:
            out = [CELL_OUT[k] for k in self.kinds]
            self._csv.writerows(
                [["" if v is None else f(v) for v, f in zip(row, out, strict=True)] for row in rows]
            )
            return
        assert self._parquet is not None
        import pyarrow as pa

        columns = list(zip(*rows, strict=True))
        arrays = []
        for values, kind, field in zip(columns, self.kinds, self._schema, strict=True):
            if kind == "json":
                values = tuple(
                    None if v is None else json.dumps(v, ensure_ascii=False) for v in values
                )
            arrays.append(pa.array(values, type=field.type))
        self._parquet.write_table(pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        if self._csv_handle is not None:
            self._csv_handle.close()
        if self._parquet is not None:
            self._parquet.close()


# --- Reading ----------------------------------------------------------------------------------


def read_batches(
    path: Path, table: Table, fmt: Format, batch_size: int, *, version: int = FORMAT_VERSION
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of one table file as tuples in the table's column order, in batches. A file
    whose columns differ from the table's, or a cell that does not parse, raises
    :class:`DamagedExport` naming the file and row (the header is row 1 in CSV files; Parquet
    rows are counted from 1). ``version`` is the export's format version (how its CSV text is
    escaped)."""
    names = [c.name for c in table.columns]
    if fmt == "csv":
        yield from _csv_batches(path, names, kinds(table), batch_size, version)
    else:
        yield from _parquet_batches(path, table, names, batch_size)


def _wrong_columns(path: Path, found: list[str], names: list[str]) -> DamagedExport:
    return DamagedExport(
        _(
            "{file}: the columns are {found}, expected {expected}.",
            file=path.name,
            found=", ".join(found),
            expected=", ".join(names),
        )
    )


def _csv_batches(
    path: Path, names: list[str], column_kinds: list[str], batch_size: int, version: int
) -> Iterator[list[tuple[Any, ...]]]:
    cell_in = CELL_IN if version >= 2 else {**CELL_IN, "text": _text_in_version_1}
    parsers = [cell_in[k] for k in column_kinds]
    width = len(names)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header != names:
                raise _wrong_columns(path, header or [], names)
            batch: list[tuple[Any, ...]] = []
            number = 1
            for cells in reader:
                number += 1
                if len(cells) != width:
                    raise _row_problem(
                        path.name,
                        number,
                        _("{count} values, expected {expected}.", count=len(cells), expected=width),
                    )
                try:
                    batch.append(
                        tuple(
                            None if c == "" else p(c) for c, p in zip(cells, parsers, strict=True)
                        )
                    )
                except ValueError as exc:
                    raise _row_problem(
                        path.name, number, _cell_problem(cells, parsers, names)
                    ) from exc
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
            if batch:
                yield batch
        except UnicodeDecodeError as exc:
            raise DamagedExport(
                _("{file} is not UTF-8 text: {problem}", file=path.name, problem=exc)
            ) from exc
        except csv.Error as exc:
            raise DamagedExport(
                _("{file} is not a valid CSV file: {problem}", file=path.name, problem=exc)
            ) from exc


def _cell_problem(cells: list[str], parsers: list[Callable[[str], Any]], names: list[str]) -> str:
    for cell, parse, name in zip(cells, parsers, names, strict=True):
        if cell == "":
            continue
        try:
            parse(cell)
        except ValueError:
            return _("the value {value!r} of {column} cannot be read.", value=cell, column=name)
    return _("the row cannot be read.")


def _parquet_batches(
    path: Path, table: Table, names: list[str], batch_size: int
) -> Iterator[list[tuple[Any, ...]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise DamagedExport(
            _("{file} is not a valid Parquet file: {problem}", file=path.name, problem=exc)
        ) from exc
    expected = arrow_schema(table)
    found = parquet.schema_arrow
    if found.names != names:
        raise _wrong_columns(path, found.names, names)
    for field in expected:
        if not found.field(field.name).type.equals(field.type):
            raise DamagedExport(
                _(
                    "{file}: the column {column} holds {found}, expected {expected}.",
                    file=path.name,
                    column=field.name,
                    found=str(found.field(field.name).type),
                    expected=str(field.type),
                )
            )
    json_columns = [i for i, k in enumerate(kinds(table)) if k == "json"]
    number = 0
    try:
        for record_batch in parquet.iter_batches(batch_size=batch_size):
            columns = [column.to_pylist() for column in record_batch.columns]
            for i in json_columns:
                values = columns[i]
                for n, value in enumerate(values):
                    if value is not None:
                        try:
                            values[n] = json.loads(value)
                        except ValueError as exc:
                            raise _row_problem(
                                path.name,
                                number + n + 1,
                                _(
                                    "the value {value!r} of {column} cannot be read.",
                                    value=value,
                                    column=names[i],
                                ),
                            ) from exc
            number += record_batch.num_rows
            yield list(zip(*columns, strict=True))
    except pa.ArrowException as exc:
        raise DamagedExport(
            _("{file} is not a valid Parquet file: {problem}", file=path.name, problem=exc)
        ) from exc
