"""Report runs shared by the report tests: each made once per pytest session.

A real `mdrm report` runs both notebooks (seconds each), so test_report.py,
test_report_browser.py, test_golden.py, test_print.py, test_tablero.py and
test_maps.py look at the same runs instead of making their own. Under
pytest-xdist (`make test`) the workers share them too: the first worker that
asks makes the run under a file lock, in a folder the controller creates and
removes (`begin_session` / `end_session`, called by conftest.py); the others
wait and read the same files (a failed run fails every test that asks for it):

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
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: each process makes its own runs
    fcntl = None

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


def begin_session(folder: Path | None = None) -> Path:
    """The session's folder for shared runs: a new one (pytest's controller, or a run
    without xdist), or the controller's own (an xdist worker)."""
    _work.clear()
    _runs.clear()
    _work.append(Path(folder) if folder else Path(tempfile.mkdtemp(prefix="mdrm-test-report-")))
    return _work[0]


def end_session() -> None:
    """Remove the session's folder (by the process that created it, once every worker is done)."""
    if _work:
        shutil.rmtree(_work[0], ignore_errors=True)
        _work.clear()
    _runs.clear()


def session_folder() -> Path:
    """The session's folder (outside pytest's hooks: a temporary one removed at exit)."""
    if not _work:
        atexit.register(shutil.rmtree, begin_session(), True)
    return _work[0]


def workdir() -> Path:
    """The folder of this session's runs."""
    if fcntl is None:  # no lock to share a run between processes: one folder per process
        own = session_folder() / f"pid-{os.getpid()}"
        own.mkdir(exist_ok=True)
        return own
    return session_folder()


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on `path` (a worker waits for another one's run)."""
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


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


def _report(name: str, params) -> Path:
    """The month folder of the session's run `name`, made once (`params()` writes its params file)."""
    if name not in _runs:
        folder = workdir()
        out = folder / name
        failed = folder / f"{name}.failed"
        made = folder / f"{name}.made"
        with _locked(folder / f"{name}.lock"):
            if not made.exists() and not failed.exists():
                assert not out.exists()
                done = run_cli("report", "--params", str(params()), "--out", str(out))
                if done.returncode != 0:
                    failed.write_text(f"mdrm report falló ({done.returncode}):\n{done.stderr}", encoding="utf-8")
                else:
                    made.touch()
        assert not failed.exists(), failed.read_text(encoding="utf-8")
        _runs[name] = out / "tacna" / "2020-09"
    return _runs[name]


def sample_report() -> Path:
    """The month folder of the sample September 2020 report."""
    return _report("sample", lambda: SAMPLE_PARAMS)


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

    def params() -> Path:
        folder = workdir() / "hostile-input" / "tacna"
        folder.mkdir(parents=True)
        data = folder / "5w.csv"
        rows_frame(hostile_rows()).to_csv(data, index=False)
        path = folder / "2020-09.yml"
        path.write_text(yaml.safe_dump({
            "region": "Tacna", "mes": "2020-09", "datos": str(data),
            "deduplicacion": {"metodo": "maximo", "nivel": "admin2"}, "destacados": HOSTILE_HIGHLIGHTS,
        }, allow_unicode=True), encoding="utf-8")
        return path

    return _report("hostile", params)


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
