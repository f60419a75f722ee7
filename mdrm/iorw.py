"""Atomic file writing: a failure never leaves a partial or mixed output."""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: a reader, or a run killed
    midway, sees the old file or the new one, never part of one. Readable by others, like any file
    the user creates (mkstemp alone would make it 0600): these are files to share."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a shared report is readable
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def dumps_metrics(metrics: dict) -> str:
    return json.dumps(metrics, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- cells a spreadsheet must not run

# A text cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets
# (OWASP, "CSV Injection"): = + - @, tab and carriage return, and their full-width forms.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A line of a cell is as dangerous as its first one: a reader that breaks rows at a CR or LF (an
# unquoted CR in a CSV) starts a row with whatever follows it.
_LINE_FORMULA = re.compile("([\r\n])(?=[" + re.escape("".join(c for c in FORMULA_START if c not in "\r\n")) + "])")


def neutralize(value):
    """A cell value made inert for a spreadsheet: text that could start a formula gets a leading
    apostrophe (OWASP's advice for CSV), and so does every line of it after a CR or LF that
    could; anything else is returned as it is.

    The one rule of every file the kit writes for a person to open: `csv_safe`
    applies it to a CSV's cells (`write_csv` also quotes every cell holding a CR
    or LF), `text_cell` to an xlsx cell (kept as text, never a formula, with
    Excel's «'» prefix so that editing it keeps it text).
    """
    if not isinstance(value, str):
        return value
    value = _inert_lines(value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def _inert_lines(value: str) -> str:
    """Every line after the first neutralized (the first one, in an xlsx, by the quote prefix)."""
    return _LINE_FORMULA.sub(r"\1'", value) if ("\r" in value or "\n" in value) else value


def csv_safe(frame):
    """A copy of a table whose text cells and headers are neutralized (per distinct value)."""
    import pandas as pd

    out = frame.copy()
    out.columns = [neutralize(c) for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column) \
                or pd.api.types.is_bool_dtype(column):
            continue
        values = column.astype(object)
        distinct = pd.unique(values.dropna())
        changed = {v: safe for v in distinct if isinstance(v, str) and (safe := neutralize(v)) != v}
        if changed:
            out.isetitem(position, values.where(~values.isin(list(changed)), values.map(changed)))  # hash lookups, no per-row Python
    return out


def write_csv(frame, path: str | Path) -> None:
    """A table as a CSV for a person to open: cells neutralized (`csv_safe`), UTF-8 with BOM (Excel
    reads the accents), CRLF rows (RFC 4180): the csv writer then quotes every cell holding a CR or
    an LF, so that no reader splits it into rows (with LF rows, a lone CR went unquoted)."""
    csv_safe(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def text_cell(cell) -> None:
    """An openpyxl cell: text stays text. openpyxl turns any text starting with "=" into a formula;
    such a cell, and any text `neutralize` would change at its start, is stored as text with
    Excel's quote prefix; its other lines get `neutralize`'s apostrophe (the same rule as a CSV)."""
    value = cell.value
    if not isinstance(value, str):
        return
    inert = _inert_lines(value)
    if inert != value:
        cell.value = inert  # may make openpyxl call it a formula again: fixed just below
    if cell.data_type == "f" or (cell.data_type == "s" and inert.startswith(FORMULA_START)):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_text_only(sheet) -> None:
    """Every cell of an openpyxl worksheet through `text_cell`."""
    for row in sheet.iter_rows():
        for cell in row:
            text_cell(cell)


# --------------------------------------------------------------------------- a table's sheet in a workbook

# `DataFrame.attrs` key under which a report table carries what its sheet shows around it:
# {"caption", "note", "number_formats": {column: Excel number format}} (`mdrm.tables.report_tables`
# writes it from the table's record, `mdrm.workbook.write_tables` reads it).
SHEET_ATTRS = "mdrm_sheet"
