"""One record per report table (`mdrm.tables.ReportTable`): read by tablas.xlsx, the HTML and the notebook.

- every table of `report_tables` has a record, every record a builder, and the
  notebook names each table by its record's id;
- each numeric column has a declared number format: the same one in the HTML
  ("2,953", "74.4%", "+67", "-3.6%", row "650") and in tablas.xlsx (Excel's
  number format on the cells, the values unchanged);
- tablas.xlsx carries each table's caption (row 1) and note (row 2) above its header;
- changing one table's caption in its record changes it in the HTML fragment
  and in tablas.xlsx, in process and through a real `mdrm report`.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from conftest import ROOT, rows_frame
from report_runs import html_text

from mdrm import formatting, html, tables, workbook
from mdrm.quality import CODES
from mdrm.view import load_view

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"
NOTEBOOK = ROOT / "notebooks" / "situacion.ipynb"

PEOPLE = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}
# August counts nothing (RMRP = No: W03) and September has no new beneficiaries (W02)
W02_W03_ROWS = [
    {**PEOPLE, "month": "2020-08", "rmrp_activity": "No", "activity_name": "Orientaciones legales brindadas",
     "quantity": 500, "total_monthly": 300},
    {**PEOPLE, "new_beneficiaries": 0, "activity_name": "Orientaciones legales brindadas", "quantity": 40},
    {**PEOPLE, "new_beneficiaries": 0, "sector": "Health", "activity_name": "Consultas"},
]
CLEAN_ROWS = [{**PEOPLE, "activity_name": "Orientaciones legales brindadas", "quantity": 10},
              {**PEOPLE, "month": "2020-08", "activity_name": "Orientaciones legales brindadas", "quantity": 7,
               "total_monthly": 7, "new_beneficiaries": 7, "permanencia": 7, "mujeres": 7}]


@pytest.fixture(scope="module")
def september():
    return load_view(SEPTEMBER)


@pytest.fixture(scope="module")
def september_tables(september):
    return september.report_tables()  # the month's own tables, as the notebooks get them


@pytest.fixture(scope="module")
def views(september, tmp_path_factory):
    """The sample September and hand-made months: W02 + W03, no quality issue, basis «nuevos»."""
    folder = tmp_path_factory.mktemp("records")

    def view(name, rows, **keys):
        data = folder / f"{name}.csv"
        rows_frame(rows).to_csv(data, index=False)
        params = folder / f"{name}.yml"
        params.write_text(yaml.safe_dump({"region": "Tacna", "mes": "2020-09", "datos": str(data), **keys},
                                         allow_unicode=True), encoding="utf-8")
        return load_view(params)

    return {"sample": september, "w02_w03": view("w02_w03", W02_W03_ROWS), "clean": view("clean", CLEAN_ROWS),
            "nuevos": view("nuevos", CLEAN_ROWS, base_personas="nuevos")}


def with_caption(monkeypatch, table_id: str, caption) -> None:
    """Replace one record by a copy whose caption is `caption(view)`."""
    replaced = tuple(dataclasses.replace(r, caption=caption) if r.id == table_id else r
                     for r in tables.REPORT_TABLES)
    monkeypatch.setattr(tables, "REPORT_TABLES", replaced)


# --- one record per table, no orphan --------------------------------------------------------

def test_every_table_has_a_record_and_every_record_a_builder(september_tables):
    records = tables.REPORT_TABLES
    assert list(september_tables) == [r.sheet for r in records]
    assert len({r.id for r in records}) == len({r.sheet for r in records}) == len(records) == 15
    for record in records:
        assert re.fullmatch(r"[a-z][a-z_]*", record.id), record.id  # an English identifier, not the sheet
        assert len(record.sheet) <= 31 and not set(record.sheet) & set("[]:*?/\\"), record.sheet
        assert callable(record.build) and callable(record.caption) and callable(record.note)
        assert record.layout in ("table", "annex")
        assert tables.record(record.id) is record and tables.record(record.sheet) is record
        assert tables.frame_of(september_tables, record.id) is september_tables[record.sheet]
    with pytest.raises(KeyError, match="Cuadro inventado"):
        tables.record("Cuadro inventado")


def test_the_notebook_names_every_table_by_its_record_id():
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    shown = re.findall(r'html\.report_table\(vista, tablas, "([^"]+)"\)', code)
    ids = [r.id for r in tables.REPORT_TABLES]
    assert sorted(shown) == sorted(ids)  # each table shown once, by id
    assert not re.search(r"tablas\[", code)  # no table taken by its Spanish sheet name
    assert "html.key_figures(vista)" in code  # the cards: the month's «key_figures» table


# --- number formats: declared once, read by the HTML and the workbook ------------------------

def test_number_formats_read_in_spanish_as_the_report_writes_them():
    assert tables.INTEGER.text(2953) == "2,953" and tables.INTEGER.excel == "#,##0"
    assert tables.PERCENT.text(74.4) == "74.4%" and tables.PERCENT.text(100.0) == "100.0%"
    assert tables.CHANGE.text(67) == "+67" and tables.CHANGE.text(-1) == "-1" and tables.CHANGE.text(0) == "0"
    assert tables.CHANGE_PERCENT.text(2.3) == "+2.3%" and tables.CHANGE_PERCENT.text(-3.6) == "-3.6%"
    assert tables.CHANGE_PERCENT.text(0.0) == "0.0%" and tables.CHANGE_PERCENT.text(1500.0) == "+1,500.0%"
    assert tables.IDENTIFIER.text(1234) == "1234"  # an Excel row: no thousands separator
    assert tables.CHANGE.excel == "+#,##0;-#,##0;0" and tables.IDENTIFIER.excel == "0"
    assert tables.PERCENT.excel == '#,##0.0"%"' and tables.CHANGE_PERCENT.excel == '+#,##0.0"%";-#,##0.0"%";0.0"%"'


NAMED = {"% del total": tables.PERCENT, "Variación": tables.CHANGE, "Variación (%)": tables.CHANGE_PERCENT,
         "Fila": tables.IDENTIFIER}


def test_each_numeric_column_has_a_declared_format(views):
    named_seen = set()
    for name, view in views.items():
        for sheet, frame in tables.report_tables(view).items():
            record = tables.record(sheet)
            declared = record.number_formats(frame)
            for column in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[column]):
                    assert column not in declared, (name, sheet, column)
                    continue
                assert column in declared, f"{name}: «{sheet}» columna «{column}» sin formato"
                if column in NAMED:
                    assert declared[column] is NAMED[column], (sheet, column)
                    named_seen.add((sheet, column))
                # integers never read as percentages, points with a decimal never as integers
                kinds = ((tables.PERCENT, tables.CHANGE_PERCENT) if pd.api.types.is_float_dtype(frame[column])
                         else (tables.INTEGER, tables.CHANGE, tables.IDENTIFIER))
                assert declared[column] in kinds, (name, sheet, column)
    # every column a record names exists in its table (no stale declaration)
    for record in tables.REPORT_TABLES:
        for column in record.formats:
            if column != tables.OTHER_NUMBERS:
                assert (record.sheet, column) in named_seen, (record.sheet, column)


def test_html_cells_follow_the_record_not_the_column_name(september, september_tables, monkeypatch):
    # a population group labelled with "%" would have read as a percentage when the name decided
    frame = september_tables["Población alcanzada"].rename(columns={"Personas": "Personas (%)"})
    built = {**september_tables, "Población alcanzada": frame}
    replaced = tuple(dataclasses.replace(r, formats={"% del total": tables.PERCENT, "Personas (%)": tables.INTEGER})
                     if r.id == "population" else r for r in tables.REPORT_TABLES)
    monkeypatch.setattr(tables, "REPORT_TABLES", replaced)
    fragment = html.report_table(september, built, "population")
    assert '<td class="n">2,953</td><td class="n">100.0%</td>' in fragment
    assert '<td class="n">686</td><td class="n">23.2%</td>' in fragment


def test_xlsx_cells_carry_the_declared_formats_and_the_same_values(september, september_tables, tmp_path):
    path = tmp_path / "tablas.xlsx"
    workbook.write_tables(september_tables, path)
    book = load_workbook(path)
    population = book["Población alcanzada"]
    assert [c.value for c in population[3]] == ["Grupo poblacional", "Personas", "% del total"]
    assert [c.value for c in population[7]] == ["Total", 2953, 100]
    assert population["B7"].number_format == "#,##0" and population["C4"].number_format == '#,##0.0"%"'
    assert population["A7"].number_format == "General" and population.freeze_panes == "A4"
    key = book["Cifras clave"]
    assert [c.value for c in key[3]] == ["Cifra clave", "septiembre de 2020", "agosto de 2020", "Variación",
                                         "Variación (%)"]
    assert [c.value for c in key[4]] == ["Kits de higiene distribuidos", 27, 28, -1, -3.6]
    assert [c.number_format for c in key[4]][1:] == ["#,##0", "#,##0", "+#,##0;-#,##0;0",
                                                     '+#,##0.0"%";-#,##0.0"%";0.0"%"']
    issues = book["Calidad de datos"]
    assert issues["B4"].value == 650 and issues["B4"].number_format == "0"
    # every numeric cell under a header has its record's format; every value is the table's
    for sheet, frame in september_tables.items():
        declared = {c: f.excel for c, f in tables.record(sheet).number_formats(frame).items()}
        ws = book[workbook.sheet_names([sheet])[0]]
        header = [c.value for c in ws[workbook.CAPTION_ROWS + 1]]
        assert header == list(frame.columns), sheet
        for column, excel in declared.items():
            col = header.index(column) + 1
            cells = [ws.cell(row=r, column=col) for r in range(workbook.CAPTION_ROWS + 2, ws.max_row + 1)]
            assert all(c.number_format == excel for c in cells if c.value is not None), (sheet, column)
        written = [[c.value for c in row] for row in ws.iter_rows(min_row=workbook.CAPTION_ROWS + 2)]
        expected = [[None if formatting.is_missing(v) or v == "" else v for v in row]
                    for row in frame.itertuples(index=False)]
        assert written == expected, sheet


# --- captions and notes: the record's, in the HTML and above the sheet's header -----------------

def test_xlsx_sheets_start_with_the_record_caption_and_note(views, tmp_path):
    for name, view in views.items():
        built = tables.report_tables(view)
        path = tmp_path / f"{name}.xlsx"
        workbook.write_tables(built, path)
        book = load_workbook(path)
        for record in tables.REPORT_TABLES:
            ws = book[record.sheet]
            assert ws["A1"].value == record.caption(view) and ws["A1"].font.b, (name, record.id)
            assert ws["A2"].value == (record.note(view) or None), (name, record.id)
            assert ws["B1"].value is None and ws["B2"].value is None
    w02_w03 = views["w02_w03"]
    book = load_workbook(tmp_path / "w02_w03.xlsx")
    assert book["Acumulado del año"]["A2"].value.startswith("—: los nuevos beneficiarios del mes son 0")
    assert book["Variación mensual"]["A2"].value.endswith("(aviso W03).")
    assert book["Calidad por organización"]["A2"].value is None  # no issue, no codes' legend
    sample = load_workbook(tmp_path / "sample.xlsx")
    assert sample["Calidad por organización"]["A2"].value == f"Q02: {CODES['Q02']}"  # the codes' legend
    assert "aviso W03" not in (tables.record("monthly_change").note(views["clean"]) or "")
    assert tables.record("key_figures").note(views["clean"]) is None
    assert "W03" in tables.record("key_figures").note(w02_w03)


def test_validate_workbooks_keep_their_header_in_row_1(tmp_path):
    # a table that is not a report table (no record): written as before, header in row 1
    path = tmp_path / "otro.xlsx"
    workbook.write_tables({"Problemas": pd.DataFrame({"Código": ["Q02"], "Fila": [650]})}, path)
    ws = load_workbook(path)["Problemas"]
    assert [c.value for c in ws[1]] == ["Código", "Fila"] and ws["B2"].value == 650
    assert ws["B2"].number_format == "General" and ws.freeze_panes == "A2"


CHANGED = "Personas alcanzadas por grupo (leyenda cambiada) — "


def test_a_caption_changed_in_its_record_changes_in_the_html_and_the_xlsx(september, monkeypatch, tmp_path):
    before = html.report_table(september, tables.report_tables(september), "population")
    assert "Población alcanzada por grupo poblacional — septiembre de 2020" in before
    with_caption(monkeypatch, "population", lambda v: CHANGED + formatting.month_label(v.metrics["month"]))
    built = tables.report_tables(september)
    fragment = html.report_table(september, built, "population")
    assert f'<p class="mdrm-caption">{CHANGED}septiembre de 2020</p>' in fragment
    assert "Población alcanzada por grupo poblacional" not in fragment
    assert fragment.replace(CHANGED, "Población alcanzada por grupo poblacional — ") == before  # only the caption
    path = tmp_path / "tablas.xlsx"
    workbook.write_tables(built, path)
    ws = load_workbook(path)["Población alcanzada"]
    assert ws["A1"].value == f"{CHANGED}septiembre de 2020"
    assert [c.value for c in ws[7]] == ["Total", 2953, 100]


# Loaded by every Python of the run (parent, workers, kernels): the record with another caption.
SITECUSTOMIZE = f'''
import dataclasses
from mdrm import formatting, tables
tables.REPORT_TABLES = tuple(
    dataclasses.replace(r, caption=lambda v: {CHANGED!r} + formatting.month_label(v.metrics["month"]))
    if r.id == "population" else r for r in tables.REPORT_TABLES)
'''


def test_a_caption_changed_in_its_record_changes_in_a_real_report(tmp_path):
    """`mdrm report` (notebook through papermill and nbconvert, tablas.xlsx) with the record replaced."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    data = tmp_path / "5w.csv"
    rows_frame(CLEAN_ROWS).to_csv(data, index=False)
    (tmp_path / "tacna").mkdir()
    params = tmp_path / "tacna" / "2020-09.yml"
    params.write_text(yaml.safe_dump({"region": "Tacna", "mes": "2020-09", "datos": str(data)}), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "mdrm", "report", "--params", str(params), "--out",
                           str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr
    month = tmp_path / "out" / "tacna" / "2020-09"
    page = (month / "situacion.html").read_text(encoding="utf-8")
    assert page.count(f'<p class="mdrm-caption">{CHANGED}septiembre de 2020</p>') == 1
    assert "Población alcanzada por grupo poblacional" not in html_text(page)
    assert "Población alcanzada por sexo y edad — septiembre de 2020" in html_text(page)  # the others as they were
    ws = load_workbook(month / "tablas.xlsx")["Población alcanzada"]
    assert ws["A1"].value == f"{CHANGED}septiembre de 2020"
    assert [c.value for c in ws[3]] == ["Grupo poblacional", "Personas", "% del total"]
    assert load_workbook(month / "tablas.xlsx")["Sexo y edad"]["A1"].value == \
        "Población alcanzada por sexo y edad — septiembre de 2020"
