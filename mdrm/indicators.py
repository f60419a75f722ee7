"""Which rows count for people, as R4V counts them (docs/metodologia.md §10).

R4V counts people only on the indicators its monitoring framework types as
people in need (2021: `Indicator_Type = Pin`; 2022 on: `Direct Assistance`),
joined on (sector, indicator), and its 2021 script counts rows whatever their
`RMRP Activity` mark. The params say which rule a Mesa follows: `solo_rmrp`,
`indicadores` (R4V's list, read like any 5W table: `load.read_text_table`) and
`tipos_personas`. A type column in the export itself (`Indicator Type`) is used
where it has a value; the list gives the type of the other rows. With neither,
every indicator counts (warning W09).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog import Catalog, load_catalog
from .load import read_text_table
from .params import PEOPLE_TYPES
from .text import normalize, normalize_series

# Types that report people without being people in need (R4V 2021 `People`, 2025 `Capacity Building`): their
# people do not count, but reporting people on them is no quality issue (Q15) nor is a quantity of 0 (Q16).
PEOPLE_REPORTING_TYPES = ("People", "Capacity Building")
LIST_NAME = "la lista de indicadores"


@dataclass(frozen=True)
class IndicatorList:
    """R4V's indicator list: one row per (sector, indicator) with its type."""

    path: Path
    table: pd.DataFrame  # excel_row, sector, indicator, indicator_type, sector_key, indicator_key, type_key

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class CountingRules:
    """The params' rules on rows counted for people (defaults: today's behaviour)."""

    only_rmrp: bool = True
    indicators: IndicatorList | None = None
    people_types: tuple[str, ...] = PEOPLE_TYPES
    people_type_keys: frozenset[str] = field(default_factory=lambda: frozenset(normalize(t) for t in PEOPLE_TYPES))


def rules_of(params) -> CountingRules:
    """The counting rules of a params file (None: the defaults)."""
    if params is None:
        return CountingRules()
    path = getattr(params, "indicators_path", None)
    types = tuple(getattr(params, "people_types", PEOPLE_TYPES))
    return CountingRules(only_rmrp=getattr(params, "only_rmrp", True),
                         indicators=read_indicator_list(path) if path else None,
                         people_types=types, people_type_keys=frozenset(normalize(t) for t in types))


def read_indicator_list(path: str | Path) -> IndicatorList:
    """R4V's indicator list (xlsx or csv; Spanish or English headers; sector, indicator and type columns),
    read once per file version (a batch reads it once)."""
    path = Path(path).resolve()
    stat = path.stat() if path.is_file() else None
    return _read_list(path, stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)


@lru_cache(maxsize=8)
def _read_list(path: Path, mtime: int, size: int) -> IndicatorList:
    catalog = load_catalog()
    fields = {name: catalog.fields[name].aliases for name in ("sector", "indicator", "indicator_type")}
    table = read_text_table(path, fields, ("sector", "indicator", "indicator_type"), LIST_NAME)
    table = table[table["indicator"].notna()].reset_index(drop=True)
    table["sector_key"] = sector_keys(table["sector"], catalog).to_numpy()
    table["indicator_key"] = table["indicator"].map(normalize)
    table["type_key"] = table["indicator_type"].map(normalize)
    return IndicatorList(path, table)


def sector_keys(sectors: pd.Series, catalog: Catalog) -> pd.Series:
    """What a sector is compared by: its catalog id (English and Spanish names are one), else its
    normalized name."""
    codes, uniques = pd.factorize(sectors.astype(object), use_na_sentinel=True)
    keys = [catalog.sector_of(u)[0] or normalize(u) for u in uniques] + [""]
    return pd.Series(np.array(keys, dtype=object)[codes], index=sectors.index)


def indicator_types(df: pd.DataFrame, rules: CountingRules, catalog: Catalog) -> tuple[pd.Series, pd.Series | None]:
    """(type of each row normalized, '' when unknown, as a category; listed: whether the row's (sector,
    indicator) is in the list, None without a list). The export's own type column wins where it has a
    value. Worked on the distinct values and pairs only (a 5W has a few hundred indicators)."""
    own = df["indicator_type"] if "indicator_type" in df.columns else pd.Series(None, index=df.index, dtype=object)
    type_key = normalize_series(own)
    if rules.indicators is None:
        return type_key, None
    sector_codes, sectors = pd.factorize(df["sector"].astype(object), use_na_sentinel=False)
    indicator_codes, indicators = pd.factorize(df["indicator"].astype(object), use_na_sentinel=False)
    width = len(indicators) + 1
    pair_codes, pairs = pd.factorize(sector_codes.astype("int64") * width + indicator_codes)
    distinct = pd.DataFrame({
        "sector_key": sector_keys(pd.Series(np.asarray(sectors, dtype=object)[pairs // width]), catalog).to_numpy(),
        "indicator_key": [normalize(i) for i in np.asarray(indicators, dtype=object)[pairs % width]],
    })
    known = rules.indicators.table.drop_duplicates(["sector_key", "indicator_key"])
    joined = distinct.merge(known[["sector_key", "indicator_key", "type_key"]], how="left",
                            on=["sector_key", "indicator_key"], sort=False)
    listed = pd.Series(joined["type_key"].notna().to_numpy()[pair_codes], index=df.index)
    own = type_key.to_numpy(dtype=object)
    merged = np.where(own == "", joined["type_key"].fillna("").to_numpy(dtype=object)[pair_codes], own)
    return pd.Series(pd.Categorical(merged), index=df.index), listed
