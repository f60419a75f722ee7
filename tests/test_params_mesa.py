"""The params keys of every Mesa: pais, region (one, a list, or the country), mesa,
definiciones, cifras_clave; and the report folder taken from the params folder."""
from __future__ import annotations

import pytest

from mdrm.catalog import load_catalog
from conftest import metrics_exit_2
from mdrm.params import load_params

from test_params import DEDUP_ROWS, write_data, write_yaml


@pytest.fixture
def folder(tmp_path):
    write_data(tmp_path / "datos" / "5w.csv", DEDUP_ROWS)
    return tmp_path / "params" / "gtrm-lima"


def month_file(folder, **content):
    base = {"mes": "2020-09", "datos": "../../datos/5w.csv"}
    return write_yaml(folder / "2020-09.yml", {**base, **content})


params_error = metrics_exit_2


@pytest.mark.parametrize("written, country", [("Perú", "peru"), ("PERU", "peru"), ("Brazil", "brasil"),
                                              ("brasil", "brasil"), ("Dominican Republic", "republica_dominicana")])
def test_pais_in_spanish_or_english(folder, written, country):
    assert load_params(month_file(folder, pais=written, region="Tacna")).country == country


def test_unknown_pais_is_an_error_listing_the_countries(folder, capsys, tmp_path):
    params_error(capsys, month_file(folder, pais="Venezuela", region="Tacna"), tmp_path,
                 "«pais»", "Venezuela", "Perú", "Brasil")


def test_region_list_and_its_name(folder):
    params = load_params(month_file(folder, pais="Perú", region=["Lima", "Callao", "Lima"]))
    assert (params.regions, params.region, params.national) == (("Lima", "Callao"), "Lima y Callao", False)
    params = load_params(month_file(folder, region=["Lima", "Callao", "Ica"]))
    assert params.region == "Lima, Callao y Ica"


def test_national_report_needs_pais(folder, capsys, tmp_path):
    params = load_params(month_file(folder, pais="Peru", region=None))
    assert (params.regions, params.region, params.national) == ((), "Perú", True)
    params_error(capsys, month_file(folder, region=None), tmp_path, "«region»", "pais")


def test_mesa_defaults_are_neutral_and_merge_over_region_yml(folder):
    params = load_params(month_file(folder, region="Lima"))
    assert (params.mesa.nombre, params.mesa.sigla, params.mesa.plataforma) == ("Mesa de Lima", "", "")
    write_yaml(folder / "region.yml", {"region": "Lima", "mesa": {"nombre": "GTRM Lima", "plataforma": "GTRM"}})
    params = load_params(month_file(folder, mesa={"sigla": "GL"}))
    assert (params.mesa.nombre, params.mesa.sigla, params.mesa.plataforma) == ("GTRM Lima", "GL", "GTRM")


def test_unknown_mesa_key(folder, capsys, tmp_path):
    params_error(capsys, month_file(folder, region="Lima", mesa={"nombr": "x"}), tmp_path, "mesa.nombr")


def test_definitions_override_the_catalog_notes(folder, capsys, tmp_path):
    params = load_params(month_file(folder, region="Lima", definiciones={"acogida": "La comunidad limeña."}))
    catalog = params.adapt(load_catalog())
    assert catalog.populations["acogida"]["definicion"] == "La comunidad limeña."
    assert catalog.populations["transito"] == load_catalog().populations["transito"]
    assert load_catalog().populations["acogida"]["definicion"] == (  # the packaged note is untouched and neutral
        "Es la comunidad que alberga a los refugiados y migrantes.")
    params_error(capsys, month_file(folder, region="Lima", definiciones={"acogidas": "x"}), tmp_path,
                 "acogidas", "permanencia")


def test_key_figures_replace_the_packaged_set(folder):
    params = load_params(month_file(folder, region="Lima", cifras_clave={
        "raciones": {"etiqueta": "Raciones", "valor": "cantidad", "patrones": ["Comida fría/caliente"],
                     "indicadores": ["# de raciones"]}}))
    catalog = params.adapt(load_catalog())
    assert list(catalog.key_figures) == ["raciones"]
    kf = catalog.key_figures["raciones"]
    assert (kf.label, kf.value, kf.patterns, kf.indicator_patterns) == (
        "Raciones", "cantidad", ("comida fria caliente",), ("de raciones",))
    assert list(params.adapt(load_catalog()).key_figures) != list(load_catalog().key_figures)


@pytest.mark.parametrize("spec, word", [
    ({"valor": "cantidad"}, "etiqueta"),
    ({"etiqueta": "R", "valor": "litros"}, "litros"),
    ({"etiqueta": "R", "valor": "usd", "patrones": "comida"}, "patrones"),
    ({"etiqueta": "R", "valor": "usd", "patron": ["comida"]}, "patron"),
])
def test_bad_key_figure(folder, capsys, tmp_path, spec, word):
    params_error(capsys, month_file(folder, region="Lima", cifras_clave={"raciones": spec}), tmp_path,
                 "cifras_clave.raciones", word)


def test_report_folder_is_the_params_folder(folder):
    assert load_params(month_file(folder, region="Lima")).report_folder == "gtrm-lima"
