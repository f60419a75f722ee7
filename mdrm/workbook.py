"""tablas.xlsx: every table of the report, one sheet each, numbers kept as numbers.

Text stays text: a name like "=HYPERLINK(...)" from the 5W is written as
inert text (`iorw.text_cell`), never as a formula.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .iorw import text_cell

if TYPE_CHECKING:
    import pandas as pd

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


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


def _tidy_sheet(sheet) -> None:
    """Text stays text (a name like "=HYPERLINK(...)" from the 5W is not a formula),
    columns as wide as their content, the header row frozen."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            text_cell(cell)  # openpyxl reads any text starting with "=" as a formula
            if cell.value is not None:
                widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), len(str(cell.value)))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"


def write_tables(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Every table of the report, one sheet each (sheet name -> table)."""
    import pandas as pd

    if not tables:
        raise RuntimeError("el reporte no tiene tablas para tablas.xlsx")
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, table in zip(sheet_names(tables), tables.values()):
            frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
            frame.to_excel(writer, sheet_name=sheet, index=not isinstance(frame.index, pd.RangeIndex))
            _tidy_sheet(writer.sheets[sheet])
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())
