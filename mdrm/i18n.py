"""The kit's words in the run's language (docs/idiomas.md): Spanish (the source), English, Portuguese.

Every word a user reads is a Spanish msgid marked `_("…")` (plurals `ngettext("…", "…", n)`, a word
kept for later `N_("…")`); placeholders are `{name}` filled by `.format()` after the lookup, so
`pybabel extract` sees literal ids. The catalogs are gettext files shipped in the package,
`mdrm/locale/<locale>/LC_MESSAGES/mdrm.po` (what a translator edits) and its compiled `mdrm.mo`
(what is read, through importlib.resources so an installed wheel finds them); `make traducciones`
extracts, updates and compiles them (docs/idiomas.md).

One language per run: `idioma:` in the params (`mdrm.params.load_params` activates it, so its own
errors are already told in it), or `--idioma` on the command line, which wins and reaches the
run's worker processes and kernels through the environment (`MDRM_IDIOMA`).
"""
from __future__ import annotations

import functools
import gettext as _gettext
import io
import os

LANGUAGES = ("es", "en", "pt")
DEFAULT = "es"
# idioma -> the catalog's folder and babel's locale (numbers, months, lists); Portuguese is Brazil's
LOCALES = {"es": "es", "en": "en", "pt": "pt_BR"}
DOMAIN = "mdrm"
ENV = "MDRM_IDIOMA"  # --idioma, inherited by the processes a run starts

_active = DEFAULT


@functools.cache
def translations(language: str) -> _gettext.GNUTranslations:
    """The compiled catalog of `language`, read from the package (a wheel or a checkout alike)."""
    from importlib import resources

    path = resources.files("mdrm") / "locale" / LOCALES[language] / "LC_MESSAGES" / f"{DOMAIN}.mo"
    return _gettext.GNUTranslations(io.BytesIO(path.read_bytes()))


def activate(language: str) -> None:
    """Make `language` (one of LANGUAGES) the one every later message, format and template uses."""
    global _active
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _active = language


def language() -> str:
    """The active language: 'es', 'en' or 'pt'."""
    return _active


def locale() -> str:
    """babel's locale of the active language: 'es', 'en', 'pt_BR'."""
    return LOCALES[_active]


def set_override(language: str | None) -> None:
    """`--idioma`: wins over the params' `idioma`, here and in every process the run starts."""
    if language is None:  # a new run without --idioma: the default until its params say otherwise
        os.environ.pop(ENV, None)
        activate(DEFAULT)
        return
    activate(language)
    os.environ[ENV] = language


def override() -> str | None:
    """The command line's `--idioma` of this run (None: the params decide)."""
    value = os.environ.get(ENV) or None
    return value if value in LANGUAGES else None


def gettext(message: str) -> str:
    """`message` (a Spanish msgid) in the active language."""
    return translations(_active).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for `n`, by the active catalog's Plural-Forms."""
    return translations(_active).ngettext(singular, plural, int(n))


def N_(message: str) -> str:  # gettext's own name (a word marked here, translated where it is shown)
    """Mark `message` for extraction without translating it (a class attribute, a table of words)."""
    return message


_ = gettext
_active = override() or DEFAULT  # a worker or kernel of a run with --idioma starts in it


def install(env) -> None:
    """Give a Jinja2 Environment (with `jinja2.ext.i18n`) the kit's `_`/`gettext`/`ngettext`: they look up
    the active language at each call, so one cached Environment follows the run's language."""
    env.install_gettext_callables(gettext=lambda s: gettext(s), ngettext=lambda s, p, n: ngettext(s, p, n),
                                  newstyle=True)
