"""Report runs shared by the report tests: each made once per pytest session.

A real `mdrm report` runs both notebooks (seconds each), so test_report.py and
test_report_browser.py look at the same runs instead of making their own:

- `sample_report()`: `mdrm report --params params/tacna/2020-09.yml --out <tmp>`,
  from a clean output folder, through the command line as a user runs it;
- `hostile_report()`: the same on a hand-made 5W whose organization is named
  `<script>alert(1)</script>` (and a province `<img src=x onerror=alert(2)>`),
  with highlights holding `<b>` and an `<img onerror>`.

Also `html_text(html)`: the text a reader sees (tags stripped, style and
script contents left out), and `fixture_content()`: the report made from the
fixture notebooks in tests/notebooks/ (fast; no dependency on the content), with the kit's tablero.
"""
from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import yaml

from conftest import ROOT, rows_frame

PY = sys.executable
MDRM = [PY, "-m", "mdrm"]
FIXTURE_NOTEBOOKS = ROOT / "tests" / "notebooks"
SAMPLE_PARAMS = ROOT / "params" / "tacna" / "2020-09.yml"
OUTPUTS = ("situacion.html", "destacados.html", "situacion.ipynb", "destacados.ipynb",
           "metrics.json", "tablas.xlsx", "tablero.pdf", "tablero.png")

HOSTILE_ORG = "<script>alert(1)</script>"
HOSTILE_PROVINCE = "<img src=x onerror=alert(2)>"
HOSTILE_HIGHLIGHTS = ["Texto con <b>negrita</b> escrito por el analista.",
                      "Imagen <img src=x onerror=alert(3)> en un destacado."]

_runs: dict[str, Path] = {}
_work: list[Path] = []


def workdir() -> Path:
    """A temporary folder for this session's runs (removed at exit)."""
    if not _work:
        folder = Path(tempfile.mkdtemp(prefix="mdrm-test-report-"))
        atexit.register(shutil.rmtree, folder, True)
        _work.append(folder)
    return _work[0]


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*MDRM, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def report_of_rows(rows: list[dict], folder: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """`mdrm report` of Tacna, September 2020, on hand-made rows: the run and its month folder."""
    data = folder / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    (folder / "tacna").mkdir(parents=True, exist_ok=True)  # reports go to out/<params folder name>/
    params = folder / "tacna" / "2020-09.yml"
    params.write_text(yaml.safe_dump({"region": "Tacna", "mes": "2020-09", "datos": str(data)}), encoding="utf-8")
    done = run_cli("report", "--params", str(params), "--out", str(folder / "out"))
    return done, folder / "out" / "tacna" / "2020-09"


def _report(name: str, params: Path) -> Path:
    if name not in _runs:
        out = workdir() / name
        assert not out.exists()
        done = run_cli("report", "--params", str(params), "--out", str(out))
        assert done.returncode == 0, f"mdrm report falló ({done.returncode}):\n{done.stderr}"
        _runs[name] = out / "tacna" / "2020-09"
    return _runs[name]


def sample_report() -> Path:
    """The month folder of the sample September 2020 report."""
    return _report("sample", SAMPLE_PARAMS)


def hostile_rows() -> list[dict]:
    common = {"month": "2020-09", "admin1": "Tacna", "rmrp_activity": "Si"}
    return [
        {**common, "admin2": "Tacna", "appealing_org": HOSTILE_ORG, "implementing_partner": HOSTILE_ORG,
         "sector": "Shelter", "activity_name": "Personas apoyadas con albergue", "quantity": 30,
         "total_monthly": 30, "new_beneficiaries": 30, "permanencia": 20, "transito": 10,
         "mujeres": 15, "hombres": 15},
        {**common, "admin2": HOSTILE_PROVINCE, "appealing_org": "Org Normal", "sector": "Protection (General)",
         "activity_name": "Orientaciones legales brindadas", "quantity": 12, "total_monthly": 12,
         "new_beneficiaries": 12, "acogida": 12, "ninas": 6, "ninos": 6},
        {**common, "month": "2020-08", "admin2": "Tacna", "appealing_org": HOSTILE_ORG, "sector": "Shelter",
         "activity_name": "Personas apoyadas con albergue", "quantity": 10, "total_monthly": 10,
         "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10},
    ]


def hostile_report() -> Path:
    """The month folder of a report whose data and highlights carry HTML."""
    if "hostile" not in _runs:
        folder = workdir() / "hostile-input" / "tacna"
        folder.mkdir(parents=True)
        data = folder / "5w.csv"
        rows_frame(hostile_rows()).to_csv(data, index=False)
        params = folder / "2020-09.yml"
        params.write_text(yaml.safe_dump({
            "region": "Tacna", "mes": "2020-09", "datos": str(data),
            "deduplicacion": {"metodo": "maximo", "nivel": "admin2"}, "destacados": HOSTILE_HIGHLIGHTS,
        }, allow_unicode=True), encoding="utf-8")
        return _report("hostile", params)
    return _runs["hostile"]


def fixture_content(situacion: str = "scripted_outputs", destacados: str = "minimal"):
    """The report's content made of fixture notebooks, a one-sheet table and no highlight check."""
    import pandas as pd

    from mdrm import tablero
    from mdrm.report import Content

    def tables(view):
        return {"Personas por población": pd.DataFrame(
            {"personas": view.metrics["people_reached"]["by_population"]})}

    return Content(notebooks={"situacion": FIXTURE_NOTEBOOKS / f"{situacion}.ipynb",
                              "destacados": FIXTURE_NOTEBOOKS / f"{destacados}.ipynb"},
                   tables=tables, highlights=None, tablero=tablero.write)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """What a reader sees: the page's text without markup, styles or scripts."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    """Every start tag of the page with its attributes."""
    parser = _Elements()
    parser.feed(html)
    return parser.elements
