"""Running the report notebooks (papermill), each in its own process.

`run_notebook` executes one notebook with papermill (kernel `python3`) and
turns any failure into a `NotebookError` that names the notebook and the
failing cell's error. `NotebookPool` runs many of them in worker processes:
papermill's `cwd` uses `os.chdir`, which is per process, so two notebooks never
share one; and the two notebooks of a month (or the many of a batch) run side
by side.

Workers are expendable. On SIGTERM a worker kills its kernel, removes the
staging folder it was writing into and exits; a worker whose parent dies (even
by SIGKILL) gets that SIGTERM from the kernel (Linux `PR_SET_PDEATHSIG`), so
an aborted run leaves no temporary files behind when anything can help it.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import NotebookError
from .iorw import write_atomic

KERNEL = "python3"
AHEAD = 1  # tasks a worker holds beyond the one it runs (NotebookPool)
# The kernel logs noise on every run (ipykernel 7: "running over TCP without encryption"; on
# shutdown, jupyter_client interrupts it first: "KeyboardInterrupt caught in kernel"). A cell's
# errors are in its outputs, a dead kernel is a DeadKernelError: its log adds nothing here.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def skip_slow_imports() -> None:
    """Make this process skip `rfc3987_syntax` (call before nbformat is imported).

    jsonschema imports it, when installed, for its optional "iri" format
    checks, and it builds a Lark grammar at import: 2 s of CPU in every
    process that imports nbformat (papermill, nbconvert). nbformat never checks
    formats, so the worker processes go without it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


# --------------------------------------------------------------------------- one notebook

def read_notebook(path: str | Path) -> dict:
    """A notebook file as plain JSON (no nbformat: the parent process stays light)."""
    import json

    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no es un cuaderno de Jupyter (falta «cells»)")
        return nb
    except FileNotFoundError:
        raise NotebookError(f"no existe el cuaderno «{path}»") from None
    except Exception as exc:  # invalid JSON, invalid notebook
        raise NotebookError(f"el cuaderno «{path.name}» no se puede leer ({type(exc).__name__}: {exc})") from None


def parameters_cell(nb: dict) -> int | None:
    for index, cell in enumerate(nb["cells"]):
        if "parameters" in (cell.get("metadata") or {}).get("tags", []):
            return index
    return None


def check_notebook(nb: dict, name: str, parameters) -> None:
    """A report notebook must have a `parameters` cell defining every parameter we pass."""
    index = parameters_cell(nb)
    if index is None:
        raise NotebookError(
            f"el cuaderno «{name}» no tiene una celda con la etiqueta «parameters» "
            f"(debe definir {', '.join(f'{p} = ...' for p in parameters)})")
    source = nb["cells"][index].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    missing = [p for p in parameters if not any(line.split("=")[0].strip() == p
                                                for line in source.splitlines() if "=" in line)]
    if missing:
        raise NotebookError(
            f"la celda «parameters» del cuaderno «{name}» no define {', '.join(missing)}")


def _cell_error(exc, name: str) -> NotebookError:
    cell = f"celda {exc.exec_count}" if exc.exec_count is not None else f"celda n.° {exc.cell_index + 1}"
    first_line = next((line for line in (exc.source or "").splitlines() if line.strip()), "")
    where = f" («{first_line.strip()[:80]}»)" if first_line else ""
    return NotebookError(f"el cuaderno «{name}» falló en la {cell}{where}: {exc.ename}: {exc.evalue}")


def run_notebook(source: str | Path, parameters: dict, cwd: str | Path | None = None,
                 output_path: str | Path | None = None, timeout: float | None = None,
                 name: str | None = None, kernel: WarmKernel | None = None, required=None):
    """Execute `source` with `parameters`; returns the executed notebook.

    Raises NotebookError for a missing `parameters` cell, a cell error, a dead
    kernel or a timeout. `output_path`, when given, receives the executed
    notebook (also when a cell failed, for debugging). `kernel`, a kernel
    started ahead with the same `cwd`, is used and then shut down.
    `required`: the parameters its `parameters` cell must define (default: all).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = Path(source)
    name = name or source.name
    nb = read_notebook(source)
    check_notebook(nb, name, parameters if required is None else required)
    cwd = str(cwd or source.parent)
    warm = {"km": kernel.km} if kernel is not None and kernel.usable(cwd) else {}
    try:
        return papermill.execute_notebook(
            str(source), str(output_path) if output_path else None, parameters=parameters,
            kernel_name=KERNEL, cwd=cwd, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, execution_timeout=timeout, extra_arguments=KERNEL_ARGUMENTS,
            shutdown_kernel="immediate",  # the notebook is done: no need to wait for a graceful exit
            **warm,
        )
    except PapermillExecutionError as exc:
        raise (_timeout_error(exc, name, timeout) or _cell_error(exc, name)) from None
    except NotebookError:
        raise
    except Exception as exc:  # dead kernel, timeout, kernel not found...
        stuck = _timeout_error(exc, name, timeout)
        if stuck is not None:
            raise stuck from None
        dead = _dead_kernel_error(exc, name)
        if dead is not None:
            raise dead from None
        raise NotebookError(f"el cuaderno «{name}» no se pudo ejecutar ({type(exc).__name__}: {exc})") from None
    finally:
        if kernel is not None:
            kernel.shutdown()


class WarmKernel:
    """A `python3` kernel started ahead of its notebook, so that its boot (a second
    or so) overlaps other work: the parent computing the metrics, or the
    rendering of the previous notebook in a batch. Its working folder is fixed
    at start; a notebook with another `cwd` gets a fresh kernel instead."""

    def __init__(self, cwd: str):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.cwd = str(cwd)
        self._run = run_sync
        self.km = AsyncKernelManager(kernel_name=KERNEL)
        run_sync(self.km.start_kernel)(cwd=self.cwd, extra_arguments=KERNEL_ARGUMENTS)

    def usable(self, cwd: str) -> bool:
        try:
            return str(cwd) == self.cwd and self._run(self.km.is_alive)()
        except Exception:
            return False

    def shutdown(self) -> None:
        try:
            if self.km.has_kernel:
                self._run(self.km.shutdown_kernel)(now=True)
        except Exception:  # the worker's SIGTERM handler kills what is left
            pass


# --------------------------------------------------------------------------- a task for a worker

@dataclass
class Task:
    """Run `source` and write the executed notebook and its HTML page into `staging`."""

    key: str          # who asked (e.g. "2020-09/situacion"), for the caller's bookkeeping
    source: str       # the notebook to run
    parameters: dict
    cwd: str
    staging: str      # folder of temporary outputs (removed if the parent dies)
    ipynb: str        # output file names inside `staging`
    html: str
    title: str
    published: dict   # `parameters` as the saved notebook shows them (final paths, not staging ones)
    published_ipynb: str  # where the executed notebook will be (its metadata says so)
    timeout: float | None = None  # seconds a cell, the HTML page or a call may run (None: limits.NOTEBOOK_TIMEOUT)
    required: tuple = ()  # parameters the notebook's `parameters` cell must define (others are optional)
    call: str = ""    # "module:function": instead of a notebook, call it with (the month, the staging folder)


@dataclass
class TaskResult:
    key: str
    ok: bool
    error: str = ""
    kind: str = ""    # "notebook" or "other" when not ok
    seconds: float = 0.0
    phases: dict | None = None  # seconds of each phase ("cuaderno", "html"), for `make bench`'s profile


def _audit_copy(nb, published: dict, path: str) -> str:
    """The executed notebook as saved at `path`: its parameters as published (metrics.json
    in the month's folder, where it is renamed to, not the staging folder it was read from)."""
    import nbformat
    from papermill.translators import translate_parameters

    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters(KERNEL, "python", published, "Parameters")
    nb.metadata.setdefault("papermill", {}).update(parameters=published, output_path=path)
    return nbformat.writes(nb)


def run_task(task: Task, warm_next: bool = False) -> TaskResult:
    """Execute and render one notebook (runs in a worker process).

    Uses the worker's warm kernel when its folder matches, and with
    `warm_next` starts the next one before rendering this notebook.
    """
    from .render import notebook_to_html

    global _STAGING, _WARM
    _STAGING = task.staging
    started = time.perf_counter()
    kernel = None
    limit = task.timeout or _default_timeout()
    try:
        if task.call:
            _call(task, limit)
            return TaskResult(task.key, True, seconds=time.perf_counter() - started)
        kernel, _WARM = _WARM, None
        nb = run_notebook(task.source, task.parameters, cwd=task.cwd, name=Path(task.source).name,
                          kernel=kernel, timeout=limit, required=task.required or None)
        executed = time.perf_counter()
        if warm_next:
            _warm_up(task.cwd)
        with time_limit(limit, f"la página HTML de «{Path(task.source).name}» ({task.title})"):
            html = notebook_to_html(nb, task.title)
        staging = Path(task.staging)
        write_atomic(staging / task.ipynb, _audit_copy(nb, task.published, task.published_ipynb))
        write_atomic(staging / task.html, html)
        done = time.perf_counter()
        return TaskResult(task.key, True, seconds=done - started,
                          phases={"cuaderno": executed - started, "html": done - executed})
    except NotebookError as exc:
        return TaskResult(task.key, False, str(exc), "notebook", time.perf_counter() - started)
    except Exception as exc:  # reported by the parent, exit code 1
        from .errors import user_message

        return TaskResult(task.key, False, user_message(exc), "other", time.perf_counter() - started)
    finally:
        _STAGING = None


class _Overtime(BaseException):
    """Raised by the alarm of `time_limit` (a BaseException: no `except Exception` swallows it)."""


@contextmanager
def time_limit(seconds: float | None, what: str):
    """Stop the block after `seconds` of this process's CPU time with a Spanish `NotebookError`
    naming `what` (the month's tablero or HTML page): the same `--timeout` as a notebook cell.
    CPU time, not wall time: a drawing stuck in a runaway computation is stopped, a drawing
    that only waits for a busy machine is not. Only in a process's main thread (a worker's):
    elsewhere the block runs unbounded."""
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise _Overtime()

    previous = signal.signal(signal.SIGPROF, alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    except _Overtime:
        raise NotebookError(f"{what} superó el tiempo límite de {seconds:g} s de cálculo (un texto muy largo, o "
                            f"un cálculo demasiado largo); se detuvo. Puede dar más tiempo con --timeout "
                            f"SEGUNDOS") from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _call(task: Task, limit: float | None = None) -> None:
    """Run `task.call` on the month the parent computed (e.g. `mdrm.tablero:write`), the call
    itself under `time_limit` (its imports and the month's loading are not the drawing)."""
    import importlib

    from .view import load_view

    module, _, name = task.call.partition(":")
    function = importlib.import_module(module)
    for part in name.split("."):
        function = getattr(function, part)
    view = load_view(None, month_path=task.parameters["mes"])
    with time_limit(limit, f"el {task.key.split('/')[-1]} ({task.title})"):  # the tablero
        function(view, Path(task.staging))


def _default_timeout() -> float:
    from .limits import NOTEBOOK_TIMEOUT

    return NOTEBOOK_TIMEOUT


def _dead_kernel_error(exc, name: str) -> NotebookError | None:
    """A kernel that died (nbclient's «DeadKernelError: Kernel died»), or died while starting
    («Kernel died before replying to kernel_info»), in Spanish; None for other errors."""
    if "Kernel died before replying" in str(exc):
        return NotebookError(f"el kernel del cuaderno «{name}» murió al arrancar, antes de ejecutar nada (un "
                             f"puerto de red ocupado o un fallo del proceso de Python); el mes no se publicó y "
                             f"conserva sus archivos anteriores. Vuelva a ejecutar")
    if type(exc).__name__ == "DeadKernelError":
        return NotebookError(f"el kernel del cuaderno «{name}» murió durante la ejecución (se quedó sin memoria o "
                             f"el proceso de Python falló); el mes no se publicó y conserva sus archivos "
                             f"anteriores. Cierre otros programas o vuelva a ejecutar")
    return None


def _timeout_error(exc, name: str, timeout: float | None) -> NotebookError | None:
    """A cell that ran past the timeout (a stuck kernel too), in Spanish; None for other errors."""
    kind = getattr(exc, "ename", None) or type(exc).__name__
    if kind not in ("CellTimeoutError", "TimeoutError") and "timed out" not in str(exc).lower():
        return None
    limit = f" de {timeout:g} s" if timeout else ""
    return NotebookError(f"el cuaderno «{name}» superó el tiempo límite{limit} por celda (el kernel no "
                         f"respondía o el cálculo es demasiado largo); se detuvo el kernel. Puede dar más "
                         f"tiempo con --timeout SEGUNDOS")


# --------------------------------------------------------------------------- worker processes

_PARENT: int | None = None
_STAGING: str | None = None
_WARM: WarmKernel | None = None


def _warm_up(cwd: str | None) -> None:
    global _WARM
    if cwd and _WARM is None:
        try:
            _WARM = WarmKernel(cwd)
        except Exception:  # the task will start its own kernel
            _WARM = None


def _kill_children() -> None:
    """Kill this process's descendants (the kernel runs in its own session)."""
    try:
        import psutil

        children = psutil.Process().children(recursive=True)
    except Exception:  # psutil missing or process gone: the kernel polls its parent
        return
    for child in children:
        try:
            child.kill()
        except Exception:
            pass


def _on_term(signum, frame):
    """Stop: kill the kernel, remove the staging folder of the running task, exit.

    The SIGTERM comes from the parent giving up (it removes the staging folder
    too), from the kernel because the parent died (no one else will remove it),
    or from outside (then the task fails and the parent discards the month). In
    every case that folder will never be published, so removing it is safe.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _kill_children()
    if _STAGING:
        shutil.rmtree(_STAGING, ignore_errors=True)
    os._exit(128 + signum)


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        return


def _worker_init(parent: int, warm_cwd: str | None) -> None:
    global _PARENT
    _PARENT = parent
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    import logging

    logging.disable(logging.CRITICAL)  # nbclient's English logs ("Timeout waiting for execute reply"):
    # a failure reaches the user as the task's Spanish message, not as a log line
    signal.signal(signal.SIGTERM, _on_term)
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)
    _warm_up(warm_cwd)  # the kernel boots in its own process while this one imports
    import importlib

    for module in ("papermill", "nbconvert", "mdrm.render"):  # warm the worker while the parent computes
        importlib.import_module(module)


def _worker_main(tasks_fd: int, results_fd: int, parent: int, warm_cwd: str | None) -> None:
    """A worker: run the tasks read from one pipe, send their results on the other."""
    from multiprocessing.connection import Connection

    tasks, results = Connection(tasks_fd, writable=False), Connection(results_fd, readable=False)
    _worker_init(parent, warm_cwd)
    try:
        while True:
            try:
                message = tasks.recv()
            except (EOFError, OSError):
                break
            if message is None:
                break
            task, warm_next = message
            result = run_task(task, warm_next)
            if os.getppid() != parent:  # the parent died meanwhile: nobody will publish this
                shutil.rmtree(task.staging, ignore_errors=True)
                break
            try:
                results.send(result)
            except (BrokenPipeError, OSError):
                break
    finally:
        if _WARM is not None:
            _WARM.shutdown()


class _Worker:
    """A worker process (`python -m mdrm.execute`) and its two pipes.

    A plain subprocess rather than multiprocessing's spawn, which would re-run
    the caller's `__main__` (a script, stdin, a notebook) in every worker.
    """

    def __init__(self, parent: int, warm_cwd: str | None):
        import subprocess
        from multiprocessing.connection import Connection

        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mdrm.execute", str(task_read), str(result_write), str(parent),
                 warm_cwd or ""],
                pass_fds=(task_read, result_write), stdin=subprocess.DEVNULL)
        finally:
            os.close(task_read)
            os.close(result_write)
        self.tasks = Connection(task_write, readable=False)
        self.conn = Connection(result_read, writable=False)  # EOF when the worker dies
        self.inflight: list[Task] = []  # sent, in order: the first is running, the next waits in the pipe

    def exitcode(self) -> int | None:
        return self.process.poll()


class NotebookPool:
    """`jobs` worker processes running `Task`s, driven from the caller's thread.

    `submit` queues a task (and starts it at once if a worker is idle); `poll`
    waits up to `timeout` seconds and returns the finished tasks' results.
    While `more_expected` is true, each worker is handed its next task before
    it finishes the current one (`AHEAD`), so it never waits for the caller to
    poll (a batch's parent is busy computing months meanwhile). A worker that
    dies (killed, out of memory) fails the task it was running, its next task
    goes back to the queue, and it is replaced. `terminate()` stops everything
    now: each worker kills its kernel.

    With `warm_cwd` (the notebooks' folder), each worker starts a kernel there
    at once, before any task; while `more_expected` is true (a batch still
    submitting) or tasks are queued, a worker starts its next kernel as soon
    as its notebook has run.
    """

    def __init__(self, jobs: int, warm_cwd: str | Path | None = None):
        self.jobs = max(1, int(jobs))
        self._parent = os.getpid()
        self._warm_cwd = str(warm_cwd) if warm_cwd else None
        self._workers = [_Worker(self._parent, self._warm_cwd) for _ in range(self.jobs)]
        self._queue: list[Task] = []
        self.more_expected = False

    @property
    def busy(self) -> int:
        """Tasks queued or running."""
        return len(self._queue) + sum(len(w.inflight) for w in self._workers)

    def submit(self, task: Task) -> None:
        self._queue.append(task)
        self._dispatch()

    def _dispatch(self) -> None:
        # idle workers first; then, while the caller is busy submitting (a batch), one task ahead for each
        for depth in range((AHEAD if self.more_expected else 0) + 1):
            for worker in self._workers:
                if not self._queue:
                    return
                if len(worker.inflight) == depth:
                    task = self._queue.pop(0)
                    worker.inflight.append(task)
                    warm_next = bool(self._warm_cwd) and (self.more_expected or len(self._queue) >= self.jobs
                                                          or len(worker.inflight) > 1)
                    worker.tasks.send((task, warm_next))

    def poll(self, timeout: float | None = None) -> list[TaskResult]:
        """Results of the tasks finished within `timeout` s (None: wait for at least one)."""
        from multiprocessing.connection import wait

        running = [w for w in self._workers if w.inflight]
        if not running:
            return []
        waitables = {worker.conn: worker for worker in running}
        ready = wait(list(waitables), timeout)
        results = []
        for conn in ready:
            worker = waitables[conn]
            task = worker.inflight.pop(0)
            try:
                result = worker.conn.recv()
            except (EOFError, OSError):
                result = None
            if result is None:  # the worker died mid-task
                try:
                    worker.process.wait(2)
                except Exception:
                    pass
                code = worker.exitcode()
                how = f"señal {-code}" if code is not None and code < 0 else f"código {code}"
                result = TaskResult(task.key, False, f"el proceso del cuaderno «{Path(task.source).name}» "
                                    f"terminó inesperadamente ({how})", "other")
                self._queue[:0] = worker.inflight  # never started: another worker runs them
                worker.inflight = []
                self._replace(worker)
            results.append(result)
        self._dispatch()
        return results

    def _replace(self, dead: _Worker) -> None:
        _stop(dead)
        index = self._workers.index(dead)
        self._workers[index] = _Worker(self._parent, self._warm_cwd)

    def close(self) -> None:
        """Let idle workers exit (call when no task is left)."""
        for worker in self._workers:
            try:
                worker.tasks.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._workers:
            _stop(worker)
        self._workers = []

    def terminate(self) -> None:
        """Stop now: SIGTERM to every worker (each kills its kernel), SIGKILL if it lingers."""
        self._queue.clear()
        for worker in self._workers:
            if worker.exitcode() is None:
                worker.process.terminate()
        for worker in self._workers:
            _stop(worker)
        self._workers = []

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None and not self.busy:
            self.close()
        else:
            self.terminate()


def _stop(worker: _Worker) -> None:
    import subprocess

    try:
        worker.process.wait(5)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait(5)
    for conn in (worker.tasks, worker.conn):
        conn.close()


if __name__ == "__main__":  # a worker process (see _Worker)
    # through the imported module, so pickled tasks and results name `mdrm.execute`, not `__main__`
    from mdrm.execute import _worker_main as main
    from mdrm.execute import skip_slow_imports

    skip_slow_imports()
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] or None)
