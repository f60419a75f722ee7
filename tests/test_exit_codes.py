"""One root for the kit's errors (`mdrm.errors.MdrmError`): each class carries the exit code that
README.md («Uso») documents, and `mdrm.cli.main` prints the class's heading and returns its code."""
from __future__ import annotations

import ast
import errno
import importlib

import pytest

from conftest import ROOT
from report_runs import SAMPLE_PARAMS, fixture_content

import mdrm.cli as cli
from mdrm import publish, report
from mdrm.errors import InputError, MdrmError, NotebookError, RunError
from mdrm.explore import ExplorationError
from mdrm.safeyaml import RefusedYAML, load_params_yaml

# README.md, «Uso»: «0 correcto, 2 datos de entrada con errores (no se escribe nada), 3 falló un
# cuaderno, 1 cualquier otro error», written here, not read from the code.
DOCUMENTED = {InputError: 2, ExplorationError: 2, RefusedYAML: 2, NotebookError: 3, RunError: 1,
              publish.PublishError: 1, MdrmError: 1}


def test_the_readme_documents_the_codes_the_classes_carry():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert ("Códigos de salida: 0 correcto, 2 datos de entrada con errores (no se escribe nada), "
            "3 falló un cuaderno, 1 cualquier otro error.") in readme
    assert {cls: cls.exit_code for cls in DOCUMENTED} == DOCUMENTED


def test_every_public_exception_class_of_the_package_has_the_one_root():
    """Found by reading every module: a new error class without the root fails here (a leading `_`
    marks the control-flow exceptions caught inside their own module; an interruption is no error)."""
    found = {}
    for path in sorted((ROOT / "mdrm").glob("*.py")):
        if path.stem == "__main__":  # runs the CLI when imported; it defines no class
            continue
        module = importlib.import_module(f"mdrm.{path.stem}" if path.stem != "__init__" else "mdrm")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                cls = getattr(module, node.name)
                if issubclass(cls, Exception):  # not an interruption (batch.BatchInterrupted is a KeyboardInterrupt)
                    found[node.name] = issubclass(cls, MdrmError)
    assert {"InputError", "NotebookError", "RunError", "RefusedYAML", "PublishError"} <= set(found)
    assert all(found.values()), found


def test_bad_input_exits_2_with_its_heading(tmp_path, capsys):
    missing = tmp_path / "falta.yml"
    assert cli.main(["metrics", "--params", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error en los datos de entrada: ") and "falta.yml" in err


def test_a_refused_params_file_exits_2_from_the_command_and_from_the_reader(tmp_path, monkeypatch, capsys):
    params = tmp_path / "2020-09.yml"
    params.write_text('mes: "2020-09"\nregion: &r Tacna\notra: *r\n', encoding="utf-8")
    assert cli.main(["metrics", "--params", str(params)]) == 2  # params tells it as an InputError, with the line
    err = capsys.readouterr().err
    assert err.startswith("Error en los datos de entrada: ") and "no se admiten alias" in err and "fila 3" in err

    # the reader's own exception reaching the CLI: the same code and heading, without params' words
    monkeypatch.setattr(cli, "_metrics", lambda args: load_params_yaml(args.params))
    assert cli.main(["metrics", "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error en los datos de entrada: no se admiten alias de YAML («*r»)"), err
    assert "YAML no válido" not in err and "Traceback" not in err


def test_a_failed_notebook_exits_3_with_its_heading(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(report.Content, "default", classmethod(lambda cls: fixture_content("broken", "minimal")))
    assert cli.main(["report", "--params", str(SAMPLE_PARAMS), "--out", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Falló la ejecución de un cuaderno: ") and "broken.ipynb" in err


@pytest.mark.parametrize(("failure", "code", "words"), [
    (PermissionError(errno.EACCES, "denied"), 1, "permiso denegado"),  # the kit could not publish: 1
    (NotADirectoryError(errno.ENOTDIR, "not a directory"), 2, "una parte de la ruta no es una carpeta"),  # a bad path: 2
])
def test_a_month_that_cannot_be_published_exits_with_the_code_the_error_carries(tmp_path, monkeypatch, capsys,
                                                                               failure, code, words):
    monkeypatch.setattr(report.Content, "default", classmethod(lambda cls: fixture_content("minimal", "minimal")))

    def refuse(source, target):
        failure.filename = str(target)
        raise failure

    monkeypatch.setattr(publish, "_replace", refuse)
    out = tmp_path / "out"
    assert cli.main(["report", "--params", str(SAMPLE_PARAMS), "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert err.startswith("Error: no se pudo publicar en ") and words in err, err
    assert not (out / "tacna" / "2020-09").exists()
