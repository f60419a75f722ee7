"""notebooks/explorar.ipynb runs headless under papermill and its widgets drive mdrm.explore.

Run as JupyterLab runs it: from the `notebooks/` folder (its relative paths),
kernel `python3`, default parameters (the sample data) except the export
folder, which goes to tmp so the tests never write into `reports/`.
"""
from __future__ import annotations

import json

import nbformat
import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "explorar.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def run(path, out, **parameters):
    import papermill as pm

    return pm.execute_notebook(str(path), str(out), kernel_name="python3", cwd=str(ROOT / "notebooks"),
                               parameters=parameters, progress_bar=False, log_output=False)


def outputs(notebook):
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def test_notebook_runs_headless_and_leaves_widget_views(tmp_path):
    executed = run(NOTEBOOK, tmp_path / "explorar.ipynb", carpeta_salida=str(tmp_path / "exploracion"))
    assert not [o for o in outputs(executed) if o.output_type == "error"]
    assert not [o for o in outputs(executed) if o.output_type == "stream" and o.name == "stderr"]
    views = [o for o in outputs(executed) if WIDGET_VIEW in o.get("data", {})]
    assert views, "el cuaderno no dejó vistas de widgets en sus salidas"
    # The saved widget state holds what the analyst first sees: September 2020 (the params' month),
    # whose total is the report's headline (2,953 people, as the seed dashboard)
    state = executed.metadata["widgets"][WIDGET_STATE]["state"]
    values = [m["state"].get("value") for m in state.values() if m["model_name"] == "HTMLModel"]
    table = next(v for v in values if v and "Total del mes" in v)
    assert "septiembre de 2020" in table and "2,953" in table
    labels = {m["state"].get("description") for m in state.values()}
    assert {"Desde el mes", "Hasta el mes", "Subgrupo", "Sector", "Organización", "Grupo de población", "Provincia", "Medida"} <= labels
    tabs = next(m["state"] for m in state.values() if m["model_name"] == "TabModel")
    assert tabs["titles"][0] == "Cifras" and tabs["titles"][1] == "Por sector"
    assert tabs["titles"][-1].startswith("Calidad de datos")
    assert not (tmp_path / "exploracion").exists()  # nothing exported until the button is pressed


CHECKS = '''
from mdrm.formatting import number
antes = tabla_tiempo.value
organizacion.value = "red frontera humanitaria"
esperado = explore.over_time(datos, explore.Selection(months=("2020-09", "2020-09"),
                                                      organization="red frontera humanitaria"))
assert tabla_tiempo.value != antes
assert tabla_tiempo.value == explore.table_html(esperado), "la tabla no es la de la organización elegida"
assert "Organización: Red Frontera Humanitaria" in titulo.value

desde.value, hasta.value = "2020-01", "2020-12"
assert tabla_tiempo.value.count("<tr") == 1 + 12 + 1  # header, 12 months, period row
# a range: the headline is R4V's consolidated figure of the year (mdrm.metrics, as the 2020 report), and
# the sentence under it says so; the table's last row is labelled the plain sum of the months
anio = explore.consolidated(datos, seleccion())["total"]
assert f"{number(anio)} personas de enero a diciembre de 2020 (cifra consolidada)" in titulo.value
assert "Cifra consolidada del rango" in titulo.value and "suma de los meses (no consolidada)" in tabla_tiempo.value
assert "consolidado R4V" in tabla_sectores.value
desde.value = "2020-12"
hasta.value = "2020-10"  # backwards: October to December
assert tabla_tiempo.value.count("<tr") == 1 + 3 + 1

subgrupo.value = "salud_nutricion"
assert [v for _, v in sector.options] == [explore.ALL, "nutricion", "salud"]
sector.value = "salud"
subgrupo.value = "proteccion"  # the sector chosen is not of this subgroup: back to all
assert sector.value == explore.ALL

medida.value = "usd"
assert "USD transferidos (CVA)" in tabla_tiempo.value and "Sexo y edad" not in tabla_sexo_edad.value
assert "Calidad de datos (" in pestanas.titles[5]

exportar.click()
archivos = sorted(p.suffix for p in Path(carpeta_salida).iterdir())
assert archivos == [".csv", ".xlsx"], archivos
assert "Guardado" in estado.value
print("OK")
'''


def test_the_controls_drive_the_tables_and_the_export(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(CHECKS))
    copy = tmp_path / "explorar_con_pruebas.ipynb"
    nbformat.write(notebook, copy)
    folder = tmp_path / "exploracion"
    executed = run(copy, tmp_path / "ejecutado.ipynb", carpeta_salida=str(folder))
    assert "OK" in "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert len(list(folder.iterdir())) == 2


def test_committed_notebook_is_clean_and_parameterized():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    parameters = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(parameters) == 1
    assert 'parametros = "../params/tacna/2020-09.yml"' in "".join(parameters[0]["source"])
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") for c in notebook["cells"])


def test_a_wrong_params_path_fails_with_the_kits_message(tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="no existe el archivo de parámetros"):
        run(NOTEBOOK, tmp_path / "fallo.ipynb", parametros="../params/tacna/no-existe.yml",
            carpeta_salida=str(tmp_path))
