"""The params file of a month (docs/metodologia.md §5).

A month file inherits `region.yml` from its folder (the month file wins, and
`deduplicacion` is merged key by key); relative paths are relative to the file
that wrote them; an unknown key, a wrong type or a missing file is a hard error
(exit 2) naming the key; `columnas:` maps odd headers to fields.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, SPANISH_HEADERS, rows_frame
from mdrm.cli import main
from mdrm.errors import InputError
from mdrm.params import load_params

MDRM = [sys.executable, "-m", "mdrm"]  # the CLI of the Python running the tests


def row(i: int, **cells) -> dict:
    return {"total_monthly": 10, "new_beneficiaries": 10, "permanencia": 10, "mujeres": 10,
            "activity_name": f"Actividad {i}", **cells}


# Shelter/Tacna 10, Health/Tacna 6, Health/Tarata 4 (new: 5, 3, 2). People reached:
#   maximo + admin2: max(10, 6) + 4 = 14    maximo + admin1: max(10, 6 + 4) = 10    suma: 20
# and on new beneficiaries (nuevos), maximo + admin2: max(5, 3) + 2 = 7.
DEDUP_ROWS = [
    row(1, sector="Shelter", admin2="Tacna", new_beneficiaries=5, permanencia=5, mujeres=5),
    row(2, sector="Health", admin2="Tacna", total_monthly=6, new_beneficiaries=3, permanencia=3,
        mujeres=3),
    row(3, sector="Health", admin2="Tarata", total_monthly=4, new_beneficiaries=2, permanencia=2,
        mujeres=2),
]


def write_yaml(path: Path, content: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_data(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows_frame(rows).to_csv(path, index=False)
    return path


def run_metrics(capsys, params: Path, out: Path | None = None) -> tuple[int, dict | None, str]:
    args = ["metrics", "--params", str(params)] + (["-o", str(out)] if out else [])
    code = main(args)
    captured = capsys.readouterr()
    metrics = json.loads(captured.out) if code == 0 and not out else None
    return code, metrics, captured.err


@pytest.fixture
def layout(tmp_path):
    """tmp/params/tacna/ for the params files, tmp/datos/ for the data: a real project layout."""
    data = write_data(tmp_path / "datos" / "5w.csv", DEDUP_ROWS)
    return tmp_path / "params" / "tacna", data


# --- inheritance ------------------------------------------------------------------------------

def test_month_file_inherits_region_yml(layout, capsys):
    folder, _ = layout
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "../../datos/5w.csv",
                                       "deduplicacion": {"metodo": "maximo", "nivel": "admin2"}})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09", "destacados": ["Uno"]})
    params = load_params(month)
    assert (params.region, params.month, params.method, params.level) == ("Tacna", "2020-09", "maximo",
                                                                           "admin2")
    assert params.highlights == ["Uno"]
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["dedup"] == {"method": "maximo", "level": "admin2"}
    assert metrics["people_reached"]["total"] == 14


def test_month_file_wins_over_region_yml(layout, capsys):
    folder, _ = layout
    write_yaml(folder / "region.yml", {"region": "Moquegua", "mes": "2020-01", "datos": "no/existe.csv",
                                       "base_personas": "nuevos", "destacados": ["de la región"]})
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09",
                                                "datos": "../../datos/5w.csv",
                                                "base_personas": "mensual",
                                                "destacados": ["del mes"]})
    params = load_params(month)
    assert (params.region, params.month, params.basis) == ("Tacna", "2020-09", "mensual")
    assert params.highlights == ["del mes"]  # a list is replaced, not appended
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["basis"] == "mensual"
    assert metrics["people_reached"]["total"] == 10  # maximo + admin1 (defaults), monthly basis


def test_deduplicacion_merged_key_by_key(layout, capsys):
    folder, _ = layout
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "../../datos/5w.csv",
                                       "deduplicacion": {"metodo": "suma", "nivel": "admin2"}})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09",
                                                "deduplicacion": {"metodo": "maximo"}})
    params = load_params(month)
    assert (params.method, params.level) == ("maximo", "admin2")  # nivel from region.yml
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["dedup"] == {"method": "maximo", "level": "admin2"}
    assert metrics["people_reached"]["total"] == 14


def test_deduplicacion_month_level_over_region_method(layout, capsys):
    folder, _ = layout
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "../../datos/5w.csv",
                                       "base_personas": "nuevos",
                                       "deduplicacion": {"metodo": "maximo", "nivel": "admin1"}})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09", "deduplicacion": {"nivel": "admin2"}})
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["dedup"] == {"method": "maximo", "level": "admin2"}
    assert metrics["basis"] == "nuevos"
    assert metrics["people_reached"]["total"] == 7


def test_suma_method(layout, capsys):
    folder, _ = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09",
                                                "datos": "../../datos/5w.csv",
                                                "deduplicacion": {"metodo": "suma"}})
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["people_reached"]["total"] == 20


def test_region_yml_of_another_folder_not_inherited(tmp_path, layout):
    folder, data = layout
    write_yaml(tmp_path / "params" / "region.yml", {"region": "Moquegua"})  # the parent folder's
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09", "datos": str(data)})
    with pytest.raises(InputError) as info:
        load_params(month)
    assert "«region»" in str(info.value)


# --- relative paths ---------------------------------------------------------------------------

def test_relative_paths_are_relative_to_the_file_not_the_cwd(layout, tmp_path):
    folder, _ = layout
    registry = tmp_path / "ref" / "organizaciones.csv"
    registry.parent.mkdir()
    registry.write_text("organization,type,subgroups\nOrg A,ONG,alojamiento\n", encoding="utf-8")  # a packaged subgroup
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "../../datos/5w.csv",
                                       "organizaciones": "../../ref/organizaciones.csv"})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09"})
    out = tmp_path / "salida" / "metrics.json"
    result = subprocess.run([*MDRM, "metrics", "--params", str(month), "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert metrics["rows"]["read"] == 3
    assert metrics["source"]["file"] == "5w.csv"
    params = load_params(month)
    assert params.data_path == (tmp_path / "datos" / "5w.csv").resolve()
    assert params.organizations_path == registry.resolve()


def test_relative_params_path_from_another_cwd(layout, tmp_path):
    """`--params params/tacna/2020-09.yml` given relative to the cwd, data relative to the file."""
    folder, _ = layout
    write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": "../../datos/5w.csv"})
    result = subprocess.run([*MDRM, "metrics", "--params", "params/tacna/2020-09.yml"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rows"]["read"] == 3


def test_month_file_datos_relative_to_month_file(layout):
    folder, data = layout
    other = write_data(folder / "propio.csv", [row(1)])
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "../../datos/5w.csv"})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09", "datos": "propio.csv"})
    assert load_params(month).data_path == other.resolve()


# --- hard errors naming the key -------------------------------------------------------------------

def assert_params_error(capsys, params: Path, *words: str, tmp_out: Path) -> str:
    out = tmp_out / "metrics.json"
    code = main(["metrics", "--params", str(params), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert not out.exists()
    assert "Error en los datos de entrada" in err
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"
    return err


def test_unknown_key_subprocess(layout, tmp_path):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                "bse_personas": "nuevos"})
    out = tmp_path / "metrics.json"
    result = subprocess.run([*MDRM, "metrics", "--params", str(month), "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert not out.exists()
    assert "«bse_personas»" in result.stderr
    assert "2020-09.yml" in result.stderr
    assert "desconocida" in result.stderr
    assert "base_personas" in result.stderr  # the valid keys are listed


def test_unknown_key_in_region_yml_names_region_yml(layout, capsys, tmp_path):
    folder, data = layout
    write_yaml(folder / "region.yml", {"region": "Tacna", "regiom": "Tacna"})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09", "datos": str(data)})
    err = assert_params_error(capsys, month, "«regiom»", "region.yml", tmp_out=tmp_path)
    assert "2020-09.yml" not in err


def test_unknown_deduplicacion_key(layout, capsys, tmp_path):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                "deduplicacion": {"metodo": "maximo", "nivle": "admin2"}})
    assert_params_error(capsys, month, "nivle", "2020-09.yml", tmp_out=tmp_path)


@pytest.mark.parametrize("key, value, shown", [
    ("destacados", "texto", "texto"),
    ("deduplicacion", "maximo", "maximo"),
    ("region", {"Tacna": 1}, "Tacna"),
    ("region", ["Tacna", 3], "3"),
    ("mesa", "MDRM", "MDRM"),
    ("cifras_clave", ["raciones"], "raciones"),
    ("hoja", 3, "3"),
    ("columnas", ["Beneficiarios"], "Beneficiarios"),
    ("mes", 202009, "202009"),
])
def test_wrong_type_names_key_and_value(layout, capsys, tmp_path, key, value, shown):
    folder, data = layout
    content = {"region": "Tacna", "mes": "2020-09", "datos": str(data), key: value}
    month = write_yaml(folder / "2020-09.yml", content)
    err = assert_params_error(capsys, month, f"«{key}»", "2020-09.yml", tmp_out=tmp_path)
    assert shown in err


def test_highlight_not_text(layout, capsys, tmp_path):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                "destacados": ["bien", {"mal": 1}]})
    assert_params_error(capsys, month, "«destacados»", tmp_out=tmp_path)


def test_missing_data_file_names_datos(layout, capsys, tmp_path):
    folder, _ = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09",
                                                "datos": "../../datos/no_existe.xlsx"})
    assert_params_error(capsys, month, "«datos»", "no_existe.xlsx", "2020-09.yml", tmp_out=tmp_path)


def test_missing_data_file_in_region_yml_names_region_yml(layout, capsys, tmp_path):
    folder, _ = layout
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "falta.csv"})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09"})
    assert_params_error(capsys, month, "«datos»", "falta.csv", "region.yml", tmp_out=tmp_path)


def test_missing_registry_names_organizaciones(layout, capsys, tmp_path):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                "organizaciones": "orgs.csv"})
    assert_params_error(capsys, month, "«organizaciones»", "orgs.csv", tmp_out=tmp_path)


def test_data_path_is_a_folder(layout, capsys, tmp_path):
    folder, _ = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": "../../datos"})
    assert_params_error(capsys, month, "«datos»", tmp_out=tmp_path)


@pytest.mark.parametrize("key", ["region", "mes", "datos"])
def test_missing_required_key(layout, capsys, tmp_path, key):
    folder, data = layout
    content = {"region": "Tacna", "mes": "2020-09", "datos": str(data)}
    del content[key]
    month = write_yaml(folder / "2020-09.yml", content)
    assert_params_error(capsys, month, f"«{key}»", "falta", tmp_out=tmp_path)


@pytest.mark.parametrize("month", ["2020-9", "2020-13", "sept 2020", "2020/09"])
def test_bad_mes(layout, capsys, tmp_path, month):
    folder, data = layout
    params = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": month, "datos": str(data)})
    assert_params_error(capsys, params, "«mes»", f"«{month}»", "AAAA-MM", tmp_out=tmp_path)


def test_bad_mes_in_region_yml_names_region_yml(layout, capsys, tmp_path):
    folder, data = layout
    write_yaml(folder / "region.yml", {"region": "Tacna", "mes": "2020-9"})
    month = write_yaml(folder / "2020-09.yml", {"datos": str(data)})
    assert_params_error(capsys, month, "«mes»", "«2020-9»", "region.yml", tmp_out=tmp_path)


def test_bad_base_personas(layout, capsys, tmp_path):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                "base_personas": "semanal"})
    assert_params_error(capsys, month, "«base_personas»", "«semanal»", "mensual", "nuevos",
                        tmp_out=tmp_path)


@pytest.mark.parametrize("dedup, key, value", [
    ({"metodo": "promedio"}, "deduplicacion.metodo", "promedio"),
    ({"nivel": "admin3"}, "deduplicacion.nivel", "admin3"),
    ({"metodo": "maximo", "nivel": "provincia"}, "deduplicacion.nivel", "provincia"),
])
def test_bad_method_or_level(layout, capsys, tmp_path, dedup, key, value):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                "deduplicacion": dedup})
    assert_params_error(capsys, month, f"«{key}»", f"«{value}»", tmp_out=tmp_path)


def test_bad_method_in_region_yml_names_region_yml(layout, capsys, tmp_path):
    folder, data = layout
    write_yaml(folder / "region.yml", {"deduplicacion": {"metodo": "max"}})
    month = write_yaml(folder / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data)})
    assert_params_error(capsys, month, "«deduplicacion.metodo»", "«max»", "region.yml", tmp_out=tmp_path)


def test_invalid_yaml_names_file_and_line(layout, capsys, tmp_path):
    folder, data = layout
    month = write_yaml(folder / "2020-09.yml",
                       f"region: Tacna\nmes: \"2020-09\"\ndatos: {data}\ndestacados: [uno, dos\n")
    err = assert_params_error(capsys, month, "2020-09.yml", "YAML", tmp_out=tmp_path)
    assert re.search(r"\bfila \d+\b", err)


def test_params_file_missing(tmp_path, capsys):
    code = main(["metrics", "--params", str(tmp_path / "2020-09.yml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "2020-09.yml" in err


def test_params_not_a_mapping(layout, capsys, tmp_path):
    folder, _ = layout
    month = write_yaml(folder / "2020-09.yml", "- region\n- Tacna\n")
    assert_params_error(capsys, month, "2020-09.yml", tmp_out=tmp_path)


def test_defaults(layout):
    folder, data = layout
    params = load_params(write_yaml(folder / "2020-09.yml",
                                    {"region": "Tacna", "mes": "2020-09", "datos": str(data)}))
    assert params.basis == "mensual"
    assert params.method == "maximo"
    assert params.sheet is None and params.organizations_path is None
    assert params.columns == {} and params.highlights == []


# --- columnas ---------------------------------------------------------------------------------

ODD_HEADER = "Beneficiarios del mes (total)"


def odd_header_file(tmp_path: Path) -> Path:
    frame = rows_frame([row(1, total_monthly=25, new_beneficiaries=10, permanencia=10),
                        row(2, total_monthly=7, new_beneficiaries=7, permanencia=7, mujeres=7)])
    frame = frame.rename(columns={SPANISH_HEADERS["total_monthly"]: ODD_HEADER})
    path = tmp_path / "datos" / "5w_raro.csv"
    path.parent.mkdir(exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def test_odd_header_without_mapping_is_missing_column(tmp_path, capsys):
    data = odd_header_file(tmp_path)
    month = write_yaml(tmp_path / "p" / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data)})
    err = assert_params_error(capsys, month, "«Total beneficiarios mensuales»", "5w_raro.csv",
                              tmp_out=tmp_path)
    assert "columnas" in err  # tells the user how to map it


def test_columnas_maps_an_odd_header(tmp_path, capsys):
    data = odd_header_file(tmp_path)
    month = write_yaml(tmp_path / "p" / "2020-09.yml",
                       {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                        "columnas": {ODD_HEADER: "total_monthly"}})
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["rows"]["read"] == 2
    assert metrics["sectors"]["Shelter"] == {"total": 32, "new": 17}
    assert metrics["people_reached"]["total"] == 32


def test_columnas_header_matched_normalized(tmp_path, capsys):
    data = odd_header_file(tmp_path)
    month = write_yaml(tmp_path / "p" / "2020-09.yml",
                       {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                        "columnas": {"BENEFICIARIOS  DEL MES – TOTAL": "total_monthly"}})
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["people_reached"]["total"] == 32


def test_columnas_inherited_from_region_yml(tmp_path, capsys):
    odd_header_file(tmp_path)
    folder = tmp_path / "params" / "tacna"
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": "../../datos/5w_raro.csv",
                                       "columnas": {ODD_HEADER: "total_monthly"}})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09"})
    code, metrics, err = run_metrics(capsys, month)
    assert code == 0, err
    assert metrics["people_reached"]["total"] == 32


def test_columnas_mapped_header_named_in_cell_errors(tmp_path, capsys):
    frame = rows_frame([row(1), row(2, total_monthly="doce")])
    frame = frame.rename(columns={SPANISH_HEADERS["total_monthly"]: ODD_HEADER})
    data = tmp_path / "5w.csv"
    frame.to_csv(data, index=False)
    month = write_yaml(tmp_path / "p" / "2020-09.yml",
                       {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                        "columnas": {ODD_HEADER: "total_monthly"}})
    err = assert_params_error(capsys, month, f"«{ODD_HEADER}»", "«doce»", tmp_out=tmp_path)
    assert re.search(r"\bfila 3\b", err)


def test_columnas_unknown_field(tmp_path, capsys):
    data = odd_header_file(tmp_path)
    month = write_yaml(tmp_path / "p" / "2020-09.yml",
                       {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                        "columnas": {ODD_HEADER: "total_mensual"}})
    err = assert_params_error(capsys, month, "«columnas»", "«total_mensual»", ODD_HEADER, tmp_out=tmp_path)
    assert "total_monthly" in err  # the valid fields are listed


def test_columnas_merged_key_by_key_with_region_yml(tmp_path):
    folder = tmp_path / "params" / "x"
    folder.mkdir(parents=True)
    data = write_data(tmp_path / "5w.csv", [row(1)])
    write_yaml(folder / "region.yml", {"region": "Tacna", "datos": str(data),
                                       "columnas": {"Total atendidos": "total_monthly"}})
    month = write_yaml(folder / "2020-09.yml", {"mes": "2020-09", "columnas": {"Nuevos": "new_beneficiaries"}})
    assert load_params(month).columns == {"Total atendidos": "total_monthly", "Nuevos": "new_beneficiaries"}


def test_explicit_mapping_wins_over_a_standard_header(tmp_path, capsys):
    # The file has both the standard "Total beneficiarios mensuales" (10) and a corrected
    # column the IMO maps explicitly (25): the explicit mapping is the one used.
    frame = rows_frame([row(1)])
    frame["Total corregido"] = 25
    data = tmp_path / "5w.csv"
    frame.to_csv(data, index=False)
    params = write_yaml(tmp_path / "2020-09.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                                   "columnas": {"Total corregido": "total_monthly"}})
    code, metrics, err = run_metrics(capsys, params)
    assert code == 0, err
    assert metrics["people_reached"]["total"] == 25


def test_validate_takes_sheet_and_columns_from_params(tmp_path, capsys):
    frame = rows_frame([row(1)]).rename(columns={SPANISH_HEADERS["total_monthly"]: "Total atendidos"})
    data = tmp_path / "5w.xlsx"
    with pd.ExcelWriter(data) as writer:
        frame.head(0).to_excel(writer, sheet_name="Portada", index=False)
        frame.to_excel(writer, sheet_name="5W", index=False)
    assert main(["validate", str(data), "--hoja", "5W"]) == 2
    assert "Total beneficiarios mensuales" in capsys.readouterr().err
    params = write_yaml(tmp_path / "p.yml", {"region": "Tacna", "mes": "2020-09", "datos": str(data),
                                             "hoja": "5W", "columnas": {"Total atendidos": "total_monthly"}})
    assert main(["validate", str(data), "--params", str(params)]) == 0
    assert "Filas leídas: 1" in capsys.readouterr().out
