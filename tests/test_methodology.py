"""Each rule of the methodology (docs/metodologia.md §2) on a small hand-made table.

Every expected figure is worked out by hand in a comment next to it, and the
numbers are chosen so that the wrong rule gives a different answer (suma vs
maximo, admin1 vs admin2, mensual vs nuevos, 2.5 -> 3 not 2, ties of the
largest remainder to the first listed part).

Rows are given by canonical field name; `metrics_of` (tests/conftest.py)
fills the defaults (admin1 Tacna, admin2 Tacna, month 2020-09, sector Shelter,
RMRP "Si", org "Org A") and runs the real loader on a real CSV.
"""
from __future__ import annotations

MAIN = {"permanencia", "transito", "acogida"}


def people(n, **fields):
    """A row of `n` people (month volume = new = n), all of them en permanencia."""
    row = {"total_monthly": n, "new_beneficiaries": n, "permanencia": n}
    row.update(fields)
    return row


def pop(m: dict, group: str = "permanencia") -> int:
    return m["people_reached"]["by_population"][group]


# --- 5.1 split of a row ----------------------------------------------------

def test_split_not_summing_to_basis_is_apportioned_and_total_is_sum_of_rounded_parts(metrics_of):
    # total 10, split permanencia 3 / transito 1 (sums to 4, not 10):
    # permanencia 10 x 3/4 = 7.5 -> 8 ; transito 10 x 1/4 = 2.5 -> 3 (half up, not 2)
    # total = 8 + 3 = 11 (the sum of the published parts, not the 10 reported)
    m = metrics_of([{"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 3, "transito": 1}])
    assert m["people_reached"] == {"total": 11, "by_population": {"permanencia": 8, "transito": 3, "acogida": 0}}
    assert m["subgroups"]["necesidades_basicas"] == {
        "total": 11, "by_population": {"permanencia": 8, "transito": 3, "acogida": 0}}


def test_split_apportioning_is_not_flipped_by_float_noise(metrics_of):
    # 11 people, split 15 / 7 (sum 22): permanencia 11 x 15/22 = 7.5 (7.499999999999999 in floats) -> 8;
    # transito 11 x 7/22 = 3.5 -> 4 ; total 8 + 4 = 12
    m = metrics_of([{"total_monthly": 11, "new_beneficiaries": 11, "permanencia": 15, "transito": 7}])
    assert m["people_reached"]["by_population"] == {"permanencia": 8, "transito": 4, "acogida": 0}
    assert m["people_reached"]["total"] == 12


def test_row_without_population_split_goes_to_sin_desagregar(metrics_of):
    # Shelter row 1: 10 people, no split -> sin_desagregar 10
    # Shelter row 2: 6 people, split permanencia 4 / pendulares 2 -> 4 and 2
    # subgroup: permanencia 4, pendulares 2, sin_desagregar 10 -> total 16
    # by_population: the three main groups always; pendulares and sin_desagregar
    # because non-zero; retornados absent (zero)
    # headline (regla_maximo por_grupo): the sector's 10 unsplit take its own split 4 : 2,
    # permanencia 4 + 10 x 4/6 = 10.67 -> 11, pendulares 2 + 10 x 2/6 = 5.33 -> 5; total 16
    m = metrics_of([
        {"total_monthly": 10, "new_beneficiaries": 10, "activity_name": "Sin split"},
        {"total_monthly": 6, "new_beneficiaries": 6, "permanencia": 4, "pendulares": 2},
    ])
    expected = {"permanencia": 4, "transito": 0, "acogida": 0, "pendulares": 2, "sin_desagregar": 10}
    assert m["subgroups"]["necesidades_basicas"]["by_population"] == expected
    assert m["people_reached"] == {"total": 16, "by_population": {"permanencia": 11, "transito": 0, "acogida": 0,
                                                                   "pendulares": 5}}
    assert "retornados" not in m["people_reached"]["by_population"]
    assert m["quality"]["counts"]["Q07"] == 1  # the unsplit row is flagged


def test_row_with_no_people_and_no_split_adds_nothing(metrics_of):
    # Shelter 5 (permanencia 5) + an empty Shelter row -> 5, no sin_desagregar key
    m = metrics_of([people(5), {"activity_name": "Vacía"}])
    assert m["people_reached"] == {"total": 5, "by_population": {"permanencia": 5, "transito": 0, "acogida": 0}}


# --- 5.2 subgroup figures ----------------------------------------------------

def test_subgroup_sums_rows_unrounded_then_rounds_each_group(metrics_of):
    # necesidades_basicas: Shelter 5 people split 1/1 -> 2.5 / 2.5 ; Food Security the same
    # Σ unrounded: permanencia 5, transito 5 -> total 10
    # (rounding each row first would give 3+3 = 6 per group, 12 in all;
    #  taking the max over sectors as the headline does would give 3 + 3 = 6)
    # salud_nutricion: Health 3 permanencia -> 3
    m = metrics_of([
        {"sector": "Shelter", "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 1, "transito": 1},
        {"sector": "Food Security", "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 1, "transito": 1},
        people(3, sector="Health"),
    ])
    assert m["subgroups"] == {
        "necesidades_basicas": {"total": 10, "by_population": {"permanencia": 5, "transito": 5, "acogida": 0}},
        "salud_nutricion": {"total": 3, "by_population": {"permanencia": 3, "transito": 0, "acogida": 0}},
    }


def test_unknown_sector_is_counted_under_sin_subgrupo(metrics_of):
    # "Sector Inventado" 7 is counted (rows counted 2) under sin_subgrupo;
    # headline (maximo, one unit): max(Shelter 10, Sector Inventado 7) = 10
    m = metrics_of([people(10), people(7, sector="Sector Inventado")])
    assert m["subgroups"]["sin_subgrupo"]["total"] == 7
    assert m["subgroups"]["necesidades_basicas"]["total"] == 10
    assert m["rows"]["counted"] == 2
    assert m["people_reached"]["total"] == 10


# --- 5.3 headline: maximo / suma / cono_sur, admin1 / admin2 -----------------

# Two admin2 units, two sectors, all permanencia:
#            Shelter  Food Security
#   Tacna       30        20
#   Tarata       5        25
GRID = [
    people(30, admin2="Tacna", sector="Shelter"),
    people(20, admin2="Tacna", sector="Food Security"),
    people(5, admin2="Tarata", sector="Shelter"),
    people(25, admin2="Tarata", sector="Food Security"),
]


def test_headline_maximo_admin1_by_default(metrics_of):
    # one unit (Tacna admin1): max(Shelter 30+5 = 35, Food 20+25 = 45) = 45
    # (admin2 would give 55, suma 80)
    m = metrics_of(GRID)
    assert m["dedup"] == {"method": "maximo", "level": "admin1"}
    assert m["people_reached"]["total"] == 45
    assert pop(m) == 45


def test_headline_maximo_without_nivel_is_admin1(metrics_of):
    # deduplicacion: {metodo: maximo} with no nivel -> admin1 -> 45 as above
    m = metrics_of(GRID, deduplicacion={"metodo": "maximo"})
    assert m["dedup"] == {"method": "maximo", "level": "admin1"}
    assert m["people_reached"]["total"] == 45


def test_headline_maximo_admin2_takes_max_per_admin2_unit(metrics_of):
    # Tacna: max(Shelter 30, Food 20) = 30 ; Tarata: max(Shelter 5, Food 25) = 25 -> 55
    m = metrics_of(GRID, deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    assert m["dedup"] == {"method": "maximo", "level": "admin2"}
    assert m["people_reached"]["total"] == 55
    assert pop(m) == 55


def test_headline_suma_is_the_plain_sum(metrics_of):
    # 30 + 20 + 5 + 25 = 80 (no de-duplication), whatever the level
    m = metrics_of(GRID, deduplicacion={"metodo": "suma", "nivel": "admin2"})
    assert m["dedup"] == {"method": "suma", "level": "admin2"}
    assert m["people_reached"]["total"] == 80
    assert metrics_of(GRID, deduplicacion={"metodo": "suma"})["people_reached"]["total"] == 80


def test_headline_max_is_taken_per_population_group(metrics_of):
    # Shelter: permanencia 10, transito 0 ; Food Security: permanencia 2, transito 8
    # permanencia max(10, 2) = 10 ; transito max(0, 8) = 8 -> total 18
    # (max of the sector totals would give max(10, 10) = 10)
    m = metrics_of([
        {"sector": "Shelter", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10},
        {"sector": "Food Security", "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 2, "transito": 8},
    ])
    assert m["people_reached"] == {"total": 18, "by_population": {"permanencia": 10, "transito": 8, "acogida": 0}}


def test_headline_sums_organizations_of_a_unit_sector_before_the_max(metrics_of):
    # Shelter: Org A 10 + Org B 15 = 25 ; Food Security: Org C 20 -> max(25, 20) = 25
    # (max over single rows would give 20 or 15)
    m = metrics_of([
        people(10, sector="Shelter", appealing_org="Org A"),
        people(15, sector="Shelter", appealing_org="Org B"),
        people(20, sector="Food Security", appealing_org="Org C"),
    ])
    assert m["people_reached"]["total"] == 25


def test_headline_compares_sector_names_normalized(metrics_of):
    # "Shelter" 10 and " SHELTER " 15 are one sector -> 25 ; Food Security 20 -> max 25
    # (as two sectors the max would be 20)
    m = metrics_of([
        people(10, sector="Shelter", appealing_org="Org A"),
        people(15, sector="SHELTER", appealing_org="Org B"),
        people(20, sector="Food Security", appealing_org="Org C"),
    ])
    assert m["people_reached"]["total"] == 25


def test_headline_maximo_takes_sectors_as_reported_not_by_catalog_id(metrics_of):
    # docs/metodologia.md §2, regla 3: the max runs over "the `sector` values as reported, compared normalized".
    # "Shelter" 10 and its Spanish name "Alojamiento" 15 are two sectors -> max(10, 15) = 15
    # (merged by catalog id they would be 25); both still roll up into necesidades_basicas: 25
    m = metrics_of([people(10, sector="Shelter"), people(15, sector="Alojamiento")])
    assert m["people_reached"]["total"] == 15
    assert m["subgroups"]["necesidades_basicas"]["total"] == 25


def test_blank_admin2_is_one_sin_dato_unit_within_its_admin1(metrics_of):
    #              Shelter  Food Security
    #   Tacna         10         4
    #   (blank)        3         7
    # admin2: Tacna max(10, 4) = 10 ; (sin dato) max(3, 7) = 7 -> 17
    # (blank rows as separate units: 10 + 3 + 7 = 20; merged into Tacna: max(13, 11) = 13;
    #  admin1: max(13, 11) = 13; suma 24)
    m = metrics_of([
        people(10, admin2="Tacna", sector="Shelter"),
        people(4, admin2="Tacna", sector="Food Security"),
        people(3, admin2="", sector="Shelter"),
        people(7, admin2="", sector="Food Security"),
    ], deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    assert m["people_reached"]["total"] == 17


def test_headline_cono_sur(metrics_of):
    # Level admin2.
    # Tacna: max(Shelter 10, Food Security 6, WASH 8) = 10
    #        + Protection (General) 5 + 4 (two orgs, summed) = 9
    #        + Health 3 + Education 2 = 5
    #        Nutrition 100, NFI 50, Protection (GBV) 40 do not enter -> 24
    # Tarata: max(Humanitarian Transportation 4) = 4 + Integration 1 + Multipurpose CBI 2 -> 7
    # total 24 + 7 = 31   (maximo admin2 would give 100 + 4 = 104; suma 235)
    rows = [
        people(10, admin2="Tacna", sector="Shelter"),
        people(6, admin2="Tacna", sector="Food Security"),
        people(8, admin2="Tacna", sector="WASH"),
        people(5, admin2="Tacna", sector="Protection (General)", appealing_org="Org A"),
        people(4, admin2="Tacna", sector="Protection (General)", appealing_org="Org B"),
        people(3, admin2="Tacna", sector="Health"),
        people(2, admin2="Tacna", sector="Education"),
        people(100, admin2="Tacna", sector="Nutrition"),
        people(50, admin2="Tacna", sector="NFI"),
        people(40, admin2="Tacna", sector="Protection (GBV)"),
        people(4, admin2="Tarata", sector="Humanitarian Transportation"),
        people(1, admin2="Tarata", sector="Integration"),
        people(2, admin2="Tarata", sector="Multipurpose CBI"),
    ]
    m = metrics_of(rows, deduplicacion={"metodo": "cono_sur", "nivel": "admin2"})
    assert m["dedup"] == {"method": "cono_sur", "level": "admin2"}
    assert m["people_reached"] == {"total": 31, "by_population": {"permanencia": 31, "transito": 0, "acogida": 0}}
    assert metrics_of(rows, deduplicacion={"metodo": "maximo", "nivel": "admin2"})["people_reached"]["total"] == 104
    assert metrics_of(rows, deduplicacion={"metodo": "suma"})["people_reached"]["total"] == 235


def test_headline_cono_sur_max_is_per_unit(metrics_of):
    # Shelter 10 in Tacna, Food Security 6 in Tarata
    # admin1: one unit, max(10, 6) = 10 ; admin2: 10 + 6 = 16
    rows = [people(10, admin2="Tacna", sector="Shelter"), people(6, admin2="Tarata", sector="Food Security")]
    assert metrics_of(rows, deduplicacion={"metodo": "cono_sur"})["people_reached"]["total"] == 10
    assert metrics_of(rows, deduplicacion={"metodo": "cono_sur", "nivel": "admin2"})["people_reached"]["total"] == 16


def test_headline_total_is_the_sum_of_rounded_groups(metrics_of):
    # Shelter 5 split 1/1 -> permanencia 2.5 -> 3, transito 2.5 -> 3 ; total 3 + 3 = 6 (not half_up(5) = 5)
    m = metrics_of([{"total_monthly": 5, "new_beneficiaries": 5, "permanencia": 1, "transito": 1}])
    assert m["people_reached"] == {"total": 6, "by_population": {"permanencia": 3, "transito": 3, "acogida": 0}}


# --- basis ------------------------------------------------------------------

def test_basis_mensual_uses_total_monthly_and_nuevos_uses_new_beneficiaries(metrics_of):
    # one Shelter row: total_monthly 20, new 8, split permanencia 1 / transito 3
    # mensual: 20 x 1/4 = 5, 20 x 3/4 = 15 -> 20 ; nuevos: 8 x 1/4 = 2, 8 x 3/4 = 6 -> 8
    rows = [{"total_monthly": 20, "new_beneficiaries": 8, "permanencia": 1, "transito": 3}]
    mensual = metrics_of(rows)
    assert mensual["basis"] == "mensual"
    assert mensual["people_reached"] == {"total": 20, "by_population": {"permanencia": 5, "transito": 15, "acogida": 0}}
    assert mensual["subgroups"]["necesidades_basicas"]["total"] == 20
    assert mensual["sectors"]["Shelter"] == {"total": 20, "new": 8}

    nuevos = metrics_of(rows, base_personas="nuevos")
    assert nuevos["basis"] == "nuevos"
    assert nuevos["people_reached"] == {"total": 8, "by_population": {"permanencia": 2, "transito": 6, "acogida": 0}}
    assert nuevos["subgroups"]["necesidades_basicas"]["total"] == 8
    assert nuevos["sectors"]["Shelter"] == {"total": 8, "new": 8}


# --- 5.4 sex and age ----------------------------------------------------------

def test_by_sex_age_is_apportioned_to_the_headline_total_by_largest_remainder(metrics_of):
    # Shelter 10 (mujeres 5, hombres 5), Food Security 5 (ninas 5): headline max(10, 5) = 10
    # age split of all counted rows: ninas 5, mujeres 5, hombres 5 (Σ 15) apportioned to 10:
    # quotas 3.333 each -> floors 3+3+3 = 9, 1 left, tie -> ninas (first listed) -> 4, 3, 3
    # (plain rounding: 3+3+3 = 9 ≠ 10; unapportioned: 5+5+5 = 15)
    m = metrics_of([
        people(10, sector="Shelter", mujeres=5, hombres=5),
        people(5, sector="Food Security", ninas=5),
    ])
    assert m["people_reached"]["total"] == 10
    assert m["by_sex_age"] == {"ninas": 4, "ninos": 0, "mujeres": 3, "hombres": 3, "otros_menores": 0, "otros_adultos": 0}


def test_by_sex_age_leftover_units_go_to_largest_remainders_ties_first_listed(metrics_of):
    # one row of 10 people, age split ninos 1, mujeres 1, otros_menores 1, otros_adultos 3 (Σ 6):
    # quotas 1.667, 1.667, 1.667, 5 -> floors 1+1+1+5 = 8, 2 left,
    # three remainders tie at .667 -> ninos, mujeres (listed before otros_menores)
    m = metrics_of([people(10, ninos=1, mujeres=1, otros_menores=1, otros_adultos=3)])
    assert m["by_sex_age"] == {"ninas": 0, "ninos": 2, "mujeres": 2, "hombres": 0, "otros_menores": 1, "otros_adultos": 5}


def test_by_sex_age_largest_remainder_beats_list_order(metrics_of):
    # 10 people, ninas 1, hombres 2: quotas 3.333 and 6.667 -> 3 + 6, the unit to hombres -> 3, 7
    m = metrics_of([people(10, ninas=1, hombres=2)])
    assert m["by_sex_age"]["ninas"] == 3
    assert m["by_sex_age"]["hombres"] == 7


def test_by_sex_age_follows_the_basis(metrics_of):
    # total_monthly 9, new 3, split ninas 1 / hombres 2
    # mensual: headline 9 -> ninas 3, hombres 6 ; nuevos: headline 3 -> ninas 1, hombres 2
    rows = [{"total_monthly": 9, "new_beneficiaries": 3, "permanencia": 3, "ninas": 1, "hombres": 2}]
    assert metrics_of(rows)["by_sex_age"]["hombres"] == 6
    assert metrics_of(rows, base_personas="nuevos")["by_sex_age"]["hombres"] == 2


# --- 5.5 year to date -----------------------------------------------------------

def test_ytd_takes_the_max_each_month_then_accumulates_on_new_beneficiaries(metrics_of):
    # new beneficiaries (total_monthly 50 everywhere, to show the basis is nuevos):
    #   2020-08: Shelter 10, Food Security 6 -> max 10
    #   2020-09: Shelter 4,  Food Security 7 -> max 7
    #   ytd = 10 + 7 = 17   (max of the accumulated sectors: max(14, 13) = 14; on total_monthly: 100)
    # 2019-12 (last year) and 2020-10 (after the month) do not count.
    # ytd sectors: Σ new Jan..Sep: Shelter 10 + 4 = 14, Food Security 6 + 7 = 13
    def new(n, month, sector):
        return {"month": month, "sector": sector, "total_monthly": 50, "new_beneficiaries": n, "permanencia": n}

    m = metrics_of([
        new(1000, "2019-12", "Shelter"),
        new(10, "2020-08", "Shelter"),
        new(6, "2020-08", "Food Security"),
        new(4, "2020-09", "Shelter"),
        new(7, "2020-09", "Food Security"),
        new(1000, "2020-10", "Shelter"),
    ])
    assert m["ytd"]["people_reached"] == {"total": 17, "by_population": {"permanencia": 17, "transito": 0, "acogida": 0}}
    assert m["ytd"]["sectors"] == {"Shelter": 14, "Food Security": 13}
    assert m["people_reached"]["total"] == 50  # the month itself: mensual, max(50, 50)


def test_ytd_is_rounded_once_after_accumulating(metrics_of):
    # 2020-08 and 2020-09: one Shelter row each, 5 new split 1/1 -> 2.5 / 2.5 per month
    # ytd: permanencia 2.5 + 2.5 = 5, transito 5 -> total 10
    # (rounding each month first: 3 + 3 = 6 per group, 12 in all)
    rows = [
        {"month": mo, "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 1, "transito": 1}
        for mo in ("2020-08", "2020-09")
    ]
    m = metrics_of(rows)
    assert m["ytd"]["people_reached"] == {"total": 10, "by_population": {"permanencia": 5, "transito": 5, "acogida": 0}}


# --- 5.8 previous month -----------------------------------------------------------

def test_previous_month_headline_and_subgroups(metrics_of):
    # 2020-08 (nuevos): Shelter 10, Food Security 6, Health 3 -> max 10 (admin1, one unit)
    #   subgroups: necesidades_basicas 10 + 6 = 16, salud_nutricion 3
    #   (total_monthly 99 on every row shows the same basis as the month is used)
    # 2020-09: Shelter 1
    def row(n, month, sector):
        return {"month": month, "sector": sector, "total_monthly": 99, "new_beneficiaries": n, "permanencia": n}

    m = metrics_of([
        row(10, "2020-08", "Shelter"), row(6, "2020-08", "Food Security"), row(3, "2020-08", "Health"),
        row(1, "2020-09", "Shelter"),
    ], base_personas="nuevos")
    assert m["people_reached"]["total"] == 1
    assert m["previous_month"]["people_reached_total"] == 10
    assert m["previous_month"]["subgroups"] == {"necesidades_basicas": 16, "salud_nutricion": 3}


def test_previous_month_uses_the_same_method(metrics_of):
    # 2020-08: Shelter 10, Food Security 6 -> suma 16 (maximo would give 10)
    m = metrics_of([
        people(10, month="2020-08", sector="Shelter"), people(6, month="2020-08", sector="Food Security"),
        people(1, month="2020-09"),
    ], deduplicacion={"metodo": "suma"})
    assert m["previous_month"]["people_reached_total"] == 16


def test_previous_month_without_rows_is_none(metrics_of):
    m = metrics_of([people(5)])
    assert m["previous_month"] is None  # docs/metodologia.md §7, W03
    # the file starts with the report's month: W03 is an information line, not a warning (issue 17)
    assert "W03" in [w["code"] for w in m["notices"]] and "W03" not in [w["code"] for w in m["warnings"]]
    m = metrics_of([people(5), people(3, month="2020-07")])  # July in the file, August without rows
    assert "W03" in [w["code"] for w in m["warnings"]] and m["notices"] == []


def test_previous_month_of_january_is_december_of_last_year(metrics_of):
    # params month 2021-01; 2020-12 Shelter 8 -> previous 8; ytd only January 2021 -> 2
    m = metrics_of([people(8, month="2020-12"), people(2, month="2021-01")], mes="2021-01")
    assert m["previous_month"]["people_reached_total"] == 8
    assert m["ytd"]["people_reached"]["total"] == 2


# --- counted rows and rows accounting ------------------------------------------------

def test_rmrp_no_rows_are_not_counted(metrics_of):
    # Shelter 10 (RMRP Si) + Food Security 30 (RMRP No) -> headline 10 (with the No row: 30)
    m = metrics_of([people(10), people(30, sector="Food Security", rmrp_activity="No")])
    assert m["people_reached"]["total"] == 10
    assert m["rows"] == {"read": 2, "counted": 1, "excluded": 1, "excluded_by_reason": {"actividad_no_rmrp": 1}}
    assert m["subgroups"] == {
        "necesidades_basicas": {"total": 10, "by_population": {"permanencia": 10, "transito": 0, "acogida": 0}}}


def test_blank_rmrp_flag_is_counted(metrics_of):
    # only "No" excludes: a blank RMRP flag is counted -> 10 + 4 = 14 (suma)
    m = metrics_of([people(10), people(4, rmrp_activity="")], deduplicacion={"metodo": "suma"})
    assert m["people_reached"]["total"] == 14
    assert m["rows"]["counted"] == 2


def test_common_services_rows_are_not_counted(metrics_of):
    # Shelter 10 + Common Services (IM) 50 -> headline 10, no manejo_informacion subgroup
    m = metrics_of([people(10), people(50, sector="Common Services (IM)")])
    assert m["people_reached"]["total"] == 10
    assert "manejo_informacion" not in m["subgroups"]
    assert "Common Services (IM)" not in m["sectors"]
    assert m["rows"] == {"read": 2, "counted": 1, "excluded": 1, "excluded_by_reason": {"servicios_comunes": 1}}


def test_exact_duplicate_row_is_counted_once(metrics_of):
    # the same Shelter row of 10 twice -> counted once: 10 (suma, so a second copy would show as 20);
    # a row differing only in its activity name is not a duplicate: + 3 -> 13
    m = metrics_of([people(10), people(10), people(3, activity_name="Otra")], deduplicacion={"metodo": "suma"})
    assert m["people_reached"]["total"] == 13
    assert m["sectors"]["Shelter"]["total"] == 13
    assert m["rows"] == {"read": 3, "counted": 2, "excluded": 1, "excluded_by_reason": {"fila_duplicada": 1}}


def test_rows_of_another_region_are_ignored(metrics_of):
    # Arequipa 1000 is not read at all; " TACNA " is Tacna (matched normalized):
    # read 2, headline (suma) 10 + 5 = 15
    m = metrics_of([people(10), people(5, admin1=" TACNA "), people(1000, admin1="Arequipa", admin2="Arequipa")],
                   deduplicacion={"metodo": "suma"})
    assert m["people_reached"]["total"] == 15
    assert m["rows"] == {"read": 2, "counted": 2, "excluded": 0, "excluded_by_reason": {}}


def test_rows_read_is_counted_plus_excluded(metrics_of):
    # 5 rows of Tacna 2020-09: counted Shelter 10; excluded: RMRP No, Common Services (IM), a duplicate;
    # counted Health 2 ; plus one row of 2020-08 and one of Arequipa, not read
    m = metrics_of([
        people(10),
        people(10),
        people(7, rmrp_activity="No", activity_name="Fuera del RMRP"),
        people(9, sector="Common Services (IM)"),
        people(2, sector="Health"),
        people(4, month="2020-08"),
        people(6, admin1="Arequipa"),
    ])
    assert m["rows"] == {
        "read": 5, "counted": 2, "excluded": 3,
        "excluded_by_reason": {"fila_duplicada": 1, "actividad_no_rmrp": 1, "servicios_comunes": 1},
    }
    assert m["people_reached"]["total"] == 10  # max(Shelter 10, Health 2)


# --- key figures -----------------------------------------------------------------

def test_key_figures_match_activity_names_normalized_over_all_rows(metrics_of):
    # kits_higiene (cantidad): "Entrega de Kits de Higiene" 12 + "KIT DE HIGIENE familiar" 3 (RMRP No: still counts)
    #   = 15 ; its exact duplicate is not added ; "Otra actividad" 100 does not match
    # casos_proteccion (cantidad): "Acompañamiento de casos" (accent, normalized) 4
    # personas_autoempleo (personas, basis mensual): "Capacitación en autoempleo" total_monthly 7 (new 3) -> 7
    # usd_distribuidos (usd, no pattern: every row, RMRP No and Common Services too):
    #   10.25 + 20.25 + 0 + 0 + 0 + 5 = 35.5 -> 36 (half up)
    rows = [
        {"activity_name": "Entrega de Kits de Higiene", "quantity": 12, "cva_value_usd": 10.25},
        {"activity_name": "Entrega de Kits de Higiene", "quantity": 12, "cva_value_usd": 10.25},
        {"activity_name": "KIT DE HIGIENE familiar", "quantity": 3, "rmrp_activity": "No", "cva_value_usd": 20.25},
        {"activity_name": "Otra actividad", "quantity": 100},
        {"activity_name": "Acompañamiento de casos", "sector": "Protection (General)", "quantity": 4},
        {"activity_name": "Capacitación en autoempleo", "sector": "Integration",
         "total_monthly": 7, "new_beneficiaries": 3, "permanencia": 7},
        {"activity_name": "Reporte", "sector": "Common Services (IM)", "cva_value_usd": 5},
    ]
    kf = metrics_of(rows)["key_figures"]
    assert kf["kits_higiene"] == 15
    assert kf["casos_proteccion"] == 4
    assert kf["personas_autoempleo"] == 7
    assert kf["usd_distribuidos"] == 36
    assert kf["raciones_comida"] == 0
    # nuevos basis: personas = new beneficiaries -> 3
    assert metrics_of(rows, base_personas="nuevos")["key_figures"]["personas_autoempleo"] == 3


# --- organizations ------------------------------------------------------------------

def test_reporting_organizations_are_distinct_partners_normalized_over_all_month_rows(metrics_of):
    # Org A implements through "Socio Uno" and "SOCIO UNO" (one, normalized) and "Socio Dos";
    # "Org B" and "org b" with no partner -> Org B; Org C (RMRP No) still reports;
    # Org D (2020-08) and Org E (Arequipa) are not in the month/region
    # -> Socio Uno, Socio Dos, Org B, Org C = 4 (by appealing org it would be 3)
    m = metrics_of([
        people(1, appealing_org="Org A", implementing_partner="Socio Uno", activity_name="a"),
        people(1, appealing_org="Org A", implementing_partner="SOCIO UNO", activity_name="b"),
        people(1, appealing_org="Org A", implementing_partner="Socio Dos", activity_name="c"),
        people(1, appealing_org="Org B", activity_name="d"),
        people(1, appealing_org="org b", activity_name="e"),
        people(1, appealing_org="Org C", rmrp_activity="No", activity_name="f"),
        people(1, appealing_org="Org D", month="2020-08"),
        people(1, appealing_org="Org E", admin1="Arequipa"),
    ])
    assert m["organizations"]["reporting"] == 4
