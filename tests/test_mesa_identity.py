"""The Mesa's identity (params `mesa:`, `definiciones:`) everywhere a reader sees it, and
key figures matching the Indicator column too (README.md, «Alcance: país, regiones y reporte nacional»)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from conftest import ROOT, rows_frame
from mdrm import html, identity, narrative
from mdrm.index import index_html
from mdrm.catalog import load_catalog
from mdrm.methodology import key_figure_masks
from mdrm.params import Mesa, load_params
from mdrm.view import load_view

AREQUIPA_MESA = {"nombre": "Grupo de Trabajo para Refugiados y Migrantes de Arequipa", "sigla": "GTRM-AQP",
                 "plataforma": "GTRM Perú"}
AREQUIPA_HOST = "Es la comunidad arequipeña que alberga a los refugiados y migrantes."
FORBIDDEN = [re.compile("tacna", re.IGNORECASE), re.compile("tacneñ", re.IGNORECASE), re.compile("MDRM")]


def arequipa_rows() -> list[dict]:
    common = {"country": "Peru", "admin1": "Arequipa", "rmrp_activity": "Si", "appealing_org": "Org Sur"}
    return [
        {**common, "month": "2020-09", "admin2": "Arequipa", "sector": "Shelter",
         "activity_name": "Comida fría/caliente distribuida (# de raciones diarias)", "quantity": 40,
         "total_monthly": 30, "new_beneficiaries": 30, "permanencia": 20, "acogida": 10, "mujeres": 15,
         "hombres": 15},
        {**common, "month": "2020-09", "admin2": "Caylloma", "sector": "Multipurpose Cash Assistance (MPC)",
         "indicator": "# of individuals benefitting from multipurpose cash transfers (MPC)",
         "activity_name": "Apoyo en efectivo", "cva": "Si", "cva_value_usd": 250, "quantity": 5,
         "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5, "ninas": 5},
        {**common, "month": "2020-08", "admin2": "Arequipa", "sector": "Shelter",
         "activity_name": "Comida fría/caliente distribuida (# de raciones diarias)", "quantity": 12,
         "total_monthly": 8, "new_beneficiaries": 8, "permanencia": 8, "mujeres": 8},
    ]


def write_mesa_params(folder, **extra):
    folder.mkdir(parents=True, exist_ok=True)
    data = folder.parent / "5w_arequipa.csv"
    rows_frame(arequipa_rows()).to_csv(data, index=False)
    content = {"region": "Arequipa", "mes": "2020-09", "datos": str(data),
               "deduplicacion": {"metodo": "maximo", "nivel": "admin2"},
               "destacados": ["{mesa} alcanzó a {people_reached.total} personas en {region}."], **extra}
    path = folder / "2020-09.yml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


# --- the Mesa's name in Spanish -------------------------------------------------------------------

@pytest.mark.parametrize("mesa, the, of", [
    (Mesa("Mesa de Lima"), "la Mesa de Lima", "de la Mesa de Lima"),
    (Mesa("Grupo de Trabajo de Arequipa", "GTRM-AQP"), "el GTRM-AQP", "del GTRM-AQP"),
    (Mesa("GIFMM Cúcuta"), "el GIFMM Cúcuta", "del GIFMM Cúcuta"),
    (Mesa("ACME"), "ACME", "de ACME"),
])
def test_article_of_the_mesa(mesa, the, of):
    short = identity.short_name(mesa)
    assert (identity.the(short, mesa), identity.of(short, mesa)) == (the, of)


def test_metrics_json_carries_the_mesa(tmp_path, metrics_of):
    folder = tmp_path / "gtrm-arequipa"
    params = load_params(write_mesa_params(folder, mesa=AREQUIPA_MESA))
    from mdrm.metrics import compute, load_month

    metrics = compute(load_month(params))
    assert metrics["mesa"] == {"nombre": AREQUIPA_MESA["nombre"], "sigla": "GTRM-AQP", "plataforma": "GTRM Perú"}
    # without `mesa:` the neutral default, never the sample's
    neutral = metrics_of([{"total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1}])
    assert neutral["mesa"] == {"nombre": "Mesa de Tacna", "sigla": "", "plataforma": ""}


def test_header_footer_and_narrative_name_the_mesa(tmp_path):
    view = load_view(write_mesa_params(tmp_path / "gtrm-arequipa", mesa=AREQUIPA_MESA,
                                       definiciones={"acogida": AREQUIPA_HOST}))
    title = ("Intervenciones del Grupo de Trabajo para Refugiados y Migrantes de Arequipa (GTRM-AQP) — "
             "septiembre de 2020")
    assert title in html.header(view)
    assert "Reporte de situación mensual · Arequipa · septiembre de 2020 · GTRM Perú" in html.header(view)
    assert ("Destacados del Grupo de Trabajo para Refugiados y Migrantes de Arequipa (GTRM-AQP) — septiembre de "
            "2020") in html.highlights_header(view)
    assert ("Publicado por el Grupo de Trabajo para Refugiados y Migrantes de Arequipa (GTRM-AQP), GTRM Perú."
            in html.footer(view))
    assert "comunidad arequipeña" in html.definitions_note(view)
    assert "<h3>Miembros del GTRM-AQP y acumulado</h3>" in html.headline(view)
    draft = narrative.draft(view.metrics, view.data.catalog)
    # 30 (Arequipa) + 5 (Caylloma): two provinces, one sector each
    assert draft[0].startswith("En septiembre de 2020, los miembros del GTRM-AQP alcanzaron a 35 personas")
    assert any(s.startswith("En lo que va del año (enero a septiembre de 2020), el GTRM-AQP alcanzó a") for s in draft)
    assert narrative.fill_highlights(view.params.highlights, view.metrics) == [
        "GTRM-AQP alcanzó a 35 personas en Arequipa."]


def test_default_mesa_is_neutral_in_the_title(tmp_path):
    view = load_view(write_mesa_params(tmp_path / "arequipa"))
    assert "Intervenciones de la Mesa de Arequipa — septiembre de 2020" in html.header(view)
    assert "Es la comunidad que alberga a los refugiados y migrantes." in html.definitions_note(view)
    assert narrative.draft(view.metrics, view.data.catalog)[0].startswith(
        "En septiembre de 2020, los miembros de la Mesa de Arequipa alcanzaron a 35 personas")


def test_index_names_the_mesa_of_the_months(tmp_path):
    month = tmp_path / "gtrm-arequipa" / "2020-09"
    month.mkdir(parents=True)
    (month / "metrics.json").write_text(json.dumps({"region": "Arequipa", "mesa": AREQUIPA_MESA,
                                                    "people_reached": {"total": 35}}), encoding="utf-8")
    page = index_html(month.parent)
    assert "Grupo de Trabajo para Refugiados y Migrantes de Arequipa (GTRM-AQP) — reportes mensuales" in page
    assert "Mesa de Diálogo" not in page


def test_sample_september_shows_the_seed_mesa():
    view = load_view(ROOT / "params" / "tacna" / "2020-09.yml")
    assert view.metrics["mesa"] == {"nombre": "Mesa de Diálogo para Refugiados y Migrantes de la Región de Tacna",
                                    "sigla": "MDRM", "plataforma": "GTRM"}
    assert ("Intervenciones de la Mesa de Diálogo para Refugiados y Migrantes de la Región de Tacna (MDRM) — "
            "septiembre de 2020") in html.header(view)
    assert "Es la comunidad tacneña que alberga a los refugiados y migrantes." in html.definitions_note(view)
    assert "los miembros de la MDRM alcanzaron a 2,953 personas" in narrative.draft(view.metrics, view.data.catalog)[0]
    assert view.data.catalog.key_figures["usd_distribuidos"].label == "USD distribuidos por los miembros del GTRM"


def test_packaged_definitions_hold_nothing_of_the_sample():
    folder = ROOT / "mdrm" / "definitions"
    for path in folder.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        if path.name == "admin1.yml":
            # R4V's admin1s of every country: Tacna is one of Peru's 25 regions there (once), not the sample
            assert len(re.findall(r"\bTacna\b", body)) == 1 and re.search(r"peru: \[[^]]*\bTacna\b", body)
            body = re.sub(r"\bTacna\b", "", body)
        for pattern in FORBIDDEN:
            assert not pattern.search(body), (path.name, pattern.pattern)


# --- a whole report of another Mesa: nothing of Tacna -----------------------------------------------

def _without_images(text: str) -> str:
    """Embedded PNGs are base64: a chance 'MDRM' in them is not text a reader sees."""
    return re.sub(r"[A-Za-z0-9+/=\n\\]{200,}", "", text)


def _notebook_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop("image/png", None)
    return _without_images(nbformat.writes(nb))


def _workbook_text(path) -> str:
    book = load_workbook(path, read_only=True)
    parts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            parts += [str(v) for v in row if v is not None]
    return "\n".join(parts)


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_report_of_another_mesa_shows_nothing_of_tacna(tmp_path):
    params = write_mesa_params(tmp_path / "input" / "gtrm-arequipa", mesa=AREQUIPA_MESA,
                               definiciones={"acogida": AREQUIPA_HOST})
    out = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-m", "mdrm", "report", "--params", str(params), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    month = out / "gtrm-arequipa" / "2020-09"
    texts = {
        "situacion.html": _without_images((month / "situacion.html").read_text("utf-8")),
        "destacados.html": _without_images((month / "destacados.html").read_text("utf-8")),
        "situacion.ipynb": _notebook_text(month / "situacion.ipynb"),
        "destacados.ipynb": _notebook_text(month / "destacados.ipynb"),
        "metrics.json": (month / "metrics.json").read_text("utf-8"),
        "tablas.xlsx": _workbook_text(month / "tablas.xlsx"),
        "index.html": (out / "gtrm-arequipa" / "index.html").read_text("utf-8"),
        "tablero.pdf": _pdf_text(month / "tablero.pdf"),
    }
    for name, text in texts.items():
        for pattern in FORBIDDEN:
            found = pattern.search(text)
            assert not found, (name, text[max(0, found.start() - 80):found.end() + 80])
    page = texts["situacion.html"]
    assert "Intervenciones del Grupo de Trabajo para Refugiados y Migrantes de Arequipa (GTRM-AQP)" in page
    assert "comunidad arequipeña" in page
    assert "GTRM-AQP" in texts["tablero.pdf"] and "arequipeña" in texts["tablero.pdf"]
    assert "GTRM-AQP alcanzó a 35 personas en Arequipa." in texts["destacados.html"]
    assert "los miembros del GTRM-AQP alcanzaron a 35 personas" in texts["destacados.html"]
    # the packaged key figures: 40 raciones; 250 USD of MPC found through the Indicator column
    kf = json.loads(texts["metrics.json"])["key_figures"]
    assert (kf["raciones_comida"], kf["usd_multiproposito"], kf["usd_distribuidos"]) == (40, 250, 250)


# --- key figures on the Indicator column ------------------------------------------------------------

KF_ROWS = [
    # activity matches `patrones` and indicator matches `indicadores`: counted once
    {"activity_name": "Comida fría/caliente distribuida (# de raciones diarias)",
     "indicator": "# de personas con asistencia alimentaria", "quantity": 10, "cva_value_usd": 1},
    # indicator only
    {"activity_name": "Entrega de alimentos", "indicator": "# de personas con ASISTENCIA ALIMENTARIA (raciones)",
     "quantity": 7, "cva_value_usd": 2},
    # neither
    {"activity_name": "Otra", "indicator": "Otro indicador", "quantity": 100, "cva_value_usd": 4},
    # indicator only, English, blank activity name
    {"activity_name": "", "indicator": "# of individuals benefitting from multipurpose cash transfers (MPC)",
     "quantity": 1, "cva_value_usd": 50.5},
]
KF_SPECS = {
    "raciones": {"etiqueta": "Raciones", "valor": "cantidad", "patrones": ["comida fria caliente"],
                 "indicadores": ["asistencia alimentaria"]},
    "usd_mpc": {"etiqueta": "USD MPC", "valor": "usd", "indicadores": ["multipurpose cash"]},
    "solo_actividad": {"etiqueta": "Comida", "valor": "cantidad", "patrones": ["comida"]},
    "todas": {"etiqueta": "Todas", "valor": "cantidad"},
    "ninguna": {"etiqueta": "Ninguna", "valor": "cantidad", "patrones": ["xyz"], "indicadores": ["abc"]},
}


def test_key_figures_match_the_indicator_column_too(metrics_of):
    kf = metrics_of(KF_ROWS, cifras_clave=KF_SPECS)["key_figures"]
    # raciones 10 + 7 (not 10 twice); usd_mpc 50.5 -> 51 (half up); solo_actividad 10; todas 118; ninguna 0
    assert kf == {"raciones": 17, "usd_mpc": 51, "solo_actividad": 10, "todas": 118, "ninguna": 0}


def test_key_figure_masks_on_a_table():
    from dataclasses import replace

    from mdrm.catalog import key_figures_from
    from mdrm.text import normalize_series

    frame = pd.DataFrame({"activity_name": [r["activity_name"] or None for r in KF_ROWS],
                          "indicator": [r["indicator"] for r in KF_ROWS]})
    frame["activity_key"] = normalize_series(frame["activity_name"])
    catalog = replace(load_catalog(), key_figures=key_figures_from(KF_SPECS))
    masks = {k: m.tolist() for k, m in key_figure_masks(frame, catalog).items()}
    assert masks == {
        "raciones": [True, True, False, False],
        "usd_mpc": [False, False, False, True],
        "solo_actividad": [True, False, False, False],
        "todas": [True, True, True, True],
        "ninguna": [False, False, False, False],
    }


def test_cli_and_notebooks_name_no_particular_mesa():
    from mdrm.cli import build_parser

    texts = {"cli": build_parser().description}
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        # the exploration notebook opens the sample by default: its params path is the one place Tacna may be
        texts[path.name] = "\n".join(c.source.replace("../params/tacna/", "") for c in nb.cells)
    for name, text in texts.items():
        for pattern in FORBIDDEN:
            assert not pattern.search(text), (name, pattern.pattern)
    assert "explore.intro_html(datos)" in texts["explorar.ipynb"]


def test_exploration_intro_names_the_mesa_of_its_params():
    from mdrm import explore

    ex = explore.load_exploration(ROOT / "params" / "tacna" / "2020-09.yml")
    assert explore.intro_html(ex).startswith(
        "<p><strong>Mesa de Diálogo para Refugiados y Migrantes de la Región de Tacna</strong> · <strong>Tacna</strong>")


def test_w06_also_for_a_key_figure_on_indicators_only(metrics_of):
    specs = {"usd_mpc": {"etiqueta": "USD MPC", "valor": "usd", "indicadores": ["multipurpose cash"]}}
    rows = [{"total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1, "indicator": "Otro indicador"}]
    raised = metrics_of(rows, cifras_clave=specs)
    assert [w["code"] for w in raised["warnings"] if w["code"] == "W06"] == ["W06"]
    assert "«USD MPC»" in next(w["message"] for w in raised["warnings"] if w["code"] == "W06")
    rows.append({"month": "2020-03", "indicator": KF_ROWS[3]["indicator"], "cva_value_usd": 5})
    assert "W06" not in [w["code"] for w in metrics_of(rows, cifras_clave=specs)["warnings"]]
