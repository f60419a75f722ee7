"""The corpus of malformed or awkward inputs (tests/corpus.py) through `mdrm metrics`.

Every case ends in one of two ways, stated next to it in the corpus: the right
figures (exit 0, metrics.json with the exact numbers), or a clear hard error
(docs/metodologia.md §8: exit 2, nothing written, a Spanish message naming the file and,
where it applies, the sheet, the row as Excel shows it, the column and the
value). None ends in a traceback or in exit code 1.
"""
from __future__ import annotations

import json
import math
import re

import pytest

from corpus import BASE, BASE_ROWS, CASES, H, SAME, Case, Figures, HardError, digest, grid, table, write_xlsx
from mdrm.cli import main
from mdrm.load import parse_month, parse_number, read_5w


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    errors = sum(isinstance(c.expect, HardError) for c in CASES)
    assert errors >= 10 and len(CASES) - errors >= 10


@pytest.fixture
def run_case(tmp_path, month_params, capsys):
    """Build a case in its own folder, run `mdrm metrics` on it; (code, stderr, out dir, data)."""

    def run(case: Case):
        folder = tmp_path / "datos"
        folder.mkdir()
        data, keys = case.make(folder)
        out_dir = tmp_path / "salida"
        out_dir.mkdir()
        params = month_params(data, **keys)
        code = main(["metrics", "--params", str(params), "-o", str(out_dir / "metrics.json")])
        err = capsys.readouterr().err
        return code, err, out_dir, data

    return run


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case: Case, run_case):
    code, err, out_dir, data = run_case(case)
    assert "Traceback" not in err
    assert code != 1, f"unexpected error (exit 1): {err}"
    if isinstance(case.expect, Figures):
        assert code == 0, f"expected figures, got exit {code}: {err}"
        metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
        assert digest(metrics) == case.expect.figures
        assert metrics["rows"]["read"] == metrics["rows"]["counted"] + metrics["rows"]["excluded"]
        return
    expect = case.expect
    assert code == 2, f"expected a hard error (exit 2), got exit {code}: {err}"
    assert list(out_dir.iterdir()) == [], "a hard error writes nothing"
    first = err.splitlines()[0]
    assert first.startswith("Error en los datos de entrada: ")
    assert f"archivo «{data.name}»" in first
    if expect.sheet is not None:
        assert f"hoja «{expect.sheet}»" in first
    if expect.row is not None:
        assert re.search(rf"\bfila {expect.row}\b", first), f"expected «fila {expect.row}» in: {first}"
    if expect.column is not None:
        assert f"columna «{expect.column}»" in first
    if expect.value is not None:
        assert f"valor «{expect.value}»" in first
    for word in expect.words:
        assert word in err, f"expected «{word}» in: {err}"


# --- cases that need more assertions ---------------------------------------------------------------

def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


def test_base_figures_are_what_the_plain_file_gives(five_w, month_params, capsys, tmp_path):
    """BASE is worked out by hand; the plain CSV of the base rows must give it."""
    code = main(["metrics", "--params", str(month_params(five_w(BASE_ROWS))), "-o", str(tmp_path / "m.json")])
    assert code == 0, capsys.readouterr().err
    metrics = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert digest(metrics) == BASE
    assert metrics["quality"]["issues"] == []


def test_title_rows_keep_excel_row_numbers(tmp_path):
    """Header found on row 4 under title rows: data rows are numbered 5, 6, 7, 8 as in Excel."""
    path, _ = case("xlsx_titulos_combinados_sobre_encabezado").make(tmp_path)
    fivew = read_5w(path)
    assert fivew.source.header_row == 4
    assert fivew.data["excel_row"].tolist() == [5, 6, 7, 8]
    assert fivew.source.headers["month"] == "Month"


def test_title_rows_in_csv_keep_row_numbers_and_find_the_delimiter(tmp_path):
    path, _ = case("csv_titulos_sobre_encabezado").make(tmp_path)
    fivew = read_5w(path)
    assert fivew.source.header_row == 4
    assert fivew.data["excel_row"].tolist() == [5, 6, 7, 8]
    assert fivew.data["sector"].tolist() == ["Shelter", "Salud", "Protección (General)", "Integración"]


def test_blank_rows_in_the_middle_keep_numbering(tmp_path):
    path, _ = case("filas_vacias_en_medio_xlsx").make(tmp_path)
    assert read_5w(path).data["excel_row"].tolist() == [2, 3, 6, 7]
    path, _ = case("filas_vacias_en_medio_csv").make(tmp_path)
    assert read_5w(path).data["excel_row"].tolist() == [2, 6, 7, 8]  # lines 3-5: empty, ",,,", " "


def test_quoted_newlines_stay_in_their_cell(tmp_path):
    path, _ = case("csv_saltos_de_linea_entre_comillas").make(tmp_path)
    data = read_5w(path).data
    assert data["excel_row"].tolist() == [2, 3, 4, 5]
    assert data.loc[2, "activity_description"] == 'Primera línea\nsegunda línea, con coma\n\ntercera "citada"'


def test_leading_blank_rows_and_columns(tmp_path):
    """A table starting at C3: header row 3, data from row 4, columns found by header."""
    path, _ = case("xlsx_tabla_desde_columna_c_fila_3").make(tmp_path)
    fivew = read_5w(path)
    assert fivew.source.header_row == 3
    assert fivew.data["excel_row"].tolist() == [4, 5, 6, 7]


def test_bad_cells_are_all_listed_with_their_own_message(five_w, month_params, tmp_path, capsys):
    """Several bad cells: the first one named, the others listed, each with its own reason."""
    rows = [dict(r) for r in BASE_ROWS]
    rows[0]["total_monthly"] = "1,5"
    rows[1]["permanencia"] = "TRUE"
    rows[2]["acogida"] = 2_000_000_000
    rows[3]["month"] = "Sept. 2020"
    out = tmp_path / "m.json"
    code = main(["metrics", "--params", str(month_params(five_w(rows))), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    lines = err.splitlines()
    assert "fila 2" in lines[0] and "ambiguo" in lines[0] and "«1,5»" in lines[0]
    rest = "\n".join(lines[1:])
    assert re.search(r"fila 3, columna «Refugiados y migrantes EN DESTINO»: .*lógico.*«TRUE»", rest)
    assert re.search(r"fila 4, columna «Comunidades de acogida»: .*demasiado grande.*«2000000000»", rest)
    assert re.search(r"fila 5, columna «Month»: mes ilegible.*«Sept. 2020»", rest)


def built(case_id: str, folder):
    """The data file of a case, written into its own subfolder."""
    sub = folder / case_id
    sub.mkdir()
    return case(case_id).make(sub)[0]


def test_formula_and_error_cells_are_found_in_the_xml(tmp_path):
    """The loader's own record of the cells calamine reads as blank (openpyxl writes no cached value)."""
    errors = read_5w(built("formula_sin_valor_calculado", tmp_path)).cell_errors
    assert errors[["excel_row", "field", "value"]].values.tolist() == [[3, "total_monthly", "=R3"]]
    errors = read_5w(built("celda_con_error_de_excel", tmp_path)).cell_errors
    assert errors[["excel_row", "field", "value"]].values.tolist() == [[3, "permanencia", "#N/A"]]
    fivew = read_5w(built("formula_con_valor_calculado", tmp_path))
    assert fivew.cell_errors.empty
    assert fivew.data["total_monthly"].tolist() == [10, 8, 5, 3]  # row 3's =R3 read from its cached 8


def test_formula_without_value_in_another_region_does_not_stop_the_month(tmp_path, month_params, capsys):
    """Bad cells only matter in used rows (docs/metodologia.md §8): a formula in a Puno row is for `validate`."""
    rows = [dict(r) for r in BASE_ROWS] + [dict(BASE_ROWS[0], admin1="Puno")]
    cells = grid(table(rows))
    cells[5][cells[0].index(H["total_monthly"])] = "=R6*2"
    data = write_xlsx(tmp_path / "puno.xlsx", cells)
    code = main(["metrics", "--params", str(month_params(data)), "-o", str(tmp_path / "m.json")])
    assert code == 0, capsys.readouterr().err
    assert digest(json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))) == BASE
    code = main(["validate", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and "fila 6" in err and "fórmula sin valor calculado" in err and "«=R6*2»" in err


def test_wrong_sheet_hint_names_the_other_sheets(run_case):
    code, err, _, _ = run_case(case("hoja_equivocada_portada_primero"))
    assert code == 2
    assert "Otras hojas del archivo: «5W»" in err


@pytest.mark.parametrize("text, number", [
    ("12", 12.0), ("12.4", 12.4), (".5", 0.5), ("+7", 7.0), ("1e3", 1000.0), (" 42 ", 42.0),
    ("1,234", 1234.0), ("12,345,678", 12345678.0), ("1,234.5", 1234.5), ("1 234", 1234.0),
    ("1\u00a0234.25", 1234.25), ("1.234.567", 1234567.0), ("1.234,5", 1234.5), ("1.234", 1.234),
    ("-3", -3.0), ("\u22123", -3.0),
])
def test_parse_number_reads(text, number):
    assert parse_number(text) == (number, None)


@pytest.mark.parametrize("text, word", [
    ("1,5", "ambiguo"), ("12,34", "ambiguo"), ("1,2345", "ambiguo"), ("1,234,5", "ambiguo"),
    ("TRUE", "lógico"), ("Falso", "lógico"), ("#N/A", "error de Excel"), ("#¡VALOR!", "error de Excel"),
    ("N/A", "texto"), ("-", "texto"), ("nan", "texto"), ("1_000", "texto"), ("٣", "texto"),
    ("12 personas", "texto"), ("$150", "texto"), ("inf", "texto"), ("1e400", "fuera de rango"),
])
def test_parse_number_refuses(text, word):
    number, message = parse_number(text)
    assert math.isnan(number) and word in message


@pytest.mark.parametrize("value, month", [
    (44075, "2020-09"), (44075.75, "2020-09"), ("44075", "2020-09"), (43831, "2020-01"),
    (36526, "2000-01"), (73415, "2100-12"), (36525, None), (73416, None), (2020, None), (202009, None),
    ("2020", None), (True, None), ("Septiembre 2020", None), ("sep-20", None), ("01/09/2020", None),
    (float("nan"), None),
])
def test_parse_month_serials_and_names(value, month):
    assert parse_month(value) == month


def test_same_expectation_objects_are_shared():
    """SAME cases all compare with the hand-made BASE (a typo in one would not hide)."""
    assert SAME.figures is BASE
    assert sum(c.expect is SAME for c in CASES) >= 20
