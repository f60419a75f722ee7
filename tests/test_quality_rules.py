"""Q01/Q02 against either basis and R4V's own rules Q10–Q13 (docs/metodologia.md §7), each on a file made for it."""
from __future__ import annotations

import pandas as pd

from conftest import rows_frame

CLEAN = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}


def row(i: int, **cells) -> dict:
    return {**CLEAN, "activity_name": f"Actividad {i}", **cells}


def found(metrics: dict, code: str) -> list[tuple[int, str]]:
    return [(i["row"], i["organization"]) for i in metrics["quality"]["issues"] if i["code"] == code]


def test_q01_q02_silent_when_the_split_equals_either_basis(metrics_of):
    rows = [
        # 2021 guidance: the split is of the total monthly (25), new beneficiaries 10: silent
        row(1, total_monthly=25, new_beneficiaries=10, permanencia=20, transito=5, mujeres=15, hombres=10),
        # R4V since 2022: the split is of the new beneficiaries (10), total 25: silent
        row(2, total_monthly=25, new_beneficiaries=10, permanencia=10, mujeres=4, ninas=6),
        # neither 10 nor 25: both raised
        row(3, total_monthly=25, new_beneficiaries=10, permanencia=12, mujeres=18,
            implementing_partner="Socio Z"),
    ]
    m = metrics_of(rows)
    assert found(m, "Q01") == [(4, "Socio Z")]
    assert found(m, "Q02") == [(4, "Socio Z")]
    q01 = next(i["message"] for i in m["quality"]["issues"] if i["code"] == "Q01")
    assert "suma 12 frente a 10 nuevos y 25 en el mes" in q01


def _with(tmp_path, rows, drop=()) -> str:
    path = tmp_path / "5w.csv"
    rows_frame(rows).drop(columns=list(drop)).to_csv(path, index=False)
    return str(path)


def _metrics(tmp_path, month_params, rows, drop=()):
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    return compute(load_month(load_params(month_params(_with(tmp_path, rows, drop)))))


def test_q10_implementation_through_a_partner_without_its_name(tmp_path, month_params):
    rows = [
        row(1, implementation_setup="Sí", implementing_partner="Socio Nombrado"),  # fine
        row(2, implementation_setup="Sí", appealing_org="Agencia X"),              # Q10
        row(3, implementation_setup="No"),                                         # direct: fine
    ]
    m = _metrics(tmp_path, month_params, rows)
    assert found(m, "Q10") == [(3, "Agencia X")]
    assert m["quality"]["counts"]["Q10"] == 1


def test_q11_missing_sector_indicator_or_activity_name(tmp_path, month_params):
    rows = [
        row(1, indicator="# de personas"),
        row(2, indicator=""),                                   # Q11: indicator
        row(3, indicator="# de personas", activity_name=""),    # Q11: activity name
        row(4, indicator="# de personas", sector=""),           # Q11: sector
    ]
    m = _metrics(tmp_path, month_params, rows)
    assert [r for r, _ in found(m, "Q11")] == [3, 4, 5]
    messages = [i["message"] for i in m["quality"]["issues"] if i["code"] == "Q11"]
    assert "falta indicador" in messages[0] and "nombre de la actividad" in messages[1]
    assert "falta sector" in messages[2]
    # an export without an Indicator column: missing indicators are not R4V's problem there
    without = _metrics(tmp_path, month_params, [row(1), row(2)], drop=["Indicador"])
    assert without["quality"]["counts"]["Q11"] == 0


def test_q12_multipurpose_cash_with_cva_no(metrics_of):
    rows = [
        row(1, sector="Multipurpose CBI", cva="Sí", cva_value_usd=100),
        row(2, sector="Transferencias Monetarias Multipropósito (MPC)", cva="No"),  # Q12
        row(3, sector="Shelter", cva="No"),                                          # fine
    ]
    m = metrics_of(rows)
    assert found(m, "Q12") == [(3, "Org A")]


def test_q13_cva_without_delivery_mechanism_where_the_column_exists(tmp_path, month_params):
    rows = [
        row(1, cva="Sí", cva_value_usd=100, delivery_mechanism="Transferencia bancaria"),
        row(2, cva="Sí", cva_value_usd=50, implementing_partner="Socio M"),  # Q13
        row(3, cva="No"),
    ]
    m = _metrics(tmp_path, month_params, rows)
    assert found(m, "Q13") == [(3, "Socio M")]
    without = _metrics(tmp_path, month_params, rows, drop=["Modalidad de entrega"])
    assert without["quality"]["counts"]["Q13"] == 0


def test_r4v_rules_on_the_sample_and_real_fixtures_stay_few():
    """On the sample, whose data is complete, R4V's rules raise nothing."""
    from mdrm.catalog import load_catalog
    from mdrm.load import read_5w
    from mdrm.methodology import classify
    from mdrm.quality import find_issues

    from conftest import ROOT

    catalog = load_catalog()
    fivew = read_5w(ROOT / "data" / "ejemplo" / "5w_tacna_2020.xlsx", catalog=catalog)
    issues = find_issues(classify(fivew.data, catalog), catalog, fivew.source.headers)
    tally = issues["code"].value_counts()
    assert {c: int(tally.get(c, 0)) for c in ("Q10", "Q11", "Q12", "Q13")} == {
        "Q10": 0, "Q11": 0, "Q12": 0, "Q13": 0}
    assert isinstance(issues, pd.DataFrame)
