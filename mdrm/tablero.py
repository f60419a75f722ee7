"""The seed's one-page dashboard ("tablero"): A4 landscape, as PDF and PNG (README.md, «Tablero de una página»).

Drawn with matplotlib alone (no browser at run time), in the seed's layout and
order: the title band with the Mesa's name and the month; "Población alcanzada
en el mes de reporte" (headline and population groups) and "Por sexo y edad";
"Respuesta Subgrupos" (subgroup × population with totals) and "N°
organizaciones por subgrupo" with the Mesa's members; "Principales
actividades" (the key figures); the highlights (and the province map when the
Mesa is one Peruvian department, see `mdrm.maps`); at the foot the subgroup
descriptions and the definitions note.

Rules: every number comes from the month's metrics and is written by
`mdrm.formatting`; no text under `MIN_PT` points (texts that do not fit are
wrapped, then made smaller down to `MIN_PT`, then cut with "…"; the highlights
then point to destacados.html, a shortened name has its full name in the foot);
every text is measured with the renderer that draws the PNG before it is placed,
so figures never run into each other (six population groups, 40-character names,
seven-digit figures: README.md, «Tablero de una página»); wrapping is linear in
the text's length; text is real text in the PDF (TrueType fonts), so it can be
searched and extracted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.text
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle

from . import formatting as fmt
from . import maps, narrative, tables, theme
from .bidi import shown
from .catalog import SIN_DESAGREGAR
from .templating import render

PAGE = (11.69, 8.27)  # A4 landscape, inches
PNG_DPI = 150
MIN_PT = 7.0
ELLIPSIS = "…"
MORE_HIGHLIGHTS = "Texto completo en destacados.html"
FILES = ("tablero.pdf", "tablero.png")
PANEL_COLOR = theme.color("panel")
PANEL_EDGE = theme.color("panel-edge")
MUTED = theme.color("muted")
MEASURE_DPI = 150  # text is measured as the PNG is drawn (the PDF uses the same unhinted metrics)
SAFETY = 0.97      # lines are wrapped to 97 % of their box: PDF and PNG widths differ slightly
RC = {
    "font.family": "DejaVu Sans",
    "text.parse_math": False,  # a "$" in a name or a highlight is text
    "pdf.fonttype": 42,        # TrueType in the PDF: extractable, searchable text
    "text.color": fmt.TOTAL_COLOR,
    "axes.edgecolor": theme.color("rule"),
    "text.hinting": "no_hinting",  # widths that do not depend on the resolution
}


def mesa_title(view) -> str:
    """The Mesa's name as the HTML report titles it (`mdrm.html.report_title`, from the params' Mesa)."""
    from . import html

    return html.report_title(view)


# --------------------------------------------------------------------------- text that fits

class Writer:
    """Places text on the page in figure coordinates, measuring it to wrap and fit."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.renderer = self.canvas.get_renderer()
        self.width_px = fig.get_figwidth() * fig.dpi
        self.height_px = fig.get_figheight() * fig.dpi
        self._widths: dict[tuple, float] = {}
        self.notes: list[str] = []  # what the page shortened or left out, said in the foot
        self.abbreviated: dict[str, str] = {}  # a name drawn shortened -> the full name (said in the foot)

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        """Width of one line of text as a fraction of the page's width."""
        key = (text, size, weight)
        if key not in self._widths:
            w, _, _ = self.renderer.get_text_width_height_descent(
                text, FontProperties(family="DejaVu Sans", size=size, weight=weight), ismath=False)
            self._widths[key] = w / self.width_px
        return self._widths[key]

    def line_height(self, size: float, spacing: float = 1.22) -> float:
        """Height of one line as a fraction of the page's height."""
        return size * spacing / 72 / self.fig.get_figheight()

    def _break_word(self, word: str, limit: float, size: float, weight: str) -> list[str]:
        """A word wider than the line, in pieces that fit (each but the last ends with "-").

        Characters are measured one by one (cached: a text has few distinct characters), so a
        15,000-character word costs 15,000 additions, not 15,000 measures of ever longer strings.
        """
        hyphen = self.width("-", size, weight)
        pieces, start, used = [], 0, 0.0
        for i, ch in enumerate(word):
            w = self.width(ch, size, weight)
            if i > start and used + w + hyphen > limit:
                pieces.append(word[start:i] + "-")
                start, used = i, 0.0
            used += w
        pieces.append(word[start:])
        return pieces

    def wrap(self, text: str, width: float, size: float, weight: str = "normal") -> list[str]:
        """Greedy word wrap to `width` (page fraction); a word longer than the line is broken.

        Linear in the text's length: each word is measured once and a line's width is kept as
        the running sum of its words and spaces (issue 21).
        """
        limit = width * SAFETY
        space = self.width(" ", size, weight)
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            current: list[str] = []
            used = 0.0
            for word in paragraph.split():
                w = self.width(word, size, weight)
                if w > limit:
                    if current:
                        lines.append(" ".join(current))
                    *full, word = self._break_word(word, limit, size, weight)
                    lines += full
                    current, used = [], 0.0
                    w = self.width(word, size, weight)
                if current and used + space + w > limit:
                    lines.append(" ".join(current))
                    current, used = [], 0.0
                used += w + (space if current else 0.0)
                current.append(word)
            lines.append(" ".join(current))
        return lines

    def ellipsize(self, line: str, width: float, size: float, weight: str = "normal", suffix: str = "") -> str:
        """`line` shortened at a word so that `line…suffix` fits `width` (linear in its length)."""
        limit = width * SAFETY - self.width(ELLIPSIS + suffix, size, weight)
        space = self.width(" ", size, weight)
        words = line.split()
        kept, used = [], 0.0
        for word in words:
            w = self.width(word, size, weight) + (space if kept else 0.0)
            if used + w > limit:
                break
            kept.append(word)
            used += w
        if not kept and words:  # not even the first word fits: its first characters
            piece = self._break_word(words[0], max(limit, 0.0), size, weight)[0].rstrip("-")
            return (piece if self.width(piece, size, weight) <= limit else "") + ELLIPSIS + suffix
        return " ".join(kept).rstrip(",;:.") + ELLIPSIS + suffix

    def fit_name(self, name: str, width: float, size: float, lines: int = 1, weight: str = "normal") -> list[str]:
        """`name` wrapped to at most `lines` lines of `width`; when it does not fit, shortened with «…»
        and its full name kept for the foot's note (`abbreviated`)."""
        wrapped = self.wrap(name, width, size, weight)
        if len(wrapped) <= lines:
            return wrapped
        wrapped = wrapped[:lines]
        wrapped[-1] = self.ellipsize(wrapped[-1], width, size, weight)
        self.abbreviated[" ".join(wrapped)] = name
        return wrapped

    def text(self, x: float, y: float, s: str, size: float, **kwargs):
        return self.fig.text(x, y, s, fontsize=max(size, MIN_PT), **kwargs)

    def block(self, x: float, top: float, lines: list[str], size: float, spacing: float = 1.22, **kwargs) -> float:
        """Lines from `top` down; returns the y below the last line."""
        if not lines:
            return top
        self.fig.text(x, top, "\n".join(lines), fontsize=max(size, MIN_PT), va="top", linespacing=spacing,
                      **kwargs)
        return top - len(lines) * self.line_height(size, spacing)


@dataclass
class Box:
    """A panel of the page: left, bottom, width, height (page fractions)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h


PAD_X, PAD_Y = 0.008, 0.012


def panel(w: Writer, box: Box, title: str, size: float = 10.5) -> float:
    """The panel's background and heading; returns the y under the heading."""
    w.fig.add_artist(Rectangle((box.x, box.y), box.w, box.h, transform=w.fig.transFigure, facecolor=PANEL_COLOR,
                               edgecolor=PANEL_EDGE, linewidth=0.8, zorder=0))
    w.fig.add_artist(Rectangle((box.x, box.top - 0.004), box.w, 0.004, transform=w.fig.transFigure,
                               facecolor=fmt.ACCENT_COLOR, edgecolor="none", zorder=1))
    for fitted in (size, size - 0.5, size - 1.0):
        lines = w.wrap(title, box.w - 2 * PAD_X, fitted, "bold")
        if len(lines) == 1:
            break
    return w.block(box.x + PAD_X, box.top - PAD_Y, lines, fitted, color=fmt.ACCENT_COLOR, fontweight="bold") - 0.006


def fit_paragraphs(w: Writer, items: list[str], width: float, height: float, sizes=(8.5, 8.0, 7.5, 7.0),
                   bullet: str = "• ", gap: float = 0.35, pointer: str = "") -> tuple[float, list[list[str]], bool]:
    """The largest size at which the paragraphs fit (`width` × `height`); else cut at MIN_PT.

    Returns (size, lines of each paragraph, cut). A cut paragraph ends with "…" and, when
    `pointer` is given, a last line names where the full text is.
    """
    for size in sizes:
        indent = w.width(bullet, size) if bullet else 0.0
        wrapped = [w.wrap(t, width - indent, size) for t in items]
        used = sum(len(p) for p in wrapped) + gap * max(len(wrapped) - 1, 0) + (0 if not pointer else 0)
        if used * w.line_height(size) <= height:
            return size, wrapped, False
    size = sizes[-1]
    indent = w.width(bullet, size) if bullet else 0.0
    budget = int(height / w.line_height(size) - (1 if pointer else 0))
    out: list[list[str]] = []
    left = float(budget)
    for paragraph in wrapped:
        if left < 1:
            break
        take = min(len(paragraph), int(left))
        out.append(paragraph[:take])
        left -= take + gap
        if take < len(paragraph):
            break
    if not out:
        out = [[""]]
    out[-1][-1] = w.ellipsize(out[-1][-1], width - indent, size)
    if pointer:
        out.append([pointer])
    return size, out, True


def draw_paragraphs(w: Writer, x: float, top: float, size: float, paragraphs: list[list[str]],
                    bullet: str = "• ", gap: float = 0.35, pointer: str = "", **kwargs) -> float:
    indent = w.width(bullet, size) if bullet else 0.0
    y = top
    for number, lines in enumerate(paragraphs):
        is_pointer = pointer and number == len(paragraphs) - 1 and lines == [pointer]
        if bullet and not is_pointer:
            w.text(x, y, bullet.strip(), size, va="top", color=fmt.ACCENT_COLOR, fontweight="bold")
        style = dict(kwargs)
        if is_pointer:
            style.update(color=fmt.ACCENT_COLOR, fontstyle="italic")
        y = w.block(x + (indent if not is_pointer else 0), y, lines, size, **style)
        y -= gap * w.line_height(size)
    return y


# --------------------------------------------------------------------------- the panels

def _title_band(w: Writer, view) -> None:
    m = view.metrics
    top, height = 0.985, 0.08
    w.fig.add_artist(Rectangle((0.015, top - height), 0.97, height, transform=w.fig.transFigure,
                               facecolor=fmt.ACCENT_COLOR, edgecolor="none"))
    title = mesa_title(view)
    title_w = 0.58 if m.get("period") else 0.70  # a period's title ('Tercer trimestre … (julio–septiembre)') is longer
    for size in (15, 14, 13, 12, 11):
        lines = w.wrap(title, title_w, size, "bold")
        if len(lines) * w.line_height(size, 1.15) <= height - 0.016:
            break
    else:
        lines = lines[:2]
        lines[-1] = w.ellipsize(lines[-1], title_w, size, "bold")
    mid = top - height / 2
    w.fig.text(0.027, mid, "\n".join(lines), fontsize=size, fontweight="bold", color=theme.color("on-accent"), va="center",
               linespacing=1.15)
    when = fmt.when_label(m)  # a period's title for `periodo:`
    room = 0.975 - 0.027 - title_w - 0.015  # beside the Mesa's name, never over it
    when_size = next((z for z in (14, 13, 12, 11, 10, 9) if w.width(when, z, "bold") <= room * SAFETY), 9)
    w.fig.text(0.975, mid + 0.016, when, fontsize=when_size, fontweight="bold", color=theme.color("on-accent"),
               ha="right", va="center")
    if getattr(view, "is_sample", False):
        w.fig.text(0.975, mid - 0.019, "Datos de ejemplo: cifras y organizaciones ficticias", fontsize=8,
                   ha="right", va="center", color=theme.color("banner-text"), fontweight="bold",
                   bbox={"facecolor": theme.color("banner"), "edgecolor": theme.color("banner-edge"), "boxstyle": "round,pad=0.25"})
    else:
        w.fig.text(0.975, mid - 0.019, "Reporte de situación del periodo" if m.get("period") else
                   "Reporte de situación mensual", fontsize=9, color=theme.color("on-accent"), ha="right",
                   va="center")


def _warnings(w: Writer, view, top: float) -> None:
    """The month's warnings (docs/metodologia.md §7) on one line under the title band: figures that would mislead."""
    found = view.metrics.get("warnings") or []
    if not found:
        return
    codes = ", ".join(str(item.get("code", "")) for item in found)
    text = f"Avisos ({codes}): " + " · ".join(str(item.get("message", "")) for item in found)
    width = 0.95
    if w.width(text, 7.5, "bold") > width * SAFETY:
        text = w.ellipsize(text, width, 7.5, "bold", suffix=" (ver situacion.html)")
    w.text(0.027, top, text, 7.5, va="top", color=theme.color("alert"), fontweight="bold")


def _headline(w: Writer, view, box: Box) -> None:
    catalog, people = view.data.catalog, view.metrics["people_reached"]
    period = bool(view.metrics.get("period"))
    y = panel(w, box, "Población alcanzada en el periodo" if period else "Población alcanzada en el mes de reporte")
    x, inner = box.x + PAD_X, box.w - 2 * PAD_X
    groups = tables.population_order(people["by_population"], catalog)
    per_row = len(groups) if len(groups) <= 4 else 3
    rows = math.ceil(len(groups) / per_row)
    total = fmt.number(people["total"])
    caption = "Personas\nalcanzadas"
    # the headline as large as fits beside its caption (30 pt; smaller with several rows of groups)
    for big in ((30, 26, 22, 18, 16) if rows == 1 else (20, 18, 16)):  # two rows of groups: room for them
        if w.width(total, big, "bold") + 0.008 + w.width("alcanzadas", 10, "bold") <= inner * SAFETY:
            break
    w.text(x, y, total, big, fontweight="bold", color=fmt.ACCENT_COLOR, va="top")
    w.text(x + w.width(total, big, "bold") + 0.008, y - big * 0.24 / 72 / PAGE[1], caption, 10,
           fontweight="bold", color=fmt.ACCENT_COLOR, va="top", linespacing=1.1)
    y -= big * 1.45 / 72 / PAGE[1]
    target = (view.metrics.get("targets") or {}).get("people_reached")
    if target is not None:  # `metas:`: reached against the year's target, year to date («—» for a target of 0)
        said = f"Meta del año: {fmt.reached_against_target(target)}"
        if w.width(said, 8.0, "bold") > inner * SAFETY:
            said = w.ellipsize(said, inner, 8.0, "bold")
        w.text(x, y, said, 8.0, fontweight="bold", va="top")
        y -= w.line_height(8.0) + 0.002
    w.text(x, y, "Por grupo poblacional", 8.5, color=MUTED, va="top", fontweight="bold")
    y -= w.line_height(8.5) + 0.004
    cell = inner / per_row
    row_h = min(0.075, (y - box.y - 0.006) / rows)  # more groups (pendulares, sin desagregar): smaller rows
    label_size = 7.5 if per_row <= 3 and rows == 1 else 7.0
    wanted = min(2, max(len(w.wrap(catalog.population_label(g), cell - 0.012, label_size)) for g in groups))
    for number_size in (15, 13, 11, 10, 9):  # every figure whole in its cell, above its label's lines
        widest = max(w.width(fmt.number(people["by_population"][g]), number_size, "bold") for g in groups)
        if widest <= (cell - 0.012) * SAFETY and \
                number_size * 1.3 / 72 / PAGE[1] + wanted * w.line_height(label_size) + 0.004 <= row_h:
            break
    number_h = number_size * 1.3 / 72 / PAGE[1]
    label_lines = max(1, int((row_h - number_h - 0.004) / w.line_height(label_size)))
    for row in range(rows):
        for col, g in enumerate(groups[row * per_row:(row + 1) * per_row]):
            cx = x + col * cell
            colour = fmt.POPULATION_COLORS.get(g, fmt.ACCENT_COLOR)
            w.fig.add_artist(Rectangle((cx, y - row_h + 0.008), 0.003, row_h - 0.01, transform=w.fig.transFigure,
                                       facecolor=colour, edgecolor="none"))
            w.text(cx + 0.007, y, fmt.number(people["by_population"][g]), number_size, fontweight="bold",
                   color=colour, va="top")
            label = w.fit_name(catalog.population_label(g), cell - 0.012, label_size, label_lines)
            w.block(cx + 0.007, y - number_h, label, label_size)
        y -= row_h


def _sex_age(w: Writer, view, box: Box) -> None:
    catalog, parts = view.data.catalog, view.metrics["by_sex_age"]
    y = panel(w, box, "Por sexo y edad")
    shown = [k for k in catalog.sex_age_ids if k in parts and (parts[k] or not k.startswith("otros"))]
    total = sum(parts.values())
    if not shown or not total:
        w.text(box.x + PAD_X, y, "Sin desagregación por sexo y edad en el mes.", 8, va="top", color=MUTED)
        return
    from .charts import SEX_AGE_COLORS

    label_w = max(w.width(catalog.sex_age[k], 7.5) for k in shown) + 0.006
    values = [parts[k] for k in shown]
    value_w = max(w.width(f" {fmt.number(v)} ({fmt.percent(v / total)})", 7.5) for v in values) + 0.004
    ax = w.fig.add_axes((box.x + PAD_X + label_w, box.y + 0.008, box.w - 2 * PAD_X - label_w - value_w,
                         y - box.y - 0.012))
    ax.barh(range(len(shown)), values, color=[SEX_AGE_COLORS.get(k, fmt.ACCENT_COLOR) for k in shown], height=0.62)
    ax.set_yticks(range(len(shown)), [catalog.sex_age[k] for k in shown], fontsize=7.5)
    ax.invert_yaxis()
    _bare_bars(ax, values)
    for i, value in enumerate(values):
        ax.text(value, i, f" {fmt.number(value)} ({fmt.percent(value / total)})", va="center", fontsize=7.5,
                clip_on=False)


def _bare_bars(ax, values: list) -> None:
    """A bar panel's axes with nothing but the bars and their labels: the values are written at the bars."""
    ax.set_xticks([])
    ax.set_xlim(0, max(values) or 1)
    for spine in ("top", "right", "bottom"):
        ax.spines[spine].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=3)
    ax.set_facecolor("none")


OTHER_GROUPS = "Otros grupos"
TABLE_GROUPS = 4  # population-group columns the one-pager's subgroup table holds; more: «Otros grupos»


def table_groups(groups: list[str], catalog) -> tuple[list[str], list[str]]:
    """(columns, groups merged into «Otros grupos»): the main groups and at most one other get a
    column of their own; with more, the others are added up in one column (the HTML shows each)."""
    if len(groups) <= TABLE_GROUPS:
        return groups, []
    main = [g for g in groups if g in catalog.main_populations]
    return main, [g for g in groups if g not in main]


def _subgroups(w: Writer, view, box: Box) -> None:
    catalog, subgroups = view.data.catalog, view.metrics["subgroups"]
    described = any(sg.description for sg in catalog.subgroups.values())  # the foot's «*Subgrupos:»
    y = panel(w, box, "Respuesta Subgrupos" + ("*" if described else ""))
    x0, width = box.x + PAD_X, box.w - 2 * PAD_X
    if not subgroups:
        w.text(x0, y, "Ningún subgrupo alcanzó personas en el mes.", 8, va="top", color=MUTED)
        return
    groups = tables.groups_shown([f["by_population"] for f in subgroups.values()], catalog)
    columns, merged = table_groups(groups, catalog)
    header = [catalog.population_label(g) for g in columns] + ([OTHER_GROUPS] if merged else []) + ["Total personas"]
    colours = [fmt.POPULATION_COLORS.get(g, fmt.ACCENT_COLOR) for g in columns] + ([MUTED] if merged else []) + \
        [fmt.TOTAL_COLOR]
    rows = [[figure["by_population"].get(g, 0) for g in columns]
            + ([sum(figure["by_population"].get(g, 0) for g in merged)] if merged else []) + [figure["total"]]
            for figure in subgroups.values()]
    labels = [catalog.subgroup_label(sg) for sg in subgroups]
    if merged:
        w.notes.append(f"{OTHER_GROUPS} (Respuesta Subgrupos): "
                       + ", ".join(catalog.population_label(g) for g in merged) + ".")
    for size in (8.0, 7.5, 7.0):
        # each column as wide as its longest header word or number (a header word is never cut)
        cols = [max(max(w.width(word, 7.0) for word in h.split()),
                    max(w.width(fmt.number(r[i]), size, "bold") for r in rows)) + 0.006 for i, h in enumerate(header)]
        name_w = width - sum(cols)
        inline = name_w >= max(w.width(t, size) for t in labels) / 2 + 0.01  # a name on at most two lines
        if inline or size == 7.0:
            break
    if not inline:  # the name on its own line above its figures: the figures take the whole width
        cols = [c + max(width - sum(cols), 0) / len(cols) for c in cols]
        name_w = width - sum(cols)
    rights = [x0 + name_w + sum(cols[:i + 1]) - 0.002 for i in range(len(cols))]
    head_lines = [w.wrap(h, c - 0.004, 7.0)[:3] for h, c in zip(header, cols)]
    depth = max(len(h) for h in head_lines)
    for right, lines, colour in zip(rights, head_lines, colours):
        w.fig.text(right, y, "\n".join(lines), fontsize=7.0, color=colour, ha="right", va="top",
                   linespacing=1.1, multialignment="right")
    y -= depth * w.line_height(7.0, 1.1) + 0.006
    room = y - box.y - 0.006
    line = w.line_height(size, 1.05)
    need = (line + 0.004) if inline else (2 * line + 0.004)  # a row: one line, or a name line + its figures
    shown, more_line = len(rows), 0.0
    if room < shown * need:  # the subgroups with most people, the rest in the HTML
        more_line = w.line_height(7.0)
        shown = max(1, int((room - more_line) / need))
        order = sorted(range(len(rows)), key=lambda i: -rows[i][-1])
        labels, rows = [labels[i] for i in order], [rows[i] for i in order]
        w.notes.append(f"Respuesta Subgrupos: los {fmt.number(shown)} subgrupos con más personas; los "
                       f"{fmt.number(len(rows))} en situacion.html.")
    row_h = min((room - more_line) / shown, 0.032 if inline else 0.04)
    for r, (label, values) in enumerate(list(zip(labels, rows))[:shown]):
        ry = y - r * row_h
        if r % 2 == 0:
            w.fig.add_artist(Rectangle((x0 - 0.003, ry - row_h + 0.002), width + 0.006, row_h,
                                       transform=w.fig.transFigure, facecolor=theme.color("band"), edgecolor="none",
                                       zorder=0.5))
        if inline:
            fit = 2 if row_h >= 2 * line else 1
            lines = w.fit_name(label, name_w - 0.006, size, fit)
            mid = ry - row_h / 2 + 0.002
            w.fig.text(x0, mid, "\n".join(lines), fontsize=size, va="center", linespacing=1.05)
            figures_y, figures_va = mid, "center"
        else:
            lines = w.fit_name(label, width, size, 1)
            w.fig.text(x0, ry - 0.002, lines[0], fontsize=size, va="top", fontweight="bold")
            figures_y, figures_va = ry - 0.002 - line, "top"
        for i, (right, value) in enumerate(zip(rights, values)):
            w.text(right, figures_y, fmt.number(value), size, ha="right", va=figures_va,
                   fontweight="bold" if i == len(values) - 1 else "normal")
    if shown < len(rows):
        w.text(x0, y - shown * row_h - 0.002, f"… y {fmt.number(len(rows) - shown)} más en situacion.html", 7.0,
               va="top", color=MUTED, fontstyle="italic")


def _organizations(w: Writer, view, box: Box) -> None:
    orgs = view.metrics.get("organizations") or {}
    y = panel(w, box, "N° organizaciones por subgrupo")
    counts = orgs.get("by_subgroup") or {}
    members, reporting = orgs.get("members"), orgs.get("reporting")
    side = max(w.width("Miembros de la Mesa", 7.5, "bold"), w.width("Organizaciones", 8, "bold")) + 0.01
    sx = box.x + box.w - side
    if members is not None:
        w.text(sx, y, "Miembros de la Mesa", 7.5, va="top", color=MUTED, fontweight="bold")
        w.text(sx, y - 0.022, fmt.number(members), 22, va="top", fontweight="bold", color=fmt.ACCENT_COLOR)
        w.text(sx, y - 0.062, "Organizaciones", 8, va="top", fontweight="bold", color=fmt.ACCENT_COLOR)
    if reporting is not None:
        said = "organización reportó" if reporting == 1 else "organizaciones reportaron"
        lines = w.wrap(f"{fmt.number(reporting)} {said} en el 5W del {'periodo' if view.metrics.get('period') else 'mes'}", side - 0.006, 7.0)
        w.block(sx, y - (0.085 if members is not None else 0.0), lines, 7.0, color=MUTED)
    if not counts:
        w.text(box.x + PAD_X, y, "Sin organizaciones por subgrupo.", 8, va="top", color=MUTED)
        return
    frame = view.table("organizations_by_subgroup")
    names, values = frame["Subgrupo"].tolist(), [int(v) for v in frame["Organizaciones"]]
    chart_h = y - box.y - 0.012
    capacity = max(1, int(chart_h / (w.line_height(7.5, 1.15) * 1.15)))  # one line per bar at least
    if len(values) > capacity:
        w.notes.append(f"N° organizaciones por subgrupo: los {fmt.number(capacity)} subgrupos con más "
                       f"organizaciones; los {fmt.number(len(values))} en situacion.html.")
        names, values = names[:capacity], values[:capacity]
    two_lines = chart_h / max(len(values), 5) >= 2 * w.line_height(7.5, 1.15)
    value_w = max(w.width(f" {fmt.number(v)}", 7.5, "bold") for v in values) + 0.004
    most = (box.w - 2 * PAD_X - side - 0.02 - value_w) * 0.6  # the names take at most 60 % of the chart's width
    lines = [w.fit_name(t, most, 7.5, 2 if two_lines else 1) for t in names]
    labels = ["\n".join(t) for t in lines]
    label_w = max(w.width(line, 7.5) for t in lines for line in t) + 0.006
    ax = w.fig.add_axes((box.x + PAD_X + label_w, box.y + 0.008,
                         box.w - 2 * PAD_X - label_w - side - 0.02 - value_w, chart_h))
    ax.barh(range(len(values)), values, color=fmt.ACCENT_COLOR, height=0.6)
    ax.set_yticks(range(len(values)), labels, fontsize=7.5, linespacing=1.0)
    ax.set_ylim(max(len(values), 5) - 0.5, -0.5)  # top down; a few bars stay thin
    _bare_bars(ax, values)
    for i, value in enumerate(values):
        ax.text(value, i, f" {fmt.number(value)}", va="center", fontsize=7.5, fontweight="bold", clip_on=False)


def key_figure_items(view) -> list[tuple[str, int]]:
    """(label, value) of each key figure of the month, labels from the catalog."""
    catalog = view.data.catalog
    return [(catalog.key_figures[k].label if k in catalog.key_figures else k, v)
            for k, v in (view.metrics.get("key_figures") or {}).items()]


def _key_figures(w: Writer, view, box: Box) -> None:
    y = panel(w, box, "Principales actividades")
    items = key_figure_items(view)
    if not items:
        w.text(box.x + PAD_X, y, "Sin cifras clave definidas.", 8, va="top", color=MUTED)
        return
    cols = 2 if len(items) <= 10 else 3
    rows = math.ceil(len(items) / cols)
    cell_w = (box.w - 2 * PAD_X) / cols
    cell_h = (y - box.y - 0.008) / rows
    value_size = max(9.0, min(16.0, cell_h * PAGE[1] * 72 * 0.36))
    widest = max(w.width(fmt.number(v), value_size, "bold") for _, v in items)
    if widest > (cell_w - 0.012) * SAFETY:  # a long figure: smaller, never into the next column
        value_size = max(MIN_PT, value_size * (cell_w - 0.012) * SAFETY / widest)
    label_size = 7.5 if cell_h * PAGE[1] * 72 > 40 else 7.0
    for i, (label, value) in enumerate(items):
        col, row = i % cols, i // cols
        cx, cy = box.x + PAD_X + col * cell_w, y - row * cell_h
        w.fig.add_artist(Rectangle((cx, cy - cell_h + 0.004), 0.0025, cell_h - 0.006, transform=w.fig.transFigure,
                                   facecolor=fmt.ACCENT_COLOR, edgecolor="none"))
        w.text(cx + 0.006, cy, fmt.number(value), value_size, fontweight="bold", color=fmt.ACCENT_COLOR, va="top")
        room = cell_h - value_size * 1.25 / 72 / PAGE[1] - 0.004
        fit = max(1, int(room / w.line_height(label_size, 1.12)))
        lines = w.fit_name(label, cell_w - 0.012, label_size, fit)
        w.block(cx + 0.006, cy - value_size * 1.25 / 72 / PAGE[1], lines, label_size, spacing=1.12)


def _by_month(w: Writer, view, box: Box) -> None:
    """A period's months (`periodo:`), each its own new beneficiaries: what the period's headline adds up."""
    y = panel(w, box, "Mes a mes (nuevos beneficiarios; el periodo es su suma)")
    items = [f"{fmt.month_label(month)}: {fmt.number(value) if value is not None else fmt.MISSING}"
             for month, value in view.metrics["by_month"].items()]
    cols = 1 if len(items) <= 3 else 3  # a half or a year: its months in three columns
    per_col = math.ceil(len(items) / cols)
    width, height = (box.w - 2 * PAD_X) / cols, y - box.y - 0.008
    chunks = [items[i:i + per_col] for i in range(0, len(items), per_col)]
    size = min(fit_paragraphs(w, chunk, width, height, gap=0.1)[0] for chunk in chunks)
    for i, chunk in enumerate(chunks):
        _, paragraphs, _ = fit_paragraphs(w, chunk, width, height, sizes=(size,), gap=0.1)
        draw_paragraphs(w, box.x + PAD_X + i * width, y, size, paragraphs, gap=0.1)


def _highlights(w: Writer, view, box: Box) -> bool:
    """The month's highlights, wrapped; cut with "…" and a pointer to destacados.html. Returns cut.
    A period has no highlights page: its panel lists the months instead (`_by_month`)."""
    if view.metrics.get("period"):
        _by_month(w, view, box)
        return False
    y = panel(w, box, "Destacados del mes")
    items = narrative.fill_highlights(view.params.highlights, view.metrics, view.params.source)
    if not items:
        w.text(box.x + PAD_X, y, "Sin destacados para este mes.", 8, va="top", color=MUTED)
        return False
    width, height = box.w - 2 * PAD_X, y - box.y - 0.008
    size, paragraphs, cut = fit_paragraphs(w, items, width, height, pointer=MORE_HIGHLIGHTS)
    draw_paragraphs(w, box.x + PAD_X, y, size, paragraphs, pointer=MORE_HIGHLIGHTS if cut else "")
    return cut


def _map(w: Writer, view, box: Box, data) -> None:
    y = panel(w, box, f"Personas alcanzadas por {data.area[0]}")
    note = maps.unmatched_text(data)
    note_lines = w.wrap(note, box.w - 2 * PAD_X, 7.0) if note else []
    if len(note_lines) > 2:  # the full list is under the map of situacion.html
        note_lines = [note_lines[0], w.ellipsize(note_lines[1], box.w - 2 * PAD_X, 7.0)]
    bottom = box.y + 0.006 + len(note_lines) * w.line_height(7.0)
    # the map at the left, its figures at the right (names on a small map would overlap)
    listed = sorted(((a.name.title(), data.people[a.key], data.colour(a.key)) for a in data.boundaries.areas
                     if data.people.get(a.key)), key=lambda item: -item[1])[:8]  # only units with people
    list_w = max(w.width(f"{n} {fmt.number(v)}", 7.5) for n, v, _ in listed) + 0.02
    ax = w.fig.add_axes((box.x + PAD_X, bottom, box.w - 2 * PAD_X - list_w, y - bottom - 0.004))
    maps.draw(ax, data, fontsize=7.0, labels=False, colorbar=False)
    lx, ly = box.x + box.w - PAD_X - list_w + 0.008, y - 0.004
    for name, value, colour in listed:
        w.fig.add_artist(Rectangle((lx, ly - 0.016), 0.008, 0.012, transform=w.fig.transFigure, facecolor=colour,
                                   edgecolor=theme.color("rule"), linewidth=0.4))
        w.text(lx + 0.011, ly - 0.01, f"{name} {fmt.number(value)}", 7.5, va="center")
        ly -= 0.021
    if note_lines:
        w.block(box.x + PAD_X, bottom - 0.002, note_lines, 7.0, color=MUTED)


def _foot(w: Writer, view, box: Box) -> None:
    catalog, m = view.data.catalog, view.metrics
    x, width = box.x, box.w
    described = [sg for sg in catalog.subgroups.values() if sg.description]
    descriptions = ("*Subgrupos: " + " ".join(f"{sg.label}: {sg.description}" for sg in described)) if described else ""
    shown = tables.population_order(m["people_reached"]["by_population"], catalog)
    definitions = "Nota: " + ", ".join(
        f"{catalog.population_label(g)} = "
        f"{(catalog.unsplit if g == SIN_DESAGREGAR else catalog.populations[g])['definicion'].rstrip('.')}"
        for g in shown) + "."
    source = m.get("source") or {}
    made = m.get("generated_by") or {}
    dedup = m.get("dedup") or {}
    origin = (f"Fuente: 5W de R4V, archivo {source.get('file', '')}; base «{m.get('basis', '')}», método "
              f"«{dedup.get('method', '')}», nivel «{dedup.get('level', '')}». "
              f"{made.get('kit', 'mdrm')} {made.get('version', '')}. Detalle en situacion.html"
              f"{'' if m.get('period') else ' y destacados.html'}.")
    said = descriptions + definitions
    full = [f"«{short}» = {name}" for short, name in w.abbreviated.items() if name not in said]
    shortened = ("Nombres abreviados: " + "; ".join(full) + ".") if full else ""
    items = [t for t in (descriptions, definitions, shortened, " ".join(w.notes), origin) if t]
    size, paragraphs, _ = fit_paragraphs(w, items, width, box.h, sizes=(7.5, 7.0),
                                         bullet="", gap=0.2)
    draw_paragraphs(w, x, box.top, size, paragraphs, bullet="", gap=0.2, color=MUTED)


# --------------------------------------------------------------------------- the page

def draw(view) -> Figure:
    """The one-page dashboard of the month (a Figure not managed by pyplot)."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=PAGE, dpi=MEASURE_DPI, facecolor=theme.color("on-accent"))
        w = Writer(fig)
        _title_band(w, view)
        _warnings(w, view, 0.902)
        c1, c2, c3 = Box(0.015, 0, 0.285, 0), Box(0.31, 0, 0.36, 0), Box(0.68, 0, 0.305, 0)
        top, mid, low, foot = 0.885, 0.625, 0.395, 0.185
        _headline(w, view, Box(c1.x, mid + 0.01, c1.w, top - mid - 0.01))
        _sex_age(w, view, Box(c1.x, low + 0.01, c1.w, mid - low - 0.01))
        _subgroups(w, view, Box(c2.x, mid + 0.01, c2.w, top - mid - 0.01))
        _organizations(w, view, Box(c2.x, low + 0.01, c2.w, mid - low - 0.01))
        _key_figures(w, view, Box(c3.x, low + 0.01, c3.w, top - low - 0.01))
        # a period has no map: the provinces' figures are a month's (its months are listed instead)
        with_map = not view.metrics.get("period") and (maps.one_peruvian_admin1(view)
                                                       or view.params.boundaries_path is not None)
        data = maps.map_data(view) if with_map else None
        if data is not None and data.people:
            _highlights(w, view, Box(c1.x, foot + 0.01, c2.x + c2.w - c1.x, low - foot - 0.01))
            _map(w, view, Box(c3.x, foot + 0.01, c3.w, low - foot - 0.01), data)
        else:
            _highlights(w, view, Box(c1.x, foot + 0.01, c3.x + c3.w - c1.x, low - foot - 0.01))
        _foot(w, view, Box(0.015, 0.012, 0.97, foot - 0.012 - 0.006))
    return fig


def write(view, folder: str | Path) -> list[Path]:
    """tablero.pdf and tablero.png (150 dpi) of the month into `folder` (the staging folder)."""
    folder = Path(folder)
    fig = draw(view)
    for text in fig.findobj(matplotlib.text.Text):  # every text of the page, tick labels too:
        text.set_text(shown(text.get_text()))  # no right-to-left override turns it around
    title = shown(f"{mesa_title(view)} — {fmt.when_label(view.metrics)}")
    pdf, png = folder / FILES[0], folder / FILES[1]
    with matplotlib.rc_context(RC):
        fig.savefig(pdf, format="pdf", metadata={"Title": title, "Creator": "mdrm", "Subject": "Tablero del mes"})
        fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Title": title})
    return [pdf, png]


def link_html() -> str:
    """The report's link to the month's one-pager (same folder)."""
    return render("tablero_link.html.j2")
