"""The quality annex is capped (README.md, «Compartir el mes: tablero, impresión y mapa»): a month with 1,000 issues prints, in
Chromium on A4, to no more pages than the same month with 10; the HTML lists the first 50
and says how many more tablas.xlsx holds (it keeps them all)."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from browser import chromium, require_chromium
from report_runs import html_text, report_of_rows

from mdrm.workbook import CAPTION_ROWS


def month_with_issues(folder, n: int):
    """n rows of one partner, each with an age/sex split that sums neither basis (Q02)."""
    folder.mkdir()
    rows = [{"appealing_org": "Socio Único", "activity_name": f"Actividad {i}", "total_monthly": 10,
             "new_beneficiaries": 10, "permanencia": 10, "mujeres": 3} for i in range(n)]
    rows.append({"month": "2020-08", "appealing_org": "Socio Único", "total_monthly": 5, "new_beneficiaries": 5,
                 "permanencia": 5, "mujeres": 5})
    done, month = report_of_rows(rows, folder)
    assert done.returncode == 0, done.stderr
    return month


def pdf_pages(browser, html_path) -> int:
    from pypdf import PdfReader

    page = browser.new_page()
    try:
        page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=60_000)
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        page.close()
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def two_months(tmp_path_factory):
    base = tmp_path_factory.mktemp("anexo")
    return month_with_issues(base / "diez", 10), month_with_issues(base / "mil", 1000)


def test_annex_lists_the_first_50_and_tablas_keeps_them_all(two_months):
    few, many = two_months
    text = html_text((many / "situacion.html").read_text(encoding="utf-8"))
    assert "Se muestran los primeros 50 de 1,000 problemas: 950 más están en la hoja «Calidad de datos» de " \
           "tablas.xlsx" in text
    assert text.count("Q02") <= 50 + 5  # the listed issues, the per-organization table and its legend
    sheets = pd.read_excel(many / "tablas.xlsx", sheet_name=None, engine="openpyxl", header=CAPTION_ROWS)
    assert len(sheets["Calidad de datos"]) == 1000
    assert sheets["Calidad por organización"].to_dict("records") == [
        {"Organización": "Socio Único", "Q02": 1000, "Total": 1000}]
    few_text = html_text((few / "situacion.html").read_text(encoding="utf-8"))
    assert "Se muestran los primeros" not in few_text
    assert len(pd.read_excel(few / "tablas.xlsx", sheet_name="Calidad de datos", engine="openpyxl",
                         header=CAPTION_ROWS)) == 10


def test_1000_issues_print_to_no_more_a4_pages_than_10(two_months):
    require_chromium()
    few, many = two_months
    with chromium() as browser:
        pages_few = pdf_pages(browser, few / "situacion.html")
        pages_many = pdf_pages(browser, many / "situacion.html")
    assert pages_few >= 2
    assert pages_many <= pages_few, (pages_many, pages_few)
