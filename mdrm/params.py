"""The params file of a month (SPEC §6): YAML, Spanish keys, strict.

A month file inherits `region.yml` from its own folder (the month file wins,
key by key, and inside `deduplicacion` too). Relative paths are relative to the
file that wrote them. An unknown key, a wrong type or a missing file is a hard
error naming the key, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .catalog import load_catalog
from .errors import InputError
from .text import slug

BASES = ("mensual", "nuevos")
METHODS = ("maximo", "suma", "cono_sur")
LEVELS = ("admin1", "admin2")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# key -> (type description, python types)
_KEYS: dict[str, tuple[str, tuple[type, ...]]] = {
    "region": ("texto", (str,)),
    "mes": ("texto AAAA-MM", (str,)),
    "datos": ("ruta de archivo", (str,)),
    "hoja": ("texto o null", (str, type(None))),
    "organizaciones": ("ruta de archivo o null", (str, type(None))),
    "base_personas": ("mensual o nuevos", (str,)),
    "deduplicacion": ("{metodo: ..., nivel: ...}", (dict,)),
    "columnas": ("{encabezado: campo}", (dict, type(None))),
    "destacados": ("lista de textos", (list, type(None))),
    "limites": ("ruta de archivo GeoJSON o null", (str, type(None))),
    "limites_nombre": ("texto o null", (str, type(None))),
}
_REQUIRED = ("region", "mes", "datos")


@dataclass
class Params:
    region: str
    month: str  # 'YYYY-MM'
    data_path: Path
    sheet: str | None = None
    organizations_path: Path | None = None
    basis: str = "mensual"
    method: str = "maximo"
    level: str = "admin1"
    columns: dict[str, str] = field(default_factory=dict)
    highlights: list[str] = field(default_factory=list)
    source: Path | None = None
    boundaries_path: Path | None = None  # `limites`: the provinces' GeoJSON for the map (mdrm.maps)
    boundaries_name: str | None = None   # `limites_nombre`: the property holding a province's name

    @property
    def region_slug(self) -> str:
        return slug(self.region)


def _read_yaml(path: Path) -> dict:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"YAML no válido ({getattr(exc, 'problem', exc)})", file=path,
                         row=(mark.line + 1) if mark else None) from exc
    except OSError as exc:
        raise InputError(f"no se puede leer el archivo de parámetros ({exc.strerror})", file=path) from exc
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InputError("el archivo de parámetros debe ser un mapa «clave: valor»", file=path)
    return content


def _check_keys(content: dict, path: Path) -> None:
    for key, value in content.items():
        if key not in _KEYS:
            raise InputError(f"clave desconocida «{key}»", file=path,
                             hint="Claves válidas: " + ", ".join(_KEYS))
        kind, types = _KEYS[key]
        if not isinstance(value, types) or isinstance(value, bool):
            raise InputError(f"la clave «{key}» debe ser {kind}", file=path, value=value)


def _resolve(value: str | None, base: Path, key: str, path: Path) -> Path | None:
    if value is None:
        return None
    resolved = (base / value).resolve() if not Path(value).is_absolute() else Path(value)
    if not resolved.is_file():
        raise InputError(f"la clave «{key}» apunta a un archivo que no existe", file=path,
                         value=value)
    return resolved


def load_params(path: str | Path) -> Params:
    """Read a month's params file, merged over its folder's `region.yml`."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no existe el archivo de parámetros", file=path)
    own = _read_yaml(path)
    _check_keys(own, path)
    merged: dict = {}
    origin: dict[str, Path] = {}  # key -> file that set it (for relative paths and messages)
    region_file = path.parent / "region.yml"
    if region_file.is_file() and region_file.resolve() != path.resolve():
        inherited = _read_yaml(region_file)
        _check_keys(inherited, region_file)
        merged.update(inherited)
        origin.update({k: region_file for k in inherited})
    for key, value in own.items():
        if key in ("deduplicacion", "columnas") and isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
        origin[key] = path

    for key in _REQUIRED:
        if merged.get(key) in (None, ""):
            raise InputError(f"falta la clave obligatoria «{key}»", file=path)
    month = str(merged["mes"])
    if not _MONTH.match(month):
        raise InputError("la clave «mes» debe tener la forma AAAA-MM", file=origin["mes"], value=month)
    basis = merged.get("base_personas", "mensual")
    if basis not in BASES:
        raise InputError("la clave «base_personas» debe ser mensual o nuevos", file=origin["base_personas"], value=basis)
    dedup = merged.get("deduplicacion") or {}
    for key in dedup:
        if key not in ("metodo", "nivel"):
            raise InputError(f"clave desconocida «deduplicacion.{key}»", file=origin["deduplicacion"],
                             hint="Claves válidas: metodo, nivel")
    method = dedup.get("metodo", "maximo")
    level = dedup.get("nivel", "admin1")
    if method not in METHODS:
        raise InputError("la clave «deduplicacion.metodo» debe ser " + ", ".join(METHODS),
                         file=origin["deduplicacion"], value=method)
    if level not in LEVELS:
        raise InputError("la clave «deduplicacion.nivel» debe ser admin1 o admin2",
                         file=origin["deduplicacion"], value=level)
    fields = load_catalog().fields
    columns = merged.get("columnas") or {}
    for header, name in columns.items():
        if name not in fields:
            raise InputError(f"la clave «columnas» asigna «{header}» a un campo desconocido",
                             file=origin["columnas"], value=name,
                             hint="Campos: " + ", ".join(fields))
    highlights = merged.get("destacados") or []
    for item in highlights:
        if not isinstance(item, str):
            raise InputError("la clave «destacados» debe ser una lista de textos", file=origin["destacados"], value=item)
    if bool(merged.get("limites")) != bool(merged.get("limites_nombre")):
        key = "limites_nombre" if merged.get("limites") else "limites"
        raise InputError(f"falta la clave «{key}»: «limites» y «limites_nombre» van juntas",
                         file=origin.get("limites", origin.get("limites_nombre", path)))
    return Params(
        region=str(merged["region"]),
        month=month,
        data_path=_resolve(merged["datos"], origin["datos"].parent, "datos", origin["datos"]),
        sheet=merged.get("hoja"),
        organizations_path=_resolve(merged.get("organizaciones"), origin.get("organizaciones", path).parent,
                                    "organizaciones", origin.get("organizaciones", path)),
        basis=basis,
        method=method,
        level=level,
        columns={str(k): str(v) for k, v in columns.items()},
        highlights=list(highlights),
        source=path,
        boundaries_path=_resolve(merged.get("limites"), origin.get("limites", path).parent, "limites",
                                 origin.get("limites", path)),
        boundaries_name=merged.get("limites_nombre"),
    )
