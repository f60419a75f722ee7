"""The Mesa's rows (README.md, «Alcance: país, regiones y reporte nacional»): country + admin1 scope, national and multi-region reports,
the dedup unit country + admin1 (+ admin2), and the region-not-found suggestions.
Every figure below is worked by hand in the comments."""
from __future__ import annotations

import pytest

from conftest import metrics_exit_2
from mdrm.errors import InputError
from mdrm.explore import load_exploration
from mdrm.metrics import compute, headline_by_province, load_month
from mdrm.params import load_params


def p(people: dict, **cells) -> dict:
    """A row whose monthly total and new beneficiaries are the sum of its population split."""
    total = sum(people.values())
    return {"total_monthly": total, "new_beneficiaries": total, **people, **cells}


exit_2 = metrics_exit_2


# Amazonas is an admin1 of Brazil and of Colombia.
AMAZONAS = [
    # Brazil: Shelter 100 and Health 60 in destination -> max 100.
    p({"permanencia": 100}, country="Brazil", admin1="Amazonas", admin2="Manaus", sector="Shelter"),
    p({"permanencia": 60}, country="Brazil", admin1="Amazonas", admin2="Manaus", sector="Health"),
    # Colombia: Food Security 30, Shelter 40 + 10 in transit -> 40 in destination + 10 in transit = 50.
    p({"permanencia": 30}, country="Colombia", admin1="Amazonas", admin2="Leticia", sector="Food Security"),
    p({"permanencia": 40, "transito": 10}, country="Colombia", admin1="Amazonas", admin2="Leticia",
      sector="Shelter"),
    p({"permanencia": 7}, country="Colombia", admin1="Antioquia", admin2="Medellín", sector="Shelter"),
]


def test_same_admin1_in_two_countries_without_pais_is_an_error_naming_both(five_w, month_params, capsys,
                                                                          tmp_path):
    params = month_params(five_w(AMAZONAS), region="Amazonas")
    err = exit_2(capsys, params, tmp_path, "«Amazonas»", "Brasil", "Colombia", "pais", "5w.csv", "País Admin1")
    assert "fila 4" in err  # the first row of the second country (header = row 1)


def test_same_admin1_each_country_with_pais(five_w, month_params):
    data = five_w(AMAZONAS)
    brazil = compute(load_month(load_params(month_params(data, region="Amazonas", pais="Brasil"))))
    assert brazil["people_reached"]["total"] == 100
    assert brazil["people_reached"]["by_population"]["permanencia"] == 100
    assert brazil["rows"]["read"] == 2
    colombia = compute(load_month(load_params(month_params(data, region="Amazonas", pais="Colombia"))))
    assert colombia["people_reached"]["by_population"] == {"permanencia": 40, "transito": 10, "acogida": 0}
    assert colombia["people_reached"]["total"] == 50
    assert colombia["rows"]["read"] == 2
    # merged (the old behaviour) it would be Shelter 140 + 10 = 150


def test_an_admin1_of_one_country_needs_no_pais(five_w, month_params):
    data = five_w(AMAZONAS)
    metrics = compute(load_month(load_params(month_params(data, region="Antioquia"))))
    assert (metrics["people_reached"]["total"], metrics["rows"]["read"]) == (7, 1)


def test_pais_without_rows_of_that_country(five_w, month_params, capsys, tmp_path):
    params = month_params(five_w(AMAZONAS), region="Amazonas", pais="Perú")
    exit_2(capsys, params, tmp_path, "Perú", "Países en el archivo", "«Brasil»", "«Colombia»")


def test_exploration_uses_the_same_rows(five_w, month_params):
    data = five_w(AMAZONAS)
    ex = load_exploration(month_params(data, region="Amazonas", pais="Colombia"))
    assert sorted(ex.rows["admin2"].astype(str)) == ["Leticia", "Leticia"]
    with pytest.raises(InputError, match="varios países"):
        load_exploration(month_params(data, region="Amazonas"))


# Peru, four admin1s, plus a row of Ecuador that no Peru report may count.
PERU = [
    p({"permanencia": 100}, country="Perú", admin1="Lima", admin2="Lima", sector="Shelter"),
    p({"permanencia": 70, "acogida": 20}, country="Perú", admin1="Lima", admin2="Lima", sector="Health"),
    p({"permanencia": 10}, country="Perú", admin1="Lima", admin2="", sector="Health"),
    p({"permanencia": 50}, country="Peru", admin1="Callao", admin2="Callao", sector="Shelter"),
    p({"permanencia": 80}, country="Peru", admin1="Callao", admin2="Callao", sector="Education"),
    p({"permanencia": 5}, country="Peru", admin1="Callao", admin2="", sector="Education"),
    p({"transito": 30}, country="Peru", admin1="Tacna", admin2="Tacna", sector="Health"),
    p({"permanencia": 999}, country="Ecuador", admin1="Pichincha", admin2="Quito", sector="Shelter"),
]
# Level admin1 (R4V's national rule: Σ over admin1 of the max over sectors):
#   Lima:   Shelter 100 | Health 70 + 10 = 80 in destination, 20 host -> 100 + 20
#   Callao: Shelter 50  | Education 80 + 5 = 85                       -> 85
#   Tacna:  Health 30 in transit                                      -> 30
# Level admin2 (blank admin2 = one unit "(sin dato)" within its admin1):
#   Lima/Lima max(100, 70) = 100 + host 20; Lima/(sin dato) 10; Callao/Callao max(50, 80) = 80;
#   Callao/(sin dato) 5 (one "(sin dato)" across admin1s would give max(Health 10, Education 5) = 10);
#   Tacna/Tacna 30 in transit.


@pytest.mark.parametrize("level, expected", [
    ("admin1", {"permanencia": 185, "transito": 30, "acogida": 20}),
    ("admin2", {"permanencia": 195, "transito": 30, "acogida": 20}),
])
def test_national_report(five_w, month_params, level, expected):
    params = load_params(month_params(five_w(PERU), region=None, pais="Peru",
                                      deduplicacion={"metodo": "maximo", "nivel": level}))
    metrics = compute(load_month(params))
    assert metrics["people_reached"]["by_population"] == expected
    assert metrics["people_reached"]["total"] == sum(expected.values())
    assert metrics["rows"]["read"] == 7  # not Ecuador's row
    assert metrics["region"] == "Perú"


@pytest.mark.parametrize("level, expected", [
    ("admin1", {"permanencia": 185, "transito": 0, "acogida": 20}),
    ("admin2", {"permanencia": 195, "transito": 0, "acogida": 20}),
])
def test_two_region_report(five_w, month_params, level, expected):
    params = load_params(month_params(five_w(PERU), region=["Lima", "Callao"],
                                      deduplicacion={"metodo": "maximo", "nivel": level}))
    metrics = compute(load_month(params))
    assert metrics["people_reached"]["by_population"] == expected
    assert metrics["people_reached"]["total"] == sum(expected.values())
    assert (metrics["rows"]["read"], metrics["region"]) == (6, "Lima y Callao")


def test_national_breakdown_is_by_admin1_and_adds_up(five_w, month_params):
    params = load_params(month_params(five_w(PERU), region=None, pais="Perú"))
    table, adds_up = headline_by_province(load_month(params))
    assert adds_up
    assert list(table.index) == ["Lima", "Callao", "Tacna"]
    assert table.sum(axis=1).to_dict() == {"Lima": 120, "Callao": 85, "Tacna": 30}
    assert int(table.to_numpy().sum()) == 235


def test_one_region_breakdown_stays_by_province(five_w, month_params):
    params = load_params(month_params(five_w(PERU), region="Lima",
                                      deduplicacion={"metodo": "maximo", "nivel": "admin2"}))
    table, adds_up = headline_by_province(load_month(params))
    assert adds_up
    assert table.sum(axis=1).to_dict() == {"Lima": 120, "(sin dato)": 10}


# Region not found: the closest names of the country, then its regions.
COLOMBIA = [{"country": "Colombia", "admin1": a, "admin2": "x"}
            for a in ("Bogotá D.C.", "Bolívar", "Boyacá", "Antioquia", "Valle del Cauca")] + [
    {"country": "Perú", "admin1": "Callao", "admin2": "Callao"},
    {"country": "Perú", "admin1": "Lima", "admin2": "Lima"},
]


def test_typo_gets_the_right_suggestion(five_w, month_params, capsys, tmp_path):
    params = month_params(five_w(COLOMBIA), region="Bogota", pais="Colombia")
    err = exit_2(capsys, params, tmp_path, "«Bogota»", "¿Quiso decir «Bogotá D.C.»?",
                 "Regiones de Colombia en el archivo: «Antioquia», «Bogotá D.C.», «Bolívar», «Boyacá», "
                 "«Valle del Cauca»")
    assert "Callao" not in err  # only the regions of that country


def test_typo_in_a_list(five_w, month_params, capsys, tmp_path):
    params = month_params(five_w(COLOMBIA), region=["Lima", "Calao"], pais="Perú")
    exit_2(capsys, params, tmp_path, "«Calao»", "¿quiso decir «Callao»?", "Regiones de Perú en el archivo")


def test_region_of_another_country(five_w, month_params, capsys, tmp_path):
    params = month_params(five_w(COLOMBIA), region="Antioquia", pais="Perú")
    exit_2(capsys, params, tmp_path, "«Antioquia» está en el archivo para Colombia")


def test_many_regions_are_cut_with_y_n_mas(five_w, month_params, capsys, tmp_path):
    rows = [{"country": "Colombia", "admin1": f"Departamento {i:02d}", "admin2": "x"} for i in range(1, 31)]
    params = month_params(five_w(rows), region="Atlantis", pais="Colombia")
    err = exit_2(capsys, params, tmp_path, "«Departamento 25» y 5 más")
    assert "Departamento 26" not in err and "¿Quiso decir" not in err


def test_national_tables_and_chart_show_regions(five_w, month_params):
    from mdrm import charts, html, narrative, tables
    from mdrm.view import MonthView

    params = load_params(month_params(five_w(PERU), region=None, pais="Perú"))
    data = load_month(params)
    view = MonthView(params, data, compute(data))
    frame = tables.provinces(view)
    assert list(frame["Región"]) == ["Lima", "Callao", "Tacna", "Total Perú"]
    assert list(frame["Total"]) == [120, 85, 30, 235]  # the admin1s add up to the national figure
    assert "Regiones" in tables.who_does_what(view).columns
    assert html.area_title(view) == "Por región"
    caption, note = html.caption_and_note(view, "Por provincia")
    assert "por región" in caption and "Las regiones suman el total de Perú" in note
    figure = charts.provinces(view)
    assert "por región" in figure.axes[0].get_title(loc="left")
    assert any("cada región (Admin1)" in line and "se suman las regiones" in line
               for line in narrative.methodology_note(view.metrics))
    assert view.metrics["scope"] == {"country": "Perú", "regions": [], "national": True}
    assert view.metrics["sample"] is False


def test_one_region_tables_keep_provinces(five_w, month_params):
    from mdrm import html, tables
    from mdrm.view import MonthView

    params = load_params(month_params(five_w(PERU), region="Lima",
                                      deduplicacion={"metodo": "maximo", "nivel": "admin2"}))
    data = load_month(params)
    view = MonthView(params, data, compute(data))
    assert list(tables.provinces(view)["Provincia"]) == ["Lima", "(sin dato)", "Total Lima"]
    assert "Provincias" in tables.who_does_what(view).columns
    assert html.area_title(view) == "Por provincia"


def test_exploration_of_two_regions_filters_by_region(five_w, month_params):
    from mdrm import explore

    ex = explore.load_exploration(month_params(five_w(PERU), region=["Lima", "Callao"]))
    assert explore.area_label(ex) == "Región"
    assert [label for label, _ in explore.options(ex, "province")] == ["Todas", "Callao", "Lima"]
    sel = explore.Selection(months=("2020-09", "2020-09"), measure="personas_mensual")
    table = explore.by_province(ex, sel)
    assert dict(zip(table["Región"], table.iloc[:, 1])) == {"Lima": 120, "Callao": 85}
    sel = explore.Selection(months=("2020-09", "2020-09"), province="callao", measure="personas_mensual")
    assert "Región: Callao" in explore.describe(ex, sel)


@pytest.mark.parametrize("level", ["admin1", "admin2"])
def test_dedup_unit_includes_the_country(five_w, level):
    """Same admin1 (and admin2) name in two countries: two units, never one."""
    from mdrm.catalog import load_catalog
    from mdrm.load import read_5w
    from mdrm.methodology import classify, group_values, headline_values

    rows = [
        p({"permanencia": 100}, country="Brazil", admin1="Amazonas", admin2="Centro", sector="Shelter"),
        p({"permanencia": 60}, country="Brazil", admin1="Amazonas", admin2="Centro", sector="Health"),
        p({"permanencia": 10}, country="Colombia", admin1="Amazonas", admin2="Centro", sector="Shelter"),
        p({"permanencia": 80}, country="Colombia", admin1="Amazonas", admin2="Centro", sector="Health"),
    ]
    catalog = load_catalog()
    df = classify(read_5w(five_w(rows)).data, catalog)
    table = headline_values(df, group_values(df, "mensual", catalog), "maximo", level, catalog)
    # Brazil max(100, 60) + Colombia max(10, 80) = 180 (one unit would give max(110, 140) = 140)
    assert table["permanencia"].sum() == 180


def test_national_report_on_a_real_export_is_the_sum_of_its_regions(tmp_path):
    """2024 fixture (Mexico and Panama, January 2023): Mexico's national figure = Σ of its admin1 reports."""
    import yaml

    from conftest import require_r4v_fixtures
    from mdrm.load import read_5w

    data = require_r4v_fixtures() / "5w_2024_short_headers.xlsx"
    frame = read_5w(data).data

    def metrics(**keys):
        path = tmp_path / "p.yml"
        path.write_text(yaml.safe_dump({"mes": "2023-01", "datos": str(data), **keys}, allow_unicode=True),
                        encoding="utf-8")
        return compute(load_month(load_params(path)))

    national = metrics(pais="México", region=None)
    mexico = sorted(set(frame.loc[frame["country"] == "Mexico", "admin1"].astype(str)))
    assert len(mexico) > 5 and "Panama" not in mexico
    parts = [metrics(region=name) for name in mexico]
    in_mexico = int((frame["country"] == "Mexico").sum())
    assert national["rows"]["read"] == sum(m["rows"]["read"] for m in parts) == in_mexico
    for group in ("permanencia", "transito", "acogida"):
        raw = sum(m["people_reached"]["by_population"][group] for m in parts)
        assert abs(national["people_reached"]["by_population"][group] - raw) <= len(parts) // 2  # rounding only
    assert national["people_reached"]["total"] > 0


def test_suggestions_only_as_close_as_the_best():
    from mdrm.scope import suggestions
    from mdrm.text import normalize

    names = ["Jalisco", "Tabasco", "Norte de Santander", "Santander", "Valle del Cauca", "Cauca", "Nariño"]
    candidates = {normalize(n): n for n in names}
    assert suggestions("Jalsco", candidates) == ["Jalisco"]  # not «Tabasco» (ratio 0.62 against 0.92)
    assert suggestions("Narino", candidates) == ["Nariño"]
    assert suggestions("Norte Santander", candidates)[0] == "Norte de Santander"
    assert suggestions("Atlantis", candidates) == []


def test_pais_with_a_file_without_countries_takes_every_row(five_w, month_params):
    rows = [{**row, "country": ""} for row in PERU if row["country"] != "Ecuador"]
    params = load_params(month_params(five_w(rows), region=["Lima", "Callao"], pais="Perú"))
    assert compute(load_month(params))["people_reached"]["total"] == 205  # as with the country column


def test_validate_takes_the_rows_the_report_takes(five_w, month_params):
    from mdrm.validate import issues_table

    data = five_w(AMAZONAS)
    params = load_params(month_params(data, region="Amazonas", pais="Colombia"))
    _, rows, _, scope = issues_table(data, params=params)
    assert sorted(rows["country"].astype(str)) == ["Colombia", "Colombia"]
    assert int(scope.sum()) == load_month(params).rows.shape[0] == 2
    blank = five_w([{**row, "country": ""} for row in PERU if row["country"] != "Ecuador"], name="sin_pais.csv")
    params = load_params(month_params(blank, region=None, pais="Perú"))
    _, rows, _, _ = issues_table(blank, params=params)
    assert len(rows) == 7  # no country column: every row is the country's, as in the report


def test_national_map_is_by_province(five_w, month_params):
    """The report's table shows admin1s; the map keeps provinces (Peru's INEI boundaries)."""
    from mdrm import maps
    from mdrm.view import MonthView

    params = load_params(month_params(five_w(PERU), region=None, pais="Perú"))
    data = load_month(params)
    view = MonthView(params, data, compute(data))
    found = maps.map_data(view)
    # level admin1: Lima/Lima max(100, 70) + 20 host = 120; Callao/Callao max(50, 80) = 80; Tacna 30 in transit;
    # the rows without admin2 (Lima Health 10, Callao Education 5, each in its own admin1) = 15, listed.
    assert found.people == {"lima": 120, "callao": 80, "tacna": 30}
    assert found.unmatched == [("(sin dato)", 15)]
    assert len(found.boundaries.areas) > 150  # the whole country
