"""The rows of a Mesa's region, read once: the one loader of the report and the exploration.

`read_region` reads the 5W of the params (or takes one already read), keeps the
Mesa's rows (its country and admin1s, `scope.mesa_rows`), raises the hard errors
of the rows in scope (docs/metodologia.md §8) and classifies them with the
methodology (`methodology.classify`: subgroup, counted or not and why). The
report (`metrics.load_month`) asks for January..the month and the month before;
the exploration (`explore.load_exploration`) for every month of the file.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from .catalog import Catalog, load_catalog
from .indicators import CountingRules, rules_of
from .load import FiveW, read_5w
from .methodology import classify
from .params import Params
from .scope import mesa_rows


@dataclass
class RegionRows:
    """The Mesa's rows of a 5W, classified."""

    catalog: Catalog  # the params' catalog (`Params.adapt`)
    fivew: FiveW
    in_region: pd.Series  # boolean mask over `fivew.data`: the Mesa's rows of every month
    rows: pd.DataFrame  # the classified rows in scope (the asked months; rows without a month too)
    rules: CountingRules  # the params' rules on rows counted for people (mdrm.indicators)


def read_region(params: Params, months: Iterable[str] | None = None, fivew: FiveW | None = None,
                catalog: Catalog | None = None, month: str | None = None) -> RegionRows:
    """The Mesa's rows of `months` ('YYYY-MM'; None: every month), hard errors for those rows only.

    `month`: the month the user asked for, named when the region is not in the file. Without `pais`,
    `params.data_country` is set to the one R4V country of the rows (the admin2 names of the
    reports: «municipio» in Colombia, `Params.admin2_country`).
    """
    catalog = params.adapt(catalog or load_catalog())
    fivew = fivew or read_5w(params.data_path, params.sheet, params.columns, catalog)
    data = fivew.data
    in_region = mesa_rows(fivew, params, catalog, month)
    in_scope = in_region
    if months is not None:
        in_scope = in_region & (data["month"].isna() | data["month"].isin(set(months)))
    fivew.check_cells(in_scope)
    rules = rules_of(params)
    rows = classify(data[in_scope], catalog, params.duplicates, rules, fivew.unread)
    if params.country is None:  # the admin2 names of the country of the rows (`Params.admin2_country`)
        found = {str(c) for c in rows["country_key"].dropna().unique()} & set(catalog.countries)
        params.data_country = found.pop() if len(found) == 1 else None
    return RegionRows(catalog, fivew, in_region, rows, rules)
