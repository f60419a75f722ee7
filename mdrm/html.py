"""HTML fragments of the reports: cards, tables, notes, footer.

The notebooks show them with `IPython.display.HTML(...)`; nbconvert then
copies them into the shared file. Rules:

- every text that comes from data, params or the editable definitions is
  escaped here (`esc`): an organization named `<script>…` shows as text;
- numbers are written by `mdrm.formatting` ("2,953"), months as "septiembre de 2020";
- the CSS is one `<style>` block (`style()`, emitted once by the first cell): the
  theme file `templates/mdrm/theme.css`, where every colour lives (`mdrm.theme`);
  no font, script or stylesheet from the network.
"""
from __future__ import annotations

import html as _html
import numbers

import pandas as pd

from . import formatting as fmt
from . import identity, narrative, tables, theme
from . import figure_warnings as warn
from .bidi import shown
from .catalog import SIN_DESAGREGAR
from .quality import CODES
from .scope import admin2_label, area_label, shows_areas  # noqa: F401 (shows_areas: the notebook's)

ANNEX_ISSUES = 50  # the annex of situacion.html lists at most this many issues (tablas.xlsx keeps them all)
TITLE = "Intervenciones {of_mesa}"  # of_mesa: identity.of(full name), e.g. "de la Mesa de Lima (ML)"



def esc(value) -> str:
    """Text as HTML text: `<script>` shows as `<script>`, never runs; a right-to-left override
    cannot turn it around (`bidi.shown`)."""
    return _html.escape(shown("" if value is None else str(value)), quote=True)


def _wrap(inner: str, extra_class: str = "") -> str:
    return f'<div class="mdrm{" " + extra_class if extra_class else ""}">{inner}</div>'


def style() -> str:
    """The report's CSS, the theme file (mdrm/templates/mdrm/theme.css): emit once, in the first visible output."""
    return f"<style>{theme.css()}</style>"


def population_class(group: str) -> str:
    """The classes that give an element its population group's colour (`--mdrm-pop` in the theme)."""
    return f"mdrm-pop mdrm-pop-{esc(str(group).replace('_', '-'))}"


def sample_banner() -> str:
    return ('<div class="mdrm-banner" role="note">Datos de ejemplo: este reporte se generó con datos ficticios '
            '(carpeta <code>data/ejemplo</code>); ninguna cifra ni organización corresponde a la respuesta '
            'real.</div>')


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
    title = title or f"{report_title(view)} — {fmt.when_label(m)}"
    subtitle = subtitle or _subtitle(view, "Reporte de situación mensual")
    banner = sample_banner() if view.is_sample else ""
    return _wrap(f'{banner}<div class="mdrm-title"><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></div>'
                 f'{warnings_box(m)}')


def warnings_box(metrics: dict) -> str:
    """The month's warnings (docs/metodologia.md §7), in a box shown under the title, before any figure;
    its information lines («notices»: the export's first month) as plain notes under it, not as warnings."""
    items = metrics.get("warnings") or []
    notes = "".join(f'<p class="mdrm-note mdrm-notice">Nota ({esc(n["code"])}): {esc(n["message"])}</p>'
                    for n in metrics.get("notices") or [])
    if not items:
        return notes
    lines = "".join(f'<li><b>{esc(w["code"])}</b> {esc(w["message"])}</li>' for w in items)
    word = "Aviso" if len(items) == 1 else "Avisos"
    return (f'<div class="mdrm-warnings" role="alert"><h2>{word} antes de leer las cifras</h2>'
            f'<ul>{lines}</ul></div>{notes}')


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
    sub = f'<p class="mdrm-sub">{esc(subtitle)}</p>' if subtitle else ""
    return _wrap(f'<h2 class="mdrm-h2">{esc(title)}</h2>{sub}')


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
        groups.append(
            f'<div class="mdrm-group {population_class(g)}"><b>'
            f'{esc(fmt.number(value))}</b>{esc(catalog.population_label(g))}'
            f'<div class="mdrm-change">{esc(change_text(value, before, prev_label, _no_change_reason(m)))}</div></div>')
    orgs = m.get("organizations") or {}
    ytd = (m.get("ytd") or {}).get("people_reached")
    months = (m.get("ytd") or {}).get("months") or [m["month"]]
    side = []
    who = mesa(view)
    of_mesa = identity.of(identity.short_name(who), who)  # "de la MDRM"
    if orgs.get("members") is not None:
        side.append(f'<div><span class="mdrm-big" style="font-size:2em">{esc(fmt.number(orgs["members"]))}</span>'
                    f'<div class="mdrm-biglabel">Organizaciones miembros {esc(of_mesa)}</div></div>')
    if orgs.get("reporting") is not None:
        side.append(f'<div class="mdrm-change">{esc(fmt.number(orgs["reporting"]))} organizaciones reportaron '
                    f'actividades en el 5W del mes</div>')
    if ytd is not None:
        ytd_value = fmt.MISSING if warn.has(m, "W02") else fmt.number(ytd["total"])
        side.append(f'<div style="margin-top:12px"><span class="mdrm-big" style="font-size:2em">'
                    f'{esc(ytd_value)}</span><div class="mdrm-biglabel">Personas alcanzadas en el '
                    f'año</div><div class="mdrm-change">{esc(fmt.month_range(months[0], months[-1]))}, nuevos '
                    f'beneficiarios{esc(_w02_reason(m))}</div></div>')
    total_change = change_text(people["total"], prev.get("people_reached_total"), prev_label, _no_change_reason(m))
    meaningless = warn.has(m, "W02") and m.get("basis") == "nuevos"
    headline_value = fmt.MISSING if meaningless else fmt.number(people["total"])
    if meaningless:
        total_change = _w02_reason(m).strip(" ()")
    main = (f'<div class="mdrm-card" style="flex:1.2 1 260px"><h3>Población alcanzada en el mes de reporte</h3>'
            f'<div class="mdrm-big">{esc(headline_value)}</div>'
            f'<div class="mdrm-biglabel">Personas alcanzadas</div>'
            f'<div class="mdrm-change">{esc(total_change)}</div></div>')
    by_group = f'<div class="mdrm-card" style="flex:1 1 240px"><h3>Por grupo poblacional</h3>{"".join(groups)}</div>'
    side.append(target_line(m))
    others = (f'<div class="mdrm-card" style="flex:1 1 220px"><h3>Miembros {esc(of_mesa)} y acumulado</h3>'
              f'{"".join(side)}</div>')
    return _wrap(f'<div class="mdrm-row">{main}{by_group}{others}</div>')


def target_line(metrics: dict) -> str:
    """Reached against the year's target (`metas:`), year to date; '' without `metas:`, «—» for a target of 0."""
    against = (metrics.get("targets") or {}).get("people_reached")
    if against is None:
        return ""
    return (f'<div class="mdrm-change mdrm-target" style="margin-top:12px"><b>Meta del año:</b> '
            f'{esc(fmt.reached_against_target(against))}</div>')


def period_headline(view) -> str:
    """The headline card of a period (`periodo:`): its people reached (R4V's consolidated rule), by
    population group, its organizations, and reached against target."""
    m, catalog = view.metrics, view.data.catalog
    people = m["people_reached"]
    groups = "".join(
        f'<div class="mdrm-group {population_class(g)}"><b>{esc(fmt.number(people["by_population"][g]))}</b>'
        f'{esc(catalog.population_label(g))}</div>'
        for g in tables.population_order(people["by_population"], catalog))
    months = m["months"]
    orgs = m.get("organizations") or {}
    side = []
    if orgs.get("reporting") is not None:
        side.append(f'<div><span class="mdrm-big" style="font-size:2em">{esc(fmt.number(orgs["reporting"]))}</span>'
                    f'<div class="mdrm-biglabel">Organizaciones que reportaron en el periodo</div></div>')
    side.append(target_line(m))
    main = (f'<div class="mdrm-card" style="flex:1.2 1 260px"><h3>Población alcanzada en el periodo</h3>'
            f'<div class="mdrm-big mdrm-period-headline">{esc(fmt.number(people["total"]))}</div>'
            f'<div class="mdrm-biglabel">Personas alcanzadas</div>'
            f'<div class="mdrm-change">{esc(fmt.month_range(months[0], months[-1]))}: nuevos beneficiarios de '
            f'cada mes, sin doble conteo entre sectores, sumados mes a mes</div></div>')
    by_group = f'<div class="mdrm-card" style="flex:1 1 240px"><h3>Por grupo poblacional</h3>{groups}</div>'
    others = f'<div class="mdrm-card" style="flex:1 1 220px"><h3>Organizaciones y meta</h3>{"".join(side)}</div>'
    return _wrap(f'<div class="mdrm-row">{main}{by_group}{others}</div>')


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
    return _wrap('<ul class="mdrm-list mdrm-note" style="font-size:.9em">'
                 + "".join(f"<li>{esc(t)}</li>" for t in items) + "</ul>")


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
    cards = []
    for row in table.itertuples(index=False):
        label, value, before = row[0], row[1], row[2]
        before = None if pd.isna(before) else int(before)
        cards.append(f'<div class="k"><div class="v">{esc(fmt.number(value))}</div><div class="l">{esc(label)}</div>'
                     f'<div class="c">{esc(change_text(int(value), before, prev_label, _no_change_reason(view.metrics)))}'
                     f'</div></div>')
    return _wrap(f'<div class="mdrm-kf">{"".join(cards)}</div>')


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
    formats = formats or {}
    columns = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    head = "".join(f'<th class="{"n" if n else ""}">{esc(c)}</th>' for c, n in zip(columns, numeric))
    body = []
    for row in frame.itertuples(index=False):
        first = str(row[0]) if len(row) else ""
        cls = ' class="total"' if total_rows and first.startswith("Total") else ""
        cells = []
        for column, value in zip(columns, row):
            text, is_number = format_cell(column, value, formats.get(column))
            cells.append(f'<td class="{"n" if is_number else ""}">{esc(text)}</td>')
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{max(len(columns), 1)}">Sin filas.</td></tr>')
    # The caption is a paragraph above the table: a <caption> would wrap to the table's width.
    cap = f'<p class="mdrm-caption">{esc(caption)}</p>' if caption else ""
    foot = f'<p class="mdrm-note">{esc(note)}</p>' if note else ""
    return _wrap(f'{cap}<table class="mdrm-table"><thead><tr>{head}</tr></thead>'
                 f'<tbody>{"".join(body)}</tbody></table>{foot}')


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
        return _wrap(f'<p class="mdrm-note"><b>{esc(caption)}</b>: {esc(record.when_empty)}</p>') \
            if record.when_empty else ""
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
    widths = '<colgroup><col style="width:10%"><col style="width:8%"><col style="width:27%"><col></colgroup>'
    body = table(shown, caption, note, formats=formats).replace('<table class="mdrm-table">', f'<table class="mdrm-table">{widths}', 1)
    return f'<div class="mdrm-annex">{body}</div>'


def highlights(items: list[str], title: str | None = None) -> str:
    """A bulleted list of texts (already filled), escaped."""
    if not items:
        return _wrap('<p class="mdrm-note">No hay destacados para este mes.</p>')
    head = f'<h3 style="margin:4px 0">{esc(title)}</h3>' if title else ""
    return _wrap(f'{head}<ul class="mdrm-list">{"".join(f"<li>{esc(t)}</li>" for t in items)}</ul>')


def subgroup_descriptions(catalog) -> str:
    """'*Subgrupos:' — each subgroup of the Mesa with its description (the seed's footer), or the
    sectors it adds up when it has none. The packaged grouping (one subgroup per R4V sector, no
    descriptions) is one line.
    """
    from .catalog import load_catalog

    if not any(sg.description for sg in catalog.subgroups.values()) and catalog.subgroups == load_catalog().subgroups:
        return _wrap(f'<p class="mdrm-desc">{esc(NO_DESCRIPTIONS)}</p>')

    def text(sg) -> str:  # a Mesa's subgroup without a description: the sectors it adds up
        return sg.description or "Sectores de R4V: " + ", ".join(
            catalog.sectors[s].label for s in sg.sectors if s in catalog.sectors) + "."

    items = "".join(f'<p class="mdrm-desc"><b>{esc(sg.label)}:</b> {esc(text(sg))}</p>'
                    for sg in catalog.subgroups.values())
    return _wrap(items)


NO_DESCRIPTIONS = "Un subgrupo por sector de R4V, con el nombre del sector."


def definitions_note(view) -> str:
    """The seed's note: what each population group shown means."""
    catalog, m = view.data.catalog, view.metrics
    shown = set(m["people_reached"]["by_population"]) | set(((m.get("ytd") or {}).get("people_reached") or {})
                                                             .get("by_population", {}))
    items = []
    for g in tables.population_order(shown, catalog):
        definition = catalog.unsplit["definicion"] if g == SIN_DESAGREGAR else catalog.populations[g]["definicion"]
        items.append(f'<li><span class="mdrm-swatch {population_class(g)}"></span>'
                     f'<b>{esc(catalog.population_label(g))}</b> = {esc(definition)}</li>')
    return _wrap(f'<p class="mdrm-note" style="margin-bottom:2px"><b>Nota:</b></p>'
                 f'<ul class="mdrm-list mdrm-note">{"".join(items)}</ul>')


def paragraphs(items: list[str]) -> str:
    return _wrap("".join(f"<p>{esc(t)}</p>" for t in items))


def methodology(view) -> str:
    """Which basis and method produced the figures (narrative.methodology_note)."""
    admin2 = (admin2_label(view.params), admin2_label(view.params, plural=True),
              admin2_label(view.params, article=True).split()[0])
    return _wrap(f'<ul class="mdrm-list mdrm-note" style="font-size:.9em">'
                 f'{"".join(f"<li>{esc(t)}</li>" for t in narrative.methodology_note(view.metrics, view.data.catalog, admin2))}</ul>')


def footer(view) -> str:
    """Data file's name and SHA-256, the kit's version and the generation date."""
    m = view.metrics
    source = m.get("source") or {}
    made = m.get("generated_by") or {}
    parts = []
    if source.get("file"):
        sheet = f" (hoja «{esc(source['sheet'])}»)" if source.get("sheet") else ""
        parts.append(f"Fuente: archivo 5W <b>{esc(source['file'])}</b>{sheet}, SHA-256 "
                     f"<code>{esc(source.get('sha256', ''))}</code>.")
    who = mesa(view)
    platform = f", {who.plataforma}" if who.plataforma else ""
    parts.append(f"Publicado por {esc(identity.the(identity.full_name(who), who))}{esc(platform)}.")
    if made:
        date = made.get("date")
        when = f" el {esc(fmt.date_label(date))}" if date else ""
        parts.append(f"Generado con {esc(made.get('kit', 'mdrm'))} {esc(made.get('version', ''))}{when}.")
    parts.append(f"Región {esc(m['region'])}, {'periodo' if m.get('period') else 'mes'} {esc(fmt.when_label(m))}; base «{esc(m.get('basis', ''))}», método "
                 f"«{esc((m.get('dedup') or {}).get('method', ''))}», nivel "
                 f"«{esc((m.get('dedup') or {}).get('level', ''))}».")
    if view.is_sample:
        parts.append("Datos de ejemplo (ficticios).")
    return _wrap(f'<div class="mdrm-footer">{" ".join(parts)}</div>')
