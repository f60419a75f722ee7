"""The project's own promises: one dependency list, clean notebooks, CI entry."""
from __future__ import annotations

import json
import re
import tomllib

import yaml

from conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _requirement(spec: str) -> tuple[str, str]:
    name = _name(spec)
    return name, spec.strip()[len(name):].replace(" ", "")


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = dict(_requirement(d) for d in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = dict(
        _requirement(d) for d in env["dependencies"]
        if isinstance(d, str) and _name(d) not in {"python", "pip"}
    )
    assert conda_side == pip_side


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_committed_notebooks_carry_no_outputs():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            assert not cell.get("outputs"), f"{path.name} tiene salidas guardadas"
            assert not cell.get("execution_count"), f"{path.name} tiene contadores de ejecución"


def _ci_copy(tmp_path, with_fixtures: bool):
    """.ci/run in a throwaway project whose `make test` only leaves a mark."""
    import shutil

    project = tmp_path / "clon"
    (project / ".ci").mkdir(parents=True)
    shutil.copy2(ROOT / ".ci" / "run", project / ".ci" / "run")
    (project / "Makefile").write_text("test:\n\ttouch make-test-ran\n")
    if with_fixtures:
        (tmp_path / "shared" / "fixtures" / "r4v").mkdir(parents=True)
    return project


def test_ci_fails_without_the_r4v_fixtures_whatever_the_environment(tmp_path):
    import os
    import subprocess

    project = _ci_copy(tmp_path, with_fixtures=False)
    for ci in (None, "false", "true"):
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        if ci is not None:
            env["CI"] = ci
        done = subprocess.run([str(project / ".ci" / "run")], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode != 0, ci
        assert "falta la carpeta de los 5W reales de R4V" in done.stderr and "shared/fixtures/r4v" in done.stderr
        assert not (project / "make-test-ran").exists(), "make test ran without the fixtures"


def test_ci_runs_make_test_when_the_fixtures_are_there(tmp_path):
    import subprocess

    project = _ci_copy(tmp_path, with_fixtures=True)
    done = subprocess.run([str(project / ".ci" / "run")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (project / "make-test-ran").exists()


def test_tests_run_the_cli_of_the_python_running_them():
    # `sys.executable -m mdrm`, never a script of one virtual environment's bin folder
    patterns = [".ve" 'nv" / "bin"', ".ve" "nv/bin/"]  # split so this file does not match itself
    for path in sorted((ROOT / "tests").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not [p for p in patterns if p in text], path.name
