"""The two rounding rules of docs/metodologia.md §2, regla 7, in one place.

Rounding happens once, on each published figure; sums are taken on the
unrounded values and a total is the sum of its published parts.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

EPSILON = 1e-9


def half_up(x: float) -> int:
    """0.5 -> 1, 2.5 -> 3; the epsilon keeps float noise (2.4999999999) from flipping it."""
    return int(math.floor(float(x) + 0.5 + EPSILON))


def round_half_up(value: float, decimals: int = 0) -> float:
    """`half_up` at a number of decimals, for shares shown as 74.4 %: 2.45 -> 2.5, never banker's 2.4."""
    scale = 10 ** decimals
    return math.floor(float(value) * scale + 0.5 + EPSILON) / scale


def largest_remainder(weights: Mapping[str, float], total: int, order: Sequence[str] | None = None) -> dict[str, int]:
    """Integer parts of `total` proportional to `weights` that add up to `total`.

    Each part gets the floor of its quota; the units left go to the largest
    remainders, ties to the part listed first in `order`. With no weight at
    all, every part is 0 (there is nothing to apportion by).
    """
    order = list(order) if order is not None else list(weights)
    weight_sum = sum(max(float(weights.get(k, 0.0)), 0.0) for k in order)
    if total <= 0 or weight_sum <= 0:
        return {k: 0 for k in order}
    quotas = {k: total * max(float(weights.get(k, 0.0)), 0.0) / weight_sum for k in order}
    parts = {k: int(math.floor(q + EPSILON)) for k, q in quotas.items()}
    left = total - sum(parts.values())
    remainders = sorted(order, key=lambda k: (-round(quotas[k] - math.floor(quotas[k] + EPSILON), 9), order.index(k)))
    for k in remainders[:left]:
        parts[k] += 1
    return parts
