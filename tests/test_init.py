"""`mdrm init` (a new Mesa's params folder from an export) and `mdrm actividades` (README.md, «Alcance: país, regiones y reporte nacional»)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT, SPANISH_HEADERS, require_r4v_fixtures, rows_frame
from report_runs import OUTPUTS
from mdrm.cli import main
from mdrm.metrics import compute, load_month
from mdrm.params import load_params
from mdrm.scaffold import packaged_key_figure_specs

ACTIVITY_HEADER = "Actividad realizada"  # not an R4V header: needs --columna
RACIONES = "Comida fría/caliente distribuida (# de raciones diarias)"
MPC_INDICATOR = "# de personas beneficiados de las transferencias monetarias multipropósito (MPC)"


def export_rows() -> list[dict]:
    peru = {"country": "Peru", "admin1": "Arequipa", "admin2": "Arequipa", "rmrp_activity": "Si",
            "appealing_org": "Org Sur", "sector": "Food Security"}
    return [
        {**peru, "month": "2020-08", "activity_name": RACIONES, "quantity": 20, "total_monthly": 10,
         "new_beneficiaries": 10, "permanencia": 10},
        {**peru, "month": "2020-09", "activity_name": RACIONES, "quantity": 30, "total_monthly": 12,
         "new_beneficiaries": 12, "permanencia": 12},
        {**peru, "month": "2020-09", "admin2": "Caylloma", "activity_name": "Apoyo en efectivo",
         "sector": "Multipurpose Cash Assistance (MPC)", "indicator": MPC_INDICATOR, "cva": "Si",
         "cva_value_usd": 300, "total_monthly": 4, "new_beneficiaries": 4, "permanencia": 4},
        {**peru, "month": "2020-09", "activity_name": "Acompañamiento de casos (# de casos)",
         "sector": "Protection (General)", "quantity": 3, "total_monthly": 3, "new_beneficiaries": 3, "acogida": 3},
        # another region of Peru, and an Arequipa of another country: neither is the Mesa's
        {**peru, "admin1": "Lima", "admin2": "Lima", "month": "2020-10", "activity_name": RACIONES, "quantity": 99},
        {**peru, "country": "Chile", "month": "2020-11", "activity_name": RACIONES, "quantity": 77},
    ]


@pytest.fixture
def export(tmp_path):
    frame = rows_frame(export_rows()).rename(columns={SPANISH_HEADERS["activity_name"]: ACTIVITY_HEADER})
    path = tmp_path / "datos" / "5w_peru.csv"
    path.parent.mkdir()
    frame.to_csv(path, index=False)
    return path


def run_init(capsys, export, folder, *extra, region="Arequipa", pais="Perú"):
    code = main(["init", "--datos", str(export), "--pais", pais, "--region", region, "--dir", str(folder), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_region_and_month_files(capsys, export, tmp_path):
    folder = tmp_path / "params" / "gtrm-arequipa"
    code, out, err = run_init(capsys, export, folder, "--columna", f"{ACTIVITY_HEADER}=activity_name",
                              region="arequipa")
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["2020-08.yml", "2020-09.yml", "region.yml"]
    text = (folder / "region.yml").read_text(encoding="utf-8")
    region = yaml.safe_load(text)
    assert region["datos"] == os.path.join("..", "..", "datos", "5w_peru.csv")
    assert (region["pais"], region["region"], region["hoja"]) == ("Perú", "Arequipa", None)
    assert region["columnas"] == {ACTIVITY_HEADER: "activity_name"}
    assert region["deduplicacion"] == {"metodo": "maximo", "nivel": "admin2"}
    assert region["mesa"] == {"nombre": "Mesa de Arequipa", "sigla": "", "plataforma": ""}
    assert region["cifras_clave"] == packaged_key_figure_specs()
    # the rows of Arequipa (Peru) each key figure matches, all months: 2 raciones (not Lima's, not Chile's),
    # 1 case, 1 MPC row through its indicator, 4 rows for the key figure without patterns
    comments = {line.split(":")[0].strip(): line.split("#", 1)[1].strip()
                for line in text.splitlines() if line.startswith("  ") and not line.startswith("    ") and "#" in line}
    assert comments["raciones_comida"] == "2 filas de Arequipa en el archivo"
    assert comments["casos_proteccion"] == "1 fila de Arequipa en el archivo"
    assert comments["usd_multiproposito"] == "1 fila de Arequipa en el archivo"
    assert comments["usd_distribuidos"] == "sin patrones: todas las filas de Arequipa (4 en el archivo)"
    for kf in ("refrigerios", "orientaciones_legales", "consultas_aps", "atenciones_psicosociales"):
        assert comments[kf].startswith("NINGUNA fila de Arequipa coincide en el archivo"), kf
    # no `destacados: []`: a month without its own shows region.yml's (tests/test_cycle.py)
    assert yaml.safe_load((folder / "2020-09.yml").read_text(encoding="utf-8")) == {"mes": "2020-09"}
    assert "Sin ninguna fila: refrigerios, orientaciones_legales, consultas_aps, atenciones_psicosociales" in out

    # the params run as written: September's key figures from the packaged set
    metrics = compute(load_month(load_params(folder / "2020-09.yml")))
    assert metrics["mesa"]["nombre"] == "Mesa de Arequipa"
    assert metrics["key_figures"]["raciones_comida"] == 30
    assert metrics["key_figures"]["casos_proteccion"] == 3
    assert metrics["key_figures"]["usd_multiproposito"] == 300
    # province Arequipa: permanencia max(food 12) + acogida max(protection 3); Caylloma: permanencia 4
    assert metrics["people_reached"]["total"] == 12 + 3 + 4
    assert metrics["dedup"] == {"method": "maximo", "level": "admin2"}


def test_init_without_admin2_sets_level_admin1(capsys, tmp_path):
    rows = [{"admin1": "Arequipa", "admin2": "", "month": "2020-09", "activity_name": "x"}]
    data = tmp_path / "5w.csv"
    rows_frame(rows).to_csv(data, index=False)
    code, out, err = run_init(capsys, data, tmp_path / "p")
    assert code == 0, err
    assert yaml.safe_load((tmp_path / "p" / "region.yml").read_text("utf-8"))["deduplicacion"]["nivel"] == "admin1"


def test_init_never_overwrites(capsys, export, tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "2020-09.yml").write_text("mes: '2020-09'\ndestacados: [mío]\n", encoding="utf-8")
    code, out, err = run_init(capsys, export, folder, "--columna", f"{ACTIVITY_HEADER}=activity_name")
    assert code == 2
    assert "2020-09.yml" in err and "ya existe el archivo" in err and "no se escribió nada" in err
    assert sorted(p.name for p in folder.iterdir()) == ["2020-09.yml"]
    assert "mío" in (folder / "2020-09.yml").read_text(encoding="utf-8")


def test_init_needs_the_mapping_of_a_non_r4v_header(capsys, export, tmp_path):
    code, out, err = run_init(capsys, export, tmp_path / "p")
    assert code == 2
    assert "falta la columna obligatoria «Nombre de la actividad»" in err
    assert f"«{ACTIVITY_HEADER}»" in err and "--columna" in err
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("region, pais, words", [
    ("Arequpa", "Perú", ["no hay filas para la región «Arequpa» de Perú", "¿Quiso decir «Arequipa»?",
                         "Regiones de Perú en el archivo: «Arequipa», «Lima»."]),
    ("Lima", "Chile", ["no hay filas para la región «Lima» de Chile", "«Lima» está en el archivo para Perú",
                       "Regiones de Chile en el archivo: «Arequipa»."]),
    ("Arequipa", "Narnia", ["--pais no es un país de R4V", "Narnia", "Perú"]),
    ("Arequipa", "Ecuador", ["no hay filas de «Ecuador» en el archivo", "Países en el archivo: «Chile», «Perú»"]),
])
def test_init_errors_name_what_the_file_has(capsys, export, tmp_path, region, pais, words):
    code, out, err = run_init(capsys, export, tmp_path / "p", "--columna", f"{ACTIVITY_HEADER}=activity_name",
                              region=region, pais=pais)
    assert code == 2
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "p").exists()


def test_init_bad_columna(capsys, export, tmp_path):
    code, out, err = run_init(capsys, export, tmp_path / "p", "--columna", f"{ACTIVITY_HEADER}=actividad")
    assert code == 2 and "campo desconocido" in err and "activity_name" in err


def test_actividades_lists_the_region_most_frequent_first(capsys, export, tmp_path):
    folder = tmp_path / "p"
    assert run_init(capsys, export, folder, "--columna", f"{ACTIVITY_HEADER}=activity_name")[0] == 0
    assert main(["actividades", "--params", str(folder / "region.yml")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Actividades de Arequipa (todos los meses del archivo), de la más frecuente a la menos:",
        "  filas  actividad  [cifras clave que alimenta]",
        f"      2  {RACIONES}  [raciones_comida]",
        "      1  Acompañamiento de casos (# de casos)  [casos_proteccion]",
        "      1  Apoyo en efectivo  [usd_multiproposito]",
        "",
        "Indicadores de Arequipa:",
        "  filas  indicador",
        f"      1  {MPC_INDICATOR}",
        "",
        "Filas que encuentra cada cifra clave de los parámetros:",
        "      2  raciones_comida",
        "      0  refrigerios  ← ninguna fila: revise sus patrones",
        "      1  casos_proteccion",
        "      0  orientaciones_legales  ← ninguna fila: revise sus patrones",
        "      0  consultas_aps  ← ninguna fila: revise sus patrones",
        "      0  atenciones_psicosociales  ← ninguna fila: revise sus patrones",
        "      1  usd_multiproposito",
        "      4  usd_distribuidos",
    ]


def test_init_on_the_2024_export_then_batch_runs_unedited(tmp_path):
    fixture = require_r4v_fixtures() / "5w_2024_short_headers.xlsx"
    folder = tmp_path / "params" / "nuevo-leon"
    mdrm = [sys.executable, "-m", "mdrm"]
    done = subprocess.run([*mdrm, "init", "--datos", str(fixture), "--pais", "Mexico", "--region", "Nuevo Leon",
                           "--dir", str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = (folder / "region.yml").read_text(encoding="utf-8")
    region = yaml.safe_load(text)
    assert (region["pais"], region["region"]) == ("México", "Nuevo León")  # as the file writes it, repaired
    assert sorted(p.name for p in folder.iterdir()) == ["2023-01.yml", "region.yml"]
    # no activity of Nuevo León is a food ration: listed as such
    assert "  raciones_comida:   # NINGUNA fila de Nuevo León coincide en el archivo" in text
    assert "  usd_distribuidos:   # sin patrones: todas las filas de Nuevo León (6 en el archivo)" in text
    out = tmp_path / "reports"
    done = subprocess.run([*mdrm, "batch", "--params-dir", str(folder), "--out", str(out), "--jobs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    month = out / "nuevo-leon" / "2023-01"
    assert sorted(p.name for p in month.iterdir() if not p.name.startswith(".")) == sorted(OUTPUTS)
    metrics = json.loads((month / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["region"], metrics["mesa"]["nombre"], metrics["rows"]["read"]) == (
        "Nuevo León", "Mesa de Nuevo León", 6)
    assert "Intervenciones de la Mesa de Nuevo León — enero de 2023" in (month / "situacion.html").read_text("utf-8")


def test_actividades_on_a_broken_region_yml_is_an_input_error(capsys, tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "region.yml").write_text("region: Arequipa\n  mal: [\n", encoding="utf-8")
    assert main(["actividades", "--params", str(folder / "region.yml")]) == 2
    err = capsys.readouterr().err
    assert "«region.yml»" in err and "YAML no válido" in err
