"""Shared test helpers: small hand-made 5W tables written as real files.

`five_w(rows)` writes a CSV (or xlsx) with the Spanish export headers, every
field defaulting to blank/0, so a test states only the cells it is about.
`month_params(...)` writes a params YAML beside it.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES_R4V = ROOT.parent / "shared" / "fixtures" / "r4v"
SEED = ROOT.parent / "shared" / "seed"
RUNS_KEY = "mdrm_report_runs"  # pytest-xdist workerinput key: the folder of the session's shared runs

# field -> Spanish export header (docs/metodologia.md §1)
SPANISH_HEADERS = {
    "country": "País Country",
    "admin1": "País Admin1",
    "admin2": "Admin2",
    "appealing_org": "Socio principal Nombre",
    "implementation_setup": "Método de implementacion",
    "implementing_partner": "Socio Implementador Nombre",
    "month": "Month",
    "sector": "Indicador Sector",
    "indicator": "Indicador",
    "activity_name": "Nombre de la actividad",
    "activity_description": "Descripcion de la actividad",
    "rmrp_activity": "Actividad RMRP",
    "cva": "CVA",
    "cva_value_usd": "Valor de transferencia (en USD)",
    "delivery_mechanism": "Modalidad de entrega",
    "quantity": "Cantidad de productos generados",
    "total_monthly": "Total beneficiarios mensuales",
    "new_beneficiaries": "Nuevos beneficiarios del mes",
    "permanencia": "Refugiados y migrantes EN DESTINO",
    "transito": "Refugiados y migrantes EN TRANSITO",
    "acogida": "Comunidades de acogida",
    "pendulares": "Refugiados y migrantes PENDULARES",
    "retornados": "Colombianos Retornados",
    "ninas": "Ninas y Adolescentes menores de 18",
    "ninos": "Ninos y Adolescentes menores de 18",
    "mujeres": "Mujeres adultas",
    "hombres": "Hombres adultos",
    "otros_menores": "Otro menores de 18",
    "otros_adultos": "Otro adultos",
    "indicator_type": "Tipo de indicador",  # last: the columns before it keep their letters
}
DEFAULTS = {
    "country": "Peru", "admin1": "Tacna", "admin2": "Tacna", "appealing_org": "Org A",
    "month": "2020-09", "sector": "Shelter", "activity_name": "Actividad", "rmrp_activity": "Si",
    "cva": "No",
    # R4V's type of the indicator (docs/metodologia.md, «Filas contadas como R4V»): people in need, so every
    # hand-made row counts for people as it did before the type existed, and W09 stays silent
    "indicator_type": "Pin",
}


def pytest_configure(config):
    """The session's shared report runs (tests/report_runs.py) go to one folder: made here by
    pytest's own process (the controller under xdist), handed to each xdist worker."""
    import report_runs

    workerinput = getattr(config, "workerinput", None)
    report_runs.begin_session(Path(workerinput[RUNS_KEY]) if workerinput else None)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: a worker reads the controller's folder of shared runs."""
    import report_runs

    node.workerinput[RUNS_KEY] = str(report_runs.session_folder())


def pytest_unconfigure(config):
    """The process that made the folder of shared runs removes it, once every worker has ended."""
    import report_runs

    if not hasattr(config, "workerinput"):
        report_runs.end_session()


MODULE_FIXTURE = re.compile(r"scope\s*=\s*[\"']module[\"']")


@functools.cache
def _has_module_fixture(source: Path) -> bool:
    return source.is_file() and MODULE_FIXTURE.search(source.read_text(encoding="utf-8")) is not None


def xdist_scope(root: Path, nodeid: str) -> str:
    """The unit of work a test belongs to under `make test`: its module's path when the module has a
    module-scoped fixture (a report run, a loaded month: made once, on one worker), else the test alone."""
    path = nodeid.split("::", 1)[0]
    return path if _has_module_fixture(root / path) else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist with `--dist loadfile` (`make test`): units of work by `xdist_scope`, so the
    slow tests of the other modules (batches, stuck kernels, property tests) spread over both
    workers. (`--dist loadgroup` would need marks, and does not group on pytest 9.2.)"""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(config.rootpath, nodeid)

    return ModuleFixtureScheduling(config, log)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, tests/browser.py) for every page of the session's browser
    tests: each test opens its own pages or contexts and closes them."""
    from browser import chromium, require_chromium

    require_chromium()
    with chromium() as instance:
        yield instance


def require_r4v_fixtures() -> Path:
    """The real R4V exports live outside the project: skip here, fail in CI."""
    if not FIXTURES_R4V.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true y falta la carpeta de fixtures R4V: {FIXTURES_R4V}")
        pytest.skip("fixtures R4V no disponibles (../shared/fixtures/r4v)")
    return FIXTURES_R4V


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows given by field name -> DataFrame with every Spanish header, defaults filled."""
    full = []
    for row in rows:
        unknown = set(row) - set(SPANISH_HEADERS)
        assert not unknown, f"unknown fields in test row: {unknown}"
        full.append({SPANISH_HEADERS[f]: row.get(f, DEFAULTS.get(f, "")) for f in SPANISH_HEADERS})
    return pd.DataFrame(full, columns=list(SPANISH_HEADERS.values()))


@pytest.fixture
def five_w(tmp_path):
    """Write hand-made rows as a 5W file; returns its path."""

    def write(rows: list[dict], name: str = "5w.csv", sheet: str = "5W") -> Path:
        path = tmp_path / name
        frame = rows_frame(rows)
        if path.suffix == ".xlsx":
            frame.to_excel(path, index=False, sheet_name=sheet)
        else:
            frame.to_csv(path, index=False)
        return path

    return write


def sample_region() -> dict:
    """The sample Mesa's params/tacna/region.yml, as written there."""
    return yaml.safe_load((ROOT / "params" / "tacna" / "region.yml").read_text(encoding="utf-8"))


def sample_key_figures() -> dict:
    """The ten key figures of the sample Mesa (params/tacna/region.yml), as written there."""
    return sample_region()["cifras_clave"]


def sample_subgroups() -> dict:
    """The sample Mesa's seven subgroups (`subgrupos:` of params/tacna/region.yml), as written there."""
    return sample_region()["subgrupos"]


@functools.cache
def sample_catalog():
    """The packaged catalog with the sample Mesa's subgroups (what a Tacna params file uses)."""
    from mdrm.catalog import load_catalog
    from mdrm.params import _subgroups

    return load_catalog().with_subgroups(_subgroups(sample_subgroups(), ROOT / "params" / "tacna" / "region.yml",
                                                    load_catalog()))


@pytest.fixture
def month_params(tmp_path):
    """Write a params YAML pointing at `data`; extra keys override the defaults.

    The hand-made tables are Tacna's: by default they use the sample Mesa's key
    figures and subgroups (`cifras_clave`, `subgrupos` of params/tacna/region.yml);
    give `cifras_clave=None` or `subgrupos=None` for the packaged ones, and `mes=None` for a file
    without a month (one with `periodo:`).
    """

    def write(data: Path, name: str = "2020-09.yml", **keys) -> Path:
        content = {"region": "Tacna", "mes": "2020-09", "datos": str(data), "cifras_clave": sample_key_figures(),
                   "subgrupos": sample_subgroups()}
        content.update(keys)
        content = {k: v for k, v in content.items() if not (k in ("cifras_clave", "subgrupos", "mes") and v is None)}
        path = tmp_path / name
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def metrics_of(five_w, month_params):
    """rows (+ params keys) -> the metrics dictionary, through the real files."""
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    def run(rows: list[dict], **keys) -> dict:
        return compute(load_month(load_params(month_params(five_w(rows), **keys))))

    return run


def metrics_exit_2(capsys, params_path, tmp_path, *words) -> str:
    """`mdrm metrics` on bad params: exit 2, nothing written, and a message holding every word."""
    from mdrm.cli import main

    out = tmp_path / "m.json"
    code = main(["metrics", "--params", str(params_path), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert not out.exists()
    for word in words:
        assert word in err, (word, err)
    return err
