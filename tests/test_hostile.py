"""Hostile and broken input: no live formula, no crash, no hang, bounded memory,
a Spanish message and the right exit code for every failure.

The bombs are generated in tmp_path in a fraction of a second (a zip of a few KB
that declares gigabytes) and the commands run in a child process under a memory
cap (`resource.setrlimit(RLIMIT_AS)`), so a check that stopped working shows as
a child killed for memory or a timeout, not as a slow test.
"""
from __future__ import annotations

import csv
import errno
import json
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from conftest import ROOT, rows_frame
from report_runs import OUTPUTS, fixture_content

from mdrm import explore, limits
from mdrm.errors import user_message
from mdrm.iorw import FORMULA_START, csv_safe, neutralize

PY = sys.executable
MEMORY_CAP = 3 << 30  # virtual memory of the child: enough for Python and pandas, far from any bomb
TRIGGERS = ["=HYPERLINK(\"http://x\",\"clic\")", "=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3", "@SUM(1)",
            "\t=1+1", "\r=1+1"]


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def mdrm(*args: str, cwd: Path = ROOT, timeout: float = 120, cap: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "mdrm", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_cap_memory if cap else None)


def good_rows(**extra) -> list[dict]:
    base = {"month": "2020-09", "sector": "Shelter", "activity_name": "Personas apoyadas con albergue",
            "quantity": 10, "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}
    return [{**base, **extra}, {**base, "appealing_org": "Org B", "month": "2020-08"}]


def write_params(path: Path, data: Path, **keys) -> Path:
    content = {"region": "Tacna", "mes": path.stem, "datos": str(data), **keys}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. no live formula

def test_neutralize_follows_owasp():
    for text in TRIGGERS + ["\uff1dSUM(1)"]:
        # after the CR starts a line that is a formula too (issue 21: every line of a cell)
        assert neutralize(text) == "'" + text.replace("\r=", "\r'=")
    for value in ("Org A", "Cáritas", "", " =1", 12, -5.0, None):
        assert neutralize(value) == value
    frame = pd.DataFrame({"=nombre": ["=1+1", "ok", None], "n": [-1, 2, 3],
                          "c": pd.Categorical(["@x", "-y", "z"])})
    safe = csv_safe(frame)
    assert list(safe.columns) == ["'=nombre", "n", "c"]
    assert safe.iloc[:, 0].tolist()[:2] == ["'=1+1", "ok"] and pd.isna(safe.iloc[2, 0])
    assert safe["n"].tolist() == [-1, 2, 3]  # numbers stay numbers, negative ones too
    assert safe["c"].tolist() == ["'@x", "'-y", "z"]
    assert frame.iloc[0, 0] == "=1+1"  # the caller's table is not changed


def _hostile_rows() -> list[dict]:
    rows = []
    for number, text in enumerate(t for t in TRIGGERS if not t.startswith("\r")):  # (CR: unit test above)
        rows.append({"month": "2020-09", "appealing_org": text, "implementing_partner": text,
                     "activity_name": text, "admin2": text, "sector": "Shelter", "quantity": number + 1,
                     "total_monthly": number + 1, "new_beneficiaries": number + 1, "permanencia": number + 1,
                     "mujeres": number + 1})
    return rows


def _assert_no_formula(path: Path) -> int:
    book = openpyxl.load_workbook(path)
    texts = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name} {sheet.title}!{cell.coordinate}: {cell.value!r}"
                texts += isinstance(cell.value, str) and cell.value.startswith(tuple(FORMULA_START))
    return texts


def _assert_csv_neutral(path: Path) -> None:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for record in csv.reader(handle):
            for cell in record:
                assert not cell.startswith(FORMULA_START), f"{path.name}: celda {cell!r}"


def test_exploration_export_has_no_live_formula(tmp_path, month_params):
    data = tmp_path / "5w.csv"  # (an xlsx written by pandas would hold them as formulas already)
    rows_frame(_hostile_rows()).to_csv(data, index=False)
    ex = explore.load_exploration(month_params(data))
    csv_path, xlsx_path = explore.export_rows(ex, explore.Selection(), tmp_path / "exploracion")
    _assert_csv_neutral(csv_path)
    # every payload is in the CSV, neutralized, not dropped
    text = csv_path.read_text(encoding="utf-8-sig")
    assert text.count("'=HYPERLINK") == 4 and "'@SUM(1)" in text and "'-2+3" in text
    assert _assert_no_formula(xlsx_path) >= 3 * len(TRIGGERS)  # the names are there, as text
    frame = pd.read_excel(xlsx_path, sheet_name="Filas", engine="calamine")
    assert set(frame["Socio principal Nombre"]) == {t.strip() for t in TRIGGERS if not t.startswith("\r")}


def test_report_tables_xlsx_has_no_live_formula(tmp_path, month_params):
    from mdrm.workbook import write_tables
    from mdrm.tables import report_tables
    from mdrm.view import load_view

    data = tmp_path / "5w.csv"
    rows_frame(_hostile_rows()).to_csv(data, index=False)
    view = load_view(month_params(data, deduplicacion={"metodo": "maximo", "nivel": "admin2"}))
    path = tmp_path / "tablas.xlsx"
    write_tables(report_tables(view), path)
    assert _assert_no_formula(path) >= len(TRIGGERS)
    book = openpyxl.load_workbook(path)
    values = {c.value for s in book.worksheets for r in s.iter_rows() for c in r}
    assert "=HYPERLINK(\"http://x\",\"clic\")" in values  # kept as written, as text


def test_validate_workbooks_have_no_live_formula(tmp_path, capsys):
    """`validate -o` and `--por-organizacion`: every name that would start a formula stays text."""
    from mdrm.cli import main

    rows = _hostile_rows()
    for row in rows:
        row["new_beneficiaries"] = row["total_monthly"] + 5  # Q03 on every row: every organization has issues
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    summary, folder = tmp_path / "validacion.xlsx", tmp_path / "por-organizacion"
    assert main(["validate", str(data), "-o", str(summary), "--por-organizacion", str(folder)]) == 0
    capsys.readouterr()
    assert _assert_no_formula(summary) >= len(rows)
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == len(rows)
    assert sum(_assert_no_formula(f) for f in files) >= 3 * len(rows)


# --------------------------------------------------------------------------- 2. a stray far cell

def _far_cell_book(path: Path, rows: list[dict], cell: str = "XFD1048576") -> Path:
    rows_frame(rows).to_excel(path, index=False, sheet_name="5W")
    book = openpyxl.load_workbook(path)
    book["5W"][cell] = 7
    book.save(path)
    return path


def test_far_cell_is_named_not_a_crash(tmp_path):
    data = _far_cell_book(tmp_path / "lejana.xlsx", good_rows())
    done = mdrm("validate", str(data))
    assert done.returncode == 2, done.stderr
    assert "hoja «5W»" in done.stderr and "XFD1048576" in done.stderr and "Borre esas celdas" in done.stderr
    assert "memory allocation" not in done.stderr and "panicked" not in done.stderr
    params = write_params(tmp_path / "p" / "2020-09.yml", data)
    done = mdrm("report", "--params", str(params), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "XFD1048576" in done.stderr
    assert not (tmp_path / "out" / "p" / "2020-09").exists()


def test_far_cell_in_one_month_of_a_batch(tmp_path):
    from mdrm import batch

    good = tmp_path / "5w.xlsx"
    rows_frame(good_rows() + [{**good_rows()[0], "month": "2020-10"}]).to_excel(good, index=False)
    far = _far_cell_book(tmp_path / "lejana.xlsx", good_rows())
    folder = tmp_path / "p"
    write_params(folder / "2020-08.yml", good)
    write_params(folder / "2020-09.yml", far)
    write_params(folder / "2020-10.yml", good)
    outcomes = batch.run_batch(folder, tmp_path / "out", jobs=1, content=fixture_content("minimal", "minimal"),
                               progress=False)
    assert [(o.month, o.status, o.kind) for o in outcomes] == [
        ("2020-08", "ok", ""), ("2020-09", "error", "input"), ("2020-10", "ok", "")]
    text = batch.summary(outcomes)
    assert re.search(r"2020-09 +ERROR .*XFD1048576", text)
    for outcome in (outcomes[0], outcomes[2]):
        assert sorted(p.name for p in outcome.month_dir.iterdir()) == sorted(OUTPUTS)
    assert not (outcomes[0].month_dir.parent / "2020-09").exists()


def test_formatting_only_far_cell_and_a_far_row_still_read(tmp_path):
    """An empty formatted cell far away is not data; a value in the last row is within the limits."""
    data = _far_cell_book(tmp_path / "fila.xlsx", good_rows(), cell="A1048576")
    done = mdrm("validate", str(data))
    # the row is read (and is a row without month: a hard error naming it, exit 2), no crash, no refusal
    assert done.returncode == 2 and "fila 1048576" in done.stderr and "límite" not in done.stderr


# --------------------------------------------------------------------------- 3. bombs, under a memory cap

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                  b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName='
                  b'"/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                  b'sharedStrings+xml"/></Types>')
_ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             b'<sheets><sheet name="5W" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
              b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
              b'Target="sharedStrings.xml"/></Relationships>')


def _book(path: Path, rows: bytes, strings: list[bytes]) -> Path:
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>")
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              b'2006/main">' + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _BOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            book.writestr(name, data)
    return path


def _shared_string_bomb(path: Path) -> Path:
    """One 2 MB string in 2,500 rows × 2 cells: 10 GB of text once read; 25 KB on disk."""
    rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d" t="s"><v>0</v></c></row>'
                    % (r, r, r) for r in range(1, 2501))
    return _book(path, rows, [b"A" * (2 << 20)])


def test_a_small_book_reads_under_the_memory_cap(tmp_path):
    """The cap of these tests leaves room for a real read (else a refusal would prove nothing)."""
    rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (r, r, r - 1) for r in range(1, 4))
    done = mdrm("validate", str(_book(tmp_path / "chico.xlsx", rows, [b"a", b"b", b"c"])))
    assert done.returncode == 2 and "falta la columna obligatoria" in done.stderr  # read, then judged


def test_shared_string_bomb_is_refused_in_seconds(tmp_path):
    bomb = _shared_string_bomb(tmp_path / "bomba.xlsx")
    assert bomb.stat().st_size < 200_000
    started = time.perf_counter()
    done = mdrm("validate", str(bomb), timeout=60)
    took = time.perf_counter() - started
    assert done.returncode == 2, done.stderr
    assert "hoja «5W»" in done.stderr and "límite" in done.stderr and "GB" in done.stderr
    assert took < 20


def test_area_bomb_is_refused(tmp_path):
    """A value at ZZ1048576 (within columns and rows) makes an area of 736 million cells."""
    rows = b'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="ZZ1048576"><v>1</v></c></row>'
    done = mdrm("validate", str(_book(tmp_path / "area.xlsx", rows, [b"a"])), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "1,048,576 filas × 702 columnas" in done.stderr and "60,000,000 celdas" in done.stderr


def test_area_counts_the_widest_cell_not_the_header(tmp_path):
    """A header of one column and a value at ZZ100000: 100,000 × 702 = 70,200,000 cells."""
    from mdrm.errors import InputError
    from mdrm.limits import check_workbook

    rows = (b'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="50"><c r="ZZ50"><v>1</v></c></row>'
            b'<row r="100000"><c r="B100000"><v>1</v></c></row>')
    path = _book(tmp_path / "ancha.xlsx", rows, [b"a"])
    with pytest.raises(InputError, match="100,000 filas × 702 columnas"):
        check_workbook(path.read_bytes(), path, None)
    narrow = _book(tmp_path / "angosta.xlsx", rows.replace(b"ZZ50", b"AC50"), [b"a"])
    check_workbook(narrow.read_bytes(), narrow, None)  # 100,000 × 29: within the limit


def test_declared_sheet_size_over_the_limit_is_refused(tmp_path, monkeypatch):
    from mdrm.errors import InputError
    from mdrm.load import read_5w

    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 2000))
    path = _book(tmp_path / "grande.xlsx", rows, [b"a"])
    monkeypatch.setattr(limits, "MAX_SHEET_XML_BYTES", 10_000)
    with pytest.raises(InputError, match="sin comprimir, más que el límite"):
        read_5w(path)


def test_oversized_csv_is_refused_before_reading(tmp_path):
    big = tmp_path / "enorme.csv"
    with open(big, "wb") as handle:
        handle.write(",".join(rows_frame([]).columns).encode() + b"\n")
        handle.truncate(limits.MAX_CSV_BYTES + (1 << 20))  # sparse: no disk used, nothing to read
    done = mdrm("validate", str(big), timeout=60)  # a runaway bounded by the timeout, not a wall-clock assert
    assert done.returncode == 2, done.stderr
    assert "enorme.csv" in done.stderr and "pesa 1,025 MB, más que el límite de 1 GB" in done.stderr


# --------------------------------------------------------------------------- 4. a stuck kernel

DRIVER = """
import sys
sys.path.insert(0, {tests!r})
from report_runs import fixture_content
import mdrm.report
mdrm.report.Content.default = classmethod(lambda cls: fixture_content({notebook!r}, "minimal"))
from mdrm.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _report_with(notebook: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    code = DRIVER.format(tests=str(ROOT / "tests"), notebook=notebook)
    return subprocess.run([PY, "-c", code, "report", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_stuck_kernel_is_killed_and_previous_files_stay(tmp_path):
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    params = write_params(tmp_path / "p" / "2020-09.yml", data)
    out = tmp_path / "out"
    first = _report_with("minimal", "--params", str(params), "--out", str(out))
    assert first.returncode == 0, first.stderr
    month = out / "p" / "2020-09"
    before = {p.name: p.read_bytes() for p in month.iterdir()}
    started = time.perf_counter()
    done = _report_with("stops_in_september", "--params", str(params), "--out", str(out), "--timeout", "8")
    took = time.perf_counter() - started
    assert done.returncode == 3, done.stderr
    assert took < 60
    assert "superó el tiempo límite de 8 s" in done.stderr and "--timeout" in done.stderr
    assert "Timeout waiting" not in done.stderr  # no English log line
    assert {p.name: p.read_bytes() for p in month.iterdir()} == before
    assert [p.name for p in (out / "p").iterdir() if p.name.startswith(".")] == []


def three_month_params(tmp_path):
    """A params folder of three months (2020-08..10) on one good 5W, for batches that lose one."""
    data = tmp_path / "5w.csv"
    rows_frame(good_rows() + [{**good_rows()[0], "month": "2020-10"}]).to_csv(data, index=False)
    folder = tmp_path / "p"
    for month in ("2020-08", "2020-09", "2020-10"):
        write_params(folder / f"{month}.yml", data)
    return folder


def test_stuck_kernel_in_a_batch_fails_that_month_only(tmp_path):
    from mdrm import batch

    folder = three_month_params(tmp_path)
    outcomes = batch.run_batch(folder, tmp_path / "out", jobs=2, timeout=8, progress=False,
                               content=fixture_content("stops_in_september", "minimal"))
    assert [(o.month, o.status, o.kind) for o in outcomes] == [
        ("2020-08", "ok", ""), ("2020-09", "error", "notebook"), ("2020-10", "ok", "")]
    assert "tiempo límite de 8 s" in outcomes[1].error
    assert batch.exit_code(outcomes) == 3


def test_timeout_default_is_in_one_place():
    from mdrm.cli import build_parser

    for command in (["report", "--params", "x.yml"], ["batch", "--params-dir", "x"]):
        assert build_parser().parse_args(command).timeout == limits.NOTEBOOK_TIMEOUT
    assert build_parser().parse_args(["report", "--params", "x", "--timeout", "20"]).timeout == 20
    with pytest.raises(SystemExit):
        build_parser().parse_args(["report", "--params", "x", "--timeout", "0"])


# --------------------------------------------------------------------------- 5. YAML bombs

def billion_laughs() -> str:
    """A flow sequence of ten levels, each ten aliases of the one before: 10^10 strings once expanded."""
    levels = ['&a0 ["jajajajaja", "jajajajaja", "jajajajaja", "jajajajaja", "jajajajaja"]']
    levels += [f"&a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 11)]
    return "[" + ", ".join(levels) + "]"


@pytest.mark.parametrize("key", ["destacados", "region", "hoja"])
def test_alias_bomb_is_refused_in_seconds(tmp_path, key):
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    text = {"region": "Tacna", "mes": "2020-09", "datos": str(data)}
    body = "".join(f"{k}: {json.dumps(v)}\n" for k, v in text.items() if k != key) + f"{key}: {billion_laughs()}\n"
    params = tmp_path / "2020-09.yml"
    params.write_text(body, encoding="utf-8")
    assert len(body) < 3000
    done = mdrm("metrics", "--params", str(params), timeout=60)  # the timeout bounds a runaway expansion
    assert done.returncode == 2, done.stderr
    assert "alias" in done.stderr and "2020-09.yml" in done.stderr


def test_params_value_over_the_size_limit(tmp_path, month_params, five_w):
    from mdrm.errors import InputError
    from mdrm.params import load_params

    path = month_params(five_w(good_rows()), destacados=["x" * (limits.MAX_PARAMS_VALUE + 1)])
    with pytest.raises(InputError, match="más que el límite"):
        load_params(path)
    path.write_text("destacados: [" + "a, " * (limits.MAX_PARAMS_ITEMS + 5) + "]\n", encoding="utf-8")
    with pytest.raises(InputError, match="más de 10000 valores"):
        load_params(path)
    path.write_bytes(b"# " + b"x" * (limits.MAX_PARAMS_BYTES + 10))
    with pytest.raises(InputError, match="límite"):
        load_params(path)


def test_anchor_without_alias_still_reads(tmp_path, five_w):
    from mdrm.params import load_params

    path = tmp_path / "2020-09.yml"
    path.write_text(f'region: &r Tacna\nmes: "2020-09"\ndatos: {five_w(good_rows())}\n', encoding="utf-8")
    assert load_params(path).region == "Tacna"


# --------------------------------------------------------------------------- 6. the lesser cases

def test_symlink_loop_in_datos_and_out_is_exit_2(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    params = write_params(tmp_path / "p" / "2020-09.yml", tmp_path / "a")
    done = mdrm("metrics", "--params", str(params))
    assert done.returncode == 2, done.stderr
    assert "«datos»" in done.stderr and "bucle de enlaces simbólicos" in done.stderr
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    params = write_params(tmp_path / "q" / "2020-09.yml", data)
    for command in (["report", "--params", str(params)], ["batch", "--params-dir", str(params.parent)]):
        done = mdrm(*command, "--out", str(tmp_path / "a"))
        assert done.returncode == 2, done.stderr
        assert "--out" in done.stderr and "bucle de enlaces simbólicos" in done.stderr
        assert "Error inesperado" not in done.stderr


def test_nested_columnas_value_is_exit_2(tmp_path):
    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    params = write_params(tmp_path / "2020-09.yml", data, columnas={"Org": {"campo": "appealing_org"}})
    done = mdrm("metrics", "--params", str(params))
    assert done.returncode == 2, done.stderr
    assert "«columnas»" in done.stderr and "Error inesperado" not in done.stderr


def test_password_protected_book_gets_the_kits_message(tmp_path):
    """An encrypted .xlsx is an OLE container with an `EncryptedPackage` stream (MS-OFFCRYPTO)."""
    sector = bytearray(512 * 8)
    sector[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    for offset, name in ((1024, "EncryptionInfo"), (1152, "EncryptedPackage")):
        encoded = name.encode("utf-16-le")
        sector[offset:offset + len(encoded)] = encoded
    path = tmp_path / "protegido.xlsx"
    path.write_bytes(bytes(sector))
    done = mdrm("validate", str(path))
    assert done.returncode == 2, done.stderr
    assert "protegido con contraseña" in done.stderr and "CalamineError" not in done.stderr


@pytest.mark.parametrize("code, spanish", [
    (errno.ENOSPC, "no queda espacio en el disco"), (errno.EROFS, "solo lectura"),
    (errno.EACCES, "permiso denegado")])
def test_os_errors_are_spanish_with_exit_1(tmp_path, monkeypatch, capsys, code, spanish):
    import mdrm.iorw
    from mdrm.cli import main

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    params = write_params(tmp_path / "2020-09.yml", data)

    def full(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(mdrm.iorw, "write_atomic", full)
    assert main(["metrics", "--params", str(params), "-o", str(tmp_path / "m.json")]) == 1
    err = capsys.readouterr().err
    assert spanish in err and "m.json" in err and os.strerror(code) not in err
    assert spanish in user_message(OSError(code, os.strerror(code)))


def test_validate_strips_terminal_escapes(tmp_path, capsys):
    from mdrm.cli import main

    evil = "Org\x1b[31mROJA\x1b]0;titulo\x07\x1b[2J\x08\u202e"
    rows = [{**good_rows()[0], "appealing_org": evil, "new_beneficiaries": 50}]  # Q03: new > total
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    assert main(["validate", str(data)]) == 0
    out = capsys.readouterr().out
    assert "OrgROJA" in out and "Q03" in out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", out)


def test_exploration_intro_escapes_region_and_file(tmp_path, month_params):
    region = "<script>alert(1)</script>*Tacna*"
    rows = [{**r, "admin1": region} for r in good_rows()]
    data = tmp_path / "<img src=x onerror=alert(2)>.csv"
    rows_frame(rows).to_csv(data, index=False)
    ex = explore.load_exploration(month_params(data, region=region))
    intro = explore.intro_html(ex)
    assert "<script>" not in intro and "<img" not in intro
    assert "&lt;script&gt;alert(1)&lt;/script&gt;*Tacna*" in intro and "&lt;img src=x" in intro
    notebook = json.loads((ROOT / "notebooks" / "explorar.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "Markdown(" not in code and "explore.intro_html(datos)" in code


# --------------------------------------------------------------------------- 7. a crash in one month

def test_a_killed_worker_loses_only_its_month(tmp_path):
    from mdrm import batch

    folder = three_month_params(tmp_path)
    out = tmp_path / "out"
    outcomes = batch.run_batch(folder, out, jobs=2, progress=False,
                               content=fixture_content("kills_worker_in_september", "minimal"))
    assert [(o.month, o.status) for o in outcomes] == [("2020-08", "ok"), ("2020-09", "error"), ("2020-10", "ok")]
    assert "terminó inesperadamente (señal 9)" in outcomes[1].error
    assert re.search(r"2020-09 +ERROR .*señal 9", batch.summary(outcomes))
    index = (out / "p" / "index.html").read_text(encoding="utf-8")
    assert 'href="2020-08/situacion.html"' in index and 'href="2020-10/situacion.html"' in index
    assert "2020-09/" not in index
    assert [p.name for p in (out / "p").iterdir() if p.name.startswith(".")] == []


def test_stale_staging_and_index_after_kill_9_are_fixed_by_the_next_run(tmp_path):
    from mdrm.report import run_report

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    region = tmp_path / "out" / "p"
    (region / "2020-08").mkdir(parents=True)  # a month published by a run killed before its index
    (region / "2020-08" / "metrics.json").write_text('{"region": "Tacna"}', encoding="utf-8")
    stale = region / ".mdrm-2020-08-999999999-x.tmp"  # a run killed with SIGKILL (its pid is gone)
    stale.mkdir()
    (stale / "situacion.html").write_text("a medias", encoding="utf-8")
    (region / "index.html").write_text("<p>índice viejo</p>", encoding="utf-8")
    run_report(write_params(tmp_path / "p" / "2020-09.yml", data), tmp_path / "out",
               content=fixture_content("minimal", "minimal"))
    assert not stale.exists()
    index = (region / "index.html").read_text(encoding="utf-8")
    assert "índice viejo" not in index and "agosto de 2020" in index.lower() and "septiembre de 2020" in index.lower()


def test_a_failed_run_still_cleans_up_after_kill_9(tmp_path):
    from mdrm.errors import NotebookError
    from mdrm.report import run_report

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    region = tmp_path / "out" / "p"
    (region / "2020-08").mkdir(parents=True)
    (region / "2020-08" / "metrics.json").write_text('{"region": "Tacna"}', encoding="utf-8")
    stale = region / ".mdrm-2020-08-999999999-x.tmp"
    stale.mkdir()
    (region / "index.html").write_text("<p>índice viejo</p>", encoding="utf-8")
    with pytest.raises(NotebookError, match="falla a propósito"):
        run_report(write_params(tmp_path / "p" / "2020-09.yml", data), tmp_path / "out",
                   content=fixture_content("fails_in_september", "minimal"))
    assert not stale.exists() and not (region / "2020-09").exists()
    index = (region / "index.html").read_text(encoding="utf-8")
    assert "índice viejo" not in index and "agosto de 2020" in index.lower()


def test_unreadable_data_file_is_input_error(tmp_path, monkeypatch, capsys):
    """Permission denied on the 5W (as a user who is not root meets it) is bad input: exit 2, Spanish."""
    import builtins

    from mdrm.cli import main

    data = tmp_path / "5w.csv"
    rows_frame(good_rows()).to_csv(data, index=False)
    real_open = builtins.open

    def denied(file, *args, **kwargs):
        if str(file) == str(data):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    assert main(["validate", str(data)]) == 2
    err = capsys.readouterr().err
    assert "no se puede leer el archivo de datos (permiso denegado" in err and "Permission" not in err


class PanicException(BaseException):
    """Like pyo3's PanicException (a Rust panic in a library): not an Exception."""


def test_a_panic_in_one_month_of_a_batch_loses_only_that_month(tmp_path, monkeypatch):
    from mdrm import batch

    folder = three_month_params(tmp_path)
    real_prepare = batch.prepare

    def prepare(path, *args, **kwargs):
        if Path(path).stem == "2020-09":
            raise PanicException("called `Result::unwrap()` on an `Err` value")
        return real_prepare(path, *args, **kwargs)

    monkeypatch.setattr(batch, "prepare", prepare)
    outcomes = batch.run_batch(folder, tmp_path / "out", jobs=1, progress=False,
                               content=fixture_content("minimal", "minimal"))
    assert [(o.month, o.status, o.kind) for o in outcomes] == [
        ("2020-08", "ok", ""), ("2020-09", "error", "other"), ("2020-10", "ok", "")]
    assert "PanicException" in outcomes[1].error
    assert (tmp_path / "out" / "p" / "index.html").is_file()


def test_a_panic_of_the_excel_reader_is_a_damaged_file(tmp_path, monkeypatch):
    import python_calamine

    from mdrm.errors import InputError
    from mdrm.load import read_5w

    data = tmp_path / "5w.xlsx"
    rows_frame(good_rows()).to_excel(data, index=False)

    def panic(*args, **kwargs):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", panic)
    with pytest.raises(InputError, match="dañado o incompleto"):
        read_5w(data)
