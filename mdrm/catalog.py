"""The indicator definitions: editable YAML shipped in `mdrm/definitions/`.

Everything the methodology needs to know about R4V names (header aliases,
population groups, sectors and subgroups, key figures) is read from here, so
a Mesa can adapt names without touching code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import yaml

from .text import normalize

SIN_SUBGRUPO = "sin_subgrupo"
SIN_DESAGREGAR = "sin_desagregar"
SIN_DATO = "(sin dato)"


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Subgroup:
    id: str
    label: str
    description: str
    counts_people: bool
    sectors: dict[str, tuple[str, ...]]  # sector id -> names (en, es, aliases)
    prefixes: dict[str, tuple[str, ...]] | None = None  # sector id -> normalized name prefixes


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
    subgroups: dict[str, Subgroup]
    unmapped: dict
    cono_sur: dict[str, tuple[str, ...]]
    key_figures: dict[str, KeyFigure]
    countries: dict[str, tuple[str, ...]]  # id -> names, Spanish first
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
    def _sector_index(self) -> dict[str, tuple[str, str]]:
        return self.sector_index()

    def sector_of(self, name: object) -> tuple[str | None, str]:
        """(sector id, subgroup id) of a sector name as written in the 5W.

        The name is compared normalized with every listed name; then with the
        prefixes of the catalog (any `Common Services (…)` / `Servicios Comunes
        (…)` sub-sector is a common service, listed or not); else
        (None, 'sin_subgrupo') (quality issue Q06).
        """
        key = normalize(name)
        found = self._sector_index.get(key)
        if found is not None:
            return found
        for sg in self.subgroups.values():
            for sector_id, prefixes in (sg.prefixes or {}).items():
                if any(key == p or key.startswith(p + " ") for p in prefixes):
                    return sector_id, sg.id
        return None, SIN_SUBGRUPO

    def sector_index(self) -> dict[str, tuple[str, str]]:
        """Normalized sector name -> (sector id, subgroup id)."""
        index: dict[str, tuple[str, str]] = {}
        for sg in self.subgroups.values():
            for sector_id, names in sg.sectors.items():
                for name in names:
                    index[normalize(name)] = (sector_id, sg.id)
        return index

    def subgroup_label(self, subgroup_id: str) -> str:
        if subgroup_id == SIN_SUBGRUPO:
            return self.unmapped["etiqueta"]
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
    subgroups = {}
    for sg_id, spec in sub["subgrupos"].items():
        sectors = {}
        for sector_id, names in spec["sectores"].items():
            sectors[sector_id] = tuple([names["en"], names["es"], *names.get("alias", [])])
        subgroups[sg_id] = Subgroup(
            id=sg_id,
            label=spec["etiqueta"],
            description=spec["descripcion"],
            counts_people=spec.get("cuenta_personas", True),
            sectors=sectors,
            prefixes={k: tuple(normalize(p) for p in v) for k, v in (spec.get("prefijos") or {}).items()},
        )
    key_figures = key_figures_from(_read("cifras_clave.yml")["cifras_clave"])
    return Catalog(
        fields=fields,
        populations=pops["grupos"],
        unsplit=pops["sin_desagregar"],
        sex_age=pops["sexo_edad"],
        subgroups=subgroups,
        unmapped=sub["sin_subgrupo"],
        cono_sur={k: tuple(v) for k, v in sub["cono_sur"].items()},
        key_figures=key_figures,
        countries={k: tuple(v) for k, v in _read("paises.yml")["paises"].items()},
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
