"""`mdrm validate`: the quality issues of a 5W, for the IMO who chases partners.

Each issue carries the country, region and month of its row. With a params
file the check is limited to the Mesa's region and the months its report reads
(January to `mes`, and the month before). The terminal shows a summary first
(per code, per organization); the long list only with `--todo`. `-o FILE.xlsx`
writes a summary sheet and the detail; `--por-organizacion DIR` writes one
workbook per organization with issues (its issues and its rows), ready to send.

A cell that could not be read (text in a number, an ambiguous number...) is
a hard error (exit 2, nothing written), never a quality issue: its row's
issues are left out, since they would come from a value the file does not
hold. The summary of the other rows is printed before the error.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path
from typing import TextIO

import pandas as pd

from .catalog import load_catalog
from .indicators import read_indicator_list, rules_of
from .isolate import read_safely
from .load import read_5w
from .methodology import classify
from .publish import publish_files
from .quality import CODES, counts, find_issues
from .text import normalize, printable, slug

NO_ORGANIZATION = "(sin organización)"
TOP_ORGANIZATIONS = 10
DETAIL_COLUMNS = {"code": "Código", "row": "Fila", "country": "País", "admin1": "Región", "month": "Mes",
                  "organization": "Organización", "message": "Problema"}


def scope_mask(fivew, params, catalog) -> pd.Series:
    """Rows a params file limits the check to: the Mesa's rows (its country and admin1s, as the
    report takes them: `scope.mesa_rows`), January to its month and the month before."""
    from .metrics import months_to_date, previous_month
    from .scope import mesa_rows

    months = set(months_to_date(params.month)) | {previous_month(params.month)}
    return mesa_rows(fivew, params, catalog) & fivew.data["month"].isin(months)


def issues_table(path, sheet: str | None = None, columns: dict | None = None, params=None,
                 indicators: str | Path | None = None):
    """(fivew, classified rows in scope, issues with country/region/month, scope mask).

    `indicators` (`--indicadores`): R4V's indicator list, instead of the params' `indicadores`."""
    catalog = load_catalog()
    rules = rules_of(params)
    if indicators is not None:
        rules = dataclasses.replace(rules, indicators=read_indicator_list(indicators))
    fivew = read_safely(read_5w, path, sheet, columns, catalog)  # a reader's crash: exit 2 naming the file
    data = fivew.data
    if params is not None:
        catalog = params.adapt(catalog)
    scope = scope_mask(fivew, params, catalog) if params is not None else pd.Series(True, index=data.index)
    rows = classify(data[scope], catalog, getattr(params, "duplicates", "excluir"), rules, fivew.unread)
    unreadable = rows["excel_row"].isin(fivew.cell_errors["excel_row"])
    issues = find_issues(rows[~unreadable], catalog, fivew.source.headers, rules, getattr(params, "country", None),
                         controls_removed=fivew.controls_removed)
    where = rows[["excel_row", "country", "admin1", "month"]].rename(columns={"excel_row": "row"})
    where = where.assign(month=where["month"].astype(object))
    issues = issues.merge(where, on="row", how="left")
    issues["organization"] = issues["organization"].replace("", NO_ORGANIZATION)
    return fivew, rows, issues[list(DETAIL_COLUMNS)], scope


def summary_by_code(issues: pd.DataFrame) -> pd.DataFrame:
    tally = counts(issues)
    return pd.DataFrame([(code, label, tally[code]) for code, label in CODES.items()],
                        columns=["Código", "Problema", "Filas con el problema"])


def summary_by_organization(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues per organization and code, most first (the organization's label as most rows write it)."""
    if issues.empty:
        return pd.DataFrame(columns=["Organización", "Total"])
    table = pd.crosstab(issues["organization"], issues["code"])
    table["Total"] = table.sum(axis=1)
    table = table.loc[sorted(table.index, key=lambda o: (-int(table.loc[o, "Total"]), normalize(o)))]
    frame = table.reset_index().rename(columns={"organization": "Organización"})
    frame.columns.name = None
    return frame


def _detail(issues: pd.DataFrame) -> pd.DataFrame:
    return issues.rename(columns=DETAIL_COLUMNS).reset_index(drop=True)


def _write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Through the report's own xlsx writer (text stays text), atomically."""
    from .workbook import write_tables

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".validate-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        write_tables(sheets, Path(temp))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


ISSUE_CODES_COLUMN = "Problemas de calidad"
ISSUE_DETAIL_COLUMN = "Detalle de los problemas"
SHEET_ROW_COLUMN = "Fila en «Filas»"


def organization_files(fivew, rows: pd.DataFrame, issues: pd.DataFrame, folder: Path,
                       sheet: str | None = None, columns: dict | None = None) -> list[Path]:
    """One workbook per organization with issues: «Problemas» (its issues, with the row of «Filas»
    each one is on) and «Filas»: its own rows as the export holds them (every column, the original
    values: `load.read_raw`) and, at the right, each row's issue codes and messages."""
    from .load import read_raw

    raw = read_raw(fivew.source.path, sheet if sheet is not None else fivew.source.sheet, columns)
    raw = raw.loc[raw.index.isin(rows["excel_row"])]
    per_row = issues.groupby("row", sort=False).agg(codes=("code", ", ".join), detail=("message", " · ".join))
    label = rows["org"].astype(object).where(rows["org"].notna(), NO_ORGANIZATION)
    org_of_row = pd.Series(label.to_numpy(), index=rows["excel_row"].to_numpy())
    folder = Path(folder)
    created = [d for d in (folder, *folder.parents) if not d.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".mdrm-validate-", suffix=".tmp", dir=folder))
    names = organization_file_names(list(issues.groupby("organization", sort=True).groups))
    try:
        for organization, own in issues.groupby("organization", sort=True):
            _organization_file(staging / names[organization], raw, org_of_row, per_row, organization, own)
        publish_files(staging, folder, list(names.values()))  # every file or none (README)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for made in created:  # deepest first: the folders this run made, if still empty
            try:
                made.rmdir()
            except OSError:
                break
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in names.values()]


FILE_NAME_LENGTH = 80  # characters of a per-organization file name, «.xlsx» included (README)


def organization_file_names(organizations: list[str]) -> dict[str, str]:
    """organization -> its workbook's file name: its slug, cut so that the name (with «-N» when two
    organizations share a slug, and «.xlsx») is at most FILE_NAME_LENGTH characters; unique."""
    names, used = {}, set()
    room = FILE_NAME_LENGTH - len(".xlsx")
    for organization in organizations:
        base = (slug(organization) if organization != NO_ORGANIZATION else "sin-organizacion")[:room].strip("-")
        base = base or "organizacion"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"-{n}"
            name = base[:room - len(suffix)].rstrip("-") + suffix
        used.add(name.lower())
        names[organization] = f"{name}.xlsx"
    return names


def _organization_file(path: Path, raw, org_of_row, per_row, organization: str, own: pd.DataFrame) -> None:
    """One organization's workbook: «Problemas» and «Filas» (`organization_files`)."""
    mine = raw.loc[org_of_row.reindex(raw.index).eq(organization).to_numpy()]
    shown = mine.assign(**{ISSUE_CODES_COLUMN: per_row["codes"].reindex(mine.index).fillna("").to_numpy(),
                           ISSUE_DETAIL_COLUMN: per_row["detail"].reindex(mine.index).fillna("").to_numpy()})
    position = pd.Series(range(2, len(mine) + 2), index=mine.index)  # the sheet's header is row 1
    problems = _detail(own)
    problems.insert(problems.columns.get_loc("Fila") + 1, SHEET_ROW_COLUMN,
                    position.reindex(own["row"].to_numpy()).to_numpy())
    _write_xlsx({"Problemas": problems, "Filas": shown.reset_index(drop=True)}, path)


def validate_file(path, sheet: str | None = None, columns: dict | None = None, out: TextIO | None = None,
                  params=None, output: str | Path | None = None, by_organization: str | Path | None = None,
                  everything: bool = False, indicators: str | Path | None = None) -> int:
    """Print the summary (and the list with `everything`); write the workbooks; hard errors exit 2."""
    fivew, rows, issues, scope = issues_table(path, sheet, columns, params, indicators)
    by_code, by_org = summary_by_code(issues), summary_by_organization(issues)
    source = fivew.source
    lines = [f"Archivo: {source.path.name}" + (f" (hoja «{source.sheet}»)" if source.sheet else "")]
    if params is not None:
        lines.append(f"Ámbito: región {params.region}, meses hasta {params.month} (parámetros {params.source.name})")
    lines += [f"Filas leídas: {len(rows)}", f"Problemas de calidad: {len(issues)}", "", "Resumen por código:"]
    lines += [f"  {r['Código']}  {r['Filas con el problema']:>6}  {r['Problema']}" for _, r in by_code.iterrows()]
    if len(issues):
        lines += ["", "Organizaciones con más problemas:"]
        for _, r in by_org.head(TOP_ORGANIZATIONS).iterrows():
            codes = ", ".join(f"{c} {int(r[c])}" for c in by_org.columns if c in CODES and r[c])
            lines.append(f"  {int(r['Total']):>6}  {r['Organización']} ({codes})")
        if len(by_org) > TOP_ORGANIZATIONS:
            lines.append(f"  … y {len(by_org) - TOP_ORGANIZATIONS} organizaciones más")
        lines.append("")
        if everything:
            table = _detail(issues)
            with pd.option_context("display.max_rows", None, "display.max_colwidth", 120, "display.width", 250):
                lines.append(table.to_string(index=False))
        else:
            lines.append(f"Lista completa ({len(issues)} problemas): agregue --todo, o -o ARCHIVO.xlsx.")
    else:
        lines += ["", "Sin problemas de calidad."]
    if out is not None:
        out.write(printable("\n".join(lines)) + "\n")  # names from the 5W never drive the terminal
    fivew.check_cells(scope)  # a cell that could not be read: its hard error, nothing written
    if output:
        _write_xlsx({"Resumen": by_code, "Por organización": by_org, "Problemas": _detail(issues)}, Path(output))
        if out is not None:
            out.write(f"Escrito: {output}\n")
    if by_organization:
        files = organization_files(fivew, rows, issues, Path(by_organization), sheet, columns)
        if out is not None:
            out.write(f"Escritos {len(files)} archivos por organización en {by_organization}\n")
    return 0
