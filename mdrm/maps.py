"""People reached by province (admin2) as a choropleth, drawn with matplotlib from GeoJSON.

Boundaries (no GIS stack: the GeoJSON rings become matplotlib paths):

- Peru: the INEI provinces shipped in `mdrm/geo/peru/` (MPL-2.0, with their
  LICENSE and provenance), a simplified copy of INEI's boundaries (mdrm/geo/peru/README.md) made by
  `simplify_geojson`. Used when the report is Peru's (params `pais`, else the
  5W's country column) and its region names Peruvian departments: the map
  shows the provinces of those departments (all of Peru otherwise).
- Anywhere else: params `limites: FILE.geojson` and `limites_nombre: PROPERTY`
  (the feature property holding the province name). Without them there is no
  map and the report says so in one line.

Names are matched normalized (`mdrm.text.normalize`: "Jorge Basadre" =
"JORGE BASADRE"). The figures are those of "Por provincia"
(`mdrm.metrics.headline_by_province` at admin2, also in a national or
multi-region report, whose table shows admin1s); a province of the 5W that matches no polygon, and
«(sin dato)», is listed under the map with its people, never dropped.

A month without admin2 has no map (and the report no admin2 section, `scope.shows_areas`); a map
shows only the units with people (no polygon labelled 0): when no unit of the 5W matches a
polygon, the report lists them in one line instead of a map of zeros. The level is named as the
country names it («Personas alcanzadas por municipio», `scope.admin2_label`).
"""
from __future__ import annotations

import base64
import io
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, PowerNorm, to_hex
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from . import formatting as fmt
from . import theme
from .catalog import SIN_DATO
from .errors import InputError
from .templating import render
from .text import normalize

PERU_FILE = "peru_provincial_simple.geojson"
PERU_NAME = "NOMBPROV"
PERU_ADMIN1 = "FIRST_NOMB"
PERU_SOURCE = "límites provinciales del INEI (2007), licencia MPL-2.0"
# Light to the house accent: more people, darker.
COLORMAP = LinearSegmentedColormap.from_list(
    "mdrm_personas", [theme.color("map-low"), theme.color("map-mid"), theme.color("accent")])
EMPTY_COLOR = theme.color("empty")  # a polygon with no people in the month
EDGE_COLOR = theme.color("on-accent")
LABEL_LIMIT = 25  # province names written on the map up to this many polygons
NO_MAP_NOTE = ("Sin mapa por {one}: para dibujarlo, indique en los parámetros «limites:» (archivo GeoJSON "
               "con un polígono por {one}) y «limites_nombre:» (la propiedad con el nombre de cada {one}).")
NO_MATCH_NOTE = "Sin mapa: ningún {one} del 5W con personas corresponde a un polígono de los límites."


@dataclass
class Area:
    """One polygon feature: its name as written in the boundaries, its key and its rings."""

    name: str
    key: str
    rings: list[np.ndarray]  # closed rings, (n, 2) lon/lat
    admin1: str = ""

    def path(self) -> MplPath:
        return MplPath.make_compound_path(*(MplPath(r, closed=True) for r in self.rings))

    def anchor(self) -> tuple[float, float]:
        """Centre of the largest ring's bounding box (where the name is written)."""
        ring = max(self.rings, key=lambda r: _area(r))
        return float((ring[:, 0].min() + ring[:, 0].max()) / 2), float((ring[:, 1].min() + ring[:, 1].max()) / 2)


@dataclass
class Boundaries:
    areas: list[Area]
    source: str


@dataclass
class MapData:
    """What the map shows: the areas, people per area key, and the 5W provinces with no polygon."""

    boundaries: Boundaries
    people: dict[str, int]                       # area key -> people
    unmatched: list[tuple[str, int]] = field(default_factory=list)  # (5W name, people)
    title: str = ""
    area: tuple[str, str] = ("provincia", "provincias")  # the admin2 level as the country names it

    def colour(self, key: str) -> str:
        value = self.people.get(key, 0)
        if not value:
            return EMPTY_COLOR
        return to_hex(COLORMAP(self.norm(value)))

    @property
    def norm(self) -> PowerNorm:
        # square-root scale: one large province does not wash out the others
        return PowerNorm(0.5, vmin=0, vmax=max([1, *self.people.values()]))


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2


# --------------------------------------------------------------------------- reading GeoJSON

def _polygons(geometry: dict) -> list:
    kind = (geometry or {}).get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def areas_of(collection: dict, name_property: str, admin1_property: str | None = None,
             source: str | Path | None = None) -> list[Area]:
    """The polygon features of a GeoJSON FeatureCollection as Areas (InputError when unusable)."""
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise InputError("el archivo de límites no es un GeoJSON FeatureCollection", file=source,
                         column="limites")
    areas = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        if name_property not in props:
            raise InputError(f"el elemento {number} del archivo de límites no tiene la propiedad «{name_property}»",
                             file=source, column="limites_nombre", value=name_property,
                             hint="Propiedades del primer elemento: " + ", ".join(map(str, props)))
        rings = [np.asarray(ring, dtype=float)[:, :2] for polygon in _polygons(feature.get("geometry"))
                 for ring in polygon if len(ring) >= 3]
        if rings:
            name = str(props[name_property])
            areas.append(Area(name, normalize(name), rings,
                              normalize(props.get(admin1_property, "")) if admin1_property else ""))
    if not areas:
        raise InputError("el archivo de límites no tiene polígonos", file=source, column="limites")
    return areas


def read_geojson(path: str | Path, name_property: str) -> Boundaries:
    """A GeoJSON file given in params (`limites`, `limites_nombre`)."""
    path = Path(path)
    try:
        collection = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InputError(f"no se puede leer el archivo de límites ({exc})", file=path, column="limites") from exc
    return Boundaries(areas_of(collection, name_property, source=path), path.name)


@lru_cache(maxsize=1)
def peru_provinces() -> Boundaries:
    """The INEI provinces of Peru shipped with the kit."""
    text = resources.files("mdrm").joinpath("geo", "peru", PERU_FILE).read_text(encoding="utf-8")
    return Boundaries(areas_of(json.loads(text), PERU_NAME, PERU_ADMIN1), PERU_SOURCE)


def simplify_geojson(source: str | Path, target: str | Path, keep: tuple[str, ...] = (PERU_NAME, PERU_ADMIN1,
                                                                                        "FIRST_IDPR"),
                     decimals: int = 3) -> None:
    """The shipped copy: coordinates rounded to `decimals` (0.001° ≈ 110 m), repeated points dropped,
    only the `keep` properties (how mdrm/geo/peru/ was made from INEI's original files)."""
    collection = json.loads(Path(source).read_text(encoding="utf-8"))

    def ring(points):
        out = []
        for x, y, *_ in points:
            point = [round(x, decimals), round(y, decimals)]
            if not out or out[-1] != point:
                out.append(point)
        if out and out[0] != out[-1]:
            out.append(out[0])
        return out if len(out) >= 4 else None

    features = []
    for feature in collection["features"]:
        polygons = []
        for polygon in _polygons(feature["geometry"]):
            rings = [ring(r) for r in polygon]
            if rings and rings[0] is not None:
                polygons.append([r for r in rings if r])
        geometry = ({"type": "Polygon", "coordinates": polygons[0]} if len(polygons) == 1
                    else {"type": "MultiPolygon", "coordinates": polygons})
        props = feature.get("properties") or {}
        features.append({"type": "Feature", "properties": {k: props.get(k) for k in keep}, "geometry": geometry})
    Path(target).write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                                       separators=(",", ":")), encoding="utf-8")


# --------------------------------------------------------------------------- which boundaries, which figures

def _regions(params) -> list[str]:
    """The report's admin1 names (one, a list, or none for a whole country)."""
    if getattr(params, "regions", None) is not None:
        return [str(r) for r in params.regions]
    region = getattr(params, "region", None)
    if region is None:
        return []
    return [str(r) for r in region] if isinstance(region, (list, tuple)) else [str(region)]


def is_peru(view) -> bool:
    """Params `pais` when given; else the 5W's country column (blank: the region's names decide)."""
    country = getattr(view.params, "country", None) or getattr(view.params, "pais", None)
    if country:
        return normalize(country) == "peru"
    rows = view.data.rows
    countries = {normalize(c) for c in rows["country"].dropna().unique()} - {""} if "country" in rows else set()
    if countries:
        return countries == {"peru"}
    departments = {a.admin1 for a in peru_provinces().areas}
    return bool(_regions(view.params)) and all(normalize(r) in departments for r in _regions(view.params))


def boundaries_for(view) -> Boundaries | None:
    """The boundaries of the report's map, or None (no map: `NO_MAP_NOTE`)."""
    params = view.params
    path = getattr(params, "boundaries_path", None)
    if path is not None:
        return read_geojson(path, params.boundaries_name)
    if not is_peru(view):
        return None
    peru = peru_provinces()
    wanted = {normalize(r) for r in _regions(params)}
    chosen = [a for a in peru.areas if a.admin1 in wanted]
    if wanted and chosen and {a.admin1 for a in chosen} == wanted:
        return Boundaries(chosen, peru.source)
    return peru  # a national report, or a region name INEI does not use: the whole country


def one_peruvian_admin1(view) -> bool:
    """A Mesa of one Peruvian department (the one-pager carries the map then)."""
    regions = _regions(view.params)
    if len(regions) != 1 or getattr(view.params, "boundaries_path", None) is not None or not is_peru(view):
        return False
    return normalize(regions[0]) in {a.admin1 for a in peru_provinces().areas}


def map_data(view, boundaries: Boundaries | None = None) -> MapData | None:
    """People per polygon from the "Por provincia" figures, and the provinces left without a polygon."""
    from .metrics import headline_by_province

    from .scope import month_has_admin2

    if not month_has_admin2(view):
        return None  # no admin2 in the month: no map at all
    boundaries = boundaries or boundaries_for(view)
    if boundaries is None:
        return None
    table, _ = headline_by_province(view.data, area="admin2")  # provinces, whatever the report's table shows
    known = {a.key for a in boundaries.areas}
    people: dict[str, int] = {}
    unmatched: list[tuple[str, int]] = []
    for name, total in zip(table.index, table.sum(axis=1)):
        key = normalize(name)
        if key in known and name != SIN_DATO:
            if int(total):
                people[key] = people.get(key, 0) + int(total)
        elif int(total):
            unmatched.append((str(name), int(total)))
    area = _area_names(view)
    title = f"Personas alcanzadas por {area[0]} — {fmt.when_label(view.metrics)}"
    return MapData(boundaries, people, unmatched, title, area)


def _area_names(view) -> tuple[str, str]:
    from .scope import admin2_label

    return admin2_label(view.params), admin2_label(view.params, plural=True)


def no_map_note(view) -> str:
    """Why a month with admin2 has no map: no boundaries for its country."""
    return NO_MAP_NOTE.format(one=_area_names(view)[0])


# --------------------------------------------------------------------------- drawing

def draw(ax, data: MapData, fontsize: float = 8.0, labels: bool | None = None, colorbar: bool = True) -> None:
    """The choropleth on `ax`: one patch per polygon (gid "provincia:<name>"), names and people on it."""
    areas = data.boundaries.areas
    for area in areas:
        ax.add_patch(PathPatch(area.path(), facecolor=data.colour(area.key), edgecolor=EDGE_COLOR, linewidth=0.6,
                               gid=f"provincia:{area.name}"))
    points = np.vstack([r for a in areas for r in a.rings])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    pad_x, pad_y = (x1 - x0) * 0.03 or 0.1, (y1 - y0) * 0.03 or 0.1
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_aspect(1 / max(math.cos(math.radians((y0 + y1) / 2)), 0.1))  # degrees as kilometres at this latitude
    ax.set_axis_off()
    if labels is None:
        labels = len(areas) <= LABEL_LIMIT
    if labels:
        top = data.norm.vmax
        for area in areas:
            value = data.people.get(area.key, 0)
            if not value:
                continue  # only the units with people are named on the map
            x, y = area.anchor()
            dark = value and data.norm(value) > 0.55 and top
            ax.text(x, y, f"{area.name.title()}\n{fmt.number(value)}", ha="center", va="center",
                    fontsize=fontsize, color=theme.color("on-accent") if dark else fmt.TOTAL_COLOR, linespacing=1.1,
                    fontweight="bold", clip_on=True)
    if colorbar and data.people:
        from matplotlib.cm import ScalarMappable

        bar = ax.figure.colorbar(ScalarMappable(norm=data.norm, cmap=COLORMAP), ax=ax, shrink=0.6, pad=0.02,
                                 fraction=0.04)
        bar.ax.tick_params(labelsize=fontsize)
        bar.ax.yaxis.set_major_formatter(lambda v, _: fmt.number(v))
        bar.set_label("Personas alcanzadas", fontsize=fontsize)


def figure(view, data: MapData | None = None) -> Figure | None:
    """The report's map (a Figure not managed by pyplot), or None without boundaries."""
    from .charts import STYLE

    data = data or map_data(view)
    if data is None:
        return None
    import matplotlib

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(7.5, 5.6), dpi=110, layout="constrained")
        ax = fig.add_subplot()
        draw(ax, data, fontsize=9)
        ax.set_title(data.title)
    return fig


def unmatched_text(data: MapData) -> str:
    """'Sin polígono en el mapa: (sin dato) 61 personas; Ilo 12 personas.' ('' when all matched)."""
    if not data.unmatched:
        return ""
    return f"{data.area[1].capitalize()} del 5W sin polígono en el mapa: " + "; ".join(
        f"{name} {fmt.people(value)}" for name, value in data.unmatched) + "."


def alt_text(view, data: MapData) -> str:
    """'Mapa de personas alcanzadas por provincia — …: Tacna 2,416; …' (each polygon with people)."""
    parts = [f"{a.name.title()} {fmt.number(data.people[a.key])}"
             for a in sorted(data.boundaries.areas, key=lambda a: -data.people.get(a.key, 0))
             if data.people.get(a.key)]
    return f"Mapa de {data.title[0].lower()}{data.title[1:]}" + (f": {'; '.join(parts)}" if parts else "")


def report_html(view) -> str:
    """The map for situacion.html: an embedded PNG (alt text "Mapa …"), the unmatched provinces, the source."""
    from .scope import month_has_admin2

    if not month_has_admin2(view):
        return ""  # no admin2 in the month: no map, no note (and no admin2 section)
    data = map_data(view)
    if data is None:
        return render("map.html.j2", note=no_map_note(view))
    if not data.people:
        missing = unmatched_text(data)
        return render("map.html.j2", note=NO_MATCH_NOTE.format(one=data.area[0]) + (f" {missing}" if missing else ""))
    buffer = io.BytesIO()
    figure(view, data).savefig(buffer, format="png", dpi=110)
    return render("map.html.j2", note=None, alt=alt_text(view, data), unmatched=unmatched_text(data),
                  src="data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
                  source=data.boundaries.source, area=data.area[0])
