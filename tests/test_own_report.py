"""A Mesa's own report (issue 17, SPEC §14; README.md, «Subgrupos de la Mesa»): its subgroups, its
admin2 names, a one-pager that fits whatever the data, Spanish alt text.

Hand-made 5W tables through the real files (tests/conftest.py); the figures are worked by hand in
the comments. One real `mdrm report` (module fixture `own_report`): a Colombian Mesa with three
subgroups of its own on an export without admin2.
"""
from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, metrics_exit_2, rows_frame, sample_subgroups
from mdrm import narrative
from mdrm.catalog import SIN_SUBGRUPO, load_catalog
from mdrm.cli import main
from mdrm.params import load_params
from report_runs import html_text

TACNA_NAMES = ("Necesidades básicas", "Salud y Nutrición", "CBI Multisectorial", "Integración",
               "Manejo de Información", "Promueve la sinergia")
OWN_SUBGROUPS = {
    "techo": {"nombre": "Techo y Abrigo", "descripcion": "Albergues y alojamiento temporal de la Mesa.",
              "sectores": ["Shelter"]},
    "salud_comunitaria": {"nombre": "Salud Comunitaria", "descripcion": "Atención primaria en los barrios.",
                          "sectores": ["Salud"]},  # a Spanish sector name: the same sector as «Health»
    "escuela_abierta": {"nombre": "Escuela Abierta", "descripcion": "Acceso y permanencia escolar.",
                        "sectores": ["education"]},  # a sector id
}


def people(n, group="permanencia", **fields):
    return {"total_monthly": n, "new_beneficiaries": n, group: n, **fields}


# --------------------------------------------------------------------------- subgrupos: the figures

def test_own_subgroups_roll_up_their_sectors(metrics_of):
    # Shelter 100 (perm 60, trans 40), Health 30 acogida, Education 20 perm, Protection 7 perm.
    # techo = Shelter 100; salud_comunitaria = Health 30; escuela_abierta = Education 20;
    # Protection (General) is a sector of the catalog in none of the three: «sin_subgrupo» 7, no Q06.
    # Headline (maximo, admin1, one unit): perm max(60, 20, 7) = 60, trans 40, acogida 30 -> 130.
    m = metrics_of([
        {"sector": "Shelter", "total_monthly": 100, "new_beneficiaries": 100, "permanencia": 60, "transito": 40},
        people(30, "acogida", sector="Health"),
        people(20, sector="Education"),
        people(7, sector="Protection (General)"),
    ], subgrupos=OWN_SUBGROUPS)
    assert m["subgroups"] == {
        "techo": {"total": 100, "by_population": {"permanencia": 60, "transito": 40, "acogida": 0}},
        "salud_comunitaria": {"total": 30, "by_population": {"permanencia": 0, "transito": 0, "acogida": 30}},
        "escuela_abierta": {"total": 20, "by_population": {"permanencia": 20, "transito": 0, "acogida": 0}},
        SIN_SUBGRUPO: {"total": 7, "by_population": {"permanencia": 7, "transito": 0, "acogida": 0}},
    }
    assert m["people_reached"]["total"] == 130
    assert m["quality"]["counts"].get("Q06", 0) == 0


def test_without_subgrupos_each_r4v_sector_is_a_subgroup(metrics_of):
    # The packaged grouping: Shelter 5 and Food Security 4 are two subgroups (not one «necesidades_basicas» 9)
    m = metrics_of([people(5), people(4, sector="Seguridad Alimentaria")], subgrupos=None)
    assert {sg: f["total"] for sg, f in m["subgroups"].items()} == {"alojamiento": 5, "seguridad_alimentaria": 4}


def test_common_services_never_count_for_people_in_any_grouping(metrics_of):
    # A Mesa that puts Coordination with Health: Health 12 counts, the coordination row of 500 does not
    # (excluded by its sector, not by the subgroup's name); an unknown sector still raises Q06.
    own = {"salud_y_coordinacion": {"nombre": "Salud y coordinación",
                                    "sectores": ["Health", "Common Services (Coordination)"]}}
    m = metrics_of([people(12, sector="Health"), people(500, sector="Common Services (Coordination)"),
                    people(3, sector="Sector Inventado")], subgrupos=own)
    assert m["subgroups"]["salud_y_coordinacion"]["total"] == 12
    assert m["rows"]["excluded_by_reason"] == {"servicios_comunes": 1}
    assert m["people_reached"]["total"] == 12  # max(Health 12, Sector Inventado 3)
    assert m["quality"]["counts"]["Q06"] == 1


@pytest.mark.parametrize("subgroups, words", [
    ({"a": {"nombre": "A", "sectores": ["Sector Inventado"]}}, ["«subgrupos.a.sectores»", "«Sector Inventado»"]),
    ({"a": {"nombre": "A", "sectores": ["Shelter"]}, "b": {"nombre": "B", "sectores": ["Alojamiento"]}},
     ["«subgrupos.b.sectores»", "«Alojamiento»", "«a»"]),
    ({"a": {"nombre": "A", "sectores": ["Shelter"], "color": "rojo"}}, ["«subgrupos.a.color»"]),
    ({"a": {"sectores": ["Shelter"]}}, ["«subgrupos.a.nombre»"]),
    ({"a": {"nombre": "A", "sectores": "Shelter"}}, ["«subgrupos.a.sectores»"]),
    ({SIN_SUBGRUPO: {"nombre": "A", "sectores": ["Shelter"]}}, ["«subgrupos»", SIN_SUBGRUPO]),
    ({}, ["«subgrupos»"]),
])
def test_a_wrong_subgrupos_is_a_hard_error_naming_the_key(capsys, five_w, month_params, tmp_path, subgroups,
                                                          words):
    metrics_exit_2(capsys, month_params(five_w([people(5)]), subgrupos=subgroups), tmp_path, *words)


def test_the_sample_region_yml_carries_tacna_subgroups_with_the_protection_items_numbered():
    own = sample_subgroups()
    assert list(own) == ["necesidades_basicas", "salud_nutricion", "proteccion", "cbi_multisectorial",
                         "integracion", "educacion", "manejo_informacion"]
    numbers = [int(n) for n in re.findall(r"(\d)\)", own["proteccion"]["descripcion"])]
    assert numbers == [1, 2, 3, 4, 5, 6]  # the seed's text repeats «3)»
    params = load_params(ROOT / "params" / "tacna" / "2020-09.yml")
    assert [sg.label for sg in params.adapt(load_catalog()).subgroups.values()][:5] == [
        "Necesidades básicas", "Salud y Nutrición", "Protección", "CBI Multisectorial", "Integración"]


def test_cono_sur_method_text_names_the_catalog_sectors():
    catalog = load_catalog()
    text = narrative.method_text("cono_sur", "admin1", catalog=catalog)
    assert ("el máximo entre Alojamiento, Seguridad Alimentaria, Transporte Humanitario y Agua, Saneamiento e "
            "Higiene, más Protección (General), más la suma de CBI Multipropósito, Integración, Salud y "
            "Educación") in text
    other = dataclasses.replace(catalog, cono_sur={"maximo": ("shelter", "nfi"), "mas": ("gbv",),
                                                   "suma": ("health",)})
    assert ("el máximo entre Alojamiento y Artículos no Alimentarios, más Protección (VBG), más la suma de "
            "Salud") in narrative.method_text("cono_sur", "admin1", catalog=other)


def test_init_writes_the_packaged_grouping_for_the_imo_to_edit(capsys, five_w, tmp_path):
    # Arequipa: Shelter 2 rows, Salud 1 row -> the comments count them; the block read back is the
    # packaged grouping (same ids, same sectors)
    data = five_w([people(5, admin1="Arequipa"), people(3, admin1="Arequipa"),
                   people(4, admin1="Arequipa", sector="Salud")])
    folder = tmp_path / "arequipa"
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--region", "Arequipa", "--dir", str(folder)]) == 0
    capsys.readouterr()
    text = (folder / "region.yml").read_text(encoding="utf-8")
    assert "  alojamiento:   # 2 filas de Arequipa en el archivo" in text
    assert "  salud:   # 1 fila de Arequipa en el archivo" in text
    written = load_params(folder / "2020-09.yml").adapt(load_catalog()).subgroups
    packaged = load_catalog().subgroups
    assert list(written) == list(packaged)
    assert all(written[k].sectors == packaged[k].sectors and written[k].label == packaged[k].label
               for k in packaged)


# --------------------------------------------------------------------------- acceptance 1: a real report run

COLOMBIA = {"country": "Colombia", "admin1": "Norte de Santander", "admin2": "", "month": "2021-03",
            "appealing_org": "Org Cúcuta", "rmrp_activity": "Si"}


def own_rows() -> list[dict]:
    """Norte de Santander, March 2021, no admin2: Shelter 100 (perm 60, trans 40), Salud 30 acogida,
    Education 20 perm: only sectors of the Mesa's three subgroups."""
    return [
        {**COLOMBIA, "sector": "Shelter", "activity_name": "Alojamiento temporal", "total_monthly": 100,
         "new_beneficiaries": 100, "permanencia": 60, "transito": 40, "mujeres": 50, "hombres": 50},
        {**COLOMBIA, "sector": "Salud", "activity_name": "Consultas", "total_monthly": 30,
         "new_beneficiaries": 30, "acogida": 30, "mujeres": 30},
        {**COLOMBIA, "sector": "Education", "activity_name": "Cupos escolares", "total_monthly": 20,
         "new_beneficiaries": 20, "permanencia": 20, "ninas": 10, "ninos": 10},
    ]


@pytest.fixture(scope="module")
def own_report(tmp_path_factory):
    """`mdrm report` of a Colombian Mesa with three subgroups of its own, on an export without admin2."""
    folder = tmp_path_factory.mktemp("own")
    data = folder / "5w_cucuta.csv"
    rows_frame(own_rows()).to_csv(data, index=False)
    params_folder = folder / "gifmm_cucuta"
    params_folder.mkdir()
    params = params_folder / "2021-03.yml"
    params.write_text(yaml.safe_dump({
        "pais": "Colombia", "region": "Norte de Santander", "mes": "2021-03", "datos": str(data),
        "mesa": {"nombre": "GIFMM Local de Cúcuta", "sigla": "GIFMM Cúcuta", "plataforma": "GIFMM"},
        "subgrupos": OWN_SUBGROUPS, "destacados": ["Un destacado del mes."],
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mdrm", "report", "--params", str(params), "--out",
                           str(folder / "out")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return folder / "out" / "gifmm_cucuta" / "2021-03"


def own_texts(month) -> dict[str, str]:
    pdf = " ".join(PdfReader(str(month / "tablero.pdf")).pages[0].extract_text().split())
    sheets = pd.read_excel(month / "tablas.xlsx", sheet_name=None, header=None)
    xlsx = " ".join(str(v) for frame in sheets.values() for v in frame.to_numpy().ravel() if pd.notna(v))
    page = html_text((month / "situacion.html").read_text(encoding="utf-8"))
    return {"situacion.html": page, "tablas.xlsx": xlsx, "tablero.pdf": pdf}


def test_the_report_shows_exactly_the_mesa_subgroups(own_report):
    metrics = json.loads((own_report / "metrics.json").read_text(encoding="utf-8"))
    # techo 100, salud_comunitaria 30, escuela_abierta 20; headline perm max(60, 20) + trans 40 + acogida 30
    assert {sg: f["total"] for sg, f in metrics["subgroups"].items()} == {
        "techo": 100, "salud_comunitaria": 30, "escuela_abierta": 20}
    assert metrics["people_reached"]["total"] == 130
    for name, text in own_texts(own_report).items():
        for label in ("Techo y Abrigo", "Salud Comunitaria", "Escuela Abierta"):
            assert label in text, (name, label)
        for tacna in TACNA_NAMES:
            assert tacna not in text, (name, tacna)
        assert "Sin subgrupo" not in text, name
    pdf = own_texts(own_report)["tablero.pdf"]
    assert "Albergues y alojamiento temporal de la Mesa." in pdf  # the foot's descriptions are the Mesa's


# --------------------------------------------------------------------------- admin2 named per country

def view_of(five_w, month_params, rows, **keys):
    from mdrm.view import load_view

    return load_view(month_params(five_w(rows), **keys))


CUCUTA = {"country": "Colombia", "admin1": "Norte de Santander", "month": "2020-09"}


@pytest.mark.parametrize("pais", ["Colombia", None])  # without `pais`: the country of the Mesa's rows
def test_a_colombian_report_says_municipio(five_w, month_params, pais):
    from mdrm import html, tables

    rows = [people(30, admin2="Cúcuta", **CUCUTA), people(5, "transito", admin2="Pamplona", **CUCUTA)]
    keys = {"region": "Norte de Santander", "deduplicacion": {"metodo": "maximo", "nivel": "admin2"}}
    view = view_of(five_w, month_params, rows, **keys, **({"pais": pais} if pais else {}))
    assert html.area_title(view) == "Por municipio"
    frame = view.table("provinces")
    assert frame.columns[0] == "Municipio" and frame.iloc[:, 0].tolist() == ["Cúcuta", "Pamplona",
                                                                               "Total Norte de Santander"]
    caption, note = html.caption_and_note(view, "provinces")
    assert caption.startswith("Personas alcanzadas por municipio")
    assert note == "Los municipios suman el total de la región: el doble conteo se elimina dentro de cada municipio."
    method = html.methodology(view)
    assert "en cada municipio (Admin2), el máximo entre sectores, y se suman los municipios" in method
    assert "Municipios" in tables.who_does_what(view).columns
    assert "provincia" not in " ".join([caption, note, method]).lower()


def test_peru_keeps_provincia_and_ecuador_says_canton():
    catalog = load_catalog()
    assert (catalog.admin2_label("peru"), catalog.admin2_label("peru", article=True)) == ("provincia", "las provincias")
    assert (catalog.admin2_label("ecuador"), catalog.admin2_label("ecuador", article=True)) == ("cantón", "los cantones")
    assert catalog.admin2_label("chile") == "comuna" and catalog.admin2_label("brasil") == "municipio"
    assert catalog.admin2_label(None) == "provincia"  # a country not known
    assert set(catalog.admin2_names) == set(catalog.countries)  # every R4V country names its admin2


LIMA = {"country": "Peru", "admin1": "Lima", "admin2": "", "month": "2020-09"}


def test_a_month_without_admin2_has_no_map_and_no_admin2_section(five_w, month_params):
    # Lima without provinces: 31 + 2 people, a map of Peru's INEI provinces would label every one 0
    from mdrm import html, maps, tablero

    view = view_of(five_w, month_params, [people(31, **LIMA), people(2, "acogida", **LIMA)], region="Lima")
    assert maps.one_peruvian_admin1(view) and not html.shows_areas(view)
    assert maps.map_data(view) is None and maps.report_html(view) == ""
    fig = tablero.draw(view)
    assert not [t for t in fig.texts if "Personas alcanzadas por" in t.get_text()]
    assert not [p for ax in fig.axes for p in ax.patches if (p.get_gid() or "").startswith("provincia:")]


def test_a_month_with_admin2_keeps_the_section_and_names_only_units_with_people(five_w, month_params):
    # Tacna: 40 people in the province of Tacna, none elsewhere: the map names Tacna only (no «Tarata 0»)
    from matplotlib.figure import Figure

    from mdrm import html, maps

    view = view_of(five_w, month_params, [people(40)], deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    assert html.shows_areas(view)
    data = maps.map_data(view)
    assert data.people == {"tacna": 40}
    ax = Figure().add_subplot()
    maps.draw(ax, data)
    assert [t.get_text() for t in ax.texts] == ["Tacna\n40"]


def test_the_country_itself_as_admin1_is_shown_as_nivel_nacional(five_w, month_params):
    # A national report of Peru: 72 people reported with admin1 «Peru» (national reach), 28 in Lima.
    # Por región: «Nivel nacional» 72, Lima 28 (the admin1s partition the headline: 100).
    from mdrm import html

    peru = {"country": "Peru", "month": "2020-09"}
    rows = [people(72, admin1="Peru", **peru), people(28, admin1="Lima", **peru)]
    view = view_of(five_w, month_params, rows, region=None, pais="Perú")
    frame = view.table("provinces")
    assert frame.iloc[:, 0].tolist() == ["Nivel nacional", "Lima", "Total Perú"]
    assert frame["Total"].tolist() == [72, 28, 100]
    _, note = html.caption_and_note(view, "provinces")
    assert "«Nivel nacional»: filas cuyo Admin1 es el país mismo" in note
    assert view.table("who_does_what")["Regiones"].iloc[0] == "Lima, Nivel nacional"


def test_without_a_country_admin1_there_is_no_nivel_nacional(five_w, month_params):
    from mdrm import html

    peru = {"country": "Peru", "month": "2020-09"}
    view = view_of(five_w, month_params, [people(72, admin1="Callao", **peru), people(28, admin1="Lima", **peru)],
                   region=None, pais="Perú")
    assert view.table("provinces").iloc[:, 0].tolist() == ["Callao", "Lima", "Total Perú"]
    assert "Nivel nacional" not in html.caption_and_note(view, "provinces")[1]


def test_the_report_without_admin2_has_no_map_nor_admin2_section(own_report):
    page = (own_report / "situacion.html").read_text(encoding="utf-8")
    assert ">Por municipio</h2>" not in page and ">Por provincia</h2>" not in page
    assert 'alt="Mapa' not in page and "Sin mapa" not in page
    pdf = own_texts(own_report)["tablero.pdf"]
    assert "Personas alcanzadas por" not in pdf and "Sin mapa" not in pdf


# --------------------------------------------------------------------------- acceptance 2: a one-pager that fits

LONG_SUBGROUPS = {  # five subgroups with 40-character names
    f"sg{i}": {"nombre": name, "descripcion": f"Descripción del subgrupo {i}.", "sectores": sectors}
    for i, (name, sectors) in enumerate([
        ("Alojamiento, Agua y Artículos de Higiene", ["Shelter", "WASH"]),
        ("Seguridad Alimentaria y Nutrición Urbana", ["Food Security", "Nutrition"]),
        ("Protección Integral de Niñas, Niños, VBG", ["Protection (General)", "Child Protection", "GBV"]),
        ("Transferencias Monetarias Multipropósito", ["Multipurpose Cash Assistance (MPC)"]),
        ("Integración Socioeconómica y Educación 2", ["Integration", "Education"]),
    ], start=1)
}
assert all(len(spec["nombre"]) == 40 for spec in LONG_SUBGROUPS.values())
SIX_GROUPS = ("permanencia", "transito", "acogida", "pendulares", "retornados")  # + sin_desagregar


def crowded_rows() -> list[dict]:
    """Six population groups (five split + unsplit people), every figure ≥ 100,000, long names, a
    15,000-character word in an admin2 value."""
    rows = []
    sectors = ["Shelter", "Food Security", "Protection (General)", "Multipurpose Cash Assistance (MPC)",
               "Integration", "WASH", "Child Protection", "Education"]
    activities = ["Kits de higiene distribuidos", "Comida fría/caliente distribuida", "Acompañamiento de casos",
                  "Transferencia monetaria multipropósito", "Capacitación para el autoempleo",
                  "Orientaciones legales brindadas", "Atenciones psicosociales brindadas",
                  "Consultas de atención primaria de salud"]
    for number, sector in enumerate(sectors):
        split = {g: 100_000 + 11_111 * ((number + k) % 7) for k, g in enumerate(SIX_GROUPS)}
        total = sum(split.values())
        rows.append({"sector": sector, "admin2": ["Tacna", "Tarata", "Candarave", "Jorge Basadre"][number % 4],
                     "activity_name": activities[number], "quantity": 123_456 + number, "total_monthly": total,
                     "cva": "Si" if number == 3 else "No", "cva_value_usd": 1_234_567 if number == 3 else 0,
                     "new_beneficiaries": total, **split, "mujeres": total // 2, "hombres": total - total // 2})
    rows.append({"sector": "Shelter", "admin2": "", "activity_name": "Sin desagregar",  # a unit with no split
                 "total_monthly": 150_000, "new_beneficiaries": 150_000, "quantity": 1})
    return rows


def crowded_view(five_w, month_params, highlights):
    return view_of(five_w, month_params, crowded_rows(), subgrupos=LONG_SUBGROUPS, destacados=highlights,
                   deduplicacion={"metodo": "maximo", "nivel": "admin2"},
                   mesa={"nombre": "Grupo Interagencial sobre Flujos Migratorios Mixtos de la Región Sur del País",
                         "sigla": "GIFMM Sur"})


def drawn_texts(fig):
    """(text, extent in pixels, size in points) of every visible text, after a real draw."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer), t.get_fontsize()) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


def overlaps(a, b) -> bool:
    """Two extents that share more than a hair (0.5 px) of area."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5


def test_six_groups_long_names_and_six_digit_figures_fit_the_one_pager(five_w, month_params):
    from mdrm import tablero

    view = crowded_view(five_w, month_params, ["Un destacado corto.", "Otro destacado del mes."])
    by_population = view.metrics["people_reached"]["by_population"]
    assert len(by_population) == 6 and min(by_population.values()) >= 100_000
    fig = tablero.draw(view)
    texts = drawn_texts(fig)
    width, height = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    for text, box, size in texts:
        assert size >= tablero.MIN_PT, (text, size)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, (text, box)  # not cut
    clashes = [(a[0], b[0]) for i, a in enumerate(texts) for b in texts[i + 1:] if overlaps(a[1], b[1])]
    assert clashes == []
    every = " ".join(t for t, _, _ in texts)
    for g in ("RyM en Permanencia", "RyM en Tránsito", "Comunidad de Acogida"):
        assert g in every.replace("\n", " ")
    for number in (fmt_number(v) for v in by_population.values()):
        assert number in every  # every six-digit figure is drawn whole
    for text, _, _ in texts:  # a shortened text keeps a word or more of it before «…»
        if "…" in text:
            assert len(text.split("…")[0].replace("\n", " ").rstrip("- ")) >= 3, text
    for spec in LONG_SUBGROUPS.values():  # each name whole, or abbreviated with the full name in a note
        assert spec["nombre"] in every.replace("\n", " ")  # whole, or abbreviated with the full name in the foot


def fmt_number(value: int) -> str:
    from mdrm import formatting

    return formatting.number(value)


def test_a_15000_character_word_is_wrapped_in_linear_time(five_w, month_params, tmp_path):
    """Issue 21: a highlight and an admin2 value made of one 15,000-character word; the one-pager is
    drawn in a child process bounded by a generous timeout (never a wall-clock assert)."""
    word = "Á" + "x" * 14_999
    script = tmp_path / "draw.py"
    params = month_params(five_w([*crowded_rows(), people(5, admin2=word)]), subgrupos=LONG_SUBGROUPS,
                          destacados=[f"Destacado {word} con una palabra enorme."],
                          deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    script.write_text(
        "import sys\nfrom mdrm import tablero\nfrom mdrm.view import load_view\n"
        f"view = load_view({str(params)!r})\n"
        "fig = tablero.draw(view)\nfig.canvas.draw()\n"
        "lines = tablero.Writer(fig).wrap('a ' + 'x' * 15000 + ' b', 0.3, 8.0)\n"
        "print(len(lines), max(len(l) for l in lines))\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    count, longest = map(int, done.stdout.split())
    assert count > 10 and longest < 200  # the word is broken into lines of the box's width


def test_the_sample_one_pager_has_no_overlapping_text():
    from mdrm import tablero
    from mdrm.view import load_view

    texts = drawn_texts(tablero.draw(load_view(ROOT / "params" / "tacna" / "2020-09.yml")))
    assert min(size for _, _, size in texts) >= tablero.MIN_PT
    assert [(a[0], b[0]) for i, a in enumerate(texts) for b in texts[i + 1:] if overlaps(a[1], b[1])] == []


# --------------------------------------------------------------------------- acceptance 7: Spanish alt text

def test_every_chart_of_the_reports_has_a_spanish_alt_text(own_report):
    from report_runs import elements, sample_report

    assert own_report.parent.name == "gifmm_cucuta"  # the params folder's name exactly (README, «Carpeta de salida»)
    for month in (own_report, sample_report()):
        page = (month / "situacion.html").read_text(encoding="utf-8")
        assert "No description has been provided" not in page
        images = [attrs for tag, attrs in elements(page) if tag == "img"]
        assert len(images) >= 5 and all(attrs.get("alt", "").startswith(("Gráfico: ", "Mapa ")) for attrs in images)
    own = (own_report / "situacion.html").read_text(encoding="utf-8")
    # the population chart's figures, read from its table: perm 60, acogida 30, transito 40, total 130
    assert ('alt="Gráfico: Población alcanzada por grupo poblacional — marzo de 2021. RyM en Permanencia 60; '
            'Comunidad de Acogida 30; RyM en Tránsito 40; Total 130."') in own


def test_alt_text_reads_the_chart_table(five_w, month_params):
    from mdrm import charts

    view = view_of(five_w, month_params, [people(5), people(3, "transito", sector="Health")])
    # organizations per subgroup from the rows: Org A in necesidades_basicas and salud_nutricion
    assert charts.alt_text(view, "organizations_by_subgroup") == (
        "Gráfico: N° de organizaciones por subgrupo — septiembre de 2020. Necesidades básicas 1; "
        "Salud y Nutrición 1.")


def test_w04_names_the_admin2_level_of_the_country(metrics_of):
    # Norte de Santander without admin2, `nivel: admin2` asked: W04, worded with Colombia's municipio
    m = metrics_of([people(5, **{**CUCUTA, "admin2": ""})], region="Norte de Santander", pais="Colombia",
                   deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    w04 = [w["message"] for w in m["warnings"] if w["code"] == "W04"]
    assert w04 and w04[0].startswith("Los parámetros piden deduplicar por municipio (nivel admin2)")


def test_the_subgroups_section_describes_each_subgroup(five_w, month_params):
    from mdrm import html

    own = {"basicas": {"nombre": "Básicas", "sectores": ["Shelter", "WASH"]},
           "salud": {"nombre": "Salud", "descripcion": "Atención primaria.", "sectores": ["Health"]}}
    view = view_of(five_w, month_params, [people(5)], subgrupos=own)
    section = html.subgroup_descriptions(view.data.catalog)
    assert "<b>Básicas:</b> Sectores de R4V: Alojamiento, Agua, Saneamiento e Higiene." in section
    assert "<b>Salud:</b> Atención primaria." in section
    packaged = view_of(five_w, month_params, [people(5)], subgrupos=None)
    assert html.subgroup_descriptions(packaged.data.catalog) == (
        '<div class="mdrm"><p class="mdrm-desc">Un subgrupo por sector de R4V, con el nombre del sector.</p></div>')


def test_the_workbook_names_the_breakdown_sheet_as_the_country_does(five_w, month_params, tmp_path):
    from openpyxl import load_workbook

    from mdrm import workbook

    rows = [people(30, admin2="Cúcuta", **CUCUTA)]
    view = view_of(five_w, month_params, rows, region="Norte de Santander", pais="Colombia",
                   deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    path = tmp_path / "tablas.xlsx"
    workbook.write_tables(view.report_tables(), path)
    names = load_workbook(path, read_only=True).sheetnames
    assert "Por municipio" in names and "Por provincia" not in names
