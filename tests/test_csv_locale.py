"""Spanish-locale CSV (docs/metodologia.md §7): `;`-separated, the comma is the decimal mark, encoding detected.

The same rows as an xlsx (numbers as numbers) and as a `;` CSV saved by Excel in Spanish
(cp1252, decimal commas) give the same metrics; a number that cannot be read without
guessing is a hard error naming the cell and advising to save the file as .xlsx.
"""
from __future__ import annotations

import json

import pytest

from conftest import SPANISH_HEADERS, rows_frame
from mdrm.cli import main

ROWS = [
    {"appealing_org": "Asociación Ñandú", "sector": "Multipurpose CBI", "activity_name": "Transferencia",
     "cva": "Sí", "cva_value_usd": 1.25, "total_monthly": 3, "new_beneficiaries": 3, "permanencia": 3,
     "mujeres": 3},
    {"appealing_org": "Asociación Ñandú", "sector": "Multipurpose CBI", "activity_name": "Transferencia 2",
     "cva": "Sí", "cva_value_usd": 1250.5, "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5,
     "mujeres": 5},
    {"appealing_org": "Fundación Señal", "sector": "Protección (General)", "activity_name": "Orientación",
     "total_monthly": 12.4, "new_beneficiaries": 12.4, "permanencia": 12.4, "hombres": 12.4, "quantity": 2.5},
]


def spanish_csv(path, rows, encoding="cp1252", bom=False, override=None):
    """What Excel in Spanish writes: `;` between cells, `,` as the decimal mark."""
    frame = rows_frame(rows)
    for (index, field), text in (override or {}).items():
        frame.loc[index, SPANISH_HEADERS[field]] = text

    def cell(value):
        if isinstance(value, float):
            return f"{value:g}".replace(".", ",")
        return str(value)

    lines = [";".join(frame.columns)] + [";".join(cell(v) for v in r) for r in frame.itertuples(index=False)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def figures(metrics: dict) -> dict:
    out = json.loads(json.dumps(metrics))
    out.pop("source")
    out.pop("generated_by")
    return out


@pytest.mark.parametrize("encoding, bom", [("cp1252", False), ("utf-8", True), ("utf-8", False)])
def test_semicolon_csv_with_decimal_commas_equals_the_xlsx(tmp_path, five_w, month_params, encoding, bom):
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    xlsx = five_w(ROWS, name="5w.xlsx")
    csv = spanish_csv(tmp_path / "5w_es.csv", ROWS, encoding, bom)
    assert b"1,25;" in csv.read_bytes() and b"1250,5;" in csv.read_bytes() and b"12,4;" in csv.read_bytes()
    from_xlsx = compute(load_month(load_params(month_params(xlsx))))
    from_csv = compute(load_month(load_params(month_params(csv, name="b.yml"))))
    assert figures(from_csv) == figures(from_xlsx)
    assert from_csv["key_figures"]["usd_distribuidos"] == 1252  # 1.25 + 1250.5, never 1,250 + 1250.5
    assert from_csv["sectors"]["Protección (General)"]["total"] == 12  # 12.4 people
    assert {i["organization"] for i in from_csv["quality"]["issues"]} >= {"Fundación Señal"}


@pytest.mark.parametrize("text", ["1.250", "1,234.5", "1,234,567"])
def test_ambiguous_number_in_semicolon_csv_is_exit_2_with_the_advice(tmp_path, month_params, out_dir_or_tmp, capsys,
                                                                    text):
    csv = spanish_csv(tmp_path / "5w_es.csv", ROWS, override={(1, "cva_value_usd"): text})
    params = month_params(csv)
    code = main(["metrics", "--params", str(params), "-o", str(out_dir_or_tmp / "metrics.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "guarde el archivo como .xlsx" in err
    assert "5w_es.csv" in err and "fila 3" in err and "Valor de transferencia (en USD)" in err and text in err
    assert not (out_dir_or_tmp / "metrics.json").exists()


def test_ambiguous_comma_in_comma_csv_also_advises_xlsx(tmp_path, month_params, capsys):
    path = tmp_path / "5w.csv"
    frame = rows_frame(ROWS)
    frame.loc[0, SPANISH_HEADERS["cva_value_usd"]] = "1,5"
    frame.to_csv(path, index=False)
    assert main(["metrics", "--params", str(month_params(path))]) == 2
    err = capsys.readouterr().err
    assert "guarde el archivo como .xlsx" in err and "fila 2" in err and "1,5" in err


@pytest.fixture
def out_dir_or_tmp(tmp_path):
    folder = tmp_path / "salida"
    folder.mkdir()
    return folder
