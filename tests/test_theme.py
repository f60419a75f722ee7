"""The theme (mdrm/templates/mdrm/theme.css): the one home of the report's colours and CSS, and the
region's index page rendered from its Jinja2 template."""
from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import pytest

from conftest import ROOT
from mdrm import charts, html, theme
from mdrm import formatting as fmt
from mdrm.index import index_html

HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def test_theme_defines_the_house_colours():
    colours = theme.colors()
    assert colours["accent"] == "#00467f"
    assert fmt.ACCENT_COLOR == "#00467f" and fmt.TOTAL_COLOR == colours["text"] == "#263238"
    assert dict(fmt.POPULATION_COLORS) == {
        "permanencia": "#1f5fa8", "acogida": "#e69f00", "transito": "#2a9d8f", "pendulares": "#8e6bbf",
        "retornados": "#c0504d", "sin_desagregar": "#9e9e9e"}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", value) for value in colours.values())


def test_style_is_the_theme_file_and_nothing_from_the_network():
    text = theme.THEME_PATH.read_text(encoding="utf-8")
    assert html.style() == f"<style>{text}</style>"
    assert html.style().count("<style>") == 1
    assert "@import" not in text and "url(" not in text and "http" not in text
    assert "mdrm-tabla" not in text and "table.mdrm-table" in text
    # print rules live in print.css only (the shared pages include it), the screen look in the theme only
    assert "@media print" not in text and "@page" not in text
    printed = (theme.THEME_PATH.parent / "print.css").read_text(encoding="utf-8")
    top_level = re.sub(r"/\*.*?\*/", "", printed, flags=re.S).strip()
    assert top_level.startswith("@page") and re.fullmatch(r"@page \{[^}]*\}\s*@media print \{.*\}", top_level, re.S)


def test_no_colour_of_the_theme_is_written_in_the_code():
    """Every colour lives in theme.css: no hex colour (of the theme or any other) in mdrm/**/*.py."""
    found = []
    for path in sorted((ROOT / "mdrm").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{number}: {m}" for m in HEX.findall(line)]
    assert found == []
    theme_values = set(theme.colors().values())
    for path in (ROOT / "mdrm" / "templates").rglob("*"):
        if path.is_file() and path != theme.THEME_PATH:
            assert not theme_values & {m.lower() for m in HEX.findall(path.read_text(encoding="utf-8"))}, path


@pytest.fixture
def changed_theme(tmp_path, monkeypatch):
    """A copy of the theme with the accent and the colour of «RyM en Permanencia» changed."""
    text = theme.THEME_PATH.read_text(encoding="utf-8")
    text = text.replace("--mdrm-accent:#00467f;", "--mdrm-accent:#123456;")
    text = text.replace("--mdrm-population-permanencia:#1f5fa8;", "--mdrm-population-permanencia:#abcdef;")
    copy = tmp_path / "theme.css"
    copy.write_text(text, encoding="utf-8")
    monkeypatch.setattr(theme, "THEME_PATH", copy)
    return copy


@pytest.fixture(scope="module")
def september():
    from mdrm.view import load_view

    return load_view(ROOT / "params" / "tacna" / "2020-09.yml")


def test_a_colour_changed_in_the_theme_changes_the_html_and_the_charts(changed_theme, september):
    css = html.style()
    assert "--mdrm-accent:#123456;" in css and "--mdrm-population-permanencia:#abcdef;" in css
    assert "#00467f" not in css and "#1f5fa8" not in css
    # the HTML names the group's class; its colour is the theme's property
    assert 'class="mdrm-group mdrm-pop mdrm-pop-permanencia"' in html.headline(september)
    assert fmt.POPULATION_COLORS["permanencia"] == "#abcdef" and fmt.ACCENT_COLOR == "#123456"
    fig = charts.population(september)
    try:
        colours = [mcolors.to_hex(bar.get_facecolor()) for bar in fig.axes[0].patches]
    finally:
        plt.close(fig)
    assert colours[0] == "#abcdef"  # RyM en Permanencia, the first bar
    page = index_html(Path("no-such-region"))
    assert "--mdrm-accent:#123456;" in page


def test_headline_and_notes_colour_groups_by_class_not_inline(september):
    page = html.headline(september) + html.definitions_note(september)
    assert "style=\"border-left-color" not in page and "background:#" not in page
    for group in ("permanencia", "transito", "acogida"):
        assert f"mdrm-pop-{group}" in page
        assert f".mdrm-pop-{group}{{--mdrm-pop:var(--mdrm-population-{group})}}" in theme.css()


# --- the index page (templates/index/index.html.j2) --------------------------------------------

def _region(region: Path) -> Path:
    months = {
        "2020-07": None,  # a month folder without metrics.json
        "2020-08": {"region": "Tacna <b>&", "month": "2020-08", "people_reached": {"total": 2886}, "sample": True,
                    "mesa": {"nombre": "Mesa <script>alert(1)</script>", "sigla": "M&M"}},
        "2020-09": {"region": "Tacna <b>&", "month": "2020-09", "people_reached": {"total": 2953}, "sample": False,
                    "warnings": [{"code": "W03", "message": "x"}, {"code": "<W\"6>", "message": "y"}]},
    }
    for month, metrics in months.items():
        (region / month).mkdir(parents=True)
        if metrics is not None:
            (region / month / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    for name in ("situacion.html", "tablas.xlsx"):
        (region / "2020-09" / name).write_text("x", encoding="utf-8")
    (region / "2020-08" / "destacados.html").write_text("x", encoding="utf-8")
    (region / "notas").mkdir()
    return region


# The page the f-string version wrote for `_region`, from <body> on, with the two deliberate changes:
# the body's class (the theme's index rules) and the table's class (`mdrm-table`, as in the reports);
# Jinja2 escapes `"` as &#34; where html.escape wrote &quot;.
BODY_BEFORE = """<body class="mdrm-index">
<h1>Tacna &lt;b&gt;&amp; — reportes de situación</h1>
<p>Mesa &lt;script&gt;alert(1)&lt;/script&gt; (M&amp;M) — reportes mensuales generados con mdrm.</p>
<p class="ejemplo-nota">1 de 3 meses hechos con los datos de ejemplo del kit (sintéticos, no son datos reales): \
marcados «datos de ejemplo».</p>
<table class="mdrm-table">
<thead><tr><th>Mes</th><th class="cifra">Personas alcanzadas</th><th class="cifra">Avisos</th><th>Archivos</th></tr>\
</thead>
<tbody>
<tr><td class="mes">septiembre de 2020</td><td class="cifra">2,953</td><td class="cifra" title="W03, &lt;W&#34;6&gt;">\
2 (W03, &lt;W&#34;6&gt;)</td><td><a href="2020-09/situacion.html">Reporte de situación</a> · \
<a href="2020-09/tablas.xlsx">Tablas (Excel)</a> · <a href="2020-09/metrics.json">Cifras (JSON)</a></td></tr>
<tr><td class="mes">agosto de 2020 <span class="ejemplo">datos de ejemplo</span></td><td class="cifra">2,886</td>\
<td class="cifra">0</td><td><a href="2020-08/destacados.html">Destacados</a> · \
<a href="2020-08/metrics.json">Cifras (JSON)</a></td></tr>
<tr><td class="mes">julio de 2020</td><td class="cifra">—</td><td class="cifra">0</td><td>—</td></tr>
</tbody>
</table>
<footer>mdrm {version}</footer>
</body>
</html>
"""


def test_index_page_is_the_same_as_before_the_template(tmp_path):
    from mdrm import __version__

    page = index_html(_region(tmp_path / "tacna"))
    assert page.startswith('<!DOCTYPE html>\n<html lang="es">\n<head>\n<meta charset="utf-8">\n')
    assert "<title>Tacna &lt;b&gt;&amp; — reportes de situación</title>" in page
    assert f'<meta name="generator" content="mdrm {__version__}">' in page
    assert page[page.index("<body"):] == BODY_BEFORE.format(version=__version__)
    assert "<script>" not in page and "http" not in page


def test_index_page_without_months_and_with_the_theme(tmp_path):
    page = index_html(tmp_path / "moquegua")
    assert '<tr><td colspan="4">Todavía no hay reportes.</td></tr>' in page
    assert "ejemplo-nota" not in page
    assert "<p>Mesa de moquegua — reportes mensuales generados con mdrm.</p>" in page
    assert page.count("<style>") == 1 and theme.css() in page  # the theme, inlined
