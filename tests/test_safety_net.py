"""The safety net: one hand-worked test for each bug that once went unnoticed.

Each of these bugs was introduced alone into a copy of the code and the whole
suite stayed green. Every test below is worked by hand on a few rows, and
names the bug it catches:

- `by_organization` keeping the duplicated copies of a row (USD 133/67, not 100/100);
- the year to date by sector adding rows that are not counted (a Common
  Services (IM) row in August leaking into «Acumulado por sector»);
- Q01/Q02 compared without their tolerance (0.1 + 0.2 is not 0.3 in floats);
- the 10⁹ limit moved from `>` to `>=` (exactly 10⁹ is a valid number);
- sex and age taken from every row instead of the counted rows (an
  `Actividad RMRP = No` row carrying a sex/age split).
"""
from __future__ import annotations

import pytest

from mdrm.cli import main
from mdrm.metrics import by_organization, load_month
from mdrm.params import load_params


def people(n, **cells) -> dict:
    """A Shelter row of Tacna 2020-09 with `n` people in destination (total = new = n)."""
    return {"total_monthly": n, "new_beneficiaries": n, "permanencia": n, **cells}


@pytest.fixture
def month_of(five_w, month_params):
    """rows (+ params keys) -> the loaded month (MonthData), through the real files."""

    def run(rows: list[dict], **keys):
        return load_month(load_params(month_params(five_w(rows), **keys)))

    return run


# --- by_organization must leave the duplicated copies out -------------------------------------

def test_who_does_what_leaves_a_duplicated_usd_row_out(month_of, metrics_of):
    # Org A transfers 100 USD, and its row is exported twice (an exact copy, Q08);
    # Org B transfers 100 USD. The key figure counts the row once: 100 + 100 = 200.
    # Per organization: A 100, B 100. With the copy kept, A would weigh 200 of 300
    # and the 200 USD would split 133 / 67.
    usd_row = {"cva": "Si", "cva_value_usd": 100, "activity_name": "Transferencia monetaria multipropósito"}
    rows = [
        people(4, appealing_org="Org A", **usd_row),
        people(4, appealing_org="Org A", **usd_row),
        people(6, appealing_org="Org B", **usd_row),
    ]
    assert metrics_of(rows)["key_figures"]["usd_distribuidos"] == 200
    table = by_organization(month_of(rows))
    usd = dict(zip(table["organization"], table["usd"]))
    assert usd == {"Org A": 100, "Org B": 100}
    # people too: A 4 (not 8), B 6 -> Shelter's subgroup total 10
    assert dict(zip(table["organization"], table["necesidades_basicas"])) == {"Org A": 4, "Org B": 6}
    assert dict(zip(table["organization"], table["rows"])) == {"Org A": 1, "Org B": 1}


# --- the year to date by sector counts only counted rows ---------------------------------------

def test_ytd_by_sector_leaves_common_services_and_non_rmrp_rows_out(metrics_of):
    # August: Shelter 10 new (counted), Common Services (IM) 18 new (never people),
    #         Food Security 7 new with Actividad RMRP = No (not counted).
    # September: Shelter 5 new.
    # Acumulado por sector: Shelter 10 + 5 = 15, and nothing else.
    rows = [
        people(10, month="2020-08"),
        people(18, month="2020-08", sector="Common Services (IM)"),
        people(7, month="2020-08", sector="Food Security", rmrp_activity="No"),
        people(5),
    ]
    m = metrics_of(rows)
    assert m["ytd"]["sectors"] == {"Shelter": 15}
    assert m["ytd"]["people_reached"]["total"] == 15
    assert m["sectors"] == {"Shelter": {"total": 5, "new": 5}}


# --- Q01 / Q02 compare with a tolerance ---------------------------------------------------------

def test_split_of_point_one_plus_point_two_matches_point_three(metrics_of):
    # 0.1 + 0.2 = 0.30000000000000004 in floats: the split does match the 0.3 new
    # beneficiaries; neither Q01 (population) nor Q02 (sex and age) may fire.
    # (Q09 does: the counts are fractional.)
    exact = {"total_monthly": 0.3, "new_beneficiaries": 0.3, "permanencia": 0.1, "transito": 0.2,
             "mujeres": 0.1, "hombres": 0.2}
    counts = metrics_of([exact])["quality"]["counts"]
    assert (counts["Q01"], counts["Q02"], counts["Q09"]) == (0, 0, 1)


def test_split_of_point_one_plus_point_two_against_point_four_is_flagged(metrics_of):
    # the control: 0.3 against 0.4 new is a real mismatch, both splits are flagged
    off = {"total_monthly": 0.4, "new_beneficiaries": 0.4, "permanencia": 0.1, "transito": 0.2,
           "mujeres": 0.1, "hombres": 0.2}
    counts = metrics_of([off])["quality"]["counts"]
    assert (counts["Q01"], counts["Q02"]) == (1, 1)


# --- the 10⁹ limit: above it is an error, 10⁹ itself is not --------------------------------------

def test_exactly_one_billion_is_accepted(metrics_of):
    m = metrics_of([people(4, cva="Si", cva_value_usd=1_000_000_000, quantity=1_000_000_000)])
    assert m["key_figures"]["usd_distribuidos"] == 1_000_000_000


def test_one_billion_and_one_is_a_hard_error_naming_the_cell(five_w, month_params, tmp_path, capsys):
    rows = [people(4), people(4, cva="Si", cva_value_usd=1_000_000_001, activity_name="Otra")]
    out = tmp_path / "metrics.json"
    code = main(["metrics", "--params", str(month_params(five_w(rows))), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "fila 3" in err and "«Valor de transferencia (en USD)»" in err and "«1000000001»" in err
    assert "demasiado grande" in err


# --- sex and age come from the counted rows -----------------------------------------------------

def test_sex_and_age_leave_an_rmrp_no_row_out(metrics_of):
    # counted: 10 people, all «Mujeres adultas»; an Actividad RMRP = No row of 10
    # «Hombres adultos» is not counted. Headline 10 -> mujeres 10, hombres 0
    # (from every row it would be 5 / 5).
    rows = [
        people(10, mujeres=10),
        people(10, hombres=10, rmrp_activity="No", activity_name="Otra"),
    ]
    m = metrics_of(rows)
    assert m["people_reached"]["total"] == 10
    assert m["by_sex_age"] == {"ninas": 0, "ninos": 0, "mujeres": 10, "hombres": 0,
                               "otros_menores": 0, "otros_adultos": 0}


def test_sex_and_age_leave_a_common_services_row_out(metrics_of):
    # the same with a Common Services (IM) row of 30 «Niñas»: headline 10, all mujeres
    rows = [people(10, mujeres=10), people(30, ninas=30, sector="Common Services (IM)")]
    m = metrics_of(rows)
    assert (m["by_sex_age"]["mujeres"], m["by_sex_age"]["ninas"]) == (10, 0)
