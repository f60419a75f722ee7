"""Every month of the sample 5W, checked against figures derived from the generator.

data/ejemplo/generar_ejemplo.py is the design of the sample: it makes every
row (`sample_rows()`). The expected figures here are computed from those rows
with plain Python, following the methodology's rules as written in the
README and docs/metodologia.md (not with mdrm's functions), and then compared
with what mdrm computes from the committed xlsx: each month of 2020, the
previous month, the year to date. So the sample's other months are no longer
checked only against the program's own output.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from collections import defaultdict
from functools import cache

import pytest

from conftest import ROOT

GENERATOR = ROOT / "data" / "ejemplo" / "generar_ejemplo.py"
MONTHS = [f"2020-{m:02d}" for m in range(1, 13)]
EPSILON = 1e-9

# The export's columns (the generator's own HEADERS names them).
POPULATION = {"permanencia": "Refugiados y migrantes EN DESTINO", "transito": "Refugiados y migrantes EN TRANSITO",
              "acogida": "Comunidades de acogida", "pendulares": "Refugiados y migrantes PENDULARES",
              "retornados": "Colombianos Retornados"}
MAIN_GROUPS = ("permanencia", "transito", "acogida")
SEX_AGE = {"ninas": "Ninas y Adolescentes menores de 18", "ninos": "Ninos y Adolescentes menores de 18",
           "mujeres": "Mujeres adultas", "hombres": "Hombres adultos", "otros_menores": "Otro menores de 18",
           "otros_adultos": "Otro adultos"}
TOTAL, NEW = "Total beneficiarios mensuales", "Nuevos beneficiarios del mes"
SUBGROUP_ORDER = ("necesidades_basicas", "salud_nutricion", "proteccion", "cbi_multisectorial", "integracion",
                  "educacion", "manejo_informacion", "sin_subgrupo")


@cache
def generator():
    spec = importlib.util.spec_from_file_location("generar_ejemplo", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generar_ejemplo", module)
    spec.loader.exec_module(module)
    return module


@cache
def sample_rows() -> tuple:
    return tuple(generator().sample_rows())


def subgroup_of_sector() -> dict[str, str]:
    """The generator's sectors and the Mesa's subgroup each rolls up into (docs/metodologia.md §1)."""
    g = generator()
    return {g.ALOJ: "necesidades_basicas", g.SEGAL: "necesidades_basicas", g.WASH: "necesidades_basicas",
            g.TRANSP: "necesidades_basicas", g.NFI: "necesidades_basicas", g.SALUD: "salud_nutricion",
            g.NUTRI: "salud_nutricion", g.PROT: "proteccion", g.NINEZ: "proteccion", g.VBG: "proteccion",
            g.CBI: "cbi_multisectorial", g.INTEG: "integracion", g.EDU: "educacion", g.IM: "manejo_informacion",
            g.UNKNOWN_SECTOR: "sin_subgrupo"}


# Key figures: what each sums (the generator's KF_PATTERNS name the activities).
KEY_FIGURE_VALUE = {"personas_autoempleo": TOTAL, "albergue_personas": TOTAL, "usd_distribuidos":
                    "Valor de transferencia (en USD)"}


def half_up(x: float) -> int:
    return int(math.floor(x + 0.5 + EPSILON))


def largest_remainder(weights: dict[str, float], total: int, order: list[str]) -> dict[str, int]:
    weight_sum = sum(weights.get(k, 0.0) for k in order)
    if total <= 0 or weight_sum <= 0:
        return {k: 0 for k in order}
    quotas = {k: total * weights.get(k, 0.0) / weight_sum for k in order}
    parts = {k: int(math.floor(q + EPSILON)) for k, q in quotas.items()}
    by_remainder = sorted(order, key=lambda k: (-round(quotas[k] - parts[k], 9), order.index(k)))
    for k in by_remainder[:total - sum(parts.values())]:
        parts[k] += 1
    return parts


def num(value) -> float:
    return float(value or 0)


class Month:
    """The rows of Tacna in one month, classified by hand from the generator's rows."""

    def __init__(self, month: str):
        g = generator()
        sectors = subgroup_of_sector()
        self.rows = [r for r in sample_rows() if r["Month"] == month and r["País Admin1"] == "Tacna"]
        seen, self.counted, self.kept = set(), [], []
        for r in self.rows:
            key = tuple(r[h] for h in g.HEADERS)
            duplicate = key in seen
            seen.add(key)
            r["_subgroup"] = sectors[r["Indicador Sector"]]
            if not duplicate and r["Actividad RMRP"] != "No" and r["_subgroup"] != "manejo_informacion":
                self.counted.append(r)
            if not duplicate:
                self.kept.append(r)

    @staticmethod
    def values(r: dict, basis: str) -> dict[str, float]:
        """A row's people per population group: basis × split_g / Σ split (docs/metodologia.md §2, regla 1)."""
        people = num(r[basis])
        split = {g: num(r[c]) for g, c in POPULATION.items()}
        total = sum(split.values())
        if total <= 0:
            return {"sin_desagregar": people}
        return {g: people * v / total for g, v in split.items()}

    def headline_raw(self, basis: str) -> dict[str, float]:
        """maximo at admin2, regla_maximo por_grupo: per group, Σ over provinces of the max over sectors,
        once each sector's unsplit people are apportioned by its own split in the province, else by the
        province's split, else left unsplit (docs/metodologia.md §2, regla 3)."""
        per_unit_sector = defaultdict(lambda: defaultdict(float))
        for r in self.counted:
            for g, v in self.values(r, basis).items():
                per_unit_sector[(r["Admin2"] or "(sin dato)", r["Indicador Sector"])][g] += v
        unit_split = defaultdict(lambda: defaultdict(float))
        for (unit, _sector), groups in per_unit_sector.items():
            for g, v in groups.items():
                if g != "sin_desagregar":
                    unit_split[unit][g] += v
        for (unit, _sector), groups in per_unit_sector.items():
            unsplit = groups.pop("sin_desagregar", 0.0)
            own = {g: v for g, v in groups.items() if v}
            shares = own if sum(own.values()) > 0 else dict(unit_split[unit])
            if sum(shares.values()) > 0:
                for g, v in shares.items():
                    groups[g] += unsplit * v / sum(shares.values())
            else:
                groups["sin_desagregar"] = unsplit
        best = defaultdict(float)
        for (unit, _sector), groups in per_unit_sector.items():
            for g, v in groups.items():
                best[(unit, g)] = max(best[(unit, g)], v)
        raw = defaultdict(float)
        for (_unit, g), v in best.items():
            raw[g] += v
        return raw

    def people_reached(self, basis: str = TOTAL) -> dict:
        return published(self.headline_raw(basis))

    def subgroups(self) -> dict:
        raw = defaultdict(lambda: defaultdict(float))
        for r in self.counted:
            for g, v in self.values(r, TOTAL).items():
                raw[r["_subgroup"]][g] += v
        return {sg: published(raw[sg]) for sg in SUBGROUP_ORDER if sg in raw}

    def sectors(self) -> dict:
        out = defaultdict(lambda: [0.0, 0.0])
        for r in self.counted:
            out[r["Indicador Sector"]][0] += num(r[TOTAL])
            out[r["Indicador Sector"]][1] += num(r[NEW])
        return {s: {"total": half_up(t), "new": half_up(n)} for s, (t, n) in out.items()}

    def by_sex_age(self) -> dict:
        raw = defaultdict(float)
        for r in self.counted:
            split = {k: num(r[c]) for k, c in SEX_AGE.items()}
            if sum(split.values()) > 0:
                for k, v in split.items():
                    raw[k] += num(r[TOTAL]) * v / sum(split.values())
        return largest_remainder(raw, self.people_reached()["total"], list(SEX_AGE))

    def key_figures(self) -> dict:
        g = generator()
        out = {}
        for kf, patterns in {**g.KF_PATTERNS, "usd_distribuidos": []}.items():
            column = KEY_FIGURE_VALUE.get(kf, "Cantidad de productos generados")
            hit = [r for r in self.kept
                   if not patterns or any(g.normalize(p) in g.normalize(r["Nombre de la actividad"]) for p in patterns)]
            out[kf] = half_up(sum(num(r[column]) for r in hit))
        return out

    def reporting(self) -> int:
        g = generator()
        return len({g.normalize(r["Socio Implementador Nombre"] or r["Socio principal Nombre"]) for r in self.rows})


def published(raw: dict[str, float]) -> dict:
    """Each group rounded once; main groups always, others when not 0; total = Σ parts."""
    parts = {}
    for g in (*POPULATION, "sin_desagregar"):
        value = half_up(raw.get(g, 0.0))
        if g in MAIN_GROUPS or value:
            parts[g] = value
    return {"total": sum(parts.values()), "by_population": parts}


def ytd(month: str) -> dict:
    """R4V's year to date: each month's headline on new beneficiaries, accumulated, rounded once."""
    raw = defaultdict(float)
    sectors = defaultdict(float)
    for m in MONTHS[:MONTHS.index(month) + 1]:
        for g, v in Month(m).headline_raw(NEW).items():
            raw[g] += v
        for r in Month(m).counted:
            sectors[r["Indicador Sector"]] += num(r[NEW])
    return {"people_reached": published(raw), "sectors": {s: half_up(v) for s, v in sectors.items()}}


@cache
def kit_metrics(month: str) -> dict:
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    return compute(load_month(load_params(ROOT / "params" / "tacna" / f"{month}.yml")))


def test_the_committed_sample_is_what_the_generator_makes():
    from openpyxl import load_workbook

    g = generator()
    book = load_workbook(g.XLSX, read_only=True)
    written = [list(row) for row in book[g.SHEET].iter_rows(values_only=True)]
    book.close()
    assert written[0] == g.HEADERS
    assert written[1:] == [[r[h] for h in g.HEADERS] for r in sample_rows()]


def test_the_derivation_gives_the_seed_september():
    # the hand derivation itself, on the month whose figures the seed fixes
    september = Month("2020-09")
    assert september.people_reached() == {"total": 2953,
                                          "by_population": {"permanencia": 686, "transito": 2198, "acogida": 69}}
    assert september.key_figures()["usd_distribuidos"] == 86348
    assert september.subgroups()["necesidades_basicas"]["total"] == 3446


@pytest.mark.parametrize("month", MONTHS)
def test_month_figures_match_the_generators_design(month):
    expected, got = Month(month), kit_metrics(month)
    assert got["rows"]["read"] == len(expected.rows)
    assert got["rows"]["counted"] == len(expected.counted)
    assert got["people_reached"] == expected.people_reached()
    assert got["subgroups"] == expected.subgroups()
    assert got["sectors"] == expected.sectors()
    assert got["by_sex_age"] == expected.by_sex_age()
    assert got["key_figures"] == expected.key_figures()
    assert got["organizations"]["reporting"] == expected.reporting()
    g = generator()
    assert got["organizations"]["members"] == len(g.ORGS)
    assert got["organizations"]["by_subgroup"] == {k: v for k, v in g.EXPECTED_PER_SUBGROUP.items() if v}


@pytest.mark.parametrize("month", MONTHS)
def test_month_year_to_date_matches_the_generators_design(month):
    got = kit_metrics(month)["ytd"]
    expected = ytd(month)
    assert got["people_reached"] == expected["people_reached"]
    assert got["sectors"] == expected["sectors"]


@pytest.mark.parametrize("month", MONTHS[1:])
def test_previous_month_matches_the_generators_design(month):
    before = MONTHS[MONTHS.index(month) - 1]
    got = kit_metrics(month)["previous_month"]
    assert got["month"] == before
    assert got["people_reached"] == Month(before).people_reached()
    assert got["people_reached_total"] == Month(before).people_reached()["total"]
    assert got["subgroups"] == {sg: f["total"] for sg, f in Month(before).subgroups().items()}


def test_august_by_hand_numbers():
    # the figures the HTML card compares September with (test_html.py): derived, not the kit's
    august = Month("2020-08")
    assert august.people_reached()["total"] == 2953 - 67
    assert august.people_reached()["by_population"]["permanencia"] == 686 + 22
    assert august.key_figures()["kits_higiene"] == 27 + 1

