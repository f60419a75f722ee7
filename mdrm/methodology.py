"""R4V's methodology made exact (docs/metodologia.md §2), vectorized over the 5W rows.

The functions here work on float values and return floats; rounding is done
once, where a figure is published (`mdrm.metrics`). Every function takes an
optional `by` column (usually `month`) so a whole year is computed in one
groupby instead of a loop over months.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import SIN_DATO, SIN_DESAGREGAR, SIN_SUBGRUPO, Catalog
from .indicators import CountingRules, indicator_types
from .scope import country_keys
from .text import normalize_series

BASIS_COLUMN = {"mensual": "total_monthly", "nuevos": "new_beneficiaries"}
# `deduplicacion.regla_maximo` (docs/metodologia.md §2, regla 3): how the max over sectors is taken.
MAX_BY_GROUP = "por_grupo"    # each population group's max (unsplit people apportioned first)
MAX_BY_SECTOR = "por_sector"  # R4V 2021's maxsector: the largest sector with its own split
MAX_RULES = (MAX_BY_GROUP, MAX_BY_SECTOR)
IDENTITY_FIELDS_EXCLUDE = ("excel_row",)

# Why a row is not counted for people (docs/metodologia.md §1: read = counted + excluded).
EXCLUDED_DUPLICATE = "fila_duplicada"
EXCLUDED_NOT_RMRP = "actividad_no_rmrp"
EXCLUDED_NO_PEOPLE_SUBGROUP = "servicios_comunes"
EXCLUDED_NOT_PEOPLE_INDICATOR = "indicador_no_personas"
EXCLUDED_UNTYPED_INDICATOR = "indicador_sin_tipo"
EXCLUSION_LABELS = {
    EXCLUDED_DUPLICATE: "Fila duplicada (se cuenta solo la primera)",
    EXCLUDED_NOT_RMRP: "Actividad fuera del RMRP (Actividad RMRP = No)",
    EXCLUDED_NO_PEOPLE_SUBGROUP: "Servicios comunes (manejo de información, coordinación, comunicación…): "
                                 "no cuentan personas",
    EXCLUDED_NOT_PEOPLE_INDICATOR: "Indicador que no es de personas en necesidad (por su tipo en la lista de "
                                   "indicadores o en el 5W)",
    EXCLUDED_UNTYPED_INDICATOR: "Indicador sin tipo (no está en la lista de indicadores)",
}


def total_rounded_once(method: str, rule: str = MAX_BY_GROUP) -> bool:
    """Whether the headline's total is its unrounded value rounded once, the groups apportioned to it
    by largest remainder (docs/metodologia.md §2, regla 7). `suma` and R4V's maxsector (`por_sector`,
    also inside `cono_sur`) publish a sum of the basis, as R4V's script sums it: rounding each group
    first could add 1 per group. `por_grupo`'s total is a sum of per-group maxima and stays the sum
    of the rounded groups, as the seed publishes it."""
    return method == "suma" or rule == MAX_BY_SECTOR


def classify(data: pd.DataFrame, catalog: Catalog, duplicates: str = "excluir", rules: CountingRules | None = None,
             unread: pd.Series | None = None) -> pd.DataFrame:
    """Add the derived columns the methodology needs, from distinct values.

    sector_key (sector normalized), sector_id and subgroup (catalog), country_key
    (R4V country id, '' when blank), admin1_key, admin2_key ('(sin dato)' when
    blank), org_key / org (reporting organization: implementing partner, else
    appealing org), activity_key, duplicate_of
    (Excel row of the first copy, or 0), exclusion (reason or None), counted.
    `copy_of` is the Excel row of the first copy of an exact copy (Q08) whatever
    `duplicates`; with `duplicates="contar"` (params `duplicados: contar`) the
    copies are counted like any row, so `duplicate_of` stays 0. A copy is equal in
    every column of the export: `unread` (`FiveW.unread`) stands for the columns
    no field reads.
    `rules` (`indicators.CountingRules`, from the params): `type_key` (the row's
    indicator type, normalized, '' unknown), `listed` (in the indicator list;
    True without one), `rmrp_excluded` (a row that would count but for its RMRP
    "No" mark under `solo_rmrp: true`: warning W08).
    """
    rules = rules or CountingRules()
    df = data.copy()
    df["sector_key"] = normalize_series(df["sector"])
    sector_codes, sector_uniques = pd.factorize(df["sector_key"])
    ids = [catalog.sector_of(k) for k in sector_uniques]
    df["sector_id"] = pd.Index([i[0] for i in ids] + [None], dtype=object).take(sector_codes)
    df["subgroup"] = pd.Index([i[1] for i in ids] + [SIN_SUBGRUPO], dtype=object).take(sector_codes)
    df["country_key"] = country_keys(df["country"], catalog)
    df["admin1_key"] = normalize_series(df["admin1"])
    df["admin2_key"] = normalize_series(df["admin2"], blank=SIN_DATO)
    partner = df["implementing_partner"].astype(object).where(
        df["implementing_partner"].notna(), df["appealing_org"].astype(object))
    df["org_key"] = normalize_series(partner)
    df["org"] = organization_labels(partner, df["org_key"])
    df["activity_key"] = normalize_series(df["activity_name"])

    identity = [c for c in data.columns if c not in IDENTITY_FIELDS_EXCLUDE]
    cells = data[identity]
    if unread is not None:
        cells = cells.assign(_unread=unread.reindex(data.index).to_numpy())
    row_hash = pd.util.hash_pandas_object(cells, index=False)
    first_row = df["excel_row"].groupby(row_hash.to_numpy()).transform("first")
    df["copy_of"] = np.where(first_row.to_numpy() != df["excel_row"].to_numpy(), first_row.to_numpy(), 0)
    df["duplicate_of"] = df["copy_of"] if duplicates == "excluir" else 0

    type_key, listed = indicator_types(df, rules, catalog)
    df["type_key"] = type_key
    df["listed"] = listed if listed is not None else True
    typed = rules.indicators is not None or bool((type_key != "").any())  # else every indicator counts (W09)
    exclusion = pd.Series(None, index=df.index, dtype=object)
    if typed:
        exclusion = exclusion.mask(type_key == "", EXCLUDED_UNTYPED_INDICATOR)
        exclusion = exclusion.mask((type_key != "") & ~type_key.isin(rules.people_type_keys),
                                   EXCLUDED_NOT_PEOPLE_INDICATOR)
    # common services by sector id, whatever the grouping (`subgrupos:`)
    exclusion = exclusion.mask(df["sector_id"].isin(catalog.no_people_sectors), EXCLUDED_NO_PEOPLE_SUBGROUP)
    rmrp_no = df["rmrp_activity"].eq(False).fillna(False).astype(bool)
    would_count = exclusion.isna() & (df["duplicate_of"] == 0)
    df["rmrp_excluded"] = rmrp_no & would_count if rules.only_rmrp else False
    if rules.only_rmrp:
        exclusion = exclusion.mask(rmrp_no, EXCLUDED_NOT_RMRP)
    exclusion = exclusion.mask(df["duplicate_of"] > 0, EXCLUDED_DUPLICATE)
    df["exclusion"] = exclusion
    df["counted"] = exclusion.isna()
    return df


def organization_labels(names: pd.Series, keys: pd.Series) -> pd.Series:
    """The label of each row's reporting organization: the most frequent spelling of its key.

    Names are compared normalized (case, accents and punctuation aside), so
    «AsociacIón Scalabrinianos» and «Asociación Scalabrinianos» are one
    organization; it is shown as most rows write it (the first written on a
    tie). Blank names stay missing.
    """
    name_codes, name_uniques = pd.factorize(names.astype(object), use_na_sentinel=True)
    key_codes, _ = pd.factorize(keys.astype(object), use_na_sentinel=True)
    present = name_codes >= 0
    if not present.any():
        return names.astype(object)
    pairs = pd.DataFrame({"key": key_codes[present], "name": name_codes[present]})
    tally = pairs.groupby(["key", "name"], sort=False).size().rename("n").reset_index()
    best = tally.sort_values("n", ascending=False, kind="stable").drop_duplicates("key")
    label_code = np.full(key_codes.max() + 2, -1, dtype="int64")
    label_code[best["key"].to_numpy()] = best["name"].to_numpy()
    chosen = np.where(present, label_code[key_codes], -1)
    labels = pd.Index(list(name_uniques) + [None], dtype=object).take(np.where(chosen >= 0, chosen, len(name_uniques)))
    return pd.Series(labels, index=names.index, dtype=object)


def group_values(df: pd.DataFrame, basis: str, catalog: Catalog) -> pd.DataFrame:
    """People of each row per population group (docs/metodologia.md §2, regla 1).

    value_g = basis × split_g / Σ split; a row with people and no split puts
    them in `sin_desagregar`.
    """
    people = df[BASIS_COLUMN[basis]].to_numpy(dtype="float64")
    groups = catalog.population_ids
    split = df[groups].to_numpy(dtype="float64")
    split_sum = split.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(split_sum[:, None] > 0, split / split_sum[:, None], 0.0)
    values = pd.DataFrame(share * people[:, None], columns=groups, index=df.index)
    values[SIN_DESAGREGAR] = np.where(split_sum > 0, 0.0, people)
    return values


def sex_age_values(df: pd.DataFrame, basis: str, catalog: Catalog) -> pd.DataFrame:
    """People of each row per age/sex part, apportioned like the population split."""
    people = df[BASIS_COLUMN[basis]].to_numpy(dtype="float64")
    parts = catalog.sex_age_ids
    split = df[parts].to_numpy(dtype="float64")
    split_sum = split.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(split_sum[:, None] > 0, split / split_sum[:, None], 0.0)
    return pd.DataFrame(share * people[:, None], columns=parts, index=df.index)


def _by_key(df: pd.DataFrame, by: str | None) -> pd.Series:
    return df[by] if by else pd.Series("", index=df.index)


def headline_values(df: pd.DataFrame, values: pd.DataFrame, method: str, level: str,
                    catalog: Catalog, by: str | None = None, rule: str = MAX_BY_GROUP) -> pd.DataFrame:
    """People reached without double counting (docs/metodologia.md §2, regla 3), one row per `by` value.

    maximo: Σ over admin units of the max over sectors of the unit-sector sums,
    taken as `rule` says (`max_per_unit`). A unit is country + admin1 (+ admin2
    at level admin2: blank admin2 cells form one unit '(sin dato)' within their
    admin1). suma: plain sum. cono_sur: the max (same rule) over the
    basic-needs sectors plus Protection (General) plus the sum of CBI,
    Integration, Health, Education.
    """
    by_key = _by_key(df, by).rename("_by")
    units = [df["admin1_key"].rename("_a1")]
    if "country_key" in df and df["country_key"].nunique() > 1:  # one country: the key changes nothing
        units.insert(0, df["country_key"].rename("_c"))
    if level == "admin2":
        units.append(df["admin2_key"].rename("_a2"))
    cols = list(values.columns)
    if method == "suma":
        return values.groupby(by_key, sort=True).sum()
    if method == "maximo":
        return _max_over(values, [by_key, *units], df["sector_key"].rename("_sector"), rule)
    if method == "cono_sur":
        cono = catalog.cono_sur
        sector_id = df["sector_id"]
        in_max = sector_id.isin(cono["maximo"]).to_numpy()
        in_plus = sector_id.isin(cono["mas"]).to_numpy()
        in_sum = sector_id.isin(cono["suma"]).to_numpy()
        keys = [by_key[in_max], *(u[in_max] for u in units)]
        part_max = _max_over(values[in_max], keys, sector_id[in_max].rename("_sector"), rule)
        part_plus = values[in_plus].groupby(by_key[in_plus]).sum()
        part_sum = values[in_sum].groupby(by_key[in_sum]).sum()
        total = pd.concat([part_max, part_plus, part_sum]).groupby(level=0).sum()
        all_by = pd.Index(sorted(by_key.unique()), name="_by")
        return total.reindex(all_by, fill_value=0.0)[cols]
    raise ValueError(f"unknown method {method}")


def _max_over(values: pd.DataFrame, keys: list[pd.Series], sector: pd.Series, rule: str) -> pd.DataFrame:
    cols = list(values.columns)
    if values.empty:
        return pd.DataFrame(columns=cols, dtype="float64", index=pd.Index([], name="_by"))
    per_sector = values.groupby([*keys, sector], sort=False, observed=True).sum()
    per_unit = max_per_unit(per_sector, rule)
    return per_unit.groupby(level=0, sort=True).sum()


def max_per_unit(per_sector: pd.DataFrame, rule: str = MAX_BY_GROUP) -> pd.DataFrame:
    """The intersector figure of each unit from its sectors' sums (docs/metodologia.md §2, regla 3).

    `per_sector`: one row per unit and sector (index: the unit's levels, then the
    sector last), one column per population group (and `sin_desagregar`).
    Returns one row per unit (index: the unit's levels).

    por_sector (R4V 2021's «maxsector»): the one sector with the largest total,
    with its own split. Ties are broken whatever the row order: the sector with
    more split people (less `sin_desagregar`), then the sector's key
    alphabetically (R4V's `which.max` takes the first sector in its sorted
    order). Totals are compared at 1e-6 so the order in which rows were summed
    never decides.

    por_grupo: each group's max over sectors, after the unsplit people of each
    sector are apportioned to the groups by that sector's split in the unit,
    else by the unit's split over every sector, else they stay `sin_desagregar`:
    one sector's unsplit people are never added on top of another sector's split
    people.
    """
    unit_levels = list(range(per_sector.index.nlevels - 1))
    groups = [c for c in per_sector.columns if c != SIN_DESAGREGAR]
    if rule == MAX_BY_SECTOR:
        total = per_sector.sum(axis=1).round(6).to_numpy()
        split = per_sector[groups].sum(axis=1).round(6).to_numpy()
        sector_rank = np.unique(np.asarray(per_sector.index.get_level_values(-1), dtype=str), return_inverse=True)[1]
        unit = pd.factorize(per_sector.index.droplevel(-1))[0]
        order = np.lexsort((sector_rank, -split, -total, unit))  # the last key sorts first
        ranked = per_sector.iloc[order]
        first = ~ranked.index.droplevel(-1).duplicated()
        return ranked[first].droplevel(-1)
    if rule != MAX_BY_GROUP:
        raise ValueError(f"unknown max rule {rule}")
    if SIN_DESAGREGAR in per_sector.columns and groups:
        split = per_sector[groups].to_numpy(dtype="float64")
        unsplit = per_sector[SIN_DESAGREGAR].to_numpy(dtype="float64")
        unit_split = per_sector[groups].groupby(level=unit_levels, sort=False).transform("sum").to_numpy()
        own_sum, unit_sum = split.sum(axis=1), unit_split.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where((own_sum > 0)[:, None], split / own_sum[:, None],
                             np.where((unit_sum > 0)[:, None], unit_split / unit_sum[:, None], 0.0))
        apportioned = per_sector.copy()
        apportioned[groups] = split + share * unsplit[:, None]
        apportioned[SIN_DESAGREGAR] = np.where(unit_sum > 0, 0.0, unsplit)
        per_sector = apportioned
    return per_sector.groupby(level=unit_levels, sort=False).max()


def subgroup_values(df: pd.DataFrame, values: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Σ of each group's values per subgroup (docs/metodologia.md §2, regla 2), indexed by (by, subgroup)."""
    return values.groupby([_by_key(df, by).rename("_by"), df["subgroup"]], sort=False).sum()


def sector_figures(df: pd.DataFrame, basis: str) -> pd.DataFrame:
    """Per sector (compared normalized, shown as first reported): basis total and new."""
    grouped = df.groupby("sector_key", sort=False)
    table = pd.DataFrame({
        "sector": grouped["sector"].first(),
        "subgroup": grouped["subgroup"].first(),
        "total": grouped[BASIS_COLUMN[basis]].sum(),
        "new": grouped["new_beneficiaries"].sum(),
    })
    return table


def key_figure_masks(df: pd.DataFrame, catalog: Catalog) -> dict[str, pd.Series]:
    """Rows feeding each key figure.

    A row matches when its normalized activity name contains any of the key
    figure's `patrones`, or its normalized indicator any of its `indicadores`;
    a key figure with neither matches every row. Patterns are tried on the
    distinct values only.
    """
    codes, uniques = pd.factorize(df["activity_key"])
    indicator = None  # (codes, uniques) of the normalized indicator, computed once when needed
    masks = {}
    for kf in catalog.key_figures.values():
        if not kf.patterns and not kf.indicator_patterns:
            masks[kf.id] = pd.Series(True, index=df.index)
            continue
        hit = np.zeros(len(df), dtype=bool)
        if kf.patterns:
            hit |= _contains_any(uniques, kf.patterns)[codes]
        if kf.indicator_patterns:
            if indicator is None:
                indicator = pd.factorize(normalize_series(df["indicator"]))
            hit |= _contains_any(indicator[1], kf.indicator_patterns)[indicator[0]]
        masks[kf.id] = pd.Series(hit, index=df.index)
    return masks


def _contains_any(uniques, patterns: tuple[str, ...]) -> np.ndarray:
    """Per distinct value, whether it contains a pattern; one more False for missing (code -1)."""
    return np.array([any(p in str(u) for p in patterns) for u in uniques] + [False], dtype=bool)


def key_figure_values(df: pd.DataFrame, basis: str, catalog: Catalog) -> dict[str, float]:
    column = {"cantidad": "quantity", "personas": BASIS_COLUMN[basis], "usd": "cva_value_usd"}
    masks = key_figure_masks(df, catalog)
    return {
        kf_id: float(df.loc[masks[kf_id], column[kf.value]].sum())
        for kf_id, kf in catalog.key_figures.items()
    }
