"""The report's charts (mdrm.charts): matplotlib figures, Spanish titles with the month, house colours."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from conftest import ROOT
from mdrm import charts
from mdrm import formatting as fmt
from mdrm.view import load_view

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"

TITLES = {
    "population": "Población alcanzada por grupo poblacional — septiembre de 2020",
    "sex_age": "Población alcanzada por sexo y edad — septiembre de 2020",
    "subgroup_population": "Respuesta por subgrupo y grupo poblacional — septiembre de 2020",
    "organizations": "Organizaciones por subgrupo — septiembre de 2020",
    "trend": "Personas alcanzadas por mes — enero a septiembre de 2020",
    "provinces": "Personas alcanzadas por provincia — septiembre de 2020",
}


@pytest.fixture(scope="module")
def september():
    return load_view(SEPTEMBER)


@pytest.fixture
def draw(september):
    made = []

    def run(name):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no warning may reach the report
            fig = getattr(charts, name)(september)
        made.append(fig)
        return fig

    yield run
    for fig in made:
        plt.close(fig)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


@pytest.mark.parametrize("name", list(TITLES))
def test_chart_is_a_figure_with_a_spanish_title_saying_what_and_when(draw, name):
    fig = draw(name)
    assert isinstance(fig, Figure)
    title = fig.axes[0].get_title(loc="left")
    assert title.startswith(TITLES[name])
    assert "setiembre" not in title


def test_every_chart_is_registered():
    from mdrm.tables import record

    assert {f.__name__ for f in charts.CHARTS.values()} == set(TITLES)
    assert all(record(table).id == table for table in charts.CHARTS)  # each draws a report table, by its id


def test_population_chart_values_shares_and_house_colours(draw):
    fig = draw("population")
    texts = _texts(fig)
    assert "2,198 (74.4%)" in texts and "686 (23.2%)" in texts and "69 (2.3%)" in texts
    assert "Total: 2,953 personas" in fig.axes[0].get_title(loc="left")
    bars = fig.axes[0].patches
    colours = [mcolors.to_hex(b.get_facecolor()) for b in bars]
    assert colours == [fmt.POPULATION_COLORS[g] for g in ("permanencia", "acogida", "transito")]
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "1,000" in ticks and "2,000" in ticks  # Spanish thousands on the axis


def test_subgroup_chart_carries_the_seed_numbers_and_the_legend(draw):
    fig = draw("subgroup_population")
    texts = _texts(fig)
    for value in ("811", "34", "2,601", "496", "59", "289", "58", "271", "142", "7", "54"):
        assert value in texts
    assert "Necesidades básicas (3,446)" in texts
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["RyM en Permanencia", "Comunidad de Acogida", "RyM en Tránsito"]
    by_label = {t.get_text(): mcolors.to_hex(h.get_facecolor())
                for t, h in zip(fig.axes[0].get_legend().get_texts(), fig.axes[0].get_legend().legend_handles)}
    assert by_label["RyM en Tránsito"] == fmt.POPULATION_COLORS["transito"]


def test_trend_chart_marks_the_month(draw):
    fig = draw("trend")
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept"]
    assert "2,953" in _texts(fig)


def test_organizations_chart_counts(draw):
    fig = draw("organizations")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][:2] == ["Protección", "Necesidades básicas"]
    assert "12" in _texts(fig)


def test_dollar_signs_in_names_are_text_not_math(five_w, month_params):
    # A "$" in a province name must not start matplotlib's math mode: "$\\frac$" would fail to draw.
    view = load_view(month_params(five_w([{"total_monthly": 3, "new_beneficiaries": 3, "permanencia": 3,
                                            "admin2": "Prov $\\frac$ norte"}]),
                                  deduplicacion={"metodo": "maximo", "nivel": "admin2"}))
    fig = charts.provinces(view)
    try:
        fig.canvas.draw()
        assert "Prov $\\frac$ norte (3)" in _texts(fig)
    finally:
        plt.close(fig)


def test_a_month_without_people_still_draws_every_chart(five_w, month_params):
    # Only a non-RMRP row: no subgroup, no province with people. Each chart says so, none fails.
    view = load_view(month_params(five_w([{"total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5,
                                            "rmrp_activity": "No"}])))
    for name, title in TITLES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = getattr(charts, name)(view)
        try:
            assert fig.axes[0].get_title(loc="left").startswith(title)
        finally:
            plt.close(fig)
    fig = charts.subgroup_population(view)
    try:
        assert "Sin datos que mostrar en este mes" in _texts(fig)
    finally:
        plt.close(fig)
