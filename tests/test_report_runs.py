"""The test suite's own machinery (tests/report_runs.py, tests/conftest.py), as `make test` uses it:
a shared report run is made once for every pytest-xdist worker, and the tests are spread so that a
module-scoped fixture is made once."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, xdist_scope

# Two processes ask for the same run at once, as two xdist workers do. `run_cli` is replaced by a
# run that takes a second and writes down who made it; `ok` says whether it succeeds.
ASKER = """
import subprocess, sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
import report_runs

folder, ok = Path(sys.argv[1]), sys.argv[2] == "ok"
report_runs.begin_session(folder)

def run_cli(*args, timeout=300):
    out = Path(args[args.index("--out") + 1])
    with open(folder / "made-by.txt", "a") as log:
        log.write("run\\n")
    time.sleep(1)
    (out / "tacna" / "2020-09").mkdir(parents=True)
    return subprocess.CompletedProcess(args, 0 if ok else 3, "", "la corrida falló a propósito")

report_runs.run_cli = run_cli
print(report_runs._report("una", lambda: Path("p.yml")))
"""


def ask_twice(tmp_path: Path, outcome: str) -> list[subprocess.CompletedProcess]:
    script = tmp_path / "asker.py"
    script.write_text(ASKER.format(tests=str(ROOT / "tests")), encoding="utf-8")
    folder = tmp_path / "runs"
    folder.mkdir()
    askers = [subprocess.Popen([sys.executable, str(script), str(folder), outcome], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    done = []
    for asker in askers:
        out, err = asker.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(asker.args, asker.returncode, out, err))
    return done


@pytest.mark.skipif(sys.platform == "win32", reason="the lock between workers is POSIX (fcntl)")
def test_two_workers_share_one_run(tmp_path):
    first, second = ask_twice(tmp_path, "ok")
    assert first.returncode == second.returncode == 0, (first.stderr, second.stderr)
    assert first.stdout == second.stdout == f"{tmp_path / 'runs' / 'una' / 'tacna' / '2020-09'}\n"
    assert (tmp_path / "runs" / "made-by.txt").read_text() == "run\n"  # made once


@pytest.mark.skipif(sys.platform == "win32", reason="the lock between workers is POSIX (fcntl)")
def test_a_failed_shared_run_fails_both_workers_without_running_again(tmp_path):
    first, second = ask_twice(tmp_path, "fails")
    for done in (first, second):
        assert done.returncode != 0
        assert "mdrm report falló (3)" in done.stderr and "la corrida falló a propósito" in done.stderr
    assert (tmp_path / "runs" / "made-by.txt").read_text() == "run\n"


def test_a_module_with_a_module_fixture_is_one_unit_of_work_the_others_spread():
    # test_report.py makes its fixture-notebook report once per module; test_hostile.py has none
    assert 'scope="module"' in (ROOT / "tests" / "test_report.py").read_text(encoding="utf-8")
    assert "scope=" not in (ROOT / "tests" / "test_hostile.py").read_text(encoding="utf-8")
    for test in ("test_metrics_json_is_the_months_metrics", "test_sample_report_writes_the_six_files"):
        assert xdist_scope(ROOT, f"tests/test_report.py::{test}") == "tests/test_report.py"
    nodeid = "tests/test_hostile.py::test_stuck_kernel_is_killed_and_previous_files_stay"
    assert xdist_scope(ROOT, nodeid) == nodeid
    assert xdist_scope(ROOT, "tests/test_errors.py::test_x[a::b]") == "tests/test_errors.py::test_x[a::b]"
