"""`mdrm validate`: the whole file's quality issues as a table, hard errors last."""
from __future__ import annotations

from typing import TextIO

import pandas as pd

from .catalog import load_catalog
from .load import read_5w
from .methodology import classify
from .quality import CODES, counts, find_issues
from .text import printable


def validate_file(path, sheet: str | None = None, columns: dict | None = None, out: TextIO | None = None) -> int:
    """Print the issues of every row; raise the first hard error (exit 2) after them."""
    catalog = load_catalog()
    fivew = read_5w(path, sheet, columns, catalog)
    rows = classify(fivew.data, catalog)
    issues = find_issues(rows, catalog, fivew.source.headers)
    tally = counts(issues)
    lines = [f"Archivo: {fivew.source.path.name}" + (f" (hoja «{fivew.source.sheet}»)" if fivew.source.sheet else ""),
             f"Filas leídas: {len(rows)}", ""]
    if len(issues):
        table = issues.rename(columns={"code": "código", "row": "fila", "organization": "organización",
                                       "message": "problema"})
        with pd.option_context("display.max_rows", None, "display.max_colwidth", 120, "display.width", 200):
            lines.append(table.to_string(index=False))
    else:
        lines.append("Sin problemas de calidad.")
    lines += ["", "Resumen por código:"]
    lines += [f"  {code}  {tally[code]:>6}  {label}" for code, label in CODES.items()]
    if out is not None:
        out.write(printable("\n".join(lines)) + "\n")  # names from the 5W never drive the terminal
    fivew.check_cells()
    return 0
