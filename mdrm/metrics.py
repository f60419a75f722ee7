"""The month's figures: load, check, compute, and publish as `metrics.json`.

`load_month` gathers what a report needs (the classified rows of the region,
the registry) and raises the hard errors of the rows it uses. `compute` turns
that into the `mdrm.metrics/1` dictionary: every number a report shows comes
from here, rounded once (docs/metodologia.md §2, regla 7).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from . import __version__
from .catalog import SIN_DESAGREGAR, SIN_SUBGRUPO, Catalog, load_catalog
from .errors import InputError
from .identity import mesa_dict
from .load import FiveW, read_5w
from .methodology import (
    EXCLUSION_LABELS, classify, group_values, headline_values, key_figure_masks, key_figure_values,
    sector_figures, sex_age_values, subgroup_values, total_rounded_once,
)
from .organizations import by_subgroup, read_registry, reporting_count
from .indicators import CountingRules
from .params import Params
from .quality import counts as quality_counts
from .quality import find_issues
from .region import read_region
from .rounding import half_up, largest_remainder, round_half_up
from .months import months_to_date, previous_month
from .periods import period_label, period_months
from .scope import area_names, by_admin1, has_admin2, is_sample
from .text import normalize
from .figure_warnings import month_notices, month_warnings, period_warnings

SCHEMA = "mdrm.metrics/1"


@dataclass
class MonthData:
    """Everything a month's report is computed from."""

    params: Params
    fivew: FiveW
    region: pd.DataFrame  # classified rows of the region, months January..month and the previous month
    registry: pd.DataFrame | None
    catalog: Catalog = field(default_factory=load_catalog)
    # docs/metodologia.md §7 (mdrm.figure_warnings): the level the params asked for (W04: admin2 without admin2 in the
    # export is computed at admin1) and the key figures matching no activity of the region (W06).
    level_requested: str | None = None
    key_figures_unmatched: list[str] = field(default_factory=list)
    rules: CountingRules = field(default_factory=CountingRules)  # rows counted for people (mdrm.indicators)

    @property
    def rows(self) -> pd.DataFrame:
        """The rows of the region and month (docs/metodologia.md §6: `rows.read`)."""
        return self.region[self.region["month"] == self.params.month]


def load_month(params: Params, fivew: FiveW | None = None, catalog: Catalog | None = None) -> MonthData:
    """Read and check the data of a month; hard errors only for the rows used."""
    catalog = params.adapt(catalog or load_catalog())
    fivew = fivew or read_5w(params.data_path, params.sheet, params.columns, catalog)
    used_months = set(months_to_date(params.month)) | {previous_month(params.month)}
    read = read_region(params, used_months, fivew, catalog, params.month)  # the exploration's loader too
    catalog, fivew, in_region, region = read.catalog, read.fivew, read.in_region, read.rows
    data = fivew.data
    asked = period_months(params.period) if params.period else [params.month]
    if not region["month"].isin(asked).any():  # a period with some of its months: W11, not an error
        regions = sorted({r for r in data["admin1"].dropna().unique()})
        months = sorted(set(data.loc[in_region, "month"].dropna()))
        hint = (f"Meses con datos de {params.region}: {', '.join(months)}" if months
                else "Regiones en el archivo: " + ", ".join(f"«{r}»" for r in regions[:20]))
        what = f"el periodo {params.period} ({', '.join(asked)})" if params.period else f"el mes {params.month}"
        raise InputError(f"no hay filas para la región «{params.region}» y {what}",
                         file=fivew.source.path, sheet=fivew.source.sheet, column=f"{fivew.source.headers['admin1']} / {fivew.source.headers['month']}",
                         hint=hint)
    registry = read_registry(params.organizations_path, catalog) if params.organizations_path else None
    requested = params.level
    if params.level == "admin2" and not has_admin2(fivew, region):
        params = dataclasses.replace(params, level="admin1")
    return MonthData(params, fivew, region, registry, catalog, level_requested=requested,
                     key_figures_unmatched=unmatched_key_figures(data[in_region], catalog), rules=read.rules)


def unmatched_key_figures(region_rows: pd.DataFrame, catalog: Catalog) -> list[str]:
    """Key figures with patterns that match no activity of the region in any month of the file (W06)."""
    distinct = region_rows.drop_duplicates([c for c in ("activity_name", "indicator") if c in region_rows.columns])
    masks = key_figure_masks(classify(distinct, catalog), catalog)  # a few hundred distinct activities
    return [kf_id for kf_id, kf in catalog.key_figures.items()
            if (kf.patterns or kf.indicator_patterns) and not bool(masks[kf_id].any())]


def _publish_groups(raw: pd.Series, catalog: Catalog) -> dict[str, int]:
    """Rounded values of the population groups: main ones always, others when non-zero."""
    out = {}
    for group in [*catalog.population_ids, SIN_DESAGREGAR]:
        value = half_up(raw.get(group, 0.0))
        if group in catalog.main_populations or value != 0:
            out[group] = value
    return out


def _figure(raw: pd.Series, catalog: Catalog) -> dict:
    parts = _publish_groups(raw, catalog)
    return {"total": sum(parts.values()), "by_population": parts}


def _people_figure(md: MonthData, raw: pd.Series) -> dict:
    """A headline figure. With `suma` or `por_sector` the total is the integer sum of the basis over the
    counted rows (rounded once, as R4V sums), and the groups are apportioned to it by largest remainder;
    rounding each group first could add up to 1 more per group (docs/metodologia.md §10)."""
    if not total_rounded_once(md.params.method, md.params.max_rule):
        return _figure(raw, md.catalog)
    groups = [*md.catalog.population_ids, SIN_DESAGREGAR]
    values = {g: float(raw.get(g, 0.0)) for g in groups}
    total = half_up(sum(values.values()))
    shared = largest_remainder(values, total, groups)
    parts = {g: int(v) for g, v in shared.items() if g in md.catalog.main_populations or v != 0}
    return {"total": total, "by_population": parts}


def headline(md: MonthData, rows: pd.DataFrame, basis: str, by: str | None = None) -> pd.DataFrame:
    """Unrounded headline per group (one row per `by` value) of counted rows."""
    counted = rows[rows["counted"]]
    values = group_values(counted, basis, md.catalog)
    return headline_values(counted, values, md.params.method, md.params.level, md.catalog, by=by,
                           rule=md.params.max_rule)


def _one(frame: pd.DataFrame) -> pd.Series:
    return frame.iloc[0] if len(frame) else pd.Series(dtype="float64")


def subgroup_figures(md: MonthData, rows: pd.DataFrame, basis: str) -> dict[str, dict]:
    counted = rows[rows["counted"]]
    values = group_values(counted, basis, md.catalog)
    table = subgroup_values(counted, values).droplevel(0)
    order = [sg for sg in [*md.catalog.subgroups, SIN_SUBGRUPO] if sg in table.index]
    return {sg: _figure(table.loc[sg], md.catalog) for sg in order}


def key_figures_of(md: MonthData, rows: pd.DataFrame, basis: str | None = None) -> dict[str, int]:
    """Published key figures of some rows of the region (duplicated copies left out)."""
    kept = rows[rows["duplicate_of"] == 0]
    return {k: half_up(v) for k, v in key_figure_values(kept, basis or md.params.basis, md.catalog).items()}


def consolidated_by_month(md: MonthData, rows: pd.DataFrame) -> pd.DataFrame:
    """Each month's intersector figure on new beneficiaries, unrounded per group (one row per month
    with counted rows, index 'YYYY-MM'): what R4V's consolidated rule adds up."""
    return headline(md, rows.assign(month=rows["month"].astype(str)), "nuevos", by="month")


def consolidated_raw(md: MonthData, rows: pd.DataFrame) -> pd.Series:
    """R4V's consolidated people reached over several months (docs/metodologia.md §2, regla 5), unrounded
    per group: each month's intersector figure on new beneficiaries, summed over the months (max each
    month, then accumulate). The year to date and a period's headline (§12) are this."""
    return consolidated_by_month(md, rows).sum()


def consolidated_people(md: MonthData, rows: pd.DataFrame) -> dict:
    """R4V's consolidated people reached over the rows' months, published as `people_reached` (total and
    groups, rounded once): the year to date, a period's headline and the exploration's range of months."""
    return _people_figure(md, consolidated_raw(md, rows))


def headline_by_month(md: MonthData) -> dict[str, dict | None]:
    """People reached of each month, January to the report's month, as `people_reached`.

    Same basis and method as the month's headline (one groupby over the months),
    so the report month's value is `people_reached` and the one before it is
    `previous_month.people_reached`. A month without rows of the region is None.
    """
    months = months_to_date(md.params.month)
    rows = md.region[md.region["month"].isin(months)]
    with_rows = set(rows["month"].astype(str))
    table = headline(md, rows.assign(month=rows["month"].astype(str)), md.params.basis, by="month")
    empty = pd.Series(dtype="float64")
    return {
        m: _people_figure(md, table.loc[m] if m in table.index else empty) if m in with_rows else None
        for m in months
    }


def headline_by_province(md: MonthData, area: str | None = None) -> tuple[pd.DataFrame, bool]:
    """People reached in the month per province (admin2), same basis and method.

    A report of several admin1s (a list, or the whole country) is broken down
    by admin1 instead (`scope.by_admin1`): the admin1s always add up.
    `area` ("admin1" or "admin2") forces the breakdown (the province map).

    Returns (table, adds_up): one row per province with people (index: the
    province as first reported, '(sin dato)' for a blank one), one column per
    published population group, largest province first. Each province is
    de-duplicated on its own. At level admin2 the provinces partition the
    headline, so each group's published value is apportioned over them by
    largest remainder (docs/metodologia.md §2, regla 7) and they add up to `people_reached`
    (adds_up=True). At level admin1 a person may be counted in two provinces:
    each province is rounded on its own and their sum may exceed the headline.
    """
    catalog, p = md.catalog, md.params
    counted = md.rows[md.rows["counted"]]
    published = _people_figure(md, _one(headline(md, md.rows, p.basis)))["by_population"]
    by_region = by_admin1(p) if area is None else area == "admin1"
    adds_up = p.level == "admin2" or by_region  # admin1s partition the headline at either level
    if counted.empty:
        return pd.DataFrame(columns=list(published), dtype="int64"), adds_up
    key_column, name_column = ("admin1_key", "admin1") if by_region else ("admin2_key", "admin2")
    key = counted[key_column].astype(str)
    names = area_names(counted, p, catalog, name_column)  # «(sin dato)»; an admin1 named like the country: «Nivel nacional»
    name_of = names.groupby(key.to_numpy(), sort=False).first()
    raw = headline(md, counted.assign(_province=key), p.basis, by="_province")
    raw = raw.reindex(list(name_of.index), fill_value=0.0)
    groups = [g for g in raw.columns if g in published or half_up(raw[g].sum()) != 0]
    if adds_up:
        table = pd.DataFrame({
            g: pd.Series(largest_remainder(raw[g].to_dict(), published.get(g, 0), list(raw.index)))
            for g in groups
        })
    else:
        table = raw[groups].map(half_up)
    table = table.reindex(list(raw.index)).astype("int64")
    table.index = [str(name_of[k]) for k in table.index]
    order = sorted(table.index, key=lambda n: (-int(table.loc[n].sum()), normalize(n)))
    return table.loc[order], adds_up


def by_organization(md: MonthData) -> pd.DataFrame:
    """Who does what: per reporting organization (implementing partner, else appealing org).

    Index: org_key; columns: `organization` (as first reported), `provinces`
    (list, as reported, '(sin dato)' for blank), `activities` (distinct activity names), `rows`, one
    column per subgroup with people in the month (people of the organization's
    counted rows in that subgroup) and `usd`. People and USD are apportioned
    by largest remainder so each subgroup column adds up to the published
    subgroup total and `usd` to the key figure `usd_distribuidos`.
    Organizations whose rows count no people (non RMRP, common services) show 0.
    """
    p, catalog = md.params, md.catalog
    rows = md.rows[(md.rows["duplicate_of"] == 0) & (md.rows["org_key"].astype(str) != "")]
    key = rows["org_key"].astype(str)
    grouped = rows.groupby(key.to_numpy(), sort=False)
    table = pd.DataFrame({
        "organization": grouped["org"].first().astype(str),
        "provinces": area_names(rows, p, catalog).groupby(key.to_numpy(), sort=False).agg(
            lambda s: sorted({str(v) for v in s}, key=normalize)),
        "activities": grouped["activity_key"].agg(lambda s: int(s.astype(str).nunique())),
        "rows": grouped.size(),
    })
    orgs = list(table.index)
    counted = rows[rows["counted"]]
    published = subgroup_figures(md, md.rows, p.basis)
    values = group_values(counted, p.basis, catalog).sum(axis=1)
    per_org = values.groupby([counted["subgroup"].to_numpy(), key[counted.index].to_numpy()]).sum()
    for sg, figure in published.items():
        weights = per_org.loc[sg].to_dict() if sg in per_org.index.get_level_values(0) else {}
        table[sg] = pd.Series(largest_remainder(weights, figure["total"], orgs))
    usd_raw = rows["cva_value_usd"].groupby(key.to_numpy()).sum()
    usd_total = key_figures_of(md, md.rows).get("usd_distribuidos", half_up(usd_raw.sum()))
    table["usd"] = pd.Series(largest_remainder(usd_raw.to_dict(), usd_total, orgs))
    people_cols = list(published)
    order = sorted(orgs, key=lambda k: (-int(table.loc[k, people_cols].sum()) if people_cols else 0,
                                        normalize(table.loc[k, "organization"])))
    return table.loc[order]


def counting_rules(md: MonthData) -> dict:
    """The rules on rows counted for people (docs/metodologia.md §10), as the methodology note names
    them: `solo_rmrp`, the indicator list and its people types, the export's own type column."""
    rules = md.rules
    typed = bool((md.rows["type_key"] != "").any()) if "type_key" in md.rows.columns else False
    return {
        "solo_rmrp": rules.only_rmrp,
        "indicator_list": rules.indicators.name if rules.indicators is not None else None,
        "type_column": typed,  # the export's own type column typed some rows (a flag: its header varies by style)
        "people_types": list(rules.people_types) if rules.indicators is not None or typed else None,
    }


def dedup_dict(p: Params) -> dict:
    """`dedup` of metrics.json: method and level, and `rule` when the max is R4V 2021's por_sector
    (absent = por_grupo, the default, so the metrics of every existing month stay as they were)."""
    dedup = {"method": p.method, "level": p.level}
    if p.max_rule != "por_grupo" and p.method in ("maximo", "cono_sur"):
        dedup["rule"] = p.max_rule
    return dedup


def rows_dict(rows: pd.DataFrame, counted: pd.DataFrame) -> dict:
    """`rows` of metrics.json: read, counted, excluded, and the reasons present (docs/metodologia.md §6)."""
    excluded = rows["exclusion"].value_counts()
    return {
        "read": int(len(rows)),
        "counted": int(len(counted)),
        "excluded": int(len(rows) - len(counted)),
        "excluded_by_reason": {r: int(excluded.get(r, 0)) for r in EXCLUSION_LABELS if excluded.get(r, 0)},
    }


def compute(md: MonthData) -> dict:
    """The `mdrm.metrics/1` dictionary of the month (docs/metodologia.md §6)."""
    p, catalog = md.params, md.catalog
    rows = md.rows
    counted = rows[rows["counted"]]

    people = _people_figure(md, _one(headline(md, rows, p.basis)))
    age_raw = sex_age_values(counted, p.basis, catalog).sum()
    by_sex_age = largest_remainder(age_raw.to_dict(), people["total"], catalog.sex_age_ids)

    sectors = sector_figures(counted, p.basis)
    key_figures = key_figures_of(md, rows)

    ytd_rows = md.region[md.region["month"].isin(months_to_date(p.month))]
    ytd_people = consolidated_raw(md, ytd_rows)
    ytd_sectors = sector_figures(ytd_rows[ytd_rows["counted"]], "nuevos")

    prev_rows = md.region[md.region["month"] == previous_month(p.month)]
    if prev_rows["counted"].any():
        prev_people = _people_figure(md, _one(headline(md, prev_rows, p.basis)))
        previous = {
            "month": previous_month(p.month),
            "people_reached_total": prev_people["total"],
            "people_reached": prev_people,
            "subgroups": {sg: f["total"] for sg, f in subgroup_figures(md, prev_rows, p.basis).items()},
        }
    else:  # W03: nothing to compare with (docs/metodologia.md §7: null, never "+100 %")
        previous = None

    issues = find_issues(rows, catalog, md.fivew.source.headers, md.rules, p.country,
                         controls_removed=md.fivew.controls_removed)
    source = md.fivew.source
    metrics = {
        "schema": SCHEMA,
        "region": p.region,
        "mesa": mesa_dict(p.mesa),
        "month": p.month,
        "basis": p.basis,
        "dedup": dedup_dict(p),
        "counting": counting_rules(md),
        "rows": rows_dict(rows, counted),
        "people_reached": people,
        "by_sex_age": by_sex_age,
        "subgroups": subgroup_figures(md, rows, p.basis),
        "sectors": {
            str(r.sector): {"total": half_up(r.total), "new": half_up(r.new)}
            for r in sectors.itertuples()
        },
        "key_figures": key_figures,
        "organizations": {
            "reporting": reporting_count(rows),
            "members": int(len(md.registry)) if md.registry is not None else None,
            "by_subgroup": by_subgroup(rows, md.registry, catalog),
        },
        "ytd": {
            "months": months_to_date(p.month),
            "people_reached": _people_figure(md, ytd_people),
            "sectors": {str(r.sector): half_up(r.new) for r in ytd_sectors.itertuples()},
        },
        "previous_month": previous,
        "quality": {
            "counts": quality_counts(issues),
            "issues": [
                {"code": i.code, "row": int(i.row), "organization": i.organization, "message": i.message}
                for i in issues.itertuples()
            ],
        },
        "source": {"file": source.path.name, "sheet": source.sheet, "sha256": source.sha256},
        "scope": {"country": catalog.country_label(p.country) if p.country else None,
                  "regions": list(p.regions), "national": p.national},
        "sample": is_sample(p),
        "generated_by": {"kit": "mdrm", "version": __version__,
                         "date": dt.date.today().isoformat()},
    }
    if p.targets is not None:
        metrics["targets"] = targets_of(md)
    metrics["warnings"] = month_warnings(md, metrics)
    metrics["notices"] = month_notices(md, metrics)  # information lines, not warnings (the export's first month)
    return metrics


def _against(reached: int, target: int | None) -> dict:
    """Reached against one target: `percent` (points, one decimal) is None without a target or with 0."""
    percent = None if not target else round_half_up(100 * reached / target, 1)
    return {"target": target, "reached": reached, "percent": percent}


def targets_of(md: MonthData) -> dict:
    """Reached against target (`metas:`, docs/metodologia.md §12): the year to date on new beneficiaries,
    January to the report's month (a period's last month), R4V's consolidated rule, against the year's
    targets. Every subgroup with people or a target is listed; one without a target has None."""
    p, targets = md.params, md.params.targets
    ytd_rows = md.region[md.region["month"].isin(months_to_date(p.month))]
    reached = consolidated_people(md, ytd_rows)["total"]
    by_subgroup = {sg: f["total"] for sg, f in subgroup_figures(md, ytd_rows, "nuevos").items()}
    order = [sg for sg in [*md.catalog.subgroups, SIN_SUBGRUPO] if sg in by_subgroup or sg in targets.subgroups]
    return {
        "months": months_to_date(p.month),
        "source": targets.source or None,
        "people_reached": _against(reached, targets.total),
        "subgroups": {sg: _against(by_subgroup.get(sg, 0), targets.subgroups.get(sg)) for sg in order},
    }


def compute_period(md: MonthData) -> dict:
    """The figures of a quarter, half or year (`periodo:`, docs/metodologia.md §12), R4V's consolidated rule:
    people reached = Σ over the period's months of each month's intersector figure on new beneficiaries;
    subgroups, sectors, population groups and sex/age on new beneficiaries summed over the months; key
    figures and USD summed (people key figures on new beneficiaries too); organizations distinct over the
    period. A month of the period without rows in the export is named in W11, never dropped silently."""
    p, catalog = md.params, md.catalog
    months = period_months(p.period)
    rows = md.region[md.region["month"].isin(months)]
    counted = rows[rows["counted"]]
    with_rows = set(rows["month"].astype(str))
    by_month = consolidated_by_month(md, rows)
    people = _people_figure(md, by_month.sum())  # consolidated_raw, keeping each month's figure for `by_month`
    age_raw = sex_age_values(counted, "nuevos", catalog).sum()
    sectors = sector_figures(counted, "nuevos")
    source = md.fivew.source
    empty = pd.Series(dtype="float64")
    metrics = {
        "schema": SCHEMA,
        "region": p.region,
        "mesa": mesa_dict(p.mesa),
        "period": p.period,
        "period_label": period_label(p.period),
        "months": months,
        "months_missing": [m for m in months if m not in with_rows],
        "basis": "nuevos",  # a period counts new beneficiaries whatever `base_personas` says
        "dedup": dedup_dict(p),
        "counting": counting_rules(md),
        "rows": rows_dict(rows, counted),
        "people_reached": people,
        "by_sex_age": largest_remainder(age_raw.to_dict(), people["total"], catalog.sex_age_ids),
        "subgroups": subgroup_figures(md, rows, "nuevos"),
        "sectors": {str(r.sector): half_up(r.new) for r in sectors.itertuples()},
        "key_figures": key_figures_of(md, rows, "nuevos"),
        "organizations": {
            "reporting": reporting_count(rows),
            "members": int(len(md.registry)) if md.registry is not None else None,
            "by_subgroup": by_subgroup(rows, md.registry, catalog),
        },
        # each month's own headline on new beneficiaries (None: no rows); the period's is not their rounded sum
        # but the sum rounded once (docs/metodologia.md §2, regla 7)
        "by_month": {m: _people_figure(md, by_month.loc[m] if m in by_month.index else empty)["total"]
                     if m in with_rows else None for m in months},
        "source": {"file": source.path.name, "sheet": source.sheet, "sha256": source.sha256},
        "scope": {"country": catalog.country_label(p.country) if p.country else None,
                  "regions": list(p.regions), "national": p.national},
        "sample": is_sample(p),
        "generated_by": {"kit": "mdrm", "version": __version__, "date": dt.date.today().isoformat()},
    }
    if p.targets is not None:
        metrics["targets"] = targets_of(md)
    metrics["warnings"] = period_warnings(md, metrics)
    return metrics
