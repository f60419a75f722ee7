"""Hostile input, round 3 (issue 21), the running and publishing side: a month is published whole
or not at all, `report` and `batch` agree on the month, a reader's crash loses one month of a
batch only, every drawing runs under `--timeout`, no live formula on any line of a cell, capped
per-organization file names, and no bidi control reversing shown text.

Each hostile input is built in the test; where a run fails, the previous files are compared byte
for byte. No wall-clock assert: a runaway is bounded by a generous subprocess timeout.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, rows_frame
from report_runs import OUTPUTS, fixture_content
from test_hostile import good_rows, write_params  # the same hand-made month as the earlier rounds

from mdrm import publish

PY = sys.executable


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too), by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


DRIVER = """
import os, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import mdrm.load, mdrm.report
from report_runs import fixture_content
mdrm.report.Content.default = classmethod(lambda cls: fixture_content({situacion!r}, "minimal"))
real_read = mdrm.load.read_5w
def read_5w(path, *args, **kwargs):  # a workbook named roto.xlsx aborts the reader, as calamine did
    if Path(path).name == "roto.xlsx":
        os.abort()
    return real_read(path, *args, **kwargs)
mdrm.load.read_5w = read_5w
from mdrm.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _driver(situacion: str = "minimal") -> list[str]:
    return [PY, "-c", DRIVER.format(tests=str(ROOT / "tests"), situacion=situacion)]


def mdrm_fixture(*args: str, timeout: float = 300, situacion: str = "minimal") -> subprocess.CompletedProcess:
    """The `mdrm` command with the fixture notebooks (fast), in a child process."""
    return subprocess.run([*_driver(situacion), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------- 1. publishing whole or nothing

def _staged(tmp_path: Path, names: tuple[str, ...], text: str) -> publish.Staging:
    staging = publish.Staging(tmp_path / "out" / "tacna", "2020-09")
    for name in names:
        (staging.path / name).write_text(f"{text} {name}", encoding="utf-8")
    return staging


NAMES = ("a.html", "b.html", "c.ipynb", "d.ipynb", "metrics.json", "tablero.pdf", "tablero.png", "tablas.xlsx")


def test_a_rename_failing_on_the_fifth_file_leaves_the_previous_month_byte_identical(tmp_path, monkeypatch):
    _staged(tmp_path, NAMES, "enero").commit(NAMES)
    month = tmp_path / "out" / "tacna" / "2020-09"
    before = snapshot(month)
    assert before["metrics.json"] == b"enero metrics.json"
    real, calls = publish._replace, []

    def fails_on_the_fifth(source, target):
        calls.append(target)
        if len(calls) == 5:
            raise PermissionError(1, "Operation not permitted", str(target))
        real(source, target)

    monkeypatch.setattr(publish, "_replace", fails_on_the_fifth)
    staging = _staged(tmp_path, NAMES, "febrero")
    with pytest.raises(publish.PublishError) as caught:
        staging.commit(NAMES)
    assert len(calls) == 5  # four files were renamed in, then put back
    assert snapshot(month) == before
    message = str(caught.value)
    assert "no se reemplazó ningún archivo" in message and "operación no permitida" in message
    assert "metrics.json" in message  # the fifth file, the one that stopped it
    staging.discard()
    assert [p.name for p in month.parent.iterdir()] == ["2020-09"]  # no staging folder left


def test_a_new_file_is_removed_again_when_a_later_one_fails(tmp_path, monkeypatch):
    old = NAMES[:3]
    _staged(tmp_path, old, "enero").commit(old)  # a month published with three files only
    month = tmp_path / "out" / "tacna" / "2020-09"
    before = snapshot(month)
    real = publish._replace

    def fails_on_the_last(source, target):
        if Path(target).name == NAMES[-1]:
            raise OSError(5, "Input/output error", str(target))
        real(source, target)

    monkeypatch.setattr(publish, "_replace", fails_on_the_last)
    with pytest.raises(publish.PublishError, match="error de lectura o escritura"):
        _staged(tmp_path, NAMES, "febrero").commit(NAMES)
    assert snapshot(month) == before  # d.ipynb … tablero.png, new in this run, are gone again


def test_a_folder_in_place_of_a_file_is_found_before_the_first_rename(tmp_path, monkeypatch):
    _staged(tmp_path, NAMES, "enero").commit(NAMES)
    month = tmp_path / "out" / "tacna" / "2020-09"
    (month / "tablero.png").unlink()
    (month / "tablero.png").mkdir()  # what a program holding the file, or chattr +i, amounts to
    before = snapshot(month)
    renames = []
    monkeypatch.setattr(publish, "_replace", lambda s, t: renames.append(t))
    with pytest.raises(publish.PublishError, match="es una carpeta, no un archivo"):
        _staged(tmp_path, NAMES, "febrero").commit(NAMES)
    assert renames == [] and snapshot(month) == before and (month / "tablero.png").is_dir()


def test_a_file_that_cannot_be_written_is_found_before_the_first_rename(tmp_path, monkeypatch):
    """An immutable file (chattr +i) or one locked by another program cannot be opened for writing."""
    _staged(tmp_path, NAMES, "enero").commit(NAMES)
    month = tmp_path / "out" / "tacna" / "2020-09"
    before = snapshot(month)
    locked = str(month / "metrics.json")
    real_open = os.open

    def immutable(path, flags, *args, **kwargs):
        if str(path) == locked and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(1, "Operation not permitted", locked)
        return real_open(path, flags, *args, **kwargs)

    renames = []
    monkeypatch.setattr(publish.os, "open", immutable)
    monkeypatch.setattr(publish, "_replace", lambda s, t: renames.append(t))
    with pytest.raises(publish.PublishError, match="metrics.json"):
        _staged(tmp_path, NAMES, "febrero").commit(NAMES)
    assert renames == [] and snapshot(month) == before


def test_report_that_cannot_publish_exits_1_and_keeps_the_previous_month(tmp_path):
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    params = write_params(tmp_path / "tacna" / "2020-09.yml", data)
    out = tmp_path / "out"
    first = mdrm_fixture("report", "--params", str(params), "--out", str(out))
    assert first.returncode == 0, first.stderr
    month = out / "tacna" / "2020-09"
    assert sorted(p.name for p in month.iterdir()) == sorted(OUTPUTS)
    rows_frame(good_rows(quantity=20, total_monthly=20)).to_csv(data, index=False)  # other figures
    (month / "tablero.png").unlink()
    (month / "tablero.png").mkdir()
    before = snapshot(month)
    done = mdrm_fixture("report", "--params", str(params), "--out", str(out))
    assert done.returncode == 1, done.stderr  # README: 1 for what is not bad input nor a notebook
    assert "no se reemplazó ningún archivo" in done.stderr and "tablero.png" in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(month) == before
    assert [p.name for p in (out / "tacna").iterdir() if p.name.startswith(".")] == []


def _chattr(flag: str, path: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(path)], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def test_report_over_an_immutable_file_keeps_the_previous_month(tmp_path):
    """The issue's case as it was met: `chattr +i` on one published file (needs root and a file
    system with attributes; skipped elsewhere, where the folder-in-place test above stands in)."""
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    params = write_params(tmp_path / "tacna" / "2020-09.yml", data)
    out = tmp_path / "out"
    assert mdrm_fixture("report", "--params", str(params), "--out", str(out)).returncode == 0
    month = out / "tacna" / "2020-09"
    locked = month / "tablero.pdf"  # the fifth of the eight files published
    if not _chattr("+i", locked):
        pytest.skip("chattr +i no está disponible aquí")
    try:
        rows_frame(good_rows(quantity=20, total_monthly=20)).to_csv(data, index=False)
        before = snapshot(month)
        done = mdrm_fixture("report", "--params", str(params), "--out", str(out))
    finally:
        _chattr("-i", locked)
    assert done.returncode == 1, done.stderr
    assert "operación no permitida: «" in done.stderr and "tablero.pdf" in done.stderr
    assert "no se reemplazó ningún archivo" in done.stderr
    assert snapshot(month) == before  # metrics.json still says 10 people in September, not 20


# --------------------------------------------------------------------------- 2. the file's month and «mes»

def test_report_refuses_a_params_file_whose_mes_is_another_month(tmp_path):
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    august = write_params(tmp_path / "tacna" / "2020-08.yml", data)
    out = tmp_path / "out"
    first = mdrm_fixture("report", "--params", str(august), "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    # August's file now says September (a copy of August's file edited for September, not renamed)
    august.write_text(august.read_text(encoding="utf-8").replace("2020-08", "2020-09"), encoding="utf-8")
    assert "mes: 2020-09" in august.read_text(encoding="utf-8")
    done = mdrm_fixture("report", "--params", str(august), "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert "2020-08.yml" in done.stderr and "«mes» es 2020-09" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(out) == before and not (out / "tacna" / "2020-09").exists()


def test_a_params_file_not_named_after_a_month_is_not_checked(tmp_path):
    from mdrm.report import check_month_name

    check_month_name(tmp_path / "septiembre.yml", "2020-09")  # no month in the name: nothing to compare
    check_month_name(tmp_path / "2020-09.yml", "2020-09")
    with pytest.raises(Exception, match="2020-10.yaml pero su clave «mes» es 2020-09"):
        check_month_name(tmp_path / "2020-10.yaml", "2020-09")


# --------------------------------------------------------------------------- 3. a reader's crash, a long batch, SIGTERM

def _aborts_on(name: str, monkeypatch) -> None:
    """The 5W reader dies like calamine on a hostile file (a Rust abort: SIGABRT, exit 134) for `name`."""
    import mdrm.load

    real = mdrm.load.read_5w

    def read_5w(path, *args, **kwargs):
        if Path(path).name == name:
            os.abort()
        return real(path, *args, **kwargs)

    monkeypatch.setattr(mdrm.load, "read_5w", read_5w)


def test_a_reader_that_aborts_is_an_input_error_naming_the_file(tmp_path, monkeypatch):
    from mdrm.errors import InputError
    from mdrm.isolate import read_in_child
    from mdrm.load import read_5w

    book = tmp_path / "roto.xlsx"
    rows_frame(good_rows()).to_excel(book, index=False)
    _aborts_on("roto.xlsx", monkeypatch)
    import mdrm.load

    with pytest.raises(InputError) as caught:
        read_in_child(book, mdrm.load.read_5w, book)  # the patched reader: it aborts in the child
    assert "roto.xlsx" in str(caught.value) and "SIGABRT" in str(caught.value)
    assert "guárdelo de nuevo como .xlsx" in str(caught.value)
    # a good book comes back whole: 2 rows of 10 people (hand-made above)
    good = tmp_path / "bien.xlsx"
    rows_frame(good_rows()).to_excel(good, index=False)
    fivew = read_in_child(good, read_5w, good)
    assert fivew.data["total_monthly"].tolist() == [10, 10] and fivew.source.path == good
    # the kit's own error comes back as it was raised (file, sheet, message)
    with pytest.raises(InputError, match="hoja «Hoja inexistente»: la hoja indicada no existe") as caught:
        read_in_child(good, read_5w, good, "Hoja inexistente")
    assert caught.value.file is not None and Path(caught.value.file).name == "bien.xlsx"


def test_a_batch_survives_a_month_whose_reader_aborts(tmp_path, monkeypatch):
    from mdrm import batch

    folder = three_month_params(tmp_path)
    bad = tmp_path / "roto.xlsx"
    rows_frame(good_rows()).to_excel(bad, index=False)
    write_params(folder / "2020-09.yml", bad)  # September reads its own (hostile) workbook
    _aborts_on("roto.xlsx", monkeypatch)
    out = tmp_path / "out"
    outcomes = batch.run_batch(folder, out, jobs=1, progress=False, content=fixture_content("minimal", "minimal"))
    assert [(o.month, o.status, o.kind) for o in outcomes] == [
        ("2020-08", "ok", ""), ("2020-09", "error", "input"), ("2020-10", "ok", "")]
    assert "roto.xlsx" in outcomes[1].error and "SIGABRT" in outcomes[1].error
    assert batch.exit_code(outcomes) == 2
    text = batch.summary(outcomes)
    assert text.startswith("Resumen: 2 de 3 meses escritos, 1 con error.") and "2020-09  ERROR" in text
    index = (out / "p" / "index.html").read_text(encoding="utf-8")
    assert 'href="2020-08/situacion.html"' in index and 'href="2020-10/situacion.html"' in index
    assert not (out / "p" / "2020-09").exists()


def test_batch_command_with_a_month_whose_reader_aborts_writes_the_others(tmp_path):
    folder = three_month_params(tmp_path)
    bad = tmp_path / "roto.xlsx"
    rows_frame(good_rows()).to_excel(bad, index=False)
    write_params(folder / "2020-09.yml", bad)
    out = tmp_path / "out"
    done = mdrm_fixture("batch", "--params-dir", str(folder), "--out", str(out), "--jobs", "1")
    assert done.returncode == 2, done.stderr  # README: every failure was bad input
    assert re.search(r"^Resumen: 2 de 3 meses escritos en \d+ s, 1 con error\.$", done.stdout, re.M)
    # August: its row of 10 people and Org B's row of 10 moved to August (three_month_params) = 20
    assert re.search(r"^  2020-08  escrito  20 personas alcanzadas", done.stdout, re.M)
    assert "2020-09  ERROR    (2020-09.yml)" in done.stdout and "roto.xlsx" in done.stdout
    assert f"Índice: {out / 'p' / 'index.html'}" in done.stdout
    for english in ("Traceback", "Fatal Python error", "panicked", "Aborted"):
        assert english not in done.stderr + done.stdout
    assert sorted(p.name for p in (out / "p").iterdir()) == ["2020-08", "2020-10", "index.html"]


def _quoted_far_cell_book(path: Path) -> Path:
    """A workbook with a value in XFD1048576 whose reference is written r='…' (single quotes,
    valid XML): calamine allocates the whole area up to it and aborts (exit 134) under 3 GB."""
    import zipfile

    import openpyxl

    plain = path.with_name("plana.xlsx")
    rows_frame(good_rows()).to_excel(plain, index=False, sheet_name="5W")
    book = openpyxl.load_workbook(plain)
    book["5W"]["XFD1048576"] = 7
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b'r="XFD1048576"', b"r='XFD1048576'")
            target.writestr(item, data)
    plain.unlink()
    return path


def _cap_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # the probe's 3 GB of address space


def test_a_batch_under_3_gb_survives_a_real_reader_abort(tmp_path):
    """No patch: the real reader on a real hostile book. Whether the far-cell check names the cell
    or the reader dies in its child process, the month is exit-2 bad input naming the file."""
    folder = three_month_params(tmp_path)
    write_params(folder / "2020-09.yml", _quoted_far_cell_book(tmp_path / "comillas.xlsx"))
    out = tmp_path / "out"
    done = subprocess.run([*_driver(), "batch", "--params-dir", str(folder), "--out", str(out), "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, preexec_fn=_cap_memory)
    assert done.returncode == 2, done.stderr
    assert re.search(r"^  2020-09  ERROR    \(2020-09\.yml\) archivo «comillas\.xlsx»", done.stdout, re.M)
    for english in ("Traceback", "panicked", "memory allocation", "Aborted"):
        assert english not in done.stderr + done.stdout
    assert sorted(p.name for p in (out / "p").iterdir()) == ["2020-08", "2020-10", "index.html"]


@pytest.mark.parametrize("command", ["metrics", "init", "actividades", "validate"])
def test_every_command_that_reads_a_workbook_survives_a_real_reader_abort(tmp_path, command):
    book = _quoted_far_cell_book(tmp_path / "comillas.xlsx")
    params = write_params(tmp_path / "p" / "2020-09.yml", book)
    args = {"metrics": ["--params", str(params)],
            "init": ["--datos", str(book), "--pais", "Perú", "--region", "Tacna", "--dir", str(tmp_path / "nueva")],
            "actividades": ["--params", str(params)],
            "validate": [str(book)]}[command]
    done = subprocess.run([PY, "-m", "mdrm", command, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, preexec_fn=_cap_memory)
    assert done.returncode == 2, (done.returncode, done.stderr)  # never 134
    assert "archivo «comillas.xlsx»" in done.stderr
    for english in ("Traceback", "panicked", "memory allocation"):
        assert english not in done.stderr
    assert not (tmp_path / "nueva").exists()


def test_sigterm_in_a_batch_names_the_months_written_and_refreshes_the_index(tmp_path):
    import signal
    import time

    folder = three_month_params(tmp_path)
    out = tmp_path / "out"
    region = out / "p"
    # September's kernel stops itself (SIGSTOP): the batch is surely running when SIGTERM comes
    run = subprocess.Popen([*_driver("stops_in_september"), "batch", "--params-dir", str(folder), "--out", str(out),
                            "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):  # a bound on a runaway, not a speed check
            if (region / "2020-08" / "metrics.json").exists() and \
                    any(p.name.startswith(".mdrm-2020-09") for p in region.iterdir()):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("agosto no se publicó")
        time.sleep(1)  # September's notebook has started (and stopped itself)
        run.send_signal(signal.SIGTERM)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1, stderr
    assert "Interrumpido (señal SIGTERM)" in stderr
    assert "Meses escritos antes de la interrupción (1): 2020-08." in stderr
    assert "Sin escribir (2; conservan sus archivos anteriores): 2020-09, 2020-10." in stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in region.iterdir()) == ["2020-08", "index.html"]  # no staging folder left
    assert 'href="2020-08/situacion.html"' in (region / "index.html").read_text(encoding="utf-8")


def test_report_whose_reader_aborts_is_exit_2_with_nothing_written(tmp_path, monkeypatch):
    from mdrm.cli import EXIT_INPUT, main

    bad = tmp_path / "roto.xlsx"
    rows_frame(good_rows()).to_excel(bad, index=False)
    params = write_params(tmp_path / "p" / "2020-09.yml", bad)
    _aborts_on("roto.xlsx", monkeypatch)
    import mdrm.report

    monkeypatch.setattr(mdrm.report.Content, "default", classmethod(lambda cls: fixture_content("minimal")))
    assert main(["report", "--params", str(params), "--out", str(tmp_path / "out")]) == EXIT_INPUT
    assert not (tmp_path / "out" / "p" / "2020-09").exists()


def three_month_params(tmp_path, months=("2020-08", "2020-09", "2020-10")):
    """A params folder of a few months on one good 5W."""
    data = tmp_path / "5w.csv"
    rows_frame(good_rows() + [{**good_rows()[0], "month": m} for m in months if m != "2020-09"]).to_csv(
        data, index=False)
    folder = tmp_path / "p"
    for month in months:
        write_params(folder / f"{month}.yml", data)
    return folder


def test_a_batch_stages_only_a_few_months_ahead_of_its_workers(tmp_path, monkeypatch):
    from mdrm import batch

    months = [f"2020-{m:02d}" for m in range(3, 11)]  # eight months, one worker
    folder = three_month_params(tmp_path, months)
    region = tmp_path / "out" / "p"
    staged, real_prepare = [], batch.prepare

    def prepare(path, *args, **kwargs):  # how many months are staged when the next one is prepared
        staged.append(len([p for p in region.iterdir() if p.name.startswith(".mdrm-")]) if region.is_dir() else 0)
        return real_prepare(path, *args, **kwargs)

    monkeypatch.setattr(batch, "prepare", prepare)
    outcomes = batch.run_batch(folder, tmp_path / "out", jobs=1, progress=False,
                               content=fixture_content("minimal", "minimal"))
    assert [o.status for o in outcomes] == ["ok"] * 8
    assert len(staged) == 8 and max(staged) <= 1 + batch.STAGED_AHEAD  # one worker + 2 ahead, never 7


def test_a_batch_interrupted_refreshes_the_index_and_says_which_months_were_written(tmp_path, monkeypatch, capsys):
    from mdrm import batch
    from mdrm.cli import EXIT_OTHER, main

    folder = three_month_params(tmp_path)
    out = tmp_path / "out"
    (out / "p").mkdir(parents=True)
    (out / "p" / "index.html").write_text("<p>índice viejo</p>", encoding="utf-8")
    real_commit, commits = batch.commit_logged, []

    def commit_then_sigterm(staging, names, plan):  # SIGTERM arrives as the second month is published
        commits.append(plan.params.month)
        if len(commits) == 2:
            raise KeyboardInterrupt("señal SIGTERM")
        real_commit(staging, names, plan)

    monkeypatch.setattr(batch, "commit_logged", commit_then_sigterm)
    monkeypatch.setattr(batch.Content, "default", classmethod(lambda cls: fixture_content("minimal")))
    code = main(["batch", "--params-dir", str(folder), "--out", str(out), "--jobs", "1"])
    assert code == EXIT_OTHER
    err = capsys.readouterr().err
    assert "Interrumpido (señal SIGTERM)" in err
    assert "Meses escritos antes de la interrupción (1): 2020-08." in err
    assert "Sin escribir (2; conservan sus archivos anteriores): 2020-09, 2020-10." in err
    assert f"Índice actualizado: {out / 'p' / 'index.html'}" in err
    index = (out / "p" / "index.html").read_text(encoding="utf-8")
    assert "índice viejo" not in index and 'href="2020-08/situacion.html"' in index
    assert sorted(p.name for p in (out / "p").iterdir()) == ["2020-08", "index.html"]




def test_validate_of_a_workbook_whose_reader_aborts_is_exit_2(tmp_path, monkeypatch, capsys):
    from mdrm.cli import main

    bad = tmp_path / "roto.xlsx"
    rows_frame(good_rows()).to_excel(bad, index=False)
    _aborts_on("roto.xlsx", monkeypatch)
    import mdrm.load
    import mdrm.validate

    monkeypatch.setattr(mdrm.validate, "read_5w", mdrm.load.read_5w)  # validate's own name: the aborting one
    folder = tmp_path / "socios"
    assert main(["validate", str(bad), "--por-organizacion", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "archivo «roto.xlsx»" in err and "SIGABRT" in err and not folder.exists()


# --------------------------------------------------------------------------- 4. drawing and rendering under --timeout

def endless_drawing(view, folder):
    """A tablero whose drawing never ends (what a quadratic word wrap on a 15,000-character word was)."""
    while True:
        pass


def _tiny_notebook(path: Path, code: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_time_limit_stops_a_busy_block_with_a_spanish_message():
    from mdrm.errors import NotebookError
    from mdrm.execute import time_limit

    with pytest.raises(NotebookError) as caught:
        with time_limit(1, "el tablero (Tacna — septiembre de 2020)"):
            while True:
                pass
    assert str(caught.value).startswith("el tablero (Tacna — septiembre de 2020) superó el tiempo límite de 1 s de cálculo")
    assert "--timeout" in str(caught.value)
    with time_limit(30, "nada"):  # a block that ends in time is left alone, and the alarm is off after it
        total = sum(range(1000))
    assert total == 499500


def test_the_tablero_runs_under_the_timeout_and_names_the_month(tmp_path):
    from mdrm.execute import Task, run_task
    from mdrm.report import MONTH_FILE, callable_name, prepare
    from mdrm.view import save_month

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    plan = prepare(write_params(tmp_path / "p" / "2020-09.yml", data), tmp_path / "out", fixture_content("minimal"))
    plan.view.compute_all()
    staging = tmp_path / "staging"
    staging.mkdir()
    save_month(plan.view, staging / MONTH_FILE)
    task = Task(key="2020-09/tablero", source="", parameters={"mes": str(staging / MONTH_FILE)}, cwd="",
                staging=str(staging), ipynb="", html="", title=plan.title, published={}, published_ipynb="",
                call=callable_name(endless_drawing), timeout=2)
    result = run_task(task)
    assert not result.ok and result.kind == "notebook"  # exit 3, like a notebook cell past the timeout
    assert result.error.startswith("el tablero (Tacna — septiembre de 2020) superó el tiempo límite de 2 s de cálculo")


def test_the_html_page_runs_under_the_timeout(tmp_path, monkeypatch):
    import mdrm.render
    from mdrm.execute import Task, run_task

    def endless_page(nb, title):
        while True:
            pass

    monkeypatch.setattr(mdrm.render, "notebook_to_html", endless_page)
    source = _tiny_notebook(tmp_path / "corto.ipynb", "y = x + 1")
    task = Task(key="2020-09/corto", source=str(source), parameters={"x": 1}, cwd=str(tmp_path),
                staging=str(tmp_path), ipynb="corto.ipynb", html="corto.html", title="Tacna — septiembre de 2020",
                published={"x": 1}, published_ipynb=str(tmp_path / "corto.ipynb"), timeout=3)
    result = run_task(task)
    assert not result.ok and result.kind == "notebook"
    assert result.error.startswith("la página HTML de «corto.ipynb» (Tacna — septiembre de 2020) superó el "
                                   "tiempo límite de 3 s de cálculo")
    assert not (tmp_path / "corto.html").exists()


def test_a_dead_kernel_is_told_in_spanish(tmp_path):
    from mdrm.errors import NotebookError
    from mdrm.execute import run_notebook

    source = _tiny_notebook(tmp_path / "muere.ipynb", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    with pytest.raises(NotebookError) as caught:
        run_notebook(source, {"x": 1}, cwd=tmp_path, timeout=120)
    message = str(caught.value)
    assert message.startswith("el kernel del cuaderno «muere.ipynb» murió durante la ejecución"), message
    assert "DeadKernelError" not in message and "Kernel died" not in message


# --------------------------------------------------------------------------- 5. every line of a cell

def test_every_line_of_a_cell_is_neutralized_and_one_rule_serves_csv_and_xlsx():
    from mdrm.iorw import neutralize

    assert neutralize("Traslado\r=1+1") == "Traslado\r'=1+1"
    assert neutralize("Traslado\n+SUM(1)") == "Traslado\n'+SUM(1)"
    assert neutralize("=a\r\n-b\n@c") == "'=a\r\n'-b\n'@c"
    assert neutralize("a\n\t=1") == "a\n'\t=1"
    assert neutralize("a\n\uff1d1") == "a\n'\uff1d1"  # full-width «=»
    for harmless in ("dos\nlíneas", "a\n b", "a\n", "precio: 5 - 3", 12, None):
        assert neutralize(harmless) == harmless


def _exploration_with(tmp_path, month_params, text: str):
    """The exploration of a good 5W whose organization name, as the writer gets it, is `text`."""
    from mdrm import explore

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    ex = explore.load_exploration(month_params(data))
    ex.rows["appealing_org"] = text  # whatever reading makes of it, the writer must make it inert
    return explore, ex


def test_exploration_csv_quotes_a_cr_and_no_line_starts_a_formula(tmp_path, month_params):
    import csv
    import re

    import openpyxl

    from mdrm.iorw import FORMULA_START

    explore, ex = _exploration_with(tmp_path, month_params, "Traslado\r=1+1")
    csv_path, xlsx_path = explore.export_rows(ex, explore.Selection(), tmp_path / "exploracion")
    text = csv_path.read_bytes().decode("utf-8-sig")
    # a reader that breaks rows at every CR or LF: no row starts with a formula
    for line in re.split(r"\r\n|\r|\n", text):
        assert not line.startswith(FORMULA_START), repr(line)
    assert '"Traslado\r\'=1+1"' in text  # quoted: a CSV reader keeps the cell whole
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    assert len(records) == 1 + len(ex.rows)  # the header and the region's rows: none split in two
    column = records[0].index("Socio principal Nombre")
    assert {r[column] for r in records[1:]} == {"Traslado\r'=1+1"}
    book = openpyxl.load_workbook(xlsx_path)
    sheet = book["Filas"]
    names = [c.value for c in sheet[openpyxl.utils.get_column_letter(column + 1)][1:]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert set(names) == {"Traslado\n'=1+1"}  # the same rule as the CSV (XML reads a CR back as LF)


def test_a_leading_formula_in_an_xlsx_cell_is_text_with_a_quote_prefix(tmp_path):
    import openpyxl

    from mdrm.iorw import xlsx_text_only

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"], sheet["A3"] = "=1+1\n=2+2", "ok\n@SUM(1)", "dos\nlíneas"
    assert sheet["A1"].data_type == "f"  # what openpyxl makes of it
    xlsx_text_only(sheet)
    book.save(tmp_path / "x.xlsx")
    again = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [again[c].value for c in ("A1", "A2", "A3")] == ["=1+1\n'=2+2", "ok\n'@SUM(1)", "dos\nlíneas"]
    assert again["A1"].data_type == "s" and again["A1"].quotePrefix and not again["A3"].quotePrefix


# --------------------------------------------------------------------------- 6. per-organization files

VALIDATE_CLEAN = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10}


def _partners_with_issues(names: list[str]) -> list[dict]:
    """One row per partner, each with a Q02 (women 3 of 10 people in a «mujeres» split that does not add up)."""
    return [{**VALIDATE_CLEAN, "activity_name": f"Actividad {i}", "appealing_org": name, "mujeres": 3}
            for i, name in enumerate(names, 1)]


def test_a_313_character_organization_gets_a_capped_unique_file_name(five_w, tmp_path, capsys):
    from mdrm.cli import main
    from mdrm.validate import FILE_NAME_LENGTH, organization_file_names

    long_name = "Asociación " + "muy " * 74 + "largas"  # 11 + 4 × 74 + 6 = 313 characters
    assert len(long_name) == 313
    twin = long_name[:-5] + "corta"  # the same first 80 characters
    names = [f"Socio {n:02d}" for n in range(1, 17)] + [long_name, twin]
    data = five_w(_partners_with_issues(names))
    folder = tmp_path / "socios"
    assert main(["validate", str(data), "--por-organizacion", str(folder)]) == 0
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 18 and all(len(f) <= FILE_NAME_LENGTH for f in files)
    assert "asociacion-muy-muy" in files[0] and files[0] != files[1]
    assert "Escritos 18 archivos" in capsys.readouterr().out
    # the rule on its own: cut at 80 with «.xlsx», «-2» for the second of the same cut, unique
    given = organization_file_names([long_name, twin, "Socio"])
    # slug «asociacion-» (11) + «muy-» × 16 = 75 characters, its last «-» dropped: 74 + «.xlsx» = 79;
    # the twin: 73 characters («…muy-mu») + «-2» + «.xlsx» = 80; «socio.xlsx» = 10
    assert [len(n) for n in given.values()] == [79, 80, 10]
    assert given[twin].endswith("-2.xlsx") and given[long_name][:70] == given[twin][:70]


def test_per_organization_files_are_written_all_or_none(five_w, tmp_path, monkeypatch):
    from mdrm import publish
    from mdrm.cli import main

    data = five_w(_partners_with_issues([f"Socio {n:02d}" for n in range(1, 18)]))
    folder = tmp_path / "socios"
    folder.mkdir()
    (folder / "socio-03.xlsx").write_bytes(b"el archivo que el socio ya tiene")
    before = snapshot(folder)
    real, calls = publish._replace, []

    def fails_on_the_tenth(source, target):
        calls.append(target)
        if len(calls) == 10:
            raise OSError(36, "File name too long", str(target))
        real(source, target)

    monkeypatch.setattr(publish, "_replace", fails_on_the_tenth)
    code = main(["validate", str(data), "--por-organizacion", str(folder)])
    assert code == 2  # README: a name too long is exit 2
    assert snapshot(folder) == before  # nine files renamed in, then removed; the previous one back
    assert [p.name for p in folder.iterdir()] == ["socio-03.xlsx"]  # no staging folder left


def test_per_organization_files_in_a_new_folder_leave_no_folder_on_failure(five_w, tmp_path, monkeypatch):
    from mdrm import publish
    from mdrm.cli import main

    data = five_w(_partners_with_issues(["Socio A", "Socio B"]))
    folder = tmp_path / "nuevo" / "socios"

    def fails(source, target):
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(publish, "_replace", fails)
    assert main(["validate", str(data), "--por-organizacion", str(folder)]) == 1
    assert not (tmp_path / "nuevo").exists()


def test_a_kernel_that_dies_while_starting_is_told_in_spanish_too():
    from mdrm.execute import _dead_kernel_error

    started = _dead_kernel_error(RuntimeError("Kernel died before replying to kernel_info"), "situacion.ipynb")
    assert str(started).startswith("el kernel del cuaderno «situacion.ipynb» murió al arrancar")
    assert "Kernel died" not in str(started)
    assert _dead_kernel_error(ValueError("otra cosa"), "situacion.ipynb") is None


# --------------------------------------------------------------------------- 7. no bidi override in shown text

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: a browser shows what follows backwards


def test_html_text_loses_its_bidi_controls():
    from markupsafe import Markup

    from mdrm import html
    from mdrm.bidi import shown
    from mdrm.templating import environment

    assert shown(f"Tacna {RLO}anul\u2066x\u2069\u200f") == "Tacna anulx"
    assert shown("Cáritas – «Perú»\u200f") == "Cáritas – «Perú»" and shown("ñandú") == "ñandú"
    page = html.highlights([f"Se asistió a {RLO}159 personas<b>"])
    assert RLO not in page and "Se asistió a 159 personas&lt;b&gt;" in page
    assert "<h2 class=\"mdrm-h2\">&lt;script&gt;</h2>" in html.section(f"{RLO}<script>")
    template = environment().from_string("{{ a }} {{ b }}")
    assert template.render(a=f"Tac{RLO}na", b=Markup(f"<i>{RLO}x</i>")) == "Tacna <i>x</i>"


def test_the_one_pager_draws_no_bidi_control(tmp_path, monkeypatch):
    import dataclasses

    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from mdrm import tablero
    from mdrm.report import prepare

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    plan = prepare(write_params(tmp_path / "p" / "2020-09.yml", data), tmp_path / "out", fixture_content("minimal"))
    view = plan.view
    view.params = dataclasses.replace(view.params, region=f"Tacna{RLO}", highlights=[f"Destacado {RLO}al revés"])
    drawn, real_save = [], Figure.savefig

    def save(fig, *args, **kwargs):
        drawn.extend(t.get_text() for t in fig.findobj(Text))
        return real_save(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", save)
    tablero.write(view, tmp_path)
    assert drawn and not [t for t in drawn if RLO in t]
    assert any("Destacado al revés" in t for t in drawn)
    assert (tmp_path / "tablero.pdf").stat().st_size > 0


def test_errors_in_the_child_come_back_as_the_parent_would_see_them(tmp_path):
    from mdrm.errors import RunError
    from mdrm.isolate import read_in_child

    def out_of_memory():
        raise MemoryError()

    def other():
        raise ValueError("raro")

    with pytest.raises(MemoryError):
        read_in_child(tmp_path / "x.xlsx", out_of_memory)
    with pytest.raises(RunError, match=r"error inesperado \(ValueError: raro\)"):
        read_in_child(tmp_path / "x.xlsx", other)
    assert read_in_child(tmp_path / "x.xlsx", sum, [1, 2, 3]) == 6

    from mdrm.explore import ExplorationError

    def exploration_error():  # a subclass of InputError keeps its class, its file and its row
        raise ExplorationError("falta la hoja", file=tmp_path / "x.xlsx", row=4)

    with pytest.raises(ExplorationError, match="archivo «x.xlsx», fila 4: falta la hoja"):
        read_in_child(tmp_path / "x.xlsx", exploration_error)


def test_a_fifo_in_place_of_a_published_file_does_not_hang_the_commit(tmp_path):
    """A named pipe where tablero.png was: opening it to check it would wait for a reader forever."""
    _staged(tmp_path, NAMES, "enero").commit(NAMES)
    month = tmp_path / "out" / "tacna" / "2020-09"
    (month / "tablero.png").unlink()
    os.mkfifo(month / "tablero.png")
    _staged(tmp_path, NAMES, "febrero").commit(NAMES)  # replaced like any file, without opening it
    assert (month / "tablero.png").read_text(encoding="utf-8") == "febrero tablero.png"
