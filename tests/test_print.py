"""The shared reports printed by Debian's Chromium on A4 (README.md, «Impresión»).

Playwright's `page.pdf` is Chromium's own print path (print media, the page's
@page rules); the PDF is read back with pypdf, page by page.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from report_runs import html_text, sample_report

A4_PT = (595.3, 841.9)
MAX_PAGES = 10


def print_pdf(browser, path) -> PdfReader:
    page = browser.new_page()
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    return PdfReader(io.BytesIO(data))


def page_lines(reader: PdfReader) -> list[list[str]]:
    return [[" ".join(line.split()) for line in page.extract_text().splitlines() if line.strip()]
            for page in reader.pages]


def _times(m, n):
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def ends_with_heading(page, lines: list[str], headings: set[str]) -> bool:
    """The page's last text is a section heading and no image (a chart, the map) is drawn below it."""
    if not lines or lines[-1] not in headings:
        return False
    heading_y, image_bottoms = [], []
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}

    def text(value, cm, tm, font, size):
        if " ".join(value.split()) == lines[-1]:
            heading_y.append(_times(tm, cm)[5])

    def operator(op, args, cm, tm):
        if op == b"Do" and xobjects.get(args[0], {}).get("/Subtype") == "/Image":
            image_bottoms.append(cm[5])

    page.extract_text(visitor_text=text, visitor_operand_before=operator)
    return not heading_y or not any(bottom < min(heading_y) for bottom in image_bottoms)


def section_headings(html: str) -> set[str]:
    """The text of every section heading (h2) and its subtitle, as a reader sees them."""
    import re

    found = re.findall(r'<h2 class="mdrm-h2">(.*?)</h2>(?:<p class="mdrm-sub">(.*?)</p>)?', html)
    return {html_text(t) for pair in found for t in pair if t}


def test_sample_report_prints_on_at_most_ten_a4_pages_without_a_heading_at_a_page_end(browser):
    month = sample_report()
    html = (month / "situacion.html").read_text(encoding="utf-8")
    headings = section_headings(html)
    assert {"Población alcanzada", "Por provincia", "Tendencia mensual", "Quién hace qué"} <= headings
    reader = print_pdf(browser, month / "situacion.html")
    pages = page_lines(reader)
    assert 1 < len(pages) <= MAX_PAGES, len(pages)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=1.5)
    for number, (page, lines) in enumerate(zip(reader.pages[:-1], pages[:-1]), start=1):
        assert lines, f"página {number} vacía"
        assert not ends_with_heading(page, lines, headings), f"la página {number} termina con el título «{lines[-1]}»"
    text = "\n".join("\n".join(lines) for lines in pages)
    assert pages[0][0].startswith("Datos de ejemplo")  # the sample banner is printed, first
    for figure in ("2,953", "2,416", "86,348"):
        assert figure in text
    # the province map is printed too (its list of provinces without a polygon)
    assert "(sin dato) 61 personas" in text


def test_highlights_page_prints_with_its_banner(browser):
    reader = print_pdf(browser, sample_report() / "destacados.html")
    pages = page_lines(reader)
    assert 1 <= len(pages) <= 3
    assert pages[0][0].startswith("Datos de ejemplo")


def test_print_rules_apply_in_print_media(browser):
    """The stylesheet's promises, read from Chromium's computed styles under print media."""
    page = browser.new_page(viewport={"width": 718, "height": 1000})  # A4's printable width in CSS pixels
    try:
        page.goto((sample_report() / "situacion.html").resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        found = page.evaluate("""() => {
            const style = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
            const width = document.documentElement.clientWidth;
            return {
                thead: style('table.mdrm-table thead', 'display'),
                heading: style('h2.mdrm-h2', 'breakAfter'),
                grid: style('.mdrm-kf', 'breakInside'),
                card: style('.mdrm-card', 'breakInside'),
                image: style('.jp-RenderedImage img', 'breakInside'),
                map: style('.mdrm-map', 'breakInside'),
                banner: style('.mdrm-banner', 'display'),
                output: style('.jp-OutputArea-child', 'display'),
                overflowing: [...document.querySelectorAll('.mdrm *')]
                    .filter(e => e.getBoundingClientRect().right > width + 1).length,
            };
        }""")
    finally:
        page.close()
    assert found == {"thead": "table-header-group", "heading": "avoid", "grid": "avoid", "card": "avoid",
                     "image": "avoid", "map": "avoid", "banner": "block", "output": "block", "overflowing": 0}
