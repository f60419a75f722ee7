"""Quality issues of the 5W (docs/metodologia.md §7): reported, never fatal, never dropped.

Each check is a vectorized mask over a classified frame; the issues come back
as one table (code, Excel row, organization, message in the run's language) that the
metrics, the report's annex and `mdrm validate` all show.
"""
from __future__ import annotations

import string

import numpy as np
import pandas as pd

from .catalog import Catalog
from .i18n import N_, _
from .indicators import CountingRules

TOLERANCE = 1e-6
CODES = {
    "Q01": N_("La desagregación por tipo de población no suma los nuevos beneficiarios ni el total mensual"),
    "Q02": N_("La desagregación por sexo y edad no suma los nuevos beneficiarios ni el total mensual"),
    "Q03": N_("Nuevos beneficiarios mayor que el total mensual"),
    "Q04": N_("CVA = Sí sin valor en USD mayor que 0"),
    "Q05": N_("Valor en USD mayor que 0 con CVA = No"),
    "Q06": N_("Sector fuera del catálogo (se cuenta en «Sin subgrupo»)"),
    "Q07": N_("Personas alcanzadas sin desagregación por tipo de población (se cuentan en «Sin desagregar»)"),
    "Q08": N_("Fila duplicada (se excluye la copia)"),
    "Q09": N_("Número fraccionario de personas (se usa tal cual)"),
    "Q10": N_("Método de implementación con socio (Sí) sin socio implementador"),
    "Q11": N_("Falta el sector, el indicador o el nombre de la actividad"),
    "Q12": N_("Sector de transferencias multipropósito (MPC) con CVA = No"),
    "Q13": N_("CVA = Sí sin modalidad de entrega"),
    # R4V's rules on indicator types and reference lists (docs/metodologia.md §10)
    "Q14": N_("Indicador de personas sin personas (total mensual y nuevos beneficiarios en 0)"),
    "Q15": N_("Personas reportadas en un indicador que no es de personas"),
    "Q16": N_("Cantidad 0 en un indicador que no es de personas"),
    "Q17": N_("Fila vacía: sin cantidad, sin personas y sin desagregación"),
    "Q18": N_("Modalidad de entrega de CVA fuera de la lista de R4V"),
    "Q19": N_("Asistencia directa de Educación o Protección de la Niñez sin menores de 18"),
    "Q20": N_("Sector e indicador que no están en la lista de indicadores"),
    "Q21": N_("País y región (admin1) que no están en la lista de R4V"),
    # Q30 and up: the kit's own checks beyond R4V's rules (which keep the numbers below)
    "Q30": N_("Actividad reportada dos veces con otras cifras (misma organización, mes, lugar, actividad, sector y "
              "descripción: se cuentan ambas filas)"),
    "Q31": N_("Caracteres de control en el texto (invisibles o de terminal: se eliminaron al leer)"),
}
# Q30: what makes two rows the same report of an activity (normalized), with every other text of the row
TWICE_KEY = ("org_key", "month", "country_key", "admin1_key", "admin2_key", "activity_key", "sector_key")
TWICE_SHOWN = 3  # differing columns named in a Q30 message
# Sectors of multipurpose cash (catalog sector ids), for Q12.
MULTIPURPOSE_CASH = ("multipurpose_cash",)
# Q19: sectors whose direct assistance reaches children (R4V 2025: QA_Education, QA_ChildProtection)
CHILDREN_SECTORS = ("education", "child_protection")
UNDER_18 = ("ninas", "ninos", "otros_menores")
# Q18: R4V's CVA delivery mechanisms (2025: functions.R `is_valid_cva`; 2022–2024: the exports' values), English
# and Spanish, compared normalized
DELIVERY_MECHANISMS = (
    "Beneficiary Bank Account", "Mobile Money", "Prepaid Card", "Cash Collection Over the Counter (OTC)",
    "Direct Cash (Cash in Hand)", "Cardless ATM Withdrawal", "Voucher", "Vouchers", "Other", "Others",
    "Other electronic cash mechanisms", "Physical cash", "Bank transfer",
    "Cuenta bancaria del beneficiario", "Dinero móvil", "Tarjeta prepagada", "Retiro en ventanilla (OTC)",
    "Efectivo directo (en mano)", "Retiro en cajero sin tarjeta", "Cupón", "Cupones", "Vales", "Cupones / vales",
    "Otro", "Otros", "Otros mecanismos de dinero electrónico", "Dinero en efectivo", "Transferencia bancaria",
)
COLUMNS = ["code", "row", "organization", "message"]


def _fill(template: str, **parts):
    """A translated message whose {placeholders} are columns (Series of text) or texts, filled vectorized."""
    out = ""
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        out = out + literal
        if name is not None:
            out = out + parts[name]
    return out


def _fmt(values: pd.Series) -> pd.Series:
    """Numbers as the user typed them: 12 not 12.0, 12.4 stays."""
    return values.map(lambda v: f"{v:g}")


def find_issues(df: pd.DataFrame, catalog: Catalog, headers: dict[str, str] | None = None,
                rules: CountingRules | None = None, country: str | None = None,
                controls_removed: pd.DataFrame | None = None) -> pd.DataFrame:
    """All quality issues of the classified rows, sorted by row then code.

    A duplicated copy (Q08) raises only Q08: its other issues are the first
    copy's, already reported. `headers` (field -> header in the file) words
    the messages with the user's column names. `rules` (the params' indicator
    list and people types) and `country` (the params' `pais`, for rows without a
    country) feed R4V's rules Q14–Q21.
    `controls_removed` (the loader's `FiveW.controls_removed`) gives Q31.
    """
    headers = headers or {}
    original = df["duplicate_of"] == 0
    copy_of = df["copy_of"] if "copy_of" in df.columns else df["duplicate_of"]
    pops = catalog.population_ids
    ages = catalog.sex_age_ids
    new = df["new_beneficiaries"]
    total = df["total_monthly"]
    pop_sum = df[pops].sum(axis=1)
    age_sum = df[ages].sum(axis=1)
    has_people = (new > 0) | (total > 0)
    cva_yes = df["cva"].eq(True).fillna(False).astype(bool)
    usd = df["cva_value_usd"]
    found: list[pd.DataFrame] = []

    def add(code: str, mask: pd.Series, detail) -> None:
        """`detail(rows)` words the issue for the flagged rows only (no work on clean rows)."""
        mask = mask.fillna(False).astype(bool)
        if code != "Q08":
            mask = mask & original
        if not mask.any():
            return
        rows = df[mask]
        found.append(pd.DataFrame({
            "code": code,
            "row": rows["excel_row"].astype("int64"),
            "organization": rows["org"].fillna("").astype(str),
            "message": _(CODES[code]) + ": " + detail(rows),
        }))

    # docs/metodologia.md §7: a split matching either the new beneficiaries (R4V since 2022) or the
    # total monthly (the 2021 guidance) of its row is right.
    def neither(split: pd.Series) -> pd.Series:
        return ((split - new).abs() > TOLERANCE) & ((split - total).abs() > TOLERANCE)

    def against(split: pd.Series):
        return lambda r: _fill(_("suma {split} frente a {new} nuevos y {total} en el mes"), split=_fmt(split[r.index]),
                               new=_fmt(r["new_beneficiaries"]), total=_fmt(r["total_monthly"]))

    add("Q01", (pop_sum > 0) & neither(pop_sum), against(pop_sum))
    add("Q02", has_people & neither(age_sum), against(age_sum))
    add("Q03", new > total + TOLERANCE,
        lambda r: _fill(_("{new} nuevos frente a {total} en el mes"), new=_fmt(r["new_beneficiaries"]),
                        total=_fmt(r["total_monthly"])))
    add("Q04", cva_yes & ~(usd > 0), lambda r: _fill(_("valor {usd} USD"), usd=_fmt(r["cva_value_usd"])))
    add("Q05", (usd > 0) & ~cva_yes,
        lambda r: _fill(_("{usd} USD, CVA «{cva}»"), usd=_fmt(r["cva_value_usd"]), cva=r["cva"].astype(object).map(
            {True: _("Sí"), False: _("No")}).fillna(_("vacío")).astype(str)))
    add("Q06", df["sector_id"].isna() & df["sector"].notna(),  # not in the catalog (not: outside the Mesa's subgroups)
        lambda r: "«" + r["sector"].astype(str) + "»")
    add("Q07", has_people & ~(pop_sum > 0),
        lambda r: _fill(_("{total} en el mes, {new} nuevos"), total=_fmt(r["total_monthly"]),
                        new=_fmt(r["new_beneficiaries"])))
    add("Q08", copy_of > 0, lambda r: _fill(_("repite la fila {row}"), row=copy_of[r.index].astype(str)))
    people_cols = ["total_monthly", "new_beneficiaries", *pops, *ages]
    people = df[people_cols].to_numpy(dtype="float64")
    fractional = np.abs(people - np.round(people)) > TOLERANCE
    if fractional.any():
        first = fractional.argmax(axis=1)
        names = [headers.get(c, c) for c in people_cols]
        first_col = pd.Series(np.array(names, dtype=object)[first], index=df.index)
        first_val = pd.Series(people[np.arange(len(df)), first], index=df.index)
        add("Q09", pd.Series(fractional.any(axis=1), index=df.index),
            lambda r: "«" + first_col[r.index] + "» = " + _fmt(first_val[r.index]))
    _r4v_rules(df, add, cva_yes)
    _r4v_type_rules(df, add, catalog, headers, rules or CountingRules(), country)
    if controls_removed is not None and len(controls_removed):
        columns = controls_removed.groupby("excel_row", sort=False)["column"].agg(
            lambda c: ", ".join(f"«{name}»" for name in dict.fromkeys(c)))
        add("Q31", df["excel_row"].isin(columns.index),
            lambda r: _fill(_("columna(s) {columns}"), columns=r["excel_row"].map(columns).astype(str)))
    _twice_reported(df, add, catalog, headers, copy_of)
    if not found:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else object) for c in COLUMNS})
    issues = pd.concat(found, ignore_index=True)
    return issues.sort_values(["row", "code"], kind="stable").reset_index(drop=True)[COLUMNS]


def _blank(values: pd.Series) -> pd.Series:
    """Missing or only spaces, decided once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    empty = np.array([not str(u).strip() for u in uniques] + [True], dtype=bool)
    return pd.Series(empty[codes], index=values.index)


def _present(df: pd.DataFrame, column: str) -> bool:
    """The export has the column: found in the file and not blank in every row."""
    return column in df.columns and bool(df[column].notna().any())


def _r4v_rules(df: pd.DataFrame, add, cva_yes: pd.Series) -> None:
    """R4V's own quality rules that the export's columns allow (docs/metodologia.md §7: Q10–Q13)."""
    blank = {c: _blank(df[c]) for c in ("sector", "indicator", "activity_name", "implementing_partner",
                                         "delivery_mechanism") if c in df.columns}
    if _present(df, "implementation_setup") and "implementing_partner" in blank:
        add("Q10", df["implementation_setup"].eq(True).fillna(False).astype(bool) & blank["implementing_partner"],
            lambda r: _fill(_("«{organization}» indica socio y no lo nombra"),
                            organization=r["appealing_org"].fillna("").astype(str)))
    missing = [c for c in ("sector", "indicator", "activity_name")
               if c in blank and (c == "sector" or _present(df, c))]
    labels = {"sector": _("sector (se cuenta en «Sin subgrupo»)"), "indicator": _("indicador"),
              "activity_name": _("nombre de la actividad")}
    if missing:
        mask = pd.concat([blank[c] for c in missing], axis=1)

        def words(r: pd.DataFrame) -> pd.Series:  # only the flagged rows
            text = pd.Series("", index=r.index, dtype=object)
            for c in missing:
                word = pd.Series(np.where(blank[c][r.index], labels[c], ""), index=r.index, dtype=object)
                text = text + np.where((text != "") & (word != ""), ", ", "") + word
            return _fill(_("falta {what}"), what=text)

        add("Q11", mask.any(axis=1), words)
    if "sector_id" in df.columns and "cva" in df.columns:
        add("Q12", df["sector_id"].isin(MULTIPURPOSE_CASH) & df["cva"].eq(False).fillna(False).astype(bool),
            lambda r: "«" + r["sector"].astype(str) + "»")
    if _present(df, "delivery_mechanism"):
        add("Q13", cva_yes & blank["delivery_mechanism"],
            lambda r: _fill(_("valor {usd} USD"), usd=_fmt(r["cva_value_usd"])))


def _r4v_type_rules(df: pd.DataFrame, add, catalog: Catalog, headers: dict[str, str], rules: CountingRules,
                    country: str | None) -> None:
    """R4V's rules that need the indicator's type or R4V's lists (docs/metodologia.md §10:
    Q14–Q21). A rule needing the type applies to the rows whose type is known (the indicator list or
    the export's type column)."""
    from .indicators import PEOPLE_REPORTING_TYPES
    from .text import normalize

    new, total, quantity = df["new_beneficiaries"], df["total_monthly"], df["quantity"]
    has_people = (new > 0) | (total > 0)
    type_key = df["type_key"] if "type_key" in df.columns else pd.Series("", index=df.index)
    known = type_key != ""
    people_type = type_key.isin(rules.people_type_keys)
    reports_people = people_type | type_key.isin({normalize(t) for t in PEOPLE_REPORTING_TYPES})
    other = known & ~reports_people
    def type_and_indicator(r: pd.DataFrame) -> pd.Series:
        return _fill(_("tipo «{type}», indicador «{indicator}»"), type=_type_label(df, r),
                     indicator=r["indicator"].astype(object).fillna("").astype(str))

    add("Q14", known & reports_people & ~has_people, type_and_indicator)
    add("Q15", other & has_people, lambda r: _fill(_("tipo «{type}», {total} en el mes, {new} nuevos"),
                                                   type=_type_label(df, r), total=_fmt(r["total_monthly"]),
                                                   new=_fmt(r["new_beneficiaries"])))
    add("Q16", other & ~(quantity > 0), type_and_indicator)
    counts = ["quantity", "total_monthly", "new_beneficiaries", *catalog.population_ids, *catalog.sex_age_ids]
    add("Q17", ~(df[counts].to_numpy(dtype="float64") > 0).any(axis=1) & ~(df["cva_value_usd"] > 0),
        lambda r: "«" + r["activity_name"].astype(object).fillna("").astype(str) + "»")
    if _present(df, "delivery_mechanism"):
        allowed = {normalize(m) for m in DELIVERY_MECHANISMS}
        mechanism = df["delivery_mechanism"]
        codes, uniques = pd.factorize(mechanism.astype(object), use_na_sentinel=True)
        outside = np.array([normalize(u) not in allowed for u in uniques] + [False], dtype=bool)[codes]
        add("Q18", df["cva"].eq(True).fillna(False).astype(bool) & pd.Series(outside, index=df.index),
            lambda r: "«" + r["delivery_mechanism"].astype(str) + "»")
    under_18 = [c for c in UNDER_18 if c in headers]
    if under_18 and "sector_id" in df.columns:
        children = df["sector_id"].isin(CHILDREN_SECTORS) & people_type & has_people
        add("Q19", children & ~(df[under_18].sum(axis=1) > 0),
            lambda r: _fill(_("«{sector}», {new} nuevos, ninguno menor de 18"), sector=r["sector"].astype(str),
                            new=_fmt(r["new_beneficiaries"])))
    if rules.indicators is not None and "listed" in df.columns:
        untyped = pd.Series(np.where(type_key == "", _(" (no cuenta para personas)"), ""), index=df.index)
        add("Q20", ~df["listed"].astype(bool), lambda r: "«" + r["sector"].astype(object).fillna("").astype(str)
            + "» / «" + r["indicator"].astype(object).fillna("").astype(str) + "»" + untyped[r.index])
    _admin_rule(df, add, catalog, country)


def _type_label(df: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """The type of the flagged rows as written (the export's column), else its normalized key."""
    written = rows["indicator_type"].astype(object) if "indicator_type" in rows.columns else None
    key = df.loc[rows.index, "type_key"].astype(str)
    return written.where(written.notna(), key).astype(str) if written is not None else key


def _admin_rule(df: pd.DataFrame, add, catalog: Catalog, country: str | None) -> None:
    """Q21 (R4V: `countryadmincheck`, `QA_admin`): the row's country (or the params' `pais` when the row has
    none) and admin1 must be a pair of R4V's lists (`paises.yml`, `admin1.yml`)."""
    from .text import normalize

    if not catalog.admin1s or "country_key" not in df.columns:
        return
    row_country = df["country_key"].astype(object).astype(str)
    if country:
        row_country = row_country.where(row_country != "", country)
    pairs = pd.DataFrame({"c": row_country.to_numpy(), "a": df["admin1"].astype(object).to_numpy()}, index=df.index)
    distinct = pairs.drop_duplicates()

    def wrong(c: str, a) -> bool:
        if not c or a is None or (isinstance(a, float) and a != a) or not str(a).strip():
            return False  # no country to check against, or no admin1 (another issue)
        if c not in catalog.countries:
            return True  # a country that is not one of R4V's
        return normalize(a) not in catalog.admin1s.get(c, frozenset()) and c not in catalog.countries_of_admin1(a)

    distinct = distinct.assign(bad=[wrong(c, a) for c, a in zip(distinct["c"], distinct["a"])])  # distinct pairs
    if not distinct["bad"].any():
        return
    joined = pairs.merge(distinct, on=["c", "a"], how="left", sort=False)
    flagged = pd.Series(joined["bad"].fillna(False).astype(bool).to_numpy(), index=df.index)

    def words(r: pd.DataFrame) -> pd.Series:
        c = pairs.loc[r.index, "c"]
        label = c.map(lambda k: catalog.country_label(k) if k in catalog.countries else k)
        return "«" + label.astype(str) + "» / «" + r["admin1"].astype(str) + "»"

    add("Q21", flagged, words)


def _shown_values(values: pd.Series) -> pd.Series:
    """Numbers as a message shows them: as typed (`_fmt`), a blank cell as «vacío»."""
    empty = _("vacío")
    return values.astype(object).map(lambda v: empty if pd.isna(v) else f"{v:g}")


def _twice_reported(df: pd.DataFrame, add, catalog: Catalog, headers: dict[str, str], copy_of: pd.Series) -> None:
    """Q30: a row that repeats the organization, month, place, activity and sector of an earlier row, and
    every other text of it (description, indicator, marks), with other numbers: the same activity sent
    twice with a figure changed. Both rows count (nothing says which one is right); the message names
    the numbers that differ. Exact copies are Q08; a row whose description differs (another district
    of the province, another group) is another report, not Q30."""
    if not all(c in df.columns for c in TWICE_KEY):
        return
    rows = df[(copy_of == 0) & (df["org_key"].astype(str) != "") & (df["activity_key"].astype(str) != "")]
    if len(rows) < 2:
        return
    numeric = [f for f in catalog.fields if f in df.columns and pd.api.types.is_float_dtype(df[f])]
    texts = [f for f in catalog.fields if f in df.columns and f not in numeric and f not in (
        "excel_row", "country", "admin1", "admin2", "month", "sector", "activity_name", "implementing_partner")]
    key = pd.concat([rows[list(TWICE_KEY)].astype(str),
                     rows[texts].astype(object).where(rows[texts].notna(), "").astype(str)], axis=1)
    first_index = pd.Series(rows.index, index=rows.index).groupby(
        [key[c].to_numpy() for c in key.columns], sort=False).transform("first")
    repeats = first_index[first_index != first_index.index]
    if repeats.empty:
        return
    later, earlier = df.loc[repeats.index], df.loc[repeats.to_numpy()].set_axis(repeats.index)
    said = pd.Series("", index=repeats.index, dtype=object)
    named = pd.Series(0, index=repeats.index)
    for field in numeric:
        a, b = later[field], earlier[field]
        differ = ~((a == b).fillna(False).astype(bool) | (a.isna() & b.isna()))
        if not differ.any():
            continue
        show = differ & (named < TWICE_SHOWN)
        text = _fill(_("«{column}» {before} y {after}"), column=headers.get(field, field),
                     before=_shown_values(b[show]), after=_shown_values(a[show]))
        said[show] = said[show] + np.where(said[show] != "", "; ", "") + text
        named = named + differ.astype(int)
    extra = (named - TWICE_SHOWN).clip(lower=0)
    said = said + np.where(extra > 0, _fill(_(" y {n} columna(s) más"), n=extra.astype(str)), "")
    first_row = df.loc[repeats.to_numpy(), "excel_row"].astype("int64").to_numpy()
    message = pd.Series(_fill(_("repite la fila {row} con otras cifras: {said}"),
                              row=pd.Series(first_row, index=repeats.index).astype(str), said=said),
                        index=repeats.index)
    add("Q30", df.index.to_series().isin(repeats.index), lambda r: message[r.index])


def counts(issues: pd.DataFrame) -> dict[str, int]:
    """Issues per code, every code present (zero included)."""
    tally = issues["code"].value_counts()
    return {code: int(tally.get(code, 0)) for code in CODES}
