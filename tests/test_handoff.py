"""The parent computes the month once; the notebooks read it (README.md, «Uso»).

`mdrm report` computes metrics, every report table and the warnings in its own
process, writes metrics.json and tablas.xlsx from them, and hands the same
objects to the notebooks (parameter `mes`). These tests make the handed-over
month differ from what a recomputation would give, so a notebook that
recomputed instead of reading would show the wrong thing.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import ROOT
from report_runs import html_text

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"
MARK = 7_654_321  # a value no recomputation gives


def test_a_notebook_shows_the_month_it_is_handed(tmp_path):
    import nbformat
    import papermill

    from mdrm.view import load_view, save_month

    view = load_view(SEPTEMBER)
    tables = view.report_tables()
    tables["Población alcanzada"].loc[0, "Personas"] = MARK
    view.metrics["organizations"]["members"] = MARK + 1
    save_month(view, tmp_path / "mes.pickle")
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "situacion.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
        cwd=str(ROOT / "notebooks"), progress_bar=False,
        parameters={"parametros": str(SEPTEMBER), "metricas": "", "mes": str(tmp_path / "mes.pickle")})
    page = "".join(o["data"].get("text/html", "") for c in nbformat.read(tmp_path / "out.ipynb", 4).cells
                   for o in c.get("outputs", []) if "data" in o)
    assert f"{MARK:,}" in page and f"{MARK + 1:,}" in page


def test_a_notebook_run_alone_computes_the_month_with_the_same_function():
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params
    from mdrm.tables import report_tables
    from mdrm.view import load_view

    alone = load_view(SEPTEMBER)  # what `parametros` alone gives, as in JupyterLab
    params = load_params(SEPTEMBER)
    data = load_month(params)
    assert alone.metrics == compute(data)
    expected = report_tables(alone)
    assert list(alone.report_tables()) == list(expected)
    for name, table in expected.items():
        pd.testing.assert_frame_equal(alone.report_tables()[name], table)


def test_one_report_computes_once_and_every_output_shows_it(tmp_path, monkeypatch):
    """The 5W is read once, by the parent: the notebooks and the tablero run after it is gone.

    The parent's tables carry a mark: tablas.xlsx and situacion.html both show it, and the
    metrics.json the notebooks were handed is the published one.
    """
    import shutil

    import yaml

    from mdrm import isolate, metrics, report

    data = tmp_path / "5w.xlsx"
    shutil.copy(ROOT / "data" / "ejemplo" / "5w_tacna_2020.xlsx", data)
    (tmp_path / "tacna").mkdir()
    region = yaml.safe_load((ROOT / "params" / "tacna" / "region.yml").read_text(encoding="utf-8"))
    region.update(datos=str(data), organizaciones=str(ROOT / "data" / "ejemplo" / "organizaciones_tacna.csv"),
                  indicadores=str(ROOT / "data" / "ejemplo" / "indicadores_tacna.csv"))
    (tmp_path / "tacna" / "region.yml").write_text(yaml.safe_dump(region, allow_unicode=True), encoding="utf-8")
    params = tmp_path / "tacna" / "2020-09.yml"
    shutil.copy(SEPTEMBER, params)

    reads = []
    real_read, real_safely = metrics.read_5w, isolate.read_safely
    monkeypatch.setattr(metrics, "read_5w", lambda *a, **k: reads.append(a) or real_read(*a, **k))
    # a workbook is read in a child process (mdrm.isolate): counted where this process asks for it
    monkeypatch.setattr(isolate, "read_safely", lambda f, *a, **k: reads.append(a) or real_safely(f, *a, **k))

    def marked_tables(view):
        tables = view.report_tables()  # the month's own tables, as the notebooks get them
        tables["Población alcanzada"].loc[0, "Personas"] = MARK
        data.unlink()  # from here on, nobody can read the 5W again
        return tables

    content = report.Content.default()
    content.tables = marked_tables
    result = report.run_report(params, tmp_path / "out", content=content, index=False)
    assert len(reads) == 1 and not data.exists()
    sheet = load_workbook(result.month_dir / "tablas.xlsx")["Población alcanzada"]
    assert MARK in [cell.value for row in sheet.iter_rows() for cell in row]
    assert f"{MARK:,}" in html_text((result.month_dir / "situacion.html").read_text(encoding="utf-8"))
    assert (result.month_dir / "tablero.pdf").stat().st_size > 0
    published = json.loads((result.month_dir / "metrics.json").read_text(encoding="utf-8"))
    saved = json.loads((result.month_dir / "situacion.ipynb").read_text(encoding="utf-8"))
    assert saved["metadata"]["papermill"]["parameters"] == {
        "parametros": str(params), "metricas": str(result.month_dir / "metrics.json"), "mes": ""}
    assert published["people_reached"]["total"] == 2953
    assert not list((tmp_path / "out" / "tacna").glob(".mdrm-*"))  # the handed-over file is not published
    assert "mes.pickle" not in {p.name for p in result.month_dir.iterdir()}


def test_a_failing_tablero_fails_the_month_and_writes_nothing(tmp_path, monkeypatch):
    from mdrm import report

    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))  # the worker imports `_broken_tablero` from here
    content = report.Content.default()
    content.tablero = _broken_tablero
    with pytest.raises(Exception, match="tablero roto"):
        report.run_report(SEPTEMBER, tmp_path / "out", content=content, index=False)
    assert not (tmp_path / "out" / "tacna" / "2020-09").exists()


def _broken_tablero(view, folder):
    raise RuntimeError("tablero roto")
