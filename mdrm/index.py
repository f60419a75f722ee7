"""The region's index page (`<out>/<params folder>/index.html`): every month on disk, newest first,
with its headline, its warnings and links to its files. Written by `report` and `batch` alike."""
from __future__ import annotations

import html
import json
from pathlib import Path

from .iorw import write_atomic
from .months import MONTH


def _month_entries(region_dir: Path) -> list[tuple[str, dict | None, Path]]:
    entries = []
    for folder in sorted(region_dir.iterdir(), reverse=True) if region_dir.is_dir() else ():
        if not (folder.is_dir() and MONTH.match(folder.name)):
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
    publisher = _index_publisher(entries, region)
    e = html.escape
    rows = []
    for month, metrics, folder in entries:
        total = (metrics or {}).get("people_reached", {}).get("total")
        warnings = (metrics or {}).get("warnings") or []
        codes = ", ".join(w.get("code", "") for w in warnings)
        notice = (f'<td class="cifra" title="{e(codes)}">{len(warnings)} ({e(codes)})</td>' if warnings
                  else '<td class="cifra">0</td>')
        links = " · ".join(
            f'<a href="{e(month)}/{e(name)}">{e(label)}</a>'
            for name, label in INDEX_LINKS if (folder / name).is_file())
        sample = ' <span class="ejemplo">datos de ejemplo</span>' if (metrics or {}).get("sample") else ""
        rows.append(
            f'<tr><td class="mes">{e(month_label(month))}{sample}</td>'
            f'<td class="cifra">{e(number(total))}</td>{notice}<td>{links or "—"}</td></tr>')
    body = "\n".join(rows) or '<tr><td colspan="4">Todavía no hay reportes.</td></tr>'
    samples = sum(bool((m or {}).get("sample")) for _, m, _ in entries)
    sample_note = (f'<p class="ejemplo-nota">{samples} de {len(entries)} meses hechos con los datos de ejemplo '
                   "del kit (sintéticos, no son datos reales): marcados «datos de ejemplo».</p>"
                   if samples else "")
    title = f"{region} — reportes de situación"
    return f"""<!DOCTYPE html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mdrm {e(__version__)}">
<title>{e(title)}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #263238;
       max-width: 960px; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ color: #00467f; font-size: 1.6rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #cfd8dc; }}
th {{ background: #eceff1; }}
td.cifra, th.cifra {{ text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }}
td.mes {{ white-space: nowrap; }}
.ejemplo {{ background: #fff3cd; color: #7a5b00; border-radius: 3px; padding: 0 .35rem; font-size: .8rem;
           font-weight: 600; margin-left: .4rem; }}
a {{ color: #00467f; }}
footer {{ margin-top: 2rem; font-size: .85rem; color: #607d8b; }}
</style>
</head>
<body>
<h1>{e(title)}</h1>
<p>{e(publisher)} — reportes mensuales generados con mdrm.</p>
{sample_note}
<table>
<thead><tr><th>Mes</th><th class="cifra">Personas alcanzadas</th><th class="cifra">Avisos</th><th>Archivos</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
<footer>mdrm {e(__version__)}</footer>
</body>
</html>
"""


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
