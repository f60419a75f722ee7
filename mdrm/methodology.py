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
from .scope import country_keys
from .text import normalize_series

BASIS_COLUMN = {"mensual": "total_monthly", "nuevos": "new_beneficiaries"}
IDENTITY_FIELDS_EXCLUDE = ("excel_row",)

# Why a row is not counted for people (docs/metodologia.md §1: read = counted + excluded).
EXCLUDED_DUPLICATE = "fila_duplicada"
EXCLUDED_NOT_RMRP = "actividad_no_rmrp"
EXCLUDED_NO_PEOPLE_SUBGROUP = "servicios_comunes"
EXCLUSION_LABELS = {
    EXCLUDED_DUPLICATE: "Fila duplicada (se cuenta solo la primera)",
    EXCLUDED_NOT_RMRP: "Actividad fuera del RMRP (Actividad RMRP = No)",
    EXCLUDED_NO_PEOPLE_SUBGROUP: "Servicios comunes (manejo de información, coordinación, comunicación…): "
                                 "no cuentan personas",
}


def classify(data: pd.DataFrame, catalog: Catalog, duplicates: str = "excluir") -> pd.DataFrame:
    """Add the derived columns the methodology needs, from distinct values.

    sector_key (sector normalized), sector_id and subgroup (catalog), country_key
    (R4V country id, '' when blank), admin1_key, admin2_key ('(sin dato)' when
    blank), org_key / org (reporting organization: implementing partner, else
    appealing org), activity_key, duplicate_of
    (Excel row of the first copy, or 0), exclusion (reason or None), counted.
    `copy_of` is the Excel row of the first copy of an exact copy (Q08) whatever
    `duplicates`; with `duplicates="contar"` (params `duplicados: contar`) the
    copies are counted like any row, so `duplicate_of` stays 0.
    """
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
    row_hash = pd.util.hash_pandas_object(data[identity], index=False)
    first_row = df["excel_row"].groupby(row_hash.to_numpy()).transform("first")
    df["copy_of"] = np.where(first_row.to_numpy() != df["excel_row"].to_numpy(), first_row.to_numpy(), 0)
    df["duplicate_of"] = df["copy_of"] if duplicates == "excluir" else 0

    exclusion = pd.Series(None, index=df.index, dtype=object)  # common services by sector id, whatever the grouping
    exclusion = exclusion.mask(df["sector_id"].isin(catalog.no_people_sectors), EXCLUDED_NO_PEOPLE_SUBGROUP)
    exclusion = exclusion.mask(df["rmrp_activity"].eq(False).fillna(False).astype(bool), EXCLUDED_NOT_RMRP)
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
                    catalog: Catalog, by: str | None = None) -> pd.DataFrame:
    """People reached without double counting (docs/metodologia.md §2, regla 3), one row per `by` value.

    maximo: per group, Σ over admin units of the max over sectors of the
    unit-sector sum. A unit is country + admin1 (+ admin2 at level admin2: blank
    admin2 cells form one unit '(sin dato)' within their admin1). suma: plain
    sum. cono_sur: max over the basic-needs sectors plus Protection (General)
    plus the sum of CBI, Integration, Health, Education.
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
        return _max_over(values, [by_key, *units], df["sector_key"].rename("_sector"))
    if method == "cono_sur":
        rule = catalog.cono_sur
        sector_id = df["sector_id"]
        in_max = sector_id.isin(rule["maximo"]).to_numpy()
        in_plus = sector_id.isin(rule["mas"]).to_numpy()
        in_sum = sector_id.isin(rule["suma"]).to_numpy()
        keys = [by_key[in_max], *(u[in_max] for u in units)]
        part_max = _max_over(values[in_max], keys, sector_id[in_max].rename("_sector"))
        part_plus = values[in_plus].groupby(by_key[in_plus]).sum()
        part_sum = values[in_sum].groupby(by_key[in_sum]).sum()
        total = pd.concat([part_max, part_plus, part_sum]).groupby(level=0).sum()
        all_by = pd.Index(sorted(by_key.unique()), name="_by")
        return total.reindex(all_by, fill_value=0.0)[cols]
    raise ValueError(f"unknown method {method}")


def _max_over(values: pd.DataFrame, keys: list[pd.Series], sector: pd.Series) -> pd.DataFrame:
    cols = list(values.columns)
    if values.empty:
        return pd.DataFrame(columns=cols, dtype="float64", index=pd.Index([], name="_by"))
    per_sector = values.groupby([*keys, sector], sort=False, observed=True).sum()
    per_unit = per_sector.groupby(level=list(range(len(keys))), sort=False).max()
    return per_unit.groupby(level=0, sort=True).sum()


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
