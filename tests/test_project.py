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


def test_make_test_runs_the_linter_before_pytest():
    makefile = (ROOT / "Makefile").read_text()
    test_target = re.search(r"^test:(.*)$", makefile, re.M).group(1).split()
    assert "lint" in test_target
    lint_recipe = re.search(r"^lint:.*\n\t(.*)$", makefile, re.M).group(1)
    assert lint_recipe.split()[-3:] == ["ruff", "check", "."] or lint_recipe.endswith("ruff check .")


def test_the_project_lint_rules_catch_an_unused_import_and_pass_the_project(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "malo.py"
    bad.write_text("import os\n\n\ndef f(x=[]):\n    return x\n")
    config = str(ROOT / "pyproject.toml")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config", config, str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "F401" in done.stdout and "B006" in done.stdout
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout


def test_readme_links_the_methodology_and_the_methodology_names_real_functions():
    import importlib

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/metodologia.md)" in readme
    doc = (ROOT / "docs" / "metodologia.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`(methodology|metrics|organizations|params|quality|rounding|load|narrative|html|tables)\.([a-z_]+)`", doc))
    cited.discard(("metrics", "json"))  # the file metrics.json, not a function
    assert len(cited) >= 10
    for module, name in sorted(cited):
        assert hasattr(importlib.import_module(f"mdrm.{module}"), name), f"docs/metodologia.md cita {module}.{name}"
    files = re.findall(r"`(mdrm/[\w/]+\.(?:py|yml))`", doc)
    assert files and all((ROOT / f).is_file() for f in files), files


def test_the_package_cites_only_what_a_clone_holds():
    """A maintainer who clones the project can follow every pointer in mdrm/: no spec or issue kept
    elsewhere, and every «docs/metodologia.md §N» and «README.md, «heading»» names a section that exists."""
    doc = (ROOT / "docs" / "metodologia.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    doc_sections = set(re.findall(r"^## (\d+)\.", doc, flags=re.M))
    readme_headings = {h.strip() for h in re.findall(r"^#+ (.+)$", readme, flags=re.M)}
    cited_doc, cited_readme = set(), set()
    for path in sorted((ROOT / "mdrm").rglob("*")):
        if path.suffix not in (".py", ".yml", ".j2", ".css") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        assert not re.search(r"\bSPEC\b|\bissue #\d|\.\./shared|\bshared/", text), where
        cited_doc |= {(where, n) for n in re.findall(r"docs/metodologia\.md §(\d+)", text)}
        cited_readme |= {(where, h) for h in re.findall(r"README\.md, «([^»]+)»", text)}
    assert len(cited_doc) >= 20 and len(cited_readme) >= 5
    assert not [c for c in cited_doc if c[1] not in doc_sections], doc_sections
    assert not [c for c in cited_readme if c[1] not in readme_headings]


def _package_imports() -> dict[str, set[str]]:
    """Module -> the mdrm modules it imports, at the top or inside a function (type-only imports aside)."""
    import ast

    modules = {p.stem for p in (ROOT / "mdrm").glob("*.py")}
    graph = {}
    for path in (ROOT / "mdrm").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                     and getattr(node.test, "id", "") == "TYPE_CHECKING" for n in ast.walk(node)}
        deps = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or id(node) in type_only:
                continue
            if node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif node.module and node.module.split(".")[0] == "mdrm":
                parts = node.module.split(".")
                deps |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        graph[path.stem] = deps & modules - {path.stem}
    return graph


def test_no_import_cycle_in_the_package():
    graph = _package_imports()
    assert {"report", "index"} <= graph["batch"] and "index" in graph["report"]  # the walk sees imports
    done, path = set(), []

    def visit(module: str) -> None:
        if module in path:
            raise AssertionError("ciclo de imports: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        path.append(module)
        for dep in sorted(graph[module]):
            visit(dep)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


# The run side, bottom to top: each may import the data side and what is below it here; the data
# side (every other module: reading, computing, showing a month) imports none of them.
RUN_SIDE = ("render", "execute", "publish", "workbook", "index", "report", "batch", "validate", "scaffold", "cli",
            "__main__")


def test_no_module_imports_one_above_it():
    graph = _package_imports()
    assert set(RUN_SIDE) <= set(graph)
    upward = []
    for module, deps in graph.items():
        allowed_run = set(RUN_SIDE[:RUN_SIDE.index(module)]) if module in RUN_SIDE else set()
        upward += [f"{module} -> {dep}" for dep in deps if dep in RUN_SIDE and dep not in allowed_run]
    assert not upward, upward
