"""The Mesa's rows (README.md, «Alcance: país, regiones y reporte nacional»): which rows of an export a params file reports on.

One home for the scope, used by the report (`metrics.load_month`) and by the
exploration (`explore.load_exploration`):

- the country: rows whose country (Spanish or English name, matched through
  `Catalog.country_id` on the distinct values) is the params' `pais`; without
  `pais`, an admin1 of the Mesa found in several countries of the file is a
  hard error naming them;
- the admin1s: one, a list, or every admin1 of the country (national report),
  compared normalized.

A region that is not in the file gets the closest names of that country
("¿Quiso decir «Bogotá D.C.»?") and then the country's regions.

Reports of several admin1s (a list, or the whole country) show admin1s where a
one-region report shows provinces (admin2): `by_admin1`, `area_label`.
"""
from __future__ import annotations

import difflib

import pandas as pd

from .catalog import Catalog
from .errors import InputError
from .text import map_distinct, normalize, normalize_series

SAMPLE_FOLDER = "ejemplo"  # data/ejemplo/: the kit's sample data, marked on every report and in the index
REGIONS_SHOWN = 25  # regions listed in a "region not found" message before "y N más"
SUGGESTIONS = 3


def is_sample(params) -> bool:
    """Data from the kit's sample folder (data/ejemplo/)."""
    return params.data_path.parent.name == SAMPLE_FOLDER


def by_admin1(params) -> bool:
    """A report of several admin1s (a list or the whole country) breaks figures down by admin1."""
    return params.national or len(params.regions) > 1


def admin2_label(params, plural: bool = False, article: bool = False) -> str:
    """The admin2 level as the Mesa's country names it, lower case: «provincia», «municipio», «cantón»…
    (`article`: «las provincias», «los municipios»)."""
    from .catalog import load_catalog

    return load_catalog().admin2_label(getattr(params, "admin2_country", None), plural, article)


def area_label(params, plural: bool = False) -> str:
    """What the breakdown's rows are called: the admin2 level as the country names it («Provincia»,
    «Municipio»…), or «Región» (admin1) in a report of several admin1s."""
    if by_admin1(params):
        return "Regiones" if plural else "Región"
    return admin2_label(params, plural).capitalize()


def shows_areas(view) -> bool:
    """The report has a breakdown section: by admin1 (several admin1s), or by admin2 when the month has one."""
    return by_admin1(view.params) or month_has_admin2(view)


def month_has_admin2(view) -> bool:
    """Some row of the month carries an admin2 (else: no admin2 section, no map)."""
    rows = view.data.rows
    return "admin2" in view.data.fivew.source.headers and bool(rows["admin2"].notna().any())


def area_columns(params) -> tuple[str, str]:
    """(key column, name column) of the breakdown rows in classified data."""
    return ("admin1_key", "admin1") if by_admin1(params) else ("admin2_key", "admin2")


def is_country_itself(names: pd.Series, params, catalog: Catalog) -> pd.Series:
    """Admin1 values that name the country itself («Peru» in Peru's export: activities of national reach),
    shown as «Nivel nacional»; without a known country, any R4V country's name (through distinct values)."""
    country = getattr(params, "admin2_country", None)

    def national(value) -> bool:
        found = catalog.country_id(value)
        return found is not None and (country is None or found == country)

    return map_distinct(names, national, missing=False, dtype=bool).astype(bool)


def area_names(rows: pd.DataFrame, params, catalog: Catalog, column: str | None = None) -> pd.Series:
    """The breakdown's name of each row (`column`, else `area_columns`): blank is «(sin dato)»; an admin1
    that is the country itself is «Nivel nacional»."""
    from .catalog import NIVEL_NACIONAL, SIN_DATO

    column = column or area_columns(params)[1]
    names = rows[column].astype(object).where(rows[column].notna(), SIN_DATO)
    if column == "admin1" and len(names):
        names = names.where(~is_country_itself(rows[column], params, catalog), NIVEL_NACIONAL)
    return names


def country_keys(values: pd.Series, catalog: Catalog) -> pd.Series:
    """The R4V country id of each row ('Brazil' and 'Brasil' -> 'brasil'), through distinct values.

    A name that is not an R4V country stays as its normalized text; blank is ''.
    """
    return map_distinct(values, lambda u: catalog.country_id(u) or normalize(u), missing="", dtype="category")


def _country_name(key: str, raw: pd.Series, keys: pd.Series, catalog: Catalog) -> str:
    if key in catalog.countries:
        return catalog.country_label(key)
    shown = raw[keys == key].dropna()
    return str(shown.iloc[0]) if len(shown) else key


def _first_spelling(keys: pd.Series, raw: pd.Series) -> dict[str, str]:
    """Normalized admin1 -> the first way the file writes it."""
    present = (keys != "").to_numpy()
    first = raw[present].astype(object).groupby(keys[present].astype(object).to_numpy(), sort=False).first()
    return {str(k): str(v) for k, v in first.items()}


def _scope(data: pd.DataFrame, params, catalog: Catalog):
    """(admin1 keys, country keys, has_country, in_country, mask) of the params' scope; no check."""
    admin1 = normalize_series(data["admin1"])
    country = country_keys(data["country"], catalog)
    has_country = bool((country != "").any())
    if params.country and has_country:
        in_country = pd.Series((country == params.country).to_numpy(), index=data.index)
    else:
        in_country = pd.Series(True, index=data.index)
    if params.national:
        return admin1, country, has_country, in_country, in_country
    wanted = [normalize(r) for r in params.regions]
    return admin1, country, has_country, in_country, in_country & admin1.isin(wanted).to_numpy()


def region_mask(data: pd.DataFrame, params, catalog: Catalog) -> pd.Series:
    """The rows of the Mesa's country and admin1s, every month, without the checks of `mesa_rows`
    (for `mdrm validate`, which reports on whatever rows there are)."""
    return _scope(data, params, catalog)[-1]


def mesa_rows(fivew, params, catalog: Catalog, month: str | None = None) -> pd.Series:
    """Boolean mask of the rows of the Mesa: its country and its admin1s (every month).

    Hard errors (exit 2): a bad cell of the admin1 column; `pais` with no row
    of that country; an admin1 not in the file (with suggestions); without
    `pais`, an admin1 found in several countries. `month`: the month asked
    for, named in the region-not-found message.
    """
    data, source = fivew.data, fivew.source
    fivew.check_cells(pd.Series(False, index=data.index))  # bad admin1 cells count whatever the region
    admin1, country, has_country, in_country, mask = _scope(data, params, catalog)
    country_column = source.headers.get("country", "País")
    admin1_column = source.headers.get("admin1", "Admin1")

    if params.country and has_country and not in_country.any():
        present = [k for k in sorted(set(country.unique())) if k]
        raise InputError(
            f"no hay filas de «{catalog.country_label(params.country)}» en el archivo",
            file=source.path, sheet=source.sheet, column=country_column,
            hint="Países en el archivo: " + ", ".join(
                f"«{_country_name(k, data['country'], country, catalog)}»" for k in present))
    if params.country and "country" not in source.headers:
        _check_no_foreign_admin1(mask, data, admin1, params, catalog, source, admin1_column)
    if params.national:
        return mask

    wanted = {normalize(r): r for r in params.regions}
    found = set(admin1[mask].unique())
    missing = [name for key, name in wanted.items() if key not in found]
    if missing:
        raise _not_found(missing, data, admin1, country, in_country, params, catalog, source, admin1_column,
                         month)
    if not params.country and has_country:
        _check_one_country(mask, data, admin1, country, wanted, catalog, source, admin1_column)
    return mask


FOREIGN_SHOWN = 10  # regions of other countries named in the no-country-column error


def _check_no_foreign_admin1(mask, data, admin1, params, catalog: Catalog, source, column) -> None:
    """`pais` given and no country column: the Mesa's rows must not hold admin1s of other countries
    (`admin1.yml`), which would be counted as the country's (hard error, never a silent merge)."""
    rows = admin1[mask]
    if rows.empty:
        return
    grouped = data.loc[mask, ["excel_row", "admin1"]].astype({"admin1": object}).groupby(
        rows.astype(object).to_numpy(), sort=False)
    first_row, spelled = grouped["excel_row"].min(), grouped["admin1"].first()
    foreign = []
    for key, row in first_row.items():  # one admin1 at a time: a few dozen
        countries = catalog.countries_of_admin1(key)
        if key and countries and params.country not in countries:
            names = ", ".join(sorted(catalog.country_label(c) for c in countries))
            foreign.append((int(row), f"«{spelled[key]}» ({names}, fila {int(row)})"))
    if not foreign:
        return
    foreign.sort()
    listed = "; ".join(text for _, text in foreign[:FOREIGN_SHOWN])
    if len(foreign) > FOREIGN_SHOWN:
        listed += f"; y {len(foreign) - FOREIGN_SHOWN} más"
    country = catalog.country_label(params.country)
    raise InputError(
        f"el 5W no tiene columna de país y tiene regiones de otros países que se contarían como de {country}: "
        f"{listed}", file=source.path, sheet=source.sheet, row=foreign[0][0], column=column,
        hint="Agregue al archivo la columna «País Country» (o «Country») de la exportación de R4V, o indique "
             "con `columnas:` en los parámetros el encabezado que la tiene")


def _check_one_country(mask, data, admin1, country, wanted, catalog, source, column) -> None:
    """Without `pais`, each admin1 of the Mesa must belong to one country of the file."""
    rows = mask & (country != "").to_numpy()
    if country[rows].nunique() <= 1:  # the usual case: every row of the Mesa in one country
        return
    pairs = pd.DataFrame({"admin1": admin1[rows], "country": country[rows], "excel_row": data.loc[rows, "excel_row"]})
    firsts = pairs.groupby(["admin1", "country"], observed=True)["excel_row"].min().reset_index()
    firsts = firsts.astype({"admin1": object, "country": object})
    counts = firsts.groupby("admin1")["country"].size()
    shared = [a for a in counts.index if counts[a] > 1]
    if not shared:
        return
    key = shared[0]
    both = firsts[firsts["admin1"] == key].sort_values("excel_row")
    names = [_country_name(c, data["country"], country, catalog) for c in both["country"]]
    listed = " y ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    raise InputError(
        f"la región «{wanted[key]}» está en varios países del archivo: {listed}",
        file=source.path, sheet=source.sheet, row=int(both["excel_row"].iloc[1]), column=column,
        value=wanted[key],
        hint=f"Agregue la clave «pais» al archivo de parámetros (p. ej. «pais: {names[0]}») para elegir uno")


def suggestions(name: str, candidates: dict[str, str]) -> list[str]:
    """Closest region names to `name` (normalized): those containing it, then difflib's."""
    key = normalize(name)
    if not key:
        return []
    containing = [k for k in candidates if key in k or (len(k) >= 4 and k in key)]
    scored = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), k) for k in candidates), reverse=True)
    best = scored[0][0] if scored else 0.0
    close = [k for ratio, k in scored if ratio >= max(0.6, best - 0.1)]  # only names about as close as the best
    chosen = list(dict.fromkeys([*close, *containing]))[:SUGGESTIONS]
    return [candidates[k] for k in chosen]


def _not_found(missing, data, admin1, country, in_country, params, catalog, source, column,
               month) -> InputError:
    in_scope = in_country.to_numpy()
    candidates = _first_spelling(admin1[in_scope], data.loc[in_scope, "admin1"])
    place = f" de {catalog.country_label(params.country)}" if params.country else ""
    parts = []
    for name in missing:
        close = suggestions(name, candidates)
        if close:
            options = " o ".join(f"«{c}»" for c in close)
            parts.append(f"¿Quiso decir {options}?" if len(params.regions) == 1
                         else f"«{name}»: ¿quiso decir {options}?")
        elsewhere = sorted({_country_name(str(c), data["country"], country, catalog)
                            for c in country[(admin1 == normalize(name)).to_numpy() & ~in_scope].unique()
                            if c})
        if elsewhere:
            parts.append(f"«{name}» está en el archivo para {', '.join(elsewhere)}.")
    names = sorted(candidates.values(), key=normalize)
    listed = ", ".join(f"«{n}»" for n in names[:REGIONS_SHOWN])
    if len(names) > REGIONS_SHOWN:
        listed += f" y {len(names) - REGIONS_SHOWN} más"
    parts.append(f"Regiones{place} en el archivo: {listed}." if names else f"El archivo no tiene regiones{place}.")
    what = (f"la región «{missing[0]}»" if len(missing) == 1
            else "las regiones " + ", ".join(f"«{m}»" for m in missing))
    when = (f" y el mes {month} (no está en ningún mes del archivo)" if len(missing) == 1
            else f" y el mes {month} (no están en ningún mes del archivo)") if month else ""
    if month and "month" in source.headers:
        column = f"{column} / {source.headers['month']}"
    return InputError(f"no hay filas para {what}{place}{when}", file=source.path, sheet=source.sheet,
                      column=column, hint=" ".join(parts))


def has_admin2(fivew, rows: pd.DataFrame) -> bool:
    """The export has an admin2 column with some value among the region's rows."""
    return "admin2" in fivew.source.headers and bool(rows["admin2"].notna().any())
