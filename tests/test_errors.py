"""Hard errors of bad input (docs/metodologia.md §1, §6): exit code 2, nothing written, and a
Spanish message that names the file, the sheet, the row as the user sees it in
Excel (header = row 1, first data row = 2; the same numbering for a CSV), the
column as written in the file, and the bad value.

Hard errors concern only the rows a command uses: `mdrm metrics` uses the rows
of the region for January..month and the previous month; `mdrm validate`
checks the whole file.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SPANISH_HEADERS, rows_frame
from mdrm.cli import main

MDRM = [sys.executable, "-m", "mdrm"]  # the CLI of the Python running the tests

GOOD = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}


def rows_with(bad: dict, at: int = 2, n: int = 4) -> list[dict]:
    """`n` good rows of Tacna 2020-09 with `bad` cells merged into data row `at` (0-based).

    The bad row is then on Excel row `at + 2` (row 4 by default): an off-by-one
    either way (2, 3 or 5) is caught.
    """
    rows = [{**GOOD, "activity_name": f"Actividad {i + 1}"} for i in range(n)]
    rows[at] = {**rows[at], **bad}
    return rows


def run_cli(*args) -> subprocess.CompletedProcess:
    """The real command line, as the user runs it from the repository."""
    return subprocess.run([*MDRM, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def run_main(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """An empty folder for the output: after a hard error it must stay empty."""
    path = tmp_path / "salida"
    path.mkdir()
    return path


def assert_nothing_written(out_dir: Path) -> None:
    assert list(out_dir.iterdir()) == [], "a hard error must write nothing (no file, no temporary)"


def assert_names(message: str, *, file: str, row: int | None = None, column: str | None = None,
                 value: str | None = None, sheet: str | None = None) -> None:
    assert "Error en los datos de entrada" in message  # Spanish frame of the CLI
    assert file in message
    if sheet is not None:
        assert f"hoja «{sheet}»" in message
    if row is not None:
        assert re.search(rf"\bfila {row}\b", message), f"expected «fila {row}» in: {message}"
    if column is not None:
        assert f"«{column}»" in message
    if value is not None:
        assert f"«{value}»" in message


# --- unreadable file ------------------------------------------------------------------------

def test_garbage_xlsx_is_unreadable_exit_2_nothing_written(tmp_path, month_params, out_dir):
    data = tmp_path / "5w_roto.xlsx"
    data.write_bytes(b"esto no es un libro de Excel \x00\x01\x02\xff" * 20)
    out = out_dir / "metrics.json"
    result = run_cli("metrics", "--params", month_params(data), "-o", out)
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w_roto.xlsx")
    assert "no se puede leer" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unsupported_extension_exit_2(tmp_path, month_params, out_dir, capsys):
    data = tmp_path / "5w.json"
    data.write_text("{}", encoding="utf-8")
    code, out, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.json")
    assert "formato" in err and ".xlsx" in err and ".csv" in err


def test_validate_garbage_xlsx_exit_2(tmp_path, capsys):
    data = tmp_path / "basura.xlsx"
    data.write_bytes(b"\x00garbage" * 50)
    code, _, err = run_main(capsys, "validate", data)
    assert code == 2
    assert_names(err, file="basura.xlsx")


# --- required column missing ----------------------------------------------------------------

def test_missing_column_suggests_closest_header(tmp_path, month_params, out_dir):
    frame = rows_frame(rows_with({})).rename(
        columns={SPANISH_HEADERS["activity_name"]: "Nombre de actividad"})
    data = tmp_path / "5w.csv"
    frame.to_csv(data, index=False)
    out = out_dir / "metrics.json"
    result = run_cli("metrics", "--params", month_params(data), "-o", out)
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.csv", row=1)
    # names the missing column as expected, and the misspelt header found in the file
    assert "«Nombre de la actividad»" in result.stderr
    assert "falta" in result.stderr
    suggestion = result.stderr.split("parecidos", 1)[1]
    assert "«Nombre de actividad»" in suggestion
    # the closest header comes first
    assert suggestion.index("«Nombre de actividad»") == suggestion.index("«")


def test_missing_column_in_xlsx_names_sheet(tmp_path, month_params, out_dir, capsys):
    frame = rows_frame(rows_with({})).drop(columns=[SPANISH_HEADERS["new_beneficiaries"]])
    data = tmp_path / "5w.xlsx"
    frame.to_excel(data, index=False, sheet_name="Datos 5W")
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.xlsx", sheet="Datos 5W", row=1)
    assert "«Nuevos beneficiarios del mes»" in err


def test_validate_missing_column_exit_2(tmp_path, capsys):
    frame = rows_frame(rows_with({})).rename(columns={SPANISH_HEADERS["month"]: "Mnth"})
    data = tmp_path / "5w.csv"
    frame.to_csv(data, index=False)
    code, _, err = run_main(capsys, "validate", data)
    assert code == 2
    assert "«Month»" in err
    assert "«Mnth»" in err.split("parecidos", 1)[1]


# --- month not parseable --------------------------------------------------------------------

@pytest.mark.parametrize("month", ["Sept 2020", "2020-13", "septiembre"])
def test_month_not_parseable(five_w, month_params, out_dir, capsys, month):
    data = five_w(rows_with({"month": month}))
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.csv", row=4, column="Month", value=month)
    assert "mes" in err.lower()


def test_month_not_parseable_subprocess(five_w, month_params, out_dir):
    data = five_w(rows_with({"month": "Sept 2020"}))
    result = run_cli("metrics", "--params", month_params(data), "-o", out_dir / "metrics.json")
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.csv", row=4, column="Month", value="Sept 2020")


# --- text in a numeric field, negative numbers ------------------------------------------------

def test_text_in_numeric_field_subprocess(five_w, month_params, out_dir):
    data = five_w(rows_with({"total_monthly": "diez"}))
    out = out_dir / "metrics.json"
    result = run_cli("metrics", "--params", month_params(data), "-o", out)
    assert result.returncode == 2
    assert not out.exists()
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.csv", row=4, column="Total beneficiarios mensuales",
                 value="diez")
    assert "número" in result.stderr and "texto" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("field", ["new_beneficiaries", "permanencia", "ninas", "quantity",
                                   "cva_value_usd"])
def test_text_in_any_numeric_field(five_w, month_params, out_dir, capsys, field):
    data = five_w(rows_with({field: "diez"}))
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.csv", row=4, column=SPANISH_HEADERS[field], value="diez")


def test_negative_number_subprocess(five_w, month_params, out_dir):
    data = five_w(rows_with({"permanencia": -3}))
    result = run_cli("metrics", "--params", month_params(data), "-o", out_dir / "metrics.json")
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.csv", row=4, column="Refugiados y migrantes EN DESTINO",
                 value="-3")
    assert "negativo" in result.stderr


def test_negative_number_in_xlsx_names_sheet(five_w, month_params, out_dir):
    data = five_w(rows_with({"total_monthly": -5}), name="5w.xlsx", sheet="Reporte 5W")
    result = run_cli("metrics", "--params", month_params(data), "-o", out_dir / "metrics.json")
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.xlsx", sheet="Reporte 5W", row=4,
                 column="Total beneficiarios mensuales", value="-5")


def test_text_in_xlsx_names_sheet(five_w, month_params, out_dir, capsys):
    data = five_w(rows_with({"total_monthly": "diez"}), name="5w.xlsx")
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.xlsx", sheet="5W", row=4, column="Total beneficiarios mensuales",
                 value="diez")


def test_first_bad_cell_reported_and_others_listed(five_w, month_params, out_dir, capsys):
    rows = rows_with({"total_monthly": "diez"}, at=3, n=5)
    rows[1] = {**GOOD, "new_beneficiaries": -1}
    data = five_w(rows)
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    first_line = err.splitlines()[0]
    assert_names(first_line, file="5w.csv", row=3, column="Nuevos beneficiarios del mes", value="-1")
    rest = "\n".join(err.splitlines()[1:])
    assert re.search(r"\bfila 5\b", rest) and "«diez»" in rest


def test_previous_output_left_intact(five_w, month_params, out_dir, capsys):
    out = out_dir / "metrics.json"
    out.write_text("previo", encoding="utf-8")
    data = five_w(rows_with({"total_monthly": "diez"}))
    code, _, _ = run_main(capsys, "metrics", "--params", month_params(data), "-o", out)
    assert code == 2
    assert out.read_text(encoding="utf-8") == "previo"
    assert [p.name for p in out_dir.iterdir()] == ["metrics.json"]


def test_hard_error_without_output_file_prints_no_json(five_w, month_params):
    data = five_w(rows_with({"total_monthly": "diez"}))
    result = run_cli("metrics", "--params", month_params(data))
    assert result.returncode == 2
    assert result.stdout == ""


def test_row_number_counts_blank_lines_in_xlsx(five_w, month_params, out_dir, capsys):
    """A blank row in the sheet still counts: the user sees the bad row where Excel shows it."""
    import openpyxl

    data = five_w(rows_with({"total_monthly": "diez"}), name="5w.xlsx")
    book = openpyxl.load_workbook(data)
    book.active.insert_rows(3)  # blank row 3: the bad row moves from 4 to 5
    book.save(data)
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_names(err, file="5w.xlsx", row=5, column="Total beneficiarios mensuales", value="diez")


def test_row_number_counts_blank_lines_in_csv(five_w, month_params, out_dir, capsys):
    """A blank line of a CSV is a row in Excel too (pandas.read_csv would skip it by default)."""
    data = five_w(rows_with({"total_monthly": "diez"}))
    lines = data.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "")  # blank line 3: the bad row moves from line 4 to line 5
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_names(err, file="5w.csv", row=5, column="Total beneficiarios mensuales", value="diez")


# --- no row for the requested region and month ------------------------------------------------

def test_region_not_in_file(five_w, month_params, out_dir):
    data = five_w(rows_with({}))
    result = run_cli("metrics", "--params", month_params(data, region="Moquegua"),
                     "-o", out_dir / "metrics.json")
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.csv")
    assert "«Moquegua»" in result.stderr and "2020-09" in result.stderr
    assert "no hay filas" in result.stderr
    # says which regions the file does have
    assert "«Tacna»" in result.stderr


def test_month_not_in_file(five_w, month_params, out_dir, capsys):
    rows = rows_with({}) + [{**GOOD, "month": "2020-08"}]
    data = five_w(rows)
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data, mes="2020-10"),
                            "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.csv")
    assert "2020-10" in err and "«Tacna»" in err
    # the months the region does have
    assert "2020-08" in err and "2020-09" in err
    # names the columns it looked at, as written in the file
    assert "País Admin1" in err and "Month" in err


def test_region_only_in_other_months_is_no_row(five_w, month_params, out_dir, capsys):
    """Rows of Tacna exist only for other months, rows of 2020-09 only for another region."""
    data = five_w([{**GOOD, "month": "2020-08"}, {**GOOD, "admin1": "Puno"}])
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert "«Tacna»" in err and "2020-09" in err


def test_region_rows_not_rmrp_are_still_rows(five_w, month_params, capsys):
    """Rows that exist but are not counted (Actividad RMRP = No) are rows: no hard error."""
    data = five_w([{**GOOD, "rmrp_activity": "No"}])
    code, out, _ = run_main(capsys, "metrics", "--params", month_params(data))
    assert code == 0
    assert '"read": 1' in out and '"counted": 0' in out


# --- wrong sheet ------------------------------------------------------------------------------

def test_wrong_sheet_names_available_sheets(five_w, month_params, out_dir):
    data = five_w(rows_with({}), name="5w.xlsx", sheet="Datos")
    result = run_cli("metrics", "--params", month_params(data, hoja="Otra"),
                     "-o", out_dir / "metrics.json")
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.xlsx", sheet="Otra")
    assert "«Datos»" in result.stderr.split("Otra", 1)[1]


def test_validate_wrong_sheet(five_w, capsys):
    data = five_w(rows_with({}), name="5w.xlsx", sheet="Datos")
    code, _, err = run_main(capsys, "validate", data, "--hoja", "Otra")
    assert code == 2
    assert "«Otra»" in err and "«Datos»" in err


# --- hard errors concern only the rows used ---------------------------------------------------

@pytest.mark.parametrize("bad, where", [
    ({"admin1": "Puno", "total_monthly": "diez"}, "otra región"),
    ({"admin1": "Puno", "month": "Sept 2020"}, "mes ilegible en otra región"),
    ({"month": "2020-10", "permanencia": -4}, "mes posterior"),
    ({"month": "2019-12", "total_monthly": "diez"}, "año anterior, no es el mes previo"),
])
def test_bad_cell_outside_used_rows_does_not_fail_metrics(five_w, month_params, out_dir, bad, where):
    data = five_w(rows_with(bad))
    out = out_dir / "metrics.json"
    result = run_cli("metrics", "--params", month_params(data), "-o", out)
    assert result.returncode == 0, f"{where}: {result.stderr}"
    assert out.is_file()
    import json

    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert metrics["rows"] == {**metrics["rows"], "read": 3, "counted": 3, "excluded": 0}
    assert metrics["people_reached"]["total"] == 30


@pytest.mark.parametrize("bad, column, value", [
    ({"admin1": "Puno", "total_monthly": "diez"}, "Total beneficiarios mensuales", "diez"),
    ({"admin1": "Puno", "month": "Sept 2020"}, "Month", "Sept 2020"),
    ({"month": "2020-10", "permanencia": -4}, "Refugiados y migrantes EN DESTINO", "-4"),
    ({"month": "2019-12", "total_monthly": "diez"}, "Total beneficiarios mensuales", "diez"),
])
def test_validate_checks_the_whole_file(five_w, bad, column, value):
    data = five_w(rows_with(bad))
    result = run_cli("validate", data)
    assert result.returncode == 2
    assert_names(result.stderr, file="5w.csv", row=4, column=column, value=value)


@pytest.mark.parametrize("month", ["2020-08", "2020-01", "2020-05"])
def test_bad_cell_in_previous_month_or_year_to_date_fails(five_w, month_params, out_dir, month):
    """The previous month (change) and January..month (year to date) are used rows."""
    data = five_w(rows_with({"month": month, "total_monthly": "diez"}))
    result = run_cli("metrics", "--params", month_params(data), "-o", out_dir / "metrics.json")
    assert result.returncode == 2
    assert_nothing_written(out_dir)
    assert_names(result.stderr, file="5w.csv", row=4, column="Total beneficiarios mensuales",
                 value="diez")


def test_bad_cell_in_december_before_january_report_fails(five_w, month_params, out_dir, capsys):
    """For January, the previous month is December of the year before."""
    rows = [{**GOOD, "month": "2020-01"}, {**GOOD, "month": "2019-12", "new_beneficiaries": "n/d"}]
    data = five_w(rows)
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data, mes="2020-01"),
                            "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.csv", row=3, column="Nuevos beneficiarios del mes", value="n/d")


def test_region_matched_normalized_makes_the_row_used(five_w, month_params, out_dir, capsys):
    """' TACNA ' is Tacna (matched like headers): its bad cell is in a used row."""
    data = five_w(rows_with({"admin1": " TACNA ", "total_monthly": "diez"}))
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_names(err, file="5w.csv", row=4, column="Total beneficiarios mensuales", value="diez")


def test_bad_cell_in_xlsx_other_region_ok_but_validate_fails(five_w, month_params, out_dir):
    data = five_w(rows_with({"admin1": "Puno", "ninas": "muchas"}), name="5w.xlsx")
    result = run_cli("metrics", "--params", month_params(data), "-o", out_dir / "metrics.json")
    assert result.returncode == 0, result.stderr
    result = run_cli("validate", data)
    assert result.returncode == 2
    assert_names(result.stderr, file="5w.xlsx", sheet="5W", row=4,
                 column="Ninas y Adolescentes menores de 18", value="muchas")


def test_blank_month_in_region_row_is_a_hard_error(five_w, month_params, out_dir, capsys):
    """A Tacna row without a month could be any month: it is a used row and it is unreadable."""
    data = five_w(rows_with({"month": ""}))
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w.csv", row=4, column="Month")


def test_latin1_semicolon_csv_row_numbering(tmp_path, month_params, out_dir, capsys):
    """A Latin-1, `;`-separated CSV (as Excel in Spanish saves it): same numbering, same names."""
    data = tmp_path / "5w_latin1.csv"
    rows_frame(rows_with({"acogida": "tres"})).to_csv(data, index=False, sep=";", encoding="latin-1")
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data), "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert_names(err, file="5w_latin1.csv", row=4, column="Comunidades de acogida", value="tres")
    # `validate` reads it the same way
    code, _, err = run_main(capsys, "validate", data)
    assert code == 2 and "«Comunidades de acogida»" in err


def test_no_row_error_names_the_file_headers(tmp_path, month_params, out_dir, capsys):
    frame = rows_frame(rows_with({})).rename(columns={SPANISH_HEADERS["admin1"]: "Admin1",
                                                      SPANISH_HEADERS["month"]: "Reporting Month"})
    data = tmp_path / "5w.csv"
    frame.to_csv(data, index=False)
    code, _, err = run_main(capsys, "metrics", "--params", month_params(data, region="Moquegua"),
                            "-o", out_dir / "m.json")
    assert code == 2
    assert_nothing_written(out_dir)
    assert "«Moquegua»" in err
    assert "País Admin1" not in err
    assert re.search(r"«Admin1\b", err) and "Reporting Month" in err
