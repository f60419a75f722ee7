"""The two rounding rules of docs/metodologia.md §2, regla 7, tested directly on `mdrm.rounding`.

half_up: 0.5 -> 1 always (never banker's rounding), computed as
floor(x + 0.5 + 1e-9) so float noise never flips a true half down.
largest_remainder: integer parts that add up to the total; floors first, the
units left go to the largest remainders, ties to the part listed first.
"""
from __future__ import annotations

import pytest

from mdrm.rounding import half_up, largest_remainder

SEX_AGE = ["ninas", "ninos", "mujeres", "hombres", "otros_menores", "otros_adultos"]


# --- half up ---------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0.5, 1),   # Python round(0.5) == 0 (banker's); half up gives 1
    (1.5, 2),
    (2.5, 3),   # round(2.5) == 2: the case that tells the two rules apart
    (3.5, 4),
    (7.5, 8),
])
def test_half_up_rounds_every_half_up(value, expected):
    assert half_up(value) == expected


@pytest.mark.parametrize("value, expected", [
    (0, 0),
    (7, 7),
    (0.49, 0),
    (2.4, 2),
    (2.4999, 2),   # a genuine value below the half is not pushed up by the epsilon
    (2.51, 3),
    (2.6, 3),
])
def test_half_up_leaves_non_halves_to_the_nearest_integer(value, expected):
    assert half_up(value) == expected


def test_half_up_is_not_flipped_by_float_noise():
    # Ten times 0.05 is 0.5 on paper, 0.49999999999999994 in floats.
    noisy_half = sum([0.05] * 10)
    assert noisy_half < 0.5
    assert half_up(noisy_half) == 1
    # Fifteen times 0.3 is 4.5 on paper, 4.499999999999999 in floats.
    noisy = sum([0.3] * 15)
    assert noisy < 4.5
    assert half_up(noisy) == 5
    # The apportioning of a row: 11 people x 15/22 = 7.5 on paper, 7.499999999999999 in floats.
    apportioned = 11 * (15 / 22)
    assert apportioned < 7.5
    assert half_up(apportioned) == 8


def test_half_up_returns_int():
    assert type(half_up(2.5)) is int


# --- largest remainder -----------------------------------------------------

def test_largest_remainder_adds_up_where_plain_rounding_does_not():
    # 10 over three equal parts: quotas 3.333 each; half_up gives 3+3+3 = 9.
    # Floors 3,3,3 (9), 1 unit left: all remainders tie (0.333) -> first listed.
    weights = {"ninas": 1, "ninos": 1, "mujeres": 1}
    assert sum(half_up(10 * w / 3) for w in weights.values()) == 9
    assert largest_remainder(weights, 10, SEX_AGE) == {
        "ninas": 4, "ninos": 3, "mujeres": 3, "hombres": 0, "otros_menores": 0, "otros_adultos": 0}


def test_largest_remainder_gives_units_to_the_largest_remainders_not_the_first_parts():
    # total 10, weights ninas 1, hombres 2: quotas 3.333 and 6.667;
    # floors 3 + 6 = 9, the unit left goes to hombres (remainder .667 > .333).
    parts = largest_remainder({"ninas": 1, "hombres": 2}, 10, SEX_AGE)
    assert parts == {"ninas": 3, "ninos": 0, "mujeres": 0, "hombres": 7, "otros_menores": 0, "otros_adultos": 0}


def test_largest_remainder_ties_go_to_the_part_listed_first():
    # total 10, weights 1,1,1,3 (sum 6): quotas 1.667, 1.667, 1.667, 5;
    # floors 1+1+1+5 = 8, 2 units left: three remainders tie at .667 -> ninas, ninos.
    # (half_up of each quota would give 2+2+2+5 = 11.)
    weights = {"ninas": 1, "ninos": 1, "mujeres": 1, "hombres": 3}
    assert largest_remainder(weights, 10, SEX_AGE) == {
        "ninas": 2, "ninos": 2, "mujeres": 1, "hombres": 5, "otros_menores": 0, "otros_adultos": 0}
    # The tie follows `order`, not the order of the weights mapping.
    reverse = list(reversed(SEX_AGE))
    assert largest_remainder(weights, 10, reverse) == {
        "otros_adultos": 0, "otros_menores": 0, "hombres": 5, "mujeres": 2, "ninos": 2, "ninas": 1}


def test_largest_remainder_two_halves_go_to_the_first():
    # total 3 over two equal parts: 1.5 and 1.5 -> floors 1+1, the unit to the first.
    # (half_up would give 2+2 = 4.)
    assert largest_remainder({"a": 1, "b": 1}, 3, ["a", "b"]) == {"a": 2, "b": 1}
    assert largest_remainder({"a": 1, "b": 1}, 3, ["b", "a"]) == {"b": 2, "a": 1}


def test_largest_remainder_tie_is_not_broken_by_float_noise():
    # weights 0.1, 0.4, 0.1, total 2: quotas 1/3, 4/3, 1/3 on paper, remainders all 1/3.
    # In floats b's remainder (0.3333333333333335) beats a's (0.33333333333333337):
    # the tie must still go to the first listed, a.
    quota_a, quota_b = 2 * 0.1 / 0.6, 2 * 0.4 / 0.6
    assert quota_b - 1 > quota_a  # the noise is real
    assert largest_remainder({"a": 0.1, "b": 0.4, "c": 0.1}, 2, ["a", "b", "c"]) == {"a": 1, "b": 1, "c": 0}


def test_largest_remainder_always_sums_to_the_total():
    weights = {"ninas": 0.7, "ninos": 1.3, "mujeres": 2.9, "hombres": 3.1, "otros_menores": 0.05, "otros_adultos": 0.2}
    for total in range(0, 60):
        parts = largest_remainder(weights, total, SEX_AGE)
        assert sum(parts.values()) == total
        assert all(isinstance(v, int) and v >= 0 for v in parts.values())


def test_largest_remainder_exact_quotas_are_kept():
    # total 12, weights 1:2:3 -> exactly 2, 4, 6, nothing left to give.
    assert largest_remainder({"a": 1, "b": 2, "c": 3}, 12, ["a", "b", "c"]) == {"a": 2, "b": 4, "c": 6}


def test_largest_remainder_without_weights_or_total_is_all_zero():
    assert largest_remainder({}, 10, SEX_AGE) == {k: 0 for k in SEX_AGE}
    assert largest_remainder({"ninas": 0, "hombres": 0}, 10, SEX_AGE) == {k: 0 for k in SEX_AGE}
    assert largest_remainder({"ninas": 3, "hombres": 5}, 0, SEX_AGE) == {k: 0 for k in SEX_AGE}


def test_largest_remainder_default_order_is_the_weights_order():
    # No `order`: the mapping's order breaks ties (1.5 and 1.5 -> the unit to "b", listed first).
    assert largest_remainder({"b": 1, "a": 1}, 3) == {"b": 2, "a": 1}
