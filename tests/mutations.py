"""Introduce each bug of the safety net alone and show that some test fails.

Not a test (pytest does not collect it): a check to run by hand after moving
code, e.g. during a redesign, with the project's Python:

    python tests/mutations.py            # every mutation
    python tests/mutations.py limit_ge   # one

For each mutation it copies the project (without .venv, .git, reports) to a
temporary folder, replaces one exact piece of code there, runs the tests that
must catch it, and reports which failed. The project itself is never touched.
A mutation whose code is no longer found is reported as such: write it again
for the new code, it is still a bug the suite must catch.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ["tests/test_safety_net.py", "tests/test_html.py", "tests/test_sample_months.py", "tests/test_golden.py"]

# name -> (file, code as it is, code with the bug)
MUTATIONS = {
    "by_org_dups": (
        "mdrm/metrics.py",
        'rows = md.rows[(md.rows["duplicate_of"] == 0) & (md.rows["org_key"].astype(str) != "")]',
        'rows = md.rows[(md.rows["org_key"].astype(str) != "")]'),
    "ytd_sector_excluded": (
        "mdrm/metrics.py",
        'sector_figures(ytd_rows[ytd_rows["counted"]], "nuevos")',
        'sector_figures(ytd_rows, "nuevos")'),
    "q01_no_tolerance": (
        "mdrm/quality.py",
        'add("Q01", (pop_sum > 0) & neither(pop_sum), against(pop_sum))',
        'add("Q01", (pop_sum > 0) & ((pop_sum - new).abs() > 0) & ((pop_sum - total).abs() > 0), against(pop_sum))'),
    "q02_no_tolerance": (
        "mdrm/quality.py",
        'add("Q02", has_people & neither(age_sum), against(age_sum))',
        'add("Q02", has_people & ((age_sum - new).abs() > 0) & ((age_sum - total).abs() > 0), against(age_sum))'),
    "limit_ge": (
        "mdrm/load.py",
        "(numbers > MAX_NUMBER)",
        "(numbers >= MAX_NUMBER)"),
    "sex_age_all_rows": (
        "mdrm/metrics.py",
        "age_raw = sex_age_values(counted, p.basis, catalog).sum()",
        "age_raw = sex_age_values(rows, p.basis, catalog).sum()"),
    "html_members_99": (
        "mdrm/html.py",
        'esc(fmt.number(orgs["members"]))',
        "esc(fmt.number(99))"),
    "html_kits_72": (
        "mdrm/html.py",
        "label, value, before = row[0], row[1], row[2]",
        "label, value, before = row[0], (72 if row[0].startswith('Kits') else row[1]), row[2]"),
}


def run(name: str) -> tuple[str, list[str]]:
    path, before, after = MUTATIONS[name]
    with tempfile.TemporaryDirectory(prefix=f"mdrm-mutation-{name}-") as tmp:
        copy = Path(tmp) / "mdrm-copia"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "reports", "__pycache__",
                                                                   ".pytest_cache", ".ruff_cache", ".hypothesis"))
        target = copy / path
        code = target.read_text(encoding="utf-8")
        if code.count(before) != 1:
            return "código no encontrado", []
        target.write_text(code.replace(before, after), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CHECKS],
                              cwd=copy, capture_output=True, text=True, timeout=900)
        failed = [line.split(" ")[1] for line in done.stdout.splitlines() if line.startswith("FAILED ")]
        return ("detectado" if failed else "NO DETECTADO"), failed


def main(names: list[str]) -> int:
    missed = 0
    for name in names or list(MUTATIONS):
        verdict, failed = run(name)
        missed += verdict != "detectado"
        print(f"{name}: {verdict}")
        for test in failed[:5]:
            print(f"    {test}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
