"""Warnings: figures that are right but would mislead (docs/metodologia.md §7).

`month_warnings(md, metrics)` is called once by `metrics.compute`; the list
goes into `metrics.json` as `"warnings": [{"code", "message"}]` and every
output (the box at the top of both HTML pages, `mdrm batch`, the region's
index) shows it from there. `has(metrics, code)` is how the report decides to
show "—" instead of a figure that a warning makes meaningless (W02, W03).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import formatting as fmt
from .i18n import N_, _, ngettext
from .catalog import SIN_DESAGREGAR
from .methodology import EXCLUSION_LABELS
from .months import previous_month
from .rounding import half_up
from .scope import admin2_label, has_admin2

if TYPE_CHECKING:  # pragma: no cover
    from .metrics import MonthData

# R4V's Spanish headers, as the export writes them (the export's own words: not translated)
VALUE_LABELS = {"quantity": "Cantidad de productos generados", "total_monthly": "Total beneficiarios mensuales",
                "new_beneficiaries": "Nuevos beneficiarios del mes", "cva_value_usd": "Valor de transferencia (en USD)"}
UNSPLIT_SHARE = 0.25      # W05: sin_desagregar from this share of the headline
DUPLICATE_SHARE = 0.05    # W07: exact copies from this share of the month's rows

RMRP_SHARE = 0.10  # W08: people left out by the RMRP mark from this share of the month's people


def has(metrics: dict, code: str) -> bool:
    """The metrics carry warning `code` (or its information line: a W03 of the export's first month)."""
    return any(w.get("code") == code for w in [*(metrics.get("warnings") or []), *(metrics.get("notices") or [])])


def is_notice(metrics: dict, code: str) -> bool:
    """`code` is one of the month's information lines, not a warning (W03 of the export's first month)."""
    return any(n.get("code") == code for n in metrics.get("notices") or [])


def first_month_of_export(md: MonthData) -> bool:
    """No row of the export (any place) is of a month before the report's: nothing could be compared."""
    months = md.fivew.data["month"].dropna().astype(str)
    return not bool((months < md.params.month).any())


def month_notices(md: MonthData, metrics: dict) -> list[dict]:
    """Information lines (`metrics.json` "notices"), shown apart from the warnings: the export starts with
    the report's month, so there is no previous month to compare with (a W03 that warns of nothing)."""
    if metrics.get("previous_month") is not None or not first_month_of_export(md):
        return []
    month = fmt.month_label(md.params.month)
    prev = fmt.month_label(previous_month(md.params.month))
    return [{"code": "W03", "message": _("El 5W empieza en {month}: no hay {previous} con qué comparar, por eso no "
                                        "se muestra variación («—»).").format(month=month, previous=prev)}]


def zero_key_figures(md: MonthData) -> dict[str, tuple[int, str]]:
    """Key figures with patterns whose matching rows of the month all carry 0 (W06): id -> (rows, column)."""
    from .methodology import BASIS_COLUMN, key_figure_masks

    rows = md.rows[md.rows["duplicate_of"] == 0]
    if rows.empty:
        return {}
    column = {"cantidad": "quantity", "personas": BASIS_COLUMN[md.params.basis], "usd": "cva_value_usd"}
    out = {}
    for kf_id, mask in key_figure_masks(rows, md.catalog).items():
        kf = md.catalog.key_figures[kf_id]
        if not (kf.patterns or kf.indicator_patterns) or not mask.any():
            continue  # no patterns: every row (a month without CVA is a true 0); no rows: a true 0
        field = column[kf.value]
        if not (rows.loc[mask, field].fillna(0) != 0).any():
            out[kf_id] = (int(mask.sum()), VALUE_LABELS[field])  # R4V's Spanish header: any header style
    return out


def month_warnings(md: MonthData, metrics: dict) -> list[dict]:
    """The warnings of the month, in code order, each with its message in the run's language."""

    p, catalog = md.params, md.catalog
    rows = md.rows
    counted = rows[rows["counted"]]
    month = fmt.month_label(p.month)
    found: list[tuple[str, str]] = []

    if counted.empty:
        reasons = metrics["rows"].get("excluded_by_reason") or {}
        why = "; ".join(_("{n} por «{reason}»").format(n=fmt.number(n), reason=EXCLUSION_LABELS.get(r, r))
                        for r, n in reasons.items())
        found.append(("W01", _("Ninguna de las {rows} filas de {region} en {month} cuenta para personas ({why}): "
                               "las cifras de personas son 0 porque no hay qué contar, no porque no se haya "
                               "atendido a nadie.").format(rows=fmt.number(len(rows)), region=p.region, month=month,
                                                           why=why)))
    elif not (counted["new_beneficiaries"] > 0).any():
        found.append(("W02", _("«Nuevos beneficiarios del mes» es 0 en las {rows} filas contadas de {month}: el "
                               "acumulado del año y las cifras sobre nuevos beneficiarios no se muestran "
                               "(«—»).").format(rows=fmt.number(len(counted)), month=month)))
    if metrics.get("previous_month") is None and not first_month_of_export(md):
        prev = fmt.month_label(previous_month(p.month))
        found.append(("W03", _("{Previous} no tiene filas contadas para personas en el 5W: no se muestra la "
                               "variación respecto de {previous} («—»).").format(Previous=prev.capitalize(),
                                                                               previous=prev)))
    if md.level_requested == "admin2" and p.level == "admin1":
        found.append(("W04", _("Los parámetros piden deduplicar por {admin2} (nivel admin2), pero el 5W no tiene "
                               "Admin2 para esta región: las personas se calcularon por región (admin1).").format(
                                   admin2=admin2_label(p))))
    total = metrics["people_reached"]["total"]
    unsplit = metrics["people_reached"]["by_population"].get(SIN_DESAGREGAR, 0)
    if total and unsplit >= UNSPLIT_SHARE * total:
        found.append(("W05", _("{unsplit} de las {total} personas alcanzadas ({share}) no tienen desagregación por "
                               "tipo de población («Sin desagregar»): las cifras por grupo poblacional quedan "
                               "cortas.").format(unsplit=fmt.number(unsplit), total=fmt.number(total),
                                                 share=fmt.percent(unsplit / total))))
    w06 = []
    if md.key_figures_unmatched:
        labels = ", ".join(f"«{catalog.key_figures[k].label}»" for k in md.key_figures_unmatched
                           if k in catalog.key_figures)
        w06.append(_("Las cifras clave {labels} no corresponden a ninguna actividad de {region} en ningún mes del "
                     "5W: es un problema de configuración (sus patrones), no un cero. Revise sus patrones "
                     "(cifras_clave) con la lista de actividades de la región.").format(labels=labels,
                                                                                       region=p.region))
    zeros = zero_key_figures(md)
    if zeros:
        said = "; ".join(ngettext("«{label}»: {n} fila con 0 en «{column}»", "«{label}»: {n} filas con 0 en «{column}»",
                                  n).format(label=catalog.key_figures[k].label, n=fmt.number(n), column=column)
                         for k, (n, column) in zeros.items())
        w06.append(_("Cifras clave que muestran 0 aunque hay actividades que coinciden en {month}, porque todas sus "
                     "filas traen 0 ({said}): el 0 es lo reportado, no una ausencia de actividad. Revise con las "
                     "organizaciones esa columna del 5W, o el `valor` de la cifra clave.").format(month=month,
                                                                                                   said=said))
    if w06:
        found.append(("W06", " ".join(w06)))
    copies = int((rows["copy_of"] > 0).sum()) if "copy_of" in rows.columns else 0
    if len(rows) and copies >= DUPLICATE_SHARE * len(rows) and not has_admin2(md.fivew, md.region):
        share = fmt.percent(copies / len(rows))
        if p.duplicates == "contar":
            what = _("se cuentan como filas distintas (duplicados: contar)")
        else:
            what = _("se excluyen de todas las cifras; si son lugares distintos, `duplicados: contar` en los "
                     "parámetros las cuenta")
        found.append(("W07", _("{copies} de las {rows} filas del mes ({share}) son copias exactas de otra fila y el "
                               "5W no tiene Admin2: pueden ser lugares distintos. Las copias {what}.").format(
                                   copies=fmt.number(copies), rows=fmt.number(len(rows)), share=share, what=what)))
    found += rows_counted_warnings(md)
    return [{"code": code, "message": text} for code, text in sorted(found)]


def rows_counted_warnings(md: MonthData) -> list[tuple[str, str]]:
    """W08 and W09: the rules on rows counted for people, said out loud (docs/metodologia.md §10)."""
    from .methodology import BASIS_COLUMN

    p, rows = md.params, md.rows
    found = []
    column = BASIS_COLUMN[p.basis]
    if "rmrp_excluded" in rows.columns and rows["rmrp_excluded"].any():
        left_out = rows.loc[rows["rmrp_excluded"], column].sum()
        counted = rows.loc[rows["counted"], column].sum()
        if left_out > 0 and left_out >= RMRP_SHARE * (left_out + counted):
            n_rows = int(rows["rmrp_excluded"].sum())
            found.append(("W08", ngettext(
                "{left_out} de las {people} personas del mes ({share}, suma de «{column}» sin deduplicar) están en "
                "{rows} fila con «Actividad RMRP = No» y no se cuentan, porque `solo_rmrp: true` (el valor por "
                "defecto) cuenta solo las actividades RMRP. R4V contó esas filas en 2021: `solo_rmrp: false` en los "
                "parámetros las cuenta.",
                "{left_out} de las {people} personas del mes ({share}, suma de «{column}» sin deduplicar) están en "
                "{rows} filas con «Actividad RMRP = No» y no se cuentan, porque `solo_rmrp: true` (el valor por "
                "defecto) cuenta solo las actividades RMRP. R4V contó esas filas en 2021: `solo_rmrp: false` en los "
                "parámetros las cuenta.", n_rows).format(
                    left_out=fmt.number(half_up(left_out)), people=fmt.number(half_up(left_out + counted)),
                    share=fmt.percent(left_out / (left_out + counted)), column=VALUE_LABELS[column],
                    rows=fmt.number(n_rows))))
    if md.rules.indicators is None and not ("type_key" in rows.columns and (rows["type_key"] != "").any()):
        found.append(("W09", _(NO_TYPES_MESSAGE)))
    absent = absent_columns(md)
    if absent:
        said = "; ".join(f"{_both_names(md, f)}: {_(what)}" for f, what in absent)
        found.append(("W10", _("Columnas que el 5W de R4V tiene y este archivo no (no se toman como vacías sin "
                               "decirlo): {said}. Si el archivo las tiene con otro encabezado, indíquelo con "
                               "`columnas:` en los parámetros.").format(said=said)))
    return found


# W10: the export's expected columns that are not required, and what their absence does to the figures
EXPECTED_COLUMNS = {
    "rmrp_activity": N_("ninguna fila se excluye por «Actividad RMRP = No»"),
    "pendulares": N_("ese grupo de población queda en 0"),
    "retornados": N_("ese grupo de población queda en 0"),
    "ninas": N_("esa parte de sexo y edad queda en 0"),
    "ninos": N_("esa parte de sexo y edad queda en 0"),
    "mujeres": N_("esa parte de sexo y edad queda en 0"),
    "hombres": N_("esa parte de sexo y edad queda en 0"),
    "otros_menores": N_("esa parte de sexo y edad queda en 0"),
    "otros_adultos": N_("esa parte de sexo y edad queda en 0"),
}


def absent_columns(md: MonthData) -> list[tuple[str, str]]:
    """(field, consequence) of each expected column the export lacks (W10): `Country` when `pais` is
    given, `RMRP Activity`, the population and sex/age columns, `Admin2` at level admin2."""
    headers = md.fivew.source.headers
    absent = []
    if md.params.country and "country" not in headers:
        absent.append(("country", N_("las filas no se pueden separar por país (se toman todas las de la región)")))
    absent += [(f, what) for f, what in EXPECTED_COLUMNS.items() if f not in headers]
    if md.level_requested == "admin2" and "admin2" not in headers:
        absent.append(("admin2", N_("las personas se calculan por región (admin1), no por provincia")))
    return absent


def _both_names(md: MonthData, name: str) -> str:
    """A field's header in R4V's Spanish and English exports: «Actividad RMRP» / «RMRP Activity»."""
    aliases = md.catalog.fields[name].aliases
    return " / ".join(f"«{a}»" for a in dict.fromkeys(aliases[:2]))


NO_TYPES_MESSAGE = N_(
    "No hay lista de indicadores (`indicadores:` en los parámetros) ni columna «Tipo de indicador» en el 5W: "
    "las personas se cuentan en todos los indicadores, también en los que R4V no cuenta como personas en "
    "necesidad (tipo Pin en 2021, Direct Assistance desde 2022), como capacitaciones o campañas. Indique la "
    "lista de indicadores de R4V con `indicadores:` en region.yml.")


def period_warnings(md: MonthData, metrics: dict) -> list[dict]:
    """The warnings of a period (`periodo:`, docs/metodologia.md §12): W01 no row of the period counted for
    people, W02 new beneficiaries 0 in every counted row (a period counts new beneficiaries only), and W11
    names each month of the period without any row of the Mesa in the export, so a shorter period is
    never shown as the whole one."""
    from .periods import period_label

    label = period_label(md.params.period)
    months, missing = metrics["months"], metrics["months_missing"]
    rows = md.region[md.region["month"].isin(months)]
    counted = rows[rows["counted"]]
    found = []
    if counted.empty:
        found.append(("W01", _("Ninguna de las {rows} filas de {region} en el {period} cuenta para personas: las "
                               "cifras de personas son 0 porque no hay qué contar.").format(
                                   rows=fmt.number(len(rows)), region=md.params.region, period=label)))
    elif not (counted["new_beneficiaries"] > 0).any():
        found.append(("W02", _("«Nuevos beneficiarios del mes» es 0 en las {rows} filas contadas del {period}: las "
                               "cifras de un periodo se calculan sobre los nuevos beneficiarios, así que sus personas "
                               "son 0 aunque haya atenciones cada mes.").format(rows=fmt.number(len(counted)),
                                                                              period=label)))
    if missing:
        names = ", ".join(fmt.month_label(m) for m in missing)
        found.append(("W11", _("El 5W no tiene ninguna fila de {region} en {names}: las cifras del {period} suman "
                               "{present} de sus {months} meses, no el periodo completo. Si esos meses se reportaron, "
                               "use un 5W que los incluya.").format(region=md.params.region, names=names, period=label,
                                                                   present=len(months) - len(missing),
                                                                   months=len(months))))
    return [{"code": code, "message": text} for code, text in found]
