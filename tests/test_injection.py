"""Params cannot run code: a string from a params file reaches a notebook as a plain string.

The report passes params values (paths, highlights) to its notebooks through
papermill, which writes them as Python source into an injected cell. A value
with quotes, newlines, backslashes or Python syntax must come out as the same
string, and nothing in it may run. Tested on papermill itself with a tiny
notebook: its `parameters` cell holds `parametros = ""` and the next cell
writes `repr(parametros)` to a file.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

papermill = pytest.importorskip("papermill")

PWNED = "/tmp/mdrm_pwned_{tag}"

EVIL = {
    "cierra_comillas_e_importa": '"); import os; os.system("touch {pwned}")  #',
    "comilla_simple": "'); import os; os.system('touch {pwned}')  #",
    "triples_comillas": '"""\nimport os\nos.system("touch {pwned}")\n"""',
    "triples_simples": "'''; __import__('os').system('touch {pwned}'); '''",
    "barras_invertidas": 'C:\\datos\\nuevo\\5w.xlsx\\" + __import__("os").system("touch {pwned}") + "\\',
    "saltos_de_linea": 'x"\nimport os\nos.system("touch {pwned}")\ny = "',
    "llaves_y_formato": '{{kf.kits_higiene}} {{__import__("os").system("touch {pwned}")}} %s %(x)s',
    "fstring": 'f"{{__import__(\'os\').system(\'touch {pwned}\')}}"',
    "nulo_y_unicode": 'ñandú «» \u2028 \u0000 \t fin";__import__("os").system("touch {pwned}")#',
    "comentario_y_continuacion": '\\\n__import__("os").system("touch {pwned}") # \\',
}


def random_nasty_strings(n: int, seed: int = 5) -> list[str]:
    """Seeded random strings over quotes, backslashes, newlines, braces and non-ASCII."""
    import random

    rng = random.Random(seed)
    alphabet = list("\"'\\\n\r\t{}()#;%$ abc=+ñá«»\u2028\u0085\x00\x0b") + ['"""', "'''", "\\N{", "\\x", "\\u"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def tiny_notebook(path: Path, out: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('parametros = ""')
    params.metadata["tags"] = ["parameters"]
    write = nbformat.v4.new_code_cell(
        f"from pathlib import Path\nPath({str(out)!r}).write_text(repr(parametros), encoding='utf-8')")
    nb.cells = [params, write]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def run(tmp_path: Path, value) -> str:
    out = tmp_path / "repr.txt"
    source = tiny_notebook(tmp_path / "diminuto.ipynb", out)
    papermill.execute_notebook(str(source), str(tmp_path / "ejecutado.ipynb"), parameters={"parametros": value},
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(EVIL))
def test_a_param_reaches_the_notebook_as_the_same_string(tmp_path, name):
    pwned = Path(PWNED.format(tag=f"{name}_{tmp_path.name}"))
    pwned.unlink(missing_ok=True)
    evil = EVIL[name].format(pwned=pwned)
    try:
        written = run(tmp_path, evil)
        assert written == repr(evil)
        assert ast.literal_eval(written) == evil
        assert not pwned.exists(), "the parameter ran code"
    finally:
        pwned.unlink(missing_ok=True)


def test_a_list_of_evil_highlights_arrives_intact(tmp_path):
    """`destacados:` is a list of strings: each element comes through unchanged, in order."""
    pwned = Path(PWNED.format(tag=f"lista_{tmp_path.name}"))
    pwned.unlink(missing_ok=True)
    evil = [v.format(pwned=pwned) for v in EVIL.values()] + random_nasty_strings(200)
    try:
        written = run(tmp_path, evil)
        assert ast.literal_eval(written) == evil
        assert written == repr(evil)
        assert not pwned.exists()
    finally:
        pwned.unlink(missing_ok=True)
