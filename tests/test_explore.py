"""The functions behind the exploration notebook (mdrm.explore), without a browser.

One hand-made 5W (written as a real CSV by `five_w`) is used throughout; every
expected figure is worked out by hand next to the assertion. Params: Tacna,
`base_personas: mensual`, `deduplicacion: {metodo: maximo, nivel: admin2}` (as
the Mesa uses), so the R4V rule is "per province and population group, the
maximum over sectors".

Rows (Excel row = position + 2; "people" = Total beneficiarios mensuales):

  row  org (reporting)  month    province  sector                 mensual  nuevos  split (on nuevos)       other
   2   Org A            2020-09  Tacna     Shelter                90       60      perm 40, trans 20        qty 10; age 10/10/20/20
   3   Org A            2020-09  Tacna     Food Security          50       50      perm 50                  qty 200
   4   Org B            2020-09  Tacna     Shelter                30       30      trans 30                 qty 5
   5   Org B            2020-09  Tarata    Health                 20       20      acog 20                  qty 4; CVA Sí without USD (Q04)
   6   Org C (impl.)    2020-09  Tarata    Multipurpose CBI       10       10      perm 10                  qty 10; CVA Sí, 500 USD
   7   Org A            2020-08  Tacna     Shelter                40       40      perm 40
   8   Org B            2020-10  Tacna     Food Security          25        5      trans 5
   9   Org A            2020-09  Tacna     Common Services (IM)    0        0      -                        qty 3 (no people)
  10   Org A            2020-09  Tacna     Food Security (no RMRP)70       70      perm 70                  qty 7
  11   Org B            2020-09  Tacna     Shelter                copy of row 4 (Q08: excluded everywhere)
  12   Org C (impl.)    2020-10  Tacna     Health                  8        8      none (Q07, sin_desagregar)
  13   Org A            2020-09  Ilo       (Moquegua: another region, never explored)

Age/sex: row 2 as written (ninas 10, ninos 10, mujeres 20, hombres 20); every
other row with people puts all its new beneficiaries in one part (row 5 in
mujeres, the others in hombres), so no Q02 is raised.
Mensual values of row 2: perm 90 x 40/60 = 60, trans 90 x 20/60 = 30.
Row 8 mensual: trans 25 (its only group).
"""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from mdrm import explore
from mdrm.errors import InputError
from mdrm.explore import Selection

SEPT = ("2020-09", "2020-09")
TOTAL_MENSUAL = "Total personas (total mensual; máximo por sector por provincia)"
TOTAL_NUEVOS = "Total personas (nuevos; máximo por sector por provincia)"
ORG_MENSUAL = "Personas (total mensual; Σ de filas, sin deduplicar)"
TOTAL_MENSUAL_ADMIN1 = "Total personas (total mensual; máximo por sector por región)"
TOTAL_NUEVOS_ADMIN1 = "Total personas (nuevos; máximo por sector por región)"
PROV_MENSUAL = "Personas (total mensual; máximo por sector en la provincia, Σ de meses)"


def row(org, month, province, sector, mensual, nuevos, split=None, age=None, **other):
    fields = {"appealing_org": org, "month": month, "admin2": province, "sector": sector,
              "total_monthly": mensual, "new_beneficiaries": nuevos, **(split or {}), **other}
    if age is None and nuevos:
        age = {"hombres": nuevos}
    fields.update(age or {})
    return fields


ROWS = [
    row("Org A", "2020-09", "Tacna", "Shelter", 90, 60, {"permanencia": 40, "transito": 20},
        {"ninas": 10, "ninos": 10, "mujeres": 20, "hombres": 20}, quantity=10),
    row("Org A", "2020-09", "Tacna", "Food Security", 50, 50, {"permanencia": 50}, quantity=200),
    row("Org B", "2020-09", "Tacna", "Shelter", 30, 30, {"transito": 30}, quantity=5),
    row("Org B", "2020-09", "Tarata", "Health", 20, 20, {"acogida": 20}, {"mujeres": 20}, quantity=4, cva="Si"),
    row("Org B", "2020-09", "Tarata", "Multipurpose CBI", 10, 10, {"permanencia": 10}, quantity=10,
        cva="Si", cva_value_usd=500, implementing_partner="Org C"),
    row("Org A", "2020-08", "Tacna", "Shelter", 40, 40, {"permanencia": 40}),
    row("Org B", "2020-10", "Tacna", "Food Security", 25, 5, {"transito": 5}),
    row("Org A", "2020-09", "Tacna", "Common Services (IM)", 0, 0, quantity=3),
    row("Org A", "2020-09", "Tacna", "Food Security", 70, 70, {"permanencia": 70}, quantity=7, rmrp_activity="No"),
    row("Org B", "2020-09", "Tacna", "Shelter", 30, 30, {"transito": 30}, quantity=5),
    row("Org B", "2020-10", "Tacna", "Health", 8, 8, implementing_partner="Org C"),
    row("Org A", "2020-09", "Ilo", "Shelter", 500, 500, {"permanencia": 500}, admin1="Moquegua", quantity=1000),
]


@pytest.fixture
def ex(five_w, month_params):
    path = month_params(five_w(ROWS), deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    return explore.load_exploration(path)


def records(table: pd.DataFrame, key: str, value: str) -> dict:
    return dict(zip(table[key], table[value]))


# --- loading and choices ---------------------------------------------------------

def test_exploration_keeps_every_month_of_the_region_only(ex):
    # 11 rows of Tacna (Excel rows 2-12) in three months; the Moquegua row (13) is not explored
    assert len(ex.rows) == 11
    assert ex.months == ["2020-08", "2020-09", "2020-10"]
    assert "moquegua" not in set(ex.rows["admin1_key"])


def test_dropdown_choices_are_spanish_labels_with_all_first(ex):
    assert explore.options(ex, "organization") == [
        ("Todas", explore.ALL), ("Org A", "org a"), ("Org B", "org b"), ("Org C", "org c")]
    assert explore.options(ex, "province") == [("Todas", explore.ALL), ("Tacna", "tacna"), ("Tarata", "tarata")]
    subgroups = [label for label, _ in explore.options(ex, "subgroup")]
    assert subgroups == ["Todos", "Necesidades básicas", "Salud y Nutrición", "CBI Multisectorial",
                         "Manejo de Información"]
    # sectors of one subgroup only
    assert explore.options(ex, "sector", "necesidades_basicas") == [
        ("Todos", explore.ALL), ("Food Security", "food security"), ("Shelter", "shelter")]
    # row 12 has people and no split: "Sin desagregar" can be chosen
    assert ("Sin desagregar", "sin_desagregar") in explore.options(ex, "population")
    assert [label for label, _ in explore.month_options(ex)] == ["agosto de 2020", "septiembre de 2020", "octubre de 2020"]


def test_no_row_of_the_region_is_a_hard_error(five_w, month_params):
    path = month_params(five_w(ROWS), region="Arequipa")
    with pytest.raises(InputError, match="Arequipa"):
        explore.load_exploration(path)


# --- over time: the R4V rule on the selection ------------------------------------

def test_one_month_of_the_whole_region_is_the_reports_headline(ex):
    # Tacna province, counted rows 2, 3, 4 (9 = IM, 10 = not RMRP, 11 = copy are excluded):
    #   Shelter: perm 60 (row 2), trans 30 + 30 = 60 (rows 2, 4); Food Security: perm 50 (row 3)
    #   max per group: perm max(60, 50) = 60, trans 60
    # Tarata: Health acog 20 (row 5), CBI perm 10 (row 6) -> perm 10, acog 20
    # September: perm 70, trans 60, acog 20 -> 150 (the sum of all rows would be 90+50+30+20+10 = 200)
    table = explore.over_time(ex, Selection(months=SEPT))
    assert table.columns.tolist() == ["Mes", "RyM en Permanencia", "RyM en Tránsito", "Comunidad de Acogida",
                                      TOTAL_MENSUAL, "Filas", "Organizaciones"]
    assert table.iloc[0].tolist() == ["septiembre de 2020", 70, 60, 20, 150, 5, 3]
    assert table.iloc[-1].tolist() == ["Total del mes", 70, 60, 20, 150, 5, 3]


def test_month_range_adds_the_monthly_figures(ex):
    # August: row 7, perm 40. October: row 8 Food Security trans 25 (mensual), row 12 Health 8 unsplit:
    #   Health has no split of its own, so its 8 take the province's (trans only; regla_maximo
    #   por_grupo) -> trans max(25, 8) = 25: never 25 + 8 on top of each other.
    # Range August-October: perm 40 + 70 = 110, trans 60 + 25 = 85, acog 20 -> 215; no one left unsplit
    table = explore.over_time(ex, Selection(months=("2020-08", "2020-10")))
    assert table["Mes"].tolist() == ["agosto de 2020", "septiembre de 2020", "octubre de 2020", "Total: suma de los meses (no consolidada)"]
    assert table[TOTAL_MENSUAL].tolist() == [40, 150, 25, 215]
    assert "Sin desagregar" not in table.columns
    assert table.iloc[-1]["RyM en Permanencia"] == 110
    assert table.iloc[-1]["RyM en Tránsito"] == 85
    # Only August and September: 40 + 150 (a range given backwards is the same range)
    assert explore.over_time(ex, Selection(months=("2020-08", "2020-09")))[TOTAL_MENSUAL].tolist() == [40, 150, 190]
    assert explore.over_time(ex, Selection(months=("2020-09", "2020-08")))[TOTAL_MENSUAL].tolist() == [40, 150, 190]


def test_new_beneficiaries_basis(ex):
    # September on nuevos: row 2 perm 40, trans 20; row 3 perm 50; row 4 trans 30
    #   Tacna: Shelter perm 40, trans 50; Food Security perm 50 -> perm 50, trans 50
    #   Tarata: perm 10, acog 20 ; September = 60 + 50 + 20 = 130
    # August 40; October: trans 5 (row 8), Health's 8 unsplit take the province's split (trans):
    #   max(5, 8) = 8 ; accumulated (R4V): 40 + 130 + 8 = 178
    table = explore.over_time(ex, Selection(measure="personas_nuevos"))
    assert table[TOTAL_NUEVOS].tolist() == [40, 130, 8, 178]


def test_one_organization(ex):
    # Org A, every month, counted rows 2, 3 (September) and 7 (August); its IM row 9 and
    # non-RMRP row 10 are not counted.
    #   August 40; September Tacna: Shelter perm 60 trans 30, Food Security perm 50 -> 60 + 30 = 90
    #   October 0 ; period 130
    sel = Selection(organization="org a")
    assert explore.over_time(ex, sel)[TOTAL_MENSUAL].tolist() == [40, 90, 0, 130]
    # by organization: Σ of its rows, no de-duplication: 90 + 50 + 40 = 180 (not 130)
    assert records(explore.by_organization(ex, sel), "Organización", ORG_MENSUAL) == {"Org A": 180}


def test_by_organization_is_the_plain_sum_of_each_organizations_rows(ex):
    # September: Org A 90 + 50 = 140 ; Org B 30 (row 4) + 20 (row 5) = 50 (row 11 is a copy) ;
    # Org C (implementing partner of row 6) 10. Σ = 200 > headline 150: stated in the header.
    table = explore.by_organization(ex, Selection(months=SEPT))
    assert table.columns.tolist() == ["Organización", ORG_MENSUAL, "Filas"]
    assert table.values.tolist() == [["Org A", 140, 2], ["Org B", 50, 2], ["Org C", 10, 1]]


def test_one_province(ex):
    # Tarata, September: perm 10 (CBI), acog 20 (Health) -> 30
    sel = Selection(months=SEPT, province="tarata")
    assert explore.over_time(ex, sel).iloc[-1][TOTAL_MENSUAL] == 30
    assert records(explore.by_organization(ex, sel), "Organización", ORG_MENSUAL) == {"Org B": 20, "Org C": 10}


def test_by_province_applies_the_rule_within_each_province_and_adds_months(ex):
    # September: Tacna 60 + 60 = 120, Tarata 30 -> 150, the month's headline (level admin2)
    sept = explore.by_province(ex, Selection(months=SEPT))
    assert sept.values.tolist() == [["Tacna", 120, 3], ["Tarata", 30, 2]]
    assert sept[PROV_MENSUAL].sum() == 150
    # August-October: Tacna 40 + 120 + 25 = 185 (October: see test_month_range_adds_the_monthly_figures), Tarata 30
    every = explore.by_province(ex, Selection())
    assert records(every, "Provincia", PROV_MENSUAL) == {"Tacna": 185, "Tarata": 30}


def test_subgroup_and_sector_filters(ex):
    # Necesidades básicas, September: rows 2, 3, 4 -> Tacna perm 60, trans 60 = 120
    assert explore.over_time(ex, Selection(months=SEPT, subgroup="necesidades_basicas")).iloc[-1][TOTAL_MENSUAL] == 120
    # Sector Food Security, September: row 3 only (row 10 is not RMRP) -> 50
    assert explore.over_time(ex, Selection(months=SEPT, sector="food security")).iloc[-1][TOTAL_MENSUAL] == 50


def test_population_group_filter(ex):
    # Tránsito, September: rows 2 and 4 reached it; Tacna Shelter trans 30 + 30 = 60
    sel = Selection(months=SEPT, population="transito")
    table = explore.over_time(ex, sel)
    assert table.columns.tolist() == ["Mes", "RyM en Tránsito", TOTAL_MENSUAL, "Filas", "Organizaciones"]
    assert table.iloc[-1].tolist() == ["Total del mes", 60, 60, 2, 2]
    # quantity of the rows that reached tránsito: row 2 (10) + row 4 (5) = 15 (the copy, row 11, is not counted)
    qty = explore.over_time(ex, Selection(months=SEPT, population="transito", measure="cantidad"))
    assert qty.iloc[-1]["Cantidad de productos"] == 15
    # Sin desagregar: row 12, October, 8
    assert explore.over_time(ex, Selection(population="sin_desagregar")).iloc[-1][TOTAL_MENSUAL] == 8


def test_quantity_and_usd_count_every_row_but_copies(ex):
    # September quantity: rows 2..6 = 10 + 200 + 5 + 4 + 10, IM row 9 = 3, non-RMRP row 10 = 7 -> 239
    # (the copy, row 11, is left out). USD: row 6, 500.
    qty = explore.over_time(ex, Selection(months=SEPT, measure="cantidad"))
    assert qty.columns.tolist() == ["Mes", "Cantidad de productos", "Filas", "Organizaciones"]
    assert qty.iloc[-1].tolist() == ["Total del mes", 239, 7, 3]
    usd = explore.by_organization(ex, Selection(months=SEPT, measure="usd"))
    assert records(usd, "Organización", "USD transferidos (CVA)") == {"Org C": 500, "Org A": 0, "Org B": 0}
    # Org A's quantity in September: 10 + 200 + 3 + 7 = 220
    org_a = explore.over_time(ex, Selection(months=SEPT, organization="org a", measure="cantidad"))
    assert org_a.iloc[-1]["Cantidad de productos"] == 220


def test_sex_and_age_apportioned_to_the_selection_total(ex):
    # September counted rows, mensual: row 2 ages x 90/60 -> 15, 15, 30, 30; row 3 hombres 50; row 4
    # hombres 30; row 5 mujeres 20; row 6 hombres 10. Σ: ninas 15, ninos 15, mujeres 50, hombres 120 (200)
    # apportioned to the total 150 (x 0.75): 11.25, 11.25, 37.5, 90 -> floors 11, 11, 37, 90 (149);
    # the unit left goes to the largest remainder, mujeres (.5) -> 11, 11, 38, 90
    table = explore.by_sex_age(ex, Selection(months=SEPT))
    assert table["Personas"].tolist() == [11, 11, 38, 90, 0, 0]
    assert table["Sexo y edad"].iloc[2] == "Mujeres adultas"
    assert explore.by_sex_age(ex, Selection(measure="usd")).empty


def test_quality_issues_of_the_selection(ex):
    # Org B: row 5 CVA Sí without USD (Q04), row 11 copy of row 4 (Q08)
    issues = explore.quality(ex, Selection(organization="org b"))
    assert issues.columns.tolist() == ["Código", "Fila", "Organización", "Problema"]
    assert list(zip(issues["Código"], issues["Fila"])) == [("Q04", 5), ("Q08", 11)]
    # Org C: row 12 has people and no population split (Q07)
    assert explore.quality(ex, Selection(organization="org c"))["Código"].tolist() == ["Q07"]
    counts = explore.quality_counts(issues)
    assert counts["Casos"].tolist() == [1, 1]


def test_summary_and_description(ex):
    summary = explore.summarize(ex, Selection(months=SEPT, organization="org b"))
    # Org B in September: Tacna Shelter trans 30; Tarata Health acog 20 -> 50 (rows 4, 5, 11)
    assert summary.headline == "50 personas en septiembre de 2020"
    assert summary.rows == 3
    assert summary.description == "Tacna, septiembre de 2020 · Organización: Org B · Personas (total mensual)"


def test_export_writes_the_selected_rows_as_csv_and_xlsx(ex, tmp_path):
    import datetime as dt

    paths = explore.export_rows(ex, Selection(organization="org a"), tmp_path / "exploracion",
                                now=dt.datetime(2020, 10, 5, 9, 30))
    assert [p.name for p in paths] == ["tacna_2020-08_2020-10_org-a_personas_mensual_20201005-093000.csv",
                                       "tacna_2020-08_2020-10_org-a_personas_mensual_20201005-093000.xlsx"]
    csv = pd.read_csv(paths[0], encoding="utf-8-sig")
    # Org A's rows of Tacna: 2, 3, 7, 9, 10 (the Moquegua row 13 is another region)
    assert csv["Fila en el archivo"].tolist() == [2, 3, 7, 9, 10]
    assert csv["Socio principal Nombre"].unique().tolist() == ["Org A"]
    assert csv["Cuenta para personas (kit)"].tolist() == ["Sí", "Sí", "Sí", "No", "No"]
    assert csv["Motivo de exclusión (kit)"].fillna("").tolist() == [
        "", "", "", "Servicios comunes (manejo de información, coordinación, comunicación…): no cuentan personas",
        "Actividad fuera del RMRP (Actividad RMRP = No)"]
    sheets = pd.read_excel(paths[1], sheet_name=None, engine="calamine")
    assert list(sheets) == ["Filas", "Selección"]
    assert len(sheets["Filas"]) == 5


def test_html_table_escapes_text_and_groups_thousands():
    table = pd.DataFrame({"Organización": ["<b>Org</b>", "Total del periodo"], "Personas": [1490, 2953]})
    text = explore.table_html(table)
    assert "&lt;b&gt;Org&lt;/b&gt;" in text and "<b>Org</b>" not in text
    assert "1,490" in text and "2,953" in text
    assert "Sin filas" in explore.table_html(table.iloc[:0])


def test_charts_render_for_people_and_for_usd(ex):
    for measure in ("personas_mensual", "usd"):
        png = explore.figure_png(explore.summary_figure(explore.summarize(ex, Selection(measure=measure))))
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


# --- the sample data: the exploration agrees with the report ---------------------

@pytest.fixture(scope="module")
def sample():
    from conftest import ROOT

    return explore.load_exploration(ROOT / "params" / "tacna" / "2020-09.yml")


def test_sample_september_matches_the_seed_headline_and_sex_age(sample):
    # seed figures (tests/test_seed.py): 2953 = 686 permanencia + 2198 tránsito + 69 acogida
    table = explore.over_time(sample, Selection(months=SEPT))
    assert table.iloc[0][["RyM en Permanencia", "RyM en Tránsito", "Comunidad de Acogida", TOTAL_MENSUAL]].tolist() \
        == [686, 2198, 69, 2953]
    provinces = explore.by_province(sample, Selection(months=SEPT))
    assert provinces[PROV_MENSUAL].sum() == 2953  # level admin2: the provinces add up to the headline
    from mdrm.metrics import compute, load_month

    metrics = compute(load_month(sample.params))
    ages = explore.by_sex_age(sample, Selection(months=SEPT))
    assert ages["Personas"].tolist() == list(metrics["by_sex_age"].values())
    # January-September on nuevos = the report's year to date (R4V: max each month, then accumulate)
    ytd = explore.over_time(sample, Selection(months=("2020-01", "2020-09"), measure="personas_nuevos"))
    assert ytd.iloc[-1][TOTAL_NUEVOS] == metrics["ytd"]["people_reached"]["total"]


def test_an_empty_selection_gives_zeros_not_errors(ex):
    # Org A reported nothing in October; Tarata has no row in August
    sel = Selection(months=("2020-10", "2020-10"), organization="org a")
    summary = explore.summarize(ex, sel)
    assert summary.rows == 0
    assert summary.over_time[TOTAL_MENSUAL].tolist() == [0, 0]
    assert summary.by_organization.empty and summary.by_province.empty and summary.quality.empty
    assert summary.by_sex_age["Personas"].sum() == 0
    assert summary.headline == "0 personas en octubre de 2020"
    assert explore.figure_png(explore.summary_figure(summary))[:4] == b"\x89PNG"
    empty_usd = explore.summarize(ex, Selection(months=("2020-08", "2020-08"), province="tarata", measure="usd"))
    assert empty_usd.over_time["USD transferidos (CVA)"].tolist() == [0, 0]


# --- the exploration reuses the report's parts ---------------------------------------

def test_tables_are_the_reports_tables(ex):
    """`table_html` is `mdrm.html.table`: the theme's `mdrm-table`, the period row as a total, no inline style."""
    summary = explore.summarize(ex, Selection(months=("2020-08", "2020-10")))
    text = explore.table_html(summary.over_time)
    assert text.count('<table class="mdrm-table">') == 1 and "mdrm-tabla" not in text and "style=" not in text
    assert '<tr class="total"><td class="">Total: suma de los meses (no consolidada)</td>' in text
    assert '<td class="n">215</td></tr>' not in text  # the total is not the last cell: Filas and Organizaciones
    assert '<td class="n">215</td><td class="n">' in text
    # the organizations' table has no period row: nothing set as a total
    assert 'class="total"' not in explore.table_html(summary.by_organization)
    empty = explore.table_html(summary.quality.iloc[:0], empty="Sin <b>problemas</b>")
    assert empty == ('<div class="mdrm mdrm-explore"><p class="mdrm-note"><em>Sin &lt;b&gt;problemas&lt;/b&gt;'
                     '</em></p></div>')
    # a row number of the file is written as in the report's annex: 1234, not 1,234
    issues = pd.DataFrame({"Código": ["Q04"], "Fila": [1234], "Organización": ["Org B"], "Problema": ["x"]})
    assert '<td class="n">1234</td>' in explore.table_html(issues)


def test_charts_use_the_theme_and_spanish_numbers(ex):
    import matplotlib.colors as mcolors

    from mdrm import formatting as fmt

    fig = explore.summary_figure(explore.summarize(ex, Selection(months=SEPT)))
    by_org = fig.axes[1]
    assert {mcolors.to_hex(p.get_facecolor()) for p in by_org.patches} == {fmt.ACCENT_COLOR}
    # counted rows, by reporting organization: Org A rows 2, 3 -> 90 + 50 = 140; Org B rows 4, 5 -> 30 + 20
    # = 50; Org C (row 6's implementing partner) -> 10. Each bar is labelled with its value.
    assert [t.get_text() for t in by_org.texts] == ["140", "50", "10"]
    assert by_org.get_title(loc="left") == "Por organización"
    usd = explore.summary_figure(explore.summarize(ex, Selection(months=SEPT, measure="usd")))
    assert [t.get_text() for t in usd.axes[3].texts] == ["Sin desagregación por sexo y edad\npara esta medida o selección"]


def test_report_and_exploration_read_the_region_with_one_loader(five_w, month_params):
    """Both go through `region.read_region`: the same rows of September, classified alike; hard errors
    only for the rows each one uses (the report: January to September and August)."""
    from mdrm.metrics import load_month
    from mdrm.params import load_params

    broken = [*ROWS, row("Org A", "2020-11", "Tacna", "Shelter", "muchos", 1, {"permanencia": 1})]
    path = month_params(five_w(broken), deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    md = load_month(load_params(path))  # November is not read by the September report
    columns = ["excel_row", "subgroup", "counted", "exclusion", "duplicate_of", "permanencia", "transito"]
    assert md.rows["excel_row"].tolist() == [2, 3, 4, 5, 6, 9, 10, 11]
    with pytest.raises(InputError) as error:
        explore.load_exploration(path)  # every month: row 14's «muchos» is a hard error
    assert "muchos" in str(error.value) and "14" in str(error.value)
    ex = explore.load_exploration(month_params(five_w(ROWS), deduplicacion={"metodo": "maximo", "nivel": "admin2"}))
    september = ex.rows[ex.rows["_month"] == "2020-09"]
    pd.testing.assert_frame_equal(september[columns].reset_index(drop=True), md.rows[columns].reset_index(drop=True))


def test_one_loader_in_the_code():
    """Neither loader scopes, checks or classifies the 5W rows itself: both call `region.read_region`
    (the report reads the file first, so that a parent that already read it hands it over)."""
    import inspect

    from mdrm import metrics

    for loader in (explore.load_exploration, metrics.load_month):
        source = inspect.getsource(loader)
        assert "read_region(" in source, loader.__name__
        assert not any(f"{name}(" in source for name in ("mesa_rows", "classify", "check_cells"))
    assert not hasattr(explore, "NO_NAME")  # «(sin dato)» is catalog.SIN_DATO


# --- a range of months: R4V's consolidated figure, not the sum of the months ----------

# Three months of one province (level admin1: one unit), Org A's shelter serving the same 100 people each
# month (60 of them new in January, 10 more in February, 5 in March). Splits are on new beneficiaries;
# mensual per group = mensual x split / nuevos.
#   month    org    sector   mensual  nuevos  split (nuevos)        mensual per group
#   2021-01  Org A  Shelter  100      60      perm 60               perm 100
#   2021-01  Org B  Health    50      50      perm 30, trans 20     perm 30, trans 20
#   2021-02  Org A  Shelter  100      10      perm 10               perm 100
#   2021-02  Org B  Health    20      20      trans 20              trans 20
#   2021-03  Org A  Shelter  100       5      perm 5                perm 100
QUARTER = [
    row("Org A", "2021-01", "Tacna", "Shelter", 100, 60, {"permanencia": 60}),
    row("Org B", "2021-01", "Tacna", "Health", 50, 50, {"permanencia": 30, "transito": 20}),
    row("Org A", "2021-02", "Tacna", "Shelter", 100, 10, {"permanencia": 10}),
    row("Org B", "2021-02", "Tacna", "Health", 20, 20, {"transito": 20}),
    row("Org A", "2021-03", "Tacna", "Shelter", 100, 5, {"permanencia": 5}),
]
RANGE = ("2021-01", "2021-03")


@pytest.fixture
def quarter(five_w, month_params):
    path = month_params(five_w(QUARTER), mes="2021-03", deduplicacion={"metodo": "maximo", "nivel": "admin1"})
    return explore.load_exploration(path)


def test_a_range_shows_the_consolidated_figure_worked_by_hand(quarter):
    # Each month's intersector figure on new beneficiaries (max over sectors per group):
    #   January perm max(60, 30) = 60, trans 20 -> 80; February perm 10, trans 20 -> 30; March perm 5 -> 5
    # Consolidated: 80 + 30 + 5 = 115 (perm 75, trans 40): Org A's 100 shelter people count once, as the
    # 60 + 10 + 5 who were new.
    summary = explore.summarize(quarter, Selection(months=RANGE))
    assert summary.consolidated == {"total": 115, "by_population": {"permanencia": 75, "transito": 40, "acogida": 0}}
    assert summary.headline == "115 personas de enero a marzo de 2021 (cifra consolidada)"
    # The per-month sum (monthly total): January perm max(100, 30) + trans 20 = 120, February 100 + 20 = 120,
    # March 100 -> 340, Org A's people three times: labelled as a sum of the months, not as the range's figure
    assert summary.over_time[TOTAL_MENSUAL_ADMIN1].tolist() == [120, 120, 100, 340]
    assert summary.over_time["Mes"].iloc[-1] == explore.MONTHS_SUM_ROW == "Total: suma de los meses (no consolidada)"
    assert summary.range_note.startswith("Cifra consolidada del rango (regla de R4V")
    assert "por sector, los nuevos beneficiarios sumados sobre los meses" in summary.range_note
    assert "intersector, la cifra de cada mes" in summary.range_note
    assert "No es la suma de las personas de cada mes (340 personas" in summary.range_note
    # Per sector, new beneficiaries summed over the months: Shelter 60 + 10 + 5 = 75, Health 50 + 20 = 70
    assert records(summary.by_sector, "Sector", "Personas (nuevos; Σ de los meses, consolidado R4V)") == {
        "Shelter": 75, "Health": 70}
    # On new beneficiaries the table's last row is the consolidated figure itself
    nuevos = explore.over_time(quarter, Selection(months=RANGE, measure="personas_nuevos"))
    assert nuevos["Mes"].tolist()[-1] == explore.CONSOLIDATED_ROW
    assert nuevos.iloc[-1][["RyM en Permanencia", "RyM en Tránsito"]].tolist() == [75, 40]
    assert nuevos[TOTAL_NUEVOS_ADMIN1].tolist() == [80, 30, 5, 115]
    # Two months: 80 + 30 = 110; tránsito only: 20 + 20 = 40
    assert explore.consolidated(quarter, Selection(months=("2021-01", "2021-02")))["total"] == 110
    assert explore.consolidated(quarter, Selection(months=RANGE, population="transito"))["total"] == 40
    # Sex and age of the range: new beneficiaries (all hombres here, 60+50+10+20+5 = 145) apportioned to the
    # consolidated 115, not to the 340 of the monthly sums
    assert summary.by_sex_age["Personas"].tolist() == [0, 0, 0, 115, 0, 0]


def test_the_range_is_the_period_of_the_report(quarter):
    """The exploration's range and the report's quarter come from one rule (metrics): the same figure."""
    from mdrm.metrics import compute_period, load_month

    period = compute_period(load_month(dataclasses.replace(quarter.params, period="2021-T1")))
    figure = explore.consolidated(quarter, Selection(months=RANGE))
    assert period["people_reached"] == figure
    sectors = explore.by_sector(quarter, Selection(months=RANGE))
    assert records(sectors, "Sector", sectors.columns[1]) == period["sectors"]


def test_sample_first_quarter_in_the_exploration_is_the_2020_T1_headline(sample):
    from mdrm.metrics import compute_period, load_month

    period = compute_period(load_month(dataclasses.replace(sample.params, period="2020-T1", month="2020-03")))
    summary = explore.summarize(sample, Selection(months=("2020-01", "2020-03")))
    assert summary.consolidated == period["people_reached"]
    assert summary.headline == f"{period['people_reached']['total']:,} personas de enero a marzo de 2020 (cifra consolidada)"
    # the per-month sum on the monthly total counts people again: it is larger, and labelled as a sum
    assert summary.over_time.iloc[-1]["Mes"] == explore.MONTHS_SUM_ROW
    assert summary.over_time.iloc[-1][TOTAL_MENSUAL] > period["people_reached"]["total"]
    assert records(summary.by_sector, "Sector", summary.by_sector.columns[1]) == period["sectors"]
    # sex and age of a range: the period's (new beneficiaries apportioned to the consolidated figure)
    assert summary.by_sex_age["Personas"].tolist() == list(period["by_sex_age"].values())
