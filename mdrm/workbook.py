"""tablas.xlsx: every table of the report, one sheet each, numbers kept as numbers.

Text stays text: a name like "=HYPERLINK(...)" from the 5W is written as
inert text (`iorw.text_cell`), never as a formula.

A table of the report (`mdrm.tables.report_tables`) carries its record's texts
and formats in `frame.attrs[SHEET_ATTRS]`: its sheet starts with the caption
(row 1) and the note (row 2, empty when the table has none), the table's header
is row 3 (CAPTION_ROWS rows above it), and each numeric column has its Excel
number format ("#,##0", '#,##0.0"%"', "+#,##0;-#,##0;0"…). Any other table
(the workbooks of `mdrm validate`) starts at row 1, as pandas writes it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .iorw import SHEET_ATTRS, text_cell

if TYPE_CHECKING:
    import pandas as pd

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

CAPTION_ROWS = 2  # caption and note above a report table's header (pandas: read_excel(header=CAPTION_ROWS))


def sheet_names(names) -> list[str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique (case-insensitive)."""
    used, result = set(), []
    for name in names:
        base = _SHEET_FORBIDDEN.sub(" ", str(name)).strip().strip("'") or "tabla"
        candidate, n = base[:31], 1
        while candidate.lower() in used:
            n += 1
            suffix = f" ({n})"
            candidate = base[:31 - len(suffix)] + suffix
        used.add(candidate.lower())
        result.append(candidate)
    return result


def _tidy_sheet(sheet, header_row: int = 1) -> None:
    """Text stays text (a name like "=HYPERLINK(...)" from the 5W is not a formula),
    columns as wide as their content (from the header row down), the header row frozen."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            text_cell(cell)  # openpyxl reads any text starting with "=" as a formula
            if cell.value is not None and cell.row >= header_row:
                widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), len(str(cell.value)))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(60, max(8, width + 2))
    sheet.freeze_panes = f"A{header_row + 1}"


def _caption_and_formats(sheet, texts: dict) -> None:
    """A report table's sheet: its caption and note above the header, its number formats below it."""
    from openpyxl.styles import Font

    sheet.cell(row=1, column=1, value=texts.get("caption") or None).font = Font(bold=True, size=12)
    sheet.cell(row=2, column=1, value=texts.get("note") or None).font = Font(italic=True, color="546E7A")
    header = CAPTION_ROWS + 1
    formats = texts.get("number_formats") or {}
    for head in sheet[header]:
        excel = formats.get(str(head.value)) if head.value is not None else None
        if excel is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=header + 1, min_col=head.column, max_col=head.column):
            cell.number_format = excel


def write_tables(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Every table of the report, one sheet each (sheet name -> table)."""
    import pandas as pd

    if not tables:
        raise RuntimeError("el reporte no tiene tablas para tablas.xlsx")
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        titles = [(getattr(t, "attrs", {}).get(SHEET_ATTRS) or {}).get("sheet_title") or key for key, t in tables.items()]
        for sheet, table in zip(sheet_names(titles), tables.values()):
            frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
            texts = frame.attrs.get(SHEET_ATTRS)
            frame.to_excel(writer, sheet_name=sheet, index=not isinstance(frame.index, pd.RangeIndex),
                           startrow=CAPTION_ROWS if texts else 0)
            if texts:
                _caption_and_formats(writer.sheets[sheet], texts)
            _tidy_sheet(writer.sheets[sheet], header_row=CAPTION_ROWS + 1 if texts else 1)
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
