"""The speed targets (README.md, «Uso»: make bench), side by side in one run.

Each figure is the median of several runs; each measurement that needs its own
memory or its own process runs in a fresh Python process. Prints a table and
writes reports/bench.json as {"name": {"ratio": x, "target": y, "ok": bool, ...}}.
Not a test: timings depend on the machine; the targets are ratios so they do not.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
MDRM = [PY, "-m", "mdrm"]


def median_time(command: list[str], runs: int, env: dict | None = None, cwd: Path = ROOT) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_wall_cpu(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (the process and every process it waited for)."""
    walls, cpus = [], []
    for _ in range(runs):
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


PROFILE_CODE = """
import json
from mdrm.report import run_report
result = run_report("params/tacna/2020-09.yml", {out!r}, index=False)
print(json.dumps(result.timings))
"""


def report_profile(out: Path) -> dict:
    """Where one report's time goes: its steps, and each notebook cell as papermill timed it."""
    steps = in_process(PROFILE_CODE.format(out=str(out)))
    cells = {}
    for name in ("situacion", "destacados"):
        nb = json.loads((out / "tacna" / "2020-09" / f"{name}.ipynb").read_text(encoding="utf-8"))
        cells[name] = [
            {"celda": i, "segundos": round(c["metadata"].get("papermill", {}).get("duration") or 0.0, 3),
             "codigo": next((line for line in "".join(c["source"]).splitlines() if line.strip()), "")[:70]}
            for i, c in enumerate(nb["cells"])]
    return {"pasos_segundos": {k: round(v, 3) for k, v in steps.items()}, "celdas": cells}


def in_process(code: str) -> dict:
    """Run `code` in a fresh interpreter; it prints one JSON line."""
    done = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


LOAD_CODE = """
import json, statistics, time, pandas as pd
from mdrm.load import read_5w
path = {path!r}
bare, ours = [], []
for _ in range({runs}):
    t = time.perf_counter(); pd.read_excel(path, engine="calamine"); bare.append(time.perf_counter() - t)
    t = time.perf_counter(); read_5w(path); ours.append(time.perf_counter() - t)
print(json.dumps({{"bare": statistics.median(bare), "mdrm": statistics.median(ours)}}))
"""

METRICS_CODE = """
import json, resource, statistics, time, yaml
from mdrm.params import load_params
from mdrm.load import read_5w
from mdrm.metrics import compute, load_month
params = load_params({params!r})
fivew = read_5w(params.data_path)
times = []
for _ in range({runs}):
    t = time.perf_counter(); compute(load_month(params, fivew)); times.append(time.perf_counter() - t)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": statistics.median(times), "peak_bytes": peak}}))
"""


def write_params(folder: Path, data: Path, name: str = "2020-09.yml") -> Path:
    path = folder / name
    path.write_text(f'region: Tacna\nmes: "2020-09"\ndatos: {data}\n'
                    "deduplicacion: {metodo: maximo, nivel: admin2}\n", encoding="utf-8")
    return path


def synthetic(rows: int, path: Path, one_region: bool, regional: bool = False) -> None:
    """A synthetic 5W in a fresh process: Peru's regions (one of them with `one_region`), or R4V's
    regional export in shape (`regional`: 17 countries, 5 months)."""
    code = (
        "import sys; sys.path.insert(0, 'bench'); import synthetic as s\n"
        + ("s.REGIONS[:] = ['Tacna']\n" if one_region else "")
        + (f"f = s.synthetic_regional_5w({rows})\n" if regional else f"f = s.synthetic_5w({rows})\n")
        + (f"f.to_excel({str(path)!r}, index=False, sheet_name='5W')" if path.suffix == ".xlsx"
           else f"f.to_csv({str(path)!r}, index=False)")
    )
    subprocess.run([PY, "-c", code], check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description="Mide los objetivos de velocidad del kit (README.md, «Uso»).")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="menos repeticiones (para probar el script)")
    parser.add_argument("--solo", help="solo estas mediciones, separadas por comas (p. ej. "
                                       "consolidado_vs_lectura,metricas_1M_filas)")
    args = parser.parse_args()
    only = set(args.solo.split(",")) if args.solo else None

    def wanted(*names: str) -> bool:
        return only is None or bool(only & set(names))

    runs = 2 if args.quick else args.runs
    results: dict[str, dict] = {}
    work = Path(tempfile.mkdtemp(prefix="mdrm-bench-"))
    try:
        # 1. Loading a 22,500-row regional xlsx vs a bare calamine read.
        if wanted("carga_xlsx_22500"):
            xlsx = work / "5w_22500.xlsx"
            synthetic(22_500, xlsx, one_region=False)
            load = in_process(LOAD_CODE.format(path=str(xlsx), runs=runs * 2))
            results["carga_xlsx_22500"] = {"ratio": load["mdrm"] / load["bare"], "target": 1.2,
                                          "seconds": load["mdrm"], "floor_seconds": load["bare"]}

        # 1b. R4V's consolidated table of a regional export (22,500 rows, 17 countries, 5 months), whole
        # process, vs a bare process that imports pandas and reads the same file with calamine.
        if wanted("consolidado_vs_lectura"):
            regional = work / "5w_regional_22500.xlsx"
            synthetic(22_500, regional, one_region=False, regional=True)
            bare, bare_cpu = median_wall_cpu(
                [PY, "-c", f"import pandas as pd; pd.read_excel({str(regional)!r}, engine='calamine')"], runs)
            ours, ours_cpu = median_wall_cpu(MDRM + ["consolidado", "--datos", str(regional), "-o",
                                                     str(work / "consolidado.xlsx")], runs)
            results["consolidado_vs_lectura"] = {"ratio": ours / bare, "target": 2.5, "seconds": ours,
                                                 "cpu_seconds": ours_cpu, "floor_seconds": bare,
                                                 "floor_cpu_seconds": bare_cpu}

        # 2. Metrics of one month, 1,000,000 and 100,000 rows, all in one region (worst case).
        if wanted("metricas_1M_filas", "memoria_pico_1M_filas", "crecimiento_lineal_100k_a_1M"):
            per_size = {}
            for rows in (100_000, 1_000_000):
                csv = work / f"5w_{rows}.csv"
                synthetic(rows, csv, one_region=True)
                per_size[rows] = in_process(METRICS_CODE.format(
                    params=str(write_params(work, csv, f"p{rows}.yml")), runs=runs))
            big, small = per_size[1_000_000], per_size[100_000]
            results["metricas_1M_filas"] = {"ratio": big["seconds"] / 2.0, "target": 1.0, "seconds": big["seconds"],
                                            "limit_seconds": 2.0}
            results["memoria_pico_1M_filas"] = {"ratio": big["peak_bytes"] / 2**31, "target": 1.0,
                                                "peak_gib": big["peak_bytes"] / 2**30}
            # linear growth: 10x the rows should cost at most ~10x the time (1.5 margin for fixed costs)
            growth = big["seconds"] / small["seconds"]
            results["crecimiento_lineal_100k_a_1M"] = {"ratio": growth / 10, "target": 1.5,
                                                       "seconds_100k": small["seconds"], "seconds_1M": big["seconds"]}

        # 3. One report end to end vs the floor (papermill + nbconvert on an empty notebook).
        # The CPU seconds say how much work each does: on 2 cores, the wall time cannot go below half of it.
        if wanted("reporte_vs_piso"):
            out = work / "reports"
            report, report_cpu = median_wall_cpu(
                MDRM + ["report", "--params", "params/tacna/2020-09.yml", "--out", str(out)], runs)
            floor, floor_cpu = median_wall_cpu([PY, str(ROOT / "bench" / "floor.py"), str(work / "floor")], runs)
            results["reporte_vs_piso"] = {"ratio": report / floor, "target": 1.5, "seconds": report,
                                          "floor_seconds": floor, "cpu_seconds": report_cpu,
                                          "floor_cpu_seconds": floor_cpu, "cores": os.cpu_count(),
                                          "perfil": report_profile(work / "profile")}

        # 4. Batch of 12 months, --jobs 2 vs --jobs 1.
        if wanted("batch_12_meses_jobs2_vs_jobs1"):
            batch = {}
            for jobs in (1, 2):
                batch[jobs] = median_time(MDRM + ["batch", "--params-dir", "params/tacna", "--jobs", str(jobs),
                                                  "--out", str(work / f"batch{jobs}")], max(1, (runs + 1) // 2))  # 3 runs: a batch varies by seconds
            results["batch_12_meses_jobs2_vs_jobs1"] = {"ratio": batch[1] / batch[2], "target": 1.6,
                                                        "seconds_jobs1": batch[1], "seconds_jobs2": batch[2],
                                                        "higher_is_better": True}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    for r in results.values():
        r["ok"] = r["ratio"] >= r["target"] if r.get("higher_is_better") else r["ratio"] <= r["target"]
    out_file = ROOT / "reports" / "bench.json"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{'medición':34} {'razón':>8} {'objetivo':>9}  ok")
    for name, r in results.items():
        sign = "≥" if r.get("higher_is_better") else "≤"
        print(f"{name:34} {r['ratio']:8.2f} {sign}{r['target']:8.2f}  {'sí' if r['ok'] else 'NO'}")
    profile = results.get("reporte_vs_piso", {}).get("perfil")
    if profile:
        r = results["reporte_vs_piso"]
        print(f"\nUn reporte: {r['seconds']:.2f} s ({r['cpu_seconds']:.2f} s de CPU) frente al piso "
              f"{r['floor_seconds']:.2f} s ({r['floor_cpu_seconds']:.2f} s de CPU), {r['cores']} núcleos.")
        print("Pasos (s): " + ", ".join(f"{k} {v:.2f}" for k, v in profile["pasos_segundos"].items()))
        for name, cells in profile["celdas"].items():
            slow = [c for c in cells if c["segundos"] >= 0.05]
            print(f"Celdas de {name} de 0.05 s o más: "
                  + "; ".join(f"[{c['celda']}] {c['segundos']:.2f} s {c['codigo']}" for c in slow))
    print(f"Escrito: {out_file.relative_to(ROOT)}")
    sys.exit(0 if all(r["ok"] for r in results.values()) else 1)


if __name__ == "__main__":
    main()
