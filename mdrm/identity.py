"""Who publishes a report: the Mesa of the params (`mesa: {nombre, sigla, plataforma}`).

Titles, notes, footers, the narrative, the region index and the exploration
notebook name the Mesa through these functions, from `metrics.json`
(`"mesa"`, written by `mdrm.metrics.compute`) or from the params. Nothing of a
particular Mesa is written here: without `mesa:` the name is "Mesa de <region>".

Spanish needs the article of the name: "los miembros de la Mesa de Lima",
"del GIFMM Cúcuta". It is taken from the first word of the name (feminine
for Mesa, Red, Plataforma…, masculine for Grupo, GIFMM, GTRM…, none otherwise).
"""
from __future__ import annotations

from dataclasses import asdict

from .params import Mesa
from .text import normalize

GENERIC = Mesa(nombre="Mesa")  # metrics.json written before the Mesa was recorded

_FEMININE = ("mesa", "red", "plataforma", "coordinadora", "coordinacion", "instancia", "comision", "alianza")
_MASCULINE = ("grupo", "gifmm", "gtrm", "comite", "espacio", "equipo", "consejo", "cluster", "sector", "foro")


def mesa_dict(mesa: Mesa) -> dict:
    """The Mesa as metrics.json carries it."""
    return asdict(mesa)


def mesa_of(metrics: dict | None = None, params=None) -> Mesa:
    """The Mesa of a report: metrics.json's `mesa` first, else the params', else a generic one."""
    value = (metrics or {}).get("mesa")
    if isinstance(value, dict) and value.get("nombre"):
        return Mesa(nombre=str(value["nombre"]), sigla=str(value.get("sigla") or ""),
                    plataforma=str(value.get("plataforma") or ""))
    if params is not None and getattr(params, "mesa", None) is not None:
        return params.mesa
    return GENERIC


def article(mesa: Mesa) -> str:
    """'la', 'el' or '' for the Mesa's name."""
    words = normalize(mesa.nombre).split()
    first = words[0] if words else ""
    if first in _FEMININE:
        return "la"
    if first in _MASCULINE:
        return "el"
    return ""


def full_name(mesa: Mesa) -> str:
    """'Mesa de Diálogo … de Tacna (MDRM)': the name, with the acronym when there is one."""
    return f"{mesa.nombre} ({mesa.sigla})" if mesa.sigla else mesa.nombre


def short_name(mesa: Mesa) -> str:
    """The acronym when there is one, else the name."""
    return mesa.sigla or mesa.nombre


def the(name: str, mesa: Mesa) -> str:
    """'la MDRM', 'el GIFMM Cúcuta', or the bare name when the article is unknown."""
    art = article(mesa)
    return f"{art} {name}" if art else name


def of(name: str, mesa: Mesa) -> str:
    """'de la MDRM', 'del GIFMM Cúcuta', 'de ACME'."""
    art = article(mesa)
    if art == "el":
        return f"del {name}"
    return f"de {art} {name}" if art else f"de {name}"
