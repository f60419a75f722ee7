"""HTML fragments of the reports: cards, tables, notes, footer.

The notebooks show them with `IPython.display.HTML(...)`; nbconvert then
copies them into the shared file. Rules:

- Python builds the data, the templates `templates/report/` hold the markup and the words
  (`mdrm.templating`, autoescape on): an organization named `<script>…` shows as text;
- numbers are written by `mdrm.formatting` ("2,953"), months as "septiembre de 2020";
- the CSS is one `<style>` block (`style()`, emitted once by the first cell): the
  theme file `templates/mdrm/theme.css`, where every colour lives (`mdrm.theme`);
  no font, script or stylesheet from the network.
"""
from __future__ import annotations

import numbers

import pandas as pd

from . import formatting as fmt
from markupsafe import Markup

from . import identity, narrative, tables, theme
from . import figure_warnings as warn
from .catalog import SIN_DESAGREGAR
from .quality import CODES
from .scope import admin2_label, area_label, shows_areas  # noqa: F401 (shows_areas: the notebook's)
from .templating import render

ANNEX_ISSUES = 50  # the annex of situacion.html lists at most this many issues (tablas.xlsx keeps them all)
TITLE = "Intervenciones {of_mesa}"  # of_mesa: identity.of(full name), e.g. "de la Mesa de Lima (ML)"



def style() -> str:
    """The report's CSS, the theme file (mdrm/templates/mdrm/theme.css): emit once, in the first visible output."""
    return render("style.html.j2", css=Markup(theme.css()))


def population_class(group: str) -> str:
    """The population group's suffix of the `mdrm-pop-…` class that gives an element its colour (`--mdrm-pop`)."""
    return str(group).replace("_", "-")


def mesa(view) -> identity.Mesa:
    """The Mesa that publishes the report (metrics.json's, else the params')."""
    return identity.mesa_of(view.metrics, getattr(view, "params", None))


def report_title(view) -> str:
    """'Intervenciones de la Mesa … (SIGLA)': the report's title, from the params' Mesa."""
    who = mesa(view)
    return TITLE.format(of_mesa=identity.of(identity.full_name(who), who))


def _subtitle(view, what: str) -> str:
    m, who = view.metrics, mesa(view)
    platform = f" · {who.plataforma}" if who.plataforma else ""
    return f"{what} · {m['region']} · {fmt.when_label(m)}{platform}"


def header(view, title: str | None = None, subtitle: str | None = None) -> str:
    """Title band (what, where, when) and the "datos de ejemplo" banner when the data is the sample."""
    m = view.metrics
    return render("header.html.j2", sample=view.is_sample, warnings=m.get("warnings") or [],
                  notices=m.get("notices") or [], title=title or f"{report_title(view)} — {fmt.when_label(m)}",
                  subtitle=subtitle or _subtitle(view, "Reporte de situación mensual"))


def warnings_box(metrics: dict) -> str:
    """The month's warnings (docs/metodologia.md §7), in a box shown under the title, before any figure;
    its information lines («notices»: the export's first month) as plain notes under it, not as warnings."""
    return render("warnings.html.j2", warnings=metrics.get("warnings") or [], notices=metrics.get("notices") or [])


def highlights_header(view) -> str:
    """Title band of destacados.html."""
    who = mesa(view)
    name = identity.of(identity.full_name(who), who)
    return header(view, title=f"Destacados {name} — {fmt.when_label(view.metrics)}",
                  subtitle=_subtitle(view, "Lo más importante del mes"))


def area_title(view) -> str:
    """Title of the breakdown section: «Por provincia» («Por municipio», «Por cantón»… as the country names
    its admin2), or «Por región» in a report of several admin1s."""
    return f"Por {area_label(view.params).lower()}"


def section(title: str, subtitle: str | None = None) -> str:
    return render("section.html.j2", title=title, subtitle=subtitle)


def change_text(current, previous, previous_label: str, reason: str | None = None) -> str:
    """'▲ +67 (+2.3%) respecto de agosto de 2020' (plain text; escaped by the caller).

    Without a previous figure: 'Variación: — (reason)', by default that there is nothing to compare."""
    if previous is None:
        return f"Variación: {fmt.MISSING} ({reason or f'sin datos de {previous_label} para comparar'})"
    diff = fmt.change(current, previous)
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "="
    rel = fmt.relative_change(current, previous)
    pct = f" ({fmt.signed_percent(rel)})" if rel is not None else ""
    return f"{arrow} {fmt.signed(diff)}{pct} respecto de {previous_label}"


def headline(view) -> str:
    """The headline card: people reached, by population group, the change, organizations, year to date."""
    m, catalog = view.metrics, view.data.catalog
    people = m["people_reached"]
    prev = m.get("previous_month") or {}
    prev_people = prev.get("people_reached")
    prev_label = fmt.previous_month_of(m)
    groups = []
    for g in tables.population_order(people["by_population"], catalog):
        value = people["by_population"][g]
        before = None if prev_people is None else prev_people["by_population"].get(g, 0)
        groups.append({"color": population_class(g), "value": fmt.number(value), "label": catalog.population_label(g),
                       "change": change_text(value, before, prev_label, _no_change_reason(m))})
    orgs = m.get("organizations") or {}
    ytd = (m.get("ytd") or {}).get("people_reached")
    months = (m.get("ytd") or {}).get("months") or [m["month"]]
    who = mesa(view)
    total_change = change_text(people["total"], prev.get("people_reached_total"), prev_label, _no_change_reason(m))
    meaningless = warn.has(m, "W02") and m.get("basis") == "nuevos"
    if meaningless:
        total_change = _w02_reason(m).strip(" ()")
    return render(
        "headline.html.j2", value=fmt.MISSING if meaningless else fmt.number(people["total"]), change=total_change,
        groups=groups, of_mesa=identity.of(identity.short_name(who), who),  # "de la MDRM"
        members=None if orgs.get("members") is None else fmt.number(orgs["members"]),
        reporting=None if orgs.get("reporting") is None else fmt.number(orgs["reporting"]),
        ytd=None if ytd is None else {
            "value": fmt.MISSING if warn.has(m, "W02") else fmt.number(ytd["total"]),
            "months": fmt.month_range(months[0], months[-1]), "reason": _w02_reason(m)},
        target=target_line(m))


def target_line(metrics: dict) -> str:
    """Reached against the year's target (`metas:`), year to date; '' without `metas:`, «—» for a target of 0."""
    against = (metrics.get("targets") or {}).get("people_reached")
    if against is None:
        return ""
    return render("target.html.j2", against=fmt.reached_against_target(against))


def period_headline(view) -> str:
    """The headline card of a period (`periodo:`): its people reached (R4V's consolidated rule), by
    population group, its organizations, and reached against target."""
    m, catalog = view.metrics, view.data.catalog
    people = m["people_reached"]
    groups = [{"color": population_class(g), "value": fmt.number(people["by_population"][g]),
               "label": catalog.population_label(g)}
              for g in tables.population_order(people["by_population"], catalog)]
    months = m["months"]
    orgs = m.get("organizations") or {}
    return render("period_headline.html.j2", value=fmt.number(people["total"]), groups=groups,
                  months=fmt.month_range(months[0], months[-1]),
                  reporting=None if orgs.get("reporting") is None else fmt.number(orgs["reporting"]),
                  target=target_line(m))


def period_header(view) -> str:
    """Title band of a period's report."""
    return header(view, subtitle=_subtitle(view, "Reporte de situación del periodo"))


def period_methodology(view) -> str:
    """How a period's figures are counted (docs/metodologia.md §12), in the words of README's rule."""
    m = view.metrics
    items = [
        "Personas alcanzadas en el periodo: las personas nuevas (nuevos beneficiarios) de cada mes, sin doble "
        "conteo entre sectores, sumadas mes a mes (regla consolidada de R4V); quien recibe ayuda en varios meses "
        "cuenta una sola vez, el mes en que llegó.",
        "Subgrupos, sectores y grupos poblacionales: nuevos beneficiarios sumados sobre los meses; cifras clave "
        "y USD sumados; organizaciones: las distintas del periodo.",
        f"Método de deduplicación «{(m.get('dedup') or {}).get('method', '')}», nivel "
        f"«{(m.get('dedup') or {}).get('level', '')}».",
    ]
    return render("notes.html.j2", items=items)


def _no_change_reason(metrics: dict) -> str | None:
    """Why no change is shown under W03 (the previous month has rows but none counted), else None."""
    if not warn.has(metrics, "W03"):
        return None
    if warn.is_notice(metrics, "W03"):
        return f"el 5W empieza en {fmt.when_label(metrics)}, nota W03"
    return f"{fmt.previous_month_of(metrics)} no tiene filas contadas para personas, aviso W03"


def _w02_reason(metrics: dict) -> str:
    """' (—: los nuevos beneficiarios del mes son 0 en todas las filas contadas)' under W02, else ''."""
    if not warn.has(metrics, "W02"):
        return ""
    return f" ({fmt.MISSING}: los nuevos beneficiarios del mes son 0 en todas las filas contadas, aviso W02)"


def key_figures(view, table: pd.DataFrame | None = None) -> str:
    """The key figures as cards (seed: "Principales actividades"), each with its change.

    `table` is the month's «key_figures» table (`view.report_tables()` when not given): the same
    numbers as the sheet.
    """
    table = tables.frame_of(view.report_tables(), "key_figures") if table is None else table
    prev_label = fmt.previous_month_of(view.metrics)
    cards = [{"value": fmt.number(value), "label": label,
              "change": change_text(int(value), None if pd.isna(before) else int(before), prev_label,
                                    _no_change_reason(view.metrics))}
             for label, value, before in table.iloc[:, :3].itertuples(index=False)]
    return render("key_figures.html.j2", cards=cards)


def format_cell(column: str, value, number_format: tables.NumberFormat | None = None) -> tuple[str, bool]:
    """(text, is_number) of a table cell: a number in its column's declared format (`tables.ReportTable`).

    Without one (a table that is not a report table), by the column's name: 'Variación…' signed, '%' percent.
    """
    if fmt.is_missing(value):
        return fmt.MISSING, True
    if isinstance(value, str):
        return value, False
    if isinstance(value, bool):
        return ("Sí" if value else "No"), False
    if number_format is not None and isinstance(value, numbers.Number):
        return number_format.text(value), True
    if "%" in column and isinstance(value, numbers.Number):
        fraction = float(value) / 100.0
        return (fmt.signed_percent(fraction) if column.startswith("Variación") else fmt.percent(fraction)), True
    if column == "Fila":  # an Excel row number, not a quantity
        return str(int(value)), True
    if isinstance(value, numbers.Number):
        if column.startswith("Variación"):
            return fmt.signed(value), True
        return fmt.number(value), True
    return str(value), False


def table(frame: pd.DataFrame, caption: str | None = None, note: str | None = None,
          total_rows: bool = True, formats: dict[str, tables.NumberFormat] | None = None) -> str:
    """A table with Spanish numbers; rows whose first cell starts with 'Total' are set as totals.

    `formats`: the number format of each numeric column (a report table's, `ReportTable.number_formats`).
    """
    return render("table.html.j2", **_table_data(frame, caption, note, total_rows, formats), annex=False, widths=())


def _table_data(frame: pd.DataFrame, caption: str | None, note: str | None, total_rows: bool,
                formats: dict[str, tables.NumberFormat] | None) -> dict:
    """The columns and rows of `table` as text (numbers formatted), for the `table` macro."""
    formats = formats or {}
    columns = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    rows = []
    for row in frame.itertuples(index=False):
        first = str(row[0]) if len(row) else ""
        cells = [dict(zip(("text", "number"), format_cell(c, v, formats.get(c)))) for c, v in zip(columns, row)]
        rows.append({"total": total_rows and first.startswith("Total"), "cells": cells})
    # The caption is a paragraph above the table: a <caption> would wrap to the table's width.
    return {"columns": [{"name": c, "number": n} for c, n in zip(columns, numeric)], "rows": rows,
            "caption": caption, "note": note}


def caption_and_note(view, name: str) -> tuple[str, str | None]:
    """The Spanish caption (what and when) and the note of a report table (its record's), by id or sheet name."""
    record = tables.record(name)
    return record.caption(view), record.note(view)


def report_table(view, report_tables: dict[str, pd.DataFrame], name: str) -> str:
    """One table of `tables.report_tables(view)` with its caption and note, as its record says.

    `name`: the record's id ("population"), or its sheet name.
    """
    record = tables.record(name)
    frame = report_tables[record.sheet]
    caption, note = record.caption(view), record.note(view)
    if frame.empty and record.when_empty is not None:
        return render("empty_table.html.j2", caption=caption, text=record.when_empty) if record.when_empty else ""
    formats = record.number_formats(frame)
    if record.layout == "annex":
        return annex_issues(frame, caption, note, formats)
    return table(frame, caption, note, formats=formats)


def annex_issues(frame: pd.DataFrame, caption: str, note: str | None,
                 formats: dict[str, tables.NumberFormat] | None = None) -> str:
    """The annex's list of issues: at most `ANNEX_ISSUES`, saying how many more tablas.xlsx holds.

    The code's label is in the note of «Calidad por organización», so each line shows only the
    detail; printed, the list starts on its own page with one line per issue (the full message
    stays in tablas.xlsx), so a month with 1,000 issues prints to as many pages as one with 10.
    """
    shown = frame.head(ANNEX_ISSUES).copy()
    prefixes = [CODES.get(code, "") + ": " for code in shown["Código"]]
    shown["Detalle"] = [text[len(p):] if text.startswith(p) else text for text, p in zip(shown["Detalle"], prefixes)]
    if len(frame) > ANNEX_ISSUES:
        more = len(frame) - ANNEX_ISSUES
        note = (f"{note or ''} Se muestran los primeros {fmt.number(ANNEX_ISSUES)} de {fmt.number(len(frame))} "
                f"problemas: {fmt.number(more)} más están en la hoja «Calidad de datos» de tablas.xlsx, que los "
                f"tiene todos.").strip()
    return render("table.html.j2", **_table_data(shown, caption, note, True, formats), annex=True,
                  widths=ANNEX_WIDTHS)


ANNEX_WIDTHS = ("10%", "8%", "27%", None)  # Fila, Código, Organización, Detalle


def highlights(items: list[str], title: str | None = None) -> str:
    """A bulleted list of texts (already filled), escaped."""
    return render("highlights.html.j2", items=items, title=title)


def subgroup_descriptions(catalog) -> str:
    """'*Subgrupos:' — each subgroup of the Mesa with its description (the seed's footer), or the
    sectors it adds up when it has none. The packaged grouping (one subgroup per R4V sector, no
    descriptions) is one line.
    """
    from .catalog import load_catalog

    if not any(sg.description for sg in catalog.subgroups.values()) and catalog.subgroups == load_catalog().subgroups:
        return render("subgroups.html.j2", packaged=True, subgroups=[])

    def text(sg) -> str:  # a Mesa's subgroup without a description: the sectors it adds up
        return sg.description or "Sectores de R4V: " + ", ".join(
            catalog.sectors[s].label for s in sg.sectors if s in catalog.sectors) + "."

    return render("subgroups.html.j2", packaged=False,
                  subgroups=[{"label": sg.label, "text": text(sg)} for sg in catalog.subgroups.values()])


def definitions_note(view) -> str:
    """The seed's note: what each population group shown means."""
    catalog, m = view.data.catalog, view.metrics
    shown = set(m["people_reached"]["by_population"]) | set(((m.get("ytd") or {}).get("people_reached") or {})
                                                             .get("by_population", {}))
    groups = [{"color": population_class(g), "label": catalog.population_label(g),
               "definition": catalog.unsplit["definicion"] if g == SIN_DESAGREGAR else catalog.populations[g]["definicion"]}
              for g in tables.population_order(shown, catalog)]
    return render("definitions.html.j2", groups=groups)


def paragraphs(items: list[str]) -> str:
    return render("paragraphs.html.j2", items=items)


def methodology(view) -> str:
    """Which basis and method produced the figures (narrative.methodology_note)."""
    admin2 = (admin2_label(view.params), admin2_label(view.params, plural=True),
              admin2_label(view.params, article=True).split()[0])
    return render("notes.html.j2", items=narrative.methodology_note(view.metrics, view.data.catalog, admin2))


def footer(view) -> str:
    """Data file's name and SHA-256, the kit's version and the generation date."""
    m = view.metrics
    source = m.get("source") or {}
    made = m.get("generated_by") or {}
    who = mesa(view)
    dedup = m.get("dedup") or {}
    return render(
        "footer.html.j2", file=source.get("file"), sheet=source.get("sheet"), sha256=source.get("sha256", ""),
        publisher=identity.the(identity.full_name(who), who), platform=f", {who.plataforma}" if who.plataforma else "",
        kit=made.get("kit", "mdrm") if made else None, version=made.get("version", ""),
        date=fmt.date_label(made["date"]) if made.get("date") else None, region=m["region"],
        period=bool(m.get("period")), when=fmt.when_label(m), basis=m.get("basis", ""),
        method=dedup.get("method", ""), level=dedup.get("level", ""), sample=view.is_sample)
