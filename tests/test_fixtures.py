"""The real R4V exports (../shared/fixtures/r4v, never copied here) load and
give the figures worked out by hand from their rows."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml

from conftest import require_r4v_fixtures
from mdrm.catalog import load_catalog
from mdrm.load import read_5w
from mdrm.metrics import compute, load_month
from mdrm.params import load_params

FILES = ["5w_2022_es.xlsx", "5w_2022_en.xlsx", "5w_2022_short_headers.xlsx", "5w_2024_short_headers.xlsx"]


@pytest.fixture(scope="module")
def fixtures():
    return require_r4v_fixtures()


def metrics_for(tmp_path, data, region, month, **keys):
    content = {"region": region, "mes": month, "datos": str(data), **keys}
    params = tmp_path / "p.yml"
    params.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return compute(load_month(load_params(params)))


@pytest.mark.parametrize("name", FILES)
def test_every_header_style_loads_to_the_canonical_fields(fixtures, name):
    fivew = read_5w(fixtures / name)
    data = fivew.data
    assert list(data.columns) == ["excel_row", *load_catalog().fields]
    assert fivew.cell_errors.empty
    for field in ("admin1", "appealing_org", "month", "sector", "activity_name"):
        assert data[field].notna().all(), field
    assert data["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert data["rmrp_activity"].notna().all()  # Yes / Si / No all understood
    text = pd.concat([data[c].dropna().astype(str) for c in ("admin1", "activity_name", "activity_description")])
    assert not text.str.contains("Ã").any()  # double-encoded UTF-8 repaired


def test_double_encoded_text_is_repaired(fixtures):
    data = read_5w(fixtures / "5w_2022_short_headers.xlsx").data
    assert "Córdoba" in set(data["admin1"])
    assert data["activity_name"].str.startswith("Orientación social y legal").any()


def test_blank_text_in_a_number_cell_is_zero(fixtures):
    # 5w_2024 has a cell holding two spaces in "Value": blank, so 0, not an error.
    data = read_5w(fixtures / "5w_2024_short_headers.xlsx").data
    assert data["cva_value_usd"].notna().all()
    assert (data["cva_value_usd"] == 0).sum() >= 1


def test_spanish_and_english_exports_give_the_same_figures(fixtures, tmp_path):
    es = metrics_for(tmp_path, fixtures / "5w_2022_es.xlsx", "Nuevo León", "2022-02")
    en = metrics_for(tmp_path, fixtures / "5w_2022_en.xlsx", "Nuevo León", "2022-02")
    for key in ("rows", "people_reached", "by_sex_age", "key_figures", "organizations", "ytd"):
        if key == "ytd":
            assert es[key]["people_reached"] == en[key]["people_reached"]
        else:
            assert es[key] == en[key], key
    assert [s["total"] for s in es["sectors"].values()] == [s["total"] for s in en["sectors"].values()]


def test_nuevo_leon_february_2022_by_hand(fixtures, tmp_path):
    # Rows (total monthly / split): Protection (General) 1 and 13 (destination),
    # Education 44 (new 12, all destination: 44 apportioned) and 2, Integration 1 (destination)
    # and 1 (no split), MPC 4 (no split). One unit (admin1).
    # regla_maximo por_grupo: Integration's unsplit 1 takes its own split (destination) -> 2;
    # MPC's 4 (no split in its sector) take the unit's split (all destination) -> 4
    # destination: max(Protection 14, Education 46, Integration 2, MPC 4) = 46 -> total 46
    m = metrics_for(tmp_path, fixtures / "5w_2022_en.xlsx", "Nuevo León", "2022-02")
    assert m["people_reached"] == {"total": 46, "by_population": {
        "permanencia": 46, "transito": 0, "acogida": 0}}
    # age/sex raw: girls 2, boys 4, women 1+44*8/12+5=35.33, men 44*4/12+1+4=19.67 (Σ 61)
    # quotas of 46: 1.51, 3.02, 26.64, 14.83 -> floors 1,3,26,14 (44); +1 to men (.83), women (.64)
    assert m["by_sex_age"] == {"ninas": 1, "ninos": 3, "mujeres": 27, "hombres": 15,
                               "otros_menores": 0, "otros_adultos": 0}
    # USD: 122 + 12173 + 53 + 360 + 72 + 952 + 145
    assert m["key_figures"]["usd_distribuidos"] == 13877
    assert m["rows"] == {"read": 7, "counted": 7, "excluded": 0, "excluded_by_reason": {}}
    assert m["organizations"]["reporting"] == 1
    assert m["quality"]["counts"]["Q07"] == 2  # MPC 4 and Integration 1 without split


def test_nuevo_leon_other_bases_and_methods_by_hand(fixtures, tmp_path):
    data = fixtures / "5w_2022_es.xlsx"
    # suma: destination 1+44+1+13+2 = 61, no split 4+1 = 5
    suma = metrics_for(tmp_path, data, "Nuevo León", "2022-02", deduplicacion={"metodo": "suma"})
    assert suma["people_reached"]["total"] == 66
    # nuevos: destination max(Protection 1+13, Education 12+2, Integration 1) = 14; the rows
    # without split have 0 new beneficiaries
    nuevos = metrics_for(tmp_path, data, "Nuevo León", "2022-02", base_personas="nuevos")
    assert nuevos["people_reached"] == {"total": 14, "by_population": {
        "permanencia": 14, "transito": 0, "acogida": 0}}


def test_jujuy_august_2022_short_headers_by_hand(fixtures, tmp_path):
    # 8 rows; 5 are RMRP "No" (IOM / Red Cross): excluded from people.
    # Counted, all Protection (General): 13 monthly (destination), 1 and 1 without split; the 2
    # unsplit take the sector's own split (regla_maximo por_grupo): 15 in destination.
    m = metrics_for(tmp_path, fixtures / "5w_2022_short_headers.xlsx", "Jujuy", "2022-08")
    assert m["rows"]["read"] == 8 and m["rows"]["counted"] == 3 and m["rows"]["excluded"] == 5
    assert m["rows"]["excluded_by_reason"] == {"actividad_no_rmrp": 5}
    assert m["people_reached"] == {"total": 15, "by_population": {
        "permanencia": 15, "transito": 0, "acogida": 0}}
    assert m["key_figures"]["usd_distribuidos"] == 0
    # CAREF, Red Cross Argentina, and IOM where no implementing partner is given
    assert m["organizations"]["reporting"] == 3


def test_mexico_city_january_2023_by_hand(fixtures, tmp_path):
    # MPC 36, Education 25, Protection (General) 2, all destination;
    # Integration 12 = destination 5 + host 7; Protection (General) monitoring 0 people.
    data = fixtures / "5w_2024_short_headers.xlsx"
    m = metrics_for(tmp_path, data, "Ciudad de México", "2023-01")
    assert m["people_reached"] == {"total": 43, "by_population": {
        "permanencia": 36, "transito": 0, "acogida": 7}}
    assert m["key_figures"]["usd_distribuidos"] == 3416 + 6157 + 237
    assert m["organizations"]["reporting"] == 3
    # cono_sur: basic needs max 0 + Protection (General) 2 + Σ(MPC 36, Integration 5, Education 25)
    cono = metrics_for(tmp_path, data, "Ciudad de México", "2023-01", deduplicacion={"metodo": "cono_sur"})
    assert cono["people_reached"]["by_population"] == {"permanencia": 68, "transito": 0, "acogida": 7}
