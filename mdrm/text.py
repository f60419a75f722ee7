"""Text normalization shared by headers, sectors, names and patterns.

One rule everywhere (docs/metodologia.md §1): lower case, accents removed, every run of
non-alphanumerics turned into one space, trimmed. Applied to the distinct
values of a column only, never row by row.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where used: `mdrm` starts its commands without them
    import pandas as pd

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(value: object) -> str:
    """Normalize one label for comparison ('Protección (General)' -> 'proteccion general')."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = unicodedata.normalize("NFKD", _FORMAT.sub("", str(value)))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_ALNUM.sub(" ", text).strip()


def map_distinct(values: pd.Series, function, missing=None, dtype=object) -> pd.Series:
    """Apply `function` to each distinct value of a column, not to each row.

    A 5W column has few distinct values (provinces, sectors, organizations), so
    this is how every per-value rule runs on 10^6 rows in milliseconds.
    Missing cells get `missing`. With dtype "category" the result keeps the
    codes, so later groupbys and comparisons on it cost almost nothing.
    """
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = [function(u) for u in uniques] + [missing]
    if dtype == "category":
        new_codes, categories = pd.factorize(pd.Series(mapped, dtype=object), use_na_sentinel=True)
        categorical = pd.Categorical.from_codes(new_codes[codes], categories=categories)
        return pd.Series(categorical, index=values.index)
    table = pd.array(mapped, dtype=dtype)
    return pd.Series(table.take(codes), index=values.index)


def normalize_series(values: pd.Series, blank: str = "") -> pd.Series:
    """Normalize a column through its distinct values; blank cells become `blank`."""
    return map_distinct(values, lambda u: normalize(u) or blank, missing=blank, dtype="category")


def slug(text: str) -> str:
    """File-system name of a region ('Madre de Dios' -> 'madre-de-dios')."""
    return normalize(text).replace(" ", "-") or "region"


_TERMINAL_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: escape sequences (colors, cursor moves, window titles) and
    control characters removed, also bidirectional overrides; line breaks and tabs kept."""
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", str(text)))


# Unicode format characters (category Cf, Unicode 14): soft hyphen, zero-width space and joiners, bidi
# marks and overrides, word joiner, BOM… Invisible, they would split «Ta\u200bcna» from «Tacna»; listed as
# ranges so that no table is built at import (tests/test_hostile_read.py checks it against unicodedata).
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
# Control characters (category Cc) but tab and line feed; CR is a line break (made LF) before this applies.
_CELL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_format_characters(text: str) -> str:
    """Text without invisible format characters (category Cf): what a person sees is what is compared."""
    return _FORMAT.sub("", text)


def clean_cell_text(text: str) -> tuple[str, bool]:
    """A text cell as shown and compared: NFC, line breaks as LF, format characters (zero-width, soft
    hyphen, bidi controls) removed; control characters and terminal escape sequences removed too, and
    told by the second item (True: the cell had some, a quality issue for its row)."""
    if text.isascii() and text.isprintable():
        return text, False
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _FORMAT.sub("", text)
    cleaned = _CELL_CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", text))
    return cleaned, cleaned != text
