"""Report periods: a quarter, a half or a year (docs/metodologia.md §12), written as params say them.

`periodo: 2021-T1` (trimestre 1..4), `2021-S1` (semestre 1..2) or `2021` (the year): the one home
of their shape, their months and their Spanish names. The figures of a period are
`metrics.compute_period`'s (R4V's consolidated rule).
"""
from __future__ import annotations

import re

PERIOD_FILE = re.compile(r"^([0-9]{4}(?:-[TS][0-9])?)\.ya?ml\Z")  # a period's params file: 2020-T1.yml, 2020.yml
PERIOD = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<kind>[TS])(?P<n>[0-9]))?\Z")  # ASCII digits only
_PARTS = {"T": (4, 3), "S": (2, 6)}  # kind -> (how many in a year, months in each)
_NAMES = {"T": "trimestre", "S": "semestre"}
_ORDINALS = {1: "primer", 2: "segundo", 3: "tercer", 4: "cuarto"}


def is_period(text: str) -> bool:
    """'2021-T1'..'2021-T4', '2021-S1', '2021-S2' or '2021'."""
    match = PERIOD.match(str(text))
    if not match:
        return False
    if match["kind"] is None:
        return True
    return 1 <= int(match["n"]) <= _PARTS[match["kind"]][0]


def period_months(period: str) -> list[str]:
    """'2021-T2' -> ['2021-04', '2021-05', '2021-06']; '2021' -> the twelve months of 2021."""
    if not is_period(period):
        raise ValueError(f"periodo no válido (AAAA-T1..T4, AAAA-S1..S2 o AAAA): {period!r}")
    match = PERIOD.match(period)
    year = match["year"]
    if match["kind"] is None:
        first, size = 1, 12
    else:
        size = _PARTS[match["kind"]][1]
        first = (int(match["n"]) - 1) * size + 1
    return [f"{year}-{m:02d}" for m in range(first, first + size)]


def period_label(period: str) -> str:
    """'2021-T1' -> 'primer trimestre de 2021'; '2021-S2' -> 'segundo semestre de 2021'; '2021' -> 'año 2021'."""
    match = PERIOD.match(period)
    if not match or not is_period(period):
        raise ValueError(f"periodo no válido: {period!r}")
    if match["kind"] is None:
        return f"año {match['year']}"
    return f"{_ORDINALS[int(match['n'])]} {_NAMES[match['kind']]} de {match['year']}"



def kind_words(names) -> tuple[str, str]:
    """What a list of report folders ('2020-09', '2020-T1'…) holds, in Spanish: ('Mes', 'meses'),
    ('Periodo', 'periodos'), or when they mix ('Mes o periodo', 'meses o periodos'): the index's
    column and the batch summary say it, never «meses» for quarters."""
    kinds = [is_period(name) for name in names]
    if kinds and all(kinds):
        return "Periodo", "periodos"
    if any(kinds):
        return "Mes o periodo", "meses o periodos"
    return "Mes", "meses"
