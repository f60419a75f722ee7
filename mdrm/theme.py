"""The report's look, read from one file: `templates/mdrm/theme.css`.

The stylesheet is the single home of the colours (the custom properties of its
`:root` block, `--mdrm-accent: …; …`) and of the report's CSS rules. The
HTML uses the properties as `var(--mdrm-…)`; matplotlib (charts, map, tablero)
needs the values themselves and reads them here. The file is parsed once per
path (cached): pointing `THEME_PATH` at another file changes the whole look.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from . import data_path

THEME_PATH = data_path("templates", "mdrm", "theme.css")

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_ROOT = re.compile(r":root\s*\{([^}]*)\}")
_PROPERTY = re.compile(r"--mdrm-([A-Za-z0-9-]+)\s*:\s*([^;]+?)\s*(?:;|$)")
POPULATION_PREFIX = "population-"


@lru_cache(maxsize=8)
def _read(path: Path) -> tuple[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    root = _ROOT.search(_COMMENT.sub("", text))
    if root is None:
        raise ValueError(f"{path}: sin bloque :root con los colores del tema (--mdrm-…)")
    return text, dict(_PROPERTY.findall(root.group(1)))


def css() -> str:
    """The whole stylesheet (the report's `<style>` block and the index page include it)."""
    return _read(THEME_PATH)[0]


def colors() -> dict[str, str]:
    """Every `--mdrm-<name>` property of `:root`, by name without the prefix: {'accent': <its value>, …}."""
    return _read(THEME_PATH)[1]


def color(name: str) -> str:
    """One colour of the theme: color('accent') -> the value of --mdrm-accent."""
    try:
        return colors()[name]
    except KeyError:
        raise KeyError(f"el tema {THEME_PATH} no define --mdrm-{name}") from None


def population_colors() -> dict[str, str]:
    """Population group id -> colour, from the `--mdrm-population-<group>` properties ('-' for '_')."""
    return {name[len(POPULATION_PREFIX):].replace("-", "_"): value
            for name, value in colors().items() if name.startswith(POPULATION_PREFIX)}
