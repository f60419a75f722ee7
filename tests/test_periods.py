"""Periods (`periodo:` a quarter, half or year) and targets (`metas:`), SPEC §15, §5 regla 5, §13.

A period's figures follow R4V's consolidated rule (docs/metodologia.md §12): people reached = Σ over the
period's months of each month's intersector figure on new beneficiaries (max each month, then add);
sectors and subgroups = Σ of new beneficiaries; key figures and USD summed; organizations distinct over
the period. The hand-made table below is worked by hand in the comments, with the rule as SPEC states
it, not with the kit's code.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from conftest import ROOT, metrics_exit_2
from mdrm import formatting as fmt
from mdrm.cli import main
from mdrm.metrics import compute, compute_period, load_month
from mdrm.params import load_params
from mdrm.periods import period_label, period_months

# Four months of one admin1 (Tacna, level admin1: one unit), the splits summing to the new beneficiaries.
# Org keys: the appealing org (no implementing partner).
#   r1 2021-01 Shelter   Org A  total 100 new 60  perm 40 trans 20         niñas 10 niños 10 mujeres 20 hombres 20  USD 250
#   r2 2021-01 Health    Org B  total  50 new 30  perm 30                   mujeres 30
#   r3 2021-02 Shelter   Org A  total 100 new 10  perm 10                   hombres 10      (r1's people again: 10 new)
#   r4 2021-02 Food Sec. Org C  total  25 new 25  trans 25                  niñas 5 mujeres 20
#   r5 2021-03 Health    Org B  total  40 new 40  perm 15 acogida 25        niños 15 hombres 25               USD 500
#   r6 2021-04 Shelter   Org D  total 999 new 999 perm 999                  hombres 999                         USD 9999
#                                                                             (April: outside the first quarter)
ROWS = [
    dict(month="2021-01", sector="Shelter", appealing_org="Org A", total_monthly=100, new_beneficiaries=60,
         permanencia=40, transito=20, ninas=10, ninos=10, mujeres=20, hombres=20, cva="Si", cva_value_usd=250),
    dict(month="2021-01", sector="Health", appealing_org="Org B", total_monthly=50, new_beneficiaries=30,
         permanencia=30, mujeres=30),
    dict(month="2021-02", sector="Shelter", appealing_org="Org A", total_monthly=100, new_beneficiaries=10,
         permanencia=10, hombres=10),
    dict(month="2021-02", sector="Food Security", appealing_org="Org C", total_monthly=25, new_beneficiaries=25,
         transito=25, ninas=5, mujeres=20),
    dict(month="2021-03", sector="Health", appealing_org="Org B", total_monthly=40, new_beneficiaries=40,
         permanencia=15, acogida=25, ninos=15, hombres=25, cva="Si", cva_value_usd=500),
    dict(month="2021-04", sector="Shelter", appealing_org="Org D", total_monthly=999, new_beneficiaries=999,
         permanencia=999, hombres=999, cva="Si", cva_value_usd=9999),
]


@pytest.fixture
def period_of(five_w, month_params):
    """rows (+ params keys, `periodo` among them) -> the period's metrics, through the real files."""

    def run(rows: list[dict], **keys) -> dict:
        return compute_period(load_month(load_params(month_params(five_w(rows), mes=None, **keys))))

    return run


def test_period_months_and_names():
    assert period_months("2021-T1") == ["2021-01", "2021-02", "2021-03"]
    assert period_months("2021-T4") == ["2021-10", "2021-11", "2021-12"]
    assert period_months("2021-S2") == [f"2021-{m:02d}" for m in range(7, 13)]
    assert period_months("2021") == [f"2021-{m:02d}" for m in range(1, 13)]
    assert period_label("2021-T1") == "primer trimestre de 2021"
    assert period_label("2021-S2") == "segundo semestre de 2021"
    assert period_label("2020") == "año 2020"


def test_quarter_worked_by_hand(period_of):
    m = period_of(ROWS, periodo="2021-T1")
    assert m["period"] == "2021-T1"
    assert m["months"] == ["2021-01", "2021-02", "2021-03"]
    assert m["months_missing"] == []
    assert m["basis"] == "nuevos"
    # Each month's intersector figure on new beneficiaries (max over sectors of each group, one unit):
    #   January:  perm max(40 Shelter, 30 Health) = 40; trans 20               -> 60
    #   February: perm max(10, 0) = 10; trans max(0, 25 Food) = 25             -> 35
    #   March:    perm 15; acogida 25                                          -> 40
    # The quarter: 60 + 35 + 40 = 135 (perm 40+10+15 = 65, trans 20+25 = 45, acogida 25). April's 999 is
    # outside the quarter.
    assert m["by_month"] == {"2021-01": 60, "2021-02": 35, "2021-03": 40}
    assert m["people_reached"] == {"total": 135, "by_population": {"permanencia": 65, "transito": 45, "acogida": 25}}
    # Sex and age: the split of the quarter's counted rows on new beneficiaries (165 people: niñas 10+5 = 15,
    # niños 10+15 = 25, mujeres 20+30+20 = 70, hombres 20+10+25 = 55) apportioned to the headline 135:
    #   niñas 15·135/165 = 12.27, niños 20.45, mujeres 57.27, hombres 45.00 -> floors 12+20+57+45 = 134;
    #   the one left goes to the largest remainder, niños (.45)            -> 12, 21, 57, 45
    assert m["by_sex_age"] == {"ninas": 12, "ninos": 21, "mujeres": 57, "hombres": 45,
                               "otros_menores": 0, "otros_adultos": 0}
    # Sectors: Σ of new beneficiaries over the months: Shelter 60+10 = 70, Health 30+40 = 70, Food Security 25.
    assert m["sectors"] == {"Shelter": 70, "Health": 70, "Food Security": 25}
    # Subgroups (the sample Mesa's): necesidades básicas = Shelter + Food Security: perm 40+10 = 50,
    # trans 20+25 = 45 -> 95; salud y nutrición = Health: perm 30+15 = 45, acogida 25 -> 70.
    assert m["subgroups"]["necesidades_basicas"] == {"total": 95, "by_population": {
        "permanencia": 50, "transito": 45, "acogida": 0}}
    assert m["subgroups"]["salud_nutricion"] == {"total": 70, "by_population": {
        "permanencia": 45, "transito": 0, "acogida": 25}}
    # USD summed over the quarter: 250 + 500 = 750 (April's 9,999 outside).
    assert m["key_figures"]["usd_distribuidos"] == 750
    # Organizations distinct over the quarter: Org A (Jan, Feb), Org B (Jan, Mar), Org C (Feb) = 3, not the
    # 2 + 2 + 1 = 5 of adding the months; Org D reports only in April.
    assert m["organizations"]["reporting"] == 3
    assert m["organizations"]["by_subgroup"]["necesidades_basicas"] == 2  # Org A, Org C
    assert m["organizations"]["by_subgroup"]["salud_nutricion"] == 1  # Org B
    assert m["rows"]["read"] == 5
    assert m["warnings"] == []


def test_same_people_in_two_months_count_once(metrics_of, period_of):
    """r1 and r3 are Org A's shelter for the same people: 100 a month, 60 of them new in January and 10
    more in February. R4V counts them once (60 + 10 = 70 people in Shelter), not 100 + 100."""
    m = period_of(ROWS, periodo="2021-T1")
    assert m["sectors"]["Shelter"] == 70
    # The monthly volume (base mensual) of the three months added: January max(perm 100·40/60 = 66.67 Shelter,
    # 50 Health) + trans 33.33 = 100; February 100 (Shelter perm) + 25 (Food trans) = 125; March 40 -> 265,
    # not the period's 135.
    volume = sum(metrics_of(ROWS, mes=month)["people_reached"]["total"] for month in ("2021-01", "2021-02", "2021-03"))
    assert volume == 265
    assert m["people_reached"]["total"] == 135


def test_month_missing_from_the_export_is_named(period_of):
    """February has no row at all: W11 names it, and the quarter adds only January and March (60 + 40)."""
    rows = [r for r in ROWS if r["month"] != "2021-02"]
    m = period_of(rows, periodo="2021-T1")
    assert m["months_missing"] == ["2021-02"]
    assert m["by_month"] == {"2021-01": 60, "2021-02": None, "2021-03": 40}
    assert m["people_reached"]["total"] == 100
    [w11] = [w for w in m["warnings"] if w["code"] == "W11"]
    assert "febrero de 2021" in w11["message"]
    assert "2 de sus 3 meses" in w11["message"]
    assert "W11" not in {w["code"] for w in period_of(ROWS, periodo="2021-T1")["warnings"]}


def test_half_year_with_months_after_the_export_and_the_cli(five_w, month_params, tmp_path):
    """`mdrm metrics --params` on a period: metrics.json with the period, its months and figures. The first
    half of 2021 over January-April: May and June are named (W11); April's 999 (perm) adds to the 135."""
    params = month_params(five_w(ROWS), mes=None, periodo="2021-S1")
    out = tmp_path / "periodo.json"
    assert main(["metrics", "--params", str(params), "-o", str(out)]) == 0
    m = json.loads(out.read_text(encoding="utf-8"))
    assert m["period"] == "2021-S1" and m["months"][-1] == "2021-06"
    assert m["months_missing"] == ["2021-05", "2021-06"]
    assert m["people_reached"]["total"] == 135 + 999
    assert m["organizations"]["reporting"] == 4
    assert "mayo de 2021, junio de 2021" in m["warnings"][0]["message"]


@pytest.mark.parametrize("value", ["2021-T5", "2021-Q1", "2021-S3", "2021-t1", "21-T1", "2021-09", "2021-T0",
                                   "２０２１-T1", True])
def test_bad_period_is_exit_2_naming_key_and_value(capsys, five_w, month_params, tmp_path, value):
    params = month_params(five_w(ROWS), mes=None, periodo=value)
    metrics_exit_2(capsys, params, tmp_path, "«periodo»", str(value))


def test_month_and_period_together_or_neither_is_exit_2(capsys, five_w, month_params, tmp_path):
    data = five_w(ROWS)
    metrics_exit_2(capsys, month_params(data, mes="2021-03", periodo="2021-T1"), tmp_path, "«mes»", "«periodo»",
                   "no van juntas")
    metrics_exit_2(capsys, month_params(data, name="nada.yml", mes=None), tmp_path, "falta la clave obligatoria «mes»",
                   "«periodo»")


def test_period_without_any_row_is_exit_2(capsys, five_w, month_params, tmp_path):
    metrics_exit_2(capsys, month_params(five_w(ROWS), mes=None, periodo="2021-T3"), tmp_path, "2021-T3",
                   "no hay filas")


# Targets: a year's RMRP targets, against the year to date on new beneficiaries (January to the month).
TARGETS = {"total": 270, "subgrupos": {"necesidades_basicas": 0, "salud_nutricion": 200},
           "fuente": "RMRP 2021, Perú"}


def test_targets_of_a_month_and_a_period(metrics_of, period_of):
    # March: the year to date is the quarter's 135; 135 / 270 = 50.0 %. Salud y nutrición: 70 / 200 = 35.0 %.
    # Necesidades básicas has a target of 0: no share (None, «—»), never a division by zero.
    month = metrics_of(ROWS, mes="2021-03", metas=TARGETS)["targets"]
    assert month["source"] == "RMRP 2021, Perú"
    assert month["months"] == ["2021-01", "2021-02", "2021-03"]
    assert month["people_reached"] == {"target": 270, "reached": 135, "percent": 50.0}
    assert month["subgroups"]["salud_nutricion"] == {"target": 200, "reached": 70, "percent": 35.0}
    assert month["subgroups"]["necesidades_basicas"] == {"target": 0, "reached": 95, "percent": None}
    # The first quarter's targets are the same year to date (January to March).
    assert period_of(ROWS, periodo="2021-T1", metas=TARGETS)["targets"] == month
    # February: 60 + 35 = 95 of 270 = 35.185 -> 35.2 %.
    assert metrics_of(ROWS, mes="2021-02", metas=TARGETS)["targets"]["people_reached"]["percent"] == 35.2
    # Without `metas`, no `targets` key: the month's metrics stay as they were.
    assert "targets" not in metrics_of(ROWS, mes="2021-03")


def test_subgroup_without_target_and_target_zero_show_a_dash(metrics_of):
    targets = metrics_of(ROWS, mes="2021-03", metas={"subgrupos": {"salud_nutricion": 200}})["targets"]
    assert targets["people_reached"] == {"target": None, "reached": 135, "percent": None}
    assert targets["subgroups"]["necesidades_basicas"]["percent"] is None
    assert fmt.target_share(targets["people_reached"]) == "—"
    assert fmt.reached_against_target(targets["subgroups"]["necesidades_basicas"]) == "—"
    assert fmt.target_share({"target": 0, "reached": 95, "percent": None}) == "—"
    assert fmt.reached_against_target({"target": 0, "reached": 95, "percent": None}) == "—"
    assert fmt.reached_against_target(targets["subgroups"]["salud_nutricion"]) == "70 de 200 (35.0%)"
    assert fmt.target_share({"target": 20000, "reached": 16277, "percent": 81.4}) == "81.4%"
    assert fmt.reached_against_target({"target": 20000, "reached": 16277, "percent": 81.4}) == "16,277 de 20,000 (81.4%)"


@pytest.mark.parametrize("metas, words", [
    ({"total": -5}, ["«metas.total»", "-5"]),
    ({"total": "mucho"}, ["«metas.total»", "mucho"]),
    ({"total": 1.5}, ["«metas.total»", "1.5"]),
    ({"subgrupos": {"salud": 10}}, ["«metas.subgrupos»", "salud"]),
    ({"meta": 10}, ["«metas.meta»"]),
])
def test_bad_targets_are_exit_2(capsys, five_w, month_params, tmp_path, metas, words):
    metrics_exit_2(capsys, month_params(five_w(ROWS), mes="2021-03", metas=metas), tmp_path, *words)


def test_sample_year_is_the_sum_of_its_months_on_new_beneficiaries():
    """The sample (params/tacna): the year 2020's headline is the sum of the twelve monthly headlines on new
    beneficiaries (R4V's rule: max each month, then accumulate); it is not the sum of the monthly volume."""
    sample = load_params(ROOT / "params" / "tacna" / "2020-09.yml")
    first = load_month(dataclasses.replace(sample, basis="nuevos"))
    fivew = first.fivew
    monthly = {}
    for month in period_months("2020"):
        if not (fivew.data["month"] == month).any():
            continue
        monthly[month] = compute(load_month(dataclasses.replace(sample, month=month, basis="nuevos"),
                                            fivew))["people_reached"]["total"]
    year = compute_period(load_month(dataclasses.replace(sample, period="2020", month="2020-12"), fivew))
    assert len(monthly) >= 9
    assert year["by_month"] == {m: monthly.get(m) for m in period_months("2020")}
    assert year["people_reached"]["total"] == sum(monthly.values())
    assert year["months_missing"] == [m for m in period_months("2020") if m not in monthly]
    # the third quarter is July + August + September (the seed's September, on new beneficiaries)
    t3 = compute_period(load_month(dataclasses.replace(sample, period="2020-T3", month="2020-09"), fivew))
    assert t3["people_reached"]["total"] == sum(monthly[m] for m in ("2020-07", "2020-08", "2020-09"))
    # the four quarters, and the two halves, add up to the year
    def total(period: str) -> int:
        params = dataclasses.replace(sample, period=period, month=period_months(period)[-1])
        return compute_period(load_month(params, fivew))["people_reached"]["total"]

    assert sum(total(f"2020-T{q}") for q in range(1, 5)) == year["people_reached"]["total"]
    assert total("2020-S1") + total("2020-S2") == year["people_reached"]["total"]


def test_docs_say_the_rule():
    """The README's sentence an IMO can repeat, and the methodology's section on periods."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    method = (ROOT / "docs" / "metodologia.md").read_text(encoding="utf-8")
    assert "periodo:" in readme and "metas:" in readme
    assert "W11" in method and "periodo" in method


def test_period_without_new_beneficiaries_warns(period_of):
    """A period counts new beneficiaries: an export whose counted rows all carry 0 new (total monthly only)
    gives 0 people, said by W02; ROWS (new beneficiaries in every row) does not raise it. Every row marked
    RMRP «No» counts nothing: W01."""
    no_new = [{**r, "new_beneficiaries": 0} for r in ROWS]
    m = period_of(no_new, periodo="2021-T1")
    assert m["people_reached"]["total"] == 0
    assert [w["code"] for w in m["warnings"]] == ["W02"]
    assert "primer trimestre de 2021" in m["warnings"][0]["message"]
    assert period_of(ROWS, periodo="2021-T1")["warnings"] == []
    not_rmrp = period_of([{**r, "rmrp_activity": "No"} for r in ROWS], periodo="2021-T1")
    assert [w["code"] for w in not_rmrp["warnings"]] == ["W01"]


def test_the_year_written_as_a_number(period_of):
    """`periodo: 2021` is a number in YAML: the year 2021. The table has January-April, so May to December
    are named (W11), and the year adds April's 999 new (one unit, perm only) to the quarter's 135."""
    m = period_of(ROWS, periodo=2021)
    assert m["period"] == "2021" and m["period_label"] == "año 2021"
    assert m["months_missing"] == [f"2021-{n:02d}" for n in range(5, 13)]
    assert m["people_reached"]["total"] == 135 + 999
    assert [w["code"] for w in m["warnings"]] == ["W11"]
    assert "4 de sus 12 meses" in m["warnings"][0]["message"]
