"""The data behind `notebooks/explorar.ipynb`: filter the 5W and summarize a selection.

The notebook only wires ipywidgets to these functions; everything here is plain
pandas (vectorized, no per-row loop) and is tested without a browser.

What is explored: every row of the params' region, **all months of the file**
(not only January..the params' month, as the report does). Hard errors
(docs/metodologia.md §8) are raised for those rows only.

A `Selection` filters rows by month range, subgroup, sector, organization,
population group and province, and picks a measure:

- ``personas_mensual`` / ``personas_nuevos``: people on that basis
  (`Total beneficiarios mensuales` or `Nuevos beneficiarios del mes`), over the
  **rows counted for people** (RMRP, not common services, not a duplicated copy:
  `methodology.classify`), split by population group as docs/metodologia.md §2, regla 1 says;
- ``cantidad``: Σ `Cantidad de productos generados`;
- ``usd``: Σ `Valor de transferencia (en USD)`.
  Quantity and USD are summed over every row of the selection except duplicated
  copies (Q08), whatever its RMRP flag: the rule of the key figures (docs/metodologia.md §3).

Population group filter: a row belongs to group *g* when its population split
has *g* > 0 (to `sin_desagregar` when it has people and no split). For people,
only *g*'s share of each row is counted; quantity and USD of the rows that
reached *g* are counted whole (they are not split by population).

How people are added up (the methodology choice of this module):

- **over time** (`over_time`, and the period total): each month, the R4V rule of
  the params file (`deduplicacion`: by default the maximum over sectors per
  admin unit, docs/metodologia.md §2, regla 3) applied to the selected rows, per population group;
  a month's total is the sum of its published (rounded) groups. With the whole
  region and one month, this is exactly the report's headline.
- **over a range of months** (`consolidated`, the headline of a range of two or more
  months): R4V's consolidated figure, `metrics.consolidated_people` (the year to date's and
  a period's rule, docs/metodologia.md §2, regla 5 and §12): each month's intersector figure on
  new beneficiaries, summed over the months, whatever the measure; per sector (`by_sector`),
  the new beneficiaries summed over the months. The last row of the table over time says
  which sum it is: on `nuevos` the consolidated figure; on `mensual` the plain sum of the
  months («suma de los meses (no consolidada)»: people reached in several months count once
  per month); quantity and USD, their sum.
- **by province** (`by_province`): the same rule within each province and month,
  summed over the months. With `nivel: admin2` (Tacna) the provinces of a month
  add up to that month's total (up to rounding).
- **by organization** (`by_organization`): Σ of the people of the organization's
  rows, **without de-duplication**: an organization that reports the same people
  in two sectors counts them twice. No sector maximum can be split between
  organizations (the maximum is taken over the sum of all organizations), so
  these figures do not add up to the total; the column header says
  "Σ de filas, sin deduplicar".
- **by sex and age** (`by_sex_age`): the age/sex split of the selected counted
  rows, apportioned by largest remainder to the period's total (docs/metodologia.md §2, regla 4).

Figures are rounded half up once, where they are shown (docs/metodologia.md §2, regla 7). The
rows are read by the report's loader (`region.read_region`); numbers, month names and the population
colours come from `mdrm.formatting`, the tables are the report's (`mdrm.html.table`) and the charts
are drawn with `mdrm.charts` (its house style, the theme's colours).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import formatting as fmt
from . import html as report_html
from . import metrics
from .catalog import SIN_DATO, SIN_DESAGREGAR, SIN_SUBGRUPO, Catalog, load_catalog
from .errors import InputError
from .iorw import write_csv, xlsx_text_only
from .load import FiveW
from .methodology import EXCLUSION_LABELS, group_values, sex_age_values
from .params import Params, load_params
from .organizations import reporting_count
from .quality import CODES, find_issues
from .region import read_region
from .rounding import half_up, largest_remainder
from .scope import area_columns
from .scope import admin2_label
from .scope import area_label as scope_area_label
from .text import normalize, slug
from .templating import render
from .view import SAMPLE_FOLDER

ALL = "*"  # widget value meaning "no filter" (normalized keys never contain "*")

MEASURES = {
    "personas_mensual": "Personas (total mensual)",
    "personas_nuevos": "Personas (nuevos del mes)",
    "cantidad": "Cantidad de productos",
    "usd": "USD transferidos (CVA)",
}
PEOPLE_BASIS = {"personas_mensual": "mensual", "personas_nuevos": "nuevos"}
METHOD_LABELS = {
    "maximo": "máximo por sector",
    "suma": "suma de sectores",
    "cono_sur": "regla Cono Sur",
}
FILTER_LABELS = {
    "subgroup": "Subgrupo", "sector": "Sector", "organization": "Organización",
    "population": "Grupo de población", "province": "Provincia",
}
MONTH = "Mes"
SECTOR = "Sector"
# The last row of the table over time: what it adds up says its name (the report's tables set a first cell
# starting with «Total» as a total). People on new beneficiaries: R4V's consolidated figure of the range;
# people on the monthly total: the plain sum of the months, which counts someone reached in three months three
# times; quantity and USD: the sum of the months (as R4V sums them).
ONE_MONTH_ROW = "Total del mes"
CONSOLIDATED_ROW = "Total del rango (consolidado R4V)"
MONTHS_SUM_ROW = "Total: suma de los meses (no consolidada)"
RANGE_SUM_ROW = "Total del rango (suma de los meses)"
ROWS = "Filas"
ORGS = "Organizaciones"
ISSUE_COLUMNS = {"code": "Código", "row": "Fila", "organization": "Organización", "message": "Problema"}


# ---------------------------------------------------------------- loading

@dataclass
class Exploration:
    """The rows an analyst explores: the region's classified 5W, every month."""

    params: Params
    fivew: FiveW
    rows: pd.DataFrame  # classified rows of the region (methodology.classify) + `_month` as text
    issues: pd.DataFrame  # quality issues of those rows (quality.find_issues)
    catalog: Catalog = field(default_factory=load_catalog)

    @property
    def months(self) -> list[str]:
        """The months with rows of the region, in order ('YYYY-MM')."""
        return sorted(self.rows["_month"].dropna().unique())

    @property
    def is_sample(self) -> bool:
        """Data from the kit's sample folder (data/ejemplo/): the notebook says so."""
        return self.params.data_path.parent.name == SAMPLE_FOLDER


class ExplorationError(InputError):
    """Bad input of the exploration notebook (a wrong `parametros` path, a bad 5W...): IPython shows
    only its Spanish message, not a traceback (`_render_traceback_`, IPython's hook)."""

    def _render_traceback_(self) -> list[str]:
        return [f"Error en los datos de entrada: {self}"]


def load_exploration(params_path: str | Path, catalog: Catalog | None = None) -> Exploration:
    """Read the 5W of a params file and keep the region's rows of every month (the report's loader).
    Bad input raises `ExplorationError` (an InputError the notebook shows as one Spanish line)."""
    try:
        path = Path(params_path)
        if not path.is_file():
            raise ExplorationError(
                "no existe el archivo de parámetros", file=path,
                hint=f"Se buscó «{path}» desde la carpeta {Path.cwd()} (es decir, {path.absolute()}); corrija la "
                     f"línea `parametros = \"...\"` del primer cuadro de código (las rutas relativas parten de la "
                     f"carpeta notebooks/, p. ej. \"../params/tacna/2020-09.yml\")")
        params = load_params(params_path)
        read = read_region(params, catalog=catalog)
    except ExplorationError:
        raise
    except InputError as exc:
        raise ExplorationError(exc.message, exc.file, exc.sheet, exc.row, exc.column, exc.value, exc.hint,
                               list(exc.more)) from None
    catalog, fivew, rows = read.catalog, read.fivew, read.rows
    rows["_month"] = rows["month"].astype(object)
    rows["_org_key"] = rows["org_key"].astype(object)
    rows["_province"] = rows[area_columns(params)[0]].astype(object)  # admin1 in a multi-region exploration
    issues = find_issues(rows, catalog, fivew.source.headers, read.rules, params.country,
                         controls_removed=fivew.controls_removed)
    return Exploration(params, fivew, rows, issues, catalog)


# ---------------------------------------------------------------- choices for the widgets

def area_label(ex: Exploration) -> str:
    """What the province filter and table are about: «Provincia», or «Región» when several admin1s."""
    return scope_area_label(ex.params)


def month_options(ex: Exploration) -> list[tuple[str, str]]:
    """('septiembre de 2020', '2020-09') for each month of the region."""
    return [(fmt.month_label(m), m) for m in ex.months]


def _first_names(rows: pd.DataFrame, key: str, name: str) -> pd.Series:
    """key -> the first way the key is written in the file (blank -> '(sin dato)')."""
    names = rows[name].astype(object).where(rows[name].notna(), None)
    first = names.groupby(rows[key].astype(object), sort=False).first()
    return first.fillna(SIN_DATO).where(first.index != "", SIN_DATO)


def _sorted_options(names: pd.Series) -> list[tuple[str, str]]:
    items = sorted(names.items(), key=lambda kv: (kv[1] == SIN_DATO, normalize(kv[1])))
    return [(str(label), str(key)) for key, label in items]


def options(ex: Exploration, field_name: str, subgroup: str | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of a filter's dropdown, "Todos/Todas" (value `ALL`) first.

    field_name: subgroup, sector (only the `subgroup`'s sectors when given),
    organization, population, province.
    """
    rows, catalog = ex.rows, ex.catalog
    if field_name == "subgroup":
        present = set(rows["subgroup"].dropna())
        ids = [s for s in [*catalog.subgroups, SIN_SUBGRUPO] if s in present]
        return [("Todos", ALL)] + [(catalog.subgroup_label(s), s) for s in ids]
    if field_name == "sector":
        if subgroup not in (None, ALL):
            rows = rows[rows["subgroup"] == subgroup]
        names = _first_names(rows, "sector_key", "sector")
        return [("Todos", ALL)] + _sorted_options(names)
    if field_name == "organization":
        return [("Todas", ALL)] + _sorted_options(_first_names(rows, "_org_key", "org"))
    if field_name == "province":
        names = _first_names(rows, "_province", area_columns(ex.params)[1])
        return [("Todas", ALL)] + _sorted_options(names)
    if field_name == "population":
        groups = [g for g in catalog.population_ids
                  if g in catalog.main_populations or (rows[g] > 0).any()]
        if _unsplit_mask(rows, catalog).any():
            groups.append(SIN_DESAGREGAR)
        return [("Todos", ALL)] + [(catalog.population_label(g), g) for g in groups]
    raise ValueError(f"unknown filter {field_name}")


def measure_options() -> list[tuple[str, str]]:
    return [(label, key) for key, label in MEASURES.items()]


# ---------------------------------------------------------------- selection

@dataclass(frozen=True)
class Selection:
    """What the widgets chose; `None` or `ALL` = no filter on that field.

    months: (first, last) inclusive 'YYYY-MM' (given backwards, they are swapped); subgroup: subgroup id;
    sector: normalized sector (`sector_key`); organization: `org_key`;
    population: group id or `sin_desagregar`; province: `admin2_key`.
    """

    months: tuple[str, str] | None = None
    subgroup: str | None = None
    sector: str | None = None
    organization: str | None = None
    population: str | None = None
    province: str | None = None
    measure: str = "personas_mensual"

    def __post_init__(self):
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure}")
        for name in FILTER_LABELS:
            if getattr(self, name) == ALL:
                object.__setattr__(self, name, None)
        if self.months:
            object.__setattr__(self, "months", tuple(sorted(self.months)))

    @property
    def is_people(self) -> bool:
        return self.measure in PEOPLE_BASIS


def _unsplit_mask(rows: pd.DataFrame, catalog: Catalog | None = None) -> pd.Series:
    """Rows with people and no population split (their people go to `sin_desagregar`)."""
    groups = (catalog or load_catalog()).population_ids
    has_people = (rows["total_monthly"] > 0) | (rows["new_beneficiaries"] > 0)
    return has_people & ~(rows[groups].sum(axis=1) > 0)


def select(ex: Exploration, sel: Selection) -> pd.DataFrame:
    """The rows of the selection (all of them, counted or not)."""
    rows = ex.rows
    mask = pd.Series(True, index=rows.index)
    if sel.months:
        first, last = sel.months
        mask &= (rows["_month"] >= first) & (rows["_month"] <= last)
    if sel.subgroup:
        mask &= rows["subgroup"] == sel.subgroup
    if sel.sector:
        mask &= (rows["sector_key"] == sel.sector).to_numpy()
    if sel.organization is not None:
        mask &= rows["_org_key"] == sel.organization
    if sel.province:
        mask &= rows["_province"] == sel.province
    if sel.population == SIN_DESAGREGAR:
        mask &= _unsplit_mask(rows, ex.catalog)
    elif sel.population:
        mask &= rows[sel.population] > 0
    return rows[mask.fillna(False).astype(bool)]


def measured_rows(rows: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """The rows a measure adds up: counted rows for people, non-duplicates otherwise."""
    if sel.is_people:
        return rows[rows["counted"]]
    return rows[rows["duplicate_of"] == 0]


def _range_months(ex: Exploration, sel: Selection) -> list[str]:
    months = ex.months
    if sel.months:
        months = [m for m in months if sel.months[0] <= m <= sel.months[1]]
    return months


def _groups(ex: Exploration, sel: Selection, values: pd.DataFrame) -> list[str]:
    """Population groups shown: the filtered one, else main ones and others with people."""
    if sel.population:
        return [sel.population]
    catalog = ex.catalog
    every = [*catalog.population_ids, SIN_DESAGREGAR]
    return [g for g in every if g in catalog.main_populations or (values[g] > 0).any()]


def _people(ex: Exploration, rows: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Per-row people of each population group (unrounded); only the filtered group when one is."""
    values = group_values(rows, PEOPLE_BASIS[sel.measure], ex.catalog)
    if sel.population:
        values = values[[sel.population]]
    return values


def _month_data(ex: Exploration) -> metrics.MonthData:
    """The exploration's rows as the report's `MonthData`, so that every R4V rule applied here is
    `mdrm.metrics`' own (the month's headline, the consolidated figure of several months)."""
    return metrics.MonthData(ex.params, ex.fivew, ex.rows, None, ex.catalog)


def _rule(ex: Exploration, rows: pd.DataFrame, sel: Selection, key: pd.Series) -> pd.DataFrame:
    """The params' de-duplication rule per value of `key` (unrounded, one row per key): `metrics.headline`.

    The rule sees every group of the rows (regla_maximo: unsplit people take the
    split of their sector or unit; por_sector picks a sector on its total), and
    only the filtered group is kept afterwards, as the report would show it.
    """
    table = metrics.headline(_month_data(ex), rows.assign(_key=key.to_numpy()), PEOPLE_BASIS[sel.measure], by="_key")
    return table[[sel.population]] if sel.population else table


def consolidated(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None) -> dict:
    """R4V's consolidated people reached over the selection's range of months, as `people_reached` (total and
    published groups): `metrics.consolidated_people`, the rule of the year to date and of a period
    (docs/metodologia.md §2, regla 5; §12): each month's intersector figure on new beneficiaries, summed over
    the months, whatever the measure chosen. With a population filter, only that group (rounded once)."""
    rows = select(ex, sel) if rows is None else rows
    counted = rows[rows["counted"]]
    if sel.population:
        value = half_up(metrics.consolidated_raw(_month_data(ex), counted).get(sel.population, 0.0))
        return {"total": value, "by_population": {sel.population: value}}
    return metrics.consolidated_people(_month_data(ex), counted)


def _measure_column(sel: Selection) -> str:
    return {"cantidad": "quantity", "usd": "cva_value_usd"}[sel.measure]


# ---------------------------------------------------------------- summaries

def _raw_over_time(ex: Exploration, rows: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Unrounded figures per month of the range: one column per group (people) or the measure."""
    months = _range_months(ex, sel)
    measured = measured_rows(rows, sel)
    if sel.is_people:
        per_month = _rule(ex, measured, sel, measured["_month"])
        groups = _groups(ex, sel, per_month)
        return per_month.reindex(months, fill_value=0.0).reindex(columns=groups, fill_value=0.0)
    sums = measured.groupby("_month")[_measure_column(sel)].sum()
    return sums.reindex(months, fill_value=0.0).to_frame(MEASURES[sel.measure])


def over_time(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Figures per month of the selection, then the period row (Spanish headers, integers).

    People: the params' R4V rule per month and group; Total = Σ of the month's
    published groups. The last row (`period_row_label` names it): on new beneficiaries, the range's
    consolidated figure (`consolidated`); on the monthly total, the sum of the unrounded months rounded
    once, which counts once per month someone reached in several; quantity and USD, their sum.
    Also: rows entering the measure and reporting organizations among them.
    """
    rows = select(ex, sel) if rows is None else rows
    raw = _raw_over_time(ex, rows, sel)
    measured = measured_rows(rows, sel)
    counts = measured.groupby("_month").size().reindex(raw.index, fill_value=0)
    # organizations reporting: every selected row, whatever the measure (as the report counts them)
    orgs = rows[rows["_org_key"] != ""].groupby("_month")["_org_key"].nunique()
    orgs = orgs.reindex(raw.index, fill_value=0)

    groups = [g for g in raw.columns if g in ex.catalog.populations or g == SIN_DESAGREGAR]
    labels = {g: ex.catalog.population_label(g) for g in groups}
    published = raw.apply(lambda col: col.map(half_up)).astype("int64")
    period = raw.sum().map(half_up).astype("int64")
    table = published.rename(columns=labels)
    if sel.is_people:
        table[total_header(ex, sel)] = published.sum(axis=1)
        period_total = int(period.sum())
    if sel.measure == "personas_nuevos":  # the range's consolidated figure, from its one home (metrics)
        figure = consolidated(ex, sel, rows)
        period = pd.Series({g: figure["by_population"].get(g, 0) for g in raw.columns}, dtype="int64")
        period_total = figure["total"]
    table[ROWS] = counts.astype("int64")
    table[ORGS] = orgs.astype("int64")
    table.insert(0, MONTH, [fmt.month_label(m) for m in raw.index])
    period_row = {MONTH: period_row_label(sel, len(raw.index)), **period.rename(labels).to_dict(), ROWS: int(counts.sum()),
                  ORGS: reporting_count(rows.assign(org_key=rows["_org_key"]))}
    if sel.is_people:
        period_row[total_header(ex, sel)] = period_total
    table = pd.concat([table, pd.DataFrame([period_row])], ignore_index=True)
    return table[[MONTH, *[c for c in table.columns if c != MONTH]]]


def period_row_label(sel: Selection, months: int) -> str:
    """The name of the last row of the table over time: what it adds up (see CONSOLIDATED_ROW)."""
    if months == 1:
        return ONE_MONTH_ROW
    if sel.measure == "personas_nuevos":
        return CONSOLIDATED_ROW
    return MONTHS_SUM_ROW if sel.is_people else RANGE_SUM_ROW


def total_header(ex: Exploration, sel: Selection) -> str:
    """Header of the people total over time: states the basis and the rule."""
    basis = "total mensual" if sel.measure == "personas_mensual" else "nuevos"
    rule = METHOD_LABELS[ex.params.method]
    level = admin2_label(ex.params) if ex.params.level == "admin2" else "región"
    return f"Total personas ({basis}; {rule} por {level})"


def by_sector(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per sector over the range, largest first. People: R4V's consolidated figure of each sector, the new
    beneficiaries of its counted rows summed over the months (`methodology.sector_figures`, as a period's
    `sectors`), whatever the measure chosen; with a population filter, that group's share of them.
    Quantity and USD: their sum."""
    rows = select(ex, sel) if rows is None else rows
    measured = measured_rows(rows, sel)
    names = _first_names(measured, "sector_key", "sector")
    if not sel.is_people:
        value = measured[_measure_column(sel)]
    elif sel.population:
        value = group_values(measured, "nuevos", ex.catalog)[sel.population]
    else:
        value = measured["new_beneficiaries"]
    sums = value.groupby(measured["sector_key"].to_numpy()).sum()
    counts = measured.groupby("sector_key").size()
    header = value_header(sel, "sector")
    table = pd.DataFrame({
        SECTOR: names.reindex(sums.index).to_numpy(),
        header: sums.map(half_up).astype("int64").to_numpy(),
        ROWS: counts.reindex(sums.index).fillna(0).astype("int64").to_numpy(),
    })
    return _sort(table, header, SECTOR)


def by_organization(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per organization: its rows and Σ of the measure, largest first.

    People are the plain sum of the organization's counted rows (no
    de-duplication across sectors): the header says so.
    """
    rows = select(ex, sel) if rows is None else rows
    measured = measured_rows(rows, sel)
    key = measured["_org_key"]
    if sel.is_people:
        value = _people(ex, measured, sel).sum(axis=1)
    else:
        value = measured[_measure_column(sel)]
    sums = value.groupby(key.to_numpy()).sum()
    counts = key.groupby(key.to_numpy()).size()
    names = _first_names(measured, "_org_key", "org")
    header = value_header(sel, "organization")
    table = pd.DataFrame({
        "Organización": names.reindex(sums.index).to_numpy(),
        header: sums.map(half_up).astype("int64").to_numpy(),
        ROWS: counts.reindex(sums.index).astype("int64").to_numpy(),
    })
    return _sort(table, header, "Organización")


def by_province(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per province: for people, the params' rule within each province and month, Σ months."""
    rows = select(ex, sel) if rows is None else rows
    measured = measured_rows(rows, sel)
    if sel.is_people:
        key = measured["_province"] + "\x1f" + measured["_month"]
        per_key = _rule(ex, measured, sel, key).sum(axis=1)
        province = [str(k).split("\x1f")[0] for k in per_key.index]  # one per province and month
        sums = per_key.groupby(np.array(province, dtype=object)).sum()
    else:
        sums = measured[_measure_column(sel)].groupby(measured["_province"].to_numpy()).sum()
    counts = measured.groupby("_province").size()
    names = _first_names(measured, "_province", area_columns(ex.params)[1])
    header = value_header(sel, "province", ex)
    area = area_label(ex)
    table = pd.DataFrame({
        area: names.reindex(sums.index).to_numpy(),
        header: sums.map(half_up).astype("int64").to_numpy(),
        ROWS: counts.reindex(sums.index).fillna(0).astype("int64").to_numpy(),
    })
    return _sort(table, header, area)


def value_header(sel: Selection, table: str, ex: Exploration | None = None) -> str:
    """Header of a by-organization/by-province value: the measure and how it adds up."""
    if not sel.is_people:
        return MEASURES[sel.measure]
    if table == "sector":
        return "Personas (nuevos; Σ de los meses, consolidado R4V)"
    basis = "total mensual" if sel.measure == "personas_mensual" else "nuevos"
    if table == "organization":
        return f"Personas ({basis}; Σ de filas, sin deduplicar)"
    rule = METHOD_LABELS[ex.params.method] if ex else "regla R4V"
    where = area_label(ex).lower() if ex else "provincia"
    return f"Personas ({basis}; {rule} en la {where}, Σ de meses)"


def _sort(table: pd.DataFrame, value: str, name: str) -> pd.DataFrame:
    order = table.assign(_n=table[name].map(normalize)).sort_values([value, "_n"], ascending=[False, True])
    return order.drop(columns="_n").reset_index(drop=True)


def by_sex_age(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None,
               total: int | None = None) -> pd.DataFrame:
    """People by sex and age: the split of the counted rows apportioned to the figure the headline shows.
    One month: the measure's split, to the month's total. A range of several months: the split on new
    beneficiaries, to the range's consolidated figure (as a period's `by_sex_age`, docs/metodologia.md §12).

    Empty for quantity and USD (they have no age/sex split).
    """
    parts = ex.catalog.sex_age_ids
    labels = [ex.catalog.sex_age[p] for p in parts]
    header = "Personas"
    if not sel.is_people:
        return pd.DataFrame({"Sexo y edad": pd.Series(dtype=object), header: pd.Series(dtype="int64")})
    rows = select(ex, sel) if rows is None else rows
    basis = PEOPLE_BASIS[sel.measure]
    if len(_range_months(ex, sel)) > 1:
        basis, total = "nuevos", consolidated(ex, sel, rows)["total"]
    elif total is None:
        total = int(over_time(ex, sel, rows).iloc[-1][total_header(ex, sel)])
    counted = rows[rows["counted"]]
    raw = sex_age_values(counted, basis, ex.catalog).sum()
    published = largest_remainder(raw.to_dict(), total, parts)
    return pd.DataFrame({"Sexo y edad": labels, header: [published[p] for p in parts]})


def quality(ex: Exploration, sel: Selection, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The quality issues (Q01–Q09) of the selection's rows, Spanish headers."""
    rows = select(ex, sel) if rows is None else rows
    issues = ex.issues[ex.issues["row"].isin(rows["excel_row"].to_numpy())]
    return issues.rename(columns=ISSUE_COLUMNS).reset_index(drop=True)


def quality_counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues per code (only codes present), from a `quality` table."""
    tally = issues["Código"].value_counts()
    codes = [c for c in CODES if c in tally.index]
    return pd.DataFrame({"Código": codes, "Problema": [CODES[c] for c in codes],
                         "Casos": [int(tally[c]) for c in codes]})


@dataclass
class Summary:
    """Every table the notebook shows for one selection (computed from one `select`)."""

    selection: Selection
    months: list[str]  # the months of the range, 'YYYY-MM' (the rows of over_time but the last)
    colors: dict[str, str]  # series label -> colour (population groups as in the report)
    description: str
    rows: int
    over_time: pd.DataFrame
    consolidated: dict | None  # people: R4V's consolidated figure of the range (`consolidated`); else None
    range_note: str  # which figure the headline shows, in one Spanish sentence (`range_note`)
    by_sector: pd.DataFrame
    by_organization: pd.DataFrame
    by_province: pd.DataFrame
    by_sex_age: pd.DataFrame
    quality: pd.DataFrame
    headline: str
    notes: list[str]


def summarize(ex: Exploration, sel: Selection) -> Summary:
    """Select once, then every table, the headline and the methodology note of the selection."""
    rows = select(ex, sel)
    time = over_time(ex, sel, rows)
    period = time.iloc[-1]
    months = _range_months(ex, sel)
    span = ("en " + fmt.month_label(months[0]) if len(months) == 1 else
            "de " + fmt.month_range(months[0], months[-1]) if months else "en la selección")
    figure = consolidated(ex, sel, rows) if sel.is_people else None
    if sel.is_people:
        total = int(period[total_header(ex, sel)])
        if len(months) > 1:  # the range's consolidated figure; one month: the report's headline, on the measure
            headline = f"{fmt.people(figure['total'])} {span} (cifra consolidada)"
        else:
            headline = f"{fmt.people(total)} {span}"
    else:
        total = int(period[MEASURES[sel.measure]])
        headline = f"{MEASURES[sel.measure]}: {fmt.number(total)} {span}"
    notes = [methodology_note(ex, sel)]
    colors = {ex.catalog.population_label(g): c for g, c in fmt.POPULATION_COLORS.items()
              if g in ex.catalog.populations or g == SIN_DESAGREGAR}
    colors["Total"] = fmt.TOTAL_COLOR
    return Summary(
        selection=sel,
        months=_range_months(ex, sel),
        colors=colors,
        description=describe(ex, sel),
        rows=int(len(rows)),
        over_time=time,
        consolidated=figure,
        range_note=range_note(ex, sel, len(months), total),
        by_sector=by_sector(ex, sel, rows),
        by_organization=by_organization(ex, sel, rows),
        by_province=by_province(ex, sel, rows),
        by_sex_age=by_sex_age(ex, sel, rows, total if sel.is_people else None),
        quality=quality(ex, sel, rows),
        headline=headline,
        notes=notes,
    )


def range_note(ex: Exploration, sel: Selection, months: int, months_sum: int) -> str:
    """Which figure the headline shows, said under it: the month's figure, R4V's consolidated figure of the
    range (and, on the monthly total, that the table's last row is the plain sum of the months), or a sum."""
    if not sel.is_people:
        return (f"{MEASURES[sel.measure]}: la suma de los meses" if months > 1 else MEASURES[sel.measure]) + \
            " de la selección."
    rule = METHOD_LABELS[ex.params.method]
    level = admin2_label(ex.params) if ex.params.level == "admin2" else "región"
    if months <= 1:
        basis = "total mensual" if sel.measure == "personas_mensual" else "nuevos beneficiarios"
        return f"Cifra del mes sobre {basis} ({rule} por {level}), como la cifra principal del reporte."
    text = (f"Cifra consolidada del rango (regla de R4V, la del acumulado del año y de los trimestres): por "
            f"sector, los nuevos beneficiarios sumados sobre los meses; intersector, la cifra de cada mes sobre "
            f"nuevos beneficiarios ({rule} por {level}) sumada sobre los meses, así quien se atendió en varios "
            f"meses cuenta una sola vez.")
    if sel.measure == "personas_mensual":
        text += (f" No es la suma de las personas de cada mes ({fmt.people(months_sum)}, la última fila de la tabla "
                 f"por mes, «suma de los meses»), que cuenta una vez por mes a quien se atendió en varios meses.")
    return text


def methodology_note(ex: Exploration, sel: Selection) -> str:
    """How the figures of the selection were added up, for the reader."""
    if not sel.is_people:
        return (f"{MEASURES[sel.measure]}: suma de todas las filas de la selección salvo las copias "
                "duplicadas (Q08), sean o no actividades RMRP, como las cifras clave del reporte.")
    basis = "Total beneficiarios mensuales" if sel.measure == "personas_mensual" else "Nuevos beneficiarios del mes"
    level = admin2_label(ex.params) if ex.params.level == "admin2" else "región"
    area = area_label(ex).lower()
    text = (f"Personas: «{basis}» de las filas contadas (actividad RMRP, sin servicios comunes ni copias "
            f"duplicadas). Por mes y en total: {METHOD_LABELS[ex.params.method]} por {level} y grupo de "
            f"población (regla R4V del archivo de parámetros). Por {area}: la misma regla dentro de cada "
            f"{area}. Por organización: suma simple de sus filas, sin deduplicar entre sectores (no suma el total).")
    return text


def describe(ex: Exploration, sel: Selection) -> str:
    """The selection in words (Spanish), for titles and exported files."""
    months = _range_months(ex, sel)
    period = fmt.month_range(months[0], months[-1]) if months else "sin meses"
    parts = [f"{ex.params.region}, {period}"]
    for name, label in FILTER_LABELS.items():
        label = area_label(ex) if name == "province" else label
        value = getattr(sel, name)
        if value is not None:
            parts.append(f"{label}: {_option_label(ex, name, value)}")
    parts.append(MEASURES[sel.measure])
    return " · ".join(parts)


def _option_label(ex: Exploration, name: str, value: str) -> str:
    return dict((v, lab) for lab, v in options(ex, name)).get(value, value)


# ---------------------------------------------------------------- export

def export_rows(ex: Exploration, sel: Selection, folder: str | Path, now: dt.datetime | None = None) -> list[Path]:
    """Write the selection's rows as CSV (UTF-8 with BOM, for Excel) and XLSX; return both paths.

    Columns: the file's own headers, then the row number in the file, the
    subgroup, whether the row counts for people and why not. The XLSX also
    carries a «Selección» sheet with the filters.
    """
    rows = select(ex, sel)
    table = export_table(ex, rows)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    months = _range_months(ex, sel)
    filters = [slug(_option_label(ex, n, getattr(sel, n))) for n in FILTER_LABELS if getattr(sel, n) is not None]
    name = "_".join([ex.params.region_slug, *(dict.fromkeys([months[0], months[-1]]) if months else []),
                     *filters, sel.measure, stamp])
    name = re.sub(r"[^0-9A-Za-z_.-]+", "-", name)[:150]
    csv_path, xlsx_path = folder / f"{name}.csv", folder / f"{name}.xlsx"
    write_csv(table, csv_path)  # no cell or line of a cell starts a formula; a CR is quoted
    about = pd.DataFrame({"Campo": ["Selección", "Archivo de datos", "Filas", "Exportado"],
                          "Valor": [describe(ex, sel), ex.fivew.source.path.name, len(table),
                                    (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")]})
    with pd.ExcelWriter(xlsx_path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Filas", index=False)
        about.to_excel(writer, sheet_name="Selección", index=False)
        for sheet in writer.sheets.values():
            xlsx_text_only(sheet)  # names like "=HYPERLINK(...)" stay text
    return [csv_path, xlsx_path]


def export_table(ex: Exploration, rows: pd.DataFrame) -> pd.DataFrame:
    """Selected rows with the file's headers plus the kit's classification, in Spanish."""
    headers = ex.fivew.source.headers
    fields = [f for f in ex.catalog.fields if f in headers]
    table = rows[fields].copy()
    for name in ("rmrp_activity", "cva", "implementation_setup"):
        if name in table:
            table[name] = table[name].astype(object).map({True: "Sí", False: "No"}).fillna("")
    table = table.rename(columns=headers)
    table.insert(0, "Fila en el archivo", rows["excel_row"].to_numpy())
    labels = {sg: ex.catalog.subgroup_label(sg) for sg in [*ex.catalog.subgroups, SIN_SUBGRUPO]}
    table["Subgrupo (kit)"] = rows["subgroup"].map(labels).to_numpy()
    table["Cuenta para personas (kit)"] = np.where(rows["counted"].to_numpy(), "Sí", "No")
    table["Motivo de exclusión (kit)"] = rows["exclusion"].map(EXCLUSION_LABELS).fillna("").to_numpy()
    return table.reset_index(drop=True)


# ---------------------------------------------------------------- display

def intro_html(ex: Exploration) -> str:
    """The notebook's first line (region, file, rows, months) as HTML, every text escaped: a region or
    file name holding `<script>` or Markdown is shown as written, never run or interpreted."""
    months = month_options(ex)
    return render("explore_intro.html.j2", mesa=ex.params.mesa.nombre, region=str(ex.params.region),
                  file=ex.fivew.source.path.name, rows=fmt.number(len(ex.rows)), sample=ex.is_sample,
                  months=(months[0][0], months[-1][0]) if months else None)


def table_html(table: pd.DataFrame, empty: str = "Sin filas en la selección.") -> str:
    """A table as the report writes it (`mdrm.html.table`: text escaped, Spanish numbers, the theme's
    `mdrm-table`), the period row set as a total; `empty` (escaped) when the table has no rows."""
    shown = None if table.empty else report_html.table(table, total_rows=table.columns[0] == MONTH)
    return render("explore_table.html.j2", table=shown, empty=empty)


def summary_figure(summary: Summary, top: int = 10):
    """The four charts of a selection in one matplotlib Figure (no pyplot state), in the report's style
    and colours (`mdrm.charts`): over time, by organization, by province, by sex and age."""
    import seaborn as sns
    from matplotlib.figure import Figure

    from . import charts

    sel = summary.selection
    with charts.house_style():
        fig = Figure(figsize=(13, 8.5), layout="constrained")
        axes = fig.subplots(2, 2)

        time = summary.over_time.iloc[:-1]
        ax = axes[0, 0]
        value_cols = [c for c in time.columns if c not in (MONTH, ROWS, ORGS)]
        if sel.is_people and len(value_cols) == 2:
            value_cols = value_cols[:1]  # one group: its line is the total
        long = time.melt(id_vars=MONTH, value_vars=value_cols, var_name="Serie", value_name="Valor")
        if len(long):
            short = {fmt.month_label(m): fmt.month_short(m, year=True) for m in summary.months}
            long[MONTH] = long[MONTH].map(short)
            long["Serie"] = long["Serie"].where(~long["Serie"].str.startswith("Total"), "Total")
            series = list(dict.fromkeys(long["Serie"]))
            others = iter(sns.color_palette(n_colors=len(series)))
            colors = {name: summary.colors.get(name) or next(others) for name in series}
            sns.lineplot(data=long, x=MONTH, y="Valor", hue="Serie", marker="o", ax=ax, sort=False, palette=colors)
            ax.tick_params(axis="x", rotation=45)
            if ax.get_legend() is not None:
                sns.move_legend(ax, "upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title=None, frameon=False)
        ax.set_title("En el tiempo" + (" (por grupo de población)" if sel.is_people else ""))
        ax.set_xlabel("")
        ax.set_ylabel(MEASURES[sel.measure])
        charts.number_axis(ax.yaxis)

        _bars(axes[0, 1], summary.by_organization.head(top), "Organización",
              f"Por organización (las {top} mayores)" if len(summary.by_organization) > top else "Por organización")
        area = summary.by_province.columns[0]  # «Provincia», or «Región» when several admin1s
        _bars(axes[1, 0], summary.by_province, area, f"Por {area.lower()}")
        ages = summary.by_sex_age
        shown = ages if sel.is_people and ages["Personas"].sum() > 0 else ages.iloc[:0]
        charts.bars(axes[1, 1], shown, "Sexo y edad", "Personas", "Por sexo y edad",
                    empty="Sin desagregación por sexo y edad\npara esta medida o selección")
        fig.suptitle(summary.description, fontsize=11)
    return fig


def _bars(ax, table: pd.DataFrame, name: str, title: str) -> None:
    """Bars of a by-organization or by-province table (its first value column), as the report draws them."""
    from . import charts

    value = table.columns[1] if len(table.columns) > 1 else None
    shown = table if value is not None and table[value].sum() != 0 else table.iloc[:0]
    charts.bars(ax, shown, name, value or name, title, empty="Sin datos en la selección", nbins=4, longest=32)


def figure_png(fig, dpi: int = 80) -> bytes:
    """A Figure as PNG bytes (for an ipywidgets Image, updated in place): `mdrm.charts.png`."""
    from . import charts

    return charts.png(fig, dpi)


__all__ = [
    "ALL", "MEASURES", "Exploration", "Selection", "Summary", "load_exploration", "options",
    "month_options", "measure_options", "select", "over_time", "by_organization", "by_province",
    "by_sex_age", "by_sector", "consolidated", "quality", "quality_counts", "summarize", "export_rows", "export_table",
    "table_html", "summary_figure", "figure_png", "describe",
]
