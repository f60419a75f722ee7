"""The report's words: the analyst's highlights filled from the metrics, and
the sentences the kit drafts from the figures (README.md, «Destacados con cifras»).

Everything returned here is plain text: `mdrm.html` escapes it. Numbers go
through `mdrm.formatting` ("2,953", "septiembre de 2020").

Placeholders in a highlight (params `destacados:`):

- `{kf.<key figure id>}`: a key figure, e.g. `{kf.raciones_comida}` -> "1,490";
- a dotted path into metrics.json, e.g. `{people_reached.total}`,
  `{people_reached.by_population.transito}`, `{subgroups.proteccion.total}`,
  `{organizations.reporting}`, `{ytd.people_reached.total}`;
- `{mes}` -> "septiembre de 2020", `{mes_anterior}` -> "agosto de 2020", `{region}` -> the region;
- `{mesa}` -> the Mesa's acronym (or its name), `{mesa.nombre}`, `{mesa.sigla}`, `{mesa.plataforma}`;
- `{{` and `}}` for literal braces.

Anything else (an unknown name, a path to a table instead of a figure, a
lone brace) is an `InputError` naming the placeholder and the highlight's
number. Text outside placeholders is kept verbatim ("03 jornadas").
"""
from __future__ import annotations

import re
from pathlib import Path

from . import formatting as fmt
from . import identity
from . import figure_warnings as warn
from .catalog import ADMIN2_DEFAULT, SIN_DESAGREGAR, SIN_SUBGRUPO, Catalog, load_catalog
from .errors import InputError
from .months import previous_month
from .methodology import (
    EXCLUDED_DUPLICATE, EXCLUDED_NO_PEOPLE_SUBGROUP, EXCLUDED_NOT_PEOPLE_INDICATOR, EXCLUDED_NOT_RMRP,
    EXCLUDED_UNTYPED_INDICATOR,
)

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_PATH = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")

PLACEHOLDER_HELP = (
    "Marcadores válidos: {mes}, {mes_anterior}, {region}, {mesa}, {kf.<cifra clave>} (p. ej. {kf.raciones_comida}) "
    "o una ruta de metrics.json hasta una cifra (p. ej. {people_reached.total}, "
    "{people_reached.by_population.transito}, {subgroups.proteccion.total}, {organizations.reporting}, "
    "{ytd.people_reached.total}); para una llave literal escriba {{ o }}"
)


class _Unknown(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def resolve(name: str, metrics: dict) -> str:
    """The text of one placeholder (without braces); raises _Unknown."""
    if name == "mes":
        return fmt.month_label(metrics["month"])
    if name == "mes_anterior":
        return fmt.month_label(previous_month(metrics["month"]))
    if name == "region":
        return str(metrics["region"])
    if name == "mesa":
        return identity.short_name(identity.mesa_of(metrics))
    if not _PATH.match(name):
        raise _Unknown("no es un nombre ni una ruta de metrics.json")
    parts = name.split(".")
    if parts[0] == "kf":
        if len(parts) != 2:
            raise _Unknown("use {kf.<id de cifra clave>}")
        parts = ["key_figures", parts[1]]
    value: object = metrics
    for depth, part in enumerate(parts):
        if not isinstance(value, dict) or part not in value:
            where = ".".join(parts[:depth]) or "metrics.json"
            if parts[0] == "key_figures" and isinstance(metrics.get("key_figures"), dict):
                known = ", ".join(metrics["key_figures"])
                raise _Unknown(f"no existe «{part}» en {where}; cifras clave: {known}")
            raise _Unknown(f"no existe «{part}» en {where}")
        value = value[part]
    if value is None:
        return fmt.MISSING
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise _Unknown("no es una cifra sino una tabla" if isinstance(value, (dict, list)) else "no es una cifra")
    if isinstance(value, (int, float)):
        return fmt.number(value)
    return str(value)


def placeholders(text: str) -> list[str]:
    """The placeholders of a text, as written between braces (literal `{{ }}` excluded)."""
    return [m.group(1) for m in _TOKEN.finditer(text) if m.group(1) is not None]


def fill(text: str, metrics: dict, number: int | None = None, source: str | Path | None = None) -> str:
    """Fill the placeholders of one highlight; `number` (1-based) and `source` word the error."""
    which = f"destacado {number}" if number is not None else "destacado"

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        if match.group(1) is None:
            raise InputError(f"{which}: llave «{token}» sin pareja (columna {match.start() + 1} del texto)",
                             file=source, hint=PLACEHOLDER_HELP)
        name = match.group(1).strip()
        try:
            return resolve(name, metrics)
        except _Unknown as unknown:
            raise InputError(f"{which}: marcador desconocido «{{{name}}}» ({unknown.reason})",
                             file=source, hint=PLACEHOLDER_HELP) from None

    return _TOKEN.sub(replace, text)


def fill_highlights(highlights: list[str], metrics: dict, source: str | Path | None = None) -> list[str]:
    """Every highlight of the params, filled; the first bad placeholder raises InputError."""
    return [fill(text, metrics, number, source) for number, text in enumerate(highlights or [], start=1)]


# --- sentences drafted from the figures ---------------------------------------

def join_es(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b y c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " y " + items[-1]


def change_phrase(current, previous, previous_label: str, unit: str = "") -> str:
    """'67 más que en agosto de 2020 (+2.3%)', '33 menos…', 'la misma cifra que…', or no data."""
    if previous is None:
        return f"sin datos de {previous_label} para comparar"
    diff = current - previous
    unit = f" {unit}" if unit else ""
    if diff == 0:
        return f"la misma cifra que en {previous_label}"
    rel = fmt.relative_change(current, previous)
    pct = f" ({fmt.signed_percent(rel)})" if rel is not None else ""
    word = "más" if diff > 0 else "menos"
    return f"{fmt.number(abs(diff))}{unit} {word} que en {previous_label}{pct}"


def _with_change(current, previous, previous_label: str, unit: str = "") -> str:
    """', 67 más que en agosto de 2020 (+2.3%)' or ' (no hay datos de diciembre de 2019 para comparar)'."""
    if previous is None:
        return f" (no hay datos de {previous_label} para comparar)"
    return ", " + change_phrase(current, previous, previous_label, unit)


def _group_phrase(label: str, group: str) -> str:
    return "sin desagregar por tipo de población" if group == SIN_DESAGREGAR else f"son {label}"


def draft(metrics: dict, catalog: Catalog | None = None, previous_key_figures: dict | None = None) -> list[str]:
    """Sentences the kit writes from the figures: headline and its change, population mix,
    largest subgroups, CVA in USD, year to date, organizations.

    Where a warning (docs/metodologia.md §7) makes a figure meaningless the sentence says why instead
    of drafting it: W01 (nothing counted; nor a year to date of 0), W02 (no new beneficiaries: year to date, basis
    `nuevos`), W03 (the previous month counted nothing: no change).
    """
    sentences = _draft(metrics, catalog, previous_key_figures)
    month = fmt.month_label(metrics["month"])
    prev_label = fmt.month_label(previous_month(metrics["month"]))
    if warn.is_notice(metrics, "W03"):
        why = f"(no se compara con {prev_label}: el 5W empieza en {month})"
        sentences = [s.replace(f"(no hay datos de {prev_label} para comparar)", why) for s in sentences]
    elif warn.has(metrics, "W03"):
        why = f"(no se compara con {prev_label}: ese mes no tiene filas contadas para personas en el 5W, aviso W03)"
        sentences = [s.replace(f"(no hay datos de {prev_label} para comparar)", why) for s in sentences]
    if warn.has(metrics, "W01"):
        sentences[0] = (f"En {month} ninguna fila del 5W cuenta para personas (aviso W01): no se redacta una "
                        f"cifra de personas alcanzadas.")
        if not ((metrics.get("ytd") or {}).get("people_reached") or {}).get("total"):
            # «... alcanzó a 0 personas» would contradict W01: no month of the year counted anyone
            sentences = [s for s in sentences if not s.startswith("En lo que va del año")]
    elif warn.has(metrics, "W02") and metrics.get("basis") == "nuevos":
        sentences[0] = (f"En {month} los nuevos beneficiarios son 0 en todas las filas contadas (aviso W02): no "
                        f"se redacta una cifra de personas alcanzadas sobre nuevos beneficiarios.")
    if warn.has(metrics, "W02"):
        sentences = [s for s in sentences if not s.startswith("En lo que va del año")]
        sentences.append("El acumulado del año no se redacta: los nuevos beneficiarios del mes son 0 en todas las "
                         "filas contadas (aviso W02).")
    return sentences


def _draft(metrics: dict, catalog: Catalog | None = None, previous_key_figures: dict | None = None) -> list[str]:
    catalog = catalog or load_catalog()
    month = fmt.month_label(metrics["month"])
    prev_label = fmt.month_label(previous_month(metrics["month"]))
    people = metrics["people_reached"]
    total = people["total"]
    previous = metrics.get("previous_month") or {}
    sentences = []

    mesa = identity.mesa_of(metrics)
    the_mesa = identity.the(identity.short_name(mesa), mesa)  # "la MDRM", "el GIFMM Cúcuta"
    of_mesa = identity.of(identity.short_name(mesa), mesa)  # "de la MDRM"
    headline = f"En {month}, los miembros {of_mesa} alcanzaron a {fmt.people(total)}"
    sentences.append(f"{headline}{_with_change(total, previous.get('people_reached_total'), prev_label)}.")

    if total:
        groups = sorted(((g, v) for g, v in people["by_population"].items() if v),
                        key=lambda gv: -gv[1])
        parts = []
        for position, (g, v) in enumerate(groups):
            label = catalog.population_label(g)
            verb = _group_phrase(label, g) if position == 0 or g == SIN_DESAGREGAR else label
            parts.append(f"{fmt.number(v)} ({fmt.percent(v / total)}) {verb}")
        sentences.append(f"De ellas, {join_es(parts)}.")

    subgroups = [(sg, f["total"]) for sg, f in metrics["subgroups"].items() if sg != SIN_SUBGRUPO and f["total"]]
    if subgroups:
        subgroups.sort(key=lambda t: -t[1])
        first, value = subgroups[0]
        prev_sub = (previous.get("subgroups") or {}) if previous.get("people_reached") is not None else None
        prev_value = None if prev_sub is None else prev_sub.get(first, 0)
        text = (f"El subgrupo con más personas alcanzadas fue {catalog.subgroup_label(first)}, con "
                f"{fmt.people(value)}{_with_change(value, prev_value, prev_label)}")
        others = [f"{catalog.subgroup_label(sg)} ({fmt.number(v)})" for sg, v in subgroups[1:3]]
        if others:
            text += f"; le {'sigue' if len(others) == 1 else 'siguen'} {join_es(others)}"
        sentences.append(text + ".")

    usd = metrics.get("key_figures", {}).get("usd_distribuidos")
    if usd is not None:
        if usd:
            text = (f"Los miembros {of_mesa} distribuyeron {fmt.usd(usd)} en transferencias monetarias "
                    f"(CVA) en {month}")
            if previous_key_figures is not None and previous_key_figures.get("usd_distribuidos") is not None:
                text += _with_change(usd, previous_key_figures["usd_distribuidos"], prev_label, "USD")
            sentences.append(text + ".")
        else:
            sentences.append(f"En {month} no se reportaron transferencias monetarias (CVA) en USD.")

    ytd = (metrics.get("ytd") or {}).get("people_reached")
    if ytd is not None:
        months = metrics["ytd"].get("months") or [metrics["month"]]
        sentences.append(
            f"En lo que va del año ({fmt.month_range(months[0], months[-1])}), {the_mesa} alcanzó a "
            f"{fmt.people(ytd['total'])} (suma de los nuevos beneficiarios de cada mes, sin doble conteo "
            f"dentro de cada mes).")

    orgs = metrics.get("organizations") or {}
    if orgs.get("reporting") is not None:
        n = orgs["reporting"]
        text = (f"{fmt.number(n)} {'organización reportó' if n == 1 else 'organizaciones reportaron'} "
                f"actividades en el 5W de {month}")
        if orgs.get("members") is not None:
            text += f"; {the_mesa} cuenta con {fmt.number(orgs['members'])} organizaciones miembros"
        sentences.append(text + ".")
    return sentences


# --- the methodology note ---------------------------------------------------

BASIS_TEXT = {
    "mensual": ("«Total beneficiarios mensuales» del 5W (base mensual: todas las personas atendidas en el "
                "mes, también las ya atendidas en meses anteriores)"),
    "nuevos": ("«Nuevos beneficiarios del mes» del 5W (base nuevos: solo las personas que cada actividad "
               "atiende por primera vez)"),
}
EXCLUSION_SHORT = {
    EXCLUDED_DUPLICATE: "filas duplicadas",
    EXCLUDED_NOT_RMRP: "actividades fuera del RMRP",
    EXCLUDED_NO_PEOPLE_SUBGROUP: "servicios comunes",
    EXCLUDED_NOT_PEOPLE_INDICATOR: "indicadores que no son de personas en necesidad",
    EXCLUDED_UNTYPED_INDICATOR: "indicadores fuera de la lista",
}
LEVEL_TEXT = {"admin1": "en la región (Admin1)", "admin2": "en cada {one} (Admin2)"}


def cono_sur_text(catalog: Catalog | None = None, rule: str = "por_grupo") -> str:
    """The sectors of the `cono_sur` rule, named from the catalog (`cono_sur:` of subgrupos.yml)."""
    catalog = catalog or load_catalog()

    def names(key: str) -> list[str]:
        return [catalog.sectors[s].label if s in catalog.sectors else s for s in catalog.cono_sur.get(key, ())]

    largest = "el sector con más personas (con su desagregación)" if rule == "por_sector" else "el máximo"
    return (f"{largest} entre {join_es(names('maximo'))}, más {join_es(names('mas'))}, más la suma de "
            f"{join_es(names('suma'))}")


def method_text(method: str, level: str, several_regions: bool = False, rule: str = "por_grupo",
                catalog: Catalog | None = None, admin2: tuple[str, str, str] = ADMIN2_DEFAULT) -> str:
    """The headline's rule in one sentence: method, level and `deduplicacion.regla_maximo`; `admin2`:
    (singular, plural, article) of the country's admin2."""
    where = LEVEL_TEXT.get(level, level).format(one=admin2[0])
    if several_regions and level == "admin1":
        where = "en cada región (Admin1)"
    summed = f" {admin2[2]} {admin2[1]}" if level == "admin2" else " las regiones" if several_regions else ""
    if method == "maximo" and rule == "por_sector":
        return (f"sin doble conteo, con el método de R4V (máximo por sector, como R4V en 2021): {where} se toma el "
                "sector con más personas, con su propia desagregación, y se suman" + summed +
                "; en un empate gana el sector más desagregado y luego el primero por orden alfabético")
    if method == "maximo":
        return (f"sin doble conteo, con el método de R4V (máximo): para cada grupo poblacional se toma, {where}, "
                "el máximo entre sectores, y se suman" + summed + "; antes, las personas sin desagregar de un "
                "sector se reparten según la desagregación de ese sector (o, si no tiene, la de la unidad), "
                "para que nunca se sumen a las personas desagregadas de otro sector")
    if method == "suma":
        return ("con el método suma: se suman todos los sectores sin eliminar el doble conteo "
                "(es una cota superior)")
    if method == "cono_sur":
        return f"con el método Cono Sur: {where}, {cono_sur_text(catalog, rule)}"
    return f"con el método «{method}»"


def _several_regions(metrics: dict) -> bool:
    """A national or multi-region report (metrics' `scope`)."""
    scope = metrics.get("scope") or {}
    return bool(scope.get("national") or len(scope.get("regions") or []) > 1)


def counting_text(metrics: dict) -> str:
    """Which rows count for people: the RMRP mark (`solo_rmrp`) and the indicator types (the list of
    `indicadores`, the export's type column, or every indicator: W09)."""
    counting = metrics.get("counting") or {}
    only_rmrp = counting.get("solo_rmrp", True)
    rmrp = ("Se cuentan las actividades RMRP («solo_rmrp: true»: no las filas con «Actividad RMRP = No»)"
            if only_rmrp else "Se cuentan todas las actividades, también las de «Actividad RMRP = No» "
                              "(«solo_rmrp: false», como R4V en 2021)")
    types = ", ".join(counting.get("people_types") or [])
    listed, column = counting.get("indicator_list"), counting.get("type_column")
    if listed and column:
        kinds = (f"en los indicadores de tipo {types}, según la columna de tipo de indicador del 5W y la "
                 f"lista de indicadores «{listed}»")
    elif listed:
        kinds = f"en los indicadores de tipo {types} de la lista de indicadores «{listed}»"
    elif column:
        kinds = f"en los indicadores de tipo {types} según la columna de tipo de indicador del 5W"
    else:
        kinds = "en todos los indicadores (sin lista de indicadores ni columna de tipo)"
    return (f"{rmrp}, {kinds}, de los subgrupos que atienden personas (no los servicios comunes, como el "
            "manejo de información).")


def methodology_note(metrics: dict, catalog: Catalog | None = None,
                     admin2: tuple[str, str, str] = ADMIN2_DEFAULT) -> list[str]:
    """Which basis and method produced the figures, and how each kind of figure is made."""
    month = fmt.month_label(metrics["month"])
    basis = metrics.get("basis", "mensual")
    dedup = metrics.get("dedup") or {}
    rows = metrics.get("rows") or {}
    rule = method_text(dedup.get("method", "maximo"), dedup.get("level", "admin1"), _several_regions(metrics),
                       dedup.get("rule", "por_grupo"), catalog, admin2)
    note = [
        f"Personas alcanzadas: se cuentan sobre el {BASIS_TEXT.get(basis, basis)}, "
        f"{rule}. "
        + counting_text(metrics),
        "Subgrupos y sectores: suman las personas de cada fila del 5W; una persona asistida por varios "
        "sectores cuenta en cada uno, por eso su suma supera el total de personas alcanzadas.",
        "Sexo y edad: la desagregación de las filas contadas, repartida en proporción al total de personas "
        "alcanzadas.",
        "Variación: respecto del mes anterior, con la misma base y el mismo método.",
        "Acumulado del año: suma, de enero al mes del reporte, de las personas alcanzadas de cada mes sin "
        "doble conteo, siempre sobre los nuevos beneficiarios (regla de R4V).",
        "Cifras clave: suma de las cantidades (o personas, o USD) de las actividades del mes cuyo nombre "
        "corresponde a cada cifra, sean o no actividades RMRP.",
        "Organizaciones que reportan: el socio implementador o, si falta, el socio principal; las "
        "organizaciones por subgrupo vienen del registro de miembros de la Mesa cuando se da.",
        "Redondeo: cada cifra publicada se redondea una sola vez (0.5 hacia arriba); un total es la suma de "
        "sus partes publicadas y las partes repartidas de un total suman ese total.",
    ]
    if rows:
        excluded = [f"{EXCLUSION_SHORT.get(r, r)}: {fmt.number(n)}"
                    for r, n in (rows.get("excluded_by_reason") or {}).items()]
        text = (f"Filas: {fmt.number(rows['read'])} filas de {metrics['region']} en {month}; "
                f"{fmt.number(rows['counted'])} contadas para personas y {fmt.number(rows['excluded'])} excluidas")
        note.append(text + (f" ({'; '.join(excluded)})." if excluded else "."))
    return note
