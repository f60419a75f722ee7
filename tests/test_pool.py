"""The worker pool hands each worker its next task ahead (mdrm.execute.NotebookPool, AHEAD)."""
from __future__ import annotations

from conftest import ROOT

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"


def _task(key, call, month_file, staging):
    from mdrm.execute import Task

    return Task(key=key, source="", parameters={"mes": str(month_file)}, cwd="", staging=str(staging), ipynb="",
                html="", title="", published={}, published_ipynb="", call=f"pool_tasks:{call}")


def test_a_dead_worker_fails_its_task_and_its_next_task_runs_elsewhere(tmp_path, monkeypatch):
    from mdrm.execute import AHEAD, NotebookPool
    from mdrm.view import load_view, save_month

    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests" / "pool"))  # the workers import pool_tasks
    save_month(load_view(SEPTEMBER), tmp_path / "mes.pickle")
    assert AHEAD >= 1
    with NotebookPool(1) as pool:
        pool.more_expected = True  # as in a batch: both tasks go to the one worker at once
        pool.submit(_task("a", "die", tmp_path / "mes.pickle", tmp_path))
        pool.submit(_task("b", "mark", tmp_path / "mes.pickle", tmp_path))
        assert pool.busy == 2 and len(pool._workers[0].inflight) == 2  # the second waits in the worker's pipe
        pool.more_expected = False
        results = []
        for _ in range(10):  # bounded: a lost task must fail the test, not hang it
            results += pool.poll(30) if pool.busy else []
    by_key = {r.key: r for r in results}
    assert not by_key["a"].ok and "terminó inesperadamente (señal 9)" in by_key["a"].error
    assert by_key["b"].ok and (tmp_path / "hecho-2020-09").is_file()  # run by the replacement worker
