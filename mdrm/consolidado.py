"""R4V's consolidated table, for every country of an export in one call (docs/metodologia.md §11).

R4V's scripts (`r4v_app` R/6_consolidated_report.R, `R4VRMRP2023` R/3_consolidated_report.R)
build, per country × admin1 × month × sector and for the intersector, the monthly
totals (Σ total monthly beneficiaries, and of the CVA rows), the consolidated
figures (on new beneficiaries, with their population and age/sex splits; the
intersector without double counting) accumulated from January, and two or three
checks of the splits. This module builds the same table from the rows the
reports count (`region.read_region`: the same scope, hard errors and
classification, so every rule of the rows counted applies here too) and the
same methodology functions (`methodology.group_values`, `headline_values` with
the params' method, level and `regla_maximo`): every country and month in one
groupby, the file read once.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog import SIN_DATO, SIN_DESAGREGAR, Catalog, load_catalog
from .errors import InputError
from .load import FiveW, read_5w
from .methodology import EXCLUSION_LABELS, group_values, headline_values, sex_age_values, total_rounded_once
from .params import Params
from .region import read_region
from .rounding import half_up_array, largest_remainder_rows
from .scope import has_admin2

COUNTRY_LEVEL = "Country level"  # R4V's admin1 value of a country's own rows
INTERSECTOR = "Intersector"      # R4V's subsector value of the figure without double counting
OK, OK_CVA = "Ok", "ok"          # R4V's spellings
CHECK_POPULATION = "Check Population Type breakdown"
CHECK_AGD = "Check AGD breakdown"
CHECK_CVA = "CVA Value higher than total"

# R4V's names of the population groups and age/sex parts (their 5W headers, their template's columns).
POPULATION_NAMES = {"permanencia": "In Destination", "transito": "In Transit", "acogida": "Host Communities",
                    "pendulares": "Pendular", "retornados": "Returnees"}
SEX_AGE_NAMES = {"ninas": "Girls", "ninos": "Boys", "mujeres": "Women", "hombres": "Men",
                 "otros_menores": "Other under 18", "otros_adultos": "Other above 18"}

# The columns of R4V's consolidated template, in its order (R4VRMRP2023's `select`, with the Sector column
# of the 2021 template): the consolidated figures are the year to date, as R4V publishes them.
R4V_COLUMNS = [
    "Platform", "Country", "Admin1", "Month", "Sector", "Subsector",
    "Monthly Total Beneficiaries", "Monthly CVA Beneficiaries",
    "Consolidated Total", *(f"Consolidated {n}" for n in POPULATION_NAMES.values()),
    *(f"Consolidated {n}" for n in SEX_AGE_NAMES.values()),
    "Consolidated CVA Beneficiaries",
    "Check PopType Breakdown", "Check AGD Breakdown", "Check CVA higher Total",
]
# The kit's own columns after R4V's: the people left unsplit (R4V has no column for them, so its check
# flags them), and the month's consolidated figures before accumulation (the month's intersector figure
# on new beneficiaries, as `mdrm metrics` with `base_personas: nuevos` gives it).
UNSPLIT_COLUMN = "Consolidated Unsplit"
MONTHLY_COLUMNS = [
    "Monthly Consolidated Total", *(f"Monthly Consolidated {n}" for n in POPULATION_NAMES.values()),
    "Monthly Consolidated Unsplit", *(f"Monthly Consolidated {n}" for n in SEX_AGE_NAMES.values()),
    "Monthly Consolidated CVA Beneficiaries",
]
COLUMNS = [*R4V_COLUMNS, UNSPLIT_COLUMN, *MONTHLY_COLUMNS]

# R4V's platforms (national platforms and sub-regional ones) by country id (mdrm/definitions/paises.yml).
PLATFORMS = {
    "brasil": "Brazil", "chile": "Chile", "colombia": "Colombia", "ecuador": "Ecuador", "peru": "Peru",
    "argentina": "Southern Cone", "bolivia": "Southern Cone", "paraguay": "Southern Cone", "uruguay": "Southern Cone",
    "costa_rica": "Central America and Mexico", "mexico": "Central America and Mexico",
    "panama": "Central America and Mexico",
    "aruba": "Caribbean", "curazao": "Caribbean", "guyana": "Caribbean", "republica_dominicana": "Caribbean",
    "trinidad_y_tobago": "Caribbean",
}
OUTPUT_SUFFIXES = (".xlsx", ".csv")
NOTHING_COUNTED = ("Aviso W01: ninguna fila del alcance cuenta para personas, así que la tabla no tiene filas "
                   "(los motivos de exclusión, en «Filas leídas»).")
LEVEL_WARNING = "Aviso W04: se pidió «nivel: admin2» pero la exportación no trae Admin2: se calculó por Admin1."
_KEYS = ["_country", "_admin1", "month", "_sector"]
_COUNTRY_LEVEL_KEY = "\x1f\x1d"  # the admin1 key of a country's own rows (normalized admin1 keys hold no control character)


@dataclass
class Consolidated:
    """The consolidated table and what it was computed from (for the notes and the summary line)."""

    table: pd.DataFrame  # COLUMNS
    params: Params       # the rules used (method, level, max rule; the level actually used)
    fivew: FiveW
    rows_read: int
    rows_counted: int
    excluded: dict[str, int]  # reason -> rows
    level_requested: str


def whole_file_params(data: str | Path, sheet: str | None = None) -> Params:
    """The params of `mdrm consolidado` without --params: every country and admin1 of the file, the
    kit's default rules (maximo by admin1, regla_maximo por_grupo, exact copies excluded)."""
    params = Params(region="todos los países", month="", data_path=Path(data), sheet=sheet)
    params.regions = ()  # no country and no admin1: every row of the file (scope.mesa_rows)
    return params


def _replace(params: Params, **changes) -> Params:
    """`dataclasses.replace` that keeps a whole-file scope (no country, no admin1) as it is."""
    every_country = not params.regions and params.country is None
    changed = dataclasses.replace(params, **changes)
    if every_country:
        changed.regions = ()
    return changed


def consolidate(params: Params, fivew: FiveW | None = None, catalog: Catalog | None = None) -> Consolidated:
    """R4V's consolidated table of the params' scope (every row of the file for `whole_file_params`)."""
    catalog = params.adapt(catalog or load_catalog())
    read = read_region(params, None, fivew, catalog)
    rows, catalog, fivew = read.rows, read.catalog, read.fivew
    requested = params.level
    if params.level == "admin2" and not has_admin2(fivew, rows):
        params = _replace(params, level="admin1")  # W04: computed at admin1
    counted = rows[rows["counted"] & rows["month"].notna()]
    excluded = rows["exclusion"].value_counts()
    table = _table(rows, counted, params, catalog)
    return Consolidated(table, params, fivew, int(len(rows)), int(len(counted)),
                        {r: int(excluded.get(r, 0)) for r in EXCLUSION_LABELS if excluded.get(r, 0)}, requested)


def _keys(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Row keys (country, admin1 within its country, sector) as strings; shown as first spelled (`_first`)."""
    country = rows["country_key"].astype(str)
    admin1 = country + "\x1f" + rows["admin1_key"].astype(str)
    return country, admin1, rows["sector_key"].astype(str)


def _first(labels: pd.Series, keys: pd.Series, blank: str) -> dict[str, str]:
    shown = labels.astype(object).where(labels.notna(), None)
    first = shown.groupby(keys.to_numpy(), sort=False).first()
    return {str(k): (blank if v is None or str(v).strip() == "" else str(v)) for k, v in first.items()}


def _table(rows: pd.DataFrame, counted: pd.DataFrame, params: Params, catalog: Catalog) -> pd.DataFrame:
    groups = [*catalog.population_ids, SIN_DESAGREGAR]
    ages = catalog.sex_age_ids
    if counted.empty:
        return pd.DataFrame(columns=COLUMNS)
    country, admin1, sector = _keys(counted)
    cva = counted["cva"].eq(True).fillna(False).astype(bool).to_numpy()
    values = group_values(counted, "nuevos", catalog)
    age_values = sex_age_values(counted, "nuevos", catalog)
    monthly = counted["total_monthly"].to_numpy(dtype="float64")
    new = counted["new_beneficiaries"].to_numpy(dtype="float64")
    frame = pd.DataFrame({
        "_country": country.to_numpy(), "_admin1": admin1.to_numpy(), "month": counted["month"].astype(str).to_numpy(),
        "_sector": sector.to_numpy(),
        "monthly": monthly, "monthly_cva": np.where(cva, monthly, 0.0),
        "new": new, "new_cva": np.where(cva, new, 0.0), "rows": 1.0,
    })
    frame[groups] = values[groups].to_numpy()
    frame[ages] = age_values[ages].to_numpy()

    # Sector rows of each admin1 and month: plain sums (R4V: `sum` per Country, Admin1, Month, Subsector).
    sectors = frame.groupby(_KEYS, sort=False).sum().reset_index()
    # The intersector of each admin1 and month: the params' rule (`headline_values`), one groupby over
    # every country and month; CVA people with the same rule on the CVA rows.
    unit = frame.groupby(_KEYS[:3], sort=False).ngroup().to_numpy()
    units = frame[_KEYS[:3]].assign(_unit=unit).drop_duplicates("_unit").set_index("_unit").sort_index()
    with_unit = counted.assign(_unit=unit)
    rule = dict(method=params.method, level=params.level, catalog=catalog, by="_unit", rule=params.max_rule)
    inter = headline_values(with_unit, values, **rule).reindex(units.index, fill_value=0.0)
    inter_cva = headline_values(with_unit[cva], values[cva], **rule).sum(axis=1).reindex(units.index,
                                                                                            fill_value=0.0)
    sums = frame.groupby(unit, sort=False)[["monthly", "monthly_cva", "rows", *ages]].sum().reindex(units.index)
    intersector = units.assign(_sector=INTERSECTOR, **{g: inter[g] for g in groups},
                               monthly=sums["monthly"], monthly_cva=sums["monthly_cva"], rows=sums["rows"],
                               new_cva=inter_cva, **{a: sums[a] for a in ages})
    intersector["new"] = intersector[groups].sum(axis=1)
    monthly_rows = pd.concat([sectors, intersector.reset_index(drop=True)], ignore_index=True)
    # Country level: the sum over its admin1s (R4V: `group_by(Country, Month, Subsector)` then `sum`);
    # the intersector figures of the admin1s add up (each person is counted in one admin1 only).
    country_level = monthly_rows.drop(columns="_admin1").groupby(["_country", "month", "_sector"],
                                                                 sort=False).sum().reset_index()
    country_level["_admin1"] = country_level["_country"] + _COUNTRY_LEVEL_KEY
    monthly_rows = pd.concat([monthly_rows, country_level], ignore_index=True)

    accumulated = _year_to_date(monthly_rows, rows, [*groups, *ages, "new", "new_cva"])
    return _publish(accumulated, rows, counted, params, catalog, groups, ages)


def _year_to_date(monthly_rows: pd.DataFrame, rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Every (country, admin1, subsector) in every month of its country's rows, with the monthly
    figures (0 where it has none) and their accumulation from January of the same year (R4V: `cumsum`
    over the months, the kit's year to date: each month's intersector figure, then summed)."""
    country_months = pd.DataFrame({"_country": rows["country_key"].astype(str).to_numpy(),
                                   "month": rows["month"].astype(object).to_numpy()}).dropna().drop_duplicates()
    combos = monthly_rows[["_country", "_admin1", "_sector"]].drop_duplicates()
    grid = combos.merge(country_months.astype({"month": str}), on="_country")
    table = grid.merge(monthly_rows, on=["_country", "_admin1", "month", "_sector"], how="left")
    value_columns = [c for c in monthly_rows.columns if c not in ("_country", "_admin1", "month", "_sector")]
    table[value_columns] = table[value_columns].fillna(0.0)
    table = table.sort_values(["_country", "_admin1", "_sector", "month"], kind="stable").reset_index(drop=True)
    year = table["month"].str[:4]
    cumulative = table.groupby([table["_country"], table["_admin1"], table["_sector"], year], sort=False)[columns].cumsum()
    for column in columns:
        table[f"ytd_{column}"] = cumulative[column].to_numpy()
    # a month without rows of that sector and nothing accumulated yet (before its first month) is no row
    nothing = (table["rows"] == 0) & (table[[f"ytd_{c}" for c in columns]].abs().sum(axis=1) == 0)
    return table[~nothing.to_numpy()].reset_index(drop=True)


def _published_parts(table: pd.DataFrame, prefix: str, groups: list[str], ages: list[str],
                     intersector: np.ndarray, once: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(total, population parts, age/sex parts, CVA) of a set of figures, as the kit publishes them.

    Intersector: each group rounded once, the total the sum of the groups (as `people_reached`), or,
    when `once` (methodology.total_rounded_once), the total rounded once and the groups apportioned;
    a sector: its new beneficiaries rounded once (as `sectors`), the groups apportioned to it by
    largest remainder. The age/sex parts are always apportioned to the total (as `by_sex_age`).
    """
    raw_groups = table[[prefix + g for g in groups]].to_numpy(dtype="float64")
    rounded_groups = half_up_array(raw_groups)
    sector_total = half_up_array(table[prefix + "new"].to_numpy(dtype="float64"))
    if once:
        inter_total = half_up_array(raw_groups.sum(axis=1))
        inter_parts = largest_remainder_rows(raw_groups, inter_total)
    else:
        inter_total, inter_parts = rounded_groups.sum(axis=1), rounded_groups
    total = np.where(intersector, inter_total, sector_total)
    parts = np.where(intersector[:, None], inter_parts, largest_remainder_rows(raw_groups, sector_total))
    age_parts = largest_remainder_rows(table[[prefix + a for a in ages]].to_numpy(dtype="float64"), total)
    cva = half_up_array(table[prefix + "new_cva"].to_numpy(dtype="float64"))
    return total, parts, age_parts, cva


def _publish(table: pd.DataFrame, rows: pd.DataFrame, counted: pd.DataFrame, params: Params, catalog: Catalog,
             groups: list[str], ages: list[str]) -> pd.DataFrame:
    """The consolidated table with R4V's columns, integers rounded once (docs/metodologia.md §2, regla 7)."""
    keys = rows["country_key"].astype(str)
    country_names = _first(rows["country"], keys, catalog.country_label(params.country) if params.country
                           else SIN_DATO)
    country_names = {k: (catalog.country_label(k) if v == SIN_DATO and k in catalog.countries else v)
                     for k, v in country_names.items()}
    admin1_names = _first(rows["admin1"], keys + "\x1f" + rows["admin1_key"].astype(str), SIN_DATO)
    sector_names = _first(counted["sector"], counted["sector_key"].astype(str), SIN_DATO)
    subgroup_of = _first(counted["subgroup"], counted["sector_key"].astype(str), "")

    intersector = (table["_sector"] == INTERSECTOR).to_numpy()
    once = total_rounded_once(params.method, params.max_rule)
    country_level = table["_admin1"].str.endswith(_COUNTRY_LEVEL_KEY).to_numpy()
    total, parts, age_parts, cva = _published_parts(table, "ytd_", groups, ages, intersector, once)
    m_total, m_parts, m_age_parts, m_cva = _published_parts(table, "", groups, ages, intersector, once)

    out = pd.DataFrame({
        "Platform": table["_country"].map(lambda k: PLATFORMS.get(k, "")).to_numpy(),
        "Country": table["_country"].map(country_names).to_numpy(),
        "Admin1": np.where(country_level, COUNTRY_LEVEL, table["_admin1"].map(admin1_names).to_numpy()),
        "Month": table["month"].to_numpy(),
        "Sector": np.where(intersector, INTERSECTOR,
                           table["_sector"].map(lambda s: catalog.subgroup_label(subgroup_of[s])
                                                if s in subgroup_of else "").to_numpy()),
        "Subsector": np.where(intersector, INTERSECTOR, table["_sector"].map(sector_names).to_numpy()),
        "Monthly Total Beneficiaries": half_up_array(table["monthly"]),
        "Monthly CVA Beneficiaries": half_up_array(table["monthly_cva"]),
        "Consolidated Total": total,
    })
    for i, g in enumerate(groups):
        if g in POPULATION_NAMES:
            out[f"Consolidated {POPULATION_NAMES[g]}"] = parts[:, i]
    for i, a in enumerate(ages):
        out[f"Consolidated {SEX_AGE_NAMES[a]}"] = age_parts[:, i]
    out["Consolidated CVA Beneficiaries"] = cva
    population_sum = out[[f"Consolidated {n}" for n in POPULATION_NAMES.values()]].sum(axis=1)
    agd_sum = out[[f"Consolidated {n}" for n in SEX_AGE_NAMES.values()]].sum(axis=1)
    zero = out["Consolidated Total"] == 0
    out["Check PopType Breakdown"] = np.where(zero | (population_sum == out["Consolidated Total"]), OK,
                                              CHECK_POPULATION)
    out["Check AGD Breakdown"] = np.where(zero | (agd_sum == out["Consolidated Total"]), OK, CHECK_AGD)
    out["Check CVA higher Total"] = np.where(out["Consolidated CVA Beneficiaries"] > out["Consolidated Total"],
                                             CHECK_CVA, OK_CVA)
    out[UNSPLIT_COLUMN] = parts[:, groups.index(SIN_DESAGREGAR)]
    out["Monthly Consolidated Total"] = m_total
    for i, g in enumerate(groups):
        name = "Unsplit" if g == SIN_DESAGREGAR else POPULATION_NAMES[g]
        out[f"Monthly Consolidated {name}"] = m_parts[:, i]
    for i, a in enumerate(ages):
        out[f"Monthly Consolidated {SEX_AGE_NAMES[a]}"] = m_age_parts[:, i]
    out["Monthly Consolidated CVA Beneficiaries"] = m_cva

    # Order: country, its Country level first then its admin1s, month, the intersector first then sectors.
    order = pd.DataFrame({
        "c": out["Country"].str.casefold(), "a": np.where(country_level, "", out["Admin1"].str.casefold()),
        "m": out["Month"], "s": np.where(intersector, "", out["Subsector"].str.casefold()),
    }).sort_values(["c", "a", "m", "s"], kind="stable").index
    return out.loc[order, COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- writing

def notes(result: Consolidated) -> list[str]:
    """What the table is and the rules that made it, in Spanish (the «Notas» sheet and the summary)."""
    from . import __version__
    from .narrative import BASIS_TEXT, EXCLUSION_SHORT, method_text

    p, source = result.params, result.fivew.source
    lines = [
        f"Tabla consolidada de R4V de {source.path.name} (SHA-256 {source.sha256}), hecha por mdrm {__version__}.",
        "Una fila por país, Admin1 (o «Country level», el país entero: la suma de sus Admin1), mes y sector "
        "(«Subsector», como viene escrito en el 5W; «Sector», el subgrupo del kit), más la fila «Intersector»: "
        "las personas sin doble conteo.",
        "Monthly Total / CVA Beneficiaries: suma del " + BASIS_TEXT["mensual"] + " de las filas contadas (todas "
        "las filas con CVA = Sí, en la segunda); en «Intersector», la suma de los sectores, como R4V.",
        "Consolidated …: acumulado del año (de enero al mes) sobre el " + BASIS_TEXT["nuevos"] + "; en "
        "«Intersector», cada mes " + method_text(p.method, p.level, True, p.max_rule) + ", y luego se suman "
        "los meses (la regla de R4V). Monthly Consolidated …: la cifra del mes, antes de acumular.",
        "Desagregación: en «Intersector» cada grupo de población se redondea una vez y el total es la suma "
        "de los grupos; en un sector, el total son sus nuevos beneficiarios y los grupos se reparten por "
        "restos mayores; sexo y edad se reparten al total por restos mayores. «Consolidated Unsplit»: las "
        "personas sin desagregación por tipo de población (R4V no tiene esa columna, por eso su revisión "
        "«Check PopType Breakdown» las señala).",
        f"Filas leídas: {result.rows_read}; contadas para personas: {result.rows_counted}; excluidas: "
        f"{result.rows_read - result.rows_counted}"
        + (" (" + "; ".join(f"{EXCLUSION_SHORT.get(r, r)}: {n}" for r, n in result.excluded.items()) + ")"
           if result.excluded else "") + ".",
    ]
    if result.level_requested != p.level:
        lines.append(LEVEL_WARNING)
    if not result.rows_counted:
        lines.append(NOTHING_COUNTED)
    return lines


def write(result: Consolidated, path: str | Path) -> None:
    """The table as .xlsx (sheet «Consolidado», then «Notas») or .csv, written atomically."""
    from .iorw import csv_safe, write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomic(path, csv_safe(result.table).to_csv(index=False).encode("utf-8"))
    else:
        from .xlsxfast import workbook_bytes

        notes_sheet = pd.DataFrame({"Notas": notes(result)})
        write_atomic(path, workbook_bytes({"Consolidado": result.table, "Notas": notes_sheet}))


def check_output(path: str | Path) -> None:
    if Path(path).suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError("el archivo de salida -o debe terminar en .xlsx o .csv", value=str(path))


def summary(result: Consolidated, path: str | Path) -> str:
    table = result.table
    countries = table["Country"].nunique()
    months = table["Month"].nunique()
    line = (f"Escrito: {path} ({len(table)} filas: {countries} países, {months} meses; filas contadas "
            f"{result.rows_counted} de {result.rows_read})")
    warnings = [w for w, raised in ((LEVEL_WARNING, result.level_requested != result.params.level),
                                    (NOTHING_COUNTED, not result.rows_counted)) if raised]
    return "\n".join([line, *warnings])


def load(datos: str | Path | None, params_path: str | Path | None, sheet: str | None) -> tuple[Params, FiveW]:
    """The params (the file's, or the whole file's) and the 5W, read once."""
    if params_path:
        from .params import load_params

        params = load_params(params_path, whole_file=True)
        if datos or sheet:
            params = _replace(params, data_path=Path(datos) if datos else params.data_path,
                              sheet=sheet or params.sheet)
        if params.data_path is None:
            raise InputError("indique el archivo 5W con --datos o con «datos:» en el archivo de parámetros",
                             file=params_path)
    elif datos:
        params = whole_file_params(datos, sheet)
    else:
        raise InputError("indique el archivo 5W con --datos, o --params")
    catalog = params.adapt(load_catalog())
    return params, read_5w(params.data_path, params.sheet, params.columns, catalog)
