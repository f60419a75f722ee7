"""The indicator definitions: editable YAML shipped in `mdrm/definitions/`.

Everything the methodology needs to know about R4V names (header aliases,
population groups, sectors and subgroups, key figures) is read from here, so
a Mesa can adapt names without touching code.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import yaml

from .text import normalize

SIN_SUBGRUPO = "sin_subgrupo"
SIN_DESAGREGAR = "sin_desagregar"
SIN_DATO = "(sin dato)"
NIVEL_NACIONAL = "Nivel nacional"  # how a row whose admin1 is the country itself is shown
ADMIN2_DEFAULT = ("provincia", "provincias", "las")


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Sector:
    """An R4V sector or sub-sector: the names the 5W exports give it, whether its rows reach people."""

    id: str
    names: tuple[str, ...]  # English, Spanish, then the variants
    counts_people: bool = True
    prefixes: tuple[str, ...] = ()  # normalized: a name equal to one, or starting with one + " ", is this sector

    @property
    def label(self) -> str:
        """The Spanish name (what the reports write)."""
        return self.names[1] if len(self.names) > 1 else self.names[0]


@dataclass(frozen=True)
class Subgroup:
    """A subgroup of the Mesa (params `subgrupos:`, else the packaged one-per-sector grouping)."""

    id: str
    label: str
    description: str
    sectors: tuple[str, ...]  # sector ids


@dataclass(frozen=True)
class KeyFigure:
    id: str
    label: str
    value: str  # cantidad | personas | usd
    patterns: tuple[str, ...]  # normalized, matched in the activity name
    indicator_patterns: tuple[str, ...] = ()  # normalized, matched in the indicator


@dataclass(frozen=True)
class Catalog:
    fields: dict[str, Field]
    populations: dict[str, dict]  # id -> {etiqueta, principal, definicion}
    unsplit: dict
    sex_age: dict[str, str]
    sectors: dict[str, Sector]
    subgroups: dict[str, Subgroup]
    unmapped: dict
    cono_sur: dict[str, tuple[str, ...]]
    key_figures: dict[str, KeyFigure]
    countries: dict[str, tuple[str, ...]]  # id -> names, Spanish first
    admin2_names: dict[str, tuple[str, str, str]] = dataclasses.field(default_factory=dict)  # id -> (one, many, article)
    admin1s: dict[str, frozenset[str]] = field(default_factory=dict)  # country id -> its admin1s, normalized

    def countries_of_admin1(self, name: object) -> frozenset[str]:
        """The R4V countries an admin1 name belongs to (`admin1.yml`; a country's own name is its own)."""
        key = normalize(name)
        found = {c for c, names in self.admin1s.items() if key in names}
        own = self.country_id(name)
        return frozenset(found | ({own} if own else set()))

    def country_id(self, name: object) -> str | None:
        """The R4V country id of a name written in Spanish or English ('Brazil' -> 'brasil')."""
        wanted = normalize(name)
        for country_id, names in self.countries.items():
            if any(normalize(n) == wanted for n in names):
                return country_id
        return None

    def country_label(self, country_id: str) -> str:
        return self.countries[country_id][0]

    def admin2_label(self, country_id: str | None, plural: bool = False, article: bool = False) -> str:
        """What the country calls its admin2 level, lower case: «municipio» (Colombia), «cantón»
        (Ecuador), «provincia» (Peru, and any country not known); `article`: «los municipios»."""
        one, many, the = self.admin2_names.get(country_id or "", ADMIN2_DEFAULT)
        if article:
            return f"{the} {many}"
        return many if plural else one

    @property
    def population_ids(self) -> list[str]:
        return list(self.populations)

    @property
    def main_populations(self) -> list[str]:
        return [g for g, d in self.populations.items() if d.get("principal")]

    @property
    def sex_age_ids(self) -> list[str]:
        return list(self.sex_age)

    @cached_property
    def _sector_index(self) -> dict[str, str]:
        return self.sector_index()

    @cached_property
    def _subgroup_of(self) -> dict[str, str]:
        """Sector id -> subgroup id of the grouping in use."""
        return {sector_id: sg.id for sg in self.subgroups.values() for sector_id in sg.sectors}

    @cached_property
    def no_people_sectors(self) -> frozenset[str]:
        """Sector ids whose rows never count for people (the common services), whatever the grouping."""
        return frozenset(s.id for s in self.sectors.values() if not s.counts_people)

    def sector_id(self, name: object) -> str | None:
        """The sector id of a name as written in the 5W (or a sector id), None when unknown.

        The name is compared normalized with every listed name; then with the
        prefixes of the catalog (any `Common Services (…)` / `Servicios Comunes
        (…)` sub-sector is a common service, listed or not).
        """
        key = normalize(name)
        found = self._sector_index.get(key)
        if found is not None:
            return found
        for sector in self.sectors.values():
            if any(key == p or key.startswith(p + " ") for p in sector.prefixes):
                return sector.id
        return None

    def sector_of(self, name: object) -> tuple[str | None, str]:
        """(sector id, subgroup id) of a sector name as written in the 5W.

        A sector unknown to the catalog is (None, 'sin_subgrupo') (quality issue
        Q06); a known sector in none of the Mesa's subgroups is (id, 'sin_subgrupo').
        """
        sector_id = self.sector_id(name)
        if sector_id is None:
            return None, SIN_SUBGRUPO
        return sector_id, self._subgroup_of.get(sector_id, SIN_SUBGRUPO)

    def sector_index(self) -> dict[str, str]:
        """Normalized sector name (and sector id) -> sector id."""
        index: dict[str, str] = {}
        for sector in self.sectors.values():
            for name in (sector.id, *sector.names):
                index.setdefault(normalize(name), sector.id)
        return index

    def with_subgroups(self, subgroups: dict[str, Subgroup]) -> Catalog:
        """The catalog with a Mesa's own grouping (params `subgrupos:`)."""
        return dataclasses.replace(self, subgroups=subgroups)

    def subgroup_counts_people(self, subgroup_id: str) -> bool:
        """A subgroup with at least one sector that reaches people (not only common services)."""
        sg = self.subgroups.get(subgroup_id)
        return sg is None or any(s not in self.no_people_sectors for s in sg.sectors)

    def subgroup_label(self, subgroup_id: str) -> str:
        if subgroup_id == SIN_SUBGRUPO:
            return self.unmapped["nombre"]
        return self.subgroups[subgroup_id].label

    def population_label(self, group_id: str) -> str:
        if group_id == SIN_DESAGREGAR:
            return self.unsplit["etiqueta"]
        return self.populations[group_id]["etiqueta"]


def _read(name: str) -> dict:
    text = resources.files("mdrm").joinpath("definitions", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    columns = _read("columnas.yml")["campos"]
    fields = {
        name: Field(name, bool(spec.get("requerido")), tuple(spec.get("alias", [])))
        for name, spec in columns.items()
    }
    pops = _read("poblaciones.yml")
    sub = _read("subgrupos.yml")
    sectors = {
        sector_id: Sector(sector_id, tuple([spec["en"], spec["es"], *spec.get("alias", [])]),
                          counts_people=spec.get("personas", True),
                          prefixes=tuple(normalize(p) for p in spec.get("prefijos", [])))
        for sector_id, spec in sub["sectores"].items()
    }
    subgroups = {sg_id: Subgroup(sg_id, spec["nombre"], spec.get("descripcion") or "", tuple(spec["sectores"]))
                 for sg_id, spec in sub["subgrupos"].items()}
    key_figures = key_figures_from(_read("cifras_clave.yml")["cifras_clave"])
    countries = _read("paises.yml")
    return Catalog(
        fields=fields,
        populations=pops["grupos"],
        unsplit=pops["sin_desagregar"],
        sex_age=pops["sexo_edad"],
        sectors=sectors,
        subgroups=subgroups,
        unmapped=sub["sin_subgrupo"],
        cono_sur={k: tuple(v) for k, v in sub["cono_sur"].items()},
        key_figures=key_figures,
        countries={k: tuple(v) for k, v in countries["paises"].items()},
        admin2_names={k: (v[0], v[1], v[2]) for k, v in (countries.get("admin2") or {}).items()},
        admin1s={k: frozenset(normalize(n) for n in v) for k, v in _read("admin1.yml")["admin1"].items()},
    )


def key_figures_from(specs: dict) -> dict[str, KeyFigure]:
    """Key figures from their YAML shape (the packaged file or a Mesa's `cifras_clave:`)."""
    return {
        kf_id: KeyFigure(kf_id, spec["etiqueta"], spec["valor"],
                         tuple(n for n in (normalize(p) for p in spec.get("patrones") or []) if n),
                         tuple(n for n in (normalize(p) for p in spec.get("indicadores") or []) if n))
        for kf_id, spec in specs.items()
    }
