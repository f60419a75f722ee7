"""The params file of a month, or of a period with `periodo:` (docs/metodologia.md §5, §12): YAML,
Spanish keys, strict.

A month file inherits `region.yml` from its own folder (the month file wins,
key by key, and inside `deduplicacion` too; an empty `destacados` does not win:
the month has none of its own, so region.yml's apply). Relative paths are relative to the
file that wrote them. An unknown key, a wrong type or a missing file is a hard
error naming the key, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.lists import format_list

from .catalog import SIN_SUBGRUPO, Catalog, KeyFigure, Subgroup, key_figures_from, load_catalog
from . import i18n
from .errors import InputError, not_a_file_text, os_error_text
from .i18n import N_, _
from .months import MONTH
from .periods import is_period, period_months
from .text import slug

BASES = ("mensual", "nuevos")
_PLAIN_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a params folder name kept as the reports folder
METHODS = ("maximo", "suma", "cono_sur")
LEVELS = ("admin1", "admin2")
MAX_RULES = ("por_grupo", "por_sector")  # deduplicacion.regla_maximo (mdrm.methodology.max_per_unit)
DUPLICATES = ("excluir", "contar")  # what an exact copy of a row does (docs/metodologia.md §5)
PEOPLE_TYPES = ("Pin", "Direct Assistance")  # R4V's people-in-need indicator types: 2021, 2022 on

# key -> (type description, python types)
_KEYS: dict[str, tuple[str, tuple[type, ...]]] = {
    "pais": (N_("texto o null"), (str, type(None))),
    "region": (N_("texto, lista de textos, o null con «pais» (reporte nacional)"), (str, list, type(None))),
    "mesa": ("{nombre: ..., sigla: ..., plataforma: ...}", (dict,)),
    "definiciones": ("{grupo de población: texto}", (dict,)),
    "cifras_clave": ("{id: {etiqueta: ..., valor: ..., patrones: [...]}}", (dict,)),
    "subgrupos": ("{id: {nombre: ..., descripcion: ..., sectores: [...]}}", (dict,)),
    "mes": (N_("texto AAAA-MM"), (str,)),
    "periodo": (N_("texto AAAA-T1..T4, AAAA-S1..S2 o AAAA"), (str, int)),  # instead of `mes` (mdrm.periods)
    "metas": ("{total: personas, subgrupos: {id: personas}, fuente: texto}", (dict,)),
    "datos": (N_("ruta de archivo"), (str,)),
    "hoja": (N_("texto o null"), (str, type(None))),
    "organizaciones": (N_("ruta de archivo o null"), (str, type(None))),
    "base_personas": (N_("mensual o nuevos"), (str,)),
    "deduplicacion": ("{metodo: ..., nivel: ..., regla_maximo: ...}", (dict,)),
    "columnas": ("{encabezado: campo}", (dict, type(None))),
    "destacados": (N_("lista de textos"), (list, type(None))),
    "limites": (N_("ruta de archivo GeoJSON o null"), (str, type(None))),
    "limites_nombre": (N_("texto o null"), (str, type(None))),
    "duplicados": (N_("excluir o contar"), (str,)),
    # docs/metodologia.md §10: which rows count for people
    "solo_rmrp": (N_("true o false"), (bool,)),
    "indicadores": (N_("ruta de archivo (lista de indicadores de R4V) o null"), (str, type(None))),
    "tipos_personas": (N_("lista de textos (tipos de indicador que cuentan personas)"), (list,)),
    "idioma": (N_("es, en o pt"), (str,)),  # the run's language (mdrm.i18n)
}
_REQUIRED = ("datos",)  # and `mes` or `periodo`, one of them
_MERGED = ("deduplicacion", "columnas", "mesa", "definiciones")  # merged key by key over region.yml
_MESA_KEYS = ("nombre", "sigla", "plataforma")
_KEY_FIGURE_KEYS = ("etiqueta", "valor", "patrones", "indicadores")
KEY_FIGURE_VALUES = ("cantidad", "personas", "usd")
_SUBGROUP_KEYS = ("nombre", "descripcion", "sectores")
_TARGET_KEYS = ("total", "subgrupos", "fuente")


@dataclass(frozen=True)
class Mesa:
    """Who publishes the report: its name, acronym and national platform (titles, notes, footers)."""

    nombre: str
    sigla: str = ""
    plataforma: str = ""


@dataclass(frozen=True)
class Targets:
    """`metas:` people targeted for the year (the RMRP's), the headline's and per subgroup, with their
    source for the note. None: no target given (reached against target shows «—»)."""

    total: int | None = None
    subgroups: dict[str, int] = field(default_factory=dict)
    source: str = ""


@dataclass
class Params:
    region: str  # what the reports call the area: "Tacna", "Lima y Callao", "Perú"
    month: str  # 'YYYY-MM'
    data_path: Path
    regions: tuple[str, ...] = ()  # the admin1s as written; () = the whole country
    country: str | None = None  # R4V country id (catalog `paises.yml`)
    mesa: Mesa | None = None
    definitions: dict[str, str] = field(default_factory=dict)  # population group -> note
    key_figures: dict[str, KeyFigure] | None = None  # the Mesa's own; None = the packaged set
    subgroups: dict[str, Subgroup] | None = None  # the Mesa's own (`subgrupos:`); None = one per R4V sector
    sheet: str | None = None
    organizations_path: Path | None = None
    basis: str = "mensual"
    method: str = "maximo"
    level: str = "admin1"
    max_rule: str = "por_grupo"  # deduplicacion.regla_maximo: how maximo (and cono_sur's max) is taken
    columns: dict[str, str] = field(default_factory=dict)
    highlights: list[str] = field(default_factory=list)
    source: Path | None = None
    boundaries_path: Path | None = None  # `limites`: the provinces' GeoJSON for the map (mdrm.maps)
    boundaries_name: str | None = None   # `limites_nombre`: the property holding a province's name
    duplicates: str = "excluir"
    only_rmrp: bool = True  # `solo_rmrp`: rows marked RMRP "No" never count for people (false: R4V 2021)
    indicators_path: Path | None = None  # `indicadores`: R4V's indicator list (mdrm.indicators)
    people_types: tuple[str, ...] = PEOPLE_TYPES  # `tipos_personas`
    data_country: str | None = None  # without `pais`: the one R4V country of the Mesa's rows (`region.read_region`)
    period: str | None = None  # `periodo` (mdrm.periods); then `month` is the period's last month
    targets: Targets | None = None  # `metas`
    language: str = "es"  # `idioma` or --idioma (mdrm.i18n): the words and formats of the run's outputs

    def __post_init__(self):
        if not self.regions and self.country is None:
            self.regions = (self.region,)
        if self.mesa is None:
            self.mesa = Mesa(nombre=f"Mesa de {self.region}")

    @property
    def region_slug(self) -> str:
        return slug(self.region)

    @property
    def admin2_country(self) -> str | None:
        """The country whose admin2 names the reports use (`pais`, else the 5W's country of the Mesa's rows)."""
        return self.country or self.data_country

    @property
    def national(self) -> bool:
        return not self.regions

    @property
    def report_folder(self) -> str:
        """Reports go to `<out>/<params folder name>/`: two Mesas never share an index. The name is kept
        exactly (`chile_rm`, `GIFMM-Cucuta`) when it is plain ASCII letters, digits, `_`, `-` and `.`;
        a name with accents or spaces becomes its slug («Madre de Dios» -> `madre-de-dios`)."""
        if not self.source:
            return self.region_slug
        name = self.source.resolve().parent.name
        return name if _PLAIN_FOLDER.fullmatch(name) else slug(name)

    def adapt(self, catalog: Catalog) -> Catalog:
        """The catalog as this Mesa uses it: its key figures, subgroups and population notes."""
        populations = {g: ({**spec, "definicion": self.definitions[g]} if g in self.definitions else spec)
                       for g, spec in catalog.populations.items()}
        unsplit = catalog.unsplit
        if "sin_desagregar" in self.definitions:
            unsplit = {**unsplit, "definicion": self.definitions["sin_desagregar"]}
        return dataclasses.replace(catalog, populations=populations, unsplit=unsplit,
                                   key_figures=self.key_figures if self.key_figures is not None
                                   else catalog.key_figures,
                                   subgroups=self.subgroups if self.subgroups is not None else catalog.subgroups)


def _read_yaml(path: Path) -> dict:
    from .safeyaml import load_params_yaml  # no aliases, bounded sizes (mdrm.limits)

    try:
        content = load_params_yaml(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(_("YAML no válido ({problem})").format(problem=getattr(exc, "problem", exc)), file=path,
                         row=(mark.line + 1) if mark else None) from exc
    except OSError as exc:
        raise InputError(_("no se puede leer el archivo de parámetros ({error})").format(error=os_error_text(exc)),
                         file=path) from exc
    except UnicodeDecodeError as exc:
        raise InputError(_("el archivo de parámetros no está en UTF-8"), file=path) from exc
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InputError(_("el archivo de parámetros debe ser un mapa «clave: valor»"), file=path)
    return content


def _check_keys(content: dict, path: Path) -> None:
    for key, value in content.items():
        if key not in _KEYS:
            raise InputError(_("clave desconocida «{key}»").format(key=key), file=path, hint=_valid_keys(_KEYS))
        kind, types = _KEYS[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            # a kind in braces is a map of the params' own (Spanish) keys, shown as it is
            shown = kind if kind.startswith("{") else _(kind)
            raise InputError(_("la clave «{key}» debe ser {kind}").format(key=key, kind=shown), file=path,
                             value=value)


def _valid_keys(keys) -> str:
    return _("Claves válidas: {keys}").format(keys=", ".join(keys))


def _language(own: dict, inherited: dict, path: Path, region_file: Path) -> str:
    """The run's language: --idioma, else `idioma` of the month's file, else of region.yml, else Spanish.
    Activated here, before the files' keys are checked, so their errors are told in it."""
    chosen = i18n.override()
    if chosen is None:
        for content, origin in ((own, path), (inherited, region_file)):
            value = content.get("idioma")
            if value is None:
                continue
            if value not in i18n.LANGUAGES:
                raise InputError(_("la clave «idioma» debe ser {allowed}").format(
                    allowed=format_list(list(i18n.LANGUAGES), style="or", locale=i18n.locale())),
                    file=origin, value=value)
            chosen = value
            break
    i18n.activate(chosen or i18n.DEFAULT)
    return chosen or i18n.DEFAULT


def _resolve(value: str | None, base: Path, key: str, path: Path) -> Path | None:
    if value is None:
        return None
    try:
        resolved = (base / value).resolve() if not Path(value).is_absolute() else Path(value)
        is_file = resolved.is_file()
    except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before Python 3.13), a name too long
        why = os_error_text(exc) if isinstance(exc, OSError) else "bucle de enlaces simbólicos"
        raise InputError(_("la clave «{key}» apunta a una ruta que no se puede abrir ({why})").format(key=key, why=why),
                         file=path,
                         value=value) from exc
    if not is_file and Path(os.path.abspath(resolved)).is_symlink():  # a loop: is_file() says False
        try:
            os.stat(resolved)
        except OSError as exc:
            raise InputError(_("la clave «{key}» apunta a una ruta que no se puede abrir ({why})").format(
                key=key, why=os_error_text(exc)),
                             file=path, value=value) from exc
    if not is_file:
        what = not_a_file_text(resolved)
        raise InputError(_("la clave «{key}» apunta a una ruta que {what}").format(key=key, what=what) if what else
                         _("la clave «{key}» apunta a un archivo que no existe").format(key=key), file=path,
                         value=value)
    return resolved


def load_params(path: str | Path, whole_file: bool = False) -> Params:
    """Read a month's params file, merged over its folder's `region.yml`.

    `whole_file` (`mdrm consolidado --params`): the file may give only rules; without `mes` it
    covers every month, without `datos` the command's --datos is used, and without `region` nor
    `pais` every country of the file (`Params.regions` empty, `country` None)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(_("no existe el archivo de parámetros"), file=path)
    own = _read_yaml(path)
    region_file = path.parent / "region.yml"
    inherits = region_file.is_file() and region_file.resolve() != path.resolve()
    inherited = _read_yaml(region_file) if inherits else {}
    language = _language(own, inherited, path, region_file)
    _check_keys(own, path)
    merged: dict = {}
    origin: dict[str, Path] = {}  # key -> file that set it (for relative paths and messages)
    if inherits:
        _check_keys(inherited, region_file)
        merged.update(inherited)
        origin.update({k: region_file for k in inherited})
    for key, value in own.items():
        if key == "destacados" and not value and merged.get(key):
            continue  # a month without highlights of its own (also `destacados: []`) shows region.yml's
        if key in _MERGED and isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
        origin[key] = path

    for key in _REQUIRED:
        if merged.get(key) in (None, "") and not whole_file:
            raise InputError(_("falta la clave obligatoria «{key}»").format(key=key), file=path)
    period = _period(merged, origin, path, whole_file)
    month = period_months(period)[-1] if period else str(merged.get("mes") or "")
    if not period and not MONTH.match(month) and not (whole_file and not month):
        raise InputError(_("la clave «mes» debe tener la forma AAAA-MM"), file=origin["mes"], value=month)
    basis = merged.get("base_personas", "mensual")
    if basis not in BASES:
        raise InputError(_("la clave «base_personas» debe ser mensual o nuevos"), file=origin["base_personas"], value=basis)
    dedup = merged.get("deduplicacion") or {}
    for key in dedup:
        if key not in ("metodo", "nivel", "regla_maximo"):
            raise InputError(_("clave desconocida «{key}»").format(key=f"deduplicacion.{key}"), file=origin["deduplicacion"],
                             hint=_("Claves válidas: metodo, nivel, regla_maximo"))
    method = dedup.get("metodo", "maximo")
    level = dedup.get("nivel", "admin1")
    if method not in METHODS:
        raise InputError(_("la clave «{key}» debe ser {kind}").format(key="deduplicacion.metodo", kind=", ".join(METHODS)),
                         file=origin["deduplicacion"], value=method)
    if level not in LEVELS:
        raise InputError(_("la clave «deduplicacion.nivel» debe ser admin1 o admin2"),
                         file=origin["deduplicacion"], value=level)
    max_rule = dedup.get("regla_maximo", "por_grupo")
    if max_rule not in MAX_RULES:
        raise InputError(_("la clave «deduplicacion.regla_maximo» debe ser por_grupo o por_sector"),
                         file=origin["deduplicacion"], value=max_rule)
    fields = load_catalog().fields
    columns = merged.get("columnas") or {}
    for header, name in columns.items():
        if not isinstance(name, str) or name not in fields:  # a nested value is not a field either
            raise InputError(_("la clave «columnas» asigna «{header}» a un campo desconocido").format(header=header),
                             file=origin["columnas"], value=name,
                             hint=_("Campos: {fields}").format(fields=", ".join(fields)))
    highlights = merged.get("destacados") or []
    for item in highlights:
        if not isinstance(item, str):
            raise InputError(_("la clave «destacados» debe ser una lista de textos"), file=origin["destacados"], value=item)
    if bool(merged.get("limites")) != bool(merged.get("limites_nombre")):
        key = "limites_nombre" if merged.get("limites") else "limites"
        raise InputError(_("falta la clave «{key}»: «limites» y «limites_nombre» van juntas").format(key=key),
                         file=origin.get("limites", origin.get("limites_nombre", path)))
    duplicates = merged.get("duplicados", "excluir")
    if duplicates not in DUPLICATES:
        raise InputError(_("la clave «duplicados» debe ser excluir o contar"), file=origin["duplicados"],
                         value=duplicates)
    people_types = merged.get("tipos_personas", list(PEOPLE_TYPES))
    if not people_types or not all(isinstance(t, str) and t.strip() for t in people_types):
        raise InputError(_("la clave «tipos_personas» debe ser una lista de textos no vacía"),
                         file=origin.get("tipos_personas", path), value=people_types)
    catalog = load_catalog()
    country = _country(merged, origin, catalog)
    every_country = whole_file and country is None and merged.get("region") in (None, "", [])
    regions, label = ((), _("todos los países")) if every_country else _regions(merged, origin, path, country, catalog)
    params = Params(
        region=label,
        regions=regions,
        country=country,
        mesa=_mesa(merged.get("mesa"), origin.get("mesa", path), label),
        definitions=_definitions(merged.get("definiciones"), origin.get("definiciones", path), catalog),
        key_figures=_key_figures(merged.get("cifras_clave"), origin.get("cifras_clave", path)),
        subgroups=_subgroups(merged.get("subgrupos"), origin.get("subgrupos", path), catalog),
        month=month,
        data_path=_resolve(merged["datos"], origin["datos"].parent, "datos", origin["datos"])
        if merged.get("datos") not in (None, "") else None,
        sheet=merged.get("hoja"),
        organizations_path=_resolve(merged.get("organizaciones"), origin.get("organizaciones", path).parent,
                                    "organizaciones", origin.get("organizaciones", path)),
        basis=basis,
        method=method,
        level=level,
        max_rule=max_rule,
        columns={str(k): str(v) for k, v in columns.items()},
        highlights=list(highlights),
        source=path,
        boundaries_path=_resolve(merged.get("limites"), origin.get("limites", path).parent, "limites",
                                 origin.get("limites", path)),
        boundaries_name=merged.get("limites_nombre"),
        duplicates=duplicates,
        only_rmrp=merged.get("solo_rmrp", True),
        indicators_path=_resolve(merged.get("indicadores"), origin.get("indicadores", path).parent, "indicadores",
                                 origin.get("indicadores", path)),
        people_types=tuple(t.strip() for t in people_types),
        period=period,
        language=language,
    )
    params.targets = _targets(merged.get("metas"), origin.get("metas", path), params.adapt(catalog))
    if every_country:
        params.regions = ()  # no country and no admin1: every row of the file (scope.mesa_rows)
    return params


def _period(merged: dict, origin: dict, path: Path, whole_file: bool) -> str | None:
    """`periodo` (a quarter, half or year) instead of `mes`: exactly one of the two."""
    has_month = merged.get("mes") not in (None, "")
    value = merged.get("periodo")
    if value in (None, ""):
        if not has_month and not whole_file:
            raise InputError(_("falta la clave obligatoria «mes» (o «periodo»)"), file=path,
                             hint=_("Escriba «mes: AAAA-MM» para un mes o «periodo: AAAA-T1» (trimestre), "
                                    "«AAAA-S1» (semestre) o «AAAA» (año)."))
        return None
    if has_month:
        raise InputError(_("las claves «mes» y «periodo» no van juntas: escriba solo una"), file=origin["periodo"],
                         value=f"mes: {merged['mes']}, periodo: {value}")
    text = str(value).strip()
    if isinstance(value, bool) or not is_period(text):
        raise InputError(_("la clave «periodo» debe ser AAAA-T1 a AAAA-T4 (trimestre), AAAA-S1 o AAAA-S2 "
                           "(semestre), o AAAA (año)"), file=origin["periodo"], value=value)
    return text


def _target_value(value, where: str, origin: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(_("la clave «{key}» debe ser un número entero de personas (0 o más)").format(key=where),
                         file=origin,
                         value=value)
    return value


def _targets(value: dict | None, origin: Path, catalog: Catalog) -> Targets | None:
    """`metas:` checked: whole people (0 or more), subgroups of the Mesa's own (`sin_subgrupo` is not one)."""
    if value is None:
        return None
    for key in value:
        if key not in _TARGET_KEYS:
            raise InputError(_("clave desconocida «{key}»").format(key=f"metas.{key}"), file=origin,
                             hint=_valid_keys(_TARGET_KEYS))
    total = value.get("total")
    total = None if total is None else _target_value(total, "metas.total", origin)
    subgroups = value.get("subgrupos") or {}
    if not isinstance(subgroups, dict):
        raise InputError(_("la clave «{key}» debe ser {kind}").format(key="metas.subgrupos", kind="{subgrupo: personas}"),
                         file=origin, value=subgroups)
    for sg in subgroups:
        if sg not in catalog.subgroups:
            raise InputError(_("la clave «metas.subgrupos» nombra un subgrupo desconocido «{subgroup}»").format(
                subgroup=sg), file=origin, hint=_("Subgrupos: {ids}").format(ids=", ".join(catalog.subgroups)))
    source = value.get("fuente")
    if source is not None and not isinstance(source, str):
        raise InputError(_("la clave «metas.fuente» debe ser un texto"), file=origin, value=source)
    return Targets(total=total,
                   subgroups={str(sg): _target_value(v, f"metas.subgrupos.{sg}", origin) for sg, v in subgroups.items()},
                   source=(source or "").strip())


def _country(merged: dict, origin: dict, catalog: Catalog) -> str | None:
    name = merged.get("pais")
    if name in (None, ""):
        return None
    country = catalog.country_id(name)
    if country is None:
        raise InputError(_("la clave «pais» no es un país de R4V"), file=origin["pais"], value=name,
                         hint=_("Países: {names}").format(names=", ".join(catalog.country_label(c)
                                                                           for c in catalog.countries)))
    return country


def _regions(merged: dict, origin: dict, path: Path, country: str | None,
             catalog: Catalog) -> tuple[tuple[str, ...], str]:
    """The admin1s of the Mesa and the name the reports give to them."""
    value = merged.get("region")
    if value is None or value == [] or value == "":
        if country is None:
            raise InputError(_("falta la clave obligatoria «region»"), file=origin.get("region", path),
                             hint=_("Para el reporte nacional escriba «region: null» junto con «pais»."))
        return (), catalog.country_label(country)
    names = [value] if isinstance(value, str) else value
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise InputError(_("la clave «region» debe ser un texto o una lista de textos"),
                             file=origin["region"], value=name)
    names = list(dict.fromkeys(n.strip() for n in names))
    label = format_list(names, locale=i18n.locale())
    return tuple(names), label


def _mesa(value: dict | None, origin: Path, region: str) -> Mesa:
    value = value or {}
    for key, item in value.items():
        if key not in _MESA_KEYS:
            raise InputError(_("clave desconocida «{key}»").format(key=f"mesa.{key}"), file=origin,
                             hint=_valid_keys(_MESA_KEYS))
        if item is not None and not isinstance(item, str):
            raise InputError(_("la clave «{key}» debe ser un texto").format(key=f"mesa.{key}"), file=origin, value=item)
    return Mesa(nombre=(value.get("nombre") or "").strip() or f"Mesa de {region}",
                sigla=(value.get("sigla") or "").strip(), plataforma=(value.get("plataforma") or "").strip())


def _definitions(value: dict | None, origin: Path, catalog: Catalog) -> dict[str, str]:
    groups = [*catalog.populations, "sin_desagregar"]
    for key, item in (value or {}).items():
        if key not in groups:
            raise InputError(_("la clave «definiciones» nombra un grupo de población desconocido «{group}»").format(
                group=key), file=origin, hint=_("Grupos: {ids}").format(ids=", ".join(groups)))
        if not isinstance(item, str):
            raise InputError(_("la clave «{key}» debe ser un texto").format(key=f"definiciones.{key}"), file=origin,
                             value=item)
    return {str(k): v for k, v in (value or {}).items()}


def _key_figures(value: dict | None, origin: Path) -> dict[str, KeyFigure] | None:
    if value is None:
        return None
    for kf_id, spec in value.items():
        where = f"cifras_clave.{kf_id}"
        if not isinstance(kf_id, str):  # `3:` is a number in YAML: {kf.3} could never name it
            raise InputError(_("el identificador de la cifra clave «{id}» debe ser un nombre, no un número").format(
                id=kf_id), file=origin, hint=_("Escriba un nombre con letras, p. ej. «kits_higiene:» en lugar de "
                                                "«{id}:», y úselo como {{kf.kits_higiene}}").format(id=kf_id))
        if not isinstance(spec, dict):
            raise InputError(_("la clave «{key}» debe ser {kind}").format(
                key=where, kind="{etiqueta: ..., valor: ..., patrones: [...]}"),
                             file=origin, value=spec)
        for key in spec:
            if key not in _KEY_FIGURE_KEYS:
                raise InputError(_("clave desconocida «{key}»").format(key=f"{where}.{key}"), file=origin,
                                 hint=_valid_keys(_KEY_FIGURE_KEYS))
        if not isinstance(spec.get("etiqueta"), str) or not spec["etiqueta"].strip():
            raise InputError(_("falta el texto de «{key}»").format(key=f"{where}.etiqueta"), file=origin)
        if spec.get("valor") not in KEY_FIGURE_VALUES:
            raise InputError(_("la clave «{key}» debe ser {kind}").format(key=f"{where}.valor",
                                                                          kind=", ".join(KEY_FIGURE_VALUES)),
                             file=origin, value=spec.get("valor"))
        for key in ("patrones", "indicadores"):
            items = spec.get(key)
            if items is not None and (not isinstance(items, list) or not all(isinstance(i, str) for i in items)):
                raise InputError(_("la clave «{key}» debe ser una lista de textos").format(key=f"{where}.{key}"),
                                 file=origin, value=items)
    return key_figures_from(value)


def _subgroups(value: dict | None, origin: Path, catalog: Catalog) -> dict[str, Subgroup] | None:
    """The Mesa's `subgrupos:` (id -> nombre, descripcion, sectores), checked: every sector a sector of the
    catalog (its id, or any of its names as the 5W exports write them), in one subgroup at most."""
    if value is None:
        return None
    if not value:
        raise InputError(_("la clave «subgrupos» no tiene ningún subgrupo"), file=origin,
                         hint=_("Quite la clave para usar un subgrupo por sector de R4V."))
    subgroups: dict[str, Subgroup] = {}
    owner: dict[str, str] = {}  # sector id -> subgroup id
    for sg_id, spec in value.items():
        where = f"subgrupos.{sg_id}"
        if not isinstance(sg_id, str) or not sg_id.strip() or sg_id == SIN_SUBGRUPO:
            raise InputError(_("la clave «subgrupos» tiene un id no válido"), file=origin, value=sg_id,
                             hint=_("«{id}» está reservado para los sectores sin subgrupo.").format(id=SIN_SUBGRUPO))
        if not isinstance(spec, dict):
            raise InputError(_("la clave «{key}» debe ser {kind}").format(
                key=where, kind="{nombre: ..., descripcion: ..., sectores: [...]}"),
                             file=origin, value=spec)
        for key in spec:
            if key not in _SUBGROUP_KEYS:
                raise InputError(_("clave desconocida «{key}»").format(key=f"{where}.{key}"), file=origin,
                                 hint=_valid_keys(_SUBGROUP_KEYS))
        name = spec.get("nombre")
        if not isinstance(name, str) or not name.strip():
            raise InputError(_("falta el texto de «{key}»").format(key=f"{where}.nombre"), file=origin)
        description = spec.get("descripcion")
        if description is not None and not isinstance(description, str):
            raise InputError(_("la clave «{key}» debe ser un texto").format(key=f"{where}.descripcion"), file=origin,
                             value=description)
        sectors = spec.get("sectores")
        if not isinstance(sectors, list) or not sectors or not all(isinstance(i, str) for i in sectors):
            raise InputError(_("la clave «{key}» debe ser una lista de sectores de R4V").format(key=f"{where}.sectores"),
                             file=origin,
                             value=sectors)
        ids = []
        for item in sectors:
            sector_id = catalog.sector_id(item)
            if sector_id is None:
                raise InputError(_("la clave «{key}» nombra un sector que no está en el catálogo").format(
                    key=f"{where}.sectores"),
                                 file=origin, value=item,
                                 hint=_("Sectores: {names}").format(
                                     names=", ".join(s.label for s in catalog.sectors.values())))
            if owner.get(sector_id, sg_id) != sg_id:
                raise InputError(_("la clave «{key}» repite un sector del subgrupo «{subgroup}»").format(
                    key=f"{where}.sectores", subgroup=owner[sector_id]),
                                 file=origin, value=item, hint=_("Cada sector va en un solo subgrupo."))
            owner[sector_id] = sg_id
            if sector_id not in ids:
                ids.append(sector_id)
        subgroups[sg_id] = Subgroup(sg_id, name.strip(), (description or "").strip(), tuple(ids))
    return subgroups
