"""One month's report end to end: `mdrm report --params FILE [--out DIR]`.

Order of work (README.md, «Uso»):

0. Two worker processes start at once (`mdrm.execute.NotebookPool`), each
   booting a kernel in `notebooks/`, while this process goes on.
1. `prepare`: read the params, load and check the month's data, compute the
   month once (`mdrm.view.month_view`: metrics, warnings, quality) and fill
   the highlights' placeholders. Any bad input raises `InputError` here,
   before a notebook runs or a file is written (exit 2); a notebook without
   its `parameters` cell raises `NotebookError` (exit 3).
2. Into a staging folder beside the month's folder (`mdrm.publish.Staging`):
   the month's tables, `metrics.json` and the computed month itself
   (`mes.pickle`, never published); then the workers run the two notebooks
   (parameters `parametros`, `metricas`, `mes`: they load the month and only
   draw and display) and draw the tablero, while this process writes
   `tablas.xlsx` from the same tables.
3. `Staging.commit`: the files are renamed into `DIR/<region>/<YYYY-MM>/`, all
   or none (a file that cannot be replaced leaves every previous file in place),
   and the staging folder removed. A failure or an interruption (SIGTERM, Ctrl-C)
   before that point removes the staging folder: the month's previous files
   stay as they were. SIGTERM during the renames is held until they finish.

What SIGKILL can leave: never a partial file in the month's folder (files
arrive there only by rename). Killed before the renames, the month keeps its
previous files; the workers, told by the kernel that their parent died, kill
their kernels and remove the staging folder, and any staging folder left
anyway is removed by the next run of that region. Killed during the renames
(a few milliseconds), the month's folder can hold some new and some previous
files, each one whole.
"""
from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .changes import commit_logged
from .errors import NotebookError, RunError
from .execute import NotebookPool, Task, TaskResult, check_notebook, read_notebook
from .index import refresh_index
from .iorw import dumps_metrics, write_atomic
from .publish import Staging, hold_interrupts, sigterm_as_interrupt
from .workbook import write_tables

if TYPE_CHECKING:  # imported where used: `mdrm report` starts its workers before loading pandas
    import pandas as pd

    from .load import FiveW
    from .metrics import MonthData
    from .params import Params
    from .view import MonthView

NOTEBOOKS = ("situacion", "destacados")
PARAMETERS = ("parametros", "metricas")  # the notebooks' contract: both in their `parameters` cell
MONTH_FILE = "mes.pickle"  # the computed month (parameter `mes`), in the staging folder only: never published


def notebooks_dir() -> Path:
    """The report notebooks: the repository's `notebooks/`, shipped in the wheel as the package data
    `mdrm.notebooks` (pyproject.toml), so an installed kit finds them as an editable install does."""
    from importlib import resources

    return Path(str(resources.files("mdrm.notebooks")))


# --------------------------------------------------------------------------- what the content provides

@dataclass
class Content:
    """The report's content: its notebooks, its tables and the highlights check.

    `Content.default()` is the kit's (notebooks/situacion.ipynb and
    notebooks/destacados.ipynb, the month's report tables,
    `mdrm.narrative.fill_highlights`); tests give their own.
    """

    notebooks: dict[str, Path]
    tables: Callable[[MonthView], dict[str, pd.DataFrame]] | None = None
    highlights: Callable[..., object] | None = None  # (highlights, metrics, source=params file)
    tablero: Callable[..., object] | None = None  # (view, folder): writes tablero.pdf and tablero.png

    @classmethod
    def default(cls) -> Content:
        folder = notebooks_dir()
        return cls(
            notebooks={name: folder / f"{name}.ipynb" for name in NOTEBOOKS},
            tables=month_tables,
            highlights=_lazy("mdrm.narrative", "fill_highlights"),
            tablero=_lazy("mdrm.tablero", "write"),
        )

    @classmethod
    def period(cls) -> Content:
        """A period's report (`periodo:`): notebooks/periodo.ipynb, the period's tables, its tablero;
        no highlights page (the Mesa's highlights are a month's)."""
        return cls(notebooks={"situacion": notebooks_dir() / "periodo.ipynb"}, tables=month_tables,
                   tablero=_lazy("mdrm.tablero", "write"))

    @classmethod
    def for_params(cls, params_path: str | Path) -> Content:
        """The kit's content for a params file: a period's (`periodo:`) or a month's. A file that cannot
        be read gets the month's: `prepare` then says what is wrong with it."""
        from .errors import InputError
        from .params import load_params

        try:
            period = load_params(params_path).period
        except (InputError, OSError):
            period = None
        return cls.period() if period else cls.default()

    def outputs(self) -> tuple[str, ...]:
        names = [f"{n}.{ext}" for n in self.notebooks for ext in ("html", "ipynb")] + ["metrics.json"]
        names += ["tablero.pdf", "tablero.png"] if self.tablero is not None else []
        return tuple(names + (["tablas.xlsx"] if self.tables is not None else []))


def month_tables(view: MonthView) -> dict[str, pd.DataFrame]:
    """The kit's tablas.xlsx: every table of the report, as the notebooks show them (computed once)."""
    return view.report_tables()


def _lazy(module: str, name: str):
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__module__ = module  # what a worker imports to run it (`callable_name`)
    return call


# --------------------------------------------------------------------------- 1. prepare (no writes)

@dataclass
class MonthPlan:
    params_path: Path
    view: MonthView  # the month computed once: metrics.json, tablas.xlsx and the notebooks show it
    out: Path
    workbook: dict[str, pd.DataFrame] | None = None  # the sheets of tablas.xlsx (`Content.tables`)

    @property
    def params(self) -> Params:
        return self.view.params

    @property
    def data(self) -> MonthData:
        return self.view.data

    @property
    def metrics(self) -> dict:
        return self.view.metrics

    @property
    def region_dir(self) -> Path:
        return self.out / self.params.report_folder

    @property
    def folder_name(self) -> str:
        """'2020-09' for a month, '2021-T1' for a period (`periodo:`)."""
        return self.params.period or self.params.month

    @property
    def month_dir(self) -> Path:
        return self.region_dir / self.folder_name

    @property
    def title(self) -> str:
        from .formatting import when_label

        return f"{self.params.region} — {when_label(self.view.metrics)}"


class FiveWCache:
    """The 5W files read once for many months (a batch reads one file 12 times otherwise), a
    workbook in a child process (`mdrm.isolate`: a reader that aborts fails the month only)."""

    def __init__(self):
        self._files: dict[tuple, FiveW] = {}

    def get(self, params: Params) -> FiveW:
        key = (str(params.data_path), params.sheet, tuple(sorted(params.columns.items())))
        if key not in self._files:
            from .isolate import read_safely
            from .load import read_5w

            # a workbook is read in a child process: a reader's crash fails this month, not the run
            self._files[key] = read_safely(read_5w, params.data_path, params.sheet, params.columns)
        return self._files[key]


def prepare(params_path: str | Path, out: str | Path, content: Content,
            cache: FiveWCache | None = None) -> MonthPlan:
    """Everything that can fail on bad input, before anything runs or is written."""
    from .metrics import load_month
    from .params import load_params
    from .view import month_view

    params_path = Path(params_path).resolve()
    params = load_params(params_path)
    if params.period:
        check_period_name(params_path, params.period)
    else:
        check_month_name(params_path, params.month)
    if params.boundaries_path is not None:  # a bad `limites:` GeoJSON is bad input, told before anything runs
        from .maps import read_geojson

        read_geojson(params.boundaries_path, params.boundaries_name)
    view = month_view(params, load_month(params, cache.get(params) if cache else None))
    if content.highlights is not None:
        # InputError on an unknown placeholder, before anything runs
        content.highlights(params.highlights, view.metrics, source=params.source)
    for source in content.notebooks.values():
        # a notebook without its `parameters` cell fails here, before anything runs
        check_notebook(read_notebook(source), Path(source).name, PARAMETERS)
    return MonthPlan(params_path, view, Path(out).resolve())


def check_month_name(params_path: Path, month: str) -> None:
    """A month's file (`YYYY-MM.yml`) whose «mes» says another month is bad input: publishing it
    would overwrite the other month's report (`report` and `batch` alike)."""
    from .errors import InputError
    from .months import MONTH_FILE

    named = MONTH_FILE.match(Path(params_path).name)
    if named and named.group(1) != month:
        raise InputError(f"el archivo se llama {Path(params_path).name} pero su clave «mes» es {month}; "
                         f"corrija una de las dos (no se escribió nada)", file=params_path)


def check_period_name(params_path: Path, period: str) -> None:
    """A period's file named as a period (`2020-T1.yml`) whose «periodo» says another is bad input, as
    for a month: publishing it would overwrite the other period's report. Other names are free."""
    from .errors import InputError
    from .periods import PERIOD_FILE

    named = PERIOD_FILE.match(Path(params_path).name)
    if named and named.group(1) != period:
        raise InputError(f"el archivo se llama {Path(params_path).name} pero su clave «periodo» es {period}; "
                         f"corrija una de las dos (no se escribió nada)", file=params_path)


# --------------------------------------------------------------------------- 2. stage

def tasks_for(plan: MonthPlan, staging: Staging, content: Content, timeout: float | None = None) -> list[Task]:
    """The month's notebooks, and its tablero, as tasks for the worker processes."""
    parameters = {"parametros": str(plan.params_path), "metricas": str(staging.path / "metrics.json"),
                  "mes": str(staging.path / MONTH_FILE)}
    # as the saved notebook shows them: the published metrics.json; no `mes` (a re-run recomputes)
    published = {**parameters, "metricas": str(plan.month_dir / "metrics.json"), "mes": ""}
    month = plan.folder_name
    tasks = [
        Task(key=f"{month}/{name}", source=str(Path(source).resolve()), parameters=parameters,
             cwd=str(Path(source).resolve().parent), staging=str(staging.path), ipynb=f"{name}.ipynb",
             html=f"{name}.html", title=plan.title, published=published,
             published_ipynb=str(plan.month_dir / f"{name}.ipynb"), timeout=timeout, required=PARAMETERS)
        for name, source in content.notebooks.items()
    ]
    if content.tablero is not None:  # drawn by a worker too: the parent's process stays free
        tasks.append(Task(key=f"{month}/tablero", source="", parameters=parameters, cwd="",
                          staging=str(staging.path), ipynb="", html="", title=plan.title, published={},
                          published_ipynb="", call=callable_name(content.tablero), timeout=timeout))
    return tasks


def callable_name(function) -> str:
    """'module:qualname' of a function a worker process can import."""
    return f"{function.__module__}:{function.__qualname__}"


def start_month(plan: MonthPlan, staging: Staging, content: Content, pool: NotebookPool,
                timeout: float | None = None) -> list[Task]:
    """Stage the computed month (its tables, metrics.json, the file the notebooks read) and start
    the month's notebooks and tablero (`timeout`: seconds per notebook cell)."""
    from .view import save_month

    plan.view.compute_all()
    plan.workbook = content.tables(plan.view) if content.tables is not None else None
    write_atomic(staging.path / "metrics.json", dumps_metrics(plan.metrics))
    save_month(plan.view, staging.path / MONTH_FILE)
    tasks = tasks_for(plan, staging, content, timeout)
    for task in tasks:
        pool.submit(task)
    return tasks


def stage_tables(plan: MonthPlan, staging: Staging, content: Content) -> None:
    """Write tablas.xlsx from the month's tables (while the notebooks run)."""
    if plan.workbook is not None:
        write_tables(plan.workbook, staging.path / "tablas.xlsx")


def notebook_failure(results: list[TaskResult]) -> Exception | None:
    """The first failure among a month's notebook runs, as the exception to raise."""
    for result in results:
        if not result.ok:
            return NotebookError(result.error) if result.kind == "notebook" else RunError(result.error)
    return None


# --------------------------------------------------------------------------- one month

@dataclass
class ReportResult:
    month_dir: Path
    files: list[Path]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def run_report(params_path: str | Path, out: str | Path = "reports", *, content: Content | None = None,
               jobs: int = 2, index: bool = True, pool: NotebookPool | None = None,
               timeout: float | None = None) -> ReportResult:
    """Produce one month's six files atomically; raises InputError / NotebookError.

    `pool`, if given (workers already starting: see `start_pool`), is used and closed.
    """
    started = time.perf_counter()
    content = content or Content.for_params(params_path)
    with sigterm_as_interrupt():
        staging = None
        region_dir = None  # known once the month is prepared
        try:
            if not Path(params_path).is_file():  # the commonest mistake, told before any process starts
                from .params import load_params

                load_params(params_path)
            pool = pool or start_pool(content, jobs)  # workers and kernels boot while the metrics are computed
            plan = prepare(params_path, out, content, FiveWCache())  # a reader's crash: exit 2
            # seconds of each step (`make bench` shows them): preparing, handing over, tablas.xlsx,
            # then each task run by a worker, in parallel with them (its notebook, its HTML)
            timings = {"preparar": time.perf_counter() - started}
            staging = Staging(plan.region_dir, plan.folder_name)
            region_dir = plan.region_dir
            step = time.perf_counter()
            tasks = start_month(plan, staging, content, pool, timeout)
            timings["entregar"], step = time.perf_counter() - step, time.perf_counter()
            stage_tables(plan, staging, content)
            timings["tablas.xlsx"] = time.perf_counter() - step
            results: list[TaskResult] = []
            while len(results) < len(tasks):
                results += pool.poll(None)
            for r in results:
                name = r.key.split("/")[-1]
                timings[name] = r.seconds
                timings.update({f"{name}.{phase}": seconds for phase, seconds in (r.phases or {}).items()})
            failure = notebook_failure(results)
            if failure:
                raise failure
            commit_logged(staging, content.outputs(), plan)  # cambios.json: what a republication changed
            staging = None
            pool.close()
        except BaseException:
            with hold_interrupts():  # a second SIGTERM must not cut the cleanup short
                if pool is not None:
                    pool.terminate()
                if staging is not None:
                    staging.discard()
            if index and region_dir is not None and isinstance(sys.exc_info()[1], Exception) \
                    and region_dir.is_dir():
                _refresh_index(region_dir)  # a month published by a run killed before its index shows too
            raise
        if index:  # the region's index.html lists this month too (never fails the report)
            _refresh_index(plan.region_dir)
    return ReportResult(plan.month_dir, [plan.month_dir / n for n in content.outputs()],
                        time.perf_counter() - started, timings)


def _refresh_index(region_dir: Path) -> None:
    """Rewrite the region's index.html from the months on disk; a failure is only a warning."""
    from .errors import user_message

    try:
        refresh_index(region_dir)
    except Exception as exc:
        print(f"Aviso: no se pudo actualizar index.html ({user_message(exc)})", file=sys.stderr)


def notebooks_cwd(content: Content) -> str | None:
    """The folder every notebook of `content` runs in, if they share one (for warm kernels)."""
    folders = {str(Path(p).resolve().parent) for p in content.notebooks.values()}
    return folders.pop() if len(folders) == 1 else None


def start_pool(content: Content, jobs: int) -> NotebookPool:
    """Worker processes for `content`'s notebooks, each with a kernel booting in their folder."""
    return NotebookPool(min(max(1, jobs), len(content.notebooks)), warm_cwd=notebooks_cwd(content))
