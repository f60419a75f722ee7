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


def half_up_array(values):
    """`half_up` on a numpy array (the same epsilon), as int64."""
    import numpy as np

    return np.floor(np.asarray(values, dtype="float64") + 0.5 + EPSILON).astype("int64")


def largest_remainder_rows(weights, totals):
    """`largest_remainder` on every row of a table at once: `weights` (n × k, the parts in their
    listed order) and `totals` (n integers) -> n × k integers, each row adding up to its total
    (all 0 where the total or the weights are 0). Same floors, same remainders rounded at 9
    decimals, same ties to the part listed first."""
    import numpy as np

    weights = np.clip(np.asarray(weights, dtype="float64"), 0.0, None)
    totals = np.asarray(totals, dtype="int64")
    n, k = weights.shape
    weight_sum = weights.sum(axis=1)
    usable = (totals > 0) & (weight_sum > 0)
    quotas = np.where(usable[:, None], totals[:, None] * weights / np.where(usable, weight_sum, 1.0)[:, None], 0.0)
    parts = np.floor(quotas + EPSILON)
    left = np.where(usable, totals - parts.sum(axis=1), 0)
    remainders = np.round(quotas - parts, 9)
    order = np.argsort(-remainders, axis=1, kind="stable")  # ties keep the listed order
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(k), (n, k)), axis=1)
    return (parts + (rank < left[:, None])).astype("int64")
