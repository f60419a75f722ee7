"""The intersector maximum, exact (`deduplicacion.regla_maximo`, SPEC §13, docs/metodologia.md §2 regla 3).

R4V 2021's `maxsector` (r4v_app, R/6_consolidated_report.R): per admin1 and month,
`slice(which.max(Monthly_Consolidated))` keeps the one sector with the largest
total, with that sector's own splits; the admin1s are then summed. `por_sector`
is that rule (ties broken in a documented order, whatever the row order).
`por_grupo` (the default) stays each group's max, but a sector's unsplit people
first take the split of the same sector in the unit, else the unit's split, else
stay unsplit, so they never add to another sector's split people.

Every table is hand-made and worked by hand in the comments; the rows go
through a real CSV and the real loader (`metrics_of`, tests/conftest.py:
admin1 Tacna, month 2020-09, RMRP "Si"), so the params key is read as a user
writes it.
"""
from __future__ import annotations

import pytest

BY_PROVINCE = {"metodo": "maximo", "nivel": "admin2"}


def split(n, admin2="Tacna", sector="Shelter", **groups):
    """A row of `n` people (month volume = new = n) split as `groups` (none: unsplit)."""
    return {"total_monthly": n, "new_beneficiaries": n, "admin2": admin2, "sector": sector, **groups}


def headline(metrics_of, rows, **dedup) -> dict:
    return metrics_of(rows, deduplicacion={**BY_PROVINCE, **dedup})["people_reached"]


# Province Tacna: Shelter 60 (perm 30, trans 30), Food Security 60 (perm 60), Education 60 with no split,
# Health 40 (perm 40). Province Tarata: Shelter 10 (trans 10), Health 25 (acog 25).
TIE = [
    split(30, sector="Shelter", permanencia=30, transito=0),
    split(30, sector="Shelter", transito=30),
    split(60, sector="Food Security", permanencia=60),
    split(60, sector="Education"),
    split(40, sector="Health", permanencia=40),
    split(10, "Tarata", sector="Shelter", transito=10),
    split(25, "Tarata", sector="Health", acogida=25),
]


def test_por_sector_takes_the_largest_sector_with_its_own_split_and_breaks_a_tie_in_a_fixed_order(metrics_of):
    # Tacna: Shelter, Food Security and Education tie at 60. Education has no split (60 unsplit,
    #   0 split people): it loses to the sectors whose 60 are split. Shelter and Food Security tie
    #   on the split too (60 each): the sector name alphabetically, «food security» < «shelter»
    #   -> Food Security, perm 60.
    # Tarata: Health 25 > Shelter 10 -> acog 25.
    # Headline: perm 60, trans 0, acog 25 -> 85.
    expected = {"total": 85, "by_population": {"permanencia": 60, "transito": 0, "acogida": 25}}
    assert headline(metrics_of, TIE, regla_maximo="por_sector") == expected
    # whatever the order of the rows
    assert headline(metrics_of, TIE[::-1], regla_maximo="por_sector") == expected
    assert headline(metrics_of, [TIE[2], *TIE[4:], TIE[3], *TIE[:2]], regla_maximo="por_sector") == expected


def test_por_grupo_on_the_same_table_maximises_each_group(metrics_of):
    # Tacna: Education's 60 unsplit take the province's split over every sector (perm 30+60+40 = 130,
    #   trans 30; Σ 160): perm 60 x 130/160 = 48.75, trans 60 x 30/160 = 11.25.
    #   perm max(30, 60, 48.75, 40) = 60 ; trans max(30, 11.25) = 30.
    # Tarata: trans 10, acog 25.  Headline: perm 60, trans 40, acog 25 -> 125 (por_sector: 85).
    expected = {"total": 125, "by_population": {"permanencia": 60, "transito": 40, "acogida": 25}}
    assert headline(metrics_of, TIE) == expected  # the default rule
    assert headline(metrics_of, TIE, regla_maximo="por_grupo") == expected


def test_por_grupo_unsplit_people_of_one_sector_never_add_to_split_people_of_another(metrics_of):
    # One unit: Shelter 100 with no split, Food Security 100 in destination.
    # Shelter has no split of its own: its 100 take the unit's (all destination) -> perm max(100, 100) = 100.
    # The old rule made sin_desagregar a group of its own: 100 + 100 = 200.
    rows = [split(100, sector="Shelter"), split(100, sector="Food Security", permanencia=100)]
    expected = {"total": 100, "by_population": {"permanencia": 100, "transito": 0, "acogida": 0}}
    assert headline(metrics_of, rows) == expected
    # R4V's maxsector gives 100 too (the tie goes to the split sector, Food Security)
    assert headline(metrics_of, rows, regla_maximo="por_sector") == expected
    # subgroups and sectors still show the rows as reported: Shelter's 100 are unsplit there
    m = metrics_of(rows, deduplicacion=BY_PROVINCE)
    assert m["subgroups"]["necesidades_basicas"]["by_population"]["sin_desagregar"] == 100


def test_por_grupo_apportions_by_the_same_sector_first_then_the_unit_else_leaves_them_unsplit(metrics_of):
    # Tacna: Shelter 100 unsplit + Shelter 20 in transit; Food Security 100 destination + 60 transit.
    #   Shelter's 100 take Shelter's own split (all transit): Shelter trans 120.
    #   perm max(0, 100) = 100 ; trans max(120, 60) = 120 -> 220
    #   (the unit's split would have given Shelter perm 62.5 + trans 57.5: not used, the sector has one)
    # Tarata: Health 30 with no split and nothing split in the province: stays sin_desagregar 30.
    # Headline: perm 100, trans 120, sin_desagregar 30 -> 250 (old rule: 100 + 60 + 100 + 30 = 290)
    rows = [
        split(100, sector="Shelter"),
        split(20, sector="Shelter", transito=20),
        split(160, sector="Food Security", permanencia=100, transito=60),
        split(30, "Tarata", sector="Health"),
    ]
    assert headline(metrics_of, rows) == {"total": 250, "by_population": {
        "permanencia": 100, "transito": 120, "acogida": 0, "sin_desagregar": 30}}


def test_por_sector_is_also_the_max_inside_cono_sur(metrics_of):
    # One unit. Max part: Shelter 50 (perm 20, trans 30) vs WASH 40 (perm 40).
    #   por_sector: Shelter (50 > 40) with its split -> perm 20, trans 30
    #   por_grupo: perm max(20, 40) = 40, trans 30 -> 70
    # plus Protection (General) 5 (acog), plus Health 7 (perm).
    # por_sector: perm 27, trans 30, acog 5 -> 62 ; por_grupo: perm 47, trans 30, acog 5 -> 82
    rows = [
        split(50, sector="Shelter", permanencia=20, transito=30),
        split(40, sector="WASH", permanencia=40),
        split(5, sector="Protection (General)", acogida=5),
        split(7, sector="Health", permanencia=7),
    ]
    cono = {"metodo": "cono_sur", "nivel": "admin1"}
    m = metrics_of(rows, deduplicacion={**cono, "regla_maximo": "por_sector"})
    assert m["people_reached"] == {"total": 62, "by_population": {"permanencia": 27, "transito": 30, "acogida": 5}}
    assert m["dedup"] == {"method": "cono_sur", "level": "admin1", "rule": "por_sector"}
    m = metrics_of(rows, deduplicacion=cono)
    assert m["people_reached"] == {"total": 82, "by_population": {"permanencia": 47, "transito": 30, "acogida": 5}}
    assert m["dedup"] == {"method": "cono_sur", "level": "admin1"}  # por_grupo, the default, is not written


def test_por_sector_year_to_date_takes_each_months_largest_sector_on_new_beneficiaries(metrics_of):
    # New beneficiaries, one unit. August: Shelter 10 new (perm), Health 4 new (acog) -> Shelter: perm 10.
    # September: Shelter total 50 but 2 new (trans); Health 30 total, 6 new (acog) -> Health: acog 6.
    # Year to date (each month's max on new beneficiaries, then summed): perm 10, acog 6 -> 16.
    # The month (mensual): Shelter 50 > Health 30 -> trans 50.
    rows = [
        {**split(10, sector="Shelter", permanencia=10), "month": "2020-08"},
        {**split(4, sector="Health", acogida=4), "month": "2020-08"},
        {**split(50, sector="Shelter", transito=50), "new_beneficiaries": 2},
        {**split(30, sector="Health", acogida=30), "new_beneficiaries": 6},
    ]
    m = metrics_of(rows, deduplicacion={"metodo": "maximo", "regla_maximo": "por_sector"})
    assert m["people_reached"] == {"total": 50, "by_population": {"permanencia": 0, "transito": 50, "acogida": 0}}
    assert m["ytd"]["people_reached"] == {"total": 16, "by_population": {"permanencia": 10, "transito": 0,
                                                                         "acogida": 6}}


@pytest.mark.parametrize("value", ["por_organizacion", 1])
def test_an_unknown_rule_is_a_hard_error_naming_the_key(capsys, five_w, month_params, tmp_path, value):
    from conftest import metrics_exit_2

    params = month_params(five_w([split(5, permanencia=5)]),
                          deduplicacion={"metodo": "maximo", "regla_maximo": value})
    metrics_exit_2(capsys, params, tmp_path, "deduplicacion.regla_maximo", "por_grupo o por_sector")


def test_por_sector_rounds_the_winning_sectors_total_once_as_r4v_sums_it(metrics_of):
    # One province, Protection alone: 248 new people whose split says perm 39, trans 39, acog 248
    # (Σ 326: the row's split does not add up to its total, as on the real 2022 Panama export).
    # The base is shared by the split: perm 248·39/326 = 29.67, trans 29.67, acog 188.66.
    # Rounding each group first: 30 + 30 + 189 = 249. R4V's maxsector sums the sector: 248.
    # Rounded once: total 248; groups by largest remainder (.67, .67, .66 -> the two .67 go up):
    # perm 30, trans 30, acog 188.
    rows = [split(248, sector="Protection", permanencia=39, transito=39, acogida=248)]
    figure = headline(metrics_of, rows, regla_maximo="por_sector")
    assert figure == {"total": 248, "by_population": {"permanencia": 30, "transito": 30, "acogida": 188}}
    # por_grupo keeps the seed's rule: each group rounded, the total their sum
    assert headline(metrics_of, rows)["total"] == 249
