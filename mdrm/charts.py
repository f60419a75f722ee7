"""The report's charts: seaborn, one house style, Spanish labels.

Each function takes the month's view (`mdrm.view.MonthView`), draws from the
same tables as the report (`mdrm.tables`, so a chart and its table agree) and
returns the matplotlib Figure, created through pyplot; the notebook shows it with
`show(view, chart_id)`, which gives the image its Spanish alternative text (`alt_text`: the
chart's caption and its figures, from the same table; without it nbconvert would write «No
description has been provided for this image»). Titles say what and when ("… — septiembre de 2020");
the population groups keep one colour everywhere (`formatting.POPULATION_COLORS`); every
colour comes from the theme file (`mdrm.theme`, templates/mdrm/theme.css);
numbers on bars and axes are written by `mdrm.formatting` ("2,953").
"""
from __future__ import annotations

import io
from contextlib import contextmanager

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import formatting as fmt
from . import tables, theme
from .months import months_to_date
from .scope import area_label

# House style: light grid, no top/right spines, left-aligned bold titles.
# `text.parse_math` off: a "$" in a province or organization name is text, not TeX.
STYLE = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 14,
    "axes.labelsize": 10,
    "axes.edgecolor": theme.color("rule"),
    "grid.color": theme.color("grid"),
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
    "text.color": fmt.TOTAL_COLOR,
    "axes.labelcolor": fmt.TOTAL_COLOR,
    "xtick.color": theme.color("subtle"),
    "ytick.color": fmt.TOTAL_COLOR,
    "text.parse_math": False,
}
DPI = 110
WIDTH = 9.0
SEX_AGE_COLORS = {"ninas": theme.color("female"), "mujeres": theme.color("female"), "ninos": theme.color("male"),
                  "hombres": theme.color("male"), "otros_menores": theme.color("other-sex"),
                  "otros_adultos": theme.color("other-sex")}


@contextmanager
def house_style():
    """The kit's chart style, for the figures drawn inside the block only."""
    with sns.axes_style("whitegrid", rc=STYLE), plt.rc_context(STYLE):
        yield


def _figure(height: float) -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    return fig, ax


def number_axis(axis, nbins: int = 6) -> None:
    """An axis' ticks as Spanish integers ("14,000"), at most `nbins` of them."""
    axis.set_major_formatter(FuncFormatter(lambda x, _: fmt.number(x)))
    axis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))


def _label_bars(ax, skip_zero: bool = True, total: float | None = None) -> None:
    """Each bar's value in Spanish format at its end (and its share of `total` when given)."""
    for container in ax.containers:
        labels = []
        for value in container.datavalues:
            if skip_zero and not value:
                labels.append("")
            elif total:
                labels.append(f"{fmt.number(value)} ({fmt.percent(value / total)})")
            else:
                labels.append(fmt.number(value))
        ax.bar_label(container, labels=labels, padding=3, fontsize=9, color=fmt.TOTAL_COLOR)
    ax.margins(x=0.14)


def _group_palette(view, groups: list[str]) -> dict[str, str]:
    catalog = view.data.catalog
    return {catalog.population_label(g): fmt.POPULATION_COLORS.get(g, fmt.ACCENT_COLOR) for g in groups}


def _legend(ax, entries: int) -> float:
    """Legend above the plot (up to 3 entries) or at its right; returns the title's pad."""
    if entries <= 3:
        sns.move_legend(ax, "lower left", bbox_to_anchor=(0, 1.0), ncol=entries, title=None, frameon=False,
                        borderaxespad=0.2, handlelength=1.2, columnspacing=1.4)
        return 30
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), ncol=1, title=None, frameon=False)
    return 14


EMPTY = "Sin datos que mostrar en este mes"


def _empty(ax, title: str, text: str = EMPTY) -> None:
    """A chart with nothing to draw says so instead of failing."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center",
            fontsize=11, color=theme.color("muted"), transform=ax.transAxes)
    ax.set_title(title)


def population(view) -> Figure:
    """People reached in the month by population group (bars with value and share)."""
    catalog, people = view.data.catalog, view.metrics["people_reached"]
    groups = tables.population_order(people["by_population"], catalog)
    data = pd.DataFrame({"Grupo": [catalog.population_label(g) for g in groups],
                         "Personas": [people["by_population"][g] for g in groups]})
    total = people["total"]
    with house_style():
        fig, ax = _figure(0.75 + 0.55 * len(groups))
        sns.barplot(data=data, y="Grupo", x="Personas", hue="Grupo", palette=_group_palette(view, groups),
                    legend=False, ax=ax, width=0.65, saturation=1)
        _label_bars(ax, skip_zero=False, total=total)
        number_axis(ax.xaxis)
        ax.set(xlabel="Personas alcanzadas", ylabel="")
        ax.set_title(f"Población alcanzada por grupo poblacional — {fmt.when_label(view.metrics)}\n"
                     f"Total: {fmt.people(total)}", fontsize=12.5)
    return fig


def sex_age(view) -> Figure:
    """People reached by sex and age (the headline apportioned)."""
    catalog, parts = view.data.catalog, view.metrics["by_sex_age"]
    shown = [k for k in catalog.sex_age_ids if k in parts and (parts[k] or not k.startswith("otros"))]
    data = pd.DataFrame({"Sexo y edad": [catalog.sex_age[k] for k in shown], "Personas": [parts[k] for k in shown]})
    total = sum(parts.values())
    palette = {catalog.sex_age[k]: SEX_AGE_COLORS.get(k, fmt.ACCENT_COLOR) for k in shown}
    with house_style():
        fig, ax = _figure(0.75 + 0.5 * len(shown))
        sns.barplot(data=data, y="Sexo y edad", x="Personas", hue="Sexo y edad", palette=palette, legend=False,
                    ax=ax, width=0.65, saturation=1)
        _label_bars(ax, skip_zero=False, total=total)
        number_axis(ax.xaxis)
        ax.set(xlabel="Personas alcanzadas", ylabel="")
        ax.set_title(f"Población alcanzada por sexo y edad — {fmt.when_label(view.metrics)}")
    return fig


def _long_by_group(frame: pd.DataFrame, key: str, total: str) -> tuple[pd.DataFrame, list[str]]:
    """Wide table (one column per group) -> long; each category is named with its total."""
    labels = [c for c in frame.columns if c not in (key, total)]
    frame = frame.assign(**{key: [f"{k} ({fmt.number(t)})" for k, t in zip(frame[key], frame[total])]})
    long = frame.melt(id_vars=[key], value_vars=labels, var_name="Grupo", value_name="Personas")
    long["Personas"] = long["Personas"].astype("float64")
    return long, labels


def _grouped_bars(view, frame, category: str, total: str, title: str, xlabel: str, row_height: float) -> Figure:
    """Horizontal bars per category (named with its total), one bar per population group."""
    catalog = view.data.catalog
    long, labels = _long_by_group(frame, category, total)
    groups = [g for g in tables.population_order(catalog.population_ids + ["sin_desagregar"], catalog)
              if catalog.population_label(g) in labels]
    with house_style():
        fig, ax = _figure(1.2 + row_height * max(len(frame), 1) * max(1, len(labels)) / 3)
        if frame.empty:
            _empty(ax, title)
            return fig
        sns.barplot(data=long, y=category, x="Personas", hue="Grupo", hue_order=labels,
                    palette=_group_palette(view, groups), ax=ax, width=0.8, saturation=1)
        _label_bars(ax)
        number_axis(ax.xaxis)
        ax.set(xlabel=xlabel, ylabel="")
        pad = _legend(ax, len(labels))
        ax.set_title(title, pad=pad)
    return fig


def subgroup_population(view) -> Figure:
    """Response by subgroup and population group (grouped bars)."""
    return _grouped_bars(view, view.table("subgroup_population"), "Subgrupo", "Total personas",
                         f"Respuesta por subgrupo y grupo poblacional — {fmt.when_label(view.metrics)}",
                         "Personas (una persona puede estar en varios subgrupos)", 0.62)


def organizations(view) -> Figure:
    """N° of organizations per subgroup."""
    frame = view.table("organizations_by_subgroup")
    frame = frame.assign(Organizaciones=frame["Organizaciones"].astype("float64"))
    title = f"Organizaciones por subgrupo — {fmt.when_label(view.metrics)}"
    with house_style():
        fig, ax = _figure(0.75 + 0.45 * max(len(frame), 1))
        bars(ax, frame, "Subgrupo", "Organizaciones", title)
    return fig


def bars(ax, frame: pd.DataFrame, category: str, value: str, title: str, empty: str = EMPTY, nbins: int = 6,
         longest: int | None = None) -> None:
    """Horizontal bars in the accent colour, one per row of `frame`, each with its value at its end.

    `longest`: category names longer than this many characters are cut with «…». Without rows, the
    chart says `empty`. The report's organizations chart and the exploration's bars (mdrm.explore).
    """
    if frame.empty:
        _empty(ax, title, empty)
        return
    if longest is not None:
        frame = frame.assign(**{category: [s if len(s) <= longest else s[:longest - 1] + "…"
                                           for s in frame[category].astype(str)]})
    sns.barplot(data=frame, y=category, x=value, color=fmt.ACCENT_COLOR, ax=ax, width=0.6, saturation=1)
    _label_bars(ax, skip_zero=False)
    number_axis(ax.xaxis, nbins)
    ax.set(xlabel=value, ylabel="")
    ax.set_title(title)


def png(fig, dpi: int = DPI) -> bytes:
    """A Figure as PNG bytes (the exploration's widgets show them)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def trend(view) -> Figure:
    """People reached per month, January to the report's month, by population group and total."""
    catalog, month = view.data.catalog, view.metrics["month"]
    table = view.table("trend")  # January to the month; a month without rows is empty
    order = months_to_date(month)
    labels = [c for c in table.columns if c not in ("Mes", tables.TOTAL)]
    groups = [g for g in tables.population_order(catalog.population_ids + ["sin_desagregar"], catalog)
              if catalog.population_label(g) in labels]
    long = table.assign(Mes=range(len(order))).melt(id_vars="Mes", value_vars=[*labels, tables.TOTAL],
                                                     var_name="Grupo", value_name="Personas")
    data = long.dropna(subset=["Personas"]).astype({"Personas": "float64"})  # no rows: a gap, not a zero
    totals = dict(zip(order, table[tables.TOTAL]))
    palette = {**_group_palette(view, groups), tables.TOTAL: fmt.TOTAL_COLOR}
    with house_style():
        fig, ax = _figure(4.2)
        sns.lineplot(data=data, x="Mes", y="Personas", hue="Grupo", hue_order=[*palette], palette=palette,
                     style="Grupo", style_order=[*palette], dashes=False, markers=True, markersize=6,
                     linewidth=2, ax=ax)
        ax.set_xticks(range(len(order)), [fmt.month_short(m) for m in order])
        ax.set_xlim(-0.4, len(order) - 0.6)
        current = totals.get(month)
        if not pd.isna(current):
            ax.annotate(fmt.number(current), (order.index(month), current),
                        textcoords="offset points", xytext=(0, 8), ha="center", fontsize=9.5, fontweight="bold")
        number_axis(ax.yaxis)
        ax.set_ylim(bottom=0)
        ax.set(xlabel="", ylabel="Personas alcanzadas")
        pad = _legend(ax, len(palette))
        ax.set_title(f"Personas alcanzadas por mes — {fmt.month_range(order[0], month)}", pad=pad)
    return fig


def provinces(view) -> Figure:
    """People reached per province (admin2) by population group; per admin1 in a multi-region report."""
    frame = view.table("provinces").iloc[:-1]  # the last row is the region's total
    area = area_label(view.params)
    return _grouped_bars(view, frame, area, tables.TOTAL,
                         f"Personas alcanzadas por {area.lower()} — {fmt.when_label(view.metrics)}",
                         "Personas alcanzadas", 0.55)

CHARTS = {  # the report table each chart draws (its record's id in mdrm.tables) -> the chart
    "population": population,
    "sex_age": sex_age,
    "subgroup_population": subgroup_population,
    "organizations_by_subgroup": organizations,
    "trend": trend,
    "provinces": provinces,
}


# The column of each chart's table whose figures the alternative text reads (the first column names them).
ALT_VALUES = {"population": "Personas", "sex_age": "Personas", "subgroup_population": "Total personas",
              "organizations_by_subgroup": "Organizaciones", "trend": tables.TOTAL, "provinces": tables.TOTAL}


def alt_text(view, chart_id: str) -> str:
    """The Spanish alternative text of a chart: what it shows and its figures, from its report table
    («Gráfico: Población alcanzada por grupo poblacional — septiembre de 2020. RyM en Permanencia 686; …»)."""
    record = tables.record(chart_id)
    frame = view.table(chart_id)
    column = ALT_VALUES[chart_id]
    parts = [f"{name} {'sin datos' if pd.isna(value) else fmt.number(value)}"
             for name, value in zip(frame.iloc[:, 0], frame[column])]
    return f"Gráfico: {record.caption(view)}." + (f" {'; '.join(parts)}." if parts else " Sin datos.")


def show(view, chart_id: str) -> None:
    """Draw the chart of `chart_id` (CHARTS) and display it in the notebook with its alternative text."""
    from IPython.display import display

    fig = CHARTS[chart_id](view)
    display(fig, metadata={"image/png": {"alt": alt_text(view, chart_id)}})
    plt.close(fig)

