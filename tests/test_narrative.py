"""Highlights with placeholders, and the sentences the kit drafts (mdrm.narrative)."""
from __future__ import annotations

import copy

import pytest

from conftest import ROOT, sample_catalog
from mdrm import html, narrative
from mdrm.errors import InputError
from mdrm.view import load_view

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"

# A small metrics.json (the parts the narrative reads), numbers of the seed.
METRICS = {
    "schema": "mdrm.metrics/1", "region": "Tacna", "month": "2020-09", "basis": "mensual",
    "dedup": {"method": "maximo", "level": "admin2"},
    "rows": {"read": 74, "counted": 72, "excluded": 2,
             "excluded_by_reason": {"actividad_no_rmrp": 1, "servicios_comunes": 1}},
    "people_reached": {"total": 2953, "by_population": {"permanencia": 686, "transito": 2198, "acogida": 69}},
    "subgroups": {
        "necesidades_basicas": {"total": 3446, "by_population": {"permanencia": 811, "transito": 2601, "acogida": 34}},
        "salud_nutricion": {"total": 555, "by_population": {"permanencia": 496, "transito": 0, "acogida": 59}},
        "proteccion": {"total": 618, "by_population": {"permanencia": 289, "transito": 271, "acogida": 58}},
    },
    "key_figures": {"raciones_comida": 1490, "usd_distribuidos": 86348},
    "organizations": {"reporting": 19, "members": 16, "by_subgroup": {"proteccion": 12}},
    "ytd": {"months": ["2020-01", "2020-09"], "people_reached": {"total": 16282, "by_population": {}}},
    "previous_month": {"month": "2020-08", "people_reached_total": 2886,
                       "people_reached": {"total": 2886, "by_population": {}},
                       "subgroups": {"necesidades_basicas": 3681}},
}


@pytest.mark.parametrize("text, filled", [
    ("{kf.raciones_comida} raciones", "1,490 raciones"),
    ("{people_reached.total} personas", "2,953 personas"),
    ("{people_reached.by_population.transito}", "2,198"),
    ("{subgroups.proteccion.total}", "618"),
    ("{organizations.reporting} organizaciones", "19 organizaciones"),
    ("{ytd.people_reached.total}", "16,282"),
    ("{key_figures.usd_distribuidos} USD", "86,348 USD"),
    ("Durante {mes} en {region}", "Durante septiembre de 2020 en Tacna"),
    ("frente a {mes_anterior}", "frente a agosto de 2020"),
    ("{{literal}} y {{", "{literal} y {"),
    ("{ people_reached.total }", "2,953"),
    ("sin marcadores: 03 jornadas, 28/09", "sin marcadores: 03 jornadas, 28/09"),
])
def test_placeholders_are_filled(text, filled):
    assert narrative.fill(text, METRICS) == filled


def test_text_outside_placeholders_is_verbatim():
    text = "Durante el mes de {mes} se han realizado 03 jornadas (eje 4) – MTIGM, 28/09: {kf.raciones_comida}."
    assert narrative.fill(text, METRICS) == (
        "Durante el mes de septiembre de 2020 se han realizado 03 jornadas (eje 4) – MTIGM, 28/09: 1,490.")


def test_missing_figure_is_a_dash():
    metrics = copy.deepcopy(METRICS)
    metrics["previous_month"]["people_reached_total"] = None
    assert narrative.fill("{previous_month.people_reached_total}", metrics) == "—"


@pytest.mark.parametrize("bad, named", [
    ("{kf.jornadas}", "{kf.jornadas}"),
    ("{people_reached.totl}", "{people_reached.totl}"),
    ("{people_reached}", "{people_reached}"),  # a table, not a figure
    ("{people_reached.total:>5}", "{people_reached.total:>5}"),
    ("{__class__}", "{__class__}"),
    ("{}", "{}"),
])
def test_unknown_placeholder_is_an_input_error_naming_it_and_the_highlight(bad, named):
    with pytest.raises(InputError) as error:
        narrative.fill_highlights(["primero sin marcador", f"segundo {bad} aquí"], METRICS, source="2020-09.yml")
    message = str(error.value)
    assert named in message
    assert "destacado 2" in message
    assert "2020-09.yml" in message


def test_lone_brace_is_an_error():
    with pytest.raises(InputError, match="destacado 1: llave «}» sin pareja"):
        narrative.fill_highlights(["cierre } suelto"], METRICS)


def test_key_figure_error_lists_the_key_figures():
    with pytest.raises(InputError, match="raciones_comida"):
        narrative.fill("{kf.jornadas}", METRICS)


def test_html_in_a_highlight_is_shown_as_text():
    filled = narrative.fill_highlights(["<b>importante</b>: {people_reached.total} & más"], METRICS)
    assert filled == ["<b>importante</b>: 2,953 & más"]
    fragment = html.highlights(filled)
    assert "&lt;b&gt;importante&lt;/b&gt;: 2,953 &amp; más" in fragment
    assert "<b>importante" not in fragment


def test_drafted_sentences_from_the_figures():
    sentences = narrative.draft(METRICS, sample_catalog(), previous_key_figures={"usd_distribuidos": 74858})
    assert sentences[0] == ("En septiembre de 2020, los miembros de la Mesa alcanzaron a 2,953 personas, "
                            "67 más que en agosto de 2020 (+2.3%).")
    # 2198/2953 = 74.43% ; 686/2953 = 23.23% ; 69/2953 = 2.34%
    assert sentences[1] == ("De ellas, 2,198 (74.4%) son RyM en Tránsito, 686 (23.2%) RyM en Permanencia "
                            "y 69 (2.3%) Comunidad de Acogida.")
    assert sentences[2] == ("El subgrupo con más personas alcanzadas fue Necesidades básicas, con 3,446 personas, "
                            "235 menos que en agosto de 2020 (-6.4%); le siguen Protección (618) y "
                            "Salud y Nutrición (555).")
    assert sentences[3] == ("Los miembros de la Mesa distribuyeron 86,348 USD en transferencias monetarias (CVA) "
                            "en septiembre de 2020, 11,490 USD más que en agosto de 2020 (+15.3%).")
    assert sentences[4].startswith("En lo que va del año (enero a septiembre de 2020), la Mesa alcanzó a "
                                   "16,282 personas")
    assert sentences[5] == ("19 organizaciones reportaron actividades en el 5W de septiembre de 2020; "
                            "la Mesa cuenta con 16 organizaciones miembros.")


def test_drafted_sentences_without_previous_month_nor_cva():
    metrics = copy.deepcopy(METRICS)
    metrics["month"] = "2020-01"
    metrics["previous_month"] = None
    metrics["key_figures"]["usd_distribuidos"] = 0
    sentences = narrative.draft(metrics, sample_catalog())
    assert sentences[0] == ("En enero de 2020, los miembros de la Mesa alcanzaron a 2,953 personas "
                            "(no hay datos de diciembre de 2019 para comparar).")
    assert "no hay datos de diciembre de 2019" in sentences[2]
    assert "En enero de 2020 no se reportaron transferencias monetarias (CVA) en USD." in sentences


def test_a_decrease_and_no_change_are_worded():
    assert narrative.change_phrase(2853, 2886, "agosto de 2020") == "33 menos que en agosto de 2020 (-1.1%)"
    assert narrative.change_phrase(5, 5, "agosto de 2020") == "la misma cifra que en agosto de 2020"
    assert narrative.change_phrase(5, 0, "agosto de 2020") == "5 más que en agosto de 2020"


def test_join_in_spanish():
    assert narrative.join_es(["a"]) == "a"
    assert narrative.join_es(["a", "b"]) == "a y b"
    assert narrative.join_es(["a", "b", "c"]) == "a, b y c"


@pytest.mark.parametrize("method, level, rule, words", [
    ("maximo", "admin2", None, "en cada provincia (Admin2), el máximo entre sectores, y se suman las provincias"),
    ("maximo", "admin1", None, "en la región (Admin1), el máximo entre sectores"),
    ("maximo", "admin1", None, "las personas sin desagregar de un sector se reparten según la desagregación"),
    ("maximo", "admin2", "por_sector", "en cada provincia (Admin2) se toma el sector con más personas, con su "
                                       "propia desagregación, y se suman las provincias"),
    ("suma", "admin2", None, "sin eliminar el doble conteo"),
    ("cono_sur", "admin1", None, "método Cono Sur: en la región (Admin1), el máximo entre Alojamiento"),
    ("cono_sur", "admin1", "por_sector", "el sector con más personas (con su desagregación) entre Alojamiento"),
])
def test_methodology_note_names_basis_and_method(method, level, rule, words):
    metrics = copy.deepcopy(METRICS)
    metrics["dedup"] = {"method": method, "level": level, **({"rule": rule} if rule else {})}
    note = narrative.methodology_note(metrics)
    assert words in note[0]
    assert "«Total beneficiarios mensuales»" in note[0]
    metrics["basis"] = "nuevos"
    assert "«Nuevos beneficiarios del mes»" in narrative.methodology_note(metrics)[0]
    assert note[-1] == ("Filas: 74 filas de Tacna en septiembre de 2020; 72 contadas para personas y 2 excluidas "
                        "(actividades fuera del RMRP: 1; servicios comunes: 1).")


def test_sample_highlights_and_drafts():
    view = load_view(SEPTEMBER)
    filled = narrative.fill_highlights(view.params.highlights, view.metrics)
    assert filled == view.params.highlights  # the seed's highlights carry no placeholder: kept verbatim
    assert "03 jornadas" in filled[1]
    drafted = " ".join(narrative.draft(view.metrics, view.data.catalog))
    assert "2,953 personas" in drafted
    assert "fue Necesidades básicas, con 3,446 personas" in drafted
    assert "86,348 USD" in drafted
