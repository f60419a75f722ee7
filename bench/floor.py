"""The floor of one report (README.md, «Uso»: make bench): the same papermill + nbconvert path as
`mdrm report`, on empty notebooks (a `parameters` cell and nothing else).

Run as its own process so it pays the same start-up as `mdrm report`:
`python bench/floor.py OUTDIR`.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from mdrm.report import Content, run_report

ROOT = Path(__file__).resolve().parents[1]
EMPTY = {
    "cells": [{"cell_type": "code", "execution_count": None, "id": "parametros", "metadata": {"tags": ["parameters"]},
               "outputs": [], "source": ['parametros = ""\n', 'metricas = ""']}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def main(out: str) -> None:
    with tempfile.TemporaryDirectory(prefix="mdrm-floor-") as folder:
        notebooks = {}
        for name in ("situacion", "destacados"):  # two notebooks, as the report runs
            path = Path(folder) / f"{name}.ipynb"
            path.write_text(json.dumps(EMPTY), encoding="utf-8")
            notebooks[name] = path
        run_report(ROOT / "params" / "tacna" / "2020-09.yml", out, content=Content(notebooks=notebooks), index=False)


if __name__ == "__main__":
    main(sys.argv[1])
