"""Reading the R4V 5W export (xlsx or csv) into canonical fields.

The loader is lenient on purpose: a bad cell (text in a number, a negative
count, a month it cannot read) is recorded in `FiveW.cell_errors` instead of
raised, because hard errors only concern the rows a command uses (SPEC §3).
`FiveW.check_cells(mask)` raises the first of them among those rows.
Everything is done per column or on a column's distinct values: no per-row
Python loop, so a 22,500-row export loads in about the time of a bare
`pandas.read_excel(engine="calamine")`.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
import numpy as np
import pandas as pd

from .catalog import Catalog, load_catalog
from .errors import InputError
from .text import map_distinct, normalize

TEXT_FIELDS = (
    "country", "admin1", "admin2", "appealing_org", "implementation_setup",
    "implementing_partner", "sector", "indicator", "activity_name",
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
_YES = {"si", "yes", "s", "y", "true", "1", "verdadero"}
_NO = {"no", "n", "false", "0", "falso"}
_MONTH_TEXT = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?(?:[ T].*)?\s*$")
_MONTH_TEXT_MY = re.compile(r"^\s*(\d{1,2})[-/.](\d{4})\s*$")


@dataclass
class Source:
    """Where the data came from: shown in messages and in the report's footer."""

    path: Path
    sheet: str | None
    sha256: str
    headers: dict[str, str]  # field -> header as written in the file


@dataclass
class FiveW:
    """A loaded 5W: one row per export row, canonical field names.

    Extra columns: `excel_row` (the row number the user sees in Excel or in
    the CSV, header = 1) and `month` as 'YYYY-MM' text (None when unreadable).
    """

    data: pd.DataFrame
    source: Source
    cell_errors: pd.DataFrame = field(default_factory=lambda: _empty_cell_errors())

    def check_cells(self, mask: pd.Series | None = None) -> None:
        """Raise the first bad cell among the rows in `mask` (all rows when None)."""
        errors = self.cell_errors
        if mask is not None and len(errors):
            used = set(self.data.loc[mask, "excel_row"].tolist()) if mask.any() else set()
            errors = errors[errors["excel_row"].isin(used)]
        if not len(errors):
            return
        errors = errors.sort_values(["excel_row", "position"])
        first = errors.iloc[0]
        more = [
            f"  fila {r.excel_row}, columna «{r.column}»: {r.message}: valor «{r.value}»"
            for r in errors.iloc[1:11].itertuples()
        ]
        if len(errors) > 11:
            more.append(f"  … y {len(errors) - 11} celdas más con errores")
        raise InputError(
            first["message"], file=self.source.path, sheet=self.source.sheet,
            row=int(first["excel_row"]), column=first["column"], value=first["value"],
            more=(["Otras celdas con errores:"] + more) if more else [],
        )


def _empty_cell_errors() -> pd.DataFrame:
    return pd.DataFrame({
        "excel_row": pd.Series(dtype="int64"), "position": pd.Series(dtype="int64"),
        "field": pd.Series(dtype=object), "column": pd.Series(dtype=object),
        "value": pd.Series(dtype=object), "message": pd.Series(dtype=object),
    })


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_5w(path: str | Path, sheet: str | None = None, columns: dict[str, str] | None = None,
            catalog: Catalog | None = None) -> FiveW:
    """Read a 5W export; `columns` maps extra headers to fields (params `columnas:`)."""
    catalog = catalog or load_catalog()
    path = Path(path)
    if not path.is_file():
        raise InputError("no existe el archivo de datos", file=path)
    raw, sheet_name = _read_raw(path, sheet)
    headers = _match_headers(raw.columns, columns or {}, catalog, path, sheet_name)
    data = _canonical(raw, headers, catalog)
    cell_errors = _coerce(data, raw, headers)
    data = data[["excel_row", *catalog.fields]]
    return FiveW(data=data, source=Source(path, sheet_name, sha256_of(path), headers), cell_errors=cell_errors)


def _read_raw(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str | None]:
    suffix = path.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            book = pd.ExcelFile(path, engine="calamine")
            if sheet is not None and sheet not in book.sheet_names:
                raise InputError(
                    "la hoja indicada no existe", file=path, sheet=sheet,
                    hint="Hojas del archivo: " + ", ".join(f"«{s}»" for s in book.sheet_names),
                )
            sheet_name = sheet if sheet is not None else book.sheet_names[0]
            raw = pd.read_excel(book, sheet_name=sheet_name, header=0)
        elif suffix in {".csv", ".txt"}:
            sheet_name = None
            raw = _read_csv(path)
        else:
            raise InputError("formato de archivo no soportado (use .xlsx o .csv)", file=path)
    except InputError:
        raise
    except Exception as exc:  # the reader's own message, in a Spanish frame
        raise InputError(f"no se puede leer el archivo ({type(exc).__name__}: {exc})", file=path) from exc
    raw.columns = [ftfy.fix_encoding(str(c)).strip() for c in raw.columns]  # headers can be double-encoded too
    raw.index = pd.RangeIndex(2, len(raw) + 2, name="excel_row")
    if raw.empty or len(raw.columns) == 0:
        raise InputError("el archivo no tiene filas de datos", file=path, sheet=sheet_name)
    blank = pd.DataFrame({c: _blank(raw[c]) for c in raw.columns}).all(axis=1)
    raw = raw[~blank]
    if raw.empty:
        raise InputError("el archivo no tiene filas de datos", file=path, sheet=sheet_name)
    return raw, sheet_name


def _blank(column: pd.Series) -> pd.Series:
    """Empty cells: missing, or text of only spaces."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return column.isna()
    return map_distinct(column, lambda u: isinstance(u, str) and not u.strip(), missing=True, dtype=bool)


def _read_csv(path: Path) -> pd.DataFrame:
    """CSV in UTF-8 (with or without BOM) or Latin-1/Windows-1252, `,` or `;`."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            encoding = "latin-1"
    first_line = data.split(b"\n", 1)[0]
    sep = ";" if first_line.count(b";") > first_line.count(b",") else ","
    return pd.read_csv(io.BytesIO(data), sep=sep, encoding=encoding, keep_default_na=False,
                       na_values=[""], low_memory=False, skip_blank_lines=False)


def _match_headers(raw_columns, extra: dict[str, str], catalog: Catalog, path: Path,
                   sheet: str | None) -> dict[str, str]:
    """field -> header in the file. The first header that matches a field wins."""
    alias_to_field: dict[str, str] = {}
    for name, spec in catalog.fields.items():
        alias_to_field[normalize(name)] = name
        for alias in spec.aliases:
            alias_to_field[normalize(alias)] = name
    explicit = {normalize(header): name for header, name in extra.items()}  # validated in params
    headers: dict[str, str] = {}
    for column in raw_columns:  # an explicit `columnas:` mapping wins over the aliases
        name = explicit.get(normalize(column))
        if name and name not in headers:
            headers[name] = column
    for column in raw_columns:  # then the first header matching each remaining field
        name = alias_to_field.get(normalize(column))
        if name and name not in headers and column not in headers.values():
            headers[name] = column
    missing = [f for f, spec in catalog.fields.items() if spec.required and f not in headers]
    if missing:
        name = missing[0]
        wanted = [normalize(a) for a in catalog.fields[name].aliases]
        found = {normalize(c): c for c in raw_columns}
        close: list[str] = []
        for alias in wanted:
            close += [found[m] for m in difflib.get_close_matches(alias, list(found), n=3, cutoff=0.5)]
        close = list(dict.fromkeys(close))[:3]
        hint = (
            "Encabezados parecidos en el archivo: " + ", ".join(f"«{c}»" for c in close)
            if close else "No hay encabezados parecidos en el archivo"
        ) + ". Puede indicar el encabezado con `columnas:` en el archivo de parámetros"
        others = f" (también faltan: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        raise InputError(
            f"falta la columna obligatoria «{catalog.fields[name].aliases[0]}» (campo {name}){others}",
            file=path, sheet=sheet, row=1, hint=hint,
        )
    return headers


def _canonical(raw: pd.DataFrame, headers: dict[str, str], catalog: Catalog) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {"excel_row": pd.Series(raw.index.to_numpy(), index=raw.index)}
    for name in catalog.fields:
        if name in TEXT_FIELDS or name == "month":
            columns[name] = _text(raw[headers[name]]) if name in headers else pd.Series(None, index=raw.index, dtype=object)
    data = pd.DataFrame(columns)
    for name in YES_NO_FIELDS:
        data[name] = _yes_no(data[name])
    return data


def _text(values: pd.Series) -> pd.Series:
    """Text of a column: stripped, blank -> None, double-encoded UTF-8 repaired."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values  # a month column of real dates: parsed later
    def clean(u):
        if isinstance(u, (dt.datetime, dt.date, pd.Timestamp)):
            return u
        if isinstance(u, float) and u.is_integer():
            return str(int(u))
        text = ftfy.fix_encoding(str(u).strip())
        return text or None

    return map_distinct(values, clean, dtype="category")


def _yes_no(values: pd.Series) -> pd.Series:
    """'Si'/'Sí'/'Yes' -> True, 'No' -> False, blank or other -> <NA>."""
    def yes_no(u):
        n = normalize(u)
        return True if n in _YES else False if n in _NO else pd.NA

    return map_distinct(values, yes_no, missing=pd.NA, dtype="boolean")


def parse_month(value) -> str | None:
    """'2020-09', '2020-09-01', a date, '09/2020' -> '2020-09'; None when unreadable."""
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return f"{value.year:04d}-{value.month:02d}"
    if value is None:
        return None
    text = str(value)
    m = _MONTH_TEXT.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = _MONTH_TEXT_MY.match(text)
        if not m:
            return None
        month, year = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        return None
    return f"{year:04d}-{month:02d}"


def _number(value) -> float:
    """A cell of a numeric field: number, blank text (NaN = 0 later) or bad text (NaN, flagged)."""
    if isinstance(value, bool):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        return np.nan


def _coerce(data: pd.DataFrame, raw: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """Parse months and numbers in place; return the bad cells."""
    problems: list[pd.DataFrame] = []
    positions = {h: i for i, h in enumerate(raw.columns)}

    month = data["month"]
    if pd.api.types.is_datetime64_any_dtype(month):
        parsed = month.dt.strftime("%Y-%m").astype("category")
    else:
        parsed = map_distinct(month, parse_month, dtype="category")
    bad = parsed.isna()
    if bad.any():
        problems.append(_problems(data, bad, "month", headers, positions, raw,
                                  "mes ilegible (se espera AAAA-MM, p. ej. 2020-09)"))
    data["month"] = parsed

    for name in NUMERIC_FIELDS:
        if name not in headers:
            data[name] = 0.0
            continue
        column = raw[headers[name]]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            numbers = column.astype("float64")
            text_bad = pd.Series(False, index=column.index)
        else:
            numbers = map_distinct(column, _number, missing=np.nan, dtype="float64")
            text_bad = numbers.isna() & ~_blank(column)
        if text_bad.any():
            problems.append(_problems(data, text_bad, name, headers, positions, raw,
                                      "se esperaba un número y hay texto"))
        negative = numbers < 0
        if negative.any():
            problems.append(_problems(data, negative, name, headers, positions, raw,
                                      "número negativo"))
        infinite = np.isinf(numbers)
        if infinite.any():
            problems.append(_problems(data, infinite, name, headers, positions, raw, "número no válido"))
        data[name] = numbers.where(~(text_bad | negative | infinite), 0.0).fillna(0.0)
    if not problems:
        return _empty_cell_errors()
    return pd.concat(problems, ignore_index=True)


def _problems(data, mask, name, headers, positions, raw, message) -> pd.DataFrame:
    header = headers[name]
    values = raw.loc[mask, header]
    return pd.DataFrame({
        "excel_row": data.loc[mask, "excel_row"].astype("int64").to_numpy(),
        "position": positions[header],
        "field": name,
        "column": header,
        "value": ["" if pd.isna(v) else str(v) for v in values],
        "message": message,
    })
