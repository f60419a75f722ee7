"""HTML fragments (mdrm.html): escaped text, Spanish numbers, the seed's labels, banner, footer."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import ROOT
from mdrm import html, tables
from mdrm.view import load_view

SEPTEMBER = ROOT / "params" / "tacna" / "2020-09.yml"
SCRIPT = "<script>alert(1)</script>"
SCRIPT_TEXT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def september():
    return load_view(SEPTEMBER)


@pytest.fixture
def hostile(five_w, month_params):
    """A month whose organization, province and highlight carry HTML."""
    rows = [
        {"total_monthly": 5, "new_beneficiaries": 5, "permanencia": 5, "appealing_org": SCRIPT,
         "admin2": "<i>Tarata</i>"},
        # Q04 (CVA = Sí without USD) names the organization in the quality annex too
        {"total_monthly": 2, "new_beneficiaries": 2, "transito": 2, "appealing_org": SCRIPT, "cva": "Si",
         "sector": "Health", "mujeres": 2},
    ]
    params = month_params(five_w(rows), destacados=["<b>negrita</b> y {people_reached.total}"],
                          deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    return load_view(params)


def _no_live_tag(fragment: str, tag: str) -> bool:
    return re.search(rf"<{tag}[\s>]", fragment, flags=re.IGNORECASE) is None


def test_organization_named_script_is_visible_text_everywhere(hostile):
    built = tables.report_tables(hostile)
    fragments = [html.report_table(hostile, built, name) for name in built]
    fragments += [html.headline(hostile), html.footer(hostile), html.header(hostile)]
    page = "".join(fragments)
    assert SCRIPT_TEXT in html.report_table(hostile, built, "Quién hace qué")
    assert SCRIPT_TEXT in html.report_table(hostile, built, "Calidad de datos")
    assert SCRIPT_TEXT in html.report_table(hostile, built, "Calidad por organización")
    assert "&lt;i&gt;Tarata&lt;/i&gt;" in html.report_table(hostile, built, "Por provincia")
    assert _no_live_tag(page, "script") and _no_live_tag(page, "i")


def test_highlight_with_b_is_visible_text(hostile):
    from mdrm import narrative

    fragment = html.highlights(narrative.fill_highlights(hostile.params.highlights, hostile.metrics))
    assert "&lt;b&gt;negrita&lt;/b&gt; y 7" in fragment
    assert "<b>negrita" not in fragment


def test_escape_of_quotes_and_ampersands():
    from mdrm.templating import environment

    assert 'a &#34;b&#34; &amp; &lt;c&gt;' in html.section('a "b" & <c>')
    assert environment().from_string("[{{ a }}]").render(a=None) == "[]"


def test_table_formats_numbers_in_spanish_and_marks_totals():
    frame = pd.DataFrame({
        "Grupo": ["A", "Total"],
        "Personas": pd.array([2953, None], dtype="Int64"),
        "% del total": pd.array([74.4, 100.0], dtype="Float64"),
        "Variación": pd.array([-33, 67], dtype="Int64"),
        "Variación (%)": pd.array([-1.1, 2.3], dtype="Float64"),
        "Fila": pd.array([1234, 5], dtype="Int64"),
    })
    fragment = html.table(frame, caption="Tabla <x> — septiembre de 2020", note="nota & más")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", fragment)
    assert cells == ["A", "2,953", "74.4%", "-33", "-1.1%", "1234", "Total", "—", "100.0%", "+67", "+2.3%", "5"]
    assert '<tr class="total">' in fragment
    assert '<p class="mdrm-caption">Tabla &lt;x&gt; — septiembre de 2020</p>' in fragment
    assert "nota &amp; más" in fragment


class _Chunks(HTMLParser):
    """The text of every element, one chunk per text node (tags are boundaries)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_data(self, data):
        if data.strip():
            self.chunks.append(" ".join(data.split()))


def chunks(fragment: str) -> list[str]:
    parser = _Chunks()
    parser.feed(fragment)
    return parser.chunks


def figure_of(fragment: str, label: str) -> str:
    """The whole text of the element just before the element whose text is `label`.

    Anchored: «16» must be the figure's whole element text, right before its
    label, so «16» inside «16,282», or another card's 16, does not pass.
    """
    found = chunks(fragment)
    assert found.count(label) == 1, f"«{label}» {found.count(label)} veces en {found}"
    return found[found.index(label) - 1]


def change_of(fragment: str, label: str) -> str:
    """The text of the element just after the element whose text is `label` (its change)."""
    found = chunks(fragment)
    return found[found.index(label) + 1]


# The previous month (August 2020) of the sample: its figures are checked against the
# generator's definitions in test_sample_months.py; here, how the card words the change.
AUGUST = "respecto de agosto de 2020"


def test_headline_card_has_the_seed_figures_labels_and_change(september):
    card = html.headline(september)
    assert figure_of(card, "Personas alcanzadas") == "2,953"
    assert change_of(card, "Personas alcanzadas") == f"▲ +67 (+2.3%) {AUGUST}"
    assert figure_of(card, "RyM en Permanencia") == "686"
    assert figure_of(card, "Comunidad de Acogida") == "69"
    assert figure_of(card, "RyM en Tránsito") == "2,198"
    assert change_of(card, "RyM en Permanencia") == f"▼ -22 (-3.1%) {AUGUST}"
    assert figure_of(card, "Organizaciones miembros de la MDRM") == "16"  # the sample's mesa.sigla
    assert figure_of(card, "Personas alcanzadas en el año") == "16,277"
    assert "19 organizaciones reportaron actividades en el 5W del mes" in chunks(card)
    # the seed's order of the groups
    assert card.index("RyM en Permanencia") < card.index("Comunidad de Acogida") < card.index("RyM en Tránsito")


SEED_KEY_FIGURE_CARDS = {
    "Kits de higiene distribuidos": "27", "Personas capacitadas para el autoempleo": "54",
    "Casos de protección acompañados": "150", "Raciones de comidas distribuidas": "1,490",
    "Personas apoyadas con albergue en ACT u hoteles": "244", "Orientaciones brindadas": "2,251",
    "USD distribuidos por los miembros del GTRM": "86,348", "Refrigerios distribuidos": "454",
    "Consultas de atención primaria de salud": "620", "Atenciones psicosociales": "255",
}


def test_key_figure_cards_show_the_seed_values(september):
    cards = html.key_figures(september)
    shown = {label: figure_of(cards, label) for label in SEED_KEY_FIGURE_CARDS}
    assert shown == SEED_KEY_FIGURE_CARDS
    assert change_of(cards, "Kits de higiene distribuidos") == f"▼ -1 (-3.6%) {AUGUST}"


def test_header_title_and_sample_banner(september, hostile):
    header = html.header(september)
    assert ("Intervenciones de la Mesa de Diálogo para Refugiados y Migrantes de la Región de Tacna (MDRM) — "
            "septiembre de 2020") in header
    assert "Datos de ejemplo" in header
    assert "Datos de ejemplo" not in html.header(hostile)


def test_footer_names_file_hash_version_and_date(september):
    footer = html.footer(september)
    source = september.metrics["source"]
    assert source["file"] == "5w_tacna_2020.xlsx" and source["file"] in footer
    assert len(source["sha256"]) == 64 and source["sha256"] in footer
    assert "mdrm 0.1.0" in footer
    made = september.metrics["generated_by"]["date"]
    from mdrm.formatting import date_label

    assert date_label(made) in footer


def test_notes_descriptions_and_methodology(september):
    definitions = html.definitions_note(september)
    assert "RyM en Permanencia</b> = Refugiados y Migrantes venezolanos/as con vocación de permanecer" in definitions
    descriptions = html.subgroup_descriptions(september.data.catalog)
    assert "Necesidades básicas:</b> Promueve la sinergia" in descriptions
    method = html.methodology(september)
    assert "«Total beneficiarios mensuales»" in method and "en cada provincia (Admin2)" in method


def test_no_external_resource_in_any_fragment(september):
    built = tables.report_tables(september)
    page = html.style() + "".join(html.report_table(september, built, n) for n in built) + html.headline(september)
    assert "http://" not in page and "https://" not in page and "@import" not in page and "url(" not in page


def test_every_table_has_a_caption_with_the_month(september):
    built = tables.report_tables(september)
    for name in built:
        caption, _ = html.caption_and_note(september, name)
        assert "septiembre" in caption or "enero a septiembre" in caption, name
