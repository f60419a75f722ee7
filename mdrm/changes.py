"""The change log of republished months (README.md, «Una Mesa nueva»): `<region>/cambios.json`.

A month published again with other figures (a partner corrected its rows, a new export) must
say so: the index lists what changed (figure, before → after) and when. The previous
`metrics.json` is read just before the new files replace it (`commit_logged`), so whatever
the publishing does (renames, folder swap) the comparison is between what readers saw and
what they will see. Only the figures a report shows are compared, never dates or versions.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .iorw import write_atomic

if TYPE_CHECKING:
    from .catalog import Catalog

CHANGES_FILE = "cambios.json"


def published_figures(metrics: dict, catalog: Catalog) -> dict[str, tuple[str, object]]:
    """key -> (Spanish label, value) of the figures a month's report shows."""
    def label_of(table: dict, key: str, attr: str | None = None) -> str:
        item = table.get(key)
        if item is None:
            return key
        return getattr(item, attr) if attr else (item.get("etiqueta") if isinstance(item, dict) else str(item))

    people = metrics.get("people_reached") or {}
    out: dict[str, tuple[str, object]] = {"people": ("Personas alcanzadas", people.get("total"))}
    groups = {**catalog.populations, "sin_desagregar": catalog.unsplit}
    for group, value in (people.get("by_population") or {}).items():
        out[f"people.{group}"] = (f"Personas alcanzadas: {label_of(groups, group)}", value)
    for key, value in (metrics.get("by_sex_age") or {}).items():
        out[f"sex_age.{key}"] = (f"Sexo y edad: {label_of(catalog.sex_age, key)}", value)
    for sg, figure in (metrics.get("subgroups") or {}).items():
        name = catalog.subgroups[sg].label if sg in catalog.subgroups else sg
        out[f"subgroup.{sg}"] = (f"Subgrupo «{name}»", (figure or {}).get("total"))
    for kf, value in (metrics.get("key_figures") or {}).items():
        name = catalog.key_figures[kf].label if kf in catalog.key_figures else kf
        out[f"key_figure.{kf}"] = (name, value)
    out["organizations"] = ("Organizaciones que reportan", (metrics.get("organizations") or {}).get("reporting"))
    ytd = ((metrics.get("ytd") or {}).get("people_reached") or {}).get("total")
    out["ytd"] = ("Acumulado del año (personas)", ytd)
    out["rows"] = ("Filas del 5W en el mes", (metrics.get("rows") or {}).get("read"))
    return out


def compare(previous_path: Path, metrics: dict, catalog: Catalog) -> dict | None:
    """The change-log entry of publishing `metrics` over the month's `previous_path`, or None
    (first publication, unreadable previous file, or the same figures)."""
    try:
        before = json.loads(Path(previous_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(before, dict):
        return None
    old, new = published_figures(before, catalog), published_figures(metrics, catalog)
    changes = [{"figure": (new.get(k) or old[k])[0], "before": old[k][1] if k in old else None,
                "after": new[k][1] if k in new else None}
               for k in [*new, *(k for k in old if k not in new)]
               if (old.get(k) or (None, None))[1] != (new.get(k) or (None, None))[1]]
    if not changes:
        return None
    source = lambda m: (m.get("source") or {}).get("file")  # noqa: E731
    return {"month": metrics.get("period") or metrics.get("month"), "date": dt.datetime.now().isoformat(timespec="minutes"),
            "previous_date": (before.get("generated_by") or {}).get("date"),
            "source_before": source(before), "source_after": source(metrics), "changes": changes}


def read_log(region_dir: Path) -> list[dict]:
    """The region's change log, oldest first ([] when absent or unreadable)."""
    try:
        log = json.loads((Path(region_dir) / CHANGES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in log if isinstance(e, dict)] if isinstance(log, list) else []


def append(region_dir: Path, entry: dict) -> None:
    log = read_log(region_dir) + [entry]
    write_atomic(Path(region_dir) / CHANGES_FILE, json.dumps(log, ensure_ascii=False, indent=2) + "\n")


def commit_logged(staging, names: tuple[str, ...], plan) -> None:
    """Publish a staged month (`staging.commit`) and log what changed against its previous figures."""
    entry = compare(plan.month_dir / "metrics.json", plan.metrics, plan.data.catalog)
    staging.commit(names)
    if entry is not None:
        try:
            append(plan.region_dir, entry)
        except OSError as exc:  # the month is published: the log is only a notice
            from .errors import os_error_text

            print(f"Aviso: no se pudo escribir {plan.region_dir / CHANGES_FILE} ({os_error_text(exc)})",
                  file=sys.stderr)
