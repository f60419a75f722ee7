"""Hostile and broken input on the reading side (issue 21): invisible and control characters, CSV rows
as the file meant them, YAML duplicates and depth, readers that never abort, clear Spanish messages.

Every hostile file is built here in tmp_path. Commands that could run away run in a child process
under a 3 GB address-space cap (`resource.setrlimit(RLIMIT_AS)`), bounded by a subprocess timeout
(never a wall-clock assert): a check that stops working shows as a timeout, an abort (134) or a
traceback, not as a slow test.
"""
from __future__ import annotations

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
    assert caught.value.row == 4 and "30 campos y el encabezado 29 (sobran celdas" in caught.value.message


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
