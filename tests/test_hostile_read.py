"""Hostile and broken input on the reading side (issue 21): invisible and control characters, CSV rows
as the file meant them, YAML duplicates and depth, readers that never abort, clear Spanish messages.

Every hostile file is built here in tmp_path. Commands that could run away run in a child process
under a 3 GB address-space cap (`resource.setrlimit(RLIMIT_AS)`), bounded by a subprocess timeout
(never a wall-clock assert): a check that stops working shows as a timeout, an abort (134) or a
traceback, not as a slow test.
"""
from __future__ import annotations

import csv

import re
import resource
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT, rows_frame

from mdrm.errors import InputError
from mdrm.load import read_5w
from mdrm.metrics import compute, load_month
from mdrm.params import load_params

PY = sys.executable
MEMORY_CAP = 3 << 30


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def mdrm(*args: str, cwd: Path = ROOT, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "mdrm", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_cap_memory)


def tacna_rows(n: int = 12) -> list[dict]:
    """`n` September rows of Tacna, 10 new people each (all «permanencia», all women), each of its own
    organization and activity (no duplicates): people = 10 × n, organizations = n."""
    return [{"month": "2020-09", "admin1": "Tacna", "appealing_org": f"Organización {i}", "sector": "Shelter",
             "activity_name": f"Actividad {i}", "quantity": 10, "total_monthly": 10, "new_beneficiaries": 10,
             "permanencia": 10, "mujeres": 10} for i in range(1, n + 1)]


def month_figures(tmp_path: Path, month_params, rows: list[dict], name: str) -> dict:
    data = tmp_path / f"{name}.csv"
    rows_frame(rows).to_csv(data, index=False)
    return compute(load_month(load_params(month_params(data, name=f"{name}.yml"))))


# --------------------------------------------------------------------------- 1. invisible characters

def test_format_character_class_is_every_cf_of_unicode():
    from mdrm.text import without_format_characters

    every_cf = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")
    assert without_format_characters("a" + every_cf + "b") == "ab"
    assert without_format_characters("Tacna á ñ\t\n") == "Tacna á ñ\t\n"


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u202e", "\ufeff", "\u2060"])
def test_invisible_character_in_region_keeps_the_people_figure(tmp_path, month_params, invisible):
    # 12 rows × 10 new people = 120 people, 12 organizations, whatever is written inside «Tacna» or an
    # organization's name in 10 of them (without the fix the 10 rows fell out of the region: 20 people)
    plain = tacna_rows()
    hostile = [{**r, "admin1": f"Tac{invisible}na"} if i < 10 else r for i, r in enumerate(plain)]
    figures = month_figures(tmp_path, month_params, hostile, "hostil")
    assert figures["people_reached"]["total"] == 120
    assert figures["organizations"]["reporting"] == 12
    org_twice = plain + [{**plain[0], "appealing_org": f"Organi{invisible}zación 1", "activity_name": "Otra"}]
    figures = month_figures(tmp_path, month_params, org_twice, "org")
    assert figures["organizations"]["reporting"] == 12  # «Organi·zación 1» is «Organización 1»
    assert figures["people_reached"]["total"] == 130


def test_invisible_characters_are_gone_from_shown_names(tmp_path):
    rows = [{**tacna_rows(1)[0], "admin2": "Tac\u200bna", "appealing_org": "A\u00adC\u202eNUR"}]
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    fivew = read_5w(data)
    assert fivew.data["admin2"].tolist() == ["Tacna"] and fivew.data["appealing_org"].tolist() == ["ACNUR"]
    assert fivew.controls_removed.empty  # format characters are not control characters: no Q31


def test_nfd_name_reads_as_nfc(tmp_path):
    rows = [{**tacna_rows(1)[0], "admin2": unicodedata.normalize("NFD", "Jorge Basadre Grohmann Ñ é")}]
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    assert read_5w(data).data["admin2"].tolist() == ["Jorge Basadre Grohmann Ñ é"]


def test_control_characters_are_removed_with_a_quality_issue_naming_the_row(tmp_path, month_params):
    rows = tacna_rows(3)
    rows[1] = {**rows[1], "appealing_org": "Organización\x07 2\x1b[31m", "activity_description": "línea\x01uno"}
    figures = month_figures(tmp_path, month_params, rows, "control")
    q31 = [i for i in figures["quality"]["issues"] if i["code"] == "Q31"]
    # one issue, on the second data row (CSV row 3: header on row 1), naming both columns
    assert [i["row"] for i in q31] == [3]
    assert q31[0]["message"].endswith("columna(s) «Socio principal Nombre», «Descripcion de la actividad»")
    assert q31[0]["organization"] == "Organización 2"
    assert figures["people_reached"]["total"] == 30 and figures["organizations"]["reporting"] == 3
    clean = month_figures(tmp_path, month_params, tacna_rows(3), "limpio")
    assert not [i for i in clean["quality"]["issues"] if i["code"] == "Q31"]


def test_line_breaks_in_a_cell_are_not_control_characters(tmp_path):
    rows = [{**tacna_rows(1)[0], "activity_description": "uno\r\ndos\rtres\ncuatro\tcinco"}]
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)  # pandas quotes the cell: one record
    fivew = read_5w(data)
    assert fivew.data["activity_description"].tolist() == ["uno\ndos\ntres\ncuatro\tcinco"]
    assert fivew.controls_removed.empty


# --------------------------------------------------------------------------- 2. CSV rows as meant

def _sample_csv(tmp_path: Path, rows: list[dict] | None = None) -> tuple[Path, list[str]]:
    """The CSV of `tacna_rows()` (header + 12 records, LF line ends) and its lines."""
    data = tmp_path / "5w.csv"
    rows_frame(rows or tacna_rows()).to_csv(data, index=False, lineterminator="\n")
    return data, data.read_text(encoding="utf-8").splitlines(keepends=True)


def test_unquoted_lone_cr_in_a_row_is_an_error_naming_the_row(tmp_path):
    data, lines = _sample_csv(tmp_path)
    lines[4] = lines[4].replace("Actividad 4", "Acti\rvidad 4")  # record 4 on CSV row 5, written unquoted
    data.write_bytes("".join(lines).encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_5w(data)
    assert caught.value.row == 5 and "campos" in caught.value.message and "retorno de carro (CR)" in str(caught.value)
    done = mdrm("validate", str(data))
    assert done.returncode == 2 and "fila 5" in done.stderr and "5w.csv" in done.stderr
    assert "Traceback" not in done.stderr


def test_quoted_cr_in_a_cell_reads_as_one_row(tmp_path):
    data, lines = _sample_csv(tmp_path)
    lines[4] = lines[4].replace("Actividad 4", '"Acti\rvidad 4"')
    data.write_bytes("".join(lines).encode("utf-8"))
    fivew = read_5w(data)
    assert len(fivew.data) == 12 and fivew.data["activity_name"].iloc[3] == "Acti\nvidad 4"
    assert fivew.data["new_beneficiaries"].sum() == 120


def test_row_cut_short_is_an_error_naming_the_row(tmp_path):
    data, lines = _sample_csv(tmp_path)
    fields = lines[7].rstrip("\n").split(",")
    lines[7] = ",".join(fields[:17]) + "\n"  # 17 of 29 fields: a broken download on CSV row 8
    data.write_bytes("".join(lines).encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_5w(data)
    assert caught.value.row == 8 and "17 campos" in caught.value.message
    assert f"encabezado {len(fields)}" in caught.value.message
    assert "retorno de carro" not in str(caught.value)


def test_last_rows_cut_by_a_broken_download(tmp_path):
    data, lines = _sample_csv(tmp_path)
    cut = "".join(lines)[:-40]  # the file ends inside row 13's trailing cells
    data.write_bytes(cut.encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_5w(data)
    assert caught.value.row == 13


def test_row_with_data_past_the_header_is_an_error(tmp_path):
    data, lines = _sample_csv(tmp_path)
    lines[3] = lines[3].replace("Organización 3", "Organización 3,Lima")  # an unquoted comma: cells shift
    data.write_bytes("".join(lines).encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_5w(data)
    fields = len(next(csv.reader([lines[0]])))  # the header's fields (the hand-made rows' columns)
    assert caught.value.row == 4 and f"{fields + 1} campos, más campos que el encabezado ({fields})" in \
        caught.value.message


def test_trailing_delimiters_and_blank_lines_are_fine(tmp_path):
    data, lines = _sample_csv(tmp_path)
    # a program that ends every data line with two delimiters more than its header, and a blank line
    lines = [lines[0]] + [line.rstrip("\n") + ",,\n" for line in lines[1:6]] + ["\n"] + [
        line.rstrip("\n") + ",,\n" for line in lines[6:]]
    data.write_bytes("".join(lines).encode("utf-8"))
    fivew = read_5w(data)
    assert len(fivew.data) == 12 and fivew.data["new_beneficiaries"].sum() == 120


def test_csv_of_a_million_columns_is_refused_before_parsing(tmp_path):
    data = tmp_path / "ancho.csv"
    data.write_bytes(b",".join([b"x"] * 1_000_000) + b"\n")
    done = mdrm("validate", str(data))  # before the check: 9 minutes and 3.1 GB
    assert done.returncode == 2, done.stderr
    assert "fila 1 tiene más de 702 campos" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- 3. YAML

def _month_yaml(tmp_path: Path, body: str) -> Path:
    data = tmp_path / "5w.csv"
    rows_frame(tacna_rows()).to_csv(data, index=False)
    path = tmp_path / "2020-09.yml"
    path.write_text(f"region: Tacna\ndatos: {data}\n{body}", encoding="utf-8")
    return path


def test_duplicate_key_is_an_error_naming_it_and_its_lines(tmp_path):
    path = _month_yaml(tmp_path, 'mes: "2020-08"\ndestacados: []\nmes: "2020-09"\n')  # mes on lines 3 and 5
    with pytest.raises(InputError) as caught:
        load_params(path)
    assert "la clave «mes» está dos veces" in caught.value.message and "líneas 3 y 5" in caught.value.message
    assert caught.value.row == 5 and caught.value.file == path
    done = mdrm("metrics", "--params", str(path), "-o", str(tmp_path / "m.json"))
    assert done.returncode == 2 and "«mes» está dos veces" in done.stderr and not (tmp_path / "m.json").exists()


def test_duplicate_key_inside_a_nested_mapping(tmp_path):
    path = _month_yaml(tmp_path, 'mes: "2020-09"\ncifras_clave:\n  kits:\n    nombre: a\n    nombre: b\n')
    with pytest.raises(InputError, match="«nombre» está dos veces .*líneas 6 y 7"):
        load_params(path)


def test_same_key_in_two_mappings_is_fine(tmp_path):
    path = _month_yaml(tmp_path, 'mes: "2020-09"\ndestacados: ["a", "b"]\n')
    assert load_params(path).month == "2020-09"


@pytest.mark.parametrize("depth", [51, 5000])
def test_deep_nesting_is_an_error_naming_the_file(tmp_path, depth):
    path = _month_yaml(tmp_path, 'mes: "2020-09"\nextra: ' + "[" * depth + "]" * depth + "\n")
    done = mdrm("metrics", "--params", str(path), "-o", str(tmp_path / "m.json"))
    assert done.returncode == 2, done.stderr
    assert "2020-09.yml" in done.stderr and "más de 50 niveles" in done.stderr
    assert "RecursionError" not in done.stderr and "Traceback" not in done.stderr


def test_nesting_within_the_limit_reads(tmp_path):
    from mdrm.safeyaml import load_params_yaml

    path = tmp_path / "p.yml"
    # 50 levels: the mapping, 48 lists and the value inside them
    path.write_text("a: " + "[" * 48 + "1" + "]" * 48 + "\n", encoding="utf-8")
    value = load_params_yaml(path)["a"]
    for _ in range(48):
        value = value[0]
    assert value == 1


# --------------------------------------------------------------------------- 5. clear messages

def test_utf32_csv_is_named(tmp_path):
    for codec in ("utf-32", "utf-32-le", "utf-32-be"):  # with a BOM, and without (the NUL pattern)
        data = tmp_path / f"{codec}.csv"
        data.write_bytes(rows_frame(tacna_rows()).to_csv(index=False).encode(codec))
        with pytest.raises(InputError, match="UTF-32"):
            read_5w(data)
    done = mdrm("validate", str(data))
    assert done.returncode == 2 and "está en UTF-32" in done.stderr and "falta" not in done.stderr
    utf16 = tmp_path / "utf16.csv"  # UTF-16 (Excel's «Unicode text») still reads
    utf16.write_bytes(rows_frame(tacna_rows()).to_csv(index=False).encode("utf-16"))
    assert read_5w(utf16).data["new_beneficiaries"].sum() == 120


@pytest.mark.parametrize("written", ["1e309", "-1e309", "2e400"])
def test_overflowing_number_names_the_cell_not_inf(tmp_path, written):
    data, lines = _sample_csv(tmp_path)
    lines[2] = lines[2].replace(",10,10,10,", f",{written},10,10,", 1)
    data.write_bytes("".join(lines).encode("utf-8"))
    fivew = read_5w(data)
    with pytest.raises(InputError) as caught:
        fivew.check_cells()
    text = str(caught.value)
    assert caught.value.row == 3 and "fuera de rango" in text and "inf" not in text.lower().replace("información", "")
    text_column = tmp_path / "texto.csv"  # the same in a column with text (read cell by cell)
    lines[1] = lines[1].replace(",10,10,10,", ",diez,10,10,", 1)  # row 2: text in the same column
    text_column.write_bytes("".join(lines).encode("utf-8"))
    errors = read_5w(text_column).cell_errors.set_index("excel_row")
    assert errors.loc[3, "value"] == written and errors.loc[3, "message"].startswith("número fuera de rango")
    assert errors.loc[2, "value"] == "diez"


def test_directory_and_fifo_as_data_are_named(tmp_path, month_params):
    import os

    folder = tmp_path / "carpeta.csv"
    folder.mkdir()
    with pytest.raises(InputError, match="es una carpeta, no un archivo"):
        read_5w(folder)
    fifo = tmp_path / "tuberia.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="tubería"):
        read_5w(fifo)  # never opened: it would block
    for target, said in ((folder, "es una carpeta"), (fifo, "tubería (FIFO)"), (Path("/dev/null"), "dispositivo")):
        params = month_params(target, name=f"{target.name}.yml")
        done = mdrm("metrics", "--params", str(params), "-o", str(tmp_path / "m.json"), timeout=60)
        assert done.returncode == 2 and said in done.stderr and "no existe" not in done.stderr, done.stderr
    assert not (tmp_path / "m.json").exists()
    missing = month_params(tmp_path / "nada.csv", name="nada.yml")
    assert "no existe" in mdrm("metrics", "--params", str(missing), "-o", str(tmp_path / "m.json")).stderr


def test_nul_in_region_is_shown(tmp_path, month_params):
    data = tmp_path / "5w.csv"
    rows_frame(tacna_rows()).to_csv(data, index=False)
    params = month_params(data, region="Tac\x00na")
    done = mdrm("metrics", "--params", str(params), "-o", str(tmp_path / "m.json"))
    assert done.returncode == 2 and "Tac␀na" in done.stderr, done.stderr


def test_init_with_a_del_character_writes_yaml_it_reads_back(tmp_path, capsys):
    from mdrm.cli import main

    data = tmp_path / "5w\x7f\u0085 (copia)\n.csv"  # a file name with DEL, NEL and a line break
    rows_frame(tacna_rows()).to_csv(data, index=False)
    folder = tmp_path / "mesa"
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--region", "Tacna", "--dir", str(folder)]) == 0
    for written in sorted(folder.glob("*.yml")):
        load_params(written) if written.name != "region.yml" else None
    params = load_params(folder / "2020-09.yml")
    assert params.data_path == data.resolve()


@pytest.mark.parametrize("month", ["٢٠٢٠-٠٩", "2020-09-45", "2020-02-30", "２０２０-09"])
def test_month_cell_with_foreign_digits_or_impossible_day_is_unreadable(tmp_path, month):
    from mdrm.load import parse_month

    assert parse_month(month) is None
    rows = tacna_rows(2)
    rows[1]["month"] = month
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    with pytest.raises(InputError) as caught:
        read_5w(data).check_cells()
    assert caught.value.row == 3 and "mes ilegible" in caught.value.message


def test_month_cells_that_stay_readable():
    from mdrm.load import parse_month

    assert [parse_month(m) for m in ("2020-09", "2020-09-30", "2020/9/1", "2020-02-29 10:00", "09/2020")] == \
        ["2020-09", "2020-09", "2020-09", "2020-02", "2020-09"]


@pytest.mark.parametrize("month", ["٢٠٢٠-٠٩", "2020-09\n"])
def test_params_month_with_foreign_digits_is_refused(tmp_path, month_params, month):
    data = tmp_path / "5w.csv"
    rows_frame(tacna_rows()).to_csv(data, index=False)
    with pytest.raises(InputError, match="mes"):
        load_params(month_params(data, mes=month))


def test_numeric_key_figure_id_is_a_clear_error(tmp_path, month_params):
    data = tmp_path / "5w.csv"
    rows_frame(tacna_rows()).to_csv(data, index=False)
    params = month_params(data, cifras_clave={3: {"etiqueta": "Kits", "valor": "cantidad", "patrones": ["kit"]}},
                          destacados=["Se entregaron {kf.3} kits"])
    done = mdrm("metrics", "--params", str(params), "-o", str(tmp_path / "m.json"))
    assert done.returncode == 2 and "«3» debe ser un nombre, no un número" in done.stderr
    assert "TypeError" not in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- 4. no abort from a reader

def _xlsx(tmp_path: Path, name: str = "5w.xlsx") -> Path:
    path = tmp_path / name
    rows_frame(tacna_rows()).to_excel(path, index=False, sheet_name="5W")
    return path


def _rewrite(path: Path, out: Path, edit) -> Path:
    """A copy of a zip whose members pass through `edit(name, bytes) -> (name, bytes)`."""
    import zipfile

    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name, data = edit(info.filename, src.read(info.filename))
            dst.writestr(name, data)
    return out


FAR_CELLS = {
    "comillas_simples": b"<c r='XFD1048576' t=\"n\"><v>1</v></c>",
    "minusculas": b'<c r="xfd1048576" t="n"><v>1</v></c>',
    "atributo_con_cierre": b'<c r="XFD1048576" x="/>" t="n"><v>1</v></c>',
    "espacios": b'<c r = "XFD1048576"><v>1</v></c>',
}


@pytest.mark.parametrize("case", list(FAR_CELLS))
def test_far_cell_written_as_an_xml_parser_reads_it_is_refused(tmp_path, case):
    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"</row></sheetData>", b"</row><row r=\"1048576\">" + FAR_CELLS[case]
                                + b"</row></sheetData>")
        return name, data

    bomb = _rewrite(_xlsx(tmp_path), tmp_path / f"{case}.xlsx", edit)
    done = mdrm("validate", str(bomb))  # before: an abort (exit 134) with a Rust backtrace
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "XFD1048576" in done.stderr and "muy lejos" in done.stderr and "Traceback" not in done.stderr


def test_far_cell_behind_a_relationship_target_in_other_case(tmp_path):
    def edit(name, data):
        if name == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"worksheets/sheet1.xml", b"Worksheets/SHEET1.xml")
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"</row></sheetData>", b'</row><row r="5"><c r="XFD5"><v>1</v></c></row></sheetData>')
        return name, data

    bomb = _rewrite(_xlsx(tmp_path), tmp_path / "rels.xlsx", edit)
    with pytest.raises(InputError, match="muy lejos del resto \\(XFD5\\)"):
        read_5w(bomb)


def test_empty_far_cell_and_a_clean_workbook_still_read(tmp_path):
    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":  # formatting only: the reader skips it
            data = data.replace(b"</row></sheetData>", b"</row><row r=\"20\"><c r='XFD20' s=\"0\"/></row></sheetData>")
        return name, data

    empty = _rewrite(_xlsx(tmp_path), tmp_path / "vacia.xlsx", edit)
    assert read_5w(empty).data["new_beneficiaries"].sum() == 120
    assert read_5w(_xlsx(tmp_path)).data["new_beneficiaries"].sum() == 120


def _ods(path: Path, rows: int, columns: int) -> Path:
    """An .ods whose sheet «5W» has a header cell and `rows` × `columns` repeated number cells (a few KB)."""
    import zipfile

    cell = (f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type="float" '
            'office:value="1"><text:p>1</text:p></table:table-cell>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="5W"><table:table-row>'
               '<table:table-cell office:value-type="string"><text:p>Mes</text:p></table:table-cell>'
               f'</table:table-row><table:table-row table:number-rows-repeated="{rows}">{cell}</table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")  # stored
        book.writestr("content.xml", content)
        book.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>'))
    return path


@pytest.mark.parametrize("rows, columns, said", [
    (100_000, 1_000, "más celdas que el límite del lector"),   # 10^8 cells: the reader's own cap
    (1, 16_384, "16,384 columnas"),                            # past column ZZ
    (9_000, 1_000, "9,001 filas × 1,000 columnas"),           # 9 million repeated cells
])
def test_ods_of_repeated_cells_is_over_the_limit_not_damaged(tmp_path, rows, columns, said):
    bomb = _ods(tmp_path / "bomba.ods", rows, columns)
    done = mdrm("validate", str(bomb))
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert said in done.stderr and "dañado" not in done.stderr and "Traceback" not in done.stderr


def test_inline_string_sheet_over_its_limit_is_refused_first(tmp_path, monkeypatch):
    from mdrm import limits

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":  # every cell's text written in the cell (inlineStr)
            data = data.replace(b"</sheetData>", b'<row r="40"><c r="A40" t="inlineStr"><is><t>'
                                + b"x" * 4096 + b"</t></is></c></row></sheetData>")
        return name, data

    inline = _rewrite(_xlsx(tmp_path), tmp_path / "inline.xlsx", edit)
    monkeypatch.setattr(limits, "MAX_INLINE_SHEET_XML_BYTES", 4096)  # the 512 MB limit, scaled to the test
    with pytest.raises(InputError, match="inlineStr"):
        read_5w(inline)
    monkeypatch.setattr(limits, "MAX_INLINE_SHEET_XML_BYTES", 1 << 20)
    assert read_5w(inline).data["new_beneficiaries"].sum() == 120


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad"])
def test_sample_september_keeps_the_seed_figures_with_invisible_characters(tmp_path, invisible):
    """The sample's September with a zero-width space or a soft hyphen inside «Tacna» in 10 of its rows and
    inside the organization names of 10 others: the seed's 2,953 people and organizations by subgroup."""
    import shutil

    import openpyxl

    from test_seed import SEED_ORGS_BY_SUBGROUP, SEED_PEOPLE

    book = openpyxl.load_workbook(ROOT / "data" / "ejemplo" / "5w_tacna_2020.xlsx")
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    month, admin1 = header.index("Month"), header.index("País Admin1")
    orgs = [header.index("Socio principal Nombre"), header.index("Socio Implementador Nombre")]
    september = [r for r in sheet.iter_rows(min_row=2) if str(r[month].value).startswith("2020-09")]
    assert len(september) > 20
    for row in september[:10]:
        row[admin1].value = f"Tac{invisible}na"
    for row in september[10:20]:
        for col in orgs:
            if row[col].value:
                row[col].value = row[col].value[:3] + invisible + row[col].value[3:]
    data = tmp_path / "ejemplo" / "5w.xlsx"
    data.parent.mkdir()
    book.save(data)
    folder = tmp_path / "tacna"
    shutil.copytree(ROOT / "params" / "tacna", folder)
    region = (folder / "region.yml").read_text(encoding="utf-8")
    region = region.replace("../../data/ejemplo/5w_tacna_2020.xlsx", str(data)).replace(
        "../../data/ejemplo/organizaciones_tacna.csv", str(ROOT / "data" / "ejemplo" / "organizaciones_tacna.csv")).replace(
        "../../data/ejemplo/indicadores_tacna.csv", str(ROOT / "data" / "ejemplo" / "indicadores_tacna.csv"))
    (folder / "region.yml").write_text(region, encoding="utf-8")
    figures = compute(load_month(load_params(folder / "2020-09.yml")))
    assert figures["people_reached"]["total"] == SEED_PEOPLE["total"]  # 2,953 (without the fix: fewer)
    by_subgroup = figures["organizations"]["by_subgroup"]
    assert {k: by_subgroup[k] for k in SEED_ORGS_BY_SUBGROUP} == SEED_ORGS_BY_SUBGROUP


def _xls(path: Path, cells: list[tuple[int, int, float]]) -> Path:
    """A minimal .xls (BIFF8 in an OLE compound file, built byte by byte): one sheet «5W» of NUMBER cells
    (row, column, value), as Excel 97–2003 writes them."""
    import struct

    def rec(kind: int, data: bytes = b"") -> bytes:
        return struct.pack("<HH", kind, len(data)) + data

    def bof(kind: int) -> bytes:
        return rec(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    globals_len = 20 + 14 + 4  # BOF, BOUNDSHEET8 of «5W», EOF
    stream = bof(0x0005) + rec(0x0085, struct.pack("<IBBBB", globals_len, 0, 0, 2, 0) + b"5W") + rec(0x000A)
    rows, cols = max(r for r, _, _ in cells) + 1, min(max(c for _, c, _ in cells) + 1, 0xFFFF)
    stream += bof(0x0010) + rec(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))
    stream += b"".join(rec(0x0203, struct.pack("<HHHd", r, c, 0, v)) for r, c, v in cells) + rec(0x000A)
    stream += b"\x00" * (-len(stream) % 512 + (4096 - len(stream) if len(stream) < 4096 else 0))
    sectors = len(stream) // 512
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end] + [3 + i for i in range(sectors - 1)] + [end]  # FAT, directory, the stream
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBBIII", len(raw), kind, 1, free, free, child)
                + b"\x00" * 36 + struct.pack("<III", start, size, 0))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))).ljust(512, b"\x00")
    path.write_bytes(header + struct.pack("<128I", *(fat + [free] * (128 - len(fat)))) + directory + stream)
    return path


def test_xls_with_a_cell_in_column_65535_is_over_the_limit(tmp_path):
    far = _xls(tmp_path / "lejos.xls", [(0, 0, 1.0), (1, 0, 2.0), (1, 65535, 1.0)])
    with pytest.raises(InputError, match="2 filas × 65,536 columnas"):
        read_5w(far)
    plain = _xls(tmp_path / "normal.xls", [(0, 0, 1.0), (1, 0, 2.0)])
    with pytest.raises(InputError, match="falta la columna obligatoria"):  # read: only its headers are wrong
        read_5w(plain)


# --------------------------------------------------------------------------- 6. every bomb: exit 2 under 3 GB

def _inline_bomb(tmp_path: Path) -> Path:
    """An .xlsx whose sheet is 600 MB of inline-string cells (within the 3 GB sheet limit; a few MB zipped):
    reading it needed 4.2 GB and ended in «PanicException» with a traceback."""
    import zipfile

    source = _xlsx(tmp_path, "fuente.xlsx")
    out = tmp_path / "inline.xlsx"
    cell = b'<c t="inlineStr"><is><t>' + b"x" * 200 + b"</t></is></c>"
    row = b"<row>" + cell * 29 + b"</row>"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                block = row * 1000
                for _ in range(600 << 20 // len(block) + 1):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out


def _numbers_bomb(tmp_path: Path) -> Path:
    """An .xlsx whose sheet is 1.2 GB of number cells (within the 3 GB sheet limit; about 1 MB zipped): under a
    3 GB address space the reader needs about 4 times that, and the process died for memory half-way."""
    import zipfile

    source = _xlsx(tmp_path, "fuente-numeros.xlsx")
    out = tmp_path / "numeros.xlsx"
    block = (b"<row>" + b"<c><v>7</v></c>" * 29 + b"</row>") * 2000
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><sheetData>')
                for _ in range((1200 << 20) // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out


def _strings_bomb(tmp_path: Path) -> Path:
    """An .xlsx whose shared-strings table is 900 MB (within its 1 GB limit; about 1 MB zipped)."""
    import zipfile

    source = _xlsx(tmp_path, "fuente-textos.xlsx")
    out = tmp_path / "textos.xlsx"
    block = b"<si><t>" + b"y" * 1000 + b"</t></si>"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # the source writes its texts inline: the table is added
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main">')
            for _ in range((900 << 20) // (len(block) * 1000)):
                table.write(block * 1000)
            table.write(b"</sst>")
    return out


def test_memory_for_the_sheet_follows_the_address_space_limit(monkeypatch):
    from mdrm import limits

    monkeypatch.setattr(limits, "_address_space_cap", lambda: 3 << 30)
    budget = limits._memory_for_xml()  # (3 GB − what the process already maps) / 4
    assert 0 < budget <= (3 << 30) // limits.READ_MEMORY_FACTOR
    monkeypatch.setattr(limits, "_address_space_cap", lambda: None)
    assert limits._memory_for_xml() is None  # no ulimit: the fixed limits alone


def _far_xlsx(tmp_path: Path, name: str, rows: bytes, before: bool = False) -> Path:
    def edit(member, data):
        if member == "xl/worksheets/sheet1.xml":
            data = (data.replace(b"<sheetData>", b"<sheetData>" + rows, 1) if before
                    else data.replace(b"</sheetData>", rows + b"</sheetData>"))
        return member, data

    return _rewrite(_xlsx(tmp_path, f"fuente-{name}.xlsx"), tmp_path / f"{name}.xlsx", edit)


BOMBS = {
    "csv_10e6_columnas": lambda d: (d / "ancho.csv").write_bytes(b",".join([b"x"] * 1_000_000) + b"\n") and d / "ancho.csv",
    "xlsx_comillas_simples": lambda d: _far_xlsx(d, "simples", b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
    "xlsx_minusculas": lambda d: _far_xlsx(d, "minus", b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'),
    "xlsx_atributo": lambda d: _far_xlsx(d, "attr", b'<row r="1048576"><c r="XFD1048576" x="/>"><v>1</v></c></row>'),
    "xlsx_fila_en_medio": lambda d: _far_xlsx(d, "medio", b'<row r="999999"><c r="ZZ999999"><v>1</v></c></row>',
                                              before=True),
    "xlsx_inline_600MB": _inline_bomb,
    "xlsx_numeros_1_2GB": _numbers_bomb,
    "xlsx_textos_compartidos_900MB": _strings_bomb,
    "ods_9_millones": lambda d: _ods(d / "nueve.ods", 9_000, 1_000),
    "ods_10e8": lambda d: _ods(d / "cien.ods", 100_000, 1_000),
    # 60,001 × 65,536 cells: the reader aborted the process (exit 134); now only its child
    "xls_columna_65535": lambda d: _xls(d / "lejos.xls", [(0, 0, 1.0), (60_000, 65_535, 1.0)]),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_every_bomb_ends_with_exit_2_under_a_3_gb_cap(tmp_path, bomb):
    path = BOMBS[bomb](tmp_path)
    done = mdrm("validate", str(path), timeout=60)  # the bound is the timeout, not a wall-clock assert
    assert done.returncode == 2, (done.returncode, done.stderr[-800:])  # never 134 (abort), never 1
    assert path.name in done.stderr and "Traceback" not in done.stderr and "panicked" not in done.stderr


def test_columns_beyond_are_matched_in_either_case():
    from mdrm import limits

    letters = [limits.column_letters(n) for n in range(1, 703)]
    for last in (1, 26, 29, 701):
        pattern = re.compile(rb"(?:" + limits._beyond(last) + rb")\Z")
        for text in (str.upper, str.lower):
            found = [n for n, c in enumerate(letters, 1) if pattern.match(text(c).encode())]
            assert found == list(range(last + 1, 703))


def _ole_file(tmp_path: Path) -> Path:
    """Bytes that start as an OLE workbook (.xls): the loader reads them in a child process."""
    path = tmp_path / "libro.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    return path


def _patch_opening(monkeypatch, then):
    """calamine's opening of a workbook replaced by `then(content)` (the child forked after it sees it too)."""
    import python_calamine

    class Workbook:
        @staticmethod
        def from_filelike(handle):
            return then(handle)

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Workbook)


def test_a_reader_that_aborts_in_the_child_is_a_spanish_error(tmp_path, monkeypatch):
    import os

    # what calamine does on a cell in column 65535 of an .xls: the process aborts (exit 134)
    _patch_opening(monkeypatch, lambda handle: os.abort())
    with pytest.raises(InputError) as caught:
        read_5w(_ole_file(tmp_path))
    assert "se detuvo al leer el archivo" in caught.value.message and "SIGABRT" in caught.value.message
    assert caught.value.file.name == "libro.xls"


def test_a_reader_that_hangs_in_the_child_is_stopped(tmp_path, monkeypatch):
    import time

    from mdrm import limits

    _patch_opening(monkeypatch, lambda handle: time.sleep(60))
    monkeypatch.setattr(limits, "READ_TIMEOUT", 1)
    with pytest.raises(InputError, match="no terminó de leer el libro en 1 s") as caught:
        read_5w(_ole_file(tmp_path))
    assert caught.value.file.name == "libro.xls"


def test_a_damaged_xls_is_still_told_as_damaged(tmp_path):
    with pytest.raises(InputError, match="no se puede leer el archivo"):
        read_5w(_ole_file(tmp_path))  # the child's Python error: the loader's own message


def test_utf16_row_cut_short_is_named_without_a_cr_hint(tmp_path):
    data, lines = _sample_csv(tmp_path)
    lines = [line.replace("\n", "\r\n") for line in lines]  # Excel's «Unicode text»: UTF-16, CRLF
    lines[5] = ",".join(lines[5].split(",")[:10]) + "\r\n"
    data.write_bytes("".join(lines).encode("utf-16"))
    with pytest.raises(InputError) as caught:
        read_5w(data)
    assert caught.value.row == 6 and "10 campos" in caught.value.message and "retorno de carro" not in str(caught.value)
