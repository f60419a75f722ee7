"""The sample September 2020, pinned: every figure and every table, as `make report` writes them.

The redesign of the run side (one computation per month) must change no
figure of the sample: this test compares the `metrics.json` and the
`tablas.xlsx` of a real `mdrm report` run with the golden files under
tests/golden/tacna-2020-09/, written before the redesign.

Pinned: the figures of metrics.json (FIGURE_KEYS) and every sheet of
tablas.xlsx except the quality ones (QUALITY_SHEETS), which the quality rules
of other changes extend on purpose. A sheet added later is not pinned until
the golden files are written again. To write them again, on purpose, after a
change that is meant to move a figure (say which in the commit):

    python tests/test_golden.py      (with the Python of .venv, where mdrm is installed)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden" / "tacna-2020-09"
FIGURE_KEYS = ("people_reached", "by_sex_age", "subgroups", "sectors", "key_figures", "organizations", "ytd",
               "previous_month")
QUALITY_SHEETS = ("Calidad por organización", "Calidad de datos")


def figures(metrics: dict) -> dict:
    return {key: metrics[key] for key in FIGURE_KEYS}


def sheets(path: Path) -> dict[str, list[list]]:
    """Every pinned sheet of a workbook: its cells as values, row by row (header row included; the
    caption and note above it are the records' texts, not figures)."""
    from openpyxl import load_workbook

    from mdrm.workbook import CAPTION_ROWS

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            name: [list(row) for row in book[name].iter_rows(min_row=CAPTION_ROWS + 1, values_only=True)]
            for name in book.sheetnames if name not in QUALITY_SHEETS
        }
    finally:
        book.close()


def _read(name: str):
    return json.loads((GOLDEN / name).read_text(encoding="utf-8"))


def test_sample_september_figures_are_the_golden_ones():
    from report_runs import sample_report

    metrics = json.loads((sample_report() / "metrics.json").read_text(encoding="utf-8"))
    golden = _read("metrics.json")
    assert set(golden) == set(FIGURE_KEYS)
    for key in FIGURE_KEYS:
        assert metrics[key] == golden[key], key


def test_sample_september_tables_are_the_golden_ones():
    from report_runs import sample_report

    written = sheets(sample_report() / "tablas.xlsx")
    golden = _read("tablas.json")
    assert len(golden) >= 10
    missing = sorted(set(golden) - set(written))
    assert not missing, f"hojas que ya no están en tablas.xlsx: {missing}"
    for name, rows in golden.items():
        assert written[name] == rows, name


def test_golden_files_hold_the_seed_figures():
    # the golden files are the sample's, not any run's: they carry the seed's figures
    golden = _read("metrics.json")
    assert golden["people_reached"]["total"] == 2953
    assert golden["key_figures"]["usd_distribuidos"] == 86348
    tables = _read("tablas.json")
    assert ["Total", 2953] in [row[:2] for row in tables["Población alcanzada"]]


def write_golden() -> None:
    """Run `mdrm report` on the sample September and write the golden files from it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from report_runs import sample_report

    month = sample_report()
    metrics = json.loads((month / "metrics.json").read_text(encoding="utf-8"))
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / "metrics.json").write_text(json.dumps(figures(metrics), ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    # one row of a sheet per line, so a diff shows the rows that changed
    blocks = []
    for name, rows in sheets(month / "tablas.xlsx").items():
        lines = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in rows)
        blocks.append(f" {json.dumps(name, ensure_ascii=False)}: [\n{lines}\n ]")
    (GOLDEN / "tablas.json").write_text("{\n" + ",\n".join(blocks) + "\n}\n", encoding="utf-8")
    print(f"escritos {GOLDEN}/metrics.json y tablas.json")


if __name__ == "__main__":
    write_golden()
