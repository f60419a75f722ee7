"""The sample September 2020 reproduces every figure of the seed dashboard.

The numbers below are the seed's (../shared/seed/seed_figures.yml, decoded from
the MDRM Tacna one-page dashboard), written here, not copied from any output.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

SEED_PEOPLE = {"total": 2953, "by_population": {"permanencia": 686, "acogida": 69, "transito": 2198}}
SEED_SUBGROUPS = {
    "necesidades_basicas": (3446, {"permanencia": 811, "acogida": 34, "transito": 2601}),
    "salud_nutricion": (555, {"permanencia": 496, "acogida": 59, "transito": 0}),
    "proteccion": (618, {"permanencia": 289, "acogida": 58, "transito": 271}),
    "cbi_multisectorial": (149, {"permanencia": 142, "acogida": 7, "transito": 0}),
    "integracion": (54, {"permanencia": 54, "acogida": 0, "transito": 0}),
}
SEED_ORGS_BY_SUBGROUP = {"proteccion": 12, "necesidades_basicas": 6, "salud_nutricion": 4,
                         "cbi_multisectorial": 3, "integracion": 1, "manejo_informacion": 1}
SEED_KEY_FIGURES = {
    "kits_higiene": 27, "personas_autoempleo": 54, "casos_proteccion": 150, "raciones_comida": 1490,
    "albergue_personas": 244, "orientaciones": 2251, "usd_distribuidos": 86348, "refrigerios": 454,
    "consultas_aps": 620, "atenciones_psicosociales": 255,
}


@pytest.fixture(scope="module")
def september(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed") / "metrics.json"
    done = subprocess.run(
        [sys.executable, "-m", "mdrm", "metrics", "--params", "params/tacna/2020-09.yml", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_metrics_header(september):
    assert september["schema"] == "mdrm.metrics/1"
    assert (september["region"], september["month"], september["basis"]) == ("Tacna", "2020-09", "mensual")
    assert september["dedup"] == {"method": "maximo", "level": "admin2"}


def test_people_reached_in_the_month(september):
    assert september["people_reached"] == SEED_PEOPLE


@pytest.mark.parametrize("subgroup", SEED_SUBGROUPS)
def test_response_by_subgroup_and_population(september, subgroup):
    total, by_population = SEED_SUBGROUPS[subgroup]
    assert september["subgroups"][subgroup] == {"total": total, "by_population": by_population}


def test_no_other_subgroup_reached_people(september):
    assert set(september["subgroups"]) == set(SEED_SUBGROUPS)


def test_organizations_by_subgroup(september):
    assert september["organizations"]["by_subgroup"] == SEED_ORGS_BY_SUBGROUP


def test_key_figures(september):
    assert september["key_figures"] == SEED_KEY_FIGURES


def test_sex_and_age_add_up_to_the_headline(september):
    assert sum(september["by_sex_age"].values()) == SEED_PEOPLE["total"]


def test_rows_accounting(september):
    rows = september["rows"]
    assert rows["read"] == rows["counted"] + rows["excluded"]
    assert rows["excluded"] == sum(rows["excluded_by_reason"].values())


def test_highlights_of_the_seed_are_in_the_params():
    from mdrm.params import load_params

    highlights = load_params(ROOT / "params" / "tacna" / "2020-09.yml").highlights
    assert len(highlights) == 3
    assert "03 jornadas interagenciales" in highlights[1] and "159 personas" in highlights[1]
    assert "se encontrará a cargo del Prefecto Regional de Tacna" in highlights[0]
    assert highlights[2].startswith("En el GTRM local se han reactivado los subgrupos")
