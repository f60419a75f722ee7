"""Rows counted as R4V counts them, said out loud (issue 16, SPEC §13; docs/metodologia.md, «Filas contadas
como R4V»): `solo_rmrp`, the indicator list and its people types, the export's own type column, exact copies
on every column, `suma` as the integer sum of the basis, warnings W08–W10, the country error, and R4V's
quality rules Q14–Q21. Every figure below is worked by hand in a comment.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import FIXTURES_R4V, SPANISH_HEADERS, require_r4v_fixtures, rows_frame

FIXTURE_LIST = FIXTURES_R4V / "indicadores_rmrp_2021.xlsx"
SHELTER_PIN = "# de personas con alojamiento"
SHELTER_PEOPLE = "# de personas capacitadas en alojamiento"
SHELTER_OTHER = "# de albergues rehabilitados"


def codes(metrics: dict) -> list[str]:
    return [w["code"] for w in metrics["warnings"]]


def message(metrics: dict, code: str) -> str:
    return next(w["message"] for w in metrics["warnings"] if w["code"] == code)


def without_type(frame: pd.DataFrame) -> pd.DataFrame:
    """A 5W as R4V's 2021–2024 exports are: no indicator type column."""
    return frame.drop(columns=[SPANISH_HEADERS["indicator_type"]])


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def metrics_of_frame(tmp_path, month_params):
    """A 5W frame (+ params keys) -> the metrics dictionary, through the real files."""
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    def run(frame: pd.DataFrame, **keys) -> dict:
        data = write_csv(frame, tmp_path / "5w.csv")
        return compute(load_month(load_params(month_params(data, **keys))))

    return run


# --- solo_rmrp and W08 -----------------------------------------------------------------------------------------------

ALL_NO = [  # Tacna's rows, every one marked RMRP "No" (as one country of the 2021 export marks all its rows)
    {"sector": "Shelter", "total_monthly": 20, "new_beneficiaries": 20, "permanencia": 20, "rmrp_activity": "No"},
    {"sector": "Health", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 6, "transito": 4,
     "rmrp_activity": "No"},
]


def test_a_region_whose_rows_are_all_rmrp_no_counts_with_solo_rmrp_false(metrics_of):
    # solo_rmrp: true (default): nothing counts, 0 people, and W08 says 30 of 30 people are left out
    # (Σ total monthly of the two rows = 20 + 10, no deduplication in the warning's count)
    strict = metrics_of(ALL_NO)
    assert strict["people_reached"]["total"] == 0
    assert {"W01", "W08"} <= set(codes(strict))
    said = message(strict, "W08")
    assert "30 de las 30 personas" in said and "2 filas" in said and "solo_rmrp: false" in said
    assert strict["counting"]["solo_rmrp"] is True
    # solo_rmrp: false (R4V 2021): both rows count. maximo at admin1 (one unit, Tacna):
    # permanencia = max(20 Shelter, 6 Health) = 20; transito = max(0, 4) = 4; total 24
    lenient = metrics_of(ALL_NO, solo_rmrp=False)
    assert lenient["people_reached"]["by_population"] == {"permanencia": 20, "transito": 4, "acogida": 0}
    assert lenient["people_reached"]["total"] == 24
    assert lenient["rows"]["counted"] == 2
    assert "W08" not in codes(lenient) and "W01" not in codes(lenient)
    assert lenient["counting"]["solo_rmrp"] is False


def test_w08_from_ten_percent_of_the_months_people(metrics_of):
    counted = {"sector": "Shelter", "total_monthly": 18, "new_beneficiaries": 18, "permanencia": 18}
    # 2 people left out of 18 + 2 = 20: 10 % -> W08
    raised = metrics_of([counted, {**counted, "total_monthly": 2, "new_beneficiaries": 2, "permanencia": 2,
                                   "rmrp_activity": "No", "activity_name": "Otra"}])
    assert "W08" in codes(raised)
    assert "2 de las 20 personas" in message(raised, "W08") and "10.0%" in message(raised, "W08")
    # 1 left out of 18 + 1 = 19: 5.3 % -> silent
    silent = metrics_of([counted, {**counted, "total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1,
                                   "rmrp_activity": "No", "activity_name": "Otra"}])
    assert "W08" not in codes(silent)
    # an RMRP "No" row of a common service counts no people anyway: no W08
    services = metrics_of([counted, {**counted, "sector": "Common Services (IM)", "rmrp_activity": "No"}])
    assert "W08" not in codes(services)


def test_solo_rmrp_must_be_true_or_false(tmp_path, month_params, five_w, capsys):
    from conftest import metrics_exit_2

    metrics_exit_2(capsys, month_params(five_w(ALL_NO), solo_rmrp="no"), tmp_path, "solo_rmrp", "true o false")


# --- indicator types: the list, the export's column, W09 -------------------------------------------------------------

TYPED_ROWS = [  # one sector, one unit: maximo adds the sector's rows, so the headline is the sum of those counted
    {"sector": "Shelter", "indicator": SHELTER_PIN, "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10},
    {"sector": "Shelter", "indicator": SHELTER_PEOPLE, "total_monthly": 20, "new_beneficiaries": 20,
     "permanencia": 20, "activity_name": "Capacitación"},
    {"sector": "Shelter", "indicator": SHELTER_OTHER, "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5,
     "quantity": 2, "activity_name": "Rehabilitación"},
    {"sector": "Shelter", "indicator": "Indicador que no está en la lista", "total_monthly": 7,
     "new_beneficiaries": 7, "permanencia": 7, "activity_name": "Otra cosa"},
]


def indicator_list(path: Path, headers=("Sector / Subsector / WG", "Indicator", "Indicator_Type")) -> Path:
    """R4V's list for TYPED_ROWS, written as R4V writes it (English sector names) but with other case, accents
    and spaces than the export: the join compares them normalized; the Spanish «Alojamiento» is Shelter."""
    frame = pd.DataFrame([
        ["Shelter", "#  DE PERSONAS CON ALOJAMIENTO ", "Pin"],
        ["Alojamiento", "# de personas capacitadas en alojamiento", "People"],
        ["shelter", "# de albergues rehabilitádos", "Other"],
        ["Health", "# de consultas", "Pin"],
    ], columns=list(headers))
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name, headers", [
    ("lista.csv", ("Sector / Subsector / WG", "Indicator", "Indicator_Type")),
    ("lista.xlsx", ("Indicador Sector", "Indicador", "Tipo de indicador")),
])
def test_with_the_list_only_people_in_need_indicators_count(metrics_of_frame, tmp_path, name, headers):
    listed = indicator_list(tmp_path / name, headers)
    m = metrics_of_frame(without_type(rows_frame(TYPED_ROWS)), indicadores=str(listed))
    # only the Pin row counts: 10 (People 20, Other 5 and the unlisted 7 do not)
    assert m["people_reached"]["total"] == 10
    assert m["rows"]["counted"] == 1
    assert m["rows"]["excluded_by_reason"] == {"indicador_no_personas": 2, "indicador_sin_tipo": 1}
    assert "W09" not in codes(m)
    assert m["counting"]["indicator_list"] == name
    assert m["counting"]["people_types"] == ["Pin", "Direct Assistance"]


def test_without_list_nor_type_column_every_indicator_counts_and_w09_says_so(metrics_of_frame):
    m = metrics_of_frame(without_type(rows_frame(TYPED_ROWS)))
    # every row counts: 10 + 20 + 5 + 7 = 42 in the one sector and unit
    assert m["people_reached"]["total"] == 42
    assert codes(m).count("W09") == 1
    assert "todos los indicadores" in message(m, "W09")
    assert m["counting"]["indicator_list"] is None and m["counting"]["type_column"] is False


def test_the_exports_own_type_column_is_used(metrics_of_frame, tmp_path):
    frame = rows_frame(TYPED_ROWS)
    frame[SPANISH_HEADERS["indicator_type"]] = ["Pin", "People", "Other", "Pin"]
    m = metrics_of_frame(frame)
    # no list: the column types the rows; Pin rows 10 + 7 count
    assert m["people_reached"]["total"] == 17
    assert "W09" not in codes(m)
    assert m["counting"]["type_column"] is True
    # with the list too, the export's column wins where it has a value: the unlisted row is typed Pin there
    both = metrics_of_frame(frame, indicadores=str(indicator_list(tmp_path / "lista.csv")))
    assert both["people_reached"]["total"] == 17
    # it is still not in the list (Q20), but it counts: the message does not say it does not
    q20 = [i["message"] for i in both["quality"]["issues"] if i["code"] == "Q20"]
    assert len(q20) == 1 and "Indicador que no está en la lista" in q20[0] and "no cuenta" not in q20[0]


def test_tipos_personas_chooses_the_types(metrics_of_frame, tmp_path):
    listed = indicator_list(tmp_path / "lista.csv")
    # People and Pin: 10 + 20 = 30
    m = metrics_of_frame(without_type(rows_frame(TYPED_ROWS)), indicadores=str(listed), tipos_personas=["pin", "PEOPLE"])
    assert m["people_reached"]["total"] == 30


def test_the_real_2021_list_is_read_like_a_5w_table():
    require_r4v_fixtures()
    from mdrm.indicators import read_indicator_list

    table = read_indicator_list(FIXTURE_LIST).table
    assert len(table) == 95
    assert set(table["indicator_type"]) == {"Pin", "People", "Other"}
    # its header is «Sector...Subsector...WG» (R's make.names of «Sector / Subsector / WG»)
    health = table[(table["sector"] == "Health")
                   & (table["indicator"] == "N° de personas que reciben asistencia en salud sexual y reproductiva")]
    assert health["indicator_type"].tolist() == ["Pin"]
    assert health["sector_key"].tolist() == ["health"]


def test_a_list_without_a_type_column_is_a_hard_error(tmp_path, month_params, five_w, capsys):
    from conftest import metrics_exit_2

    bad = tmp_path / "lista.csv"
    pd.DataFrame([["Shelter", SHELTER_PIN]], columns=["Sector", "Indicator"]).to_csv(bad, index=False)
    metrics_exit_2(capsys, month_params(five_w(TYPED_ROWS), indicadores=str(bad)), tmp_path,
                   "lista.csv", "Tipo de indicador", "Encabezados encontrados")


def test_w09_is_told_once_in_a_batch_not_per_month():
    from mdrm.batch import MonthOutcome, summary
    from mdrm.figure_warnings import NO_TYPES_MESSAGE

    w09 = {"code": "W09", "message": NO_TYPES_MESSAGE}
    w05 = {"code": "W05", "message": "sin desagregar"}
    outcomes = [MonthOutcome("2020-08", Path("2020-08.yml"), headline=1, warnings=[w09]),
                MonthOutcome("2020-09", Path("2020-09.yml"), headline=2, warnings=[w09, w05])]
    text = summary(outcomes)
    assert text.count("W09") == 1 and "todos los meses" in text
    assert text.count("W05") == 1


# --- exact copies and suma -----------------------------------------------------------------------------------------

def test_an_exact_copy_is_equal_in_every_column_of_the_export(metrics_of_frame):
    row = {"sector": "Shelter", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10}
    # equal in every column the kit reads, different in «Notas», which it does not read: two reports, 20 people
    differ = rows_frame([row, row]).assign(Notas=["primera entrega", "segunda entrega"])
    m = metrics_of_frame(differ)
    assert m["quality"]["counts"]["Q08"] == 0
    assert m["people_reached"]["total"] == 20
    # equal in «Notas» too: an exact copy (Q08), left out: 10 people
    same = rows_frame([row, row]).assign(Notas=["primera entrega", "primera entrega"])
    m = metrics_of_frame(same)
    assert m["quality"]["counts"]["Q08"] == 1
    assert m["people_reached"]["total"] == 10


def test_suma_is_the_integer_sum_of_the_basis(metrics_of):
    rows = [  # fractional people, as real exports carry them (Q09)
        {"sector": "Shelter", "total_monthly": 2.5, "new_beneficiaries": 2.5, "permanencia": 2.5},
        {"sector": "Health", "total_monthly": 1.5, "new_beneficiaries": 1.5, "transito": 1.5},
    ]
    m = metrics_of(rows, deduplicacion={"metodo": "suma", "nivel": "admin1"})
    # Σ basis = 2.5 + 1.5 = 4 (rounding each group first would give 3 + 2 = 5);
    # the groups are apportioned to 4 by largest remainder: quotas 2.5 and 1.5, floors 2 and 1, the unit left
    # goes to the tie's first group (permanencia): 3 and 1
    assert m["people_reached"]["total"] == 4
    assert m["people_reached"]["by_population"] == {"permanencia": 3, "transito": 1, "acogida": 0}
    # maximo keeps rounding each group once: max(2.5, 0) -> 3 and max(0, 1.5) -> 2
    assert metrics_of(rows)["people_reached"]["total"] == 5


# --- W10 and the country column ------------------------------------------------------------------------------------

PERU_ROW = {"sector": "Shelter", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 6, "transito": 4,
            "ninas": 5, "mujeres": 5}


@pytest.mark.parametrize("field, renamed, named, consequence", [
    ("rmrp_activity", "Actividad del plan", "«Actividad RMRP» / «RMRP Activity»", "ninguna fila se excluye"),
    ("pendulares", "Pendulares (personas)", "«Refugiados y migrantes PENDULARES» / «Refugees and Migrants PENDULARS»",
     "ese grupo de población queda en 0"),
    ("ninas", "Chicas menores de 18", "«Ninas y Adolescentes menores de 18» / «Women under 18»", "esa parte de sexo y edad"),
])
def test_w10_names_each_renamed_column(metrics_of_frame, field, renamed, named, consequence):
    frame = rows_frame([PERU_ROW])
    m = metrics_of_frame(frame)
    assert "W10" not in codes(m)
    m = metrics_of_frame(frame.rename(columns={SPANISH_HEADERS[field]: renamed}))
    assert "W10" in codes(m)
    said = message(m, "W10")
    assert named in said and consequence in said and "columnas:" in said
    # named once, and only that column
    assert said.count("«") == 2 + said.count("«Actividad RMRP = No»")


def test_w10_on_a_renamed_women_under_18_the_girls_are_0_and_said(metrics_of_frame):
    frame = rows_frame([PERU_ROW]).rename(columns={SPANISH_HEADERS["ninas"]: "Mujeres menores de 18"})
    m = metrics_of_frame(frame)
    # the 5 girls are not read: the sex/age split is mujeres 5 only, so the 10 people are all women
    assert m["by_sex_age"]["ninas"] == 0 and m["by_sex_age"]["mujeres"] == 10
    assert "«Ninas y Adolescentes menores de 18» / «Women under 18»" in message(m, "W10")


def test_w10_names_country_with_pais_and_admin2_with_nivel_admin2(metrics_of_frame):
    frame = rows_frame([PERU_ROW]).drop(columns=[SPANISH_HEADERS["country"], SPANISH_HEADERS["admin2"]])
    plain = metrics_of_frame(frame)
    assert "W10" not in codes(plain)  # neither asked for: not expected
    m = metrics_of_frame(frame, pais="Perú", deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    said = message(m, "W10")
    assert "«País Country» / «Country»" in said and "«Admin2»" in said


def no_country(rows: list[dict]) -> pd.DataFrame:
    return rows_frame(rows).drop(columns=[SPANISH_HEADERS["country"]])


MIXED = [  # a regional export whose «Country» header was renamed: Peru's, Colombia's and Brazil's regions
    {**PERU_ROW, "admin1": "Tacna"},
    {**PERU_ROW, "admin1": "Lima"},
    {**PERU_ROW, "admin1": "Antioquia"},
    {**PERU_ROW, "admin1": "Roraima"},
]


def test_no_country_column_with_other_countries_regions_is_a_hard_error(tmp_path, month_params, capsys):
    from conftest import metrics_exit_2

    data = write_csv(no_country(MIXED), tmp_path / "5w.csv")
    # the national report of Peru would count Antioquia (Colombia) and Roraima (Brazil) as Peru's
    err = metrics_exit_2(capsys, month_params(data, region=None, pais="Perú"), tmp_path,
                         "no tiene columna de país", "«Antioquia» (Colombia, fila 4)", "«Roraima» (Brasil, fila 5)")
    assert "Tacna" not in err.split("Perú:")[1].split(".")[0]
    # a list of Peru's regions, one of them Colombian: the same error, naming that one only
    err = metrics_exit_2(capsys, month_params(data, region=["Tacna", "Antioquia"], pais="Perú"), tmp_path,
                         "«Antioquia» (Colombia")
    assert "Roraima" not in err


def test_no_country_column_with_the_countrys_own_regions_is_fine(metrics_of_frame):
    # only Peru's regions: nothing to mix; W10 says the column is absent
    m = metrics_of_frame(no_country(MIXED[:2]), region=None, pais="Perú")
    assert m["people_reached"]["total"] == 20  # Tacna 10 + Lima 10 (admin1s add up nationally)
    assert "«País Country» / «Country»" in message(m, "W10")
    # the Mesa's own region in a mixed file is fine too: Tacna is Peru's only
    m = metrics_of_frame(no_country(MIXED), region="Tacna", pais="Perú")
    assert m["people_reached"]["total"] == 10


def test_no_country_column_error_writes_nothing_from_report(tmp_path, month_params):
    from mdrm.cli import main

    data = write_csv(no_country(MIXED), tmp_path / "5w.csv")
    out = tmp_path / "reports"
    code = main(["report", "--params", str(month_params(data, region=None, pais="Perú")), "--out", str(out)])
    assert code == 2
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))


# --- R4V's quality rules Q14–Q21 -----------------------------------------------------------------------------------
# Each rule is re-implemented below from SPEC §13 and R4V's scripts (docs/metodologia.md, «Reglas de calidad de
# R4V»), on the hand-made rows by field name, and compared with the kit's flagged Excel rows (header = row 1).

QUALITY_ROWS = [
    # 2: Pin with people: clean
    {"sector": "Shelter", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10,
     "quantity": 1, "activity_name": "Alojamiento"},
    # 3: Pin without people (Q14)
    {"sector": "Shelter", "quantity": 5, "activity_name": "Kits"},
    # 4: People type without people (Q14: R4V 2021 `PinPeople.Beneficaries.equal.0`, every type but Other)
    {"sector": "Shelter", "indicator_type": "People", "quantity": 5, "activity_name": "Talleres"},
    # 5: Other with people (Q15) and a quantity
    {"sector": "Shelter", "indicator_type": "Other", "total_monthly": 7, "new_beneficiaries": 7, "permanencia": 7,
     "hombres": 7, "quantity": 2, "activity_name": "Rehabilitación"},
    # 6: Other, quantity 0, no people (Q16 and Q17: nothing at all)
    {"sector": "Shelter", "indicator_type": "Other", "activity_name": "Albergues"},
    # 7: Other with a quantity and no people: clean
    {"sector": "Shelter", "indicator_type": "Other", "quantity": 3, "activity_name": "Albergues rehabilitados"},
    # 8: CVA with a delivery mechanism outside R4V's list (Q18)
    {"sector": "Multipurpose Cash Assistance (MPC)", "cva": "Sí", "cva_value_usd": 50,
     "delivery_mechanism": "Criptomonedas", "total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1,
     "mujeres": 1, "quantity": 1, "activity_name": "MPC"},
    # 9: CVA with R4V's mechanisms as the exports write them (2022: «Physical cash », with a space): clean
    {"sector": "Multipurpose Cash Assistance (MPC)", "cva": "Sí", "cva_value_usd": 50,
     "delivery_mechanism": "Physical cash ", "total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1,
     "mujeres": 1, "quantity": 1, "activity_name": "MPC 2"},
    # 10: Education direct assistance with no one under 18 (Q19)
    {"sector": "Educación", "total_monthly": 4, "new_beneficiaries": 4, "permanencia": 4, "mujeres": 4,
     "quantity": 4, "activity_name": "Clases"},
    # 11: Child Protection direct assistance with children: clean
    {"sector": "Protection (Child Protection)", "total_monthly": 4, "new_beneficiaries": 4, "permanencia": 4,
     "ninas": 2, "otros_menores": 2, "quantity": 4, "activity_name": "Espacios"},
    # 12: Peru with a Colombian admin1 (Q21)
    {"sector": "Shelter", "admin1": "Antioquia", "total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1,
     "mujeres": 1, "quantity": 1, "activity_name": "Alojamiento 2"},
    # 13: a country that is not R4V's (Q21)
    {"sector": "Shelter", "country": "Venezuela", "admin1": "Zulia", "total_monthly": 1, "new_beneficiaries": 1,
     "permanencia": 1, "mujeres": 1, "quantity": 1, "activity_name": "Alojamiento 3"},
]
PEOPLE_IN_NEED = {"pin", "direct assistance"}
REPORTS_PEOPLE = PEOPLE_IN_NEED | {"people", "capacity building"}


def r4v_rules(rows: list[dict]) -> dict[str, set[int]]:
    """The Excel rows each rule flags, from SPEC §13 (R4V's definitions), computed here on the rows as given."""
    frame = pd.DataFrame([{**{"indicator_type": "Pin", "quantity": 0, "total_monthly": 0, "new_beneficiaries": 0,
                              "cva": "No", "country": "Peru", "admin1": "Tacna"}, **r} for r in rows])
    frame.index = range(2, len(frame) + 2)
    kind = frame["indicator_type"].str.lower()
    people = (frame["total_monthly"] > 0) | (frame["new_beneficiaries"] > 0)
    numbers = [c for c in frame.columns if c in ("quantity", "total_monthly", "new_beneficiaries", "permanencia",
                                                 "transito", "acogida", "ninas", "ninos", "mujeres", "hombres",
                                                 "otros_menores")]
    under_18 = frame.reindex(columns=["ninas", "ninos", "otros_menores"]).fillna(0).sum(axis=1)
    children = frame["sector"].isin(["Educación", "Protection (Child Protection)"])
    mechanisms = {"physical cash", "transferencia bancaria", "voucher", "other"}
    peru = {"tacna", "lima"}  # the Peruvian admin1s these rows use
    flags = {
        "Q14": kind.isin(REPORTS_PEOPLE) & ~people,
        "Q15": ~kind.isin(REPORTS_PEOPLE) & people,
        "Q16": ~kind.isin(REPORTS_PEOPLE) & (frame["quantity"] == 0),
        "Q17": frame[numbers].fillna(0).sum(axis=1) == 0,
        "Q18": frame["cva"].eq("Sí") & ~frame.get("delivery_mechanism", pd.Series("", index=frame.index))
        .fillna("").str.strip().str.lower().isin(mechanisms),
        "Q19": kind.isin(PEOPLE_IN_NEED) & children & people & (under_18 == 0),
        "Q21": ~(frame["country"].eq("Peru") & frame["admin1"].str.lower().isin(peru)),
    }
    return {code: set(mask[mask].index) for code, mask in flags.items()}


def kit_issues(tmp_path, rows: list[dict], indicators: Path | None = None) -> dict[str, set[int]]:
    from mdrm.validate import issues_table

    data = write_csv(rows_frame(rows), tmp_path / "calidad.csv")
    _, _, issues, _ = issues_table(data, indicators=indicators)
    return {code: set(issues.loc[issues["code"] == code, "row"]) for code in ("Q14", "Q15", "Q16", "Q17", "Q18",
                                                                             "Q19", "Q20", "Q21")}


def test_each_r4v_rule_flags_the_rows_r4v_flags(tmp_path):
    expected = r4v_rules(QUALITY_ROWS)
    found = kit_issues(tmp_path, QUALITY_ROWS)
    # by hand: Q14 rows 3, 4; Q15 row 5; Q16 row 6; Q17 row 6; Q18 row 8; Q19 row 10; Q21 rows 12, 13
    assert expected == {"Q14": {3, 4}, "Q15": {5}, "Q16": {6}, "Q17": {6}, "Q18": {8}, "Q19": {10},
                        "Q21": {12, 13}}
    for code, rows in expected.items():
        assert found[code] == rows, code
    assert found["Q20"] == set()  # no list given: nothing to compare with


@pytest.mark.parametrize("code", ["Q14", "Q15", "Q16", "Q17", "Q18", "Q19", "Q21"])
def test_each_r4v_rule_has_a_clean_file(tmp_path, code):
    # the rows the rule does not flag, alone: the rule stays silent on them
    flagged = r4v_rules(QUALITY_ROWS)[code]
    clean = [r for i, r in enumerate(QUALITY_ROWS, start=2) if i not in flagged]
    assert kit_issues(tmp_path, clean)[code] == set()


def test_q20_an_indicator_missing_from_the_list_is_named_and_not_counted(tmp_path, metrics_of_frame):
    listed = indicator_list(tmp_path / "lista.csv")
    found = kit_issues(tmp_path, [{**r, "indicator_type": None} for r in TYPED_ROWS], listed)
    assert found["Q20"] == {5}  # the fourth row (Excel row 5) is not in the list
    from mdrm.validate import issues_table

    data = write_csv(without_type(rows_frame(TYPED_ROWS)), tmp_path / "5w.csv")
    _, _, issues, _ = issues_table(data, indicators=listed)
    said = issues.loc[issues["code"] == "Q20", "message"].tolist()
    assert said == [f"{'Sector e indicador que no están en la lista de indicadores'}: «Shelter» / «Indicador que no "
                    "está en la lista» (no cuenta para personas)"]
    clean = kit_issues(tmp_path, [{**r, "indicator_type": None} for r in TYPED_ROWS[:3]], listed)
    assert clean["Q20"] == set()


def test_validate_takes_the_indicator_list(tmp_path, capsys):
    from mdrm.cli import main

    data = write_csv(without_type(rows_frame(TYPED_ROWS)), tmp_path / "5w.csv")
    listed = indicator_list(tmp_path / "lista.csv")
    assert main(["validate", str(data), "--indicadores", str(listed)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Q20\s+1\s", out)
    # with the list, the types are known: the Other row (quantity 2, people 5) is Q15
    assert re.search(r"Q15\s+1\s", out)
    assert main(["validate", str(data)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Q20\s+0\s", out) and re.search(r"Q15\s+0\s", out)
    assert main(["validate", str(data), "--indicadores", str(tmp_path / "no.csv")]) == 2
    assert "no.csv" in capsys.readouterr().err


# --- mdrm init -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("no_people, expected", [
    # 30 of 30 + 10 = 40 people (75 %) on RMRP "No" rows: most of the region's people -> solo_rmrp: false
    (30, False),
    # 10 of 10 + 10 = 20 (50 %): not most -> the default stays, the key is named in a comment
    (10, None),
])
def test_init_writes_solo_rmrp_false_when_the_mark_would_leave_out_most_people(tmp_path, capsys, no_people,
                                                                                expected):
    import yaml

    from mdrm.cli import main

    rows = [
        {"admin1": "Arequipa", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10},
        {"admin1": "Arequipa", "total_monthly": no_people, "new_beneficiaries": no_people, "permanencia": no_people,
         "rmrp_activity": "No", "activity_name": "Otra"},
        # a common service marked No counts no people either way: not in the share
        {"admin1": "Arequipa", "sector": "Common Services (IM)", "total_monthly": 500, "rmrp_activity": "No"},
    ]
    data = write_csv(rows_frame(rows), tmp_path / "5w.csv")
    folder = tmp_path / "mesa"
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--region", "Arequipa", "--dir", str(folder)]) == 0
    capsys.readouterr()
    text = (folder / "region.yml").read_text("utf-8")
    region = yaml.safe_load(text)
    assert region.get("solo_rmrp") is expected
    assert "# indicadores:" in text and "W09" in text
    if expected is False:
        assert "el 75.0% de las personas de Arequipa" in text
    else:
        assert "# solo_rmrp: false" in text
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    m = compute(load_month(load_params(folder / "2020-09.yml")))
    # false: 10 + 30 in one sector and unit = 40; default: 10
    assert m["people_reached"]["total"] == (40 if expected is False else 10)


# --- the methodology note names the rules ----------------------------------------------------------------------------

def test_the_methodology_note_names_the_rules_used(metrics_of_frame, tmp_path):
    from mdrm.narrative import methodology_note

    listed = indicator_list(tmp_path / "lista.csv")
    first = methodology_note(metrics_of_frame(without_type(rows_frame(TYPED_ROWS)), indicadores=str(listed),
                                              solo_rmrp=False))[0]
    assert "«solo_rmrp: false»" in first and "«lista.csv»" in first and "Pin, Direct Assistance" in first
    first = methodology_note(metrics_of_frame(without_type(rows_frame(TYPED_ROWS))))[0]
    assert "«solo_rmrp: true»" in first and "todos los indicadores" in first
    first = methodology_note(metrics_of_frame(rows_frame(TYPED_ROWS)))[0]
    assert "columna de tipo de indicador del 5W" in first
