"""The kit's one Jinja2 environment: the index page (`templates/index/`) and the report's HTML
fragments (`templates/report/`), autoescape on, so a data string holding `<script>` shows as text,
and `bidi.shown` on every value, so a right-to-left override cannot turn it around.

The `jinja2.ext.i18n` extension gets the kit's catalogs (`i18n.install`): the kit's words are written in
the templates as `{{ _("…") }}` with the Spanish text as the message id (docs/idiomas.md), shown in the
run's language. Mesa text (names, definitions, highlights) is data, never translated.

In `report/` templates a line break and the indentation after it are layout only (`JoinLines`): each
fragment renders as one line, byte for byte as the report has always written it; a space that
matters is written inside a line.
"""
from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup

from . import data_path
from . import i18n
from .bidi import shown

TEMPLATES = data_path("templates")  # package data (pyproject.toml)
_LAYOUT = re.compile(r"\n[ \t]*")


class JoinLines(Extension):
    """Drops line breaks and the indentation after them in `report/` templates (see module doc)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _LAYOUT.sub("", source) if name and name.startswith("report/") else source


def _finalize(value):
    """A string without its bidirectional controls; None as nothing (a missing sheet name, not «None»)."""
    if value is None:
        return ""
    return type(value)(shown(value)) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Jinja2 over mdrm/templates/, autoescape on, undefined names an error."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, finalize=_finalize,
                             extensions=["jinja2.ext.i18n", JoinLines])
    i18n.install(env)  # the active language at each call (mdrm/i18n.py)
    return env


def render(name: str, **data) -> Markup:
    """A `report/` template's fragment, as Markup: safe to place inside another fragment."""
    return Markup(environment().get_template(f"report/{name}").render(**data))
