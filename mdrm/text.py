"""Text normalization shared by headers, sectors, names and patterns.

One rule everywhere (docs/metodologia.md §1): lower case, accents removed, every run of
non-alphanumerics turned into one space, trimmed. Applied to the distinct
values of a column only, never row by row.
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and ftfy are imported where used: `mdrm` starts its commands without them
    import pandas as pd

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(value: object) -> str:
    """Normalize one label for comparison ('Protección (General)' -> 'proteccion general')."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
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


def repair_mojibake(values: pd.Series) -> pd.Series:
    """Repair UTF-8 text read as Latin-1 ('OrientaciÃ³n' -> 'Orientación') with ftfy."""
    import ftfy

    return map_distinct(values, lambda u: ftfy.fix_encoding(u) if isinstance(u, str) else u)


def slug(text: str) -> str:
    """File-system name of a region ('Madre de Dios' -> 'madre-de-dios')."""
    return normalize(text).replace(" ", "-") or "region"


_TERMINAL_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: escape sequences (colors, cursor moves, window titles) and
    control characters removed, also bidirectional overrides; line breaks and tabs kept."""
    return _CONTROL.sub("", _TERMINAL_SEQUENCE.sub("", str(text)))
