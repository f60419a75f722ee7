"""The report of a period (`periodo:`) and reached against target (`metas:`), issue 20, SPEC §15.

`mdrm report` on a period's params writes its own folder (`<mesa>/2021-T1/`) with situacion.html, the
one-pager and tablas.xlsx, and a line in the index. The figures come from `metrics.compute_period`
(worked by hand in tests/test_periods.py on the same table, ROWS); here they are read back from what a
reader sees: the HTML's text, the PDF one-pager's drawn texts and the workbook's cells.
"""
from __future__ import annotations

import html as html_lib
import json
import re

import openpyxl
import pytest

from conftest import ROOT
from mdrm import formatting as fmt
from mdrm import html, tablero
from mdrm.cli import main
from mdrm.view import PeriodView, load_view
from test_own_report import drawn_texts, overlaps
from test_periods import ROWS, TARGETS


def page_text(path) -> str:
    """The HTML as a reader reads it: no tags, no style or script, entities decoded, spaces collapsed."""
    return reader_text(path.read_text(encoding="utf-8"))


def reader_text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))


def sheet_rows(path, sheet: str) -> list[tuple]:
    return [r for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


@pytest.fixture
def period_report(five_w, month_params, tmp_path, capsys):
    """rows + params keys -> the folder `mdrm report` writes for the period (exit 0 checked)."""

    def run(rows: list[dict], period: str, **keys):
        params = month_params(five_w(rows), name=f"{period}.yml", mes=None, periodo=period, **keys)
        out = tmp_path / "reports"
        assert main(["report", "--params", str(params), "--out", str(out)]) == 0, capsys.readouterr().err
        (folder,) = [d for d in out.rglob(period) if d.is_dir()]
        return folder

    return run


def sample_period(tmp_path, period: str, **extra) -> object:
    """The sample's params (region.yml, its paths made absolute) with `periodo:`: a real Mesa's period."""
    folder = tmp_path / "params" / "tacna"
    folder.mkdir(parents=True, exist_ok=True)
    region = (ROOT / "params" / "tacna" / "region.yml").read_text(encoding="utf-8")
    (folder / "region.yml").write_text(region.replace("../../", f"{ROOT}/"), encoding="utf-8")
    lines = [f"periodo: {period}"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in extra.items()]
    path = folder / f"{period}.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the quarter's report end to end

def test_quarter_report_shows_the_metrics_headline_and_a_dash_for_a_target_of_0(period_report):
    folder = period_report(ROWS, "2021-T1", metas=TARGETS)
    assert folder.name == "2021-T1"
    for name in ("situacion.html", "tablero.pdf", "tablero.png", "tablas.xlsx", "metrics.json"):
        assert (folder / name).is_file(), name
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    # tests/test_periods.py works the quarter by hand: 60 + 35 + 40 = 135 people, by month 60, 35, 40.
    assert metrics["people_reached"]["total"] == 135
    page = (folder / "situacion.html").read_text(encoding="utf-8")
    shown = re.search(r'class="mdrm-big mdrm-period-headline">([^<]*)<', page)
    assert shown and shown.group(1) == fmt.number(metrics["people_reached"]["total"])
    text = page_text(folder / "situacion.html")
    assert "Primer trimestre de 2021 (enero–marzo)" in text
    assert "enero de 2021 60 febrero de 2021 35 marzo de 2021 40 Total 135" in text  # the months, their sum
    # Targets: 135 of 270 = 50.0 %; salud y nutrición 70 of 200 = 35.0 %; necesidades básicas' target is 0: «—».
    assert "Meta del año: 135 de 270 (50.0%)" in text
    assert "Salud y Nutrición 200 70 35.0%" in text
    assert "Necesidades básicas 0 95 —" in text
    assert "inf %" not in text and "inf%" not in text
    assert 'class="mdrm-warnings"' not in page  # every month of the quarter is in the export: no warning
    # tablas.xlsx: the period's own tables, the target of 0 with «—» in its share
    workbook = folder / "tablas.xlsx"
    assert {"Mes a mes", "Metas", "Año anterior"} <= set(openpyxl.load_workbook(workbook).sheetnames)
    by_month = [r for r in sheet_rows(workbook, "Mes a mes") if r[1] is not None and r[0] != "Mes"]
    assert by_month == [("enero de 2021", 60), ("febrero de 2021", 35), ("marzo de 2021", 40), ("Total", 135)]
    targets = {r[0]: r[1:] for r in sheet_rows(workbook, "Metas")}
    assert targets["Personas alcanzadas (total)"] == (270, 135, 50.0)
    assert targets["Necesidades básicas"] == (0, 95, "—")
    assert targets["Salud y Nutrición"] == (200, 70, 35.0)
    # the index lists the period beside the months, with its headline
    index = page_text(folder.parent / "index.html")
    assert "Primer trimestre de 2021 (enero–marzo) 135" in index


def test_a_period_missing_months_says_so_in_its_report(period_report):
    """ROWS has January to April: the first half misses May and June, named by W11 in the HTML."""
    folder = period_report(ROWS, "2021-S1")
    text = page_text(folder / "situacion.html")
    box = re.search(r'<div class="mdrm-warnings".*?</div>', (folder / "situacion.html").read_text(encoding="utf-8"))
    assert box and "W11" in box.group(0)  # in the warnings' box under the title, as a month's warnings
    assert "W11" in text and "mayo de 2021, junio de 2021" in text
    assert "suman 4 de sus 6 meses" in text
    # 135 of the quarter + April's 999 (one unit, perm only) = 1,134; May and June «—» in the months' table
    assert "abril de 2021 999 mayo de 2021 — junio de 2021 — Total 1,134" in text


def test_batch_periodos_over_the_sample_writes_every_period_and_the_rule_adds_up(tmp_path, capsys):
    """`mdrm batch --periodos` over the sample's params (its period files 2020-T1.yml … 2020.yml): each
    period with its HTML, one-pager and tables, all in the index. The rule: a year's people are the sum of
    its months' new-beneficiary headlines, so T1 + T2 + T3 + T4 = S1 + S2 = the year = Σ of its months."""
    from mdrm.formatting import period_title
    from mdrm.periods import PERIOD_FILE

    folder = tmp_path / "params" / "tacna"
    folder.mkdir(parents=True)
    region = (ROOT / "params" / "tacna" / "region.yml").read_text(encoding="utf-8")
    (folder / "region.yml").write_text(region.replace("../../", f"{ROOT}/"), encoding="utf-8")
    for path in (ROOT / "params" / "tacna").iterdir():
        if PERIOD_FILE.match(path.name) or path.name == "2020-09.yml":  # a month file: not run with --periodos
            (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "reports"
    assert main(["batch", "--params-dir", str(folder), "--periodos", "--out", str(out), "--jobs", "2"]) == 0, \
        capsys.readouterr().err
    periods = ["2020-T1", "2020-T2", "2020-T3", "2020-T4", "2020-S1", "2020-S2", "2020"]
    said = capsys.readouterr().out
    assert "Resumen: 7 de 7 periodos escritos" in said and "meses" not in said.splitlines()[0]
    assert "<th>Periodo</th>" in (out / "tacna" / "index.html").read_text(encoding="utf-8")  # not «Mes»
    written = {p.name for p in (out / "tacna").iterdir()}
    assert {*periods, "index.html"} <= written and "2020-09" not in written  # the periods only, not the months
    headline = {}
    for period in periods:
        for name in ("situacion.html", "tablero.pdf", "tablero.png", "tablas.xlsx", "metrics.json"):
            assert (out / "tacna" / period / name).is_file(), (period, name)
        metrics = json.loads((out / "tacna" / period / "metrics.json").read_text(encoding="utf-8"))
        headline[period] = metrics["people_reached"]["total"]
        assert metrics["months_missing"] == []
        assert sum(metrics["by_month"].values()) == headline[period]
    quarters = sum(headline[f"2020-T{n}"] for n in range(1, 5))
    assert quarters == headline["2020-S1"] + headline["2020-S2"] == headline["2020"]
    assert headline["2020"] == 25_880  # README: the sample's year 2020
    index = page_text(out / "tacna" / "index.html")
    for period in periods:  # each period's line: its title, the sample's badge, its headline
        assert f"{period_title(period)} datos de ejemplo {fmt.number(headline[period])}" in index


def test_a_republished_period_is_in_the_change_log_by_its_name(period_report):
    """Published again after a partner corrected March (r5: 40 -> 50 new, perm 15 -> 25), the quarter's
    headline goes 135 -> 145: cambios.json names the period, and the index's log says its title."""
    first = period_report(ROWS, "2021-T1")
    fixed = [*ROWS[:4], {**ROWS[4], "total_monthly": 50, "new_beneficiaries": 50, "permanencia": 25,
                         "ninos": 25}, ROWS[5]]
    again = period_report(fixed, "2021-T1")
    assert again == first
    log = json.loads((first.parent / "cambios.json").read_text(encoding="utf-8"))
    (entry,) = log
    assert entry["month"] == "2021-T1"
    people = [c for c in entry["changes"] if c["figure"] == "Personas alcanzadas"]
    assert people == [{"figure": "Personas alcanzadas", "before": 135, "after": 145}]
    # the index names it twice: its line among the reports, and its entry in the change log
    assert page_text(first.parent / "index.html").count("Primer trimestre de 2021 (enero–marzo)") == 2


def test_a_period_file_named_as_another_period_is_refused(five_w, month_params, tmp_path, capsys):
    """`2021-T2.yml` saying «periodo: 2021-T1» would overwrite the first quarter's report: exit 2, nothing
    written. A file named otherwise (`primer_trimestre.yml`) is free: its folder is the period's."""
    out = tmp_path / "reports"
    wrong = month_params(five_w(ROWS), name="2021-T2.yml", mes=None, periodo="2021-T1")
    assert main(["report", "--params", str(wrong), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "2021-T2.yml" in err and "2021-T1" in err and "periodo" in err
    assert not out.exists() or not any(out.rglob("*"))
    from mdrm.report import Content, prepare

    free = month_params(five_w(ROWS), name="primer_trimestre.yml", mes=None, periodo="2021-T1")
    assert prepare(free, out, Content.period()).month_dir.name == "2021-T1"


# --------------------------------------------------------------------------- view level (no notebook run)

def test_the_same_period_of_the_previous_year(five_w, month_params):
    """The export holds ROWS in 2021 and again in 2020 with twice the people in March (r5 ×2: 80 new):
    2020-T1 = 60 + 35 + 80 = 175, 2021-T1 = 135: change −40, −22.9 %. Without 2020 in the export, no rows."""
    earlier = [{**r, "month": r["month"].replace("2021", "2020")} for r in ROWS[:4]]
    march = {**ROWS[4], "month": "2020-03"}
    march.update({k: 2 * march[k] for k in ("total_monthly", "new_beneficiaries", "permanencia", "acogida",
                                            "ninos", "hombres")})
    view = load_view(month_params(five_w([*ROWS, *earlier, march]), mes=None, periodo="2021-T1"))
    assert isinstance(view, PeriodView)
    frame = view.table("period_previous_year")
    first = frame.iloc[0]
    assert (first["Periodo"], first["Mismo periodo del año anterior"], first["Variación"]) == (135, 175, -40)
    assert round(first["Variación (%)"], 1) == -22.9
    alone = load_view(month_params(five_w(ROWS), mes=None, periodo="2021-T1"))
    assert alone.table("period_previous_year").empty


def test_the_months_report_and_one_pager_show_reached_against_target(five_w, month_params):
    view = load_view(month_params(five_w(ROWS), name="2021-03.yml", mes="2021-03", metas=TARGETS))
    assert "Meta del año: 135 de 270 (50.0%)" in reader_text(html.headline(view))
    targets = view.table("targets")
    assert targets.set_index("Meta de").loc["Necesidades básicas", "% de la meta"] == "—"
    assert targets.set_index("Meta de").loc["Salud y Nutrición", "% de la meta"] == 35.0
    drawn = " ".join(t for t, _, _ in drawn_texts(tablero.draw(view)))
    assert "Meta del año: 135 de 270 (50.0%)" in drawn
    # without `metas:` no target anywhere (the sample's September keeps its seed layout)
    plain = load_view(month_params(five_w(ROWS), name="2021-03.yml", mes="2021-03"))
    assert "Meta" not in html.headline(plain) and "Metas" not in plain.report_tables()
    assert "Meta del año" not in " ".join(t for t, _, _ in drawn_texts(tablero.draw(plain)))


def test_w11_is_on_the_periods_one_pager_and_it_still_fits(five_w, month_params):
    view = load_view(month_params(five_w(ROWS), mes=None, periodo="2021-S1", metas=TARGETS))
    texts = drawn_texts(tablero.draw(view))
    assert any(t.startswith("Avisos (W11)") for t, _, _ in texts)
    assert min(size for _, _, size in texts) >= tablero.MIN_PT
    assert [(a[0], b[0]) for i, a in enumerate(texts) for b in texts[i + 1:] if overlaps(a[1], b[1])] == []
    drawn = " ".join(t for t, _, _ in texts)
    # January-April: 135 + 999 = 1,134 of the target 270 = 420.0 %; May and June without rows: «—»
    assert "Meta del año: 1,134 de 270 (420.0%)" in drawn
    assert "mayo de 2021: —" in drawn and "abril de 2021: 999" in drawn


@pytest.mark.parametrize("period", ["2020-T3", "2020-S2", "2020"])
def test_a_periods_one_pager_fits_one_page_as_the_months_does(tmp_path, period):
    """The measurement of the monthly one-pager (tests/test_own_report.py): no text under 7 pt, none
    outside the page, no two texts overlapping; the period's title and its months drawn."""
    view = load_view(sample_period(tmp_path, period, metas={"total": 20000, "subgrupos": {"proteccion": 0}}))
    fig = tablero.draw(view)
    texts = drawn_texts(fig)
    width, height = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
    for text, box, size in texts:
        assert size >= tablero.MIN_PT, (text, size)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, (text, box)
    assert [(a[0], b[0]) for i, a in enumerate(texts) for b in texts[i + 1:] if overlaps(a[1], b[1])] == []
    drawn = [t for t, _, _ in texts]
    assert fmt.when_label(view.metrics) in drawn
    assert fmt.number(view.metrics["people_reached"]["total"]) in drawn
    for month, value in view.metrics["by_month"].items():
        assert f"{fmt.month_label(month)}: {fmt.number(value)}" in " ".join(drawn)


def test_the_index_says_month_period_or_both(tmp_path):
    """The index's first column: «Mes» for months, «Periodo» for periods, «Mes o periodo» when it lists both
    (docs/metodologia.md §12); the sample note counts them with the same word."""
    from mdrm.index import index_html

    def page(*folders: str) -> str:
        region = tmp_path / "-".join(folders) / "tacna"
        for name in folders:
            (region / name).mkdir(parents=True)
            (region / name / "metrics.json").write_text(json.dumps(
                {"region": "Tacna", "people_reached": {"total": 5}, "sample": True}), encoding="utf-8")
        return index_html(region)

    assert "<th>Mes</th>" in page("2020-08", "2020-09") and "2 de 2 meses hechos" in page("2020-10", "2020-11")
    periods = page("2020-T1", "2020")
    assert "<th>Periodo</th>" in periods and "2 de 2 periodos hechos" in periods
    assert "reportes mensuales" not in periods
    both = page("2020-09", "2020-T3")
    assert "<th>Mes o periodo</th>" in both and "2 de 2 meses o periodos hechos" in both
