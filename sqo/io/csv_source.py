"""Reading CSV files as real exports write them: any common encoding, any common delimiter,
quoted newlines, and files that are not CSV at all, refused with a clear message.

Rows are streamed one at a time, numbered as a spreadsheet shows them (the header is row 1, a
blank line is a row too, a quoted field over several lines is one row), so memory stays flat
whatever the size of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from charset_normalizer import from_bytes

from sqo.domain.errors import InvalidValue
from sqo.i18n import _
from sqo.io.notes import FileNotes

SAMPLE_BYTES = 256 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls (Excel 97-2003) workbooks
DELIMITERS = (",", ";", "\t", "|")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str


def _not_csv(path: Path, why: str) -> InvalidValue:
    return InvalidValue(
        _("{file} is not a CSV file ({why}).", file=path.name, why=why), field="file"
    )


def detect_encoding(path: Path, sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else a guess
    from the bytes (Latin-1 and Windows-1252 are the usual suspects)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.startswith((b"PK\x03\x04", OLE2)):
        raise _not_csv(path, _("it looks like an Excel workbook or a zip file; save it as CSV"))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: exports from Excel and older CRMs are Windows-1252 (a superset of Latin-1);
    # guessing among other code pages from a few accented letters is unreliable.
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        best = from_bytes(sample).best()
        return str(best.encoding) if best is not None else "latin-1"


def _binary(text: str) -> bool:
    """Control characters other than tab and line breaks mean binary data, except NUL inside a
    quoted field: Salesforce's rich-text fields carry NUL characters, and Data Loader and report
    exports quote every field. Splitting at quotes leaves the text outside quoted fields at even
    positions (an escaped quote ``""`` inside a field opens and closes an empty one)."""
    head = text[:4096]
    if any(ch < " " and ch not in "\t\r\n\x00" for ch in head):
        return True
    if "\x00" not in text:
        return False
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    return "\x00" in first_line or any("\x00" in part for part in text.split('"')[0::2])


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def sniff(path: Path) -> CsvFormat:
    if not path.is_file():
        raise InvalidValue(_("The file {file} does not exist.", file=str(path)), field="file")
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise _not_csv(path, _("it is empty"))
    encoding = detect_encoding(path, sample)
    text = sample.decode(encoding, errors="ignore")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if _binary(text):
        raise _not_csv(path, _("it contains binary data"))
    return CsvFormat(encoding=encoding, delimiter=detect_delimiter(first))


@dataclass
class CsvRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


class CsvSource:
    """One CSV file: its header and a stream of its rows as ``{column: text}``."""

    def __init__(
        self, path: Path, fmt: CsvFormat | None = None, notes: FileNotes | None = None
    ) -> None:
        self.path = path
        self.format = fmt or sniff(path)
        self.notes = notes if notes is not None else FileNotes()
        self._header: list[str] | None = None
        self._consumed: list[str] = []

    @property
    def header(self) -> list[str]:
        if self._header is None:
            with self._open() as handle:
                self._header = self._read_header(
                    csv.reader(handle, delimiter=self.format.delimiter)
                )
        return self._header

    def _open(self) -> TextIO:
        return self.path.open(encoding=self.format.encoding, newline="", errors="strict")

    def _read_header(self, reader: Iterator[list[str]]) -> list[str]:
        try:
            names = next(reader)
        except StopIteration:
            raise _not_csv(self.path, _("it is empty")) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _not_csv(self.path, str(exc)) from None
        header = [n.strip().lstrip("\ufeff").strip('"') for n in names]
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                raise InvalidValue(
                    _(
                        "{file}: the column {column!r} appears twice in the header.",
                        file=self.path.name,
                        column=name,
                    ),
                    field="file",
                )
            seen.add(name)
        return header

    def require(self, columns: list[str]) -> None:
        """Refuse the file unless every named column is in its header."""
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise InvalidValue(
                _(
                    "{file} is missing the column(s) {missing}; its columns are: {columns}.",
                    file=self.path.name,
                    missing=", ".join(missing),
                    columns=", ".join(self.header) or "-",
                ),
                field="file",
            )

    def rows(self) -> Iterator[CsvRow | RowProblem]:
        """Every data row, or a problem for a row the CSV reader cannot make sense of. The last
        row is held back until the file ends: a file cut off mid-row (a final row without its
        closing quote, or with fewer fields than the header) refuses that row."""
        self._consumed = []
        with self._open() as handle:
            reader = csv.reader(self._without_nul(handle), delimiter=self.format.delimiter)
            header = self._read_header(reader)
            number = 1
            pending: tuple[int, list[str], str] | None = None
            while True:
                number += 1
                self._consumed.clear()
                try:
                    fields = next(reader)
                except StopIteration:
                    if pending is not None:
                        yield self._row(header, *pending, final=True)
                    return
                except UnicodeDecodeError:
                    raise _not_csv(
                        self.path,
                        _(
                            "text after row {row} is not in {encoding}",
                            row=number - 1,
                            encoding=self.format.encoding,
                        ),
                    ) from None
                except csv.Error as exc:
                    yield RowProblem(number, str(exc), {})
                    continue
                raw = "".join(self._consumed)
                blank = not fields or all(not f.strip() for f in fields)
                if blank and not _unclosed(raw, self.format.delimiter):
                    continue  # not a record, but a row of the sheet: later rows keep their number
                if pending is not None:
                    yield self._row(header, *pending, final=False)
                pending = (number, fields, raw)

    def _row(
        self, header: list[str], number: int, fields: list[str], raw: str, *, final: bool
    ) -> CsvRow | RowProblem:
        width = len(header)
        given = dict(zip(header, fields, strict=False))
        if len(fields) > width and any(f.strip() for f in fields[width:]):
            return RowProblem(
                number,
                _(
                    "the row has {found} fields but the header has {expected}",
                    found=len(fields),
                    expected=width,
                ),
                given,
            )
        if final and _unclosed(raw, self.format.delimiter):
            return RowProblem(
                number,
                _(
                    "the file ends inside a quoted field of this row (its closing quote is "
                    "missing): the file looks cut off; export it again"
                ),
                given,
            )
        if final and len(fields) < width:
            return RowProblem(
                number,
                _(
                    "the last row has {found} fields but the header has {expected}: the file "
                    "looks cut off; export it again",
                    found=len(fields),
                    expected=width,
                ),
                given,
            )
        if len(fields) >= width:
            return CsvRow(number, given)  # every column given: the same dict
        return CsvRow(
            number, {name: (fields[i] if i < len(fields) else "") for i, name in enumerate(header)}
        )

    def _without_nul(self, lines: Iterator[str]) -> Iterator[str]:
        """The lines without NUL characters (PostgreSQL cannot store them in text), counted in
        :attr:`notes` per reading of the file (a file read twice counts its NULs once)."""
        self.notes.nul_removed = 0
        for line in lines:
            if "\x00" in line:
                self.notes.nul_removed += line.count("\x00")
                line = line.replace("\x00", "")
            self._consumed.append(line)  # the text of the row being read (see rows)
            yield line


def _unclosed(raw: str, delimiter: str) -> bool:
    """Whether the text of a row ends inside a quoted field (the lenient reader accepts it)."""
    try:
        for _fields in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


@dataclass
class RowProblem:
    number: int
    message: str
    values: dict[str, str]
