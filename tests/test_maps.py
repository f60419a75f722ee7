"""The province map (issue 11): Peru's INEI boundaries shipped with the kit, or `limites:` in params."""
from __future__ import annotations

import json
import re

import pytest
from matplotlib.colors import to_hex

from conftest import ROOT, SEED
from mdrm import maps, tables, tablero
from mdrm.errors import InputError
from mdrm.metrics import compute, load_month
from mdrm.params import load_params
from mdrm.text import normalize
from mdrm.view import MonthView, load_view
from report_runs import SAMPLE_PARAMS, elements, sample_report

SHARED_GEO = SEED.parent / "geo" / "peru"
PACKAGED_GEO = ROOT / "mdrm" / "geo" / "peru"


def view_of(five_w, month_params, rows, **keys) -> MonthView:
    params = load_params(month_params(five_w(rows), **keys))
    md = load_month(params)
    return MonthView(params, md, compute(md))


def patches(fig) -> dict[str, str]:
    """gid "provincia:<name>" -> face colour of every province drawn."""
    return {p.get_gid().split(":", 1)[1]: to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches
            if (p.get_gid() or "").startswith("provincia:")}


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --------------------------------------------------------------------------- acceptance 3

def test_sample_map_colours_tacnas_four_provinces_from_por_provincia():
    view = load_view(SAMPLE_PARAMS)
    table = tables.provinces(view).iloc[:-1]
    by_province = {normalize(n): int(t) for n, t in zip(table["Provincia"], table[tables.TOTAL])}
    fig = maps.figure(view)
    drawn = patches(fig)
    assert sorted(drawn) == ["CANDARAVE", "JORGE BASADRE", "TACNA", "TARATA"]  # the department's provinces
    data = maps.map_data(view)
    assert data.people == {"tacna": 2416, "tarata": 272, "jorge basadre": 149, "candarave": 55}
    for name, colour in drawn.items():
        people = by_province[normalize(name)]
        assert people == data.people[normalize(name)]
        assert colour == to_hex(maps.COLORMAP(data.norm(people)))
    # more people, darker
    order = sorted(drawn, key=lambda n: -by_province[normalize(n)])
    assert [luminance(drawn[n]) for n in order] == sorted(luminance(c) for c in drawn.values())
    # «(sin dato)» has no polygon: listed with its people
    assert data.unmatched == [("(sin dato)", 61)]
    assert maps.unmatched_text(data) == "Provincias del 5W sin polígono en el mapa: (sin dato) 61 personas."


def test_a_province_matching_no_polygon_is_listed_under_the_map(five_w, month_params):
    rows = [
        {"admin2": "Tacna", "total_monthly": 40, "new_beneficiaries": 40, "permanencia": 40},
        {"admin2": "JORGE BASADRE", "total_monthly": 7, "new_beneficiaries": 7, "transito": 7},
        {"admin2": "Ilo", "total_monthly": 12, "new_beneficiaries": 12, "acogida": 12},  # Moquegua's, not Tacna's
        {"admin2": "", "total_monthly": 3, "new_beneficiaries": 3, "permanencia": 3},
    ]
    view = view_of(five_w, month_params, rows, deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    data = maps.map_data(view)
    assert data.people == {"tacna": 40, "jorge basadre": 7}
    assert data.unmatched == [("Ilo", 12), ("(sin dato)", 3)]
    page = maps.report_html(view)
    assert "Provincias del 5W sin polígono en el mapa: Ilo 12 personas; (sin dato) 3 personas." in page
    images = [attrs for tag, attrs in elements(page) if tag == "img"]
    assert len(images) == 1 and images[0]["alt"].startswith("Mapa")
    assert "Tacna 40" in images[0]["alt"] and images[0]["src"].startswith("data:image/png;base64,")
    # the one-pager of a Peruvian department carries the map and the same list
    fig = tablero.draw(view)
    assert sorted(patches(fig)) == ["CANDARAVE", "JORGE BASADRE", "TACNA", "TARATA"]
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Ilo 12 personas" in texts and "Tacna 40" in texts


def test_sample_report_shows_the_map_after_por_provincia():
    page = (sample_report() / "situacion.html").read_text(encoding="utf-8")
    images = [attrs for tag, attrs in elements(page) if tag == "img" and attrs.get("alt", "").startswith("Mapa")]
    assert len(images) == 1
    assert images[0]["alt"].startswith("Mapa de personas alcanzadas por provincia — septiembre de 2020: Tacna 2,416")
    heading = page.index(">Por provincia</h2>")
    assert heading < page.index('alt="Mapa') < page.index(">Por sector</h2>")
    assert "(sin dato) 61 personas" in page
    assert 'href="tablero.pdf"' in page and 'href="tablero.png"' in page


# --------------------------------------------------------------------------- other countries

def colombia_rows():
    return [{"country": "Colombia", "admin1": "Norte de Santander", "admin2": "Cúcuta", "total_monthly": 30,
             "new_beneficiaries": 30, "permanencia": 30},
            {"country": "Colombia", "admin1": "Norte de Santander", "admin2": "Pamplona", "total_monthly": 5,
             "new_beneficiaries": 5, "transito": 5},
            {"country": "Colombia", "admin1": "Norte de Santander", "admin2": "Ocaña", "total_monthly": 2,
             "new_beneficiaries": 2, "acogida": 2}]


def test_other_country_without_limites_has_no_map_and_says_so(five_w, month_params):
    view = view_of(five_w, month_params, colombia_rows(), region="Norte de Santander")
    assert not maps.is_peru(view) and maps.map_data(view) is None
    page = maps.report_html(view)
    assert maps.no_map_note(view) in page and "<img" not in page
    assert "Sin mapa por municipio" in page  # Colombia's admin2 is the municipio
    assert page.count("<p") == 1  # one line
    assert patches(tablero.draw(view)) == {}


def square(x: float, y: float) -> list:
    return [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]


def test_limites_draw_any_countrys_provinces(five_w, month_params, tmp_path):
    geo = tmp_path / "municipios.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nombre": "CUCUTA"}, "geometry": {"type": "Polygon", "coordinates": square(0, 0)}},
        {"type": "Feature", "properties": {"nombre": "Pamplona"},
         "geometry": {"type": "MultiPolygon", "coordinates": [square(1, 0), square(3, 0)]}},
        {"type": "Feature", "properties": {"nombre": "Chinácota"}, "geometry": {"type": "Polygon", "coordinates": square(0, 1)}},
    ]}), encoding="utf-8")
    view = view_of(five_w, month_params, colombia_rows(), region="Norte de Santander",
                   deduplicacion={"metodo": "maximo", "nivel": "admin2"}, limites=str(geo), limites_nombre="nombre")
    data = maps.map_data(view)
    assert data.people == {"cucuta": 30, "pamplona": 5}
    assert data.unmatched == [("Ocaña", 2)]
    drawn = patches(maps.figure(view, data))
    assert drawn["Chinácota"] == maps.EMPTY_COLOR and drawn["CUCUTA"] == to_hex(maps.COLORMAP(1.0))
    assert luminance(drawn["CUCUTA"]) < luminance(drawn["Pamplona"])
    assert "Ocaña 2 personas" in maps.report_html(view)


def test_limites_errors_name_the_key(five_w, month_params, tmp_path):
    data = five_w(colombia_rows())
    geo = tmp_path / "limites.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME_2": "Cúcuta"}, "geometry": {"type": "Polygon", "coordinates": square(0, 0)}}]}),
        encoding="utf-8")
    with pytest.raises(InputError, match="limites_nombre"):
        load_params(month_params(data, region="Norte de Santander", limites=str(geo)))
    with pytest.raises(InputError, match="«limites»"):
        load_params(month_params(data, region="Norte de Santander", limites_nombre="NAME_2"))
    with pytest.raises(InputError, match="limites.*no existe"):
        load_params(month_params(data, region="Norte de Santander", limites="no_hay.geojson", limites_nombre="x"))
    params = load_params(month_params(data, region="Norte de Santander", limites=str(geo), limites_nombre="nombre"))
    with pytest.raises(InputError) as error:
        maps.read_geojson(params.boundaries_path, params.boundaries_name)
    assert "«nombre»" in str(error.value) and "limites.geojson" in str(error.value) and "NAME_2" in str(error.value)
    geo.write_text("<html>no es GeoJSON</html>", encoding="utf-8")
    with pytest.raises(InputError, match="límites"):
        maps.read_geojson(geo, "NAME_2")


def test_bad_limites_file_stops_the_report_before_anything_is_written(five_w, month_params, tmp_path):
    from report_runs import run_cli

    geo = tmp_path / "roto.geojson"
    geo.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    params = month_params(five_w(colombia_rows()), region="Norte de Santander", limites=str(geo),
                          limites_nombre="nombre")
    out = tmp_path / "reports"
    done = run_cli("report", "--params", str(params), "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert "roto.geojson" in done.stderr and "límites" in done.stderr
    assert not any(p.is_file() for p in out.rglob("*")) if out.exists() else True


# --------------------------------------------------------------------------- the shipped boundaries

def test_shipped_boundaries_are_the_inei_file_simplified_with_license_and_provenance(tmp_path):
    assert (PACKAGED_GEO / "LICENSE").read_text(encoding="utf-8").startswith("Mozilla Public License Version 2.0")
    readme = (PACKAGED_GEO / "README.md").read_text(encoding="utf-8")
    assert "INEI" in readme and "MPL-2.0" in readme and "juaneladio/peru-geojson" in readme
    peru = maps.peru_provinces()
    assert len(peru.areas) == len({a.key for a in peru.areas}) == 197  # one polygon per province name
    tacna = sorted(a.name for a in peru.areas if a.admin1 == "tacna")
    assert tacna == ["CANDARAVE", "JORGE BASADRE", "TACNA", "TARATA"]
    if SHARED_GEO.is_dir():  # the original, beside the project: the shipped copy is exactly its simplification
        made = tmp_path / "simplificado.geojson"
        maps.simplify_geojson(SHARED_GEO / "peru_provincial_simple.geojson", made)
        assert made.read_bytes() == (PACKAGED_GEO / maps.PERU_FILE).read_bytes()
        assert (PACKAGED_GEO / "LICENSE").read_bytes() == (SHARED_GEO / "LICENSE").read_bytes()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'mdrm = \[[^\]]*"geo/\*/\*"', pyproject)
