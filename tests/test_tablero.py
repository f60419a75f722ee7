"""The one-page dashboard (tablero.pdf / tablero.png, README.md, «Tablero de una página»).

The PDF is read back with pypdf (its text as a reader's tool extracts it, not
from the code); the PNG with Pillow; the minimum text size from the figure's
own Text artists.
"""
from __future__ import annotations

import math

import pytest
from matplotlib.text import Text
from PIL import Image
from pypdf import PdfReader

from mdrm import tablero
from mdrm.metrics import compute, load_month
from mdrm.params import load_params
from mdrm.view import MonthView, load_view
from report_runs import SAMPLE_PARAMS, sample_report

A4_LANDSCAPE_PT = (841.9, 595.3)  # 297 × 210 mm in PDF points


def pdf_text(path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() for page in reader.pages)


def visible_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def inside_page(fig, text: Text) -> bool:
    box = text.get_window_extent(renderer=fig.canvas.get_renderer())
    width, height = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    return box.x0 >= -0.5 and box.y0 >= -0.5 and box.x1 <= width + 0.5 and box.y1 <= height + 0.5


# --------------------------------------------------------------------------- acceptance 1: the sample's tablero

def test_sample_tablero_is_one_a4_landscape_page_with_the_seed_figures():
    month = sample_report()  # `mdrm report` on the sample, as a user runs it
    reader = PdfReader(str(month / "tablero.pdf"))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_LANDSCAPE_PT[0], abs=1.5)
    assert float(box.height) == pytest.approx(A4_LANDSCAPE_PT[1], abs=1.5)
    text = reader.pages[0].extract_text()
    for figure in ("2,953", "686", "69", "2,198", "3,446", "86,348", "1,490", "septiembre de 2020"):
        assert figure in text, figure
    for heading in ("Población alcanzada en el mes de", "Por sexo y edad", "Respuesta Subgrupos",
                    "N° organizaciones por subgrupo", "Miembros de la Mesa", "Principales actividades",
                    "Destacados del mes", "*Subgrupos:", "Nota:", "Datos de ejemplo"):
        assert heading in text, heading
    # the Mesa's name as the HTML report titles it, and the seed's order top to bottom
    assert "Intervenciones de la Mesa de Diálogo para Refugiados y Migrantes" in text
    assert "Región de Tacna (MDRM)" in text
    assert "3,446" in text and "618" in text and "555" in text  # subgroup totals
    assert "Raciones de comidas" in text and "USD distribuidos por los" in text


def test_sample_tablero_png_is_the_page_at_150_dpi_and_not_blank():
    month = sample_report()
    with Image.open(month / "tablero.png") as image:
        width, height = image.size
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        white = sum(count for count, colour in colours if colour == (255, 255, 255))
    assert width >= math.floor(11.69 * 150) and height >= math.floor(8.27 * 150)
    assert width / height == pytest.approx(297 / 210, rel=0.01)
    assert len(colours) > 200  # text, charts, the map: not a blank page
    assert white < 0.8 * width * height


def test_sample_tablero_draws_no_text_under_7pt_and_nothing_off_the_page():
    view = load_view(SAMPLE_PARAMS)
    fig = tablero.draw(view)
    texts = visible_texts(fig)
    assert len(texts) > 60
    sizes = {t.get_text()[:30]: t.get_fontsize() for t in texts}
    assert min(sizes.values()) >= tablero.MIN_PT, min(sizes.items(), key=lambda kv: kv[1])
    assert [t.get_text()[:40] for t in texts if not inside_page(fig, t)] == []


def test_tablero_title_is_the_html_reports_mesa_title():
    from markupsafe import escape

    from mdrm import html

    view = load_view(SAMPLE_PARAMS)
    assert escape(tablero.mesa_title(view)) in html.header(view)
    texts = " ".join(t.get_text() for t in visible_texts(tablero.draw(view)))
    assert " ".join(tablero.mesa_title(view).split()) in " ".join(texts.split())


# --------------------------------------------------------------------------- acceptance 4: long highlights, 15 key figures

LONG = ("La Mesa coordinó con la Dirección Regional de Salud, la Defensoría del Pueblo y los gobiernos locales "
        "una jornada de atención integral en la que participaron doce organizaciones socias, con orientación "
        "legal, vacunación, entrega de kits de higiene y registro para transferencias monetarias; además se "
        "acordó un protocolo de derivación de casos de protección y una ruta de atención para personas en "
        "tránsito que llegan por el paso fronterizo de Santa Rosa durante la noche. ")


def fifteen_key_figure_view(five_w, month_params) -> MonthView:
    rows = [{"admin2": "Tacna", "sector": "Shelter", "activity_name": f"Actividad numero {i:02d}",
             "quantity": 1000 + i, "total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10,
             "mujeres": 10} for i in range(1, 16)]
    figures = {f"cifra_{i:02d}": {"etiqueta": f"Cifra clave número {i} con una etiqueta bastante larga para "
                                               f"probar el ajuste", "valor": "cantidad",
                                   "patrones": [f"actividad numero {i:02d}"]} for i in range(1, 16)}
    params = load_params(month_params(five_w(rows), destacados=[LONG * 3, LONG * 2, LONG, LONG * 2, LONG],
                                      cifras_clave=figures))
    md = load_month(params)
    return MonthView(params, md, compute(md))


def test_long_highlights_and_fifteen_key_figures_still_fit_one_page(five_w, month_params, tmp_path):
    view = fifteen_key_figure_view(five_w, month_params)
    assert len(view.metrics["key_figures"]) == 15
    fig = tablero.draw(view)
    texts = visible_texts(fig)
    assert min(t.get_fontsize() for t in texts) >= tablero.MIN_PT
    assert [t.get_text()[:40] for t in texts if not inside_page(fig, t)] == []
    tablero.write(view, tmp_path)
    reader = PdfReader(str(tmp_path / "tablero.pdf"))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for i in range(1, 16):  # every key figure is there, with its value
        assert f"{1000 + i:,}" in text, i
    # the highlights are cut, say so and point to the full text
    assert "…" in text and tablero.MORE_HIGHLIGHTS in text
    assert "Santa Rosa durante la noche" in text  # the first highlight is shown, wrapped


def test_short_highlights_are_not_cut(five_w, month_params):
    data = five_w([{"admin2": "Tacna", "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5}])
    params = load_params(month_params(data, destacados=["Uno.", "Dos."]))
    md = load_month(params)
    fig = tablero.draw(MonthView(params, md, compute(md)))
    text = " ".join(t.get_text() for t in visible_texts(fig))
    assert "Uno." in text and "Dos." in text and tablero.MORE_HIGHLIGHTS not in text


def test_wrap_and_fit_rules():
    from matplotlib.figure import Figure

    with __import__("matplotlib").rc_context(tablero.RC):
        fig = Figure(figsize=tablero.PAGE, dpi=tablero.MEASURE_DPI)
        w = tablero.Writer(fig)
        lines = w.wrap("uno dos tres cuatro cinco seis siete ocho nueve diez", 0.05, 8)
        assert len(lines) > 2 and all(w.width(line, 8) <= 0.05 for line in lines)
        assert " ".join(lines) == "uno dos tres cuatro cinco seis siete ocho nueve diez"
        size, paragraphs, cut = tablero.fit_paragraphs(w, ["palabra " * 400], 0.3, 0.05, pointer="ver más")
        assert size == tablero.MIN_PT and cut and paragraphs[-1] == ["ver más"]
        assert paragraphs[0][-1].endswith("…")
        size, paragraphs, cut = tablero.fit_paragraphs(w, ["corto"], 0.3, 0.05)
        assert size == 8.5 and not cut and paragraphs == [["corto"]]


def test_report_and_index_link_the_tablero():
    month = sample_report()
    index = (month.parent / "index.html").read_text(encoding="utf-8")
    assert 'href="2020-09/tablero.pdf"' in index and 'href="2020-09/tablero.png"' in index
    page = (month / "situacion.html").read_text(encoding="utf-8")
    assert 'href="tablero.pdf"' in page and 'href="tablero.png"' in page


def test_month_with_nothing_counted_still_draws_its_page(five_w, month_params, tmp_path):
    rows = [{"admin2": "Tacna", "rmrp_activity": "No", "total_monthly": 9, "new_beneficiaries": 9, "permanencia": 9}]
    params = load_params(month_params(five_w(rows), destacados=["Gasto de $5 y $10 en <b>kits</b>."],
                                      cifras_clave={}))
    md = load_month(params)
    view = MonthView(params, md, compute(md))
    tablero.write(view, tmp_path)
    text = " ".join(PdfReader(str(tmp_path / "tablero.pdf")).pages[0].extract_text().split())
    assert "Ningún subgrupo alcanzó personas en el mes." in text
    assert "Sin desagregación por sexo y edad en el mes." in text
    assert "Sin cifras clave definidas." in text
    assert "Gasto de $5 y $10 en <b>kits</b>." in text  # text as written: no TeX, no markup


def test_more_population_groups_stay_inside_their_panel():
    # December 2020 of the sample has five groups (pendulares and retornados too)
    view = load_view(SAMPLE_PARAMS.with_name("2020-12.yml"))
    figures = view.metrics["people_reached"]["by_population"]
    assert len(figures) == 5
    fig = tablero.draw(view)
    renderer = fig.canvas.get_renderer()
    texts = visible_texts(fig)
    below = next(t for t in texts if t.get_text() == "Por sexo y edad").get_window_extent(renderer)
    shown = {f"{v:,}" for v in figures.values()}
    groups = [t for t in texts if t.get_text() in shown and t.get_position()[0] < 0.3]
    assert len(groups) == 5
    for text in groups:
        assert text.get_window_extent(renderer).y0 > below.y1 + 10, text.get_text()
    assert "…" not in " ".join(t.get_text() for t in groups)


def test_the_months_warnings_are_on_the_tablero(five_w, month_params, tmp_path):
    # no row of the previous month (July is in the file, so W03 is a warning, not January's information line)
    data = five_w([{"admin2": "Tacna", "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5},
                   {"admin2": "Tacna", "month": "2020-07", "total_monthly": 1, "new_beneficiaries": 1}])
    params = load_params(month_params(data))
    md = load_month(params)
    view = MonthView(params, md, compute(md))
    codes = [w["code"] for w in view.metrics["warnings"]]
    assert "W03" in codes
    tablero.write(view, tmp_path)
    text = " ".join(PdfReader(str(tmp_path / "tablero.pdf")).pages[0].extract_text().split())
    assert f"Avisos ({', '.join(codes)}):" in text
    fig = tablero.draw(view)
    line = next(t for t in visible_texts(fig) if t.get_text().startswith("Avisos ("))
    assert line.get_fontsize() >= tablero.MIN_PT and inside_page(fig, line)


def test_tablero_title_follows_the_params_mesa(five_w, month_params, tmp_path):
    from mdrm import html

    data = five_w([{"admin2": "Tacna", "total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5}])
    params = load_params(month_params(data, mesa={"nombre": "Mesa Temática de Movilidad Humana de Tacna",
                                                  "sigla": "MTMH"}))
    md = load_month(params)
    view = MonthView(params, md, compute(md))
    assert tablero.mesa_title(view) == html.report_title(view)
    tablero.write(view, tmp_path)
    text = " ".join(PdfReader(str(tmp_path / "tablero.pdf")).pages[0].extract_text().split())
    assert "Mesa Temática de Movilidad Humana de Tacna" in text and "MTMH" in text
    assert "Mesa de Diálogo" not in text
