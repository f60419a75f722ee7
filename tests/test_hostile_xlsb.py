"""Hostile .xlsb workbooks (issue 21): built record by record with `tests/xlsb.py`.

The writer is first proved on a good month: the .xlsb reads to the very data and figures of the same
rows saved as .xlsx. Then the bombs, each a few hundred KB at most, run in a child process under a
3 GB address-space cap, bounded by a subprocess timeout (never a wall-clock assert): each ends in
exit 2 with a Spanish message naming the file, never 134 or a traceback; a batch with one such
month writes the others, its summary and the index.
"""
from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import xlsb
from conftest import ROOT, rows_frame
from test_hostile_read import mdrm, tacna_rows
from test_hostile_run import _cap_memory, _driver, three_month_params
from test_hostile import good_rows, write_params

from mdrm.errors import InputError
from mdrm.load import read_5w
from mdrm.metrics import compute, load_month
from mdrm.params import load_params


def _rows(frame: pd.DataFrame) -> list[list]:
    """A frame's header and cells as lists (a blank cell: no cell)."""
    return [list(frame.columns), *frame.astype(object).where(frame.notna(), None).values.tolist()]


def _month(tmp_path: Path) -> pd.DataFrame:
    """12 Tacna rows of 10 people (tacna_rows: people 120, organizations 12), one with 7.5 new
    beneficiaries (a number that is not an RK integer): new beneficiaries 11 × 10 + 7.5 = 117.5."""
    rows = tacna_rows()
    rows[3]["new_beneficiaries"] = 7.5
    return rows_frame(rows)


# --------------------------------------------------------------------------- the writer, proved on a good month

@pytest.mark.parametrize("shared", [True, False], ids=["textos_compartidos", "textos_en_celda"])
def test_a_good_xlsb_reads_as_the_same_rows_in_xlsx(tmp_path, month_params, shared):
    frame = _month(tmp_path)
    book = xlsb.write_rows(tmp_path / "5w.xlsb", _rows(frame), shared=shared)
    same = tmp_path / "5w.xlsx"
    frame.to_excel(same, index=False, sheet_name="5W")
    from_xlsb, from_xlsx = read_5w(book), read_5w(same)
    assert from_xlsb.source.sheet == "5W" and len(from_xlsb.data) == 12
    pd.testing.assert_frame_equal(from_xlsb.data, from_xlsx.data)  # every cell, every dtype
    assert from_xlsb.data["new_beneficiaries"].sum() == 117.5  # the 7.5 of row 5 (a BrtCellReal) kept
    figures = {}
    for path in (book, same):
        figures[path.suffix] = compute(load_month(load_params(month_params(path, name=f"{path.stem}{path.suffix}.yml"))))
    for month in figures.values():
        assert month.pop("source")["file"].startswith("5w.")  # the one difference: the file read
    assert figures[".xlsb"] == figures[".xlsx"]
    assert figures[".xlsb"]["people_reached"]["total"] == 120  # 12 rows × 10 in «permanencia»
    assert figures[".xlsb"]["organizations"]["reporting"] == 12


def test_a_huge_declared_dimension_alone_reads_right(tmp_path):
    """BrtWsDim says A1:XFD1048576, the cells are A1:AC13: the reader sizes the sheet by its cells (the
    dimension only reserves memory when small), so the month reads whole, as the .xlsx of its rows."""
    frame = _month(tmp_path)
    rows = _rows(frame)
    body = list(xlsb.rows_records(rows, None))
    book = xlsb.write(tmp_path / "dimension.xlsb", body, xlsb.dimension(0, 1_048_575, 0, 16_383))
    assert read_5w(book).data["new_beneficiaries"].sum() == 117.5


# --------------------------------------------------------------------------- bombs under 3 GB

def _far_cell(path: Path, row: int, column: int) -> Path:
    """The good month plus one number in (row, column), 0-based; the dimension says so too."""
    rows = _rows(rows_frame(good_rows()))
    strings: dict[str, int] = {}
    body = [*xlsb.rows_records(rows, strings), xlsb.row_header(row), xlsb.number_cell(column, 7)]
    return xlsb.write(path, body, xlsb.dimension(0, row, 0, max(column, len(rows[0]) - 1)), list(strings))


def _repeated(path: Path, rows: int, columns: int) -> Path:
    """A header cell, then `rows` rows of `columns` number cells (RK 1): the same bytes each row, so
    millions of cells deflate about 100 times (9 million cells: 1.2 MB)."""
    cells = b"".join(xlsb.number_cell(c, 1) for c in range(columns))
    body = (xlsb.row_header(r) + cells for r in range(1, rows + 1))
    header = xlsb.row_header(0) + xlsb.string_cell(0, "Mes")
    return xlsb.write(path, [header, *body], xlsb.dimension(0, rows, 0, columns - 1))


BOMBS = {
    # a value in XFD1048576: the reader would allocate 1,048,576 × 16,384 cells and abort
    "celda_XFD1048576": (lambda d: _far_cell(d / "lejos.xlsb", 1_048_575, 16_383), "(XFD1048576)"),
    # a value in column 16,384 of row 3
    "columna_16384": (lambda d: _far_cell(d / "ancha.xlsb", 2, 16_383), "(XFD3)"),
    # a value in column 4,294,967,296 (the largest a record holds): the reader's area overflowed and it
    # gave no cells at all («la hoja está vacía»)
    "columna_2_32": (lambda d: _far_cell(d / "enorme.xlsb", 2, 0xFFFF_FFFF), "(MWLQKWV3)"),
    # a value on row 1,048,577, past Excel's last row
    "fila_1048577": (lambda d: _far_cell(d / "honda.xlsb", 1_048_576, 0), "(la fila 1,048,577)"),
    # a value in ZZ100001: within the rows and columns, 100,001 × 702 cells past the 60,000,000 the kit reads
    "area_70_millones": (lambda d: _far_cell(d / "area.xlsb", 100_000, 701), "100,001 filas × 702 columnas"),
    # 9 million number cells, 9,001 × 1,000
    "9_millones": (lambda d: _repeated(d / "nueve.xlsb", 9_000, 1_000), "(AAA2, AAB2, AAC2, AAD2, AAE2 y más)"),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_every_xlsb_bomb_ends_with_exit_2_under_a_3_gb_cap(tmp_path, bomb):
    build, said = BOMBS[bomb]
    path = build(tmp_path)
    assert path.stat().st_size < 2 << 20  # a small file (the point of a bomb)
    done = mdrm("validate", str(path), timeout=300)  # the bound is the timeout, not a wall-clock assert
    assert done.returncode == 2, (done.returncode, done.stderr[-800:])  # never 134 (abort), never 1
    assert f"archivo «{path.name}»" in done.stderr and said in done.stderr
    for english in ("Traceback", "panicked", "memory allocation", "Aborted"):
        assert english not in done.stderr


def test_a_row_past_the_last_one_is_refused_not_the_rows_after_it_lost(tmp_path):
    """The reader stops reading at a row numbered past 1,048,577: 12 rows of 10 people read as 5 rows and
    50 people, exit 0 (a smaller figure, no warning). The kit names the row instead (exit 2)."""
    rows = _rows(rows_frame(tacna_rows()))
    body = [*xlsb.rows_records(rows[:6], None), xlsb.row_header(0x200000),
            *xlsb.rows_records([[None]] * 6 + rows[6:], None)]
    book = xlsb.write(tmp_path / "cortada.xlsb", body, xlsb.dimension(0, 12, 0, 29))
    with pytest.raises(InputError, match=r"celdas muy lejos del resto \(la fila 2,097,153\)") as caught:
        read_5w(book)
    assert caught.value.file.name == "cortada.xlsb" and caught.value.sheet == "5W"


def test_a_batch_with_an_xlsb_bomb_month_writes_the_others(tmp_path):
    folder = three_month_params(tmp_path)
    bomb = _far_cell(tmp_path / "lejos.xlsb", 1_048_575, 16_383)
    write_params(folder / "2020-09.yml", bomb)
    out = tmp_path / "out"
    done = subprocess.run([*_driver(), "batch", "--params-dir", str(folder), "--out", str(out), "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, preexec_fn=_cap_memory)
    assert done.returncode == 2, done.stderr
    assert re.search(r"^Resumen: 2 de 3 meses escritos en \d+ s, 1 con error\.$", done.stdout, re.M)
    assert re.search(r"^  2020-09  ERROR    \(2020-09\.yml\) archivo «lejos\.xlsb»", done.stdout, re.M)
    assert f"Índice: {out / 'p' / 'index.html'}" in done.stdout
    for english in ("Traceback", "panicked", "memory allocation", "Aborted"):
        assert english not in done.stderr + done.stdout
    assert sorted(p.name for p in (out / "p").iterdir()) == ["2020-08", "2020-10", "index.html"]
    index = (out / "p" / "index.html").read_text(encoding="utf-8")
    assert 'href="2020-08/situacion.html"' in index and 'href="2020-10/situacion.html"' in index


def test_the_writer_encodes_record_headers_as_biff12():
    """Type and size: 7 bits a byte, low bits first, the high bit set when a byte follows (MS-XLSB 2.1.4)."""
    assert xlsb.record(0x94, b"\x00" * 16)[:3] == b"\x94\x01\x10"  # BrtWsDim: 0x94 takes two bytes
    assert xlsb.record(0x00, b"\x00" * 200)[:3] == b"\x00\xc8\x01"  # size 200 = 0x48 | 1 << 7
    assert xlsb.number_cell(3, 10)[2:] == struct.pack("<IIi", 3, 0, (10 << 2) | 2)  # an RK integer


# --------------------------------------------------------------------------- one child reads, once

@pytest.mark.parametrize("how", ["read_5w", "read_safely"])
def test_an_xlsb_is_opened_once_in_one_child(tmp_path, monkeypatch, how):
    """The reader opens the workbook once, in a child of this process (not in a grandchild, not here):
    `read_5w` forks for an .xlsb, and inside `read_safely`'s child (the commands) it reads in place."""
    import os

    import python_calamine

    from mdrm.isolate import read_safely

    real = python_calamine.CalamineWorkbook
    log = tmp_path / "aperturas.txt"

    class Counted:
        @staticmethod
        def from_filelike(handle):
            with open(log, "a", encoding="ascii") as out:
                out.write(f"{os.getpid()} {os.getppid()}\n")
            return real.from_filelike(handle)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Counted)
    book = xlsb.write_rows(tmp_path / "5w.xlsb", _rows(_month(tmp_path)))
    fivew = read_5w(book) if how == "read_5w" else read_safely(read_5w, book)
    assert fivew.data["new_beneficiaries"].sum() == 117.5
    opened = [tuple(map(int, line.split())) for line in log.read_text(encoding="ascii").splitlines()]
    assert len(opened) == 1 and opened[0][0] != os.getpid() and opened[0][1] == os.getpid()
