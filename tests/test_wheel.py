"""The installed package makes a report: the wheel carries the notebooks and every data file.

The wheel is built from a copy of the sources (setuptools leaves `build/` where it builds: a stale
module there would end up in a later wheel), installed with `--no-deps` in a fresh venv in a temporary
folder outside the repository, and `mdrm report` and `mdrm batch` run there on a copy of
params/tacna. The project's dependencies are made visible to the new venv by a `.pth` file naming this
environment's site-packages (a directory named by a `.pth` is added to `sys.path` without reading its
own `.pth` files, so this environment's editable install of the repository is not seen), and their
data files (nbconvert's templates) by JUPYTER_PATH: no download, and the venv's own `mdrm` is the one imported, by the CLI and by the notebooks' kernel (`python3`,
which jupyter_client resolves to the python that runs it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from report_runs import html_text
from test_batch import copy_params

# Generous bounds for a runaway only (a shared machine of two cores): never a timing assertion.
BUILD_TIMEOUT = 600
RUN_TIMEOUT = 1800
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "mdrm", "notebooks")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def _run(command: list, cwd: Path, env: dict, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the wheel, the new venv's python, the folder to run in, the environment of its commands)."""
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT.resolve())
    source = base / "src"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=SKIPPED)
        else:
            shutil.copy2(ROOT / name, source / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "COV_CORE"))}
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "-w", base / "dist", source], base, env, BUILD_TIMEOUT)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (base / "dist").glob("mdrm-*.whl")

    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], base, env, BUILD_TIMEOUT)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel],
                base, env, BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base, env)
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site.stdout.strip()) / "mdrm_test_dependencies.pth").write_text("\n".join(ours) + "\n")

    work = base / "trabajo"
    copy_params(work / "params" / "tacna")  # absolute paths to the repository's sample data
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # the dependencies' data files too (nbconvert's templates, the `python3` kernelspec: argv «python»)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(Path(sys.prefix) / "share" / "jupyter"),
                                                       env.get("JUPYTER_PATH")]))
    return wheel, python, work, env


def test_the_wheel_carries_every_file_of_the_package_and_every_notebook(installed):
    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "mdrm").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    notebooks = {f"mdrm/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {"mdrm/notebooks/situacion.ipynb", "mdrm/notebooks/destacados.ipynb"} <= notebooks
    assert "mdrm/definitions/subgrupos.yml" in package and "mdrm/templates/mdrm/theme.css" in package
    assert package | notebooks <= names, sorted(package | notebooks - names)


def test_the_new_venv_imports_the_installed_package_and_is_the_kernel(installed):
    _, python, work, env = installed
    site = python.parents[1]
    shown = _run([python, "-c", "import mdrm, mdrm.report as r; from jupyter_client.manager import KernelManager;"
                  "print(mdrm.__file__); print(r.notebooks_dir());"
                  "print(KernelManager(kernel_name='python3').format_kernel_cmd()[0])"], work, env)
    assert shown.returncode == 0, shown.stderr
    module, notebooks, kernel = (Path(line) for line in shown.stdout.split())
    assert module.is_relative_to(site) and not module.is_relative_to(ROOT), module
    assert notebooks.is_relative_to(site) and (notebooks / "situacion.ipynb").is_file(), notebooks
    assert kernel == python  # the notebooks run on the new venv's python, so on its mdrm


def test_the_installed_cli_makes_the_september_report(installed):
    _, python, work, env = installed
    done = _run([python.parent / "mdrm", "report", "--params", "params/tacna/2020-09.yml", "--out", "reportes"],
                work, env)
    assert done.returncode == 0, done.stderr
    text = html_text((work / "reportes" / "tacna" / "2020-09" / "situacion.html").read_text(encoding="utf-8"))
    assert "2,953" in text and "septiembre de 2020" in text  # the seed's headline (tests/test_seed.py)


def test_the_installed_cli_makes_a_batch_and_its_index(installed):
    _, python, work, env = installed
    done = _run([python.parent / "mdrm", "batch", "--params-dir", "params/tacna", "--from", "2020-08",
                 "--to", "2020-09", "--jobs", "2", "--out", "lote"], work, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 de 2 meses escritos" in done.stdout
    region = work / "lote" / "tacna"
    text = html_text((region / "2020-09" / "situacion.html").read_text(encoding="utf-8"))
    assert "2,953" in text
    index = (region / "index.html").read_text(encoding="utf-8")
    assert 'href="2020-08/situacion.html"' in index and 'href="2020-09/situacion.html"' in index
