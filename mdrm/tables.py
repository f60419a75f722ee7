"""Every table of the situation report, from `metrics.json` and the month's data.

`report_tables(view)` is the contract with the report pipeline: it writes
each table to `tablas.xlsx` (one sheet each, named by the key) and the
notebook shows the same tables, so the HTML and the workbook agree.

Values are numbers (integers; percentages as points with one decimal, in
columns whose name holds "%"), never preformatted text: `mdrm.html.table`
formats them in Spanish for the HTML, and the workbook keeps numbers. A
figure that does not exist (no previous month) is missing (pandas NA).

Every number that is in `metrics.json` comes from it. The tables that need
more (trend, provinces, who does what, previous month's key figures) are
computed by `mdrm.metrics` with the same methodology functions, and agree
with `metrics.json` where they overlap.
"""
from __future__ import annotations

import pandas as pd

from . import formatting as fmt
from . import figure_warnings as warn
from .catalog import SIN_DESAGREGAR, SIN_SUBGRUPO, Catalog
from .metrics import by_organization, headline_by_month, headline_by_province, key_figures_of, previous_month
from .rounding import round_half_up
from .methodology import EXCLUSION_LABELS
from .scope import area_label
from .text import normalize

# The seed dashboard's order of the population groups; others follow in catalog order.
SEED_ORDER = ("permanencia", "acogida", "transito")

TOTAL = "Total"
SHEET_NAME_MAX = 31  # Excel's limit


def population_order(groups, catalog: Catalog) -> list[str]:
    """Groups in the seed's order (Permanencia, Acogida, Tránsito), then the others, `sin_desagregar` last."""
    groups = list(groups)
    rest = [g for g in catalog.population_ids if g not in SEED_ORDER]
    order = [*SEED_ORDER, *rest, SIN_DESAGREGAR]
    return [g for g in order if g in groups] + [g for g in groups if g not in order]


def groups_shown(figures: list[dict | None], catalog: Catalog) -> list[str]:
    """Main groups always, others when some figure has them."""
    seen = set(catalog.main_populations)
    for figure in figures:
        if figure:
            seen.update(g for g, v in figure.items() if v)
    return population_order(seen, catalog)


def _share(part, total) -> float | None:
    """Percentage points with one decimal, half up (as `formatting.percent` shows them)."""
    return None if not total else round_half_up(100.0 * part / total, 1)


def _change_pct(current, previous) -> float | None:
    rel = fmt.relative_change(current, previous)
    return None if rel is None else round_half_up(100.0 * rel, 1)


def _ints(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    return frame


def _floats(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.array([None if v is None else float(v) for v in frame[column]], dtype="Float64")
    return frame


def _catalog(view):
    return view.data.catalog


# --- what the seed carries --------------------------------------------------

def population(view) -> pd.DataFrame:
    """People reached in the month by population group, with the total."""
    catalog, people = _catalog(view), view.metrics["people_reached"]
    total = people["total"]
    rows = [(catalog.population_label(g), people["by_population"][g], _share(people["by_population"][g], total))
            for g in population_order(people["by_population"], catalog)]
    rows.append((TOTAL, total, _share(total, total)))
    frame = pd.DataFrame(rows, columns=["Grupo poblacional", "Personas", "% del total"])
    return _floats(_ints(frame, ["Personas"]), ["% del total"])


def sex_age(view) -> pd.DataFrame:
    """People reached by sex and age (apportioned to the headline); 'otros' only when non-zero."""
    catalog, parts = _catalog(view), view.metrics["by_sex_age"]
    total = sum(parts.values())
    shown = [k for k in catalog.sex_age_ids if k in parts and (parts[k] or not k.startswith("otros"))]
    rows = [(catalog.sex_age[k], parts[k], _share(parts[k], total)) for k in shown]
    rows.append((TOTAL, total, _share(total, total)))
    frame = pd.DataFrame(rows, columns=["Sexo y edad", "Personas", "% del total"])
    return _floats(_ints(frame, ["Personas"]), ["% del total"])


def subgroup_population(view) -> pd.DataFrame:
    """Response by subgroup × population group (a person may be in several subgroups: no total row)."""
    catalog, subgroups = _catalog(view), view.metrics["subgroups"]
    groups = groups_shown([f["by_population"] for f in subgroups.values()], catalog)
    labels = [catalog.population_label(g) for g in groups]
    rows = [[catalog.subgroup_label(sg), *(f["by_population"].get(g, 0) for g in groups), f["total"]]
            for sg, f in subgroups.items()]
    frame = pd.DataFrame(rows, columns=["Subgrupo", *labels, "Total personas"])
    return _ints(frame, [*labels, "Total personas"])


def organizations_by_subgroup(view) -> pd.DataFrame:
    """N° of organizations per subgroup, most first (ties in catalog order)."""
    catalog, counts = _catalog(view), view.metrics["organizations"]["by_subgroup"]
    order = [*catalog.subgroups, SIN_SUBGRUPO]
    ids = sorted(counts, key=lambda sg: (-counts[sg], order.index(sg) if sg in order else len(order)))
    frame = pd.DataFrame([(catalog.subgroup_label(sg), counts[sg]) for sg in ids],
                         columns=["Subgrupo", "Organizaciones"])
    return _ints(frame, ["Organizaciones"])


def previous_key_figures(view) -> dict[str, int] | None:
    """The previous month's key figures (same rules), or None when that month has no rows."""
    md = view.data
    if view.metrics.get("previous_month") is None:  # W03: no change shown anywhere
        return None
    rows = md.region[md.region["month"] == previous_month(view.metrics["month"])]
    return key_figures_of(md, rows) if len(rows) else None


def key_figures(view) -> pd.DataFrame:
    """The key figures of the month, the previous month's and the change."""
    catalog, kf = _catalog(view), view.metrics["key_figures"]
    month, prev_month = view.metrics["month"], previous_month(view.metrics["month"])
    previous = view.previous_key_figures() or {}  # MonthView's: computed once per month
    now_col, prev_col = fmt.month_label(month), fmt.month_label(prev_month)
    rows = []
    for kf_id, value in kf.items():
        label = catalog.key_figures[kf_id].label if kf_id in catalog.key_figures else kf_id
        before = previous.get(kf_id)
        rows.append((label, value, before, fmt.change(value, before), _change_pct(value, before)))
    frame = pd.DataFrame(rows, columns=["Cifra clave", now_col, prev_col, "Variación", "Variación (%)"])
    return _floats(_ints(frame, [now_col, prev_col, "Variación"]), ["Variación (%)"])


# --- beyond the seed --------------------------------------------------------

def monthly_change(view) -> pd.DataFrame:
    """Change vs. the previous month of the headline, each population group and each subgroup."""
    catalog, m = _catalog(view), view.metrics
    prev = m.get("previous_month") or {}
    prev_people = prev.get("people_reached") or None
    prev_groups = (prev_people or {}).get("by_population", {})
    prev_subgroups = prev.get("subgroups") or {}
    now_col, prev_col = fmt.month_label(m["month"]), fmt.month_label(previous_month(m["month"]))

    def missing_or(value):
        return value if prev_people is not None else None

    rows = [("Personas alcanzadas", m["people_reached"]["total"], prev.get("people_reached_total"))]
    groups = groups_shown([m["people_reached"]["by_population"], prev_groups], catalog)
    for g in groups:
        rows.append((f"Personas alcanzadas: {catalog.population_label(g)}",
                     m["people_reached"]["by_population"].get(g, 0), missing_or(prev_groups.get(g, 0))))
    order = [*catalog.subgroups, SIN_SUBGRUPO]
    subgroups = [sg for sg in order if sg in m["subgroups"] or sg in prev_subgroups]
    for sg in subgroups:
        now = m["subgroups"].get(sg, {}).get("total", 0)
        rows.append((f"Subgrupo {catalog.subgroup_label(sg)}", now, missing_or(prev_subgroups.get(sg, 0))))
    frame = pd.DataFrame(
        [(label, now, before, fmt.change(now, before), _change_pct(now, before)) for label, now, before in rows],
        columns=["Indicador", now_col, prev_col, "Variación", "Variación (%)"])
    return _floats(_ints(frame, [now_col, prev_col, "Variación"]), ["Variación (%)"])


def ytd_column(view) -> str:
    months = view.metrics["ytd"].get("months") or [view.metrics["month"]]
    return f"Personas ({fmt.month_range(months[0], months[-1])})"


def year_to_date(view) -> pd.DataFrame:
    """People reached January to the month (new beneficiaries; monthly max, then accumulated)."""
    catalog, ytd = _catalog(view), view.metrics["ytd"]["people_reached"]
    column = ytd_column(view)
    rows = [(catalog.population_label(g), ytd["by_population"][g], _share(ytd["by_population"][g], ytd["total"]))
            for g in population_order(ytd["by_population"], catalog)]
    rows.append((TOTAL, ytd["total"], _share(ytd["total"], ytd["total"])))
    if warn.has(view.metrics, "W02"):  # no new beneficiaries in the month: "—" (the note says why)
        rows = [(label, None, None) for label, _, _ in rows]
    frame = pd.DataFrame(rows, columns=["Grupo poblacional", column, "% del total"])
    return _floats(_ints(frame, [column]), ["% del total"])


def _subgroup_of_sector(name: str, catalog: Catalog) -> str:
    return catalog.sector_of(name)[1]


def _sector_rows(sectors: dict, catalog: Catalog, value) -> list[tuple[str, str, dict]]:
    order = [*catalog.subgroups, SIN_SUBGRUPO]
    items = [(name, _subgroup_of_sector(name, catalog), v) for name, v in sectors.items()]
    items.sort(key=lambda t: (order.index(t[1]), -value(t[2]), normalize(t[0])))
    return items


def year_to_date_sectors(view) -> pd.DataFrame:
    """New beneficiaries per sector, January to the month."""
    catalog = _catalog(view)
    column = ytd_column(view).replace("Personas", "Nuevos beneficiarios")
    items = _sector_rows(view.metrics["ytd"]["sectors"], catalog, lambda v: v)
    w02 = warn.has(view.metrics, "W02")
    frame = pd.DataFrame([(name, catalog.subgroup_label(sg), None if w02 else v) for name, sg, v in items],
                         columns=["Sector", "Subgrupo", column])
    return _ints(frame, [column])


def sectors(view) -> pd.DataFrame:
    """People per sector in the month (as reported: a person may be in several sectors)."""
    catalog, m = _catalog(view), view.metrics
    items = _sector_rows(m["sectors"], catalog, lambda v: v["total"])
    if m["basis"] == "nuevos":
        frame = pd.DataFrame([(n, catalog.subgroup_label(sg), v["new"]) for n, sg, v in items],
                             columns=["Sector", "Subgrupo", "Nuevos beneficiarios"])
        return _ints(frame, ["Nuevos beneficiarios"])
    frame = pd.DataFrame([(n, catalog.subgroup_label(sg), v["total"], v["new"]) for n, sg, v in items],
                         columns=["Sector", "Subgrupo", "Total beneficiarios mensuales", "Nuevos beneficiarios"])
    return _ints(frame, ["Total beneficiarios mensuales", "Nuevos beneficiarios"])


def trend(view) -> pd.DataFrame:
    """People reached per month, January to the month (same basis and method as the headline)."""
    catalog = _catalog(view)
    months = headline_by_month(view.data)
    groups = groups_shown([f["by_population"] for f in months.values() if f], catalog)
    labels = [catalog.population_label(g) for g in groups]
    rows = []
    for month, figure in months.items():
        if figure is None:
            rows.append([fmt.month_label(month), *([None] * len(groups)), None])
        else:
            rows.append([fmt.month_label(month), *(figure["by_population"].get(g, 0) for g in groups),
                         figure["total"]])
    frame = pd.DataFrame(rows, columns=["Mes", *labels, TOTAL])
    return _ints(frame, [*labels, TOTAL])


def provinces(view) -> pd.DataFrame:
    """People reached per province; last row the region's headline (the column sums at level admin2).

    A report of several admin1s (a list or the whole country) shows admin1s, column «Región».
    """
    catalog, people = _catalog(view), view.metrics["people_reached"]
    table, _ = headline_by_province(view.data)
    groups = groups_shown([people["by_population"], *(table.loc[i].to_dict() for i in table.index)], catalog)
    labels = [catalog.population_label(g) for g in groups]
    rows = [[name, *(int(table.loc[name].get(g, 0)) for g in groups), int(table.loc[name].sum())]
            for name in table.index]
    rows.append([f"{TOTAL} {view.metrics['region']}", *(people["by_population"].get(g, 0) for g in groups),
                 people["total"]])
    frame = pd.DataFrame(rows, columns=[area_label(view.params), *labels, TOTAL])
    return _ints(frame, [*labels, TOTAL])


def who_does_what(view) -> pd.DataFrame:
    """Per reporting organization: type, provinces, activities, people per subgroup, USD; a total row."""
    md, catalog = view.data, _catalog(view)
    table = by_organization(md)
    subgroups = [c for c in table.columns if c not in ("organization", "provinces", "activities", "rows", "usd")]
    labels = [catalog.subgroup_label(sg) for sg in subgroups]
    frame = pd.DataFrame({
        "Organización": table["organization"].tolist(),
        area_label(view.params, plural=True): [", ".join(p) for p in table["provinces"]],
        "Actividades": table["activities"].tolist(),
        **{label: table[sg].tolist() for sg, label in zip(subgroups, labels)},
        "USD": table["usd"].tolist(),
    })
    if md.registry is not None:
        types = dict(zip(md.registry["org_key"].astype(str), md.registry["type"]))
        frame.insert(1, "Tipo", [(types[k] or "Miembro") if k in types else "No miembro de la Mesa"
                                 for k in table.index])
    total = {"Organización": TOTAL, area_label(view.params, plural=True): "", "Tipo": "",
             "Actividades": int(md.rows.loc[md.rows["duplicate_of"] == 0, "activity_key"].astype(str).nunique()),
             **{label: int(table[sg].sum()) for sg, label in zip(subgroups, labels)}, "USD": int(table["usd"].sum())}
    frame = pd.concat([frame, pd.DataFrame([{k: total[k] for k in frame.columns}])], ignore_index=True)
    return _ints(frame, ["Actividades", *labels, "USD"])


def quality_by_organization(view) -> pd.DataFrame:
    """Quality issues of the month per organization and code (for the IMO to chase), most first."""
    issues = pd.DataFrame(view.metrics["quality"]["issues"], columns=["code", "row", "organization", "message"])
    if issues.empty:
        return _ints(pd.DataFrame(columns=["Organización", TOTAL]), [TOTAL])
    issues["organization"] = issues["organization"].fillna("").replace("", "(sin organización)")
    table = pd.crosstab(issues["organization"], issues["code"])
    table = table[sorted(table.columns)]
    table[TOTAL] = table.sum(axis=1)
    table = table.loc[sorted(table.index, key=lambda o: (-int(table.loc[o, TOTAL]), normalize(o)))]
    frame = table.reset_index().rename(columns={"organization": "Organización"})
    frame.columns.name = None
    return _ints(frame, [c for c in frame.columns if c != "Organización"])


def quality_issues(view) -> pd.DataFrame:
    """Every quality issue of the month: code, row as seen in Excel, organization, message."""
    issues = view.metrics["quality"]["issues"]
    frame = pd.DataFrame(
        [(i["code"], i["row"], i["organization"], i["message"]) for i in issues],
        columns=["Código", "Fila", "Organización", "Detalle"])
    return _ints(frame, ["Fila"])


def rows_summary(view) -> pd.DataFrame:
    """Rows of the region and month: read = counted + excluded, each exclusion with its reason."""
    rows = view.metrics["rows"]
    items = [("Filas leídas (región y mes)", rows["read"]), ("Filas contadas para personas", rows["counted"]),
             ("Filas excluidas", rows["excluded"])]
    for reason, n in (rows.get("excluded_by_reason") or {}).items():
        items.append((f"Excluidas: {EXCLUSION_LABELS.get(reason, reason)}", n))
    return _ints(pd.DataFrame(items, columns=["Filas del 5W", "Filas"]), ["Filas"])


# Sheet name -> table function, in the report's order.
TABLES = {
    "Población alcanzada": population,
    "Sexo y edad": sex_age,
    "Subgrupo x población": subgroup_population,
    "Organizaciones por subgrupo": organizations_by_subgroup,
    "Cifras clave": key_figures,
    "Variación mensual": monthly_change,
    "Acumulado del año": year_to_date,
    "Acumulado por sector": year_to_date_sectors,
    "Tendencia mensual": trend,
    "Por provincia": provinces,
    "Por sector": sectors,
    "Quién hace qué": who_does_what,
    "Calidad por organización": quality_by_organization,
    "Calidad de datos": quality_issues,
    "Filas del 5W": rows_summary,
}
assert all(len(name) <= SHEET_NAME_MAX for name in TABLES)


def report_tables(view) -> dict[str, pd.DataFrame]:
    """Every table of the situation report, keyed by its sheet name (≤ 31 characters)."""
    return {name: function(view) for name, function in TABLES.items()}
