"""The report's tables (mdrm.tables) and the computations they need (mdrm.metrics).

Hand-made 5W files (conftest `five_w`, `month_params`) for the rules, with the
expected figures worked out in comments; the sample September 2020 for the
seed's tables, written here from seed/seed_figures.yml.
"""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from mdrm import tables
from mdrm.metrics import by_organization, headline_by_month, headline_by_province
from mdrm.view import load_view

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"


@pytest.fixture
def view_of(five_w, month_params):
    """rows (+ params keys) -> a MonthView through real files."""

    def make(rows: list[dict], **keys):
        return load_view(month_params(five_w(rows), **keys))

    return make


@pytest.fixture(scope="module")
def september():
    return load_view(SEPTEMBER)


@pytest.fixture(scope="module")
def september_tables(september):
    return tables.report_tables(september)


def people(n, group="permanencia", **fields):
    row = {"total_monthly": n, "new_beneficiaries": n, group: n}
    row.update(fields)
    return row


# --- the contract -------------------------------------------------------------

EXPECTED_SHEETS = [
    "Población alcanzada", "Sexo y edad", "Subgrupo x población", "Organizaciones por subgrupo", "Cifras clave",
    "Variación mensual", "Acumulado del año", "Acumulado por sector", "Tendencia mensual", "Por provincia",
    "Por sector", "Quién hace qué", "Calidad por organización", "Calidad de datos", "Filas del 5W",
]


def test_report_tables_are_every_sheet_with_excel_names(september_tables):
    assert list(september_tables) == EXPECTED_SHEETS
    for name, frame in september_tables.items():
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\"), name
        assert isinstance(frame, pd.DataFrame)


def test_tables_write_to_xlsx_and_read_back_as_numbers(september_tables, tmp_path):
    path = tmp_path / "tablas.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in september_tables.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    back = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert list(back) == EXPECTED_SHEETS
    assert back["Población alcanzada"]["Personas"].tolist() == [686, 69, 2198, 2953]
    assert back["Cifras clave"]["septiembre de 2020"].tolist()[6] == 86348


# --- the seed's tables on the sample September 2020 ------------------------------

def test_population_table_is_the_seed_headline(september_tables):
    frame = september_tables["Población alcanzada"]
    assert frame["Grupo poblacional"].tolist() == ["RyM en Permanencia", "Comunidad de Acogida", "RyM en Tránsito",
                                                   "Total"]
    assert frame["Personas"].tolist() == [686, 69, 2198, 2953]
    # 686/2953 = 23.23% ; 69/2953 = 2.34% ; 2198/2953 = 74.43%
    assert frame["% del total"].tolist() == [23.2, 2.3, 74.4, 100.0]


def test_subgroup_by_population_equals_the_seed(september_tables):
    frame = september_tables["Subgrupo x población"].set_index("Subgrupo")
    assert list(frame.columns) == ["RyM en Permanencia", "Comunidad de Acogida", "RyM en Tránsito", "Total personas"]
    assert frame.to_dict("index") == {
        "Necesidades básicas": {"RyM en Permanencia": 811, "Comunidad de Acogida": 34, "RyM en Tránsito": 2601,
                                "Total personas": 3446},
        "Salud y Nutrición": {"RyM en Permanencia": 496, "Comunidad de Acogida": 59, "RyM en Tránsito": 0,
                              "Total personas": 555},
        "Protección": {"RyM en Permanencia": 289, "Comunidad de Acogida": 58, "RyM en Tránsito": 271,
                       "Total personas": 618},
        "CBI Multisectorial": {"RyM en Permanencia": 142, "Comunidad de Acogida": 7, "RyM en Tránsito": 0,
                               "Total personas": 149},
        "Integración": {"RyM en Permanencia": 54, "Comunidad de Acogida": 0, "RyM en Tránsito": 0,
                        "Total personas": 54},
    }


def test_organizations_per_subgroup_equal_the_seed_in_its_order(september_tables):
    frame = september_tables["Organizaciones por subgrupo"]
    assert list(zip(frame["Subgrupo"], frame["Organizaciones"])) == [
        ("Protección", 12), ("Necesidades básicas", 6), ("Salud y Nutrición", 4), ("CBI Multisectorial", 3),
        ("Integración", 1), ("Manejo de Información", 1)]


def test_key_figures_equal_the_seed_with_their_labels(september_tables):
    frame = september_tables["Cifras clave"].set_index("Cifra clave")
    assert frame["septiembre de 2020"].to_dict() == {
        "Kits de higiene distribuidos": 27, "Personas capacitadas para el autoempleo": 54,
        "Casos de protección acompañados": 150, "Raciones de comidas distribuidas": 1490,
        "Personas apoyadas con albergue en ACT u hoteles": 244, "Orientaciones brindadas": 2251,
        "USD distribuidos por los miembros del GTRM": 86348, "Refrigerios distribuidos": 454,
        "Consultas de atención primaria de salud": 620, "Atenciones psicosociales": 255,
    }
    row = frame.loc["Kits de higiene distribuidos"]
    assert row["Variación"] == row["septiembre de 2020"] - row["agosto de 2020"]


def test_sex_age_adds_up_to_the_headline(september, september_tables):
    frame = september_tables["Sexo y edad"]
    assert frame["Personas"].iloc[-1] == 2953 == frame["Personas"].iloc[:-1].sum()
    assert frame["Sexo y edad"].iloc[:-1].tolist() == [
        "Niñas y adolescentes (<18)", "Niños y adolescentes (<18)", "Mujeres adultas", "Hombres adultos"]


def test_monthly_change_uses_the_previous_month_of_metrics(september, september_tables):
    frame = september_tables["Variación mensual"].set_index("Indicador")
    prev = september.metrics["previous_month"]
    row = frame.loc["Personas alcanzadas"]
    assert (row["septiembre de 2020"], row["agosto de 2020"]) == (2953, prev["people_reached_total"])
    assert row["Variación"] == 2953 - prev["people_reached_total"]
    nb = frame.loc["Subgrupo Necesidades básicas"]
    assert (nb["septiembre de 2020"], nb["agosto de 2020"]) == (3446, prev["subgroups"]["necesidades_basicas"])
    assert frame.loc["Personas alcanzadas: RyM en Tránsito", "septiembre de 2020"] == 2198


def test_trend_agrees_with_metrics_for_the_month_and_the_previous_one(september, september_tables):
    frame = september_tables["Tendencia mensual"].set_index("Mes")
    assert len(frame) == 9 and frame.index[0] == "enero de 2020"
    assert frame.loc["septiembre de 2020", "Total"] == september.metrics["people_reached"]["total"] == 2953
    assert frame.loc["septiembre de 2020", "RyM en Tránsito"] == 2198
    assert frame.loc["agosto de 2020", "Total"] == september.metrics["previous_month"]["people_reached_total"]


def test_provinces_add_up_to_the_headline_on_the_sample(september, september_tables):
    frame = september_tables["Por provincia"]
    assert frame["Provincia"].iloc[-1] == "Total Tacna"
    body = frame.iloc[:-1]
    for column in ["RyM en Permanencia", "Comunidad de Acogida", "RyM en Tránsito", "Total"]:
        assert body[column].sum() == frame[column].iloc[-1]
    assert frame["Total"].iloc[-1] == 2953
    assert body["Provincia"].iloc[0] == "Tacna"  # largest first


def test_who_does_what_columns_add_up_to_subgroups_and_usd(september, september_tables):
    frame = september_tables["Quién hace qué"]
    total = frame.iloc[-1]
    assert total["Organización"] == "Total"
    body = frame.iloc[:-1]
    assert len(body) == september.metrics["organizations"]["reporting"] == 19
    for sg, figure in september.metrics["subgroups"].items():
        label = september.data.catalog.subgroup_label(sg)
        assert body[label].sum() == total[label] == figure["total"]
    assert body["USD"].sum() == total["USD"] == 86348
    assert set(body["Tipo"]) >= {"ONG nacional", "No miembro de la Mesa"}


def test_year_to_date_is_metrics_ytd(september, september_tables):
    frame = september_tables["Acumulado del año"]
    assert frame.columns[1] == "Personas (enero a septiembre de 2020)"
    assert frame.iloc[-1, 1] == september.metrics["ytd"]["people_reached"]["total"]
    assert frame.iloc[:-1, 1].sum() == frame.iloc[-1, 1]


def test_quality_annex_by_organization(september, september_tables):
    frame = september_tables["Calidad por organización"]
    assert frame.to_dict("records") == [{"Organización": "Fundación Nutrir Futuro", "Q02": 1, "Total": 1}]
    issues = september_tables["Calidad de datos"]
    expected = [[i["code"], i["row"]] for i in september.metrics["quality"]["issues"]]
    assert issues[["Código", "Fila"]].values.tolist() == expected
    assert expected[0][0] == "Q02"


def test_rows_summary_read_is_counted_plus_excluded(september_tables):
    frame = september_tables["Filas del 5W"].set_index("Filas del 5W")["Filas"]
    assert frame.iloc[0] == frame.iloc[1] + frame.iloc[2] == 74


# --- hand-made data ------------------------------------------------------------

def test_trend_over_two_months_is_the_monthly_max(view_of):
    # August: Shelter 10 and Food 6 in the same province -> max 10 (not 16).
    # September: Shelter 5 transito and Health 7 transito -> max 7.
    view = view_of([
        people(10, month="2020-08"), people(6, month="2020-08", sector="Food Security"),
        people(5, "transito"), people(7, "transito", sector="Health"),
    ], deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    months = headline_by_month(view.data)
    assert [m for m, f in months.items() if f is None] == [f"2020-{m:02d}" for m in range(1, 8)]
    assert months["2020-08"] == {"total": 10, "by_population": {"permanencia": 10, "transito": 0, "acogida": 0}}
    assert months["2020-09"] == view.metrics["people_reached"]
    frame = tables.trend(view).set_index("Mes")
    assert frame.loc["agosto de 2020", "Total"] == 10 == view.metrics["previous_month"]["people_reached_total"]
    assert frame.loc["septiembre de 2020", "Total"] == 7
    assert frame.loc["septiembre de 2020", "RyM en Tránsito"] == 7
    assert frame.loc["enero de 2020"].isna().all()  # no rows: missing, not zero


def test_provinces_apportion_to_the_headline_at_admin2(view_of):
    # Two provinces, one row each of 5 people split permanencia 1 / transito 1 -> 2.5 each.
    # Headline: permanencia 2.5 + 2.5 = 5, transito 5 -> 10. Rounding each province (3 + 3) would give 12;
    # largest remainder gives permanencia A 3, B 2 and transito A 3, B 2 (ties to the first listed).
    split = {"total_monthly": 5, "new_beneficiaries": 5, "permanencia": 1, "transito": 1}
    view = view_of([{**split, "admin2": "Alto"}, {**split, "admin2": "Bajo"}],
                   deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    table, adds_up = headline_by_province(view.data)
    assert adds_up
    assert table.to_dict("index") == {"Alto": {"permanencia": 3, "transito": 3, "acogida": 0},
                                      "Bajo": {"permanencia": 2, "transito": 2, "acogida": 0}}
    assert view.metrics["people_reached"]["total"] == 10 == int(table.values.sum())
    frame = tables.provinces(view)
    assert frame["Provincia"].tolist() == ["Alto", "Bajo", "Total Tacna"]
    assert frame["Total"].tolist() == [6, 4, 10]


def test_provinces_at_admin1_may_exceed_the_headline(view_of):
    # Shelter 4 in Alto, Food 6 in Bajo. At admin1 the headline is max(4, 6) = 6 for the region;
    # each province on its own: Alto 4, Bajo 6 -> 10 > 6, and the table says so by its last row.
    view = view_of([people(4, admin2="Alto"), people(6, admin2="Bajo", sector="Food Security")],
                   deduplicacion={"metodo": "maximo", "nivel": "admin1"})
    table, adds_up = headline_by_province(view.data)
    assert not adds_up
    assert table["permanencia"].to_dict() == {"Bajo": 6, "Alto": 4}
    frame = tables.provinces(view)
    assert frame["Total"].tolist() == [6, 4, 6]


def test_blank_province_is_sin_dato(view_of):
    view = view_of([people(3, admin2=""), people(2, admin2="Tarata")],
                   deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    frame = tables.provinces(view)
    assert frame["Provincia"].tolist() == ["(sin dato)", "Tarata", "Total Tacna"]
    assert frame["Total"].tolist() == [3, 2, 5]


def test_who_does_what_for_two_organizations(view_of, tmp_path):
    # Org A: Shelter 10 permanencia, 100 USD. Org B (implementing for A): Health 4 acogida, Protection 3
    # transito, 50.5 USD. Org C: one non-RMRP row (no people). USD published: 150.5 -> 151; apportioned
    # A 100, B 50.5 -> floors 150, the unit left to B (largest remainder) -> 51.
    registry = tmp_path / "orgs.csv"
    registry.write_text("organizacion,tipo,subgrupos\nOrg A,ONG nacional,necesidades_basicas\n", encoding="utf-8")
    view = view_of([
        people(10, cva="Si", cva_value_usd=100, activity_name="Kits"),
        people(4, "acogida", sector="Health", implementing_partner="Org B", cva="Si", cva_value_usd=50.5),
        people(3, "transito", sector="Protection (General)", implementing_partner="Org B"),
        people(8, appealing_org="Org C", rmrp_activity="No"),
    ], organizaciones=str(registry))
    frame = tables.who_does_what(view).set_index("Organización")
    assert list(frame.columns) == ["Tipo", "Provincias", "Actividades", "Necesidades básicas", "Salud y Nutrición",
                                   "Protección", "USD"]
    assert frame.loc["Org A"].tolist() == ["ONG nacional", "Tacna", 1, 10, 0, 0, 100]
    assert frame.loc["Org B"].tolist() == ["No miembro de la Mesa", "Tacna", 1, 0, 4, 3, 51]
    assert frame.loc["Org C"].tolist() == ["No miembro de la Mesa", "Tacna", 1, 0, 0, 0, 0]
    assert frame.loc["Total", ["Necesidades básicas", "Salud y Nutrición", "Protección", "USD"]].tolist() == [
        10, 4, 3, 151]
    assert view.metrics["key_figures"]["usd_distribuidos"] == 151
    assert list(frame.index[:3]) == ["Org A", "Org B", "Org C"]  # most people first


def test_who_does_what_without_registry_has_no_type_column(view_of):
    view = view_of([people(2)])
    frame = tables.who_does_what(view)
    assert "Tipo" not in frame.columns
    assert frame["Organización"].tolist() == ["Org A", "Total"]


def test_organization_people_are_apportioned_to_the_subgroup_total(view_of):
    # Two orgs with 2.5 people each in Shelter (5 split 1/1): subgroup permanencia 2.5+2.5 = 5 -> 5,
    # transito 5 -> total 10. Per org 5.0 each: no remainder, 5 and 5.
    split = {"total_monthly": 5, "new_beneficiaries": 5, "permanencia": 1, "transito": 1}
    view = view_of([{**split}, {**split, "appealing_org": "Org B"}])
    table = by_organization(view.data)
    assert table["necesidades_basicas"].tolist() == [5, 5]
    assert table["necesidades_basicas"].sum() == view.metrics["subgroups"]["necesidades_basicas"]["total"] == 10


def test_no_previous_month_gives_missing_changes(view_of):
    view = view_of([people(5)])
    assert view.metrics["previous_month"] is None
    assert tables.previous_key_figures(view) is None
    change = tables.monthly_change(view)
    assert change["agosto de 2020"].isna().all() and change["Variación"].isna().all()
    key = tables.key_figures(view)
    assert key["Variación"].isna().all() and key["septiembre de 2020"].notna().all()


def test_month_without_counted_rows_nor_quality_issues(view_of):
    # Only a non-RMRP row (clean: its sex/age split sums): nothing counted, every table still builds.
    view = view_of([people(5, rmrp_activity="No", mujeres=5)])
    built = tables.report_tables(view)
    assert built["Subgrupo x población"].empty
    assert built["Población alcanzada"]["Personas"].tolist() == [0, 0, 0, 0]
    assert built["Población alcanzada"]["% del total"].isna().all()
    assert built["Calidad por organización"].empty
    assert built["Filas del 5W"]["Filas"].tolist() == [1, 0, 1, 1]


def test_population_order_is_the_seed_order():
    from mdrm.catalog import load_catalog

    catalog = load_catalog()
    assert tables.population_order(["sin_desagregar", "transito", "pendulares", "acogida", "permanencia"],
                                   catalog) == ["permanencia", "acogida", "transito", "pendulares", "sin_desagregar"]
