"""`mdrm batch`: many months, one failed month does not stop the others.

The fast tests use fixture notebooks; `test_batch_of_the_sample_year` runs the
kit's real notebooks for twelve months (24 notebook runs, the slow one) with
one month's params broken, and checks both facts on that one run.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from report_runs import OUTPUTS, fixture_content, html_text

import mdrm.batch as batch
from mdrm.errors import InputError

PARAMS_DIR = ROOT / "params" / "tacna"
MONTHS = [f"2020-{m:02d}" for m in range(1, 13)]


def copy_params(target: Path, broken: dict[str, str] | None = None) -> Path:
    """A copy of params/tacna with absolute paths (relative ones would break once moved)."""
    target.mkdir(parents=True)
    region = yaml.safe_load((PARAMS_DIR / "region.yml").read_text(encoding="utf-8"))
    for key in ("datos", "organizaciones", "indicadores"):
        region[key] = str((PARAMS_DIR / region[key]).resolve())
    (target / "region.yml").write_text(yaml.safe_dump(region, allow_unicode=True), encoding="utf-8")
    for path in sorted(PARAMS_DIR.glob("2020-*.yml")):
        text = path.read_text(encoding="utf-8") + (broken or {}).get(path.stem, "")
        (target / path.name).write_text(text, encoding="utf-8")
    return target


# --------------------------------------------------------------------------- units

def test_month_files_in_order_within_the_range(tmp_path):
    folder = copy_params(tmp_path / "p")
    (folder / "notas.yml").write_text("x: 1\n", encoding="utf-8")
    assert [p.stem for p in batch.month_files(folder)] == MONTHS
    assert [p.stem for p in batch.month_files(folder, "2020-03", "2020-05")] == ["2020-03", "2020-04", "2020-05"]
    assert [p.stem for p in batch.month_files(folder, first="2020-11")] == ["2020-11", "2020-12"]
    with pytest.raises(InputError, match="--from"):
        batch.month_files(folder, "2020-3")
    with pytest.raises(InputError, match="no hay archivos de mes"):
        batch.month_files(folder, "2021-01")
    with pytest.raises(InputError, match="no existe la carpeta"):
        batch.month_files(tmp_path / "nada")


def test_exit_code_names_the_kind_of_failure():
    def outcomes(*kinds):
        return [batch.MonthOutcome("2020-01", Path("x.yml"), batch.FAILED if k else batch.OK, k) for k in kinds]

    assert batch.exit_code(outcomes("", "")) == 0
    assert batch.exit_code(outcomes("", "input")) == 2
    assert batch.exit_code(outcomes("notebook", "")) == 3
    assert batch.exit_code(outcomes("input", "notebook")) == 1
    assert batch.exit_code(outcomes("other")) == 1


def test_index_lists_every_month_on_disk_escaped(tmp_path):
    region = tmp_path / "tacna"
    for month, total in (("2020-08", 2886), ("2020-09", 2953)):
        (region / month).mkdir(parents=True)
        (region / month / "metrics.json").write_text(json.dumps(
            {"region": "Tacna <b>", "month": month, "people_reached": {"total": total}}), encoding="utf-8")
        (region / month / "situacion.html").write_text("x", encoding="utf-8")
    (region / "notas").mkdir()
    path = batch.refresh_index(region)
    page = path.read_text(encoding="utf-8")
    assert "<title>Tacna &lt;b&gt; — reportes de situación</title>" in page
    assert page.index("septiembre de 2020") < page.index("agosto de 2020")  # newest first
    text = html_text(page)
    assert "2,953" in text and "2,886" in text
    assert 'href="2020-09/situacion.html"' in page
    assert 'href="2020-09/destacados.html"' not in page  # only files that exist
    assert "<script" not in page and "http" not in page
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others: a page to share


# --------------------------------------------------------------------------- fixture notebooks

def test_batch_on_fixture_notebooks_goes_on_after_failed_months(tmp_path):
    params = copy_params(tmp_path / "p" / "tacna", broken={"2020-08": "base_personas: semanal\n"})
    out = tmp_path / "reports"
    outcomes = batch.run_batch(params, out, first="2020-07", last="2020-10", jobs=2,
                               content=fixture_content("minimal", "fails_in_september"), progress=False)
    assert [(o.month, o.status, o.kind) for o in outcomes] == [
        ("2020-07", "ok", ""), ("2020-08", "error", "input"), ("2020-09", "error", "notebook"),
        ("2020-10", "ok", "")]
    assert "base_personas" in outcomes[1].error
    assert "fails_in_september.ipynb" in outcomes[2].error and "falla a propósito" in outcomes[2].error
    assert outcomes[3].headline > 0
    for month in ("2020-07", "2020-10"):
        assert sorted(p.name for p in (out / "tacna" / month).iterdir()) == sorted(OUTPUTS)
    assert sorted(p.name for p in (out / "tacna").iterdir()) == ["2020-07", "2020-10", "index.html"]
    assert batch.exit_code(outcomes) == 1
    text = batch.summary(outcomes)
    assert "2 de 4 meses escritos" in text and re.search(r"2020-08 +ERROR .*base_personas", text)
    assert re.search(r"2020-09 +ERROR .*falla a propósito", text)


# --------------------------------------------------------------------------- the kit's notebooks

def test_batch_of_the_sample_year(tmp_path):
    params = copy_params(tmp_path / "params" / "tacna", broken={"2020-05": "comentario: clave que no existe\n"})
    out = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-m", "mdrm", "batch", "--params-dir", str(params), "--jobs", "2",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    written = [m for m in MONTHS if m != "2020-05"]
    # every other month is written, whole
    region = out / "tacna"
    for month in written:
        assert sorted(p.name for p in (region / month).iterdir()) == sorted(OUTPUTS), (month, done.stderr)
    assert not (region / "2020-05").exists()
    assert not [p for p in region.iterdir() if p.name.startswith(".")], "temporary files left"
    # the summary names the broken month, the exit code is not 0
    assert done.returncode == 2, done.stderr
    assert re.search(r"2020-05 +ERROR .*clave desconocida «comentario»", done.stdout), done.stdout
    assert "11 de 12 meses escritos" in done.stdout
    assert "12/12" in done.stderr  # the progress bar reached the end
    # the index links every written month with its headline figure
    index = (region / "index.html").read_text(encoding="utf-8")
    text = html_text(index)
    for month in written:
        total = json.loads((region / month / "metrics.json").read_text(encoding="utf-8"))["people_reached"]["total"]
        assert f'href="{month}/situacion.html"' in index and f'href="{month}/destacados.html"' in index
        assert f"{total:,}" in text, month
    assert 'href="2020-05/' not in index


def test_index_marks_sample_months(tmp_path):
    region = tmp_path / "tacna"
    for month, sample in (("2020-08", True), ("2020-09", False)):
        (region / month).mkdir(parents=True)
        (region / month / "metrics.json").write_text(json.dumps(
            {"region": "Tacna", "month": month, "people_reached": {"total": 5}, "sample": sample}),
            encoding="utf-8")
    text = html_text(batch.refresh_index(region).read_text(encoding="utf-8"))
    assert "agosto de 2020 datos de ejemplo" in text
    assert "septiembre de 2020 datos de ejemplo" not in text
    assert "1 de 2 meses hechos con los datos de ejemplo" in text


def test_sample_and_real_data_never_share_an_index(tmp_path):
    """params/tacna (sample) and params/tacna21 (the same file taken as real data) -> two folders."""
    real_data = tmp_path / "datos" / "5w_tacna.xlsx"
    real_data.parent.mkdir()
    real_data.write_bytes((ROOT / "data" / "ejemplo" / "5w_tacna_2020.xlsx").read_bytes())
    sample = copy_params(tmp_path / "p" / "tacna")
    real = copy_params(tmp_path / "p" / "tacna21")
    region = yaml.safe_load((real / "region.yml").read_text(encoding="utf-8"))
    region["datos"] = str(real_data)
    (real / "region.yml").write_text(yaml.safe_dump(region, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "reports"
    for folder in (sample, real):
        outcomes = batch.run_batch(folder, out, first="2020-09", last="2020-09", jobs=1,
                                   content=fixture_content("minimal"), progress=False)
        assert [o.status for o in outcomes] == ["ok"]
    assert sorted(p.name for p in out.iterdir()) == ["tacna", "tacna21"]
    assert json.loads((out / "tacna" / "2020-09" / "metrics.json").read_text(encoding="utf-8"))["sample"] is True
    assert json.loads((out / "tacna21" / "2020-09" / "metrics.json").read_text(encoding="utf-8"))["sample"] is False
    assert "datos de ejemplo" in html_text((out / "tacna" / "index.html").read_text(encoding="utf-8"))
    assert "datos de ejemplo" not in html_text((out / "tacna21" / "index.html").read_text(encoding="utf-8"))
