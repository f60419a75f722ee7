"""The region's index page (`<out>/<params folder>/index.html`): every month on disk, newest first,
with its headline, its warnings and links to its files, and the change log of republished months
(`cambios.json`, mdrm.changes). Written by `report` and `batch` alike.

The page is the Jinja2 template `templates/index/index.html.j2` (`mdrm.templating`, autoescape on) with
the theme's CSS."""
from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

from . import theme
from .iorw import write_atomic
from .months import MONTH
from .formatting import period_title
from .periods import is_period, kind_words
from .templating import environment


def _month_entries(region_dir: Path) -> list[tuple[str, dict | None, Path]]:
    entries = []
    for folder in sorted(region_dir.iterdir(), reverse=True) if region_dir.is_dir() else ():
        if not (folder.is_dir() and (MONTH.match(folder.name) or is_period(folder.name))):  # a month or a period
            continue
        metrics = None
        try:
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        entries.append((folder.name, metrics, folder))
    return entries


INDEX_LINKS = (
    ("situacion.html", "Reporte de situación"),
    ("destacados.html", "Destacados"),
    ("tablero.pdf", "Tablero (PDF)"),
    ("tablero.png", "Tablero (imagen)"),
    ("tablas.xlsx", "Tablas (Excel)"),
    ("metrics.json", "Cifras (JSON)"),
)


def index_html(region_dir: Path) -> str:
    """The region's index page: one row per month on disk, newest first. Self-contained."""
    from . import __version__
    from .formatting import month_label, number

    entries = _month_entries(region_dir)
    region = next((m.get("region") for _, m, _ in entries if m and m.get("region")), region_dir.name)
    months = []
    for month, metrics, folder in entries:
        metrics = metrics or {}
        warnings = metrics.get("warnings") or []
        months.append({
            "label": period_title(month) if is_period(month) else month_label(month),
            "sample": bool(metrics.get("sample")),
            "people": number(metrics.get("people_reached", {}).get("total")),
            "warnings": len(warnings),
            "codes": ", ".join(w.get("code", "") for w in warnings),
            "links": [{"href": f"{month}/{name}", "label": label}
                      for name, label in INDEX_LINKS if (folder / name).is_file()],
        })
    column, what = kind_words(month for month, _, _ in entries)  # «Mes», «Periodo» or «Mes o periodo»
    return environment().get_template("index/index.html.j2").render(
        title=f"{region} — reportes de situación", publisher=_index_publisher(entries, region),
        column=column, what=what, monthly=what == "meses",
        version=__version__, months=months, samples=sum(m["sample"] for m in months),
        changes=_change_log(region_dir), theme_css=Markup(theme.css()))


def _change_log(region_dir: Path) -> list[dict]:
    """The republished months (mdrm.changes, cambios.json), newest first, as the page shows them."""
    from .changes import read_log
    from .formatting import month_label, number

    def shown(value) -> str:
        return "—" if value is None else number(value) if isinstance(value, (int, float)) else str(value)

    out = []
    for entry in reversed(read_log(region_dir)):
        month = str(entry.get("month") or "")
        source = ""
        if entry.get("source_before") and entry.get("source_after") != entry.get("source_before"):
            source = f"datos: {entry['source_before']} → {entry.get('source_after')}"
        out.append({
            "month": month_label(month) if MONTH.match(month) else period_title(month) if is_period(month) else month,
            "date": str(entry.get("date") or "").replace("T", " "),
            "previous_date": str(entry.get("previous_date") or ""),
            "source": source,
            "changes": [{"figure": str(c.get("figure")), "before": shown(c.get("before")),
                         "after": shown(c.get("after"))} for c in entry.get("changes") or [] if isinstance(c, dict)],
        })
    return out


def _index_publisher(entries: list, region: str) -> str:
    """The Mesa of the newest month that records one (metrics.json `mesa`), else 'Mesa de <region>'."""
    from .identity import full_name, mesa_of
    from .params import Mesa

    for _, metrics, _ in entries:
        if metrics and isinstance(metrics.get("mesa"), dict) and metrics["mesa"].get("nombre"):
            return full_name(mesa_of(metrics))
    return full_name(Mesa(nombre=f"Mesa de {region}"))


def refresh_index(region_dir: str | Path) -> Path:
    """(Re)write `<region>/index.html` from the months on disk (atomically)."""
    region_dir = Path(region_dir)
    path = region_dir / "index.html"
    write_atomic(path, index_html(region_dir))
    return path
