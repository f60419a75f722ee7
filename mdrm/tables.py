"""Every table of the situation report, from `metrics.json` and the month's data.

`report_tables(view)` is the contract with the report pipeline: it writes
each table to `tablas.xlsx` (one sheet each, named by the key) and the
notebook shows the same tables, so the HTML and the workbook agree.

Each table has one record (`ReportTable`, in REPORT_TABLES): its id (the
notebooks name tables by it), sheet name, builder, caption and note (Spanish)
and the number format of each column. `mdrm.html.report_table` and
`mdrm.workbook.write_tables` both read it: the caption above the table in the
HTML is the first row of its sheet, and a column's numbers read "2,953",
"74.4%" or "+67" in both.

Values are numbers (integers; percentages as points with one decimal),
never preformatted text: the HTML formats them in Spanish by the record's
formats, and the workbook keeps numbers with Excel number formats. A
figure that does not exist (no previous month) is missing (pandas NA).

Every number that is in `metrics.json` comes from it. The tables that need
more (trend, provinces, who does what, previous month's key figures) are
computed by `mdrm.metrics` with the same methodology functions, and agree
with `metrics.json` where they overlap.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import formatting as fmt
from . import figure_warnings as warn
from .catalog import NIVEL_NACIONAL, SIN_DESAGREGAR, SIN_SUBGRUPO, Catalog
from .iorw import SHEET_ATTRS
from .metrics import by_organization, headline_by_month, headline_by_province, key_figures_of, previous_month
from .rounding import round_half_up
from .methodology import EXCLUSION_LABELS
from .quality import CODES as QUALITY_CODES
from .scope import admin2_label, area_label, by_admin1, is_country_itself
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


# --- one record per report table ------------------------------------------------

@dataclass(frozen=True)
class NumberFormat:
    """How the numbers of a column read: Spanish text in the HTML, Excel's number format in tablas.xlsx."""

    name: str
    excel: str  # openpyxl's `number_format` of the column's cells
    text: Callable[[Any], str]  # the number (never missing) as the HTML shows it


INTEGER = NumberFormat("entero", "#,##0", fmt.number)
PERCENT = NumberFormat("porcentaje", '#,##0.0"%"', lambda points: fmt.percent(float(points) / 100.0))
CHANGE = NumberFormat("variación", "+#,##0;-#,##0;0", fmt.signed)
CHANGE_PERCENT = NumberFormat("variación porcentual", '+#,##0.0"%";-#,##0.0"%";0.0"%"',
                              lambda points: fmt.signed_percent(float(points) / 100.0))
IDENTIFIER = NumberFormat("identificador", "0", lambda value: str(int(value)))  # an Excel row, not a quantity

OTHER_NUMBERS = "*"  # key of `ReportTable.formats`: every numeric column not named there


@dataclass(frozen=True)
class ReportTable:
    """Everything about one table of the report, read by tablas.xlsx, the HTML and the notebooks.

    `formats` maps a column's name (or OTHER_NUMBERS) to its number format;
    `layout` is "table", or "annex" (the issues' list at the end of the report);
    `when_empty` is what the HTML shows of a table without rows: None the table
    with «Sin filas.», "" nothing, other text a note after the caption.
    """

    id: str
    sheet: str
    build: Callable[[Any], pd.DataFrame]
    caption: Callable[[Any], str]
    note: Callable[[Any], str | None]
    formats: Mapping[str, NumberFormat]
    layout: str = "table"
    when_empty: str | None = None

    def format_of(self, column) -> NumberFormat | None:
        return self.formats.get(str(column), self.formats.get(OTHER_NUMBERS))

    def number_formats(self, frame: pd.DataFrame) -> dict[str, NumberFormat]:
        """The format of each numeric column of `frame` (one of this record's tables)."""
        numeric = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        return {c: self.format_of(c) for c in numeric if self.format_of(c) is not None}


def _ytd_range(view) -> str:
    months = (view.metrics.get("ytd") or {}).get("months") or [view.metrics["month"]]
    return fmt.month_range(months[0], months[-1])


def _no_note(view) -> None:
    return None


def _w02_note(view) -> str | None:
    if warn.has(view.metrics, "W02"):
        return (f"{fmt.MISSING}: los nuevos beneficiarios del mes son 0 en todas las filas contadas (aviso W02); "
                "el acumulado del año no significaría nada.")
    return None


def _w03_note(view) -> str | None:
    if warn.is_notice(view.metrics, "W03"):
        return f"{fmt.MISSING}: sin variación, el 5W empieza en {fmt.when_label(view.metrics)} (nota W03)."
    if warn.has(view.metrics, "W03"):
        return (f"{fmt.MISSING}: sin variación, el mes anterior no tiene filas contadas para personas en el 5W "
                "(aviso W03).")
    return None


def persons_above_headline(view) -> list[tuple[str, int]]:
    """Key figures in persons larger than the month's people reached: (label, value). They can be: a key
    figure adds its activities' rows, the headline takes the largest sector per place and group."""
    catalog, m = _catalog(view), view.metrics
    total = m["people_reached"]["total"]
    return [(catalog.key_figures[k].label, v) for k, v in (m.get("key_figures") or {}).items()
            if k in catalog.key_figures and catalog.key_figures[k].value == "personas" and v > total]


def _key_figures_note(view) -> str | None:
    """W03's note and, for a key figure in persons above the headline, why it can be."""
    notes = [_w03_note(view)]
    above = persons_above_headline(view)
    if above:
        names = ", ".join(f"«{label}» ({fmt.number(v)})" for label, v in above)
        # regla_maximo: por_sector takes one sector per place, por_grupo one per place and group
        by_group = "" if (view.metrics.get("dedup") or {}).get("rule") == "por_sector" else " y grupo de población"
        notes.append(f"{names} {'supera' if len(above) == 1 else 'superan'} a las personas alcanzadas "
                     f"({fmt.number(view.metrics['people_reached']['total'])}) y no es un error: una cifra clave "
                     f"suma las filas de sus actividades, mientras que las personas alcanzadas toman el mayor "
                     f"sector en cada lugar{by_group} (sin doble conteo).")
    return " ".join(n for n in notes if n) or None


def _provinces_note(view) -> str:
    level = (view.metrics.get("dedup") or {}).get("level", "admin1")
    one, many, the_many = (admin2_label(view.params), admin2_label(view.params, plural=True),
                           admin2_label(view.params, article=True))
    if by_admin1(view.params):
        text = (f"Las regiones suman el total de {view.metrics['region']}: el doble conteo se elimina dentro de "
                "cada región.")
        counted = view.data.rows[view.data.rows["counted"]]
        if is_country_itself(counted["admin1"], view.params, _catalog(view)).any():
            text += (f" «{NIVEL_NACIONAL}»: filas cuyo Admin1 es el país mismo (actividades de alcance nacional, "
                     "sin una región).")
        return text
    if level == "admin2":
        return f"{the_many.capitalize()} suman el total de la región: el doble conteo se elimina dentro de cada {one}."
    return (f"El total de la región elimina el doble conteo entre {many}: la suma de {the_many} puede "
            "superarlo.")


def _quality_codes_note(view) -> str:
    """The label of each code shown in «Calidad por organización» (its columns)."""
    shown = {issue["code"] for issue in view.metrics["quality"]["issues"]}
    return " · ".join(f"{c}: {QUALITY_CODES[c]}" for c in sorted(shown) if c in QUALITY_CODES)


# The report's tables, in the report's order (the sheets of tablas.xlsx).
REPORT_TABLES = (
    ReportTable("population", "Población alcanzada", population,
                lambda v: f"Población alcanzada por grupo poblacional — {fmt.when_label(v.metrics)}", _no_note,
                {"% del total": PERCENT, OTHER_NUMBERS: INTEGER}),
    ReportTable("sex_age", "Sexo y edad", sex_age,
                lambda v: f"Población alcanzada por sexo y edad — {fmt.when_label(v.metrics)}",
                lambda v: "Desagregación por sexo y edad de las filas contadas, repartida al total de personas "
                          "alcanzadas.",
                {"% del total": PERCENT, OTHER_NUMBERS: INTEGER}),
    ReportTable("subgroup_population", "Subgrupo x población", subgroup_population,
                lambda v: f"Respuesta por subgrupo y grupo poblacional — {fmt.when_label(v.metrics)} (personas)",
                lambda v: "Una persona puede recibir asistencia de varios subgrupos: los totales por subgrupo no "
                          "se suman.",
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("organizations_by_subgroup", "Organizaciones por subgrupo", organizations_by_subgroup,
                lambda v: f"N° de organizaciones por subgrupo — {fmt.when_label(v.metrics)}",
                lambda v: "Según el registro de miembros de la Mesa." if v.data.registry is not None
                else "Según las organizaciones que reportaron en el 5W del "
                     + ("periodo (cada una una vez)." if v.metrics.get("period") else "mes."),
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("key_figures", "Cifras clave", key_figures,
                lambda v: f"Principales actividades — {fmt.when_label(v.metrics)}, con su variación respecto de "
                          f"{fmt.previous_month_of(v.metrics)}",
                _key_figures_note,
                {"Variación": CHANGE, "Variación (%)": CHANGE_PERCENT, OTHER_NUMBERS: INTEGER}),
    ReportTable("monthly_change", "Variación mensual", monthly_change,
                lambda v: f"Variación respecto del mes anterior — {fmt.when_label(v.metrics)} frente a "
                          f"{fmt.previous_month_of(v.metrics)}",
                lambda v: _w03_note(v) or "Mismo método y misma base en ambos meses. «—»: sin datos del mes "
                                          "anterior.",
                {"Variación": CHANGE, "Variación (%)": CHANGE_PERCENT, OTHER_NUMBERS: INTEGER}),
    ReportTable("year_to_date", "Acumulado del año", year_to_date,
                lambda v: f"Personas alcanzadas en el año — {_ytd_range(v)}",
                lambda v: _w02_note(v) or "Suma de las personas alcanzadas de cada mes sin doble conteo, sobre "
                                          "nuevos beneficiarios (regla de R4V).",
                {"% del total": PERCENT, OTHER_NUMBERS: INTEGER}),
    ReportTable("year_to_date_sectors", "Acumulado por sector", year_to_date_sectors,
                lambda v: f"Nuevos beneficiarios por sector en el año — {_ytd_range(v)}", _w02_note,
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("trend", "Tendencia mensual", trend,
                lambda v: f"Personas alcanzadas por mes — {_ytd_range(v)}",
                lambda v: "Cada mes con la misma base y el mismo método que el mes del reporte. «—»: mes sin "
                          "filas en el 5W.",
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("provinces", "Por provincia", provinces,
                lambda v: f"Personas alcanzadas por {area_label(v.params).lower()} — {fmt.when_label(v.metrics)}",
                _provinces_note,
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("sectors", "Por sector", sectors,
                lambda v: f"Personas por sector — {fmt.when_label(v.metrics)}",
                lambda v: "Una persona asistida por varios sectores cuenta en cada uno.",
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("who_does_what", "Quién hace qué", who_does_what,
                lambda v: f"Quién hace qué: organizaciones que reportaron — {fmt.when_label(v.metrics)}",
                lambda v: "Organización que reporta: el socio implementador o, si falta, el socio principal. "
                          "Personas por subgrupo según las filas de cada organización (cada columna suma la "
                          "cifra del subgrupo); USD: valor de las transferencias.",
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("quality_by_organization", "Calidad por organización", quality_by_organization,
                lambda v: f"Problemas de calidad por organización — {fmt.when_label(v.metrics)}", _quality_codes_note,
                {OTHER_NUMBERS: INTEGER}, when_empty="sin problemas de calidad en el mes."),
    ReportTable("quality_issues", "Calidad de datos", quality_issues,
                lambda v: f"Detalle de los problemas de calidad — {fmt.when_label(v.metrics)}",
                lambda v: "Fila: el número de fila tal como se ve en el Excel o CSV del 5W.",
                {"Fila": IDENTIFIER}, layout="annex", when_empty=""),
    ReportTable("rows_summary", "Filas del 5W", rows_summary,
                lambda v: f"Filas del 5W de {v.metrics['region']} — {fmt.when_label(v.metrics)}", _no_note,
                {OTHER_NUMBERS: INTEGER}),
)
assert all(len(r.sheet) <= SHEET_NAME_MAX for r in REPORT_TABLES)
assert len({r.id for r in REPORT_TABLES}) == len({r.sheet for r in REPORT_TABLES}) == len(REPORT_TABLES)


# --- targets (`metas:`) and periods (`periodo:`, docs/metodologia.md §12) ----------------------------

def targets(view) -> pd.DataFrame:
    """Reached against target (`metas:`): the year to date on new beneficiaries against the year's target,
    the headline's and each subgroup's; «—» where there is no target or it is 0 (never «inf %»)."""
    catalog, t = _catalog(view), view.metrics["targets"]

    def row(label, against):
        has = bool(against.get("target")) and against.get("percent") is not None
        return (label, against["target"] if against.get("target") is not None else fmt.MISSING,
                against["reached"], against["percent"] if has else fmt.MISSING)

    rows = [row("Personas alcanzadas (total)", t["people_reached"])]
    rows += [row(catalog.subgroup_label(sg), a) for sg, a in t["subgroups"].items()]
    frame = pd.DataFrame(rows, columns=["Meta de", "Meta (personas)", "Alcanzado", "% de la meta"])
    return frame.astype({"Alcanzado": "int64", "Meta (personas)": "object", "% de la meta": "object"})


def _targets_caption(view) -> str:
    months = view.metrics["targets"]["months"]
    return f"Alcanzado frente a la meta — acumulado de {fmt.month_range(months[0], months[-1])}"


def _targets_note(view) -> str:
    source = view.metrics["targets"].get("source")
    said = f" Fuente de las metas: {source}." if source else ""
    return ("Alcanzado: personas nuevas (nuevos beneficiarios) del año hasta el mes, con la regla consolidada "
            f"de R4V; «—»: sin meta, o meta 0.{said}")


def period_by_month(view) -> pd.DataFrame:
    """Each month of the period: its own headline on new beneficiaries («—» without rows), and the period's."""
    m = view.metrics
    rows = [(fmt.month_label(month), value if value is not None else fmt.MISSING) for month, value in m["by_month"].items()]
    rows.append((TOTAL, m["people_reached"]["total"]))
    return pd.DataFrame(rows, columns=["Mes", "Nuevos beneficiarios"]).astype({"Nuevos beneficiarios": "object"})


def period_previous_year(view) -> pd.DataFrame:
    """The period against the same period of the previous year, when the export has it (else no rows)."""
    previous = view.previous_period()
    if previous is None:
        return pd.DataFrame(columns=["Cifra", "Periodo", "Mismo periodo del año anterior", "Variación", "Variación (%)"])
    now, before = view.metrics["people_reached"], previous["people_reached"]
    catalog = _catalog(view)
    items = [("Personas alcanzadas", now["total"], before["total"])]
    items += [(catalog.population_label(g), now["by_population"].get(g, 0), before["by_population"].get(g, 0))
              for g in population_order({**before["by_population"], **now["by_population"]}, catalog)]
    rows = [(label, a, b, fmt.change(a, b), _change_pct(a, b)) for label, a, b in items]
    frame = pd.DataFrame(rows, columns=["Cifra", "Periodo", "Mismo periodo del año anterior", "Variación",
                                        "Variación (%)"])
    return _floats(_ints(frame, ["Periodo", "Mismo periodo del año anterior", "Variación"]), ["Variación (%)"])


def period_sectors(view) -> pd.DataFrame:
    """New beneficiaries per sector over the period (a person may be in several sectors)."""
    catalog = _catalog(view)
    items = _sector_rows(view.metrics["sectors"], catalog, lambda v: v)
    frame = pd.DataFrame([(n, catalog.subgroup_label(sg), v) for n, sg, v in items],
                         columns=["Sector", "Subgrupo", "Nuevos beneficiarios"])
    return _ints(frame, ["Nuevos beneficiarios"])


def period_key_figures(view) -> pd.DataFrame:
    """The key figures summed over the period's months."""
    catalog = _catalog(view)
    rows = [(catalog.key_figures[k].label if k in catalog.key_figures else k, v)
            for k, v in view.metrics["key_figures"].items()]
    return _ints(pd.DataFrame(rows, columns=["Cifra clave", "Periodo"]), ["Periodo"])


TARGETS = ReportTable("targets", "Metas", targets, _targets_caption, _targets_note,
                      {OTHER_NUMBERS: INTEGER})
PERIOD_ONLY = (
    ReportTable("period_by_month", "Mes a mes", period_by_month,
                lambda v: f"Personas alcanzadas mes a mes — {fmt.when_label(v.metrics)}",
                lambda v: "Cada mes, sus personas nuevas sin doble conteo entre sectores; el periodo es su suma "
                          "(regla consolidada de R4V). «—»: el 5W no tiene filas de ese mes (aviso W11).",
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("period_previous_year", "Año anterior", period_previous_year,
                lambda v: f"El periodo frente al mismo periodo del año anterior — {fmt.when_label(v.metrics)}",
                lambda v: "Ambos periodos con la regla consolidada de R4V, sobre nuevos beneficiarios.",
                {"Variación": CHANGE, "Variación (%)": CHANGE_PERCENT, OTHER_NUMBERS: INTEGER},
                when_empty="el 5W no tiene el mismo periodo del año anterior."),
    ReportTable("period_sectors", "Sectores del periodo", period_sectors,
                lambda v: f"Nuevos beneficiarios por sector — {fmt.when_label(v.metrics)}",
                lambda v: "Una persona puede estar en varios sectores: los sectores no suman el total.",
                {OTHER_NUMBERS: INTEGER}),
    ReportTable("period_key_figures", "Cifras clave del periodo", period_key_figures,
                lambda v: f"Principales actividades — {fmt.when_label(v.metrics)}",
                lambda v: "Cifras clave sumadas sobre los meses del periodo.", {OTHER_NUMBERS: INTEGER}),
)


def period_records() -> tuple[ReportTable, ...]:
    """The tables of a period's report: the month's own where they read the same figures, and the period's."""
    shared = [record(n) for n in ("population", "sex_age", "subgroup_population", "organizations_by_subgroup")]
    return (*shared, *PERIOD_ONLY)


def record(name: str) -> ReportTable:
    """The record of a report table, by its id ("population") or its sheet name ("Población alcanzada")."""
    for table in (*REPORT_TABLES, *PERIOD_ONLY, TARGETS):
        if name in (table.id, table.sheet):
            return table
    raise KeyError(f"no hay una tabla del reporte llamada {name!r}")


def frame_of(report_tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """One table of `report_tables(view)`, by its record's id or sheet name."""
    return report_tables[record(name).sheet]


def sheet_texts(table: ReportTable, view, frame: pd.DataFrame) -> dict:
    """What tablas.xlsx writes around `frame`: caption, note and Excel's number format per numeric column;
    `sheet_title` when the sheet is titled otherwise than its record (the breakdown as the country names
    it: «Por municipio», «Por región»)."""
    texts = {"id": table.id, "caption": table.caption(view), "note": table.note(view),
             "number_formats": {c: f.excel for c, f in table.number_formats(frame).items()}}
    if table.id == "provinces" and f"Por {area_label(view.params).lower()}" != table.sheet:
        texts["sheet_title"] = f"Por {area_label(view.params).lower()}"
    return texts


def report_tables(view, records: tuple[ReportTable, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the situation report (or of `records`: a period's), keyed by its sheet name
    (≤ 31 characters); reached against target only with `metas:`.

    Each frame carries in `attrs[SHEET_ATTRS]` its caption, note and number formats (from its record).
    """
    built = {}
    for table in (REPORT_TABLES if records is None else records) + ((TARGETS,) if "targets" in view.metrics else ()):
        frame = table.build(view)
        frame.attrs[SHEET_ATTRS] = sheet_texts(table, view, frame)
        built[table.sheet] = frame
    return built
