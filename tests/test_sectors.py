"""Every R4V sector name maps to a subgroup; every Common Services sub-sector is a
common service (never people), listed or not (README.md, «Alcance: país, regiones y reporte nacional»)."""
from __future__ import annotations

from collections import Counter

import pytest

from conftest import require_r4v_fixtures, sample_catalog
from mdrm.catalog import SIN_SUBGRUPO, load_catalog
from mdrm.load import read_5w
from mdrm.methodology import classify
from mdrm.quality import find_issues
from mdrm.text import normalize

COMMON_SERVICES = [
    "Common Services (IM)", "Common Services (Coordination)", "Common Services (Communication)",
    "Common Services (Reporting)", "Common Services (Transversal [CwC, PSEA, AAP])",
    "Common Services (Fundraising)", "Common Services (CwC)",
    "Servicios Comunes (Manejo de Información)", "Servicios Comunes (Coordinación)",
    "Servicios Comunes (Comunicación)", "Servicios Comunes (Reportes)",
    "Servicios Comunes (Transversal [CwC, PSEA, AAP])", "Servicios Comunes (Recaudación de Fondos)",
    # not listed in the catalog: the prefix rule
    "Common Services (Risk Communication)", "Servicios Comunes (Gestión del Conocimiento)",
    "COMMON SERVICES - PSEA", "servicios comunes",
]

# Tacna, March 2021: 720 people reached (Shelter 500 + Health 220 in destination, max per admin2:
# Tacna 500, Tarata 220 -> 720).
BASE = [
    {"month": "2021-03", "admin2": "Tacna", "sector": "Shelter", "total_monthly": 500, "new_beneficiaries": 500,
     "permanencia": 500, "mujeres": 500},
    {"month": "2021-03", "admin2": "Tarata", "sector": "Health", "total_monthly": 220, "new_beneficiaries": 220,
     "permanencia": 200, "acogida": 20, "hombres": 220},
]
PEOPLE_FIGURES = ("people_reached", "by_sex_age", "subgroups", "sectors", "previous_month")


@pytest.mark.parametrize("sector", COMMON_SERVICES)
def test_common_services_change_no_people_figure(metrics_of, sector):
    keys = {"mes": "2021-03", "deduplicacion": {"metodo": "maximo", "nivel": "admin2"}}
    base = metrics_of(BASE, **keys)
    assert base["people_reached"]["total"] == 720
    extra = {"month": "2021-03", "admin2": "Tacna", "sector": sector, "total_monthly": 5000,
             "new_beneficiaries": 5000, "permanencia": 5000, "hombres": 5000}
    with_cs = metrics_of([*BASE, extra], **keys)
    assert with_cs["people_reached"]["total"] == 720  # counted as a sector: max(500, 5000) + 220 = 5,220
    for figure in PEOPLE_FIGURES:
        assert with_cs[figure] == base[figure], figure
    assert with_cs["ytd"]["people_reached"] == base["ytd"]["people_reached"]
    assert with_cs["rows"]["excluded_by_reason"] == {"servicios_comunes": 1}
    assert with_cs["quality"]["counts"].get("Q06", 0) == 0


@pytest.mark.parametrize("name, sector, packaged, sample", [
    ("Common Servicesx", None, SIN_SUBGRUPO, SIN_SUBGRUPO),  # a prefix is a whole word
    ("Protection (Child Protection)", "child_protection", "proteccion_ninez", "proteccion"),
    ("Protección (Protección de la Niñez)", "child_protection", "proteccion_ninez", "proteccion"),
    ("Multipurpose Cash Assistance (MPC)", "multipurpose_cash", "transferencias_multiproposito", "cbi_multisectorial"),
    ("Transferencias Monetarias Multipropósito (MPC)", "multipurpose_cash", "transferencias_multiproposito",
     "cbi_multisectorial"),
    ("Water, Sanitation and Hygiene (WASH)", "wash", "agua_saneamiento_higiene", "necesidades_basicas"),
    ("Agua, Saneamiento e Higiene (WASH)", "wash", "agua_saneamiento_higiene", "necesidades_basicas"),
    ("Protection (Human Trafficking and Smuggling)", "human_trafficking_smuggling", "trata_trafico", "proteccion"),
    ("Multi-sector (Support Spaces)", "support_spaces", "espacios_apoyo", "proteccion"),
    ("Nutrition", "nutrition", "nutricion", "salud_nutricion"),
    ("Nutrición", "nutrition", "nutricion", "salud_nutricion"),
    ("Servicios Comunes (Gestión del Conocimiento)", "common_services", "servicios_comunes", "manejo_informacion"),
])
def test_sector_names_of_every_year(name, sector, packaged, sample):
    """The sector is the catalog's; the subgroup is the grouping's: one per R4V sector as packaged,
    Tacna's seven in the sample's region.yml."""
    assert load_catalog().sector_of(name) == (sector, packaged)
    assert sample_catalog().sector_of(name) == (sector, sample)


def test_each_catalog_name_belongs_to_one_sector():
    catalog = load_catalog()
    names = Counter(n for sector in catalog.sectors.values() for n in {normalize(x) for x in sector.names})
    assert [n for n, k in names.items() if k > 1] == []


def test_the_packaged_grouping_puts_every_sector_in_one_subgroup():
    catalog = load_catalog()
    placed = Counter(s for sg in catalog.subgroups.values() for s in sg.sectors)
    assert set(placed) == set(catalog.sectors) and set(placed.values()) == {1}
    assert catalog.no_people_sectors == set(catalog.subgroups["servicios_comunes"].sectors)


@pytest.mark.parametrize("name", ["5w_2022_es.xlsx", "5w_2022_en.xlsx", "5w_2022_short_headers.xlsx",
                                  "5w_2024_short_headers.xlsx"])
def test_every_real_sector_of_the_fixtures_maps_without_q06(name):
    catalog = load_catalog()
    fivew = read_5w(require_r4v_fixtures() / name)
    sectors = sorted(set(fivew.data["sector"].dropna().astype(str)))
    assert len(sectors) >= 7
    assert [s for s in sectors if catalog.sector_of(s)[1] == SIN_SUBGRUPO] == []
    issues = find_issues(classify(fivew.data, catalog), catalog, fivew.source.headers)
    assert "Q06" not in set(issues["code"])
