"""A new Mesa from an export: `mdrm init` and `mdrm actividades` (README.md, «Una Mesa nueva»).

`init_mesa` reads a 5W export, finds the rows of the Mesa (one admin1, a list of
admin1s, or the whole country) and writes a params folder that
`mdrm batch --params-dir DIR` runs as it is:

- `DIR/region.yml`: the data path (relative to DIR), the sheet, `pais`,
  `region` (as written in the file), the header mappings given with
  `--columna`, the de-duplication level (admin2 when the region's rows carry
  provinces, else admin1), a `mesa:` block to fill, and the packaged key
  figures as a `cifras_clave:` block, each with the number of rows of the
  region it matches written as a YAML comment (a key figure matching no row
  says so: a configuration problem, not a zero), and the packaged grouping (one
  subgroup per R4V sector) as a `subgrupos:` block for the IMO to edit, each
  with the rows of the region its sectors have;
- one `DIR/YYYY-MM.yml` per month of the region in the file (only `mes`: the
  highlights of region.yml apply to a month that has none of its own).

It never overwrites a file: when one of them exists, nothing is written (exit 2).
`add_months` (`mdrm init --agregar --dir DIR`) writes the month files of the
months the export (region.yml's `datos`) now has and leaves every existing file alone.

`activities` lists the region's activity names and indicators with their row
counts (all months of the file), most frequent first, to choose key-figure
patterns.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from .catalog import Catalog, key_figures_from, load_catalog
from .errors import InputError
from .formatting import month_label, number, percent
from .iorw import write_atomic
from .isolate import read_safely
from .load import FiveW, read_5w
from .methodology import classify, key_figure_masks
from .text import normalize, normalize_series

REGION_FILE = "region.yml"


@dataclass
class Scope:
    """The rows of a Mesa in a loaded 5W."""

    mask: pd.Series  # over fivew.data
    country: str | None  # R4V country id
    regions: tuple[str, ...]  # admin1s as written in the file; () = the whole country
    label: str  # what the messages call it


def packaged_subgroup_specs() -> dict:
    """The packaged grouping as written in mdrm/definitions/subgrupos.yml (one subgroup per R4V sector)."""
    text = resources.files("mdrm").joinpath("definitions", "subgrupos.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["subgrupos"]


def subgroup_row_counts(rows: pd.DataFrame, catalog: Catalog) -> dict[str, int]:
    """Rows of the region in each subgroup of the catalog's grouping (through the distinct sector names)."""
    by_name = rows["sector"].astype(object).value_counts(dropna=True)
    counts = dict.fromkeys(catalog.subgroups, 0)
    for name, n in by_name.items():
        subgroup = catalog.sector_of(name)[1]
        if subgroup in counts:
            counts[subgroup] += int(n)
    return counts


def packaged_key_figure_specs() -> dict:
    """The packaged key figures as written in mdrm/definitions/cifras_clave.yml (accents kept)."""
    text = resources.files("mdrm").joinpath("definitions", "cifras_clave.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["cifras_clave"]


def parse_columns(items: list[str] | None, catalog: Catalog) -> dict[str, str]:
    """`--columna "ENCABEZADO=campo"` options -> {header: field}."""
    columns: dict[str, str] = {}
    for item in items or []:
        header, sep, name = item.rpartition("=")
        header, name = header.strip(), name.strip()
        if not sep or not header or not name:
            raise InputError("--columna debe tener la forma \"ENCABEZADO=campo\"", value=item)
        if name not in catalog.fields:
            raise InputError(f"--columna asigna «{header}» a un campo desconocido", value=name,
                             hint="Campos: " + ", ".join(catalog.fields))
        columns[header] = name
    return columns


def find_scope(fivew: FiveW, country_name: str | None, regions: list[str], catalog: Catalog) -> Scope:
    """The rows of `regions` (admin1 names, matched normalized) in `country_name`: the report's own
    scope (`mdrm.scope.mesa_rows`), so init, actividades and the reports take the same rows.

    `regions` empty = the whole country. An unknown country is an InputError listing the R4V ones;
    the scope's own errors (country absent from the file, region not found with suggestions, an
    admin1 in several countries without a country) come from `mesa_rows`.
    """
    from types import SimpleNamespace

    from .scope import mesa_rows

    country = None
    if country_name:
        country = catalog.country_id(country_name)
        if country is None:
            raise InputError("--pais no es un país de R4V", value=country_name,
                             hint="Países: " + ", ".join(catalog.country_label(c) for c in catalog.countries))
    wanted = SimpleNamespace(country=country, regions=tuple(regions), national=not regions)
    mask = mesa_rows(fivew, wanted, catalog)
    admin1 = normalize_series(fivew.data["admin1"]).astype(str)
    names = [str(fivew.data.loc[mask & (admin1 == normalize(r)), "admin1"].iloc[0]) for r in regions]
    label = " y ".join(names) if names else (catalog.country_label(country) if country else "el archivo")
    return Scope(mask=mask, country=country, regions=tuple(names), label=label)


def key_figure_row_counts(rows: pd.DataFrame, specs: dict, catalog: Catalog) -> dict[str, int]:
    """Rows matching each key figure (activity name or indicator, normalized 'contains')."""
    import dataclasses

    frame = rows.assign(activity_key=normalize_series(rows["activity_name"]))
    adapted = dataclasses.replace(catalog, key_figures=key_figures_from(specs))
    return {k: int(m.sum()) for k, m in key_figure_masks(frame, adapted).items()}


# --- mdrm init ------------------------------------------------------------------------------------

@dataclass
class InitResult:
    folder: Path
    files: list[Path]
    region: str
    months: list[str]
    counts: dict[str, int]  # key figure id -> rows of the region it matches
    rows: int


# What a YAML reader refuses even inside quotes (DEL, C1 controls, surrogates, U+FFFE/U+FFFF) or reads as a
# line break (NEL, U+2028, U+2029): JSON writes them as they are, so they are escaped (\u007f), which YAML
# reads back as the same character.
_NOT_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _q(value) -> str:
    """A YAML scalar or flow list (JSON is YAML): quotes and accents kept as written."""
    return _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def _c(text: str) -> str:
    """Text inside a YAML comment: one line (a line break would end the comment), nothing YAML refuses."""
    return _NOT_YAML.sub("?", re.sub(r"[\x00-\x1f\x85\u2028\u2029]", " ", str(text)))


def _key_figure_comment(kf_id: str, spec: dict, count: int, region: str) -> str:
    if not spec.get("patrones") and not spec.get("indicadores"):
        return f"# sin patrones: todas las filas de {_c(region)} ({number(count)} en el archivo)"
    if count == 0:
        return (f"# NINGUNA fila de {_c(region)} coincide en el archivo: cambie los patrones "
                f"(vea «mdrm actividades») o borre esta cifra")
    return f"# {number(count)} {'fila' if count == 1 else 'filas'} de {_c(region)} en el archivo"


def region_yaml(*, data_rel: str, sheet: str | None, country_label: str | None, region: str,
                columns: dict[str, str], level: str, has_admin2: bool, specs: dict, counts: dict[str, int],
                source_name: str, rows: int, months: list[str], regions: tuple[str, ...] | None = None,
                rmrp_share: float = 0.0, subgroups: list[tuple[str, str, list[str], int]] | None = None,
                admin2: tuple[str, str] = ("provincia", "provincias")) -> str:
    """The text of a new Mesa's region.yml (comments in Spanish for the IMO who edits it).

    `region` is what the texts call the Mesa's area; `regions` the admin1s as written in the
    file (None: `region` itself; (): the whole country, `region: null`). `rmrp_share`: the share of the
    region's people on rows marked RMRP "No" (`rmrp_no_share`): more than half writes `solo_rmrp: false`.
    `subgroups`: (id, name, sector names, rows of the region) of the grouping written for the IMO to edit."""
    today = dt.date.today().isoformat()
    span = month_label(months[0]) + (f" a {month_label(months[-1])}" if len(months) > 1 else "")
    level_note = (f"el 5W trae {admin2[1]} (Admin2): máximo por {admin2[0]}" if has_admin2 else
                  "el 5W de la región no trae Admin2: máximo por región (Admin1)")
    if regions is not None and len(regions) != 1:
        level_note = "regla de R4V para varias regiones o el país: suma sobre las regiones del máximo de cada una"
    region_value = (_q(region) if regions is None else "null   # todo el país (reporte nacional)" if not regions
                    else _q(regions[0]) if len(regions) == 1 else _q(list(regions)))
    lines = [
        f"# Parámetros de la Mesa de {_c(region)}, escritos por «mdrm init» el {today} a partir de",
        f"# {_c(source_name)} ({number(rows)} filas de {_c(region)}, {span}).",
        "# Cada archivo AAAA-MM.yml de esta carpeta los hereda (gana el archivo del mes).",
        "# Revise y complete: `mesa:` (nombre, sigla y plataforma de la Mesa: títulos, notas y pie de los",
        "# reportes), `definiciones:` (p. ej. la comunidad de acogida del lugar), `cifras_clave:` (las",
        "# actividades de la Mesa: «mdrm actividades --params <un mes>.yml» lista sus nombres), `subgrupos:`",
        "# (cómo se organiza la Mesa: por defecto un subgrupo por sector de R4V) y",
        "# `organizaciones:` (registro de miembros, opcional). Luego: mdrm batch --params-dir <esta carpeta>",
        f"datos: {_q(data_rel)}",
        f"hoja: {_q(sheet) if sheet else 'null'}",
        f"pais: {_q(country_label) if country_label else 'null'}",
        f"region: {region_value}",
        "organizaciones: null          # registro de miembros (CSV: organizacion, tipo, subgrupos), opcional",
        "base_personas: mensual        # mensual (Total beneficiarios mensuales) o nuevos",
        f"deduplicacion: {{metodo: maximo, nivel: {level}}}   # {level_note}",
    ]
    if rmrp_share > RMRP_MAJORITY:
        lines += [
            f"solo_rmrp: false              # el {percent(rmrp_share)} de las personas de {region} en el archivo está en",
            "                              # filas con «Actividad RMRP = No»: con «true» (solo actividades RMRP)",
            "                              # quedarían fuera; R4V las contó en 2021",
        ]
    else:
        lines.append("# solo_rmrp: false            # cuenta también las filas con «Actividad RMRP = No» (como R4V en 2021)")
    lines += [
        "# indicadores: lista.xlsx      # la lista de indicadores de R4V (sector, indicador, tipo): solo los de",
        "#                              # personas en necesidad cuentan personas; sin ella (ni columna de tipo",
        "#                              # en el 5W), los reportes avisan (W09) que se cuentan todos",
        "# tipos_personas: [Pin, Direct Assistance]   # los tipos que cuentan personas (2021: Pin; 2022+: Direct Assistance)",
    ]
    if columns:
        lines.append("columnas:                     # encabezados del archivo que no son los de R4V -> campo")
        lines += [f"  {_q(header)}: {name}" for header, name in columns.items()]
    else:
        lines.append("columnas: {}                  # el archivo usa encabezados de R4V")
    lines += [
        "mesa:                         # complete: quién publica los reportes",
        f"  nombre: {_q('Mesa de ' + region)}",
        "  sigla: \"\"",
        "  plataforma: \"\"              # p. ej. GTRM, GIFMM",
        "definiciones: {}              # p. ej. {acogida: \"Es la comunidad ... que alberga a los refugiados y migrantes.\"}",
        "# Cifras clave: las del kit (mdrm/definitions/cifras_clave.yml). `patrones`: fragmentos del nombre de",
        "# la actividad; `indicadores`: del indicador (sin tildes ni mayúsculas). Con el número de filas de",
        f"# {_c(region)} que cada una encuentra en el archivo (todos los meses).",
        "cifras_clave:",
    ]
    for kf_id, spec in specs.items():
        lines.append(f"  {kf_id}:   {_key_figure_comment(kf_id, spec, counts[kf_id], region)}")
        lines.append(f"    etiqueta: {_q(spec['etiqueta'])}")
        lines.append(f"    valor: {spec['valor']}")
        lines.append(f"    patrones: {_q(list(spec.get('patrones') or []))}")
        if spec.get("indicadores"):
            lines.append(f"    indicadores: {_q(list(spec['indicadores']))}")
    if subgroups:
        lines += [
            "# Subgrupos de la Mesa: los de los reportes y el tablero. Por defecto, uno por sector de R4V; una",
            "# Mesa que se organiza de otra manera los reúne (p. ej. «Necesidades básicas»: Alojamiento,",
            "# Seguridad Alimentaria, ...), los renombra y escribe su descripción (pie del tablero). `sectores`:",
            "# nombres de sectores de R4V (en español o inglés); cada sector en un solo subgrupo. Con el número",
            f"# de filas de {region} de sus sectores en el archivo.",
            "subgrupos:",
        ]
        for sg_id, label, sector_names, count in subgroups:
            lines.append(f"  {sg_id}:   # {number(count)} {'fila' if count == 1 else 'filas'} de {region} en el archivo")
            lines.append(f"    nombre: {_q(label)}")
            lines.append("    descripcion: \"\"")
            lines.append(f"    sectores: {_q(sector_names)}")
    return "\n".join(lines) + "\n"


def month_yaml(month: str, region: str) -> str:
    """A month file: only `mes` (no `destacados: []`, which would hide the highlights of region.yml)."""
    return (f"# Reporte de {_c(region)}, {month_label(month)}; hereda region.yml.\n"
            f"mes: {_q(month)}\n"
            "# destacados:                 # los destacados del mes, escritos por el/la IMO; sin ellos,\n"
            "#   - \"...\"                  # los de region.yml (si los tiene)\n")


def region_names(values: str | list[str] | None, fivew: FiveW) -> list[str]:
    """`--region` values -> admin1 names; [] = the whole country.

    Each value is an admin1, or several separated by commas («Lima, Callao»); a value that is
    itself an admin1 of the file is kept whole (a name with a comma). Blank or «null» = the country.
    """
    values = [values] if isinstance(values, str) or values is None else list(values)
    known = set(normalize_series(fivew.data["admin1"].drop_duplicates()).astype(str))
    names: list[str] = []
    for value in values:
        value = (value or "").strip()
        if not value or value.lower() in ("null", "~"):
            continue
        parts = [value] if normalize(value) in known else [p.strip() for p in value.split(",")]
        names += [p for p in parts if p and normalize(p) not in {normalize(n) for n in names}]
    return names


def _mesa_rows(data: Path, country: str | None, region, sheet: str | None, mappings: dict[str, str],
               catalog: Catalog) -> tuple[FiveW, Scope, pd.DataFrame, list[str]]:
    """The export read, the Mesa's scope, its rows and its months (errors as `mdrm init` tells them)."""
    try:
        fivew = read_safely(read_5w, data, sheet, mappings, catalog)  # a reader's crash: exit 2 naming the file
    except InputError as exc:
        if "columnas:" in (exc.hint or ""):
            exc.hint += ". Con mdrm init: --columna \"ENCABEZADO=campo\""
        raise
    names = region_names(region, fivew)
    if not names and not country:
        raise InputError("sin --region (todo el país) hace falta --pais",
                         hint="Indique el país del reporte nacional, p. ej. --pais Perú")
    scope = find_scope(fivew, country, names, catalog)
    fivew.check_cells(scope.mask)
    rows = fivew.data[scope.mask]
    months = sorted(rows["month"].dropna().astype(str).unique())
    if not months:
        raise InputError(f"las filas de «{scope.label}» no tienen mes", file=fivew.source.path,
                         column=fivew.source.headers.get("month"))
    return fivew, scope, rows, months


def init_mesa(data: str | Path, country: str | None, region, folder: str | Path, *, sheet: str | None = None,
              columns: list[str] | None = None) -> InitResult:
    """Write DIR/region.yml and one DIR/YYYY-MM.yml per month of the Mesa; never overwrites.

    `region`: an admin1, a list, «Lima, Callao», or None/"" for the whole `country`."""
    catalog = load_catalog()
    data, folder = Path(data), Path(folder)
    mappings = parse_columns(columns, catalog)
    fivew, scope, rows, months = _mesa_rows(data, country, region, sheet, mappings, catalog)
    name = scope.regions[0] if len(scope.regions) == 1 else _area_label(scope, catalog)
    specs = packaged_key_figure_specs()
    counts = key_figure_row_counts(rows, specs, catalog)
    used = {h: f for h, f in mappings.items() if fivew.source.headers.get(f) is not None
            and normalize(fivew.source.headers[f]) == normalize(h)}
    has_admin2 = bool(rows["admin2"].notna().any())
    subgroup_rows = subgroup_row_counts(rows, catalog)
    subgroups = [(sg_id, spec["nombre"], [catalog.sectors[s].label for s in spec["sectores"]], subgroup_rows[sg_id])
                 for sg_id, spec in packaged_subgroup_specs().items()]
    texts = {folder / REGION_FILE: region_yaml(
        data_rel=os.path.relpath(data.resolve(), folder.resolve()), sheet=fivew.source.sheet if sheet else None,
        country_label=catalog.country_label(scope.country) if scope.country else None, region=name,
        columns=used, level="admin2" if has_admin2 and len(scope.regions) == 1 else "admin1", has_admin2=has_admin2, specs=specs,
        counts=counts, source_name=data.name, rows=len(rows), months=months, regions=scope.regions,
        rmrp_share=rmrp_no_share(rows, catalog), subgroups=subgroups,
        admin2=(catalog.admin2_label(scope.country), catalog.admin2_label(scope.country, True)))}
    texts.update({folder / f"{m}.yml": month_yaml(m, name) for m in months})
    existing = [p for p in texts if p.exists()]
    if existing:
        more = f" (y {len(existing) - 1} más)" if len(existing) > 1 else ""
        raise InputError(f"ya existe el archivo{more}: mdrm init no sobrescribe; no se escribió nada",
                         file=existing[0], hint="Use otra carpeta (--dir) o borre los archivos de esa carpeta")
    for path, text in texts.items():
        write_atomic(path, text)
    return InitResult(folder, list(texts), name, months, counts, len(rows))


RMRP_MAJORITY = 0.5  # init writes `solo_rmrp: false` when the RMRP mark would leave out more than this share


def rmrp_no_share(rows: pd.DataFrame, catalog: Catalog) -> float:
    """Share of the people (Σ total monthly, every month) that the RMRP "No" mark leaves out of the rows
    that would count (`solo_rmrp: true`, the default)."""
    classified = classify(rows, catalog)
    left_out = classified.loc[classified["rmrp_excluded"], "total_monthly"].sum()
    counted = classified.loc[classified["counted"], "total_monthly"].sum()
    return float(left_out / (left_out + counted)) if left_out + counted > 0 else 0.0


def _area_label(scope: Scope, catalog: Catalog) -> str:
    """What the params call several admin1s or the country (`params._regions`: «Lima y Callao», «Perú»)."""
    from babel.lists import format_list

    if scope.regions:
        return format_list(list(scope.regions), locale="es")
    return catalog.country_label(scope.country)


@dataclass
class AddResult:
    folder: Path
    added: list[str]     # months written now
    existing: list[str]  # months of the export that already had their file
    region: str


def add_months(folder: str | Path) -> AddResult:
    """`mdrm init --agregar`: the month files the export of DIR/region.yml now has; existing files untouched."""
    from .params import _check_keys, _read_yaml, _resolve

    folder = Path(folder)
    region_file = folder / REGION_FILE
    if not region_file.is_file():
        raise InputError("no existe region.yml en la carpeta: --agregar completa una carpeta hecha por «mdrm init»",
                         file=region_file, hint="Para una Mesa nueva: mdrm init --datos ... --pais ... --dir ...")
    content = _read_yaml(region_file)
    _check_keys(content, region_file)
    if not content.get("datos"):
        raise InputError("falta la clave obligatoria «datos»", file=region_file)
    catalog = load_catalog()
    data = _resolve(content["datos"], folder, "datos", region_file)
    mappings = {str(k): str(v) for k, v in (content.get("columnas") or {}).items()}
    country = content.get("pais") or None
    region = content.get("region")
    if isinstance(region, list) and not region:
        region = None
    _, scope, _, months = _mesa_rows(data, country, region, content.get("hoja"), mappings, catalog)
    name = scope.regions[0] if len(scope.regions) == 1 else _area_label(scope, catalog)
    existing = [m for m in months if (folder / f"{m}.yml").exists()]
    added = [m for m in months if m not in existing]
    for month in added:
        write_atomic(folder / f"{month}.yml", month_yaml(month, name))
    return AddResult(folder, added, existing, name)


def add_summary(result: AddResult) -> str:
    n = len(result.added)
    if not n:
        have = "el mes" if len(result.existing) == 1 else f"los {number(len(result.existing))} meses"
        return f"Nada que agregar en {result.folder}: {have} de {result.region} en el 5W ya tienen su archivo."
    return (f"Agregado en {result.folder}: {n} {'mes' if n == 1 else 'meses'} ({', '.join(result.added)}); "
            f"{number(len(result.existing))} ya {'tenía' if len(result.existing) == 1 else 'tenían'} su archivo "
            f"y no se {'tocó' if len(result.existing) == 1 else 'tocaron'}.\n"
            f"Ejecute: mdrm batch --params-dir {result.folder}")


def init_summary(result: InitResult) -> str:
    months = result.months
    lines = [f"Escrito en {result.folder}: region.yml y {len(months)} "
             f"{'mes' if len(months) == 1 else 'meses'} ({', '.join(months)}), "
             f"{number(result.rows)} filas de {result.region}."]
    zero = [k for k, n in result.counts.items() if n == 0]
    lines.append("Cifras clave del kit y filas que encuentran: "
                 + ", ".join(f"{k} {number(n)}" for k, n in result.counts.items()) + ".")
    if zero:
        lines.append(f"Sin ninguna fila: {', '.join(zero)}: cambie sus patrones en region.yml o bórrelas "
                     f"(«mdrm actividades --params {result.folder / (months[0] + '.yml')}» lista las actividades).")
    lines.append(f"Complete `mesa:` en region.yml y ejecute: mdrm batch --params-dir {result.folder}")
    return "\n".join(lines)


# --- mdrm actividades -----------------------------------------------------------------------------

def _month_file_for(path: Path) -> Path:
    """A region.yml alone has no `mes`: use the newest month file of its folder."""
    if path.name != REGION_FILE or not path.is_file():
        return path
    from .params import _read_yaml  # the params' own reading: a YAML error is an InputError naming the line

    if _read_yaml(path).get("mes"):
        return path
    from .months import MONTH_FILE

    months = sorted(p for p in path.parent.glob("*.yml") if MONTH_FILE.match(p.name))  # not a period's file
    if not months:
        raise InputError("region.yml no tiene «mes» y su carpeta no tiene archivos de mes (AAAA-MM.yml)", file=path)
    return months[-1]


def activities(params_path: str | Path) -> tuple[str, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """(region, activities, indicators, key figure row counts) of the params' region, all months.

    Activities and indicators are grouped normalized and shown as first written,
    with their rows, most frequent first (ties alphabetical); each activity
    lists the Mesa's key figures it feeds.
    """
    from .params import load_params

    params = load_params(_month_file_for(Path(params_path)))
    catalog = params.adapt(load_catalog())
    fivew = read_safely(read_5w, params.data_path, params.sheet, params.columns, catalog)
    country = catalog.country_label(params.country) if params.country else None
    scope = find_scope(fivew, country, list(params.regions), catalog)
    rows = fivew.data[scope.mask]
    frame = rows.assign(activity_key=normalize_series(rows["activity_name"]))
    masks = key_figure_masks(frame, catalog)
    specs = {k: m for k, m in masks.items() if catalog.key_figures[k].patterns or catalog.key_figures[k].indicator_patterns}

    def table(column: str, label: str, with_kf: bool) -> pd.DataFrame:
        key = normalize_series(rows[column]).astype(str)
        keep = key != ""
        grouped = rows[keep].groupby(key[keep].to_numpy(), sort=False)
        out = pd.DataFrame({label: grouped[column].first().astype(str), "Filas": grouped.size()})
        if with_kf:
            feeds = {k: m[keep].groupby(key[keep].to_numpy(), sort=False).any() for k, m in specs.items()}
            out["Cifras clave"] = [", ".join(k for k in specs if feeds[k][i]) for i in out.index]
        out = out.assign(_k=[normalize(v) for v in out[label]]).sort_values(["Filas", "_k"], ascending=[False, True])
        return out.drop(columns="_k").reset_index(drop=True)

    counts = {k: int(m.sum()) for k, m in masks.items()}
    return scope.label, table("activity_name", "Actividad", True), table("indicator", "Indicador", False), counts


def activities_text(params_path: str | Path) -> str:
    region, acts, inds, counts = activities(params_path)
    lines = [f"Actividades de {region} (todos los meses del archivo), de la más frecuente a la menos:",
             f"{'filas':>7}  actividad  [cifras clave que alimenta]"]
    lines += [f"{number(r.Filas):>7}  {r.Actividad}" + (f"  [{r[3]}]" if r[3] else "")
              for r in acts.itertuples()] or ["  (ninguna)"]
    lines += ["", f"Indicadores de {region}:", f"{'filas':>7}  indicador"]
    lines += [f"{number(r.Filas):>7}  {r.Indicador}" for r in inds.itertuples()] or [
        "  (ninguno: el archivo no trae la columna Indicador o está vacía)"]
    lines += ["", "Filas que encuentra cada cifra clave de los parámetros:"]
    lines += [f"{number(n):>7}  {k}" + ("  ← ninguna fila: revise sus patrones" if n == 0 else "")
              for k, n in counts.items()]
    return "\n".join(lines) + "\n"
