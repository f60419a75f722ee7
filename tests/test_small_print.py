"""Honest small print (issue 17, SPEC §14): figures that mislead without a word get one. Each has a
hand-made file that raises it and one that does not (README.md, «Avisos y calidad»)."""
from __future__ import annotations

import pytest

from conftest import sample_catalog
from mdrm import html, narrative, tables
from mdrm.metrics import compute, load_month
from mdrm.params import load_params
from mdrm.view import month_view

LIMA = {"country": "Peru", "admin1": "Lima", "admin2": "Lima", "month": "2024-02", "rmrp_activity": "Si",
        "appealing_org": "Org A", "sector": "Shelter", "activity_name": "Albergue temporal",
        "total_monthly": 2294, "new_beneficiaries": 2294, "permanencia": 2294, "mujeres": 2294}
JANUARY = {**LIMA, "month": "2024-01", "activity_name": "Enero", "total_monthly": 1, "new_beneficiaries": 1,
           "permanencia": 1, "mujeres": 1}
KEY_FIGURES = {
    "personas_albergue": {"etiqueta": "Personas en albergue", "valor": "personas", "patrones": ["albergue"]},
    "kits_higiene": {"etiqueta": "Kits de higiene", "valor": "cantidad", "patrones": ["kit"]},
}


@pytest.fixture
def lima(five_w, month_params):
    def run(rows, **keys):
        keys = {"region": "Lima", "pais": "Perú", "mes": "2024-02", "cifras_clave": KEY_FIGURES, **keys}
        params = load_params(month_params(five_w(rows), name=f"{keys['mes']}.yml", **keys))
        return month_view(params, load_month(params))
    return run


def issues(metrics, code):
    return [(i["row"], i["message"]) for i in metrics["quality"]["issues"] if i["code"] == code]


def codes(metrics):
    return [w["code"] for w in metrics["warnings"]]


# --------------------------------------------------------------------------- Q30

def test_q30_an_activity_reported_twice_with_one_field_changed(lima):
    # row 3 (Excel) is row 2 sent again with 3,294 monthly people instead of 2,294
    again = {**LIMA, "total_monthly": 3294}
    m = lima([JANUARY, LIMA, again]).metrics
    assert issues(m, "Q30") == [(4, "Actividad reportada dos veces con otras cifras (misma organización, mes, "
                                    "lugar, actividad, sector y descripción: se cuentan ambas filas): repite la fila 3 con "
                                    "otras cifras: «Total beneficiarios mensuales» 2294 y 3294")]
    assert m["quality"]["counts"]["Q30"] == 1
    # counted twice, as the issue says (one sector: the two rows add up)
    assert m["people_reached"]["total"] == 2294 + 3294


def test_q30_silent_on_exact_copies_and_on_another_place_sector_month_description_or_organization(lima):
    rows = [
        JANUARY, LIMA,
        dict(LIMA),                                                   # exact copy: Q08, not Q30
        {**LIMA, "admin2": "Huaral", "total_monthly": 10},            # another place
        {**LIMA, "sector": "Food Security", "total_monthly": 11},     # another sector
        {**LIMA, "appealing_org": "Org B", "total_monthly": 12},      # another organization
        {**LIMA, "activity_name": "Albergue de emergencia", "total_monthly": 13},  # another activity
        {**LIMA, "month": "2024-01", "total_monthly": 14},            # another month
        {**LIMA, "activity_description": "Lugar: distrito de Ate", "total_monthly": 15},  # another district
    ]
    m = lima(rows).metrics
    assert issues(m, "Q30") == [] and m["quality"]["counts"]["Q30"] == 0
    assert [r for r, _ in issues(m, "Q08")] == [4]


def test_q30_names_at_most_three_columns(lima):
    again = {**LIMA, "total_monthly": 1, "new_beneficiaries": 1, "permanencia": 1, "mujeres": 1, "quantity": 5}
    (row, message), = issues(lima([JANUARY, LIMA, again]).metrics, "Q30")
    assert message.endswith("«Cantidad de productos generados» 0 y 5; «Total beneficiarios mensuales» 2294 y 1; "
                            "«Nuevos beneficiarios del mes» 2294 y 1 y 2 columna(s) más")


# --------------------------------------------------------------------------- W06 on zeros

def test_w06_when_every_matching_row_of_a_key_figure_carries_0(lima):
    kits = {**LIMA, "activity_name": "Entrega de kits de higiene", "quantity": 0}
    m = lima([JANUARY, LIMA, kits, {**kits, "admin2": "Huaral"}]).metrics
    assert m["key_figures"]["kits_higiene"] == 0
    assert codes(m) == ["W06"]
    message = m["warnings"][0]["message"]
    assert ("«Kits de higiene»: 2 filas con 0 en «Cantidad de productos generados»" in message
            and "el 0 es lo reportado" in message)
    assert "Personas en albergue" not in message


def test_no_w06_when_one_matching_row_carries_a_value_or_no_row_matches_this_month(lima):
    kits = {**LIMA, "activity_name": "Entrega de kits de higiene", "quantity": 0}
    m = lima([JANUARY, LIMA, kits, {**kits, "admin2": "Huaral", "quantity": 7}]).metrics
    assert m["key_figures"]["kits_higiene"] == 7 and "W06" not in codes(m)
    # kits in January only: February's 0 is a true zero (no activity), not a configuration problem
    m = lima([{**JANUARY, "activity_name": "Kits enero", "quantity": 3}, LIMA]).metrics
    assert m["key_figures"]["kits_higiene"] == 0 and "W06" not in codes(m)


# --------------------------------------------------------------------------- persons above the headline

def test_note_on_a_key_figure_in_persons_above_the_headline(lima):
    # two shelter activities in two sectors: the headline is the larger sector (2,294), the key figure
    # adds both activities' rows (2,294 + 1,000)
    other = {**LIMA, "sector": "Food Security", "activity_name": "Albergue con comida", "total_monthly": 1000,
             "new_beneficiaries": 1000, "permanencia": 1000, "mujeres": 1000}
    view = lima([JANUARY, LIMA, other])
    assert (view.metrics["people_reached"]["total"], view.metrics["key_figures"]["personas_albergue"]) == (2294, 3294)
    note = tables.record("key_figures").note(view)
    assert note == ("«Personas en albergue» (3,294) supera a las personas alcanzadas (2,294) y no es un error: una "
                    "cifra clave suma las filas de sus actividades, mientras que las personas alcanzadas toman el "
                    "mayor sector en cada lugar y grupo de población (sin doble conteo).")
    # regla_maximo por_sector (R4V 2021's maxsector): one sector per place, not one per place and group
    view = lima([JANUARY, LIMA, other], deduplicacion={"metodo": "maximo", "regla_maximo": "por_sector"})
    assert tables.record("key_figures").note(view).endswith(
        "toman el mayor sector en cada lugar (sin doble conteo).")


def test_no_note_when_the_key_figure_in_persons_is_within_the_headline(lima):
    view = lima([JANUARY, LIMA])
    assert view.metrics["key_figures"]["personas_albergue"] == view.metrics["people_reached"]["total"] == 2294
    assert tables.record("key_figures").note(view) is None


# --------------------------------------------------------------------------- narrative and W01

def test_no_drafted_sentence_contradicts_w01(lima):
    m = lima([{**JANUARY, "rmrp_activity": "No"}, {**LIMA, "rmrp_activity": "No"}]).metrics
    assert "W01" in codes(m) and m["ytd"]["people_reached"]["total"] == 0
    text = " ".join(narrative.draft(m, sample_catalog()))
    assert "aviso W01" in text
    assert "alcanzó a 0" not in text and "alcanzaron a 0" not in text and "En lo que va del año" not in text
    # January counted: the year to date of 1 person is true and stays
    m = lima([JANUARY, {**LIMA, "rmrp_activity": "No"}]).metrics
    text = " ".join(narrative.draft(m, sample_catalog()))
    assert "W01" in codes(m) and "En lo que va del año (enero a febrero de 2024)" in text


# --------------------------------------------------------------------------- January's W03

def test_w03_of_the_export_first_month_is_an_information_line(lima):
    only_shelter = {"personas_albergue": KEY_FIGURES["personas_albergue"]}
    view = lima([{**LIMA, "month": "2024-01"}], mes="2024-01", cifras_clave=only_shelter)
    m = view.metrics
    assert m["previous_month"] is None and codes(m) == []
    assert m["notices"] == [{"code": "W03", "message": "El 5W empieza en enero de 2024: no hay diciembre de 2023 "
                                                       "con qué comparar, por eso no se muestra variación («—»)."}]
    box = html.warnings_box(m)
    assert 'role="alert"' not in box and "Aviso" not in box
    assert box.startswith('<p class="mdrm-note mdrm-notice">Nota (W03): El 5W empieza en enero de 2024')
    kf = tables.frame_of(view.report_tables(), "key_figures")
    assert kf["diciembre de 2023"].isna().all() and kf["Variación"].isna().all()  # no change shown
    assert tables.record("key_figures").note(view) == "—: sin variación, el 5W empieza en enero de 2024 (nota W03)."
    text = " ".join(narrative.draft(m, sample_catalog()))
    assert "(no se compara con diciembre de 2023: el 5W empieza en enero de 2024)" in text and "aviso W03" not in text
    assert "aviso W03" not in html.headline(view) and "el 5W empieza en enero de 2024, nota W03" in html.headline(view)


def test_w03_stays_a_warning_when_the_export_has_an_earlier_month(lima):
    # the file has November 2023 (another place): December has no row, so W03 warns
    november = {**LIMA, "admin1": "Tacna", "admin2": "Tacna", "month": "2023-11"}
    m = lima([november, {**LIMA, "month": "2024-01"}], mes="2024-01").metrics
    assert "W03" in codes(m) and m["notices"] == []
    assert 'role="alert"' in html.warnings_box(m)


def test_compute_twice_gives_the_same_notices(lima):
    view = lima([{**LIMA, "month": "2024-01"}], mes="2024-01")
    assert compute(view.data)["notices"] == view.metrics["notices"]


# --------------------------------------------------------------------------- the exploration notebook

def test_a_wrong_path_in_the_exploration_notebook_is_one_spanish_line(tmp_path, monkeypatch, capsys):
    """What IPython shows (the notebook's kernel): the Spanish message, no traceback."""
    from IPython.core.interactiveshell import InteractiveShell

    from mdrm.errors import InputError
    from mdrm.explore import ExplorationError, load_exploration

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExplorationError) as caught:
        load_exploration("../params/tacn/2020-09.yml")
    assert isinstance(caught.value, InputError)  # `mdrm` and the tests see the kit's one bad-input error
    shell = InteractiveShell.instance()
    result = shell.run_cell('from mdrm import explore\ndatos = explore.load_exploration("../params/tacn/2020-09.yml")')
    out = capsys.readouterr()
    shown = out.out + out.err
    assert not result.success
    assert "Traceback" not in shown and "File " not in shown
    assert shown.strip() == (
        f"Error en los datos de entrada: archivo «2020-09.yml»: no existe el archivo de parámetros. Se buscó "
        f"«../params/tacn/2020-09.yml» desde la carpeta {tmp_path} (es decir, {tmp_path}/../params/tacn/2020-09.yml); "
        f"corrija la línea `parametros = \"...\"` del primer cuadro de código (las rutas relativas parten de la "
        f"carpeta notebooks/, p. ej. \"../params/tacna/2020-09.yml\")")
    # a params file that exists but points at a missing 5W: its own message, one line too
    (tmp_path / "p.yml").write_text('region: Tacna\nmes: "2020-09"\ndatos: "no-existe.xlsx"\n', encoding="utf-8")
    shell.run_cell('datos = explore.load_exploration("p.yml")')
    shown = "".join(capsys.readouterr())
    assert "Traceback" not in shown and "la clave «datos» apunta a un archivo que no existe" in shown
