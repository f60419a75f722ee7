"""A minimal .xlsb writer for tests (no Python library writes the format).

An .xlsb is a zip, like an .xlsx, whose parts are BIFF12 records (MS-XLSB 2.1.4): a record type and a
size, each a little-endian variable-length integer of 7 bits a byte (the high bit says another byte
follows), then the record's data. The parts written are those a reader needs: the content types, the
package and workbook relationships, `xl/workbook.bin` (BrtBeginBook, one BrtBundleSh per sheet,
BrtEndBook), `xl/worksheets/sheet1.bin` (BrtBeginSheet, BrtWsDim, BrtBeginSheetData, a BrtRowHdr before
each row's cells, BrtEndSheetData, BrtEndSheet) and, for texts, `xl/sharedStrings.bin`. No styles: every
cell has style 0.
"""
from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

# record types (MS-XLSB 2.3.2)
ROW_HDR, CELL_RK, CELL_REAL, CELL_ST, CELL_ISST = 0x00, 0x02, 0x05, 0x06, 0x07
SST_ITEM, BEGIN_SHEET, END_SHEET, BEGIN_BOOK, END_BOOK = 0x13, 0x81, 0x82, 0x83, 0x84
BEGIN_BUNDLE_SHS, END_BUNDLE_SHS, BEGIN_SHEET_DATA, END_SHEET_DATA, WS_DIM = 0x8F, 0x90, 0x91, 0x92, 0x94
BUNDLE_SH, BEGIN_SST, END_SST = 0x9C, 0x9F, 0xA0

MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def varint(value: int, most: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            break
    assert len(out) <= most, "too large for a BIFF12 record header"
    return bytes(out)


def record(kind: int, data: bytes = b"") -> bytes:
    """One BIFF12 record: type (1–2 bytes), size (1–4 bytes), data."""
    return varint(kind, 2) + varint(len(data), 4) + data


def wide(text: str) -> bytes:
    """XLWideString: a count of UTF-16 code units, then the UTF-16LE text."""
    raw = text.encode("utf-16-le")
    return struct.pack("<I", len(raw) // 2) + raw


def row_header(row: int) -> bytes:
    """BrtRowHdr of the 0-based row `row`: style 0, height 15 pt (300 twips), no flags, no column spans."""
    return record(ROW_HDR, struct.pack("<IIHBBBI", row, 0, 300, 0, 0, 0, 0))


def _cell(column: int) -> bytes:
    return struct.pack("<II", column, 0)  # the column, then style 0 (24 bits) and no flags


def number_cell(column: int, value: float) -> bytes:
    """An integer that fits 30 bits as BrtCellRk (what Excel writes for one), any other as BrtCellReal."""
    if float(value).is_integer() and -(1 << 29) <= value < 1 << 29:
        return record(CELL_RK, _cell(column) + struct.pack("<i", (int(value) << 2) | 0b10))
    return record(CELL_REAL, _cell(column) + struct.pack("<d", float(value)))


def string_cell(column: int, text: str) -> bytes:
    """A text written in the cell itself (BrtCellSt)."""
    return record(CELL_ST, _cell(column) + wide(text))


def shared_cell(column: int, index: int) -> bytes:
    """A text of the shared-strings table (BrtCellIsst)."""
    return record(CELL_ISST, _cell(column) + struct.pack("<I", index))


def dimension(first_row: int, last_row: int, first_column: int, last_column: int) -> bytes:
    """BrtWsDim: the area the sheet declares (0-based, inclusive)."""
    return record(WS_DIM, struct.pack("<IIII", first_row, last_row, first_column, last_column))


def rows_records(rows: list[list], strings: dict[str, int] | None) -> Iterable[bytes]:
    """Each row's BrtRowHdr and cells: None is no cell, a number a number cell, anything else a text
    (shared when `strings` is a dict, which collects the table)."""
    for r, row in enumerate(rows):
        yield row_header(r)
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                yield number_cell(c, value)
            elif strings is None:
                yield string_cell(c, str(value))
            else:
                yield shared_cell(c, strings.setdefault(str(value), len(strings)))


def write(path: Path, body: Iterable[bytes], dim: bytes, strings: list[str] | None = None,
          sheet: str = "5W") -> Path:
    """An .xlsb of one sheet whose sheet data is `body` (records, streamed: may be millions)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
            + ('<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/>'
               if strings is not None else "") + '</Types>'))
        book.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{MAIN}/officeDocument" Target="xl/workbook.bin"/></Relationships>'))
        book.writestr("xl/_rels/workbook.bin.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{MAIN}/worksheet" Target="worksheets/sheet1.bin"/>'
            + (f'<Relationship Id="rId2" Type="{MAIN}/sharedStrings" Target="sharedStrings.bin"/>'
               if strings is not None else "") + '</Relationships>'))
        book.writestr("xl/workbook.bin", b"".join([
            record(BEGIN_BOOK), record(BEGIN_BUNDLE_SHS),
            record(BUNDLE_SH, struct.pack("<II", 0, 1) + wide("rId1") + wide(sheet)),  # visible, tab 1
            record(END_BUNDLE_SHS), record(END_BOOK)]))
        if strings is not None:
            items = [record(SST_ITEM, b"\x00" + wide(text)) for text in strings]  # a plain RichStr
            book.writestr("xl/sharedStrings.bin", record(BEGIN_SST, struct.pack("<II", len(items), len(items)))
                          + b"".join(items) + record(END_SST))
        with book.open("xl/worksheets/sheet1.bin", "w", force_zip64=True) as part:
            part.write(record(BEGIN_SHEET) + dim + record(BEGIN_SHEET_DATA))
            for chunk in body:
                part.write(chunk)
            part.write(record(END_SHEET_DATA) + record(END_SHEET))
    return path


def write_rows(path: Path, rows: list[list], shared: bool = True, sheet: str = "5W") -> Path:
    """An .xlsb holding `rows` (the first is the header) from A1, its dimension the rows' area."""
    strings: dict[str, int] | None = {} if shared else None
    body = list(rows_records(rows, strings))
    width = max(len(row) for row in rows)
    return write(path, body, dimension(0, len(rows) - 1, 0, width - 1),
                 list(strings) if strings is not None else None, sheet)
