"""Rows counted as R4V counts them, said out loud (issue 16, SPEC §13; docs/metodologia.md, «Filas contadas
como R4V»): `solo_rmrp`, the indicator list and its people types, the export's own type column, exact copies
on every column, `suma` as the integer sum of the basis, warnings W08–W10, the country error, and R4V's
quality rules Q14–Q21. Every figure below is worked by hand in a comment.
"""
from __future__ import annotations

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
    assert m["counting"]["indicator_list"] is None and m["counting"]["type_column"] is None


def test_the_exports_own_type_column_is_used(metrics_of_frame, tmp_path):
    frame = rows_frame(TYPED_ROWS)
    frame[SPANISH_HEADERS["indicator_type"]] = ["Pin", "People", "Other", "Pin"]
    m = metrics_of_frame(frame)
    # no list: the column types the rows; Pin rows 10 + 7 count
    assert m["people_reached"]["total"] == 17
    assert "W09" not in codes(m)
    assert m["counting"]["type_column"] == "Tipo de indicador"
    # with the list too, the export's column wins where it has a value: the unlisted row is typed Pin there
    both = metrics_of_frame(frame, indicadores=str(indicator_list(tmp_path / "lista.csv")))
    assert both["people_reached"]["total"] == 17


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
