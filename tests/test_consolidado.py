"""`mdrm consolidado`: R4V's consolidated table for every country in one call (SPEC §13, issue 16, acceptance 4).

One hand-made three-country 5W (a real CSV through the real loader). The table must
hold the figures `mdrm metrics` gives country by country (national params: `pais`,
`region: null`), month by month and for an admin1, and the columns of R4V's
consolidated template. Key figures are also worked out by hand.

Rows (mensual / nuevos; split on the population columns; ages):
  Peru      2020-08 Tacna    Shelter               20 / 10  perm 10           mujeres 10
  Peru      2020-08 Tacna    Health                 8 /  8  acog 8            hombres 8
  Peru      2020-09 Tacna    Shelter               30 / 12  perm 6, trans 6   ninas 6, ninos 6   CVA Sí
  Peru      2020-09 Tacna    Food Security         40 / 20  no split          hombres 20
  Peru      2020-09 Lima     Health                15 / 15  perm 15           mujeres 15
  Peru      2020-09 Lima     Health (RMRP No)      50 / 50  perm 50           (excluded)
  Peru      2020-09 Lima     Common Services (IM)   0 /  0                    (excluded: no people)
  Colombia  2020-09 N. Sant. Shelter              100 / 60  perm 30, trans 30 mujeres 60         CVA Sí
  Colombia  2020-09 N. Sant. Protection (General)  70 / 70  perm 70           hombres 70
  Colombia  2020-09 N. Sant. (an exact copy of the row above: excluded)
  Colombia  2020-09 Bogotá   Education             25 / 25  acog 25           ninas 25
  Ecuador   2020-08 Pichin.  Integration           12 / 12  perm 12           mujeres 12
  Ecuador   2020-09 Pichin.  Integration            9 /  3  perm 3            mujeres 3
  Ecuador   2020-09 Pichin.  Health                 5 /  5  no split          no ages
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from mdrm.cli import main

# R4V's consolidated template, in its order (R4VRMRP2023 R/3_consolidated_report.R, `select(...)`,
# with the `Sector` column of r4v_app's 2021 template).
R4V_TEMPLATE = [
    "Platform", "Country", "Admin1", "Month", "Sector", "Subsector",
    "Monthly Total Beneficiaries", "Monthly CVA Beneficiaries",
    "Consolidated Total", "Consolidated In Destination", "Consolidated In Transit",
    "Consolidated Host Communities", "Consolidated Pendular", "Consolidated Returnees",
    "Consolidated Girls", "Consolidated Boys", "Consolidated Women", "Consolidated Men",
    "Consolidated Other under 18", "Consolidated Other above 18",
    "Consolidated CVA Beneficiaries",
    "Check PopType Breakdown", "Check AGD Breakdown", "Check CVA higher Total",
]
POPULATION = {"permanencia": "In Destination", "transito": "In Transit", "acogida": "Host Communities",
              "pendulares": "Pendular", "retornados": "Returnees", "sin_desagregar": "Unsplit"}
SEX_AGE = {"ninas": "Girls", "ninos": "Boys", "mujeres": "Women", "hombres": "Men",
           "otros_menores": "Other under 18", "otros_adultos": "Other above 18"}


def row(country, month, admin1, sector, mensual, nuevos, **cells):
    return {"country": country, "month": month, "admin1": admin1, "admin2": "", "sector": sector,
            "total_monthly": mensual, "new_beneficiaries": nuevos, "activity_name": f"{sector} {admin1}", **cells}


PROTECTION_NDS = row("Colombia", "2020-09", "Norte de Santander", "Protection (General)", 70, 70, permanencia=70,
                     hombres=70, appealing_org="Org C")
ROWS = [
    row("Peru", "2020-08", "Tacna", "Shelter", 20, 10, permanencia=10, mujeres=10),
    row("Peru", "2020-08", "Tacna", "Health", 8, 8, acogida=8, hombres=8),
    row("Peru", "2020-09", "Tacna", "Shelter", 30, 12, permanencia=6, transito=6, ninas=6, ninos=6, cva="Sí",
        cva_value_usd=100),
    row("Peru", "2020-09", "Tacna", "Food Security", 40, 20, hombres=20),
    row("Peru", "2020-09", "Lima", "Health", 15, 15, permanencia=15, mujeres=15),
    row("Peru", "2020-09", "Lima", "Health", 50, 50, permanencia=50, mujeres=50, rmrp_activity="No",
        activity_name="Fuera del RMRP"),
    row("Peru", "2020-09", "Lima", "Common Services (Information Management)", 0, 0, quantity=3),
    row("Colombia", "2020-09", "Norte de Santander", "Shelter", 100, 60, permanencia=30, transito=30, mujeres=60,
        cva="Sí", cva_value_usd=500, appealing_org="Org C"),
    PROTECTION_NDS,
    PROTECTION_NDS,
    row("Colombia", "2020-09", "Bogotá", "Education", 25, 25, acogida=25, ninas=25, appealing_org="Org C"),
    row("Ecuador", "2020-08", "Pichincha", "Integration", 12, 12, permanencia=12, mujeres=12, appealing_org="Org E"),
    row("Ecuador", "2020-09", "Pichincha", "Integration", 9, 3, permanencia=3, mujeres=3, appealing_org="Org E"),
    row("Ecuador", "2020-09", "Pichincha", "Health", 5, 5, appealing_org="Org E"),
]
COUNTRY_MONTHS = [("Perú", "Peru", "2020-08"), ("Perú", "Peru", "2020-09"), ("Colombia", "Colombia", "2020-09"),
                  ("Ecuador", "Ecuador", "2020-08"), ("Ecuador", "Ecuador", "2020-09")]


@pytest.fixture
def data(five_w):
    return five_w(ROWS)


@pytest.fixture
def table(data, tmp_path, capsys):
    out = tmp_path / "consolidado.xlsx"
    assert main(["consolidado", "--datos", str(data), "-o", str(out)]) == 0
    assert "Escrito" in capsys.readouterr().err
    return pd.read_excel(out, sheet_name="Consolidado", engine="calamine")


def metrics(month_params, data, tmp_path, name, **keys) -> dict:
    out = tmp_path / f"{name}.json"
    params = month_params(data, name=f"{name}.yml", cifras_clave=None, **keys)
    assert main(["metrics", "--params", str(params), "-o", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def one(table, country, admin1, month, subsector) -> pd.Series:
    found = table[(table["Country"] == country) & (table["Admin1"] == admin1) & (table["Month"] == month)
                  & (table["Subsector"] == subsector)]
    assert len(found) == 1, (country, admin1, month, subsector, len(found))
    return found.iloc[0]


def groups(line: pd.Series, prefix: str) -> dict[str, int]:
    return {g: int(line[f"{prefix} {name}"]) for g, name in POPULATION.items()}


def published(by_population: dict) -> dict:
    return {g: int(by_population.get(g, 0)) for g in POPULATION}


def test_columns_are_r4vs_template_then_the_kits_own(table):
    assert list(table.columns[:len(R4V_TEMPLATE)]) == R4V_TEMPLATE
    assert list(table.columns[len(R4V_TEMPLATE):]) == [
        "Consolidated Unsplit", "Monthly Consolidated Total",
        *(f"Monthly Consolidated {n}" for n in ["In Destination", "In Transit", "Host Communities", "Pendular",
                                                 "Returnees", "Unsplit"]),
        *(f"Monthly Consolidated {n}" for n in SEX_AGE.values()), "Monthly Consolidated CVA Beneficiaries"]


def test_hand_worked_figures(table):
    # Peru, national intersector (maximo by admin1, regla_maximo por_grupo, new beneficiaries):
    #   August: Tacna Shelter perm 10, Health acog 8 -> 18.
    #   September: Tacna Shelter perm 6 + trans 6; Food Security 20 unsplit take Tacna's split (6 : 6)
    #   -> perm 10, trans 10; max perm 10, trans 10 -> 20. Lima Health perm 15. Month: perm 25, trans 10 = 35.
    #   Year to date: perm 10 + 25 = 35, trans 10, acog 8 -> 53.
    peru = one(table, "Peru", "Country level", "2020-09", "Intersector")
    assert peru["Monthly Consolidated Total"] == 35
    assert peru["Consolidated Total"] == 53
    assert groups(peru, "Consolidated") == {"permanencia": 35, "transito": 10, "acogida": 8, "pendulares": 0,
                                            "retornados": 0, "sin_desagregar": 0}
    # ages of the counted rows, new beneficiaries, August + September: ninas 6, ninos 6, mujeres 10 + 15,
    # hombres 8 + 20 (Σ 65) apportioned to 53: 4.89, 4.89, 20.38, 22.83 -> floors 4, 4, 20, 22 (50);
    # 3 left to the largest remainders: ninas .89, ninos .89, hombres .83 -> 5, 5, 20, 23
    assert [int(peru[f"Consolidated {n}"]) for n in SEX_AGE.values()] == [5, 5, 20, 23, 0, 0]
    # monthly totals (R4V: the plain sum of the sectors' total monthly): 30 + 40 + 15 = 85 (the row
    # marked RMRP No and the common service do not count); CVA: the Shelter row, 30
    assert (peru["Monthly Total Beneficiaries"], peru["Monthly CVA Beneficiaries"]) == (85, 30)
    # CVA people without double counting: the CVA rows only (Shelter 12 new) -> 12
    assert peru["Consolidated CVA Beneficiaries"] == 12
    assert (peru["Check PopType Breakdown"], peru["Check AGD Breakdown"], peru["Check CVA higher Total"]) == \
        ("Ok", "Ok", "ok")
    assert peru["Platform"] == "Peru"
    # a sector: Shelter in Peru, year to date 10 + 12 new = 22, of which perm 16, trans 6
    shelter = one(table, "Peru", "Country level", "2020-09", "Shelter")
    assert (shelter["Consolidated Total"], shelter["Monthly Consolidated Total"]) == (22, 12)
    assert (shelter["Consolidated In Destination"], shelter["Consolidated In Transit"]) == (16, 6)
    assert shelter["Sector"] == "Alojamiento"  # the packaged grouping: one subgroup per R4V sector
    # Food Security: 20 unsplit -> R4V's population check flags them; its ages are all men: Ok
    food = one(table, "Peru", "Tacna", "2020-09", "Food Security")
    assert (food["Consolidated Total"], food["Consolidated Unsplit"]) == (20, 20)
    assert food["Check PopType Breakdown"] == "Check Population Type breakdown"
    assert food["Check AGD Breakdown"] == "Ok"
    # Health in Peru: a sector with no row in Tacna in September keeps its year to date there (8)
    assert one(table, "Peru", "Tacna", "2020-09", "Health")["Consolidated Total"] == 8
    assert one(table, "Peru", "Tacna", "2020-09", "Health")["Monthly Total Beneficiaries"] == 0
    # Colombia: N. Santander Shelter perm 30 trans 30, Protection perm 70 (its copy excluded) -> perm 70,
    # trans 30 = 100; Bogotá acog 25 -> 125
    colombia = one(table, "Colombia", "Country level", "2020-09", "Intersector")
    assert colombia["Consolidated Total"] == 125
    assert colombia["Platform"] == "Colombia"
    # Ecuador, September: Integration perm 3; Health 5 unsplit take the unit's split (perm) -> max(3, 5) = 5;
    # year to date 12 + 5 = 17. Its Health row has no split and no ages: both R4V checks flag it.
    ecuador = one(table, "Ecuador", "Country level", "2020-09", "Intersector")
    assert (ecuador["Monthly Consolidated Total"], ecuador["Consolidated Total"]) == (5, 17)
    assert ecuador["Platform"] == "Ecuador"
    health = one(table, "Ecuador", "Pichincha", "2020-09", "Health")
    assert (health["Check PopType Breakdown"], health["Check AGD Breakdown"]) == \
        ("Check Population Type breakdown", "Check AGD breakdown")
    # no row for the excluded rows: Lima has Health only, and no Common Services row anywhere
    assert set(table.loc[(table["Admin1"] == "Lima"), "Subsector"]) == {"Intersector", "Health"}
    assert not table["Subsector"].str.startswith("Common Services").any()


@pytest.mark.parametrize("pais, country, month", COUNTRY_MONTHS)
def test_every_country_and_month_equals_mdrm_metrics(table, month_params, data, tmp_path, pais, country, month):
    national = {"pais": pais, "region": None, "mes": month}
    ytd = metrics(month_params, data, tmp_path, "ytd", **national)
    new = metrics(month_params, data, tmp_path, "new", base_personas="nuevos", **national)
    line = one(table, country, "Country level", month, "Intersector")
    # the year to date of the intersector: R4V's Consolidated columns = metrics' ytd.people_reached
    assert line["Consolidated Total"] == ytd["ytd"]["people_reached"]["total"]
    assert groups(line, "Consolidated") | {"sin_desagregar": int(line["Consolidated Unsplit"])} == \
        published(ytd["ytd"]["people_reached"]["by_population"])
    # the month's own intersector figure on new beneficiaries = metrics with base_personas: nuevos
    assert line["Monthly Consolidated Total"] == new["people_reached"]["total"]
    assert groups(line, "Monthly Consolidated") == published(new["people_reached"]["by_population"])
    assert {a: int(line[f"Monthly Consolidated {n}"]) for a, n in SEX_AGE.items()} == new["by_sex_age"]
    # sectors: the month's total monthly beneficiaries = metrics' sectors; the year to date of each
    # sector's new beneficiaries = metrics' ytd.sectors
    sectors = table[(table["Country"] == country) & (table["Admin1"] == "Country level") & (table["Month"] == month)
                    & (table["Subsector"] != "Intersector")]
    in_month = sectors[sectors["Monthly Total Beneficiaries"] > 0]
    assert dict(zip(in_month["Subsector"], in_month["Monthly Total Beneficiaries"])) == \
        {s: f["total"] for s, f in ytd["sectors"].items()}
    assert dict(zip(sectors["Subsector"], sectors["Consolidated Total"])) == ytd["ytd"]["sectors"]


def test_an_admin1_equals_mdrm_metrics_of_that_region(table, month_params, data, tmp_path):
    m = metrics(month_params, data, tmp_path, "tacna", pais="Perú", region="Tacna", mes="2020-09")
    line = one(table, "Peru", "Tacna", "2020-09", "Intersector")
    # Tacna: August 18, September 20 -> 38
    assert line["Consolidated Total"] == m["ytd"]["people_reached"]["total"] == 38


def test_csv_holds_the_same_table_and_the_file_is_read_once(data, tmp_path, table, monkeypatch):
    import mdrm.consolidado
    import mdrm.region

    reads = []
    for module in (mdrm.consolidado, mdrm.region):
        original = module.read_5w
        monkeypatch.setattr(module, "read_5w", lambda *a, _o=original, **k: reads.append(a) or _o(*a, **k))
    out = tmp_path / "consolidado.csv"
    assert main(["consolidado", "--datos", str(data), "-o", str(out)]) == 0
    assert len(reads) == 1
    pd.testing.assert_frame_equal(pd.read_csv(out, keep_default_na=False), table.fillna(""), check_dtype=False)


def test_params_give_the_scope_and_the_rules(data, tmp_path, month_params, capsys):
    # Peru only, R4V 2021's maxsector: Tacna September: Food Security 20 > Shelter 12 -> its 20 unsplit;
    # Lima 15 -> month 35; August: Shelter 10 > Health 8 -> perm 10; year to date 45
    params = month_params(data, pais="Perú", region=None, deduplicacion={"metodo": "maximo",
                                                                          "regla_maximo": "por_sector"})
    out = tmp_path / "peru.xlsx"
    assert main(["consolidado", "--params", str(params), "-o", str(out)]) == 0
    peru = pd.read_excel(out, engine="calamine")
    assert set(peru["Country"]) == {"Peru"}
    line = one(peru, "Peru", "Country level", "2020-09", "Intersector")
    assert (line["Monthly Consolidated Total"], line["Consolidated Total"]) == (35, 45)
    assert line["Consolidated Unsplit"] == 20
    notes = pd.read_excel(out, sheet_name="Notas", engine="calamine")["Notas"].tolist()
    assert any("máximo por sector" in n for n in notes)
    assert any("Filas leídas: 7; contadas para personas: 5; excluidas: 2" in n for n in notes)


@pytest.mark.parametrize("args, words", [
    (["-o", "{tmp}/c.txt", "--datos", "{data}"], ["-o", ".xlsx o .csv"]),
    (["-o", "{tmp}/c.xlsx"], ["--datos", "--params"]),
    (["-o", "{tmp}/c.xlsx", "--datos", "{tmp}/no.xlsx"], ["no existe el archivo de datos"]),
])
def test_bad_input_exits_2_and_writes_nothing(data, tmp_path, capsys, args, words):
    args = [a.format(tmp=tmp_path, data=data) for a in args]
    assert main(["consolidado", *args]) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not (tmp_path / "c.txt").exists() and not (tmp_path / "c.xlsx").exists()


def test_a_bad_cell_of_any_country_is_a_hard_error(five_w, tmp_path, capsys):
    bad = five_w([*ROWS, row("Ecuador", "2020-09", "Pichincha", "Health", "doce", 5)])
    assert main(["consolidado", "--datos", str(bad), "-o", str(tmp_path / "c.xlsx")]) == 2
    assert "doce" in capsys.readouterr().err
    assert not (tmp_path / "c.xlsx").exists()


def test_largest_remainder_on_rows_is_the_one_rule_row_by_row():
    import numpy as np

    from mdrm.rounding import largest_remainder, largest_remainder_rows

    # by hand: 2 over three equal weights -> 1, 1, 0 (ties to the part listed first); 53 over
    # 6, 6, 25, 28 -> 5, 5, 20, 23 (test_hand_worked_figures); nothing to apportion by -> 0s
    weights = np.array([[1, 1, 1, 0], [6, 6, 25, 28], [0, 0, 0, 0], [0.4, 0.4, 0.2, 0]])
    assert largest_remainder_rows(weights, np.array([2, 53, 7, 1])).tolist() == \
        [[1, 1, 0, 0], [5, 5, 20, 23], [0, 0, 0, 0], [1, 0, 0, 0]]
    rng = np.random.default_rng(16)
    weights = rng.integers(0, 5, (300, 6)) * rng.random((300, 6))
    totals = rng.integers(0, 40, 300)
    rows = largest_remainder_rows(weights, totals)
    names = list("abcdef")
    for w, t, got in zip(weights, totals, rows):
        assert got.tolist() == list(largest_remainder(dict(zip(names, w)), int(t), names).values())


def test_the_workbook_opens_in_openpyxl_with_numbers_as_numbers(data, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "c.xlsx"
    assert main(["consolidado", "--datos", str(data), "-o", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Consolidado", "Notas"]
    rows = list(book["Consolidado"].iter_rows(values_only=True))
    assert list(rows[0][:len(R4V_TEMPLATE)]) == R4V_TEMPLATE
    peru = next(r for r in rows if r[1] == "Peru" and r[2] == "Country level" and r[3] == "2020-09"
                and r[5] == "Intersector")
    assert peru[8] == 53 and isinstance(peru[8], int)


def test_a_params_file_of_rules_only_covers_every_country_of_the_file(data, tmp_path):
    # no mes, no datos, no region nor pais: the rules apply to the whole file given with --datos.
    # por_sector, Colombia: N. Santander Shelter 60 < Protection 70 -> 70; Bogotá 25 -> 95 (por_grupo: 125)
    rules = tmp_path / "r4v.yml"
    rules.write_text("deduplicacion: {metodo: maximo, regla_maximo: por_sector}\n", encoding="utf-8")
    out = tmp_path / "c.xlsx"
    assert main(["consolidado", "--datos", str(data), "--params", str(rules), "-o", str(out)]) == 0
    table = pd.read_excel(out, engine="calamine")
    assert set(table["Country"]) == {"Peru", "Colombia", "Ecuador"}
    assert one(table, "Colombia", "Country level", "2020-09", "Intersector")["Consolidated Total"] == 95
    # without --datos nor «datos:», nothing to read: exit 2
    assert main(["consolidado", "--params", str(rules), "-o", str(tmp_path / "d.xlsx")]) == 2
    assert not (tmp_path / "d.xlsx").exists()


def test_a_report_still_needs_its_month_data_and_region(data, tmp_path, capsys):
    from conftest import metrics_exit_2

    rules = tmp_path / "r4v.yml"
    rules.write_text(f"datos: {data}\nmes: '2020-09'\n", encoding="utf-8")
    metrics_exit_2(capsys, rules, tmp_path, "falta la clave obligatoria «region»")


def test_admin2_asked_without_admin2_in_the_export_is_computed_by_admin1_and_said(data, five_w, tmp_path, capsys):
    # the hand-made file's Admin2 column is blank everywhere: W04, and the figures are admin1's (53 for Peru)
    rules = tmp_path / "r4v.yml"
    rules.write_text("deduplicacion: {metodo: maximo, nivel: admin2}\n", encoding="utf-8")
    out = tmp_path / "c.xlsx"
    assert main(["consolidado", "--datos", str(data), "--params", str(rules), "-o", str(out)]) == 0
    assert "Aviso W04" in capsys.readouterr().err
    assert any("Aviso W04" in n for n in pd.read_excel(out, sheet_name="Notas", engine="calamine")["Notas"])
    assert one(pd.read_excel(out, engine="calamine"), "Peru", "Country level", "2020-09",
               "Intersector")["Consolidated Total"] == 53
    # with province names, nothing to say
    with_admin2 = five_w([{**r, "admin2": "Provincia 1"} for r in ROWS], name="con_admin2.csv")
    assert main(["consolidado", "--datos", str(with_admin2), "--params", str(rules), "-o", str(out)]) == 0
    assert "Aviso W04" not in capsys.readouterr().err


def test_nothing_counted_is_an_empty_table_that_says_why(five_w, tmp_path, capsys):
    # every row marked RMRP «No» (the Peru rows of ROWS): no row counts, the table has its columns and no row
    data = five_w([{**r, "rmrp_activity": "No"} for r in ROWS[:7]])
    out = tmp_path / "c.xlsx"
    assert main(["consolidado", "--datos", str(data), "-o", str(out)]) == 0
    assert "Aviso W01" in capsys.readouterr().err
    table = pd.read_excel(out, engine="calamine")
    assert list(table.columns[:len(R4V_TEMPLATE)]) == R4V_TEMPLATE and table.empty
    notes = pd.read_excel(out, sheet_name="Notas", engine="calamine")["Notas"].tolist()
    assert "Filas leídas: 7; contadas para personas: 0; excluidas: 7 (actividades fuera del RMRP: 7)." in notes
