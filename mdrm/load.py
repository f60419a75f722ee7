"""Reading the R4V 5W export (xlsx or csv) into canonical fields.

The loader is lenient on purpose: a bad cell (text in a number, a negative
count, a month it cannot read) is recorded in `FiveW.cell_errors` instead of
raised, because hard errors only concern the rows a command uses (docs/metodologia.md §8).
`FiveW.check_cells(mask)` raises the first of them among those rows.
Everything is done per column or on a column's distinct values: no per-row
Python loop, so a 22,500-row export loads in about the time of a bare
`pandas.read_excel(engine="calamine")` (the sheet is read once, with
python-calamine directly).

Input rules where the R4V format is silent (README.md, «Lectura del 5W»):

- **File format** is decided by the content, not the name: a ZIP or OLE
  workbook is read as Excel (an .xlsx renamed .xls, .ods or .csv still reads),
  other text as delimited text (a CSV or TSV renamed .xls still reads). An
  empty file (0 bytes), an HTML or XML page (a failed download, an "Excel"
  export that is really a web page) and a damaged workbook are hard errors.
- **Header row**: the row among the first `HEADER_SCAN_ROWS` (10) non-blank
  rows whose cells match the most fields (aliases of `definitions/columnas.yml`
  and the params' `columnas:`), the first such row on a tie; title rows above
  it are skipped and row numbers stay those of Excel (header on row *h*, first
  data row *h* + 1). Headers are repaired (double-encoded UTF-8) and trimmed.
  A header split over two rows (a merged group title above sub-headers) is
  not joined: the missing column is a hard error whose hint shows the split.
- **A field found in two columns** (the same header twice, or two aliases of
  one field): the first column is used when both hold the same values, and it
  is a hard error naming both otherwise (no silent choice between them). An
  explicit `columnas:` mapping wins over the aliases.
- **CSV**: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
  text"), else Windows-1252/Latin-1; the delimiter (`,` `;` tab `|`) is the
  one that makes the header row match; rows are records, so a quoted cell
  with line breaks is one row, as in Excel. Every record has the header's
  fields (`_check_record_widths`): a row cut short, a lone CR written unquoted
  inside a cell, a field past the header are hard errors naming the row; a
  record of more than `MAX_COLUMNS` fields is refused before parsing.
- **Text** (`text.clean_cell_text`): NFC, line breaks as LF, invisible format
  characters (zero-width, soft hyphen, bidi controls) removed; control
  characters and terminal escapes removed too, and told (`FiveW.controls_removed`,
  quality issue Q31).
- **Numbers** (see `parse_number`): the decimal point is `.`, and `,`
  separates thousands (as in Peru and in the seed: "1,490"). Ambiguous text
  such as "1,5" is a hard error naming the cell. TRUE/FALSE, dates, Excel
  error values (#N/A…) and `N/A`, `-` or other text in a numeric cell are
  hard errors, as are numbers above `MAX_NUMBER` (10^9: more people than
  R4V's whole response; every sum over a million rows then stays exact).
- **Formulas**: a formula's cached value is used. A formula cell with no
  cached value (written by a program that does not calculate, like
  openpyxl) and an Excel error cell would read as blank, that is 0: both are
  hard errors naming the cell (checked in the sheet's XML, for .xlsx/.xlsm;
  not for .xls/.xlsb/.ods). In the region column such a cell counts for
  every command: its row could be of any region.
- **Months** (see `parse_month`): `AAAA-MM` text (also with a day or a
  time), `MM/AAAA`, a date cell, or an Excel date serial (days since
  1899-12-30, from 36526 = 2000-01-01 to 73415 = 2100-12-31, a time fraction
  allowed; e.g. 44075 = 2020-09-01, as a General-formatted cell or a CSV saved
  from Excel carries it). Month names ("Septiembre 2020", "sep-20") are not
  read: "sep-20" may be a day or a year, so they are a hard error naming the
  cell, like day-first dates ("01/09/2020": 1 September or 9 January?).
"""
from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import math
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
import numpy as np
import pandas as pd

from .catalog import Catalog, load_catalog
from .errors import InputError, not_a_file_text
from .i18n import N_, _
from .isolate import read_book
from .limits import (MAX_COLUMNS, check_file_size, column_letters, check_workbook, refuse_over_cap,
                     reraise_interrupts, sheet_member, sheet_rows)
from .text import clean_cell_text, map_distinct, normalize

TEXT_FIELDS = (
    "country", "admin1", "admin2", "appealing_org", "implementation_setup",
    "implementing_partner", "sector", "indicator", "indicator_type", "activity_name",
    "activity_description", "rmrp_activity", "cva", "delivery_mechanism",
)
YES_NO_FIELDS = ("rmrp_activity", "cva", "implementation_setup")
COUNT_FIELDS = (
    "total_monthly", "new_beneficiaries",
    "permanencia", "transito", "acogida", "pendulares", "retornados",
    "ninas", "ninos", "mujeres", "hombres", "otros_menores", "otros_adultos",
)
NUMERIC_FIELDS = ("quantity", "cva_value_usd") + COUNT_FIELDS
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
HEADER_SCAN_ROWS = 10
HEAD_BYTES = 1 << 20  # a CSV's header is looked for in its first MiB (more if its rows are that long)
MAX_NUMBER = 1e9
CSV_DELIMITERS = (",", ";", "\t", "|")
EXCEL_SERIAL_FIRST = 36526  # 2000-01-01
EXCEL_SERIAL_LAST = 73415   # 2100-12-31
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_YES = {"si", "yes", "s", "y", "true", "1", "verdadero"}
_NO = {"no", "n", "false", "0", "falso"}
# ASCII digits only (\d would read «٢٠٢٠-٠٩», Arabic-Indic digits); a day, when written, must exist
_MONTH_TEXT = re.compile(r"^\s*([0-9]{4})[-/.]([0-9]{1,2})(?:[-/.]([0-9]{1,2}))?(?:[ T].*)?\s*$")
_MONTH_TEXT_MY = re.compile(r"^\s*([0-9]{1,2})[-/.]([0-9]{4})\s*$")
_SERIAL_TEXT = re.compile(r"^\s*([0-9]{5})(?:\.[0-9]+)?\s*$")

_PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
_SPACE_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]+)?$")
_DOT_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$|^[+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,}$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2212": "-"})
_EXCEL_ERRORS = {
    "#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!", "#spill!", "#calc!",
    "#getting_data", "#n/d", "#¡div/0!", "#¡valor!", "#¡ref!", "#¿nombre?", "#¡num!", "#¡nulo!",
}

# Messages of bad cells: Spanish msgids, compared as they are and translated where shown (InputError below).
MSG_TEXT = N_("se esperaba un número y hay texto")
MSG_BOOL = N_("se esperaba un número y hay un valor lógico (VERDADERO/FALSO)")
MSG_DATE = N_("se esperaba un número y hay una fecha")
MSG_AMBIGUOUS = N_("número ambiguo: la coma no separa grupos de tres cifras (se usa el punto para "
                 "decimales y la coma para miles, p. ej. 1,234.5)")
MSG_AMBIGUOUS_CSV = N_("número ambiguo: no se puede saber si el punto o la coma separa los miles o los decimales; "
                     "guarde el archivo como .xlsx (Libro de Excel) y úselo en lugar del CSV")
MSG_NEGATIVE = N_("número negativo")
MSG_TOO_BIG = N_("número demasiado grande (más de 1,000,000,000)")
MSG_OVERFLOW = N_("número fuera de rango: no cabe en un número de Excel (más de 1.8 × 10^308)")
MSG_EXCEL_ERROR = N_("la celda tiene un error de Excel")
MSG_FORMULA = N_("fórmula sin valor calculado (abra el archivo en Excel o LibreOffice, deje que calcule "
               "y guárdelo)")
MSG_MONTH = N_("mes ilegible (se espera AAAA-MM, p. ej. 2020-09)")


@dataclass
class Source:
    """Where the data came from: shown in messages and in the report's footer."""

    path: Path
    sheet: str | None
    sha256: str
    headers: dict[str, str]  # field -> header as written in the file
    header_row: int = 1      # Excel row of the header (title rows may sit above it)


@dataclass
class FiveW:
    """A loaded 5W: one row per export row, canonical field names.

    Extra columns: `excel_row` (the row number the user sees in Excel or in
    the CSV, header = 1 unless title rows sit above it) and `month` as
    'YYYY-MM' text (None when unreadable).
    """

    data: pd.DataFrame
    source: Source
    cell_errors: pd.DataFrame = field(default_factory=lambda: _empty_cell_errors())
    # A hash of each row's cells in the columns no field reads (0 when there are none): an exact copy is
    # a row equal to another in every column of the export (docs/metodologia.md §10).
    unread: pd.Series | None = None
    # text cells whose control characters were removed at reading (excel_row, field, column): Q31
    controls_removed: pd.DataFrame = field(default_factory=lambda: _empty_controls_removed())

    def check_cells(self, mask: pd.Series | None = None) -> None:
        """Raise the first bad cell among the rows in `mask` (all rows when None).

        A bad cell in the region column (a formula without value, an Excel
        error) counts whatever the mask: its row could be of any region.
        """
        errors = self.cell_errors
        if mask is not None and len(errors):
            used = set(self.data.loc[mask, "excel_row"].tolist()) if mask.any() else set()
            errors = errors[errors["excel_row"].isin(used) | (errors["field"] == "admin1")]
        if not len(errors):
            return
        errors = errors.sort_values(["excel_row", "position"])
        first = errors.iloc[0]
        more = [
            _("  fila {row}, columna «{column}»: {message}: valor «{value}»").format(
                row=r.excel_row, column=r.column, message=_(r.message), value=r.value)
            for r in errors.iloc[1:11].itertuples()
        ]
        if len(errors) > 11:
            more.append(_("  … y {n} celdas más con errores").format(n=len(errors) - 11))
        raise InputError(
            _(first["message"]), file=self.source.path, sheet=self.source.sheet,
            row=int(first["excel_row"]), column=first["column"], value=first["value"],
            more=([_("Otras celdas con errores:")] + more) if more else [],
        )


def _empty_cell_errors() -> pd.DataFrame:
    return pd.DataFrame({
        "excel_row": pd.Series(dtype="int64"), "position": pd.Series(dtype="int64"),
        "field": pd.Series(dtype=object), "column": pd.Series(dtype=object),
        "value": pd.Series(dtype=object), "message": pd.Series(dtype=object),
    })


@dataclass
class _Table:
    """A sheet or CSV after the header row is found: data cells by column position."""

    raw: pd.DataFrame            # columns 0..n-1, index = Excel row of each data row
    names: list[str]             # header text of each column ("" when blank)
    header_row: int              # Excel row of the header
    sheet: str | None
    sheet_names: list[str] = field(default_factory=list)
    above: list[str] = field(default_factory=list)  # the row above the header (a merged group title?)
    note: str = ""  # added to the hint of a missing column (e.g. how the file was read)
    unset_cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # (row, col) -> (message, value)
    decimal_comma: bool = False  # a `;` CSV: Spanish locale, the comma is the decimal mark (README.md, «Avisos y calidad»)


class _HeaderMatcher:
    """Header text -> field: the params' `columnas:` first, then the catalog's aliases."""

    def __init__(self, catalog: Catalog, explicit: dict[str, str]):
        self.alias: dict[str, str] = {}
        for name, spec in catalog.fields.items():
            self.alias[normalize(name)] = name
            for alias in spec.aliases:
                self.alias[normalize(alias)] = name
        self.explicit = {normalize(header): name for header, name in explicit.items()}  # validated in params

    def field(self, header: str) -> tuple[str | None, bool]:
        """(field, explicit?) of a header."""
        key = normalize(header)
        if key in self.explicit:
            return self.explicit[key], True
        return self.alias.get(key), False

    def score(self, cells: list) -> int:
        """How many distinct fields a candidate header row names."""
        found = {self.field(_header_text(c))[0] for c in cells}
        found.discard(None)
        return len(found)


def read_5w(path: str | Path, sheet: str | None = None, columns: dict[str, str] | None = None,
            catalog: Catalog | None = None) -> FiveW:
    """Read a 5W export; `columns` maps extra headers to fields (params `columnas:`)."""
    catalog = catalog or load_catalog()
    path = Path(path)
    if not path.is_file():
        what = not_a_file_text(path)
        raise InputError(_("el archivo de datos {what}").format(what=what) if what else
                         _("no existe el archivo de datos"), file=path)
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | TEXT_SUFFIXES:
        raise InputError(_("formato de archivo no soportado (use .xlsx o .csv)"), file=path)
    check_file_size(path)  # limits (mdrm.limits): refused before reading, never killed for memory
    content = path.read_bytes()
    matcher = _HeaderMatcher(catalog, columns or {})
    kind = _sniff(content, path)
    if kind == "excel":
        check_workbook(content, path, sheet)
    table = (read_book(content, path, _read_workbook, content, path, sheet, matcher) if kind == "excel"
             else _read_delimited(content, path, matcher))
    if kind == "text" and suffix in EXCEL_SUFFIXES:
        table.note = f"El archivo no es un libro de Excel (pese a la extensión {suffix}): se leyó como texto delimitado"
    headers = _match_headers(table, matcher, catalog, path)
    blank = _blank_rows(table.raw)
    if blank.all():
        raise InputError(_("el archivo no tiene filas de datos"), file=path, sheet=table.sheet,
                         hint=_("Encabezados en la fila {row}").format(row=table.header_row))
    table.raw = table.raw[~blank.to_numpy()]
    data, controls_removed = _canonical(table.raw, headers, catalog, table.names)
    cell_errors = _coerce(data, table, headers)
    data = data[["excel_row", *catalog.fields]]
    source = Source(path, table.sheet, hashlib.sha256(content).hexdigest(),
                    {name: table.names[pos] for name, pos in headers.items()}, table.header_row)
    return FiveW(data=data, source=source, cell_errors=cell_errors, unread=_unread_hash(table.raw, headers),
                 controls_removed=controls_removed)


def _unread_hash(raw: pd.DataFrame, headers: dict[str, int]) -> pd.Series:
    """Per row, a hash of the cells of the columns no field reads (0 without such columns)."""
    read = set(headers.values())
    unread = [c for c in raw.columns if c not in read]
    if not unread:
        return pd.Series(np.zeros(len(raw), dtype="uint64"), index=raw.index)
    cells = raw[unread].astype(object).where(raw[unread].notna(), None)
    return pd.util.hash_pandas_object(cells, index=False)


def read_raw(path: str | Path, sheet: str | None = None, columns: dict[str, str] | None = None,
             catalog: Catalog | None = None) -> pd.DataFrame:
    """The export's data rows as the file holds them: every column, the cells' original values (no
    «Sí» for «Yes», no repaired text), headers as written (a blank one: «Columna C»; a repeated one:
    «Admin2 (2)»), index = the Excel row. For the partner's own rows in `mdrm validate
    --por-organizacion`; call it on a file `read_5w` has read (its errors are told there)."""
    catalog = catalog or load_catalog()
    path = Path(path)
    content = path.read_bytes()
    matcher = _HeaderMatcher(catalog, columns or {})
    table = (_read_workbook(content, path, sheet, matcher) if _sniff(content, path) == "excel"
             else _read_delimited(content, path, matcher))
    raw = table.raw[~_blank_rows(table.raw).to_numpy()]
    names, seen = [], {}
    for position, name in enumerate(table.names):
        name = name or f"Columna {_column_letter(position)}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return raw.set_axis(names, axis=1)


# --- the file: format, sheet, header row ---------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _sniff(content: bytes, path: Path) -> str:
    """'excel' or 'text', from the bytes; hard error for what is neither."""
    if not content:
        raise InputError(_("el archivo está vacío (0 bytes)"), file=path)
    if content.startswith((_ZIP, _OLE)):
        return "excel"
    head = content[:4096]
    if _utf32(head):
        raise InputError("el archivo de texto está en UTF-32, una codificación que el kit no lee", file=path,
                         hint="Ábralo en Excel y guárdelo como libro de Excel (.xlsx) o como «CSV UTF-8»")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 text with BOM: Excel's "Unicode text"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<"):
        kind = "HTML" if (b"<html" in start or b"<!doctype" in start or b"<table" in start) else "XML/HTML"
        raise InputError(
            f"el archivo es una página {kind}, no un libro de Excel ni un CSV", file=path,
            hint="Ábralo en Excel y guárdelo como libro de Excel (.xlsx), o descárguelo de nuevo")
    if b"\x00" in head:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            raise InputError("no se puede leer el archivo: no es un libro de Excel válido", file=path)
        raise InputError("no se puede leer el archivo: no es un archivo de texto (CSV)", file=path)
    return "text"


def _utf32(head: bytes) -> bool:
    """UTF-32 text: its BOM, or ASCII written with three NULs beside each character."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return True
    quads = len(head) // 4 * 4
    if quads < 8:
        return False
    words = np.frombuffer(head[:quads], dtype="<u4")
    return bool((words < 0x80).mean() > 0.9 or (words.byteswap() < 0x80).mean() > 0.9) and b"\x00\x00\x00" in head


def _header_text(cell) -> str:
    """A header cell as text: repaired, trimmed, '' when blank."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell).strip()
    return clean_cell_text(ftfy.fix_encoding(text))[0].strip() if text else ""


def _scan_rows(rows: list[list]) -> list[int]:
    """Indexes of the rows where the header may be: the first `HEADER_SCAN_ROWS` non-blank ones."""
    found = []
    for index, cells in enumerate(rows[:1000]):
        if any(_header_text(c) for c in cells):
            found.append(index)
            if len(found) == HEADER_SCAN_ROWS:
                break
    return found


def _find_header(rows: list[list], matcher: _HeaderMatcher) -> int:
    """Index (0-based) of the header among the first rows: the one naming most fields.

    On a tie the first such row wins; when no row names a field, the first
    non-blank row is taken (its headers are then shown in the error).
    """
    candidates = _scan_rows(rows)
    best, best_score = None, 0
    for index in candidates:
        score = matcher.score(rows[index])
        if score > best_score:
            best, best_score = index, score
    if best is not None:
        return best
    return candidates[0] if candidates else 0


def _read_workbook(content: bytes, path: Path, sheet: str | None, matcher: _HeaderMatcher) -> _Table:
    import python_calamine

    scan: dict = {}
    scanner = None
    if content.startswith(_ZIP):  # formulas without a value and error cells, from the XML, meanwhile
        scanner = threading.Thread(target=_scan_xlsx, args=(content, sheet, scan), daemon=True)
        scanner.start()
    try:
        try:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        except getattr(python_calamine, "PasswordError", ()) as exc:
            raise InputError("no se puede leer el archivo: está protegido con contraseña", file=path) from exc
        except BaseException as exc:  # any failure of the reader, a Rust panic too: its message in a Spanish frame
            reraise_interrupts(exc)
            refuse_over_cap(exc, path)
            if content.startswith(_ZIP):
                raise InputError(f"el libro de Excel está dañado o incompleto ({type(exc).__name__}: {exc})",
                                 file=path) from exc
            raise InputError(f"no se puede leer el archivo ({type(exc).__name__}: {exc})", file=path) from exc
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise InputError(_("la hoja indicada no existe"), file=path, sheet=sheet,
                             hint=_("Hojas del archivo: {sheets}").format(sheets=", ".join(f"«{s}»" for s in names)))
        if not names:
            raise InputError(_("el libro no tiene hojas"), file=path)
        sheet_name = sheet if sheet is not None else names[0]
        try:
            rows = sheet_rows(book, sheet_name, path)  # its area checked first (mdrm.limits)
        except BaseException as exc:  # as above: a damaged sheet may panic inside calamine
            reraise_interrupts(exc)
            raise InputError(f"no se puede leer la hoja ({type(exc).__name__}: {exc})", file=path,
                             sheet=sheet_name) from exc
    finally:
        if scanner is not None:
            scanner.join()
    others = [s for s in names if s != sheet_name]
    if not rows or not _scan_rows(rows):
        raise InputError(_("la hoja está vacía"), file=path, sheet=sheet_name,
                         hint=_("Otras hojas del archivo: {sheets}; indique cuál leer con `hoja:`").format(
                             sheets=", ".join(f"«{s}»" for s in others)) if others else None)
    h = _find_header(rows, matcher)
    width = len(rows[h])
    cells = np.array(rows[h + 1:], dtype=object).reshape(len(rows) - h - 1, width)
    raw = pd.DataFrame({j: _column(cells[:, j]) for j in range(width)})
    raw.index = pd.RangeIndex(h + 2, len(rows) + 1, name="excel_row")
    above = [_header_text(c) for c in rows[h - 1]] if h else []
    return _Table(raw, [_header_text(c) for c in rows[h]], h + 1, sheet_name, sheet_names=names, above=above,
                  unset_cells=scan.get(sheet_name, {}))


def _column(values: np.ndarray) -> pd.Series:
    """Cells of one column: blank -> NaN, then the narrowest dtype (float, datetime, str, object)."""
    blank = values == ""
    if blank.any():
        values = values.copy()
        values[blank] = np.nan
    return pd.Series(values, dtype=object).infer_objects()


def _read_delimited(content: bytes, path: Path, matcher: _HeaderMatcher) -> _Table:
    """CSV/TSV text: encoding from BOM or trial, delimiter and header row from the first records.

    pandas types the columns (fast, compact): its numbers are `parse_number`'s
    plain numbers (decimal point, no separators), so a cell means the same
    whatever the other cells of its column; a column with any other text comes
    as text and goes through `parse_number` cell by distinct cell.
    """
    codec, bom = _text_encoding(content)
    size = HEAD_BYTES
    while True:  # the first records: decode only the head of the file
        whole = bom + size >= len(content)
        head = codecs.getincrementaldecoder(codec)("replace").decode(content[bom:bom + size], final=whole)
        try:
            best = _sniff_header(head, matcher)
        except _TooWide as wide:
            line, fields = wide.args
            raise InputError(
                f"la fila {line} tiene más de {MAX_COLUMNS} campos, el límite de columnas "
                f"(A..{_column_letter(MAX_COLUMNS - 1)})", file=path,
                hint="Un 5W tiene unas 30 columnas: revise que el archivo sea el 5W exportado") from None
        if whole or _enough_records(best[2]) or size >= 64 * HEAD_BYTES:
            break
        size *= 8
    if whole and not head.strip():
        raise InputError(_("el archivo está vacío"), file=path)
    _score, delimiter, records, ends, h = best
    names = [_header_text(c) for c in records[h]] if records else []
    offset = bom + (len(head[:ends[h]].encode(codec)) if records else 0)
    width = max(_check_record_widths(names, content, offset, codec, delimiter, path, h + 1) if records else 0, 1)
    buffer = io.BytesIO(content)  # shares the bytes: no copy of a large file
    buffer.seek(offset)
    try:
        raw = pd.read_csv(buffer, sep=delimiter, header=None, names=range(width), encoding=codec,
                          keep_default_na=False, na_values=[""], low_memory=False,
                          skip_blank_lines=False, quotechar='"',
                          dtype=str if delimiter == ";" else None)  # `;`: numbers read by parse_number_es
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame(columns=range(width))
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+), saw (\d+)", str(exc))
        raise InputError(
            f"la fila tiene más campos que el encabezado ({found.group(2) + ' y ' if found else ''}{len(names)}): "
            "una celda con el separador sin comillas, o una fila partida", file=path,
            row=h + 1 + int(found.group(1)) if found else None,
            hint=(_LONE_CR + ". " if _has_lone_cr(content, codec) else "") + _WIDTH_HINT) from exc
    except Exception as exc:  # pandas' other failures (encoding, overflow, …): named, in Spanish
        raise InputError(f"no se puede leer el archivo ({type(exc).__name__}: {exc})", file=path) from exc
    extra = [c for c in raw.columns[len(names):] if raw[c].notna().any()]  # every line's extra cells
    raw = raw[list(raw.columns[:len(names)]) + extra]
    raw.columns = range(raw.shape[1])
    names = names + [""] * len(extra)
    raw.index = pd.RangeIndex(h + 2, h + 2 + len(raw), name="excel_row")
    above = [_header_text(c) for c in records[h - 1]] if h else []
    return _Table(raw, names, h + 1, None, above=above, decimal_comma=delimiter == ";")


def _check_record_widths(names: list[str], content: bytes, offset: int, codec: str, delimiter: str,
                         path: Path, header_row: int) -> int:
    """Every record of a CSV has the header's fields: a hard error naming the first that does not;
    returns the widest record's fields (the columns pandas must make room for).

    pandas pads a short record with blanks (a row cut short by a broken download would read as 0
    people), breaks a record at a lone CR written unquoted (what `to_csv` writes for a CR in a
    cell: the row becomes two short ones) and reads a record with one field too many (an unquoted
    delimiter in a cell) with its cells shifted. So the fields of each record are counted first
    (the csv module, which splits records as pandas does). Allowed: blank lines; fewer fields than
    the header when the missing ones are under blank headers; more fields when every record has
    them (a program that ends each data line with a delimiter).
    """
    counts = _field_counts(content, offset, codec, delimiter)
    if counts is None or not len(counts):
        return len(names)  # a record the csv module cannot split: pandas' parser decides
    named = max((i + 1 for i, n in enumerate(names) if n), default=0)
    written = counts[counts > 0]
    short = (counts > 0) & (counts < named)
    long = counts > len(names)
    if long.any() and (written > len(names)).all() and (written == written[0]).all():
        long[:] = False  # every data line ends with the same extra delimiters
    bad = short | long
    if not bad.any():
        return max(int(counts.max()), len(names))
    first = int(np.flatnonzero(bad)[0])
    fields = int(counts[first])
    if fields > MAX_COLUMNS:
        message = f"la fila tiene {fields:,} campos, más que el límite de {MAX_COLUMNS} columnas"
    elif long[first]:
        message = (f"la fila tiene {fields} campos, más campos que el encabezado ({len(names)}): sobran celdas "
                   "(una celda con el separador sin comillas, o una fila partida)")
    else:
        message = (f"la fila tiene {fields} campos y el encabezado {named} (faltan celdas al final: un archivo "
                   "cortado, o una fila partida)")
    raise InputError(message, file=path, row=header_row + 1 + first,
                     hint=(_LONE_CR + ". " if _has_lone_cr(content, codec) else "") + _WIDTH_HINT)


_WIDTH_HINT = ("El kit no adivina qué celda falta o sobra: descargue de nuevo el 5W o guárdelo como libro "
               "de Excel (.xlsx) y use ese archivo")
_LONE_CR = ("El archivo tiene un retorno de carro (CR) sin comillas dentro de una celda, que parte la fila "
            "en dos; en Excel, busque y reemplace los saltos de línea dentro de las celdas")


def _has_lone_cr(content: bytes, codec: str) -> bool:
    """A CR not followed by LF in a file whose lines end with LF: a line break written inside a cell
    (bytes as the file's encoding writes them: «\\r\\x00» in UTF-16)."""
    cr, lf = "\r".encode(codec), "\n".encode(codec)
    return lf in content and re.search(re.escape(cr) + b"(?!" + re.escape(lf) + b")", content) is not None


def _field_counts(content: bytes, offset: int, codec: str, delimiter: str) -> np.ndarray | None:
    """Fields of each record after `offset`, read as pandas reads them; 0 for a blank record (an empty line,
    only delimiters or spaces: a blank row, skipped whatever its fields)."""
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=codec, errors="replace", newline="")
    stream.buffer.seek(offset)
    limit = csv.field_size_limit()
    csv.field_size_limit((1 << 31) - 1)
    try:
        return np.fromiter((len(r) if "".join(r).strip() else 0 for r in csv.reader(stream, delimiter=delimiter)),
                           dtype=np.int64)
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)


def _text_encoding(content: bytes) -> tuple[str, int]:
    """(codec, BOM length) of a text file: by BOM, else UTF-8 if valid, else Windows-1252, else Latin-1.

    Checked in chunks, so a large file is never decoded whole in memory.
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if content.startswith(bom):
            return codec, len(bom)
    view = memoryview(content)
    for codec in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            for start in range(0, len(content), 1 << 22):
                decoder.decode(view[start:start + (1 << 22)])
            decoder.decode(b"", final=True)
            return codec, 0
        except UnicodeDecodeError:
            continue
    return "latin-1", 0


class _TooWide(Exception):
    """A record of a delimited text with more fields than `limits.MAX_COLUMNS` (line, fields)."""


def _sniff_header(head: str, matcher: _HeaderMatcher):
    """(score, delimiter, records, record ends, header index) of the best header in `head`.

    The delimiter (`,` `;` tab `|`) and row whose cells name the most fields,
    the first on a tie; with no match at all, the delimiter most present in
    the first line and its first non-blank row (score 0).
    """
    best = None
    for delimiter in CSV_DELIMITERS:
        records, ends = _first_records(head, delimiter)
        for index, record in enumerate(records):
            score = matcher.score(record)
            if score and (best is None or score > best[0]):
                best = (score, delimiter, records, ends, index)
    if best is None:
        first_line = head.lstrip("\ufeff").split("\n", 1)[0]
        delimiter = max(CSV_DELIMITERS, key=lambda d: (first_line.count(d), -CSV_DELIMITERS.index(d)))
        records, ends = _first_records(head, delimiter)
        best = (0, delimiter, records, ends, _find_header(records, matcher) if records else 0)
    return best


def _enough_records(records: list[list[str]]) -> bool:
    return sum(any(c.strip() for c in r) for r in records) >= HEADER_SCAN_ROWS


def _first_records(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The first records of a delimited text and where each ends (character offset)."""
    buffer = io.StringIO(text, newline="")
    if text.startswith("\ufeff"):
        buffer.read(1)
    reader = csv.reader(buffer, delimiter=delimiter)
    records, ends = [], []
    non_blank = 0
    while non_blank < HEADER_SCAN_ROWS and len(records) < 1000:
        try:
            record = next(reader)
        except (StopIteration, csv.Error):
            break
        if len(record) > MAX_COLUMNS:  # before any work per cell: a line of 10^6 fields is refused at once
            raise _TooWide(len(records) + 1, len(record))
        records.append(record)
        ends.append(buffer.tell())
        non_blank += any(c.strip() for c in record)
    return records, ends


# --- formulas without value and error cells (xlsx XML) -------------------------------------------

_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]+)"')
_CELL_TYPE = re.compile(rb'\st="([A-Za-z]+)"')
_CELL_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", re.S)
_CELL_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?f>", re.S)
_CELL_CLOSE = re.compile(rb"</(?:[\w.-]+:)?c>")
_TAG_PREFIX = re.compile(rb"<[\w.-]+$")
_CACHED_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>[^<]")
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _scan_xlsx(content: bytes, sheet: str | None, out: dict) -> None:
    """Cells calamine reads as blank though they are not: out[sheet] = {(row, col): (message, value)}.

    An error cell (`t="e"`, e.g. #N/A) and a formula without a cached value
    (`<f>` with no `<v>` or an empty one, on a cell that is not text). Runs
    beside calamine's read (both release the GIL on the heavy parts); any
    failure here leaves `out` without the sheet (calamine reports a broken file).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            located = sheet_member(book, sheet)  # the one lookup of the sheet's XML (mdrm.limits)
            if located is None:
                return
            name, member = located
            xml = book.read(member)
    except Exception:  # best effort beside calamine: a broken file is calamine's to report
        return
    found: dict[tuple[int, int], tuple[str, str]] = {}
    prefix = re.search(rb"<([\w.-]+:)?sheetData[\s>]", xml[:1 << 20])
    cell_open = b"<" + (prefix.group(1) or b"" if prefix else b"") + b"c "
    for pos in _marks(xml):
        cell = _marked_cell(xml, pos, cell_open)
        if cell is not None and cell[0] not in found:
            found[cell[0]] = cell[1]
    out[name] = found


def _marks(xml: bytes):
    """Positions of formula tags (`<f`, `<x:f`) and of error values (`<v>#…`) in a sheet's XML.

    Scanned through the rare bytes `f` and `#` (memchr-fast); a sheet where
    they abound (text written inline) falls back to substring searches.
    """
    if xml.count(b"f") + xml.count(b"#") > 200_000:
        for needle, offset in ((b"<f", 1), (b":f", 1), (b"v>#", 2)):
            pos = xml.find(needle)
            while pos != -1:
                yield pos + offset
                pos = xml.find(needle, pos + 1)
        return
    for byte in (b"f", b"#"):
        pos = xml.find(byte)
        while pos != -1:
            yield pos
            pos = xml.find(byte, pos + 1)


def _marked_cell(xml: bytes, pos: int, cell_open: bytes = b"<c "):
    """((row, col), (message, value)) of the bad cell holding a mark, else None.

    A mark at `pos` is an `f` or a `#`; it counts when it is a formula tag
    (`<f>`, `<f …>`, `<f/>`, `<x:f>`) or an error value right after `<v>`.
    The cell is then bad when its type is error (`t="e"`) or when it has a
    formula and no cached value on a non-text cell.
    """
    char = xml[pos:pos + 1]
    if char == b"f":
        before, after = xml[pos - 1:pos], xml[pos + 1:pos + 2]
        if after not in (b" ", b">", b"/") or before not in (b"<", b":"):
            return None  # <formula>, <filterColumn>, text…
        if before == b":" and not _TAG_PREFIX.search(xml, max(0, pos - 21), pos - 1):
            return None
        tag_end = xml.find(b">", pos)
        after = tag_end + 1 if xml[tag_end - 1:tag_end] == b"/" else xml.find(b"f>", tag_end) + 2
        if _CACHED_VALUE.match(xml, after):
            return None  # the usual case, a formula and its value: no need to parse the cell
    elif char != b"#" or xml[pos - 2:pos] != b"v>":
        return None
    start = xml.rfind(cell_open, max(0, pos - 65536), pos)  # cells are short: look back a little first
    if start == -1:
        start = xml.rfind(cell_open, 0, pos)
        if start == -1:
            return None
    head_end = xml.find(b">", start)
    if head_end == -1 or head_end >= pos or xml[head_end - 1:head_end] == b"/":
        return None  # the mark is not inside this cell
    close = _CELL_CLOSE.search(xml, head_end)
    if close is None or close.start() < pos:
        return None
    head, chunk = xml[start:head_end + 1], xml[start:close.end()]
    ref = _CELL_REF.search(head)
    if ref is None:
        return None
    col = 0
    for letter in ref.group(1):
        col = col * 26 + (letter - 64)
    key = (int(ref.group(2)), col - 1)
    kind = _CELL_TYPE.search(head)
    kind = kind.group(1).decode() if kind else "n"
    value = _CELL_VALUE.search(chunk)
    if kind == "e":
        return key, (MSG_EXCEL_ERROR, value.group(1).decode("utf-8", "replace") if value else "#ERROR")
    if char == b"#" or kind in ("str", "inlineStr", "s") or (value is not None and value.group(1).strip()):
        return None  # a cached value (an empty text result is a value too)
    formula = _CELL_FORMULA.search(chunk)
    text = formula.group(1).decode("utf-8", "replace") if formula else ""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return key, (MSG_FORMULA, "=" + text if text else "(fórmula compartida)")


# --- headers --------------------------------------------------------------------------------------

def _match_headers(table: _Table, matcher: _HeaderMatcher, catalog: Catalog, path: Path) -> dict[str, int]:
    """field -> column position. Explicit `columnas:` first, then aliases; duplicates checked."""
    explicit: dict[str, list[int]] = {}
    by_alias: dict[str, list[int]] = {}
    for position, header in enumerate(table.names):
        name, is_explicit = matcher.field(header)
        if name:
            (explicit if is_explicit else by_alias).setdefault(name, []).append(position)
    headers: dict[str, int] = {}
    for name in catalog.fields:
        candidates = explicit.get(name) or by_alias.get(name) or []
        if not candidates:
            continue
        first = candidates[0]
        for other in candidates[1:]:
            differ = _first_difference(table.raw[first], table.raw[other])
            if differ is not None:
                raise InputError(
                    f"el campo {name} está en dos columnas con datos distintos: «{table.names[first]}» "
                    f"(columna {_column_letter(first)}) y «{table.names[other]}» (columna {_column_letter(other)})",
                    file=path, sheet=table.sheet, row=differ,
                    hint="Borre o renombre una de las dos columnas, o indique cuál usar con `columnas:` "
                         "en el archivo de parámetros")
        headers[name] = first
    missing = [f for f, spec in catalog.fields.items() if spec.required and f not in headers]
    if missing:
        name = missing[0]
        wanted = [normalize(a) for a in catalog.fields[name].aliases]
        found = {normalize(c): c for c in table.names if normalize(c)}
        close: list[str] = []
        for alias in wanted:
            close += [found[m] for m in difflib.get_close_matches(alias, list(found), n=3, cutoff=0.5)]
        close = list(dict.fromkeys(close))[:3]
        hint = (
            _("Encabezados parecidos en el archivo: {headers}").format(headers=", ".join(f"«{c}»" for c in close))
            if close else _("No hay encabezados parecidos en el archivo")
        ) + _(". Puede indicar el encabezado con `columnas:` en el archivo de parámetros")
        split = _split_header(table, matcher, name)
        if split:
            hint = (f"El encabezado parece ocupar dos filas (celdas combinadas): «{split[0]}» sobre «{split[1]}». "
                    f"Escriba cada encabezado completo en una sola celda de la fila {table.header_row}, "
                    f"p. ej. «{split[0]} {split[1]}». " + hint)
        if not headers:
            hint += _(". Se buscó la fila de encabezados en las primeras {n} filas").format(n=HEADER_SCAN_ROWS)
        if table.note:
            hint += f". {table.note}"
        others = [s for s in table.sheet_names if s != table.sheet]
        if others:
            hint += _(". Otras hojas del archivo: {sheets} (indique cuál con `hoja:`)").format(
                sheets=", ".join(f"«{s}»" for s in others))
        more = _(" (también faltan: {fields})").format(fields=", ".join(missing[1:])) if len(missing) > 1 else ""
        raise InputError(
            _("falta la columna obligatoria «{header}» (campo {field}){more}").format(
                header=catalog.fields[name].aliases[0], field=name, more=more),
            file=path, sheet=table.sheet, row=table.header_row, hint=hint,
        )
    return headers


def _split_header(table: _Table, matcher: _HeaderMatcher, name: str) -> tuple[str, str] | None:
    """(title above, header) when a missing field's header is split over two rows, as merged
    group titles make it ('Refugiados y migrantes' above 'EN DESTINO'); None otherwise."""
    title = ""
    for position, header in enumerate(table.names):
        if position < len(table.above) and table.above[position]:
            title = table.above[position]  # a merged title spans the blank cells to its right
        if title and header and matcher.field(f"{title} {header}")[0] == name:
            return title, header
    return None


def _column_letter(position: int) -> str:
    """Excel's letters of a 0-based column position."""
    return column_letters(position + 1)


def _first_difference(left: pd.Series, right: pd.Series) -> int | None:
    """Excel row of the first cell where two columns differ (blank = blank), or None."""
    a, b = left.astype(object), right.astype(object)
    same = (a == b) | (a.isna() & b.isna())
    if same.all():
        return None
    return int(same.index[~same.to_numpy()][0])


def _blank_rows(raw: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is blank: not rows of the 5W (their number is still skipped)."""
    if raw.shape[1] == 0:
        return pd.Series(True, index=raw.index)
    blank = raw.isna().all(axis=1)
    # a row with a number or a date is not blank; others may hold only spaces in their text cells
    texty = [c for c in raw.columns if not (
        pd.api.types.is_numeric_dtype(raw[c]) or pd.api.types.is_datetime64_any_dtype(raw[c]))]
    solid = [c for c in raw.columns if c not in texty]
    maybe = ~blank & (raw[solid].isna().all(axis=1) if solid else True)
    if maybe.any() and texty:
        some = raw.loc[maybe, texty]
        blank[maybe] = pd.DataFrame({c: _blank(some[c]) for c in texty}).all(axis=1)
    return blank


def _blank(column: pd.Series) -> pd.Series:
    """Empty cells: missing, or text of only spaces."""
    if (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)
            or pd.api.types.is_bool_dtype(column)):
        return column.isna()
    return map_distinct(column, lambda u: isinstance(u, str) and not u.strip(), missing=True, dtype=bool)


# --- values -----------------------------------------------------------------------------------------

def _canonical(raw: pd.DataFrame, headers: dict[str, int], catalog: Catalog,
               names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the text fields, the cells whose control characters were removed: `FiveW.controls_removed`)."""
    columns: dict[str, pd.Series] = {"excel_row": pd.Series(raw.index.to_numpy(), index=raw.index)}
    removed = []
    for name in catalog.fields:
        if name in TEXT_FIELDS:
            if name not in headers:
                columns[name] = pd.Series(None, index=raw.index, dtype=object)
                continue
            columns[name], had = _text(raw[headers[name]])
            if had.any():
                removed.append(pd.DataFrame({"excel_row": raw.index[had].astype("int64"), "field": name,
                                             "column": names[headers[name]]}))
    data = pd.DataFrame(columns)
    for name in YES_NO_FIELDS:
        data[name] = _yes_no(data[name])
    return data, (pd.concat(removed, ignore_index=True) if removed else _empty_controls_removed())


def _empty_controls_removed() -> pd.DataFrame:
    return pd.DataFrame({"excel_row": pd.Series(dtype="int64"), "field": pd.Series(dtype=object),
                         "column": pd.Series(dtype=object)})


def _text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Text of a column: stripped, blank -> None, double-encoded UTF-8 repaired, then as a person sees it
    (`text.clean_cell_text`: NFC, no invisible format characters, no control characters); and which rows
    had control characters removed (a quality issue, Q31)."""
    def clean(u):
        if isinstance(u, (dt.datetime, dt.date, pd.Timestamp)):
            return str(u), False
        if isinstance(u, float) and u.is_integer():
            return str(int(u)), False
        text, had = clean_cell_text(ftfy.fix_encoding(str(u).strip()))
        return text.strip() or None, had

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = [clean(u) for u in uniques] + [(None, False)]
    new_codes, categories = pd.factorize(pd.Series([c[0] for c in cleaned], dtype=object), use_na_sentinel=True)
    text = pd.Series(pd.Categorical.from_codes(new_codes[codes], categories=categories), index=values.index)
    return text, np.array([c[1] for c in cleaned], dtype=bool)[codes]


def _yes_no(values: pd.Series) -> pd.Series:
    """'Si'/'Sí'/'Yes' -> True, 'No' -> False, blank or other -> <NA>."""
    def yes_no(u):
        n = normalize(u)
        return True if n in _YES else False if n in _NO else pd.NA

    return map_distinct(values, yes_no, missing=pd.NA, dtype="boolean")


def _excel_serial(number: float) -> str | None:
    if not (EXCEL_SERIAL_FIRST <= number < EXCEL_SERIAL_LAST + 1):
        return None
    day = _EXCEL_EPOCH + dt.timedelta(days=int(number))
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(value) -> str | None:
    """A Month cell -> 'YYYY-MM', or None when unreadable.

    Read: a date or datetime; text 'YYYY-MM', 'YYYY/MM', 'YYYY-MM-DD' (with an
    optional time), 'MM/YYYY'; an Excel date serial from 36526 (2000-01-01) to
    73415 (2100-12-31), as a number or as five digits of text (44075 =
    2020-09-01). Not read (None, a hard error for the rows used): month names
    in any language ('Septiembre 2020', 'sep-20', 'Sept 2020'), day-first or
    month-first dates ('01/09/2020'), years outside 1900-2100, booleans.
    """
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        if pd.isna(value):
            return None
        return f"{value.year:04d}-{value.month:02d}"
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _excel_serial(float(value)) if math.isfinite(value) else None
    text = str(value)
    m = _MONTH_TEXT.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if m.group(3) is not None and 1 <= month <= 12 and not (
                1 <= int(m.group(3)) <= calendar.monthrange(year, month)[1]):
            return None  # 2020-09-45, 2020-02-30: not a date, maybe not the month either
    else:
        m = _MONTH_TEXT_MY.match(text)
        if not m:
            m = _SERIAL_TEXT.match(text)
            return _excel_serial(float(m.group(1))) if m else None
        month, year = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}"


def parse_number(value) -> tuple[float, str | None]:
    """A cell of a numeric field -> (number, None), or (nan, message) when it is not one.

    Blank (missing, or only spaces) is (nan, None): 0 later. Numbers keep their
    value (1e12 too: the size limit is checked afterwards). Text is read with
    the decimal point `.` (as in Peru, in Excel's numbers and in pandas):
    - '12', '12.4', '.5', '1e3', '+7': the number; '-3' is read (then flagged negative);
    - '1,234', '12,345,678', '1,234.5': `,` separates thousands, groups of exactly three digits;
    - '1 234' (space, no-break or thin space between groups of three): thousands too;
    - '1.234.567' and '1.234,5' (several dot groups, or dots before a decimal comma):
      the Spanish writing, unambiguous, read as 1234567 and 1234.5;
    - '1.234' alone is the decimal number 1.234 (the same as the CSV parser
      and Excel read it); as a count of people it is then a fraction (Q09);
    - any other use of the comma ('1,5', '12,34', '1,2345', '1,234,5') is
      ambiguous (decimal or thousands?): error, never a guess;
    - TRUE/FALSE, dates, Excel errors ('#N/A'), 'N/A', '-', 'nan', 'inf' and other text: error.
    """
    if value is None:
        return np.nan, None
    if isinstance(value, (bool, np.bool_)):
        return np.nan, MSG_BOOL
    if isinstance(value, (dt.datetime, dt.date, dt.time, pd.Timestamp, dt.timedelta)):
        return np.nan, MSG_DATE
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if math.isnan(number):
            return np.nan, None
        return number, None if math.isfinite(number) else MSG_OVERFLOW
    text = str(value).translate(_SPACES).strip()
    if not text:
        return np.nan, None
    if _PLAIN_NUMBER.match(text):
        number = float(text)
    elif _COMMA_THOUSANDS.match(text):
        number = float(text.replace(",", ""))
    elif _SPACE_THOUSANDS.match(text):
        number = float(text.replace(" ", ""))
    elif _DOT_THOUSANDS.match(text):
        number = float(text.replace(".", "").replace(",", "."))
    else:
        number = None
    if number is not None:
        return (number, None) if math.isfinite(number) else (np.nan, MSG_OVERFLOW)  # '1e309'
    if text.lower() in _EXCEL_ERRORS:
        return np.nan, MSG_EXCEL_ERROR
    if re.fullmatch(r"[+-]?[0-9][0-9.,]*", text) and "," in text:
        return np.nan, MSG_AMBIGUOUS
    if text.lower() in {"true", "false", "verdadero", "falso"}:
        return np.nan, MSG_BOOL
    return np.nan, MSG_TEXT


_ES_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_ES_DECIMAL = re.compile(r"^[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?$|^[+-]?[0-9]+(?:[eE][+-]?[0-9]+)$")
_ES_DOT_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$|^[+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,}$")
_ES_DOT_DECIMAL = re.compile(r"^[+-]?[0-9]*\.(?:[0-9]{1,2}|[0-9]{4,})$")


def parse_number_es(value) -> tuple[float, str | None]:
    """A numeric cell of a `;`-separated CSV (Spanish locale, as Excel in Spanish saves it).

    The comma is the decimal mark: '1,25' = 1.25, '1250,5' = 1250.5, '12,4' = 12.4, and
    '1,250' = 1.25 (never 1250). Dots group thousands only where that is certain:
    '1.234.567' and '1.234,5'. A dot followed by exactly three digits alone ('1.250': 1250
    or 1.25?) and a comma with a dot after it ('1,234.5') cannot be read without
    guessing: error, whose message says to save the file as .xlsx. A dot with other than
    three digits after it ('12.5') can only be a decimal point and is read as one. Other
    cells (text, booleans, dates, Excel errors) give the messages of `parse_number`.
    """
    if not isinstance(value, str):
        return parse_number(value)
    text = value.translate(_SPACES).strip()
    if not text:
        return np.nan, None
    if _ES_INTEGER.match(text) or _ES_DECIMAL.match(text):
        number = float(text.replace(",", "."))
    elif _ES_DOT_THOUSANDS.match(text):
        number = float(text.replace(".", "").replace(",", "."))
    elif _ES_DOT_DECIMAL.match(text):
        number = float(text)
    else:
        number, message = parse_number(text)
        if message is None or message == MSG_AMBIGUOUS:  # any other use of ',' and '.' is a guess
            return np.nan, MSG_AMBIGUOUS
        return number, message
    return (number, None) if math.isfinite(number) else (np.nan, MSG_OVERFLOW)


def _distinct(column: pd.Series) -> tuple[np.ndarray, list]:
    """codes, distinct cells of a column; unlike `pd.factorize`, True is not 1 and False is not 0."""
    if pd.api.types.is_object_dtype(column):
        key = column.astype(str).where(column.notna(), None)
        codes, _uniques = pd.factorize(key, use_na_sentinel=True)
        present = codes >= 0
        _values, first = np.unique(codes[present], return_index=True)
        values = column.to_numpy()[np.flatnonzero(present)[first]]
        return codes, list(values)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object).tolist()


def _shown(value, excel: bool = True) -> str:
    """A cell as the message shows it: 12 not 12.0; a logical cell as Excel (in Spanish) shows
    it, VERDADERO/FALSO, or as a CSV writes it, TRUE/FALSE."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return ("VERDADERO" if value else "FALSO") if excel else ("TRUE" if value else "FALSE")
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer() \
            and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, (float, np.floating)) and math.isinf(value):
        return "menos de -1.8e308" if value < 0 else "más de 1.8e308"  # it overflowed: never «inf»
    return str(value)


def _coerce(data: pd.DataFrame, table: _Table, headers: dict[str, int]) -> pd.DataFrame:
    """Parse months and numbers in place; return the bad cells."""
    raw = table.raw
    problems: list[pd.DataFrame] = []
    unset = _unset_cells(table, headers)
    if unset is not None:
        problems.append(unset)

    month = raw[headers["month"]]
    if pd.api.types.is_datetime64_any_dtype(month):
        parsed = month.dt.strftime("%Y-%m").astype("category")
    else:
        codes, uniques = _distinct(month)
        mapped = pd.Series([parse_month(u) for u in uniques] + [None], dtype=object)
        new_codes, categories = pd.factorize(mapped, use_na_sentinel=True)
        parsed = pd.Series(pd.Categorical.from_codes(new_codes[codes], categories=categories), index=raw.index)
    bad = parsed.isna()
    if bad.any():
        problems.append(_problems(data, bad, "month", headers, table, MSG_MONTH))
    data["month"] = parsed

    numeric: dict[str, np.ndarray] = {}
    for name in NUMERIC_FIELDS:
        if name not in headers:
            numeric[name] = np.zeros(len(raw))
            continue
        column = raw[headers[name]]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            numbers = column.to_numpy(dtype="float64", na_value=np.nan)
            messages = np.where(np.isinf(numbers), MSG_OVERFLOW, None)  # '1e309' in a CSV: pandas reads inf
        else:
            codes, uniques = _distinct(column)
            parse = parse_number_es if table.decimal_comma else parse_number
            parsed_cells = [parse(u) for u in uniques] + [(np.nan, None)]
            if table.sheet is None:  # a text file: say what to do about an ambiguous number
                parsed_cells = [(n, MSG_AMBIGUOUS_CSV if m == MSG_AMBIGUOUS else m) for n, m in parsed_cells]
            numbers = np.array([p[0] for p in parsed_cells], dtype="float64")[codes]
            messages = np.array([p[1] for p in parsed_cells], dtype=object)[codes]
        with np.errstate(invalid="ignore"):
            messages = np.where(pd.isna(messages) & (numbers < 0), MSG_NEGATIVE, messages)
            messages = np.where(pd.isna(messages) & (numbers > MAX_NUMBER), MSG_TOO_BIG, messages)
        bad = ~pd.isna(messages)  # a cell with a message (messages are text, never NaN)
        if bad.any():
            for message in dict.fromkeys(messages[bad].tolist()):
                problems.append(_problems(data, pd.Series(messages == message, index=raw.index), name, headers,
                                          table, message))
            numbers = np.where(bad, 0.0, numbers)
        numeric[name] = np.nan_to_num(numbers, nan=0.0, posinf=0.0, neginf=0.0)
    for name, numbers in numeric.items():
        data[name] = numbers
    if not problems:
        return _empty_cell_errors()
    errors = pd.concat(problems, ignore_index=True)
    return errors.drop_duplicates(["excel_row", "position"], keep="first").reset_index(drop=True)


def _unset_cells(table: _Table, headers: dict[str, int]) -> pd.DataFrame | None:
    """Formula cells without value and Excel error cells in the fields' columns, among data rows."""
    if not table.unset_cells:
        return None
    field_of = {pos: name for name, pos in headers.items()}
    rows = set(table.raw.index)
    records = [
        (row, col, field_of[col], table.names[col], value, message)
        for (row, col), (message, value) in table.unset_cells.items()
        if col in field_of and row in rows
    ]
    if not records:
        return None
    return pd.DataFrame(records, columns=["excel_row", "position", "field", "column", "value", "message"])


def _problems(data, mask, name, headers, table: _Table, message) -> pd.DataFrame:
    position = headers[name]
    values = table.raw.loc[mask, position]
    return pd.DataFrame({
        "excel_row": data.loc[mask, "excel_row"].astype("int64").to_numpy(),
        "position": position,
        "field": name,
        "column": table.names[position],
        "value": [_shown(v, excel=table.sheet is not None) for v in values],
        "message": message,
    })


# --- other tables read like the 5W (R4V's indicator list) ----------------------------------------

class _FieldMatcher:
    """Header text -> field of a small table (field -> aliases), compared normalized like the 5W's."""

    def __init__(self, fields: dict[str, tuple[str, ...]]):
        self.alias = {normalize(a): name for name, aliases in fields.items() for a in (name, *aliases)}

    def field(self, header: str) -> tuple[str | None, bool]:
        return self.alias.get(normalize(header)), False

    def score(self, cells: list) -> int:
        found = {self.field(_header_text(c))[0] for c in cells}
        found.discard(None)
        return len(found)


def read_text_table(path: str | Path, fields: dict[str, tuple[str, ...]], required: tuple[str, ...],
                    what: str) -> pd.DataFrame:
    """A table other than the 5W (xlsx or csv, Spanish or English headers), read with the 5W's readers and
    header matching: one text column per field found (stripped, repaired, blank -> None), `excel_row`.

    `what` names the table in messages («la lista de indicadores»). A missing required field is a hard
    error naming the headers found; a field in two columns takes the first."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no existe el archivo de {what}", file=path)
    check_file_size(path)
    content = path.read_bytes()
    matcher = _FieldMatcher(fields)
    kind = _sniff(content, path)
    if kind == "excel":
        check_workbook(content, path, None)
    table = (read_book(content, path, _read_workbook, content, path, None, matcher) if kind == "excel"
             else _read_delimited(content, path, matcher))
    positions: dict[str, int] = {}
    for position, header in enumerate(table.names):
        name = matcher.field(header)[0]
        if name and name not in positions:
            positions[name] = position
    missing = [f for f in required if f not in positions]
    if missing:
        shown = ", ".join(f"«{n}»" for n in table.names if n) or "ninguno"
        wanted = " o ".join(f"«{a}»" for a in fields[missing[0]][:3])
        raise InputError(f"falta la columna {wanted} en {what}", file=path, sheet=table.sheet,
                         row=table.header_row, hint=f"Encabezados encontrados: {shown}")
    raw = table.raw[~_blank_rows(table.raw).to_numpy()]
    columns = {"excel_row": pd.Series(raw.index.to_numpy(), index=raw.index)}
    for name in fields:
        columns[name] = (_text(raw[positions[name]])[0].astype(object) if name in positions
                         else pd.Series(None, index=raw.index, dtype=object))
    return pd.DataFrame(columns).reset_index(drop=True)
