"""`mdrm report`: one month end to end.

Three kinds of tests:

- the pipeline on fixture notebooks (tests/notebooks/): files, HTML rules,
  audit trail, failures (exit 3 / exit 2, nothing written), interruptions;
- the kit's own report of the sample September 2020 (`report_runs.sample_report`,
  one run for the whole session): the six files, the numbers of metrics.json
  and of the seed in the HTML, no code, nothing from the network;
- text from data and params shown as text (`report_runs.hostile_report`).
"""
from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from report_runs import (
    FIXTURE_NOTEBOOKS, HOSTILE_ORG, OUTPUTS, SAMPLE_PARAMS, elements, fixture_content, hostile_report,
    html_text, sample_report,
)

import mdrm.report as report
from mdrm import publish, workbook
from mdrm.cli import main
from mdrm.metrics import compute, load_month
from mdrm.params import load_params

CDN_MARKERS = ("mathjax", "require.js", "requirejs", "unpkg.com", "cdnjs", "jsdelivr", "fonts.googleapis")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes), hidden ones included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Temporary files or folders anywhere under `out`."""
    return [str(p.relative_to(out)) for p in out.rglob("*")
            if p.name.startswith(".mdrm-") or p.name.endswith(".tmp") or p.name == "slow-started"]


def use_content(monkeypatch, situacion: str, destacados: str | None = None) -> None:
    """Make `mdrm report` (in this process) run fixture notebooks."""
    content = fixture_content(situacion, destacados or situacion)
    monkeypatch.setattr(report.Content, "default", classmethod(lambda cls: content))


def assert_offline_codeless(page: str, code_markers: list[str]) -> None:
    lower = page.lower()
    for marker in CDN_MARKERS:
        assert marker not in lower, f"the page loads or names {marker}"
    for tag, attrs in elements(page):
        for attr in ("src", "href"):
            value = (attrs.get(attr) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), f"<{tag} {attr}={value!r}> loads from the network"
        if tag == "link":
            assert attrs.get("rel") != "stylesheet", "an external stylesheet"
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I), "a <script src=...>"
    assert "@import" not in page, "a CSS @import"
    for marker in code_markers:
        assert marker not in page, f"input code shown: {marker!r}"
    classes = " ".join(a.get("class") or "" for _, a in elements(page)).split()
    assert "jp-InputArea-editor" not in classes and "jp-InputPrompt" not in classes, "code cells shown"
    assert "In&nbsp;[" not in page and "Out[" not in html_text(page), "prompts shown"


# --------------------------------------------------------------------------- fixture notebooks

@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    """One report on the fixture notebooks (situacion: scripted outputs, destacados: minimal)."""
    out = tmp_path_factory.mktemp("fixture") / "reportes del año"  # a space and an ñ in the path
    result = report.run_report(SAMPLE_PARAMS, out, content=fixture_content())
    return result.month_dir


def test_fixture_report_writes_the_six_files_and_the_index(fixture_run):
    assert sorted(p.name for p in fixture_run.iterdir()) == sorted(OUTPUTS)
    assert fixture_run.parts[-3:] == ("reportes del año", "tacna", "2020-09")
    index = (fixture_run.parent / "index.html").read_text(encoding="utf-8")
    assert 'href="2020-09/situacion.html"' in index and 'href="2020-09/destacados.html"' in index
    assert leftovers(fixture_run.parents[1]) == []


def test_metrics_json_is_the_months_metrics(fixture_run):
    written = json.loads((fixture_run / "metrics.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(compute(load_month(load_params(SAMPLE_PARAMS)))))
    assert written["people_reached"]["total"] == 2953


def test_html_hides_code_prompts_stderr_and_scripts(fixture_run):
    page = (fixture_run / "destacados.html").read_text(encoding="utf-8")
    assert_offline_codeless(page, ["codigo_fuente_oculto(", "import json", 'metricas = "'])
    assert "aviso solo para el analista" not in page  # stderr dropped
    assert "2,953" in html_text(page)  # the output is there
    assert "<title>Tacna — septiembre de 2020</title>" in page


def test_html_drops_javascript_widgets_and_mathjax(fixture_run):
    page = (fixture_run / "situacion.html").read_text(encoding="utf-8")
    assert_offline_codeless(page, ["display(Javascript", "ipywidgets.IntSlider"])
    assert "<script" not in page.lower()  # no JavaScript output, widget manager or widget state
    assert "__mdrm_js_ran" not in page
    assert "application/vnd.jupyter.widget" not in page
    assert "2,953" in html_text(page)


def test_executed_notebooks_are_the_audit_trail(fixture_run):
    nb = json.loads((fixture_run / "destacados.ipynb").read_text(encoding="utf-8"))
    injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    source = "".join(injected["source"])
    assigned = {}
    exec(source, {}, assigned)  # the cell as papermill wrote it (non-ASCII paths escaped)
    # the published metrics.json, not the staging copy; no `mes` (the handed-over month is not published)
    assert assigned == {"parametros": str(SAMPLE_PARAMS.resolve()),
                        "metricas": str(fixture_run / "metrics.json"), "mes": ""}
    assert nb["metadata"]["papermill"]["parameters"] == assigned
    assert nb["metadata"]["papermill"]["input_path"] == str(FIXTURE_NOTEBOOKS / "minimal.ipynb")
    assert nb["metadata"]["papermill"]["output_path"] == str(fixture_run / "destacados.ipynb")
    assert ".mdrm-" not in json.dumps(nb, ensure_ascii=False)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert any("2,953" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)


def test_tablas_xlsx_has_one_sheet_per_table(fixture_run):
    from openpyxl import load_workbook

    book = load_workbook(fixture_run / "tablas.xlsx", read_only=True)
    assert book.sheetnames == ["Personas por población"]


def test_sheet_names_are_valid_for_excel():
    names = workbook.sheet_names(["a/b", "x" * 40, "X" * 40, "", "ok"])
    assert names[0] == "a b" and len(names[1]) == 31 and names[2].endswith("(2)") and len(names[2]) <= 31
    assert names[3] == "tabla" and names[4] == "ok"


def test_broken_notebook_exit_3_names_the_cell_error_and_writes_nothing(monkeypatch, tmp_path, capsys):
    use_content(monkeypatch, "broken", "minimal")
    out = tmp_path / "reports"
    code = main(["report", "--params", str(SAMPLE_PARAMS), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "broken.ipynb" in err and "ValueError" in err and "columna inexistente: total_mensual" in err
    assert not out.exists(), f"written: {list(out.rglob('*'))}"


def test_failed_run_keeps_the_previous_files(fixture_run, monkeypatch, tmp_path, capsys):
    out = tmp_path / "reports"
    shutil.copytree(fixture_run.parents[1], out)
    before = tree(out)
    use_content(monkeypatch, "minimal", "broken")  # the first notebook succeeds, the second fails
    assert main(["report", "--params", str(SAMPLE_PARAMS), "--out", str(out)]) == 3, capsys.readouterr().err
    assert tree(out) == before


def test_notebook_without_parameters_cell_is_a_clear_error(monkeypatch, tmp_path, capsys):
    use_content(monkeypatch, "no_parameters", "minimal")
    out = tmp_path / "reports"
    code = main(["report", "--params", str(SAMPLE_PARAMS), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3
    assert "no_parameters.ipynb" in err and "«parameters»" in err
    assert not out.exists()


def test_params_error_exit_2_at_once_nothing_written(monkeypatch, tmp_path, capsys):
    use_content(monkeypatch, "slow")  # would take minutes if a notebook ran
    params = tmp_path / "2020-09.yml"
    params.write_text(SAMPLE_PARAMS.read_text(encoding="utf-8") + "paginas: 3\n", encoding="utf-8")
    shutil.copy(SAMPLE_PARAMS.parent / "region.yml", tmp_path / "region.yml")
    out = tmp_path / "reports"
    started = []  # the error comes before any notebook is handed to a worker
    monkeypatch.setattr(report, "start_month", lambda *a, **k: started.append(a))
    code = main(["report", "--params", str(params), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "clave desconocida «paginas»" in err
    assert started == []
    assert not out.exists()


def test_data_error_exit_2_before_any_notebook(monkeypatch, tmp_path, capsys):
    use_content(monkeypatch, "slow")
    params = tmp_path / "2019-09.yml"
    data = (ROOT / "data" / "ejemplo" / "5w_tacna_2020.xlsx").resolve()
    params.write_text(f'region: Tacna\nmes: "2019-09"\ndatos: {data}\n', encoding="utf-8")
    out = tmp_path / "reports"
    started = time.perf_counter()
    code = main(["report", "--params", str(params), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "no hay filas" in err
    assert time.perf_counter() - started < 30  # slow.ipynb sleeps 120 s
    assert not out.exists()


def test_unknown_placeholder_exit_2_before_any_notebook(tmp_path, capsys):
    """With the kit's own content: mdrm.narrative.fill_highlights checks the highlights first."""
    params = tmp_path / "2020-09.yml"
    data = (ROOT / "data" / "ejemplo" / "5w_tacna_2020.xlsx").resolve()
    params.write_text(yaml.safe_dump({"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                      "destacados": ["Se distribuyeron {kf.no_existe} kits."]}), encoding="utf-8")
    out = tmp_path / "reports"
    code = main(["report", "--params", str(params), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "kf.no_existe" in err
    assert not out.exists()


# --------------------------------------------------------------------------- interruptions

DRIVER = """
import sys
sys.path.insert(0, {tests!r})
import mdrm.report as report
from mdrm.cli import main
from report_runs import fixture_content
content = fixture_content(sys.argv[3], sys.argv[3])
report.Content.default = classmethod(lambda cls: content)
sys.exit(main(["report", "--params", sys.argv[1], "--out", sys.argv[2]]))
"""


def _driver(tmp_path: Path, out: Path, notebooks: str) -> subprocess.Popen:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(tests=str(ROOT / "tests")), encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(SAMPLE_PARAMS), str(out), notebooks],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _kill_midway(tmp_path: Path, fixture_run: Path, sig: int):
    import psutil

    out = tmp_path / "reports"
    shutil.copytree(fixture_run.parents[1], out)
    before = tree(out)
    previous_html = (out / "tacna" / "2020-09" / "situacion.html").read_bytes()
    driver = _driver(tmp_path, out, "slow")
    try:
        # both notebooks are running once their marker is in the staging folder
        _wait_for(lambda: len(list((out / "tacna").glob(".mdrm-2020-09-*.tmp/slow-started"))) >= 1, 60,
                  "the slow notebook to start")
        descendants = psutil.Process(driver.pid).children(recursive=True)
        assert descendants, "the notebooks run in child processes"
        driver.send_signal(sig)
        code = driver.wait(30)
        err = driver.stderr.read()
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    _wait_for(lambda: not [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE],
              15, "workers and kernels to end")
    return out, before, previous_html, code, err


def test_sigterm_midway_keeps_the_previous_month_and_no_temporary_file(tmp_path, fixture_run):
    out, before, previous_html, code, err = _kill_midway(tmp_path, fixture_run, signal.SIGTERM)
    assert code == 1, err
    assert "Interrumpido" in err
    assert (out / "tacna" / "2020-09" / "situacion.html").read_bytes() == previous_html
    assert tree(out) == before
    assert leftovers(out) == []


def test_sigkill_midway_keeps_the_previous_month(tmp_path, fixture_run):
    """SIGKILL: nothing can run in the killed process. The month's files are untouched (files
    arrive only by rename, at the end); its workers, told by the kernel, kill their kernels and
    remove the staging folder; a next run removes any staging folder of a dead run."""
    out, before, previous_html, code, _ = _kill_midway(tmp_path, fixture_run, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert (out / "tacna" / "2020-09" / "situacion.html").read_bytes() == previous_html
    month = out / "tacna" / "2020-09"
    assert tree(month) == {k[len("tacna/2020-09/"):]: v for k, v in before.items() if k.startswith("tacna/2020-09/")}
    _wait_for(lambda: leftovers(out) == [], 15, f"the workers to remove the staging folder: {leftovers(out)}")
    # a staging folder of a dead run (as if the workers had been killed too) goes at the next run
    stale = out / "tacna" / ".mdrm-2020-09-999999999-x.tmp"
    stale.mkdir()
    (stale / "situacion.html").write_text("a medias", encoding="utf-8")
    assert publish.remove_stale_staging(out / "tacna") == [stale]


# --------------------------------------------------------------------------- the kit's report

def test_sample_report_writes_the_six_files():
    month = sample_report()
    assert month.parent.parent.name == "sample"  # <tmp>/sample/tacna/2020-09, from a clean folder
    assert sorted(p.name for p in month.iterdir()) == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert (month / name).stat().st_size > 0, name
    assert leftovers(month.parents[1]) == []


def _numbers(metrics: dict) -> dict[str, int]:
    found = {"people_reached.total": metrics["people_reached"]["total"]}
    for group, value in metrics["people_reached"]["by_population"].items():
        found[f"people_reached.{group}"] = value
    for subgroup, figure in metrics["subgroups"].items():
        found[f"subgroups.{subgroup}.total"] = figure["total"]
    for key, value in metrics["key_figures"].items():
        found[f"key_figures.{key}"] = value
    return found


def test_situacion_shows_the_numbers_of_metrics_json():
    month = sample_report()
    metrics = json.loads((month / "metrics.json").read_text(encoding="utf-8"))
    text = html_text((month / "situacion.html").read_text(encoding="utf-8"))
    missing = {k: f"{v:,}" for k, v in _numbers(metrics).items() if not re.search(rf"(?<![\d,.]){re.escape(f'{v:,}')}(?![\d,])", text)}
    assert not missing, f"figures of metrics.json not in situacion.html: {missing}"


def test_html_shows_the_seeds_figures_in_the_seeds_formatting():
    month = sample_report()
    text = html_text((month / "situacion.html").read_text(encoding="utf-8"))
    for figure in ("2,953", "3,446", "86,348", "1,490", "2,251", "septiembre"):
        assert figure in text, figure
    assert "septiembre" in html_text((month / "destacados.html").read_text(encoding="utf-8"))


def test_sample_html_hides_code_and_loads_nothing_from_the_network():
    month = sample_report()
    for name in ("situacion.html", "destacados.html"):
        page = (month / name).read_text(encoding="utf-8")
        assert_offline_codeless(page, ["load_view(", "import mdrm", "from mdrm", "parametros ="])
        assert "<title>Tacna — septiembre de 2020</title>" in page, name


def test_tablas_xlsx_holds_every_table_of_the_report():
    from openpyxl import load_workbook

    from mdrm.tables import report_tables
    from mdrm.view import load_view

    month = sample_report()
    tables = report_tables(load_view(SAMPLE_PARAMS, month / "metrics.json"))
    book = load_workbook(month / "tablas.xlsx", read_only=True)
    assert book.sheetnames == workbook.sheet_names(tables)
    assert len(book.sheetnames) >= 5


def test_text_from_data_and_params_is_shown_as_text():
    month = hostile_report()
    situacion = (month / "situacion.html").read_text(encoding="utf-8")
    destacados = (month / "destacados.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in situacion
    assert HOSTILE_ORG in html_text(situacion)  # the reader sees the name as written
    assert "&lt;b&gt;negrita&lt;/b&gt;" in destacados
    for page in (situacion, destacados):
        assert HOSTILE_ORG not in page
        assert "<b>negrita</b>" not in page
        tags = elements(page)
        assert not [t for t, _ in tags if t == "script"], "a script element"
        assert not [a for _, a in tags if any(k.startswith("on") for k in a)], "an event-handler attribute"


def test_tablas_xlsx_keeps_text_from_data_as_text(tmp_path):
    """An organization named like a formula stays text in tablas.xlsx (no formula injection)."""
    import pandas as pd
    from openpyxl import load_workbook

    name = '=HYPERLINK("http://example.org","clic")'
    path = tmp_path / "tablas.xlsx"
    workbook.write_tables({"Quién hace qué": pd.DataFrame({"Organización": [name, "Org A"], "Filas": [1, 2]})}, path)
    sheet = load_workbook(path)["Quién hace qué"]
    assert sheet["A2"].value == name and sheet["A2"].data_type == "s"
    assert sheet["B3"].value == 2
    assert sheet.freeze_panes == "A2"
