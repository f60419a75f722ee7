"""`mdrm validate` for the IMO who chases partners (issue 9): where each issue is, the Mesa's scope,
a workbook with a summary and the detail, one workbook per organization, summary first."""
from __future__ import annotations

import re

import pandas as pd

from conftest import rows_frame
from mdrm.cli import main

CLEAN = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}


def row(i: int, **cells) -> dict:
    return {**CLEAN, "activity_name": f"Actividad {i}", **cells}


ROWS = [
    row(1, appealing_org="Socio Uno", permanencia=0),                          # Q07
    row(2, appealing_org="Socio Uno", mujeres=3),                              # Q02
    row(3, appealing_org="SOCIO UNO", cva="Sí"),                               # Q04
    row(4, appealing_org="Socio Dos", new_beneficiaries=12, permanencia=12, mujeres=12),  # Q03
    row(5, appealing_org="Socio Dos"),                                         # clean
    row(6, appealing_org="Socio Tres", admin1="Puno", mujeres=1),              # Q02, another region
    row(7, appealing_org="Socio Tres", month="2020-12", mujeres=1),            # Q02, a later month
    row(8, appealing_org="Socio Limpio"),                                      # clean
]


def read(path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="openpyxl")


def test_por_organizacion_writes_one_file_per_organization_with_exactly_its_issues(five_w, tmp_path, capsys):
    data = five_w(ROWS)
    folder = tmp_path / "socios"
    assert main(["validate", str(data), "--por-organizacion", str(folder)]) == 0
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["socio-dos.xlsx", "socio-tres.xlsx", "socio-uno.xlsx"]  # no file for a clean partner
    expected = {"socio-uno.xlsx": ({"Q07": 1, "Q02": 1, "Q04": 1}, [1, 2, 3]),
                "socio-dos.xlsx": ({"Q03": 1}, [4, 5]),
                "socio-tres.xlsx": ({"Q02": 2}, [6, 7])}
    for name, (codes, rows) in expected.items():
        sheets = read(folder / name)
        issues, own_rows = sheets["Problemas"], sheets["Filas"]
        assert issues["Código"].value_counts().to_dict() == codes, name
        assert set(issues["Organización"]) == {issues["Organización"].iloc[0]}
        # the partner's rows as it sent them: the file's own columns, then the issue columns; no row number
        assert list(own_rows.columns) == [*rows_frame(ROWS).columns, "Problemas de calidad",
                                          "Detalle de los problemas"], name
        assert [int(a.split()[1]) for a in own_rows["Nombre de la actividad"]] == rows, name
        assert set(own_rows["Actividad RMRP"]) == {"Si"}  # as written, not «Sí»
        # each issue says on which row of «Filas» it is, and that row carries its code
        for _, issue in issues.iterrows():
            line = own_rows.iloc[int(issue["Fila en «Filas»"]) - 2]
            assert issue["Código"] in line["Problemas de calidad"], name
    uno = read(folder / "socio-uno.xlsx")
    assert set(uno["Problemas"]["Organización"]) == {"Socio Uno"}  # the most frequent spelling
    assert "3 archivos" in capsys.readouterr().out


def test_params_limit_to_the_region_and_months_and_issues_say_where(five_w, month_params, tmp_path, capsys):
    data = five_w(ROWS)
    params = month_params(data)
    out = tmp_path / "revision.xlsx"
    assert main(["validate", "--params", str(params), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert re.search(r"Filas leídas:\s*6\b", text)  # not Puno, not December
    assert re.search(r"Problemas de calidad:\s*4\b", text)
    sheets = read(out)
    assert list(sheets) == ["Resumen", "Por organización", "Problemas"]
    detail = sheets["Problemas"]
    assert list(detail.columns) == ["Código", "Fila", "País", "Región", "Mes", "Organización", "Problema"]
    assert detail["Fila"].tolist() == [2, 3, 4, 5]
    assert set(detail["Región"]) == {"Tacna"} and set(detail["Mes"]) == {"2020-09"} and set(detail["País"]) == {"Peru"}
    summary = sheets["Resumen"].set_index("Código")["Filas con el problema"]
    assert summary[["Q02", "Q03", "Q04", "Q07", "Q01"]].tolist() == [1, 1, 1, 1, 0]
    by_org = sheets["Por organización"].set_index("Organización")["Total"].to_dict()
    assert by_org == {"Socio Uno": 3, "Socio Dos": 1}


def test_summary_first_and_the_long_list_only_with_todo(five_w, capsys):
    data = five_w(ROWS)
    main(["validate", str(data)])
    short = capsys.readouterr().out
    assert "Resumen por código" in short and "Organizaciones con más problemas" in short
    assert re.search(r"^\s*3\s+Socio Uno \(Q02 1, Q04 1, Q07 1\)", short, re.M)
    assert "repite" not in short and not re.search(r"^\s*Q02\s+3\s+Peru", short, re.M)
    assert "--todo" in short
    main(["validate", str(data), "--todo"])
    full = capsys.readouterr().out
    assert re.search(r"^\s*Q02\s+3\s+Peru\s+Tacna\s+2020-09\s+Socio Uno\b", full, re.M)
    assert re.search(r"^\s*Q02\s+7\s+Peru\s+Puno\s+2020-09\s+Socio Tres\b", full, re.M)
    listed = re.search(r"^\s*Q02\s+7\s+Peru", full, re.M).start()
    assert full.index("Resumen por código") < full.index("Organizaciones con más problemas") < listed


def test_unreadable_cell_is_its_hard_error_not_made_up_issues(five_w, tmp_path, capsys):
    # row 3's USD cell is text: read as 0 it would make a false Q04 (CVA = Sí without USD)
    data = five_w([row(1), row(2, cva="Sí", cva_value_usd="mil"), row(3, mujeres=2)])
    out = tmp_path / "revision.xlsx"
    folder = tmp_path / "socios"
    code = main(["validate", str(data), "--todo", "-o", str(out), "--por-organizacion", str(folder)])
    captured = capsys.readouterr()
    assert code == 2
    assert "fila 3" in captured.err and "mil" in captured.err and "Valor de transferencia (en USD)" in captured.err
    assert not re.search(r"^\s*Q04\b\s+3", captured.out, re.M)
    assert re.search(r"^\s*Q04\s+0\b", captured.out, re.M)
    assert re.search(r"^\s*Q02\s+4\s+Peru", captured.out, re.M)  # the readable rows are still checked
    assert not out.exists() and not folder.exists()  # a hard error writes nothing


def test_params_of_a_mesa_with_two_regions_check_both(five_w, month_params, capsys):
    data = five_w(ROWS)
    params = month_params(data, region=["Tacna", "Puno"])
    assert main(["validate", "--params", str(params), "--todo"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"Filas leídas:\s*7\b", text)  # Tacna and Puno, not December
    assert re.search(r"^\s*Q02\s+7\s+Peru\s+Puno\s+2020-09\s+Socio Tres\b", text, re.M)
    assert not re.search(r"^\s*Q02\s+8\s", text, re.M)


def test_por_organizacion_keeps_the_partners_values_and_columns_as_they_came(tmp_path, capsys):
    """An English export with «Yes», a column the kit does not read and a blank header: all kept."""
    frame = rows_frame([row(1, appealing_org="Socio Uno", mujeres=3, rmrp_activity="Yes", cva="No"),
                        row(2, appealing_org="Socio Uno", rmrp_activity="Yes"),
                        row(3, appealing_org="Socio Dos", rmrp_activity="Yes")])
    frame["Comentario del socio"] = ["revisado", None, "ok"]
    frame[""] = ["x", "y", "z"]
    data = tmp_path / "5w.xlsx"
    frame.rename(columns={"": None}).to_excel(data, index=False)
    folder = tmp_path / "socios"
    assert main(["validate", str(data), "--por-organizacion", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["socio-uno.xlsx"]
    own = read(folder / "socio-uno.xlsx")["Filas"]
    assert len(own.columns) == len(frame.columns) + 2
    assert own["Actividad RMRP"].tolist() == ["Yes", "Yes"] and own["CVA"].tolist() == ["No", "No"]
    assert own["Comentario del socio"].tolist()[0] == "revisado"
    assert own["Problemas de calidad"].tolist()[0] == "Q02" and pd.isna(own["Problemas de calidad"].tolist()[1])
    assert "excel_row" not in own.columns and "Fila" not in own.columns
