"""Warnings W01–W07 (docs/metodologia.md §7): each raised by a hand-made 5W made for it, and not by its twin.

Then a real `mdrm report` of a month whose previous month counted nothing (W03) and
whose rows have no new beneficiaries (W02): the warnings stand before any figure in
both pages, and no change nor year-to-date figure is shown anywhere.
"""
from __future__ import annotations

import re

import pandas as pd
import yaml

from conftest import rows_frame
from report_runs import html_text, report_of_rows

from mdrm.workbook import CAPTION_ROWS

PEOPLE = {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10}
# One activity per patterned key figure of the sample Mesa (month_params' default `cifras_clave`), so W06 stays silent.
KEY_FIGURE_ACTIVITIES = [
    "Kits de higiene entregados", "Capacitación para el autoempleo", "Acompañamiento de casos (# de casos)",
    "Comida fría/caliente distribuida (# de raciones diarias)", "Alojamiento temporal en hoteles",
    "Orientaciones legales brindadas", "Refrigerios distribuidos (# de refrigerios diarios)",
    "Consultas de atención primaria de salud (# de consultas)", "Atenciones psicosociales brindadas",
]


def codes(metrics: dict) -> list[str]:
    return [w["code"] for w in metrics["warnings"]]


def previous(**cells) -> dict:
    """A counted row of August 2020 (the month before the report's), so W03 stays silent."""
    return {**PEOPLE, "month": "2020-08", "activity_name": "Agosto", **cells}


def key_figure_rows(month: str = "2020-03") -> list[dict]:
    """Rows whose activity names match every patterned key figure (quantity only: no people)."""
    return [{"month": month, "activity_name": name, "quantity": 1, "rmrp_activity": "No"}
            for name in KEY_FIGURE_ACTIVITIES]


def test_every_warning_has_a_code_and_a_spanish_message(metrics_of):
    m = metrics_of([previous(rmrp_activity="No"), {**PEOPLE, "rmrp_activity": "No"}])
    # W08 too: the month's only people (10) are on a row marked RMRP "No" (solo_rmrp: true leaves them out)
    assert set(codes(m)) == {"W01", "W03", "W06", "W08"}
    for warning in m["warnings"]:
        assert set(warning) == {"code", "message"} and len(warning["message"]) > 40
        assert not re.search(r"\b(the|row|rows|month|people)\b", warning["message"], re.I)


def test_w01_no_row_counted_says_why(metrics_of):
    raised = metrics_of([previous(), {**PEOPLE, "rmrp_activity": "No"},
                         {**PEOPLE, "rmrp_activity": "No", "activity_name": "Otra"}])
    assert "W01" in codes(raised)
    message = next(w["message"] for w in raised["warnings"] if w["code"] == "W01")
    assert "2 filas" in message and "Actividad RMRP = No" in message
    assert raised["people_reached"]["total"] == 0
    silent = metrics_of([previous(), {**PEOPLE, "rmrp_activity": "No"}, {**PEOPLE, "activity_name": "Otra"}])
    assert "W01" not in codes(silent)


def test_w02_no_new_beneficiaries(metrics_of):
    raised = metrics_of([previous(), {**PEOPLE, "new_beneficiaries": 0}])
    assert "W02" in codes(raised)
    assert raised["people_reached"]["total"] == 10  # the monthly figure itself is fine
    silent = metrics_of([previous(), {**PEOPLE, "new_beneficiaries": 0},
                         {**PEOPLE, "new_beneficiaries": 1, "activity_name": "Otra"}])
    assert "W02" not in codes(silent)


def test_w03_previous_month_counted_nothing(metrics_of):
    # August has rows, but none counts (all RMRP = No): no change may be computed from it
    raised = metrics_of([previous(rmrp_activity="No"), PEOPLE])
    assert "W03" in codes(raised)
    assert raised["previous_month"] is None
    silent = metrics_of([previous(), PEOPLE])
    assert "W03" not in codes(silent)
    assert silent["previous_month"]["people_reached_total"] == 10


def _without_admin2(tmp_path, rows) -> str:
    path = tmp_path / "sin_admin2.csv"
    rows_frame(rows).drop(columns=["Admin2"]).to_csv(path, index=False)
    return str(path)


def test_w04_admin2_level_without_admin2_is_computed_at_admin1(tmp_path, month_params):
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    # two provinces would be summed at admin2 (10 + 10); at admin1 the max over sectors of one unit is 10+10
    # too, so make the sectors differ: Shelter 10 in one row, Health 6 in another -> admin1 max = 10.
    rows = [previous(), PEOPLE, {**PEOPLE, "sector": "Health", "total_monthly": 6, "new_beneficiaries": 6,
                                 "permanencia": 6, "mujeres": 6, "activity_name": "Salud"}]
    dedup = {"deduplicacion": {"metodo": "maximo", "nivel": "admin2"}}
    raised = compute(load_month(load_params(month_params(_without_admin2(tmp_path, rows), **dedup))))
    assert "W04" in codes(raised)
    assert raised["dedup"] == {"method": "maximo", "level": "admin1"}
    assert raised["people_reached"]["total"] == 10
    with_admin2 = tmp_path / "con_admin2.csv"
    rows_frame(rows).to_csv(with_admin2, index=False)
    silent = compute(load_month(load_params(month_params(with_admin2, name="b.yml", **dedup))))
    assert "W04" not in codes(silent)
    assert silent["dedup"]["level"] == "admin2"


def test_w05_unsplit_quarter_of_the_headline(metrics_of):
    # Province Tacna: Shelter 30 in destination; province Tarata: Health 10 with no split at all, so
    # nothing to apportion them by (regla_maximo por_grupo): 10 of 40 = 25 %
    by_province = {"deduplicacion": {"metodo": "maximo", "nivel": "admin2"}}
    split = {**PEOPLE, "total_monthly": 30, "new_beneficiaries": 30, "permanencia": 30, "mujeres": 30}
    unsplit = {**PEOPLE, "permanencia": 0, "activity_name": "Sin desagregar", "sector": "Health", "admin2": "Tarata"}
    raised = metrics_of([previous(), split, unsplit], **by_province)
    assert raised["people_reached"]["by_population"]["sin_desagregar"] == 10
    assert raised["people_reached"]["total"] == 40
    assert "W05" in codes(raised)
    more = {**split, "total_monthly": 31, "new_beneficiaries": 31, "permanencia": 31, "mujeres": 31}
    silent = metrics_of([previous(), more, unsplit], **by_province)  # 10 of 41 = 24.4 %
    assert "W05" not in codes(silent)
    # the same 10 in Tacna itself are apportioned by the province's split (destination): max(30, 10) = 30
    same_unit = metrics_of([previous(), split, {**unsplit, "admin2": "Tacna"}], **by_province)
    assert same_unit["people_reached"] == {"total": 30, "by_population": {"permanencia": 30, "transito": 0,
                                                                          "acogida": 0}}
    assert "W05" not in codes(same_unit)


def test_w06_key_figure_matching_no_activity_of_the_region_in_any_month(metrics_of):
    raised = metrics_of([previous(), PEOPLE])
    assert "W06" in codes(raised)
    message = next(w["message"] for w in raised["warnings"] if w["code"] == "W06")
    assert "«Kits de higiene distribuidos»" in message
    assert "USD distribuidos" not in message  # no pattern: every row, never a configuration problem
    # the activities are in March only (not a month the report reads), and count nothing: still found
    silent = metrics_of([previous(), PEOPLE, *key_figure_rows("2020-03")])
    assert "W06" not in codes(silent)
    assert silent["key_figures"]["kits_higiene"] == 0  # a real zero of September, not a configuration problem
    # the same activities in another region do not count for this one
    elsewhere = metrics_of([previous(), PEOPLE, *({**r, "admin1": "Puno"} for r in key_figure_rows())])
    assert "W06" in codes(elsewhere)


def test_w07_many_exact_copies_without_admin2(tmp_path, month_params):
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    rows = [previous()] + [{**PEOPLE, "activity_name": f"Actividad {i}"} for i in range(18)] + [PEOPLE, PEOPLE]
    # September: 20 rows, one exact copy (5 %)
    raised = compute(load_month(load_params(month_params(_without_admin2(tmp_path, rows)))))
    assert "W07" in codes(raised)
    assert raised["quality"]["counts"]["Q08"] == 1
    assert raised["rows"]["excluded_by_reason"] == {"fila_duplicada": 1}
    assert raised["rows"]["counted"] == 19  # the copy is excluded
    fewer = rows + [{**PEOPLE, "activity_name": "Actividad 20"}]  # 21 rows, one copy: 4.8 %
    silent = compute(load_month(load_params(month_params(_without_admin2(tmp_path, fewer), name="b.yml"))))
    assert "W07" not in codes(silent)
    with_admin2 = tmp_path / "con_admin2.csv"
    rows_frame(rows).to_csv(with_admin2, index=False)
    also_silent = compute(load_month(load_params(month_params(with_admin2, name="c.yml"))))
    assert "W07" not in codes(also_silent)


def test_duplicados_contar_counts_the_copies_and_still_reports_q08(metrics_of):
    rows = [previous(), PEOPLE, PEOPLE]
    excluded = metrics_of(rows)
    counted = metrics_of(rows, duplicados="contar")
    assert excluded["rows"]["counted"] == 1 and excluded["subgroups"]["necesidades_basicas"]["total"] == 10
    assert counted["rows"]["counted"] == 2 and counted["subgroups"]["necesidades_basicas"]["total"] == 20
    assert counted["rows"]["excluded"] == 0
    assert excluded["quality"]["counts"]["Q08"] == counted["quality"]["counts"]["Q08"] == 1


def test_duplicados_must_be_excluir_or_contar(five_w, month_params, capsys):
    from mdrm.cli import main

    params = month_params(five_w([PEOPLE]), duplicados="borrar")
    assert main(["metrics", "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert "«duplicados»" in err and "borrar" in err


# --- the warnings in the shared pages ------------------------------------------------------------

def test_report_shows_warnings_first_and_no_change_nor_year_to_date(tmp_path):
    """Previous month all RMRP = No (W03) and no new beneficiaries (W02), through `mdrm report`."""
    rows = [
        {**PEOPLE, "month": "2020-08", "rmrp_activity": "No", "activity_name": "Orientaciones legales brindadas",
         "quantity": 500, "total_monthly": 300},
        {**PEOPLE, "new_beneficiaries": 0, "activity_name": "Orientaciones legales brindadas", "quantity": 40},
        {**PEOPLE, "new_beneficiaries": 0, "sector": "Health", "activity_name": "Consultas"},
    ]
    done, folder = report_of_rows(rows, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Aviso W02:" in done.stderr and "Aviso W03:" in done.stderr  # told on the terminal too
    import json

    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert {"W02", "W03"} <= set(codes(metrics)) and metrics["previous_month"] is None

    situacion = html_text((folder / "situacion.html").read_text(encoding="utf-8"))
    destacados = html_text((folder / "destacados.html").read_text(encoding="utf-8"))
    for page in (situacion, destacados):
        for warning in metrics["warnings"]:
            assert warning["message"] in page
    first_figure = situacion.index("Población alcanzada")
    for warning in metrics["warnings"]:
        assert situacion.index(warning["message"]) < first_figure
    assert destacados.index(metrics["warnings"][0]["message"]) < destacados.index("Destacados del mes")
    # no change anywhere: cards, tables, narrative (August's 300 would give "+..." otherwise)
    for page in (situacion, destacados):
        assert not re.search(r"[▲▼]|(?<!\w)[+−-]\d|más que en agosto|menos que en agosto", page)
        assert "la misma cifra que en agosto" not in page
    assert "ese mes no tiene filas contadas para personas" in destacados
    # the cards say why there is no change: «Variación: — (agosto de 2020 no tiene filas contadas…)»
    assert situacion.count("Variación: — (agosto de 2020 no tiene filas contadas para personas, aviso W03)") >= 4
    # year to date: "—" with the reason, never "0 personas en el año"
    assert "los nuevos beneficiarios del mes son 0 en todas las filas contadas" in situacion
    assert "El acumulado del año no se redacta" in destacados
    assert "En lo que va del año" not in destacados
    tables = pd.read_excel(folder / "tablas.xlsx", sheet_name=None, engine="openpyxl", header=CAPTION_ROWS)
    assert tables["Cifras clave"]["Variación"].isna().all()
    assert tables["Variación mensual"]["Variación"].isna().all()
    assert tables["Acumulado del año"].iloc[:, 1].isna().all()


# --- batch and index, real exports ----------------------------------------------------------------

def test_batch_summary_prints_each_months_warnings_and_the_index_counts_them(tmp_path):
    import json
    from pathlib import Path

    from mdrm.batch import OK, MonthOutcome, summary
    from mdrm.index import index_html

    warned = [{"code": "W03", "message": "Agosto de 2020 no tiene filas contadas."},
              {"code": "W06", "message": "Cifras clave sin actividad."}]
    outcomes = [MonthOutcome("2020-08", Path("2020-08.yml"), OK, headline=5, month_dir=Path("r/2020-08")),
                MonthOutcome("2020-09", Path("2020-09.yml"), OK, headline=7, month_dir=Path("r/2020-09"),
                             warnings=warned)]
    lines = summary(outcomes).splitlines()
    september = next(i for i, line in enumerate(lines) if line.strip().startswith("2020-09"))
    assert lines[september + 1].strip() == "aviso W03: Agosto de 2020 no tiene filas contadas."
    assert lines[september + 2].strip() == "aviso W06: Cifras clave sin actividad."
    assert not any("aviso" in line for line in lines[:september])

    region = tmp_path / "tacna"
    for month, warnings in (("2020-08", []), ("2020-09", warned)):
        (region / month).mkdir(parents=True)
        (region / month / "metrics.json").write_text(json.dumps(
            {"region": "Tacna", "month": month, "people_reached": {"total": 5}, "warnings": warnings}))
    page = html_text(index_html(region))
    assert "Avisos" in page
    assert re.search(r"septiembre de 2020 5 2 \(W03, W06\)", page)
    assert re.search(r"agosto de 2020 5 0\b", page)


def test_real_exports_warn_about_a_blank_admin2(tmp_path):
    from conftest import require_r4v_fixtures
    from mdrm.metrics import compute, load_month
    from mdrm.params import load_params

    fixtures = require_r4v_fixtures()

    def metrics(name, region, month):
        params = tmp_path / "p.yml"
        params.write_text(yaml.safe_dump({"region": region, "mes": month, "datos": str(fixtures / name),
                                          "deduplicacion": {"nivel": "admin2"}}, allow_unicode=True))
        return compute(load_month(load_params(params)))

    blank = metrics("5w_2022_es.xlsx", "Ciudad de México", "2022-02")  # its Admin2 column is empty
    assert "W04" in codes(blank) and blank["dedup"]["level"] == "admin1"
    assert "W03" not in codes(blank)  # January 2022 has counted rows
    filled = metrics("5w_2022_short_headers.xlsx", "La Paz", "2022-08")
    assert "W04" not in codes(filled) and filled["dedup"]["level"] == "admin2"
