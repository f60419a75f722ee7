"""The Mesa's organizations registry and the counts of organizations.

Registry: a CSV with columns `organizacion`, `tipo`, `subgrupos` (subgroup ids
or labels separated by `;`). It gives "N° organizaciones por subgrupo" for
members that report no beneficiaries (e.g. Manejo de Información).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .catalog import Catalog
from .errors import InputError
from .text import normalize, normalize_series

_COLUMNS = {"organizacion": "organization", "organization": "organization", "tipo": "type",
            "type": "type", "subgrupos": "subgroups", "subgroups": "subgroups"}


def read_registry(path: str | Path, catalog: Catalog) -> pd.DataFrame:
    """One row per member: organization, org_key, type, subgroups (list of ids)."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python",
                          encoding="utf-8-sig")
    except UnicodeDecodeError:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="cp1252")
    except Exception as exc:
        raise InputError(f"no se puede leer el registro de organizaciones ({exc})", file=path) from exc
    raw = raw.rename(columns={c: _COLUMNS.get(normalize(c), c) for c in raw.columns})
    for needed, header in (("organization", "organizacion"), ("subgroups", "subgrupos")):
        if needed not in raw.columns:
            raise InputError(f"falta la columna «{header}» en el registro de organizaciones", file=path, row=1,
                             hint="Columnas esperadas: organizacion, tipo, subgrupos")
    if "type" not in raw.columns:
        raw["type"] = ""
    lookup = {}
    for sg in catalog.subgroups.values():
        lookup[normalize(sg.id)] = sg.id
        lookup[normalize(sg.label)] = sg.id
    subgroups = []
    for position, (name, cell) in enumerate(zip(raw["organization"], raw["subgroups"]), start=2):
        if not name.strip():
            raise InputError("organización sin nombre", file=path, row=position, column="organizacion")
        ids = []
        for item in (p.strip() for p in cell.split(";")):
            if not item:
                continue
            if normalize(item) not in lookup:
                raise InputError("subgrupo desconocido en el registro de organizaciones", file=path,
                                 row=position, column="subgrupos", value=item,
                                 hint="Subgrupos: " + ", ".join(catalog.subgroups))
            ids.append(lookup[normalize(item)])
        subgroups.append(ids)
    registry = pd.DataFrame({
        "organization": raw["organization"].str.strip(),
        "type": raw["type"].str.strip(),
        "subgroups": subgroups,
    })
    registry["org_key"] = normalize_series(registry["organization"])
    return registry.drop_duplicates("org_key").reset_index(drop=True)


def reporting_count(month_rows: pd.DataFrame) -> int:
    """Distinct reporting organizations (implementing partner, else appealing org)."""
    keys = month_rows["org_key"]
    return int(keys[keys != ""].nunique())


def by_subgroup(month_rows: pd.DataFrame, registry: pd.DataFrame | None, catalog: Catalog) -> dict[str, int]:
    """Organizations per subgroup: from the registry when given, else from the rows."""
    if registry is not None:
        counts = registry["subgroups"].explode().dropna().value_counts()
    else:
        rows = month_rows[month_rows["org_key"] != ""]
        counts = rows.drop_duplicates(["subgroup", "org_key"])["subgroup"].value_counts()
    order = list(catalog.subgroups) + ["sin_subgrupo"]
    return {sg: int(counts[sg]) for sg in order if sg in counts.index and counts[sg] > 0}
