"""The report notebooks: thin, parameterized, no outputs committed; run with papermill
on the sample September 2020 they show the seed's figures as text and the charts as PNG."""
from __future__ import annotations

import ast
import json

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"
LOAD_CELL = "from mdrm.view import load_view; vista = load_view(parametros, metricas or None, mes or None)"
MEMBERS_MARK = 4321  # written into the metrics.json given to situacion: its HTML must show it


def _read(name: str):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", ["situacion", "destacados"])
def test_committed_notebook_layout(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[0] is tagged[0]
    tree = ast.parse(tagged[0].source)
    assigned = {t.id: ast.literal_eval(node.value) for node in tree.body for t in node.targets}
    assert assigned == {"parametros": "", "metricas": "", "mes": ""}
    assert nb.cells[1].source.strip() == LOAD_CELL
    for cell in nb.cells:
        assert cell.cell_type == "code"  # no markdown: everything visible is an output
        assert cell.outputs == [] and cell.execution_count is None, "the committed notebook has outputs"
        assert "MPL" "BACKEND" not in cell.source and "%matplotlib" not in cell.source


def test_no_figure_is_computed_in_a_notebook():
    # The notebooks only call mdrm and display: no arithmetic, no pandas, no number formatting.
    for name in ("situacion", "destacados"):
        for cell in _read(name).cells[1:]:
            assert "import pandas" not in cell.source and ".sum(" not in cell.source and "format(" not in cell.source


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    import papermill

    out = tmp_path_factory.mktemp("cuadernos")
    from mdrm.iorw import dumps_metrics
    from mdrm.view import load_view

    metrics = load_view(SEPTEMBER).metrics
    metrics["organizations"]["members"] = MEMBERS_MARK
    metrics_path = out / "metrics.json"
    metrics_path.write_text(dumps_metrics(metrics), encoding="utf-8")
    runs = {}
    for name, metricas in (("situacion", str(metrics_path)), ("destacados", "")):
        target = out / f"{name}.ipynb"
        papermill.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"), str(target), kernel_name="python3", cwd=str(NOTEBOOKS),
            parameters={"parametros": str(SEPTEMBER.resolve()), "metricas": metricas}, progress_bar=False)
        runs[name] = nbformat.read(target, as_version=4)
    return runs


def _outputs(nb):
    return [o for c in nb.cells for o in c.get("outputs", [])]


def _html(nb) -> str:
    return "\n".join(o["data"]["text/html"] for o in _outputs(nb) if "text/html" in o.get("data", {}))


@pytest.mark.parametrize("name", ["situacion", "destacados"])
def test_outputs_are_clean(executed, name):
    outputs = _outputs(executed[name])
    assert not [o for o in outputs if o.output_type == "error"]
    streams = [o.text for o in outputs if o.output_type == "stream"]
    assert streams == [], f"text written to the output (warnings?): {streams}"
    assert all(o.output_type == "display_data" for o in outputs)


def test_situacion_shows_the_seed_figures_as_text(executed):
    page = _html(executed["situacion"])
    for text in ("2,953", "686", "69", "2,198", "3,446", "811", "2,601", "555", "618", "149", "54",
                 "27", "150", "1,490", "244", "2,251", "86,348", "454", "620", "255",
                 "septiembre de 2020", "RyM en Permanencia", "Comunidad de Acogida", "RyM en Tránsito",
                 "Necesidades básicas", "Manejo de Información", "03 jornadas", "Datos de ejemplo",
                 "Intervenciones de la Mesa de Diálogo para Refugiados y Migrantes de la Región de Tacna (MDRM)",
                 "Nota metodológica", "Quién hace qué", "Por provincia", "SHA-256"):
        assert text in page, text
    assert "setiembre" not in page
    assert "<style>" in page and page.count("<style>") == 1


def test_situacion_shows_the_numbers_of_the_given_metrics_json(executed):
    assert f"{MEMBERS_MARK:,}" in _html(executed["situacion"])  # "4,321": the file's value, not recomputed


def test_situacion_has_the_charts_as_png(executed):
    images = [o for o in _outputs(executed["situacion"]) if "image/png" in o.get("data", {})]
    assert len(images) >= 4


def test_destacados_fills_and_drafts(executed):
    page = _html(executed["destacados"])
    assert "03 jornadas interagenciales" in page
    assert "En septiembre de 2020, los miembros de la MDRM alcanzaron a 2,953 personas" in page  # the seed's Mesa
    assert "Necesidades básicas, con 3,446 personas" in page
    assert "86,348 USD" in page
    assert "Datos de ejemplo" in page
    assert not [o for o in _outputs(executed["destacados"]) if "image/png" in o.get("data", {})]


def test_executed_notebooks_keep_the_parameters(executed):
    injected = [c for c in executed["situacion"].cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and json.dumps(str(SEPTEMBER.resolve()))[1:-1] in injected[0].source
