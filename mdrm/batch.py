"""Many months at once: `mdrm batch --params-dir DIR [--from M --to M] [--jobs N]`.

DIR holds `region.yml` and one `YYYY-MM.yml` per month (e.g. params/tacna/).
Every notebook run is a task for a pool of `jobs` worker processes (one
process per run at a time: papermill's `cwd` is a process-wide `os.chdir`), so
`--jobs 2` keeps two kernels busy whatever the month. Each month is prepared
(params, data, metrics, highlights: bad input fails that month only, before
its notebooks run) and staged like `mdrm report` does, and published only when
both its notebooks succeeded; at most `STAGED_AHEAD` months more than workers are
staged at a time. One failed month never stops the others (a workbook is read in
a child process: a reader that aborts fails its month only); the summary names
each failure and the exit code is non-zero when any month failed. Interrupted
(SIGTERM, Ctrl-C), a batch still refreshes the index and says which months it wrote.

Then `<out>/<region>/index.html` lists every month found on disk with links to
its files and its headline figure (people_reached.total of its metrics.json).
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .changes import commit_logged
from .errors import InputError, NotebookError, user_message
from .execute import NotebookPool, TaskResult
from .months import MONTH, MONTH_FILE
from .index import refresh_index
from .publish import Staging, hold_interrupts, sigterm_as_interrupt
from .report import Content, FiveWCache, MonthPlan, notebook_failure, notebooks_cwd, prepare, stage_tables, start_month

OK, FAILED = "ok", "error"
# months staged (computed, their files in a staging folder) beyond one per worker: the parent
# stays ahead of the workers without staging all 500 months of a long batch first
STAGED_AHEAD = 2


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def period_files(params_dir: str | Path) -> list[Path]:
    """`--periodos`: the period files of DIR (`2020-T1.yml` … `2020-S2.yml`, `2020.yml`), by year then
    quarters, halves and the year (docs/metodologia.md §12)."""
    from .periods import PERIOD_FILE, is_period

    folder = Path(params_dir)
    if not folder.is_dir():
        raise InputError("no existe la carpeta de parámetros", file=folder)
    files = [p for p in folder.iterdir() if PERIOD_FILE.match(p.name) and is_period(p.stem)]
    if not files:
        raise InputError("no hay archivos de periodo (AAAA-T1.yml … AAAA-S2.yml, AAAA.yml) en la carpeta",
                         file=folder, hint="Cada archivo lleva «periodo: AAAA-T1» (o AAAA-S1, AAAA) y hereda region.yml.")
    return sorted(files, key=lambda p: (p.stem[:4], len(p.stem) == 4, "TS".find(p.stem[5:6]), p.stem))


def month_files(params_dir: str | Path, first: str | None = None, last: str | None = None) -> list[Path]:
    """The `YYYY-MM.yml` files of DIR within [first, last], in month order."""
    folder = Path(params_dir)
    if not folder.is_dir():
        raise InputError("no existe la carpeta de parámetros", file=folder)
    for name, value in (("--from", first), ("--to", last)):
        if value is not None and not MONTH.match(value):
            raise InputError(f"{name} debe tener la forma AAAA-MM", value=value)
    files = sorted((p for p in folder.iterdir() if MONTH_FILE.match(p.name)), key=lambda p: p.name)
    chosen = [p for p in files
              if (first is None or p.stem >= first) and (last is None or p.stem <= last)]
    if not chosen:
        span = f" entre {first or '…'} y {last or '…'}" if first or last else ""
        raise InputError(f"no hay archivos de mes (AAAA-MM.yml){span} en la carpeta", file=folder)
    return chosen


@dataclass
class MonthOutcome:
    month: str              # from the file name
    params_file: Path
    status: str = OK
    kind: str = ""          # "input", "notebook" or "other" when failed
    error: str = ""
    month_dir: Path | None = None
    headline: int | None = None
    warnings: list = field(default_factory=list)  # metrics.json "warnings" (docs/metodologia.md §7)
    notices: list = field(default_factory=list)   # metrics.json "notices": information lines, not warnings


class Outcomes(list):
    """The months' outcomes, and the months of the export that have no params file in DIR."""

    missing_months: list[str] = []


def months_without_params(params_dir: Path, params, cache: FiveWCache) -> list[str]:
    """Months of the Mesa's rows in the export with no `YYYY-MM.yml` in DIR (`mdrm init --agregar` adds them)."""
    from .catalog import load_catalog
    from .scope import region_mask

    fivew = cache.get(params)
    mask = region_mask(fivew.data, params, params.adapt(load_catalog()))
    months = sorted(fivew.data.loc[mask, "month"].dropna().astype(str).unique())
    return [m for m in months if MONTH.match(m) and not (Path(params_dir) / f"{m}.yml").exists()]


@dataclass
class _Running:
    plan: MonthPlan
    staging: Staging
    keys: set
    results: list
    error: BaseException | None = None  # tablas.xlsx failed while the notebooks ran


def run_batch(params_dir: str | Path, out: str | Path = "reports", *, first: str | None = None,
              last: str | None = None, jobs: int | None = None, content: Content | None = None,
              progress: bool = True, timeout: float | None = None, periods: bool = False) -> list[MonthOutcome]:
    """Run every month of DIR (`periods`: every period file of DIR instead); returns one outcome per month
    (never raises for one month)."""
    from tqdm import tqdm

    content = content or (Content.period() if periods else Content.default())
    files = period_files(params_dir) if periods else month_files(params_dir, first, last)
    outcomes = {f.stem: MonthOutcome(f.stem, f) for f in files}
    running: dict[str, _Running] = {}
    regions: set[Path] = set()
    prepared = None  # the params of a month that could be read: the export's months without a file
    bar = tqdm(total=len(files), unit="mes", desc="Reportes", disable=not progress, file=sys.stderr)

    def fail(month: str, exc: BaseException) -> None:
        outcome = outcomes[month]
        outcome.status, outcome.error = FAILED, str(exc)
        outcome.kind = ("input" if isinstance(exc, InputError) else
                        "notebook" if isinstance(exc, NotebookError) else "other")
        if outcome.kind == "other":
            outcome.error = user_message(exc)
        bar.update(1)
        bar.set_postfix(errores=sum(o.status == FAILED for o in outcomes.values()))

    def collect(results: list[TaskResult]) -> None:
        for result in results:
            month = result.key.split("/")[0]
            run = running.get(month)
            if run is None:
                continue
            run.results.append(result)
            if len(run.results) < len(run.keys):
                continue
            del running[month]
            failure = run.error or notebook_failure(run.results)
            if failure is None:
                try:
                    commit_logged(run.staging, content.outputs(), run.plan)  # and cambios.json
                except Exception as exc:
                    run.staging.discard()
                    fail(month, exc)
                    continue
                except BaseException:  # interrupted: no longer in `running`, so discarded here
                    run.staging.discard()
                    raise
                outcome = outcomes[month]
                outcome.month_dir = run.plan.month_dir
                outcome.headline = run.plan.metrics.get("people_reached", {}).get("total")
                outcome.warnings = run.plan.metrics.get("warnings") or []
                outcome.notices = run.plan.metrics.get("notices") or []
                bar.update(1)
            else:
                run.staging.discard()
                fail(month, failure)

    with sigterm_as_interrupt():
        pool = NotebookPool(jobs or default_jobs(), warm_cwd=notebooks_cwd(content))
        pool.more_expected = True  # workers warm their next kernel while months are being prepared
        cache = FiveWCache()
        try:
            for path in files:
                month = path.stem
                staging = None
                while len(running) >= pool.jobs + STAGED_AHEAD:  # bounded disk: wait for a month to finish
                    collect(pool.poll(None))
                try:
                    plan = prepare(path, out, content, cache)  # «mes» must be the file's month
                    regions.add(plan.region_dir)
                    prepared = plan.params
                    staging = Staging(plan.region_dir, plan.folder_name)
                    tasks = start_month(plan, staging, content, pool, timeout)
                    running[month] = run = _Running(plan, staging, {t.key for t in tasks}, [])
                    try:
                        stage_tables(plan, staging, content)
                    except Exception as exc:  # the month fails when its notebooks are done
                        run.error = exc
                except (KeyboardInterrupt, SystemExit):
                    if staging is not None and month not in running:
                        staging.discard()
                    raise
                except BaseException as exc:  # this month fails, the others go on (also a
                    # reader's panic: pyo3's PanicException is a BaseException)
                    if staging is not None and month not in running:
                        staging.discard()
                    fail(month, exc)
                collect(pool.poll(0))
            pool.more_expected = False
            while running:
                collect(pool.poll(None))
            pool.close()
        except BaseException as exc:
            with hold_interrupts():
                pool.terminate()
                for run in running.values():
                    run.staging.discard()
                bar.close()
                _refresh_indexes(regions)  # the months written before the interruption are listed
            if isinstance(exc, KeyboardInterrupt):
                raise BatchInterrupted(str(exc), [o for o in outcomes.values() if o.month_dir],
                                       [m for m, o in outcomes.items() if not o.month_dir and o.status == OK],
                                       sorted(r for r in regions if (r / "index.html").is_file())) from None
            raise
        bar.close()
        _refresh_indexes(regions)
    result = Outcomes(outcomes[f.stem] for f in files)
    if prepared is not None and not periods:
        try:
            result.missing_months = months_without_params(params_dir, prepared, cache)
        except Exception:  # only a notice: never fails the batch
            pass
    return result


def _refresh_indexes(regions: set[Path]) -> None:
    for region_dir in sorted(regions):
        if region_dir.is_dir():  # not when every month failed in a new output folder
            try:
                refresh_index(region_dir)
            except Exception as exc:  # the months are written: the summary must still come
                print(f"Aviso: no se pudo actualizar {region_dir / 'index.html'} ({user_message(exc)})",
                      file=sys.stderr)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by SIGTERM or Ctrl-C: which months were written before, which were not."""

    def __init__(self, why: str, written: list[MonthOutcome], pending: list[str], indexes: list[Path]):
        super().__init__(why)
        self.written, self.pending, self.indexes = written, pending, indexes

    @property
    def details(self) -> str:
        """What the user reads after «Interrumpido…» (README.md, «Límites y entradas dañadas»)."""
        done = ", ".join(o.month for o in self.written) or "ninguno"
        lines = [f"Meses escritos antes de la interrupción ({len(self.written)}): {done}."]
        if self.pending:
            lines.append(f"Sin escribir ({len(self.pending)}; conservan sus archivos anteriores): "
                         f"{', '.join(self.pending)}.")
        lines += [f"Índice actualizado: {path / 'index.html'}" for path in self.indexes]
        return "\n".join(lines)


def exit_code(outcomes: list[MonthOutcome]) -> int:
    """0 all written; 2 every failure was bad input; 3 every failure a notebook; 1 otherwise."""
    kinds = {o.kind for o in outcomes if o.status == FAILED}
    if not kinds:
        return 0
    if kinds == {"input"}:
        return 2
    if kinds == {"notebook"}:
        return 3
    return 1


# Warnings about the whole export, not a month (W09: no indicator list): told once, above the months.
ONCE_PER_BATCH = ("W09",)


def summary(outcomes: list[MonthOutcome], seconds: float | None = None) -> str:
    from .formatting import number
    from .periods import kind_words

    done = [o for o in outcomes if o.status == OK]
    failed = [o for o in outcomes if o.status == FAILED]
    took = f" en {seconds:.0f} s" if seconds is not None else ""
    _, what = kind_words(o.month for o in outcomes)  # «meses», or «periodos» with --periodos
    lines = [f"Resumen: {len(done)} de {len(outcomes)} {what} escritos{took}"
             + (f", {len(failed)} con error." if failed else ".")]
    once = {w["code"]: w["message"] for o in outcomes if o.status == OK for w in o.warnings
            if w["code"] in ONCE_PER_BATCH}
    lines += [f"  aviso {code} (todos los {what}): {text}" for code, text in sorted(once.items())]
    for o in outcomes:
        if o.status == OK:
            lines.append(f"  {o.month}  escrito  {number(o.headline)} personas alcanzadas  {o.month_dir}")
            lines += [f"           aviso {w['code']}: {w['message']}" for w in o.warnings
                      if w["code"] not in ONCE_PER_BATCH]
            lines += [f"           nota {w['code']}: {w['message']}" for w in o.notices]
        else:
            lines.append(f"  {o.month}  ERROR    ({o.params_file.name}) {o.error}")
    missing = getattr(outcomes, "missing_months", [])
    if missing:
        folder = outcomes[0].params_file.parent if outcomes else "DIR"
        lines.append(f"Meses del 5W sin archivo de parámetros ({len(missing)}): {', '.join(missing)}; "
                     f"agréguelos con: mdrm init --agregar --dir {folder}")
    return "\n".join(lines)


def run_batch_cli(params_dir, out, first, last, jobs, timeout: float | None = None, periods: bool = False) -> int:
    started = time.perf_counter()
    outcomes = run_batch(params_dir, out, first=first, last=last, jobs=jobs, timeout=timeout, periods=periods)
    from .text import printable

    print(printable(summary(outcomes, time.perf_counter() - started)))
    regions = sorted({o.month_dir.parent for o in outcomes if o.month_dir})
    for region in regions:
        print(f"Índice: {region / 'index.html'}")
    return exit_code(outcomes)
