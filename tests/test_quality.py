"""Quality issues of the 5W (docs/metodologia.md §7): never fatal, never silently dropped.

One small file per code, made for it. Each test checks the exact count of the
code, the Excel row (header = 1) and the organization of each issue
(implementing partner, else appealing org), that the Spanish message carries
the values, and that the rows stay accounted for:
rows.read = rows.counted + rows.excluded, with the right number counted.
"""
from __future__ import annotations

import re

import pytest

from mdrm.cli import main

CODES = [f"Q{i:02d}" for i in range(1, 14)]

# A clean row: 10 people in the month, all new, all in destination, all adult women.
CLEAN = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}


def row(i: int, **cells) -> dict:
    """A clean row with a distinct activity name (so no two rows are duplicates), then `cells`.

    Without an indicator type (like R4V's 2021–2024 exports, and no list): R4V's type rules (Q14–Q16,
    Q19: tests/test_r4v_rows.py) do not apply here, and every indicator counts for people as before."""
    return {**CLEAN, "indicator_type": None, "activity_name": f"Actividad {i}", **cells}


def issues_of(metrics: dict, code: str) -> list[dict]:
    return [i for i in metrics["quality"]["issues"] if i["code"] == code]


def assert_only(metrics: dict, expected: dict[str, int]) -> None:
    """Exactly `expected` issues per code, zero for every other code."""
    counts = metrics["quality"]["counts"]
    assert set(counts) >= set(CODES)
    assert {c: counts[c] for c in CODES} == {c: expected.get(c, 0) for c in CODES}
    assert len(metrics["quality"]["issues"]) == sum(expected.values())


def assert_rows(metrics: dict, read: int, counted: int) -> None:
    rows = metrics["rows"]
    assert rows["read"] == read
    assert rows["counted"] == counted
    assert rows["excluded"] == read - counted
    assert rows["read"] == rows["counted"] + rows["excluded"]


def test_clean_file_has_no_issue(metrics_of):
    rows = [
        row(1),
        row(2, sector="Protection (General)", admin2="Tarata", implementing_partner="Socio X"),
        row(3, sector="Multipurpose CBI", cva="Sí", cva_value_usd=150.75, total_monthly=4,
            new_beneficiaries=4, permanencia=1, transito=2, acogida=1, mujeres=1, hombres=1, ninas=1,
            ninos=1),
        row(4, sector="Salud", total_monthly=20, new_beneficiaries=5, permanencia=5, mujeres=5),
        row(5, quantity=30.5, total_monthly=0, new_beneficiaries=0, permanencia=0, mujeres=0),
        row(6, sector="Common Services (IM)", total_monthly=0, new_beneficiaries=0, permanencia=0,
            mujeres=0, quantity=1),  # a product: with nothing at all it would be R4V's empty row (Q17)
    ]
    m = metrics_of(rows)
    assert_only(m, {})
    assert m["quality"]["issues"] == []
    assert_rows(m, read=6, counted=5)  # Common Services counts no people
    assert m["rows"]["excluded_by_reason"] == {"servicios_comunes": 1}
    # fractions outside the people columns (USD, quantity) are not Q09
    assert m["key_figures"]["usd_distribuidos"] == 151


def test_q01_population_split_differs_from_new(metrics_of):
    rows = [
        row(1),
        row(2, permanencia=6, transito=3, implementing_partner="Socio Implementador X"),  # 9 != 10
        row(3, permanencia=8, acogida=4, total_monthly=15, new_beneficiaries=10),         # 12: neither 10 nor 15
        row(4, permanencia=0, transito=10),                                               # fine
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q01": 2})
    first, second = issues_of(m, "Q01")
    assert (first["row"], first["organization"]) == (3, "Socio Implementador X")
    assert (second["row"], second["organization"]) == (4, "Org A")  # no partner: appealing org
    assert "población" in first["message"]
    assert re.search(r"\b9\b", first["message"]) and re.search(r"\b10\b", first["message"])
    assert re.search(r"\b12\b", second["message"]) and re.search(r"\b10\b", second["message"])
    assert_rows(m, read=4, counted=4)
    # the split is apportioned on the row's people: 10 × 6/9 and 10 × 3/9, and 15 × 8/12, 15 × 4/12
    assert m["people_reached"]["by_population"] == {"permanencia": 10 + 7 + 10, "transito": 3 + 10,
                                                    "acogida": 5}
    assert m["people_reached"]["total"] == 45


def test_q01_not_raised_without_population_split(metrics_of):
    """A row without any split is Q07, not Q01 (Q01 needs a split sum > 0)."""
    m = metrics_of([row(1, permanencia=0)])
    assert m["quality"]["counts"]["Q01"] == 0
    assert m["quality"]["counts"]["Q07"] == 1


def test_q02_age_sex_split_differs_from_new(metrics_of):
    rows = [
        row(1, mujeres=5, hombres=3, implementing_partner="Socio Y"),  # 8 != 10
        row(2),
        row(3, mujeres=0),                                             # no split at all: 0 != 10
        row(4, mujeres=0, total_monthly=0, new_beneficiaries=0, permanencia=0, quantity=1),  # no people: fine
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q02": 2})
    first, second = issues_of(m, "Q02")
    assert (first["row"], first["organization"]) == (2, "Socio Y")
    assert (second["row"], second["organization"]) == (4, "Org A")
    assert "sexo" in first["message"] and "edad" in first["message"]
    assert re.search(r"\b8\b", first["message"]) and re.search(r"\b10\b", first["message"])
    assert re.search(r"\b0\b", second["message"]) and re.search(r"\b10\b", second["message"])
    assert_rows(m, read=4, counted=4)
    assert m["people_reached"]["total"] == 30


def test_q03_new_greater_than_total_monthly(metrics_of):
    rows = [
        row(1),
        row(2),
        row(3, total_monthly=10, new_beneficiaries=12, permanencia=12, mujeres=12,
            implementing_partner="Socio Z", appealing_org="Org B"),
        row(4, total_monthly=10, new_beneficiaries=10),  # equal: fine
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q03": 1})
    (issue,) = issues_of(m, "Q03")
    assert (issue["row"], issue["organization"]) == (4, "Socio Z")
    assert "Nuevos" in issue["message"] or "nuevos" in issue["message"]
    assert re.search(r"\b12\b", issue["message"]) and re.search(r"\b10\b", issue["message"])
    assert_rows(m, read=4, counted=4)
    # the monthly basis uses the row's total as reported
    assert m["people_reached"]["total"] == 40


def test_q04_cva_yes_without_usd(metrics_of):
    rows = [
        row(1, cva="Sí", cva_value_usd=120),                       # fine
        row(2, cva="Si", cva_value_usd=0, implementing_partner="Socio W"),
        row(3, cva="Yes"),                                         # blank USD
        row(4, cva="No"),
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q04": 2})
    first, second = issues_of(m, "Q04")
    assert (first["row"], first["organization"]) == (3, "Socio W")
    assert (second["row"], second["organization"]) == (4, "Org A")
    assert "CVA" in first["message"] and "USD" in first["message"]
    assert re.search(r"\b0\b", first["message"])
    assert_rows(m, read=4, counted=4)
    assert m["key_figures"]["usd_distribuidos"] == 120


def test_q05_usd_without_cva_yes(metrics_of):
    rows = [
        row(1, cva="Sí", cva_value_usd=100),          # fine
        row(2, cva="No", cva_value_usd=250, implementing_partner="Socio V"),
        row(3, cva="", cva_value_usd=75.5),           # blank CVA
        row(4, cva="No", cva_value_usd=0),            # fine
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q05": 2})
    first, second = issues_of(m, "Q05")
    assert (first["row"], first["organization"]) == (3, "Socio V")
    assert (second["row"], second["organization"]) == (4, "Org A")
    assert "250" in first["message"] and "USD" in first["message"] and "No" in first["message"]
    assert "75.5" in second["message"]
    assert_rows(m, read=4, counted=4)
    # reported, never dropped: the USD still count in the key figure
    assert m["key_figures"]["usd_distribuidos"] == 426  # 100 + 250 + 75.5 = 425.5 -> 426 (half up)


def test_q06_sector_not_in_catalog_is_kept_as_sin_subgrupo(metrics_of):
    rows = [
        row(1),                                                   # Shelter
        row(2, sector="Sector Inventado", implementing_partner="Socio U", total_monthly=7,
            new_beneficiaries=7, permanencia=5, transito=2, mujeres=7),
        row(3, sector="Alojamiento"),                             # Spanish name of Shelter: fine
        row(4, sector="", total_monthly=3, new_beneficiaries=3, permanencia=3, mujeres=3),
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q06": 1, "Q11": 1})  # a blank sector is R4V's «missing field» (Q11), not Q06
    (first,) = issues_of(m, "Q06")
    assert (first["row"], first["organization"]) == (3, "Socio U")
    assert "Sector Inventado" in first["message"] and "Sin subgrupo" in first["message"]
    (second,) = issues_of(m, "Q11")
    assert (second["row"], second["organization"]) == (5, "Org A")
    assert "falta sector" in second["message"]
    # rows kept and counted
    assert_rows(m, read=4, counted=4)
    assert m["subgroups"]["sin_subgrupo"] == {
        "total": 10, "by_population": {"permanencia": 8, "transito": 2, "acogida": 0}}
    assert m["subgroups"]["necesidades_basicas"]["total"] == 20


def test_q07_people_without_population_split(metrics_of):
    rows = [
        row(1),
        row(2, permanencia=0, implementing_partner="Socio T"),                    # 10 people
        row(3, permanencia=0, total_monthly=6, new_beneficiaries=0, mujeres=0),  # 6 in the month
        row(4, permanencia=0, total_monthly=0, new_beneficiaries=0, mujeres=0, quantity=5),  # no people
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q07": 2})
    first, second = issues_of(m, "Q07")
    assert (first["row"], first["organization"]) == (3, "Socio T")
    assert (second["row"], second["organization"]) == (4, "Org A")
    assert "desagreg" in first["message"]
    assert re.search(r"\b10\b", first["message"])
    assert re.search(r"\b6\b", second["message"])
    assert_rows(m, read=4, counted=4)
    # one sector, one unit: the rows add up; the unsplit people go to sin_desagregar in the subgroup, and
    # in the headline they take the sector's own split (regla_maximo por_grupo): 10 + 16 in destination
    assert m["people_reached"]["by_population"] == {"permanencia": 26, "transito": 0, "acogida": 0}
    assert m["people_reached"]["total"] == 26
    assert m["subgroups"]["necesidades_basicas"]["by_population"]["sin_desagregar"] == 16


def test_q08_exact_duplicate_excluded_and_counted_once(metrics_of):
    rows = [
        row(1, implementing_partner="Socio S"),
        row(2),
        row(1, implementing_partner="Socio S"),  # copy of row 2 (Excel)
        row(3),
        row(1, implementing_partner="Socio S"),  # second copy
        row(2, total_monthly=11, new_beneficiaries=11, permanencia=11, mujeres=11),  # not a copy: Q30 of row 3
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q08": 2, "Q30": 1})
    first, second = issues_of(m, "Q08")
    assert (first["row"], first["organization"]) == (4, "Socio S")
    assert (second["row"], second["organization"]) == (6, "Socio S")
    assert re.search(r"\bfila 2\b", first["message"])
    assert re.search(r"\bfila 2\b", second["message"])
    assert "duplicad" in first["message"].lower()
    assert_rows(m, read=6, counted=4)
    assert m["rows"]["excluded_by_reason"] == {"fila_duplicada": 2}
    assert m["people_reached"]["total"] == 10 + 10 + 10 + 11


def test_q08_rows_differing_in_one_cell_are_not_duplicates(metrics_of):
    m = metrics_of([row(1), row(1, admin2="Tarata"), row(1, implementing_partner="Socio S")])
    assert_only(m, {})
    assert_rows(m, read=3, counted=3)


def test_q09_fractional_people_used_as_is(metrics_of):
    rows = [
        row(1, total_monthly=12.4, new_beneficiaries=12.4, permanencia=12.4, mujeres=12.4,
            implementing_partner="Socio R"),
        row(2),
        row(3, total_monthly=0.4, new_beneficiaries=0.4, permanencia=0.4, mujeres=0.4),
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q09": 2})
    first, second = issues_of(m, "Q09")
    assert (first["row"], first["organization"]) == (2, "Socio R")
    assert (second["row"], second["organization"]) == (4, "Org A")
    assert "12.4" in first["message"] and "fraccionario" in first["message"]
    assert "0.4" in second["message"]
    assert_rows(m, read=3, counted=3)
    # summed unrounded, rounded once: 12.4 + 10 + 0.4 = 22.8 -> 23 (rounding each row first: 22)
    assert m["people_reached"]["total"] == 23
    assert m["people_reached"]["by_population"]["permanencia"] == 23
    assert m["sectors"]["Shelter"] == {"total": 23, "new": 23}
    assert m["by_sex_age"]["mujeres"] == 23


def test_q09_fraction_in_split_only(metrics_of):
    """12.4 in destination and 0.6 in transit: one issue for the row, the split used as is."""
    rows = [
        row(1, total_monthly=13, new_beneficiaries=13, permanencia=12.4, transito=0.6, mujeres=13),
        row(2, admin2="Tarata", total_monthly=13, new_beneficiaries=13, permanencia=12.4,
            transito=0.6, mujeres=13),
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q09": 2})
    assert [i["row"] for i in issues_of(m, "Q09")] == [2, 3]
    assert_rows(m, read=2, counted=2)
    # 24.8 -> 25 and 1.2 -> 1: the total is the sum of its published parts
    assert m["people_reached"]["by_population"] == {"permanencia": 25, "transito": 1, "acogida": 0}
    assert m["people_reached"]["total"] == 26


def test_issues_of_other_regions_and_months_not_in_the_month(metrics_of):
    rows = [
        row(1),
        row(2, admin1="Puno", total_monthly=5, new_beneficiaries=8),          # Q03 elsewhere
        row(3, month="2020-08", cva="Sí"),                                   # Q04 previous month
        row(4, new_beneficiaries=12, permanencia=12, mujeres=12),             # Q03 here
    ]
    m = metrics_of(rows)
    assert_only(m, {"Q03": 1})
    assert issues_of(m, "Q03")[0]["row"] == 5
    assert_rows(m, read=2, counted=2)


def test_several_codes_on_one_row_each_counted(metrics_of):
    rows = [row(1, sector="Otro sector", new_beneficiaries=12.5, permanencia=12.5, mujeres=12.5,
                cva="Sí", implementing_partner="Socio Q")]
    m = metrics_of(rows)
    assert_only(m, {"Q03": 1, "Q04": 1, "Q06": 1, "Q09": 1})
    assert {i["row"] for i in m["quality"]["issues"]} == {2}
    assert {i["organization"] for i in m["quality"]["issues"]} == {"Socio Q"}
    # issues sorted by row then code
    assert [i["code"] for i in m["quality"]["issues"]] == ["Q03", "Q04", "Q06", "Q09"]
    assert_rows(m, read=1, counted=1)


# --- mdrm validate --------------------------------------------------------------------------

def test_validate_prints_issues_table_and_exits_0(five_w, capsys):
    data = five_w([
        row(1),
        row(2, permanencia=6, transito=3),                      # Q01 at row 3
        row(3, admin1="Puno", cva="No", cva_value_usd=40),      # Q05 at row 4: another region
        row(1),                                                 # Q08 at row 5
        row(4, month="2020-11", sector="Inventado"),            # Q06 at row 6: a later month
    ])
    code = main(["validate", str(data), "--todo"])
    out = capsys.readouterr().out
    assert code == 0
    assert "5w.csv" in out
    assert re.search(r"Filas leídas:\s*5\b", out)
    # one line per issue: code, row, country, region, month, organization
    assert re.search(r"^\s*Q01\s+3\s+Peru\s+Tacna\s+2020-09\s+Org A\b", out, re.M)
    assert re.search(r"^\s*Q05\s+4\s+Peru\s+Puno\s+2020-09\s+Org A\b", out, re.M)
    assert re.search(r"^\s*Q08\s+5\s+Peru\s+Tacna\s+2020-09\s+Org A\b.*fila 2", out, re.M)
    assert re.search(r"^\s*Q06\s+6\s+Peru\s+Tacna\s+2020-11\s+Org A\b.*Inventado", out, re.M)
    # the summary comes first, the long list after it
    assert out.index("Resumen por código") < out.index("fila 2")
    # the summary per code
    for code_, n in {"Q01": 1, "Q05": 1, "Q06": 1, "Q08": 1, "Q02": 0, "Q09": 0}.items():
        assert re.search(rf"^\s*{code_}\s+{n}\b", out, re.M), code_


def test_validate_clean_file(five_w, capsys):
    code = main(["validate", str(five_w([row(1), row(2)]))])
    out = capsys.readouterr().out
    assert code == 0
    assert "Sin problemas de calidad" in out
    for code_ in CODES:
        assert re.search(rf"^\s*{code_}\s+0\b", out, re.M)


def test_validate_subprocess_exit_0_with_only_quality_issues(five_w):
    import subprocess
    import sys

    from conftest import ROOT

    data = five_w([row(1), row(2, new_beneficiaries=12, permanencia=12, mujeres=12)], name="5w.xlsx")
    result = subprocess.run([sys.executable, "-m", "mdrm", "validate", str(data), "--todo"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "hoja «5W»" in result.stdout
    assert re.search(r"^\s*Q03\s+3\s+Peru\s+Tacna\s+2020-09\s+Org A\b", result.stdout, re.M)


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_a_spanish_label_in_validate_summary(five_w, capsys, code):
    main(["validate", str(five_w([row(1)]))])
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if re.match(rf"^\s*{code}\s+\d+", ln))
    label = re.sub(rf"^\s*{code}\s+\d+\s+", "", line)
    assert len(label) > 15
    assert not re.search(r"\b(the|row|people|population|sector not)\b", label, re.I)


def test_a_duplicated_copy_raises_only_q08(metrics_of):
    # Both copies carry a Q03 (new 12 > total 10); the copy repeats it, so only the
    # first copy reports Q03 and the copy reports Q08.
    bad = {"total_monthly": 10, "new_beneficiaries": 12, "permanencia": 12, "mujeres": 12}
    m = metrics_of([bad, bad])
    assert m["quality"]["counts"]["Q03"] == 1
    assert m["quality"]["counts"]["Q08"] == 1
    assert [(i["code"], i["row"]) for i in m["quality"]["issues"]] == [("Q03", 2), ("Q08", 3)]


def test_q09_message_names_the_column_as_written(metrics_of):
    m = metrics_of([{"total_monthly": 12.4, "new_beneficiaries": 12.4, "permanencia": 12.4, "mujeres": 12.4}])
    (issue,) = [i for i in m["quality"]["issues"] if i["code"] == "Q09"]
    assert "«Total beneficiarios mensuales» = 12.4" in issue["message"]
