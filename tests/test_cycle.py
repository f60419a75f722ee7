"""The monthly cycle without hand edits (issue 17, SPEC §14): `mdrm init` for a whole country and for
a list, `mdrm init --agregar`, the months `batch` has no file for, region.yml's highlights, and the
change log of republished months (README.md, «Una Mesa nueva», its «Meses republicados» paragraph)."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import yaml

from conftest import FIXTURES_R4V, ROOT, require_r4v_fixtures, rows_frame
from report_runs import FIXTURE_NOTEBOOKS, html_text
from mdrm import batch
from mdrm.cli import main
from mdrm.params import load_params
from mdrm.report import Content, run_report

MDRM = [sys.executable, "-m", "mdrm"]


def minimal_content() -> Content:
    """Two tiny notebooks, no tables, no tablero: the cycle's files without the report's cost."""
    return Content(notebooks={"situacion": FIXTURE_NOTEBOOKS / "minimal.ipynb",
                              "destacados": FIXTURE_NOTEBOOKS / "minimal.ipynb"})


def peru_rows(months=("2024-01", "2024-02")) -> list[dict]:
    common = {"country": "Peru", "rmrp_activity": "Si", "appealing_org": "Org A", "sector": "Shelter",
              "activity_name": "Albergue temporal"}
    rows = []
    for m in months:
        rows += [
            {**common, "month": m, "admin1": "Lima", "admin2": "Lima", "total_monthly": 10,
             "new_beneficiaries": 10, "permanencia": 10},
            {**common, "month": m, "admin1": "Callao", "admin2": "Callao", "total_monthly": 5,
             "new_beneficiaries": 5, "permanencia": 5},
            {**common, "month": m, "admin1": "Tacna", "admin2": "Tacna", "total_monthly": 2,
             "new_beneficiaries": 2, "permanencia": 2},
        ]
    return rows


def write_export(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    rows_frame(rows).to_csv(path, index=False)
    return path


def test_init_whole_country_without_region(capsys, tmp_path):
    data = write_export(tmp_path / "datos" / "5w.csv", peru_rows())
    folder = tmp_path / "params" / "peru"
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--dir", str(folder)]) == 0
    assert "6 filas de Perú" in capsys.readouterr().out  # Lima, Callao and Tacna, two months
    region = yaml.safe_load((folder / "region.yml").read_text(encoding="utf-8"))
    assert region["region"] is None and region["pais"] == "Perú"
    assert region["deduplicacion"] == {"metodo": "maximo", "nivel": "admin1"}
    assert region["mesa"]["nombre"] == "Mesa de Perú"
    params = load_params(folder / "2024-02.yml")
    assert params.national and params.region == "Perú"
    # `--region ""` and `--region null` are the whole country too
    for value in ("", "null"):
        other = tmp_path / "params" / f"peru-{value or 'vacio'}"
        assert main(["init", "--datos", str(data), "--pais", "Peru", "--region", value, "--dir", str(other)]) == 0
        assert yaml.safe_load((other / "region.yml").read_text(encoding="utf-8"))["region"] is None


def test_init_a_list_of_regions_comma_or_repeated(capsys, tmp_path):
    data = write_export(tmp_path / "datos" / "5w.csv", peru_rows())
    for name, args in (("coma", ["--region", "lima, callao"]), ("repetido", ["--region", "Lima", "--region", "Callao"])):
        folder = tmp_path / "params" / name
        assert main(["init", "--datos", str(data), "--pais", "Perú", *args, "--dir", str(folder)]) == 0
        region = yaml.safe_load((folder / "region.yml").read_text(encoding="utf-8"))
        assert region["region"] == ["Lima", "Callao"]
        assert region["mesa"]["nombre"] == "Mesa de Lima y Callao"
        assert sorted(p.name for p in folder.iterdir()) == ["2024-01.yml", "2024-02.yml", "region.yml"]
    assert "4 filas de Lima y Callao" in capsys.readouterr().out  # two regions, two months; not Tacna's
    # a name that is not in the file is still the scope's error, with its suggestion
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--region", "Lima, Calao",
                 "--dir", str(tmp_path / "mal")]) == 2
    assert "«Calao»: ¿quiso decir «Callao»?" in capsys.readouterr().err
    assert not (tmp_path / "mal").exists()


def test_month_files_carry_no_empty_highlights_and_region_highlights_show(capsys, tmp_path):
    data = write_export(tmp_path / "datos" / "5w.csv", peru_rows())
    folder = tmp_path / "params" / "lima"
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--region", "Lima", "--dir", str(folder)]) == 0
    assert yaml.safe_load((folder / "2024-01.yml").read_text(encoding="utf-8")) == {"mes": "2024-01"}
    with open(folder / "region.yml", "a", encoding="utf-8") as handle:
        handle.write('destacados:\n  - "La Mesa sesionó con 12 organizaciones."\n')
    # a month without its own, and a month of an older init with `destacados: []`: region.yml's
    assert load_params(folder / "2024-01.yml").highlights == ["La Mesa sesionó con 12 organizaciones."]
    (folder / "2024-02.yml").write_text('mes: "2024-02"\ndestacados: []\n', encoding="utf-8")
    assert load_params(folder / "2024-02.yml").highlights == ["La Mesa sesionó con 12 organizaciones."]
    # a month with its own highlights keeps them (the month file wins)
    (folder / "2024-02.yml").write_text('mes: "2024-02"\ndestacados: ["Propio de febrero."]\n', encoding="utf-8")
    assert load_params(folder / "2024-02.yml").highlights == ["Propio de febrero."]


def test_region_highlight_shows_in_the_report_of_a_month_without_its_own(tmp_path):
    data = write_export(tmp_path / "datos" / "5w.csv", peru_rows(("2024-01",)))
    folder = tmp_path / "params" / "lima"
    folder.mkdir(parents=True)
    (folder / "region.yml").write_text(yaml.safe_dump({
        "datos": str(data), "pais": "Perú", "region": "Lima",
        "destacados": ["Jornada de regularización en el Callao."]}, allow_unicode=True), encoding="utf-8")
    (folder / "2024-01.yml").write_text('mes: "2024-01"\n', encoding="utf-8")
    done = subprocess.run([*MDRM, "report", "--params", str(folder / "2024-01.yml"), "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    text = html_text((tmp_path / "out" / "lima" / "2024-01" / "destacados.html").read_text(encoding="utf-8"))
    assert "Jornada de regularización en el Callao." in text
    assert "No hay destacados para este mes" not in text


def test_agregar_writes_only_the_new_month_and_batch_names_missing_months(capsys, tmp_path):
    data = write_export(tmp_path / "datos" / "5w.csv", peru_rows())
    folder = tmp_path / "params" / "lima-callao"
    assert main(["init", "--datos", str(data), "--pais", "Perú", "--region", "Lima, Callao",
                 "--dir", str(folder)]) == 0
    mine = 'mes: "2024-01"\ndestacados: ["Escrito por la IMO."]\n'
    (folder / "2024-01.yml").write_text(mine, encoding="utf-8")
    before = (folder / "region.yml").read_text(encoding="utf-8")
    capsys.readouterr()
    # next month's export arrives (same file name): March is new
    write_export(data, peru_rows(("2024-01", "2024-02", "2024-03")))
    outcomes = batch.run_batch(folder, tmp_path / "out", jobs=1, content=minimal_content(), progress=False)
    assert [o.status for o in outcomes] == [batch.OK, batch.OK]
    assert outcomes.missing_months == ["2024-03"]
    assert (f"Meses del 5W sin archivo de parámetros (1): 2024-03; agréguelos con: mdrm init --agregar "
            f"--dir {folder}") in batch.summary(outcomes)

    assert main(["init", "--agregar", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Agregado en {folder}: 1 mes (2024-03); 2 ya tenían su archivo y no se tocaron.")
    assert sorted(p.name for p in folder.iterdir()) == ["2024-01.yml", "2024-02.yml", "2024-03.yml", "region.yml"]
    assert yaml.safe_load((folder / "2024-03.yml").read_text(encoding="utf-8")) == {"mes": "2024-03"}
    assert (folder / "2024-01.yml").read_text(encoding="utf-8") == mine
    assert (folder / "region.yml").read_text(encoding="utf-8") == before
    # again: nothing to add, nothing touched
    assert main(["init", "--agregar", "--dir", str(folder)]) == 0
    assert "Nada que agregar" in capsys.readouterr().out
    outcomes = batch.run_batch(folder, tmp_path / "out", first="2024-03", jobs=1, content=minimal_content(),
                               progress=False)
    assert outcomes.missing_months == [] and "sin archivo de parámetros" not in batch.summary(outcomes)
    # --agregar reads everything from region.yml
    assert main(["init", "--agregar", "--dir", str(folder), "--datos", str(data)]) == 2
    assert "con --agregar no se usa --datos" in capsys.readouterr().err
    assert main(["init", "--agregar", "--dir", str(tmp_path / "nada")]) == 2


def _init_and_batch(tmp_path, name, *region_args):
    fixture = require_r4v_fixtures() / "5w_2024_short_headers.xlsx"
    folder = tmp_path / "params" / name
    done = subprocess.run([*MDRM, "init", "--datos", str(fixture), *region_args, "--dir", str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*MDRM, "batch", "--params-dir", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((tmp_path / "out" / name / "2023-01" / "metrics.json").read_text(encoding="utf-8")), done.stdout


def test_init_whole_country_and_two_regions_on_the_2024_export_batch_unedited(tmp_path):
    assert FIXTURES_R4V.is_dir() or require_r4v_fixtures()
    national, _ = _init_and_batch(tmp_path, "mexico", "--pais", "México")
    assert national["scope"] == {"country": "México", "regions": [], "national": True}
    assert national["region"] == "México"
    both, out = _init_and_batch(tmp_path, "cdmx-nl", "--pais", "Mexico", "--region", "Ciudad de Mexico, Nuevo Leon")
    assert both["scope"]["regions"] == ["Ciudad de México", "Nuevo León"]
    # 5 rows of Ciudad de México and 6 of Nuevo León (README, «Una Mesa nueva»)
    assert both["rows"]["read"] == 11
    assert national["rows"]["read"] >= both["rows"]["read"]
    assert "sin archivo de parámetros" not in out


# --------------------------------------------------------------------------- republished months

def _lima(rows_people: int) -> list[dict]:
    return [{"country": "Peru", "admin1": "Lima", "admin2": "Lima", "month": "2024-01", "rmrp_activity": "Si",
             "appealing_org": "Org A", "sector": "Shelter", "activity_name": "Albergue temporal",
             "total_monthly": rows_people, "new_beneficiaries": rows_people, "permanencia": rows_people}]


def test_a_republished_month_writes_what_changed_into_the_index(tmp_path):
    data = write_export(tmp_path / "5w.csv", _lima(2294))
    folder = tmp_path / "params" / "lima"
    folder.mkdir(parents=True)
    (folder / "2024-01.yml").write_text(yaml.safe_dump({"datos": str(data), "pais": "Perú", "region": "Lima",
                                                        "mes": "2024-01"}), encoding="utf-8")
    out = tmp_path / "out"
    run_report(folder / "2024-01.yml", out, content=minimal_content())
    region_dir = out / "lima"
    assert not (region_dir / "cambios.json").exists()  # first publication: nothing to compare with
    run_report(folder / "2024-01.yml", out, content=minimal_content())
    assert not (region_dir / "cambios.json").exists()  # same figures: no change to log
    assert "Cambios en meses republicados" not in (region_dir / "index.html").read_text(encoding="utf-8")

    write_export(data, _lima(3294))  # the partner corrected its row
    run_report(folder / "2024-01.yml", out, content=minimal_content())
    log = json.loads((region_dir / "cambios.json").read_text(encoding="utf-8"))
    assert len(log) == 1 and log[0]["month"] == "2024-01"
    changes = {c["figure"]: (c["before"], c["after"]) for c in log[0]["changes"]}
    assert changes["Personas alcanzadas"] == (2294, 3294)
    assert changes["Acumulado del año (personas)"] == (2294, 3294)
    assert "Filas del 5W en el mes" not in changes  # still one row
    text = html_text((region_dir / "index.html").read_text(encoding="utf-8"))
    assert "Cambios en meses republicados" in text
    assert re.search(r"enero de 2024 ?, republicado el \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    assert "Personas alcanzadas: 2,294 → 3,294" in text


def test_the_reports_folder_is_the_params_folder_name_exactly(tmp_path):
    data = write_export(tmp_path / "5w.csv", peru_rows(("2024-01",)))
    for name, expected in (("chile_rm", "chile_rm"), ("GIFMM-Cucuta.2024", "GIFMM-Cucuta.2024"),
                           ("Madre de Dios", "madre-de-dios"), ("Perú", "peru")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "2024-01.yml").write_text(yaml.safe_dump({"datos": str(data), "region": "Lima", "mes": "2024-01"}),
                                            encoding="utf-8")
        assert load_params(folder / "2024-01.yml").report_folder == expected
