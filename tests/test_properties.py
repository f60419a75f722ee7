"""Property-based tests (hypothesis) of the methodology's invariants (docs/metodologia.md §2).

Rows are drawn over a few provinces, the catalog's sectors (English and
Spanish names, plus one outside the catalog), organizations and small people
counts with population and sex/age splits; they are written as real files
(CSV through `conftest.rows_frame`, or xlsx) and read by the real loader
(`load_params`, `load_month`, `compute`). Each test writes into its own
temporary folder, so hypothesis runs it many times without a function-scoped
fixture.

Invariants:
- `suma` ≥ `maximo` and `suma` ≥ `cono_sur`, per population group and in total, at both levels;
- the headline never exceeds the sum over subgroups (unrounded always; published when the
  rows' values are whole numbers; with apportioned fractions rounding can break it: xfail test below);
- published parts add up: people_reached and each subgroup total = Σ by_population;
  by_sex_age sums to the headline when a counted row with people has an age split (else all 0);
- row order and header style (Spanish, English, short; CSV or xlsx) change no figure;
- a two-month file gives, for each month, the figures of that month's own file.
"""
from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import rows_frame
from corpus import HEADER_STYLES, SPANISH_HEADERS, grid, write_xlsx
from mdrm.catalog import SIN_DESAGREGAR, load_catalog
from mdrm.methodology import group_values, headline_values, subgroup_values
from mdrm.metrics import MonthData, compute, headline, load_month
from mdrm.rounding import half_up
from mdrm.params import load_params

CATALOG = load_catalog()
POPULATIONS = CATALOG.population_ids
SEX_AGE = CATALOG.sex_age_ids
SECTORS = sorted({name for sector in CATALOG.sectors.values() for name in sector.names[:2]}) + ["Sector Inventado"]
PROVINCES = ["Tacna", "Tarata", "Candarave", "Jorge Basadre", ""]
ORGS = ["Org A", "Org B", "Asociación Niñez", "ACNUR"]
PARTNERS = ["", "", "Socio X", "Socio Ñandú"]
ACTIVITIES = ["Kits de higiene distribuidos (# de kits)", "Orientaciones legales brindadas",
              "Capacitación para el autoempleo", "Actividad"]

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                    HealthCheck.too_slow])


@st.composite
def a_row(draw, months=("2020-09",), whole=False):
    """One 5W row. `whole`: the population split sums to the month's total, so every
    value of the methodology is a whole number (no apportioned fractions)."""
    split = {g: draw(st.integers(0, 25) if CATALOG.populations[g].get("principal") else st.integers(0, 3))
             for g in POPULATIONS}
    if draw(st.integers(0, 5)) == 0:
        split = dict.fromkeys(POPULATIONS, 0)  # no population split: sin_desagregar (Q07)
    if whole and sum(split.values()):
        total = sum(split.values())
    else:
        total = draw(st.integers(0, 60))
    ages = dict.fromkeys(SEX_AGE, 0)
    if draw(st.booleans()):
        ages = {a: draw(st.integers(0, 15)) for a in SEX_AGE}
    cva = draw(st.sampled_from(["Sí", "No", ""]))
    return {
        "admin1": draw(st.sampled_from(["Tacna", "Tacna", "Tacna", "TACNA", "Puno"])),
        "admin2": draw(st.sampled_from(PROVINCES)),
        "month": draw(st.sampled_from(months)),
        "sector": draw(st.sampled_from(SECTORS)),
        "appealing_org": draw(st.sampled_from(ORGS)),
        "implementing_partner": draw(st.sampled_from(PARTNERS)),
        "activity_name": draw(st.sampled_from(ACTIVITIES)),
        "rmrp_activity": draw(st.sampled_from(["Si", "Sí", "Yes", "", "No"])),
        "cva": cva,
        "cva_value_usd": draw(st.integers(1, 500)) if cva == "Sí" else 0,
        "quantity": draw(st.integers(0, 20)),
        "total_monthly": total,
        "new_beneficiaries": draw(st.integers(0, total)),
        **split,
        **ages,
    }


def rows_of(months=("2020-09",), whole=False, min_size=1, max_size=12):
    return st.lists(a_row(months, whole), min_size=min_size, max_size=max_size)


# --- files and the real loader ------------------------------------------------------------------

def write_rows(folder: Path, rows: list[dict], name: str = "5w.csv", style: str = "es") -> Path:
    """Rows as a real file: CSV or xlsx (by `name`), with the header style `style`."""
    headers = HEADER_STYLES[style]
    frame = rows_frame(rows).rename(columns={SPANISH_HEADERS[f]: headers[f] for f in SPANISH_HEADERS})
    path = folder / name
    if path.suffix == ".xlsx":
        write_xlsx(path, grid(frame))
    else:
        frame.to_csv(path, index=False)
    return path


def load(folder: Path, data: Path, month: str = "2020-09", **keys) -> MonthData:
    content = {"region": "Tacna", "mes": month, "datos": str(data), **keys}
    params = folder / f"params_{data.stem}_{month}.yml"
    params.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return load_month(load_params(params))


def variant(md: MonthData, **params) -> MonthData:
    """The same loaded month under other params (method, level, basis): no second read."""
    return dataclasses.replace(md, params=dataclasses.replace(md.params, **params))


def has_month(rows: list[dict], month: str = "2020-09") -> bool:
    return any(r["month"] == month and r["admin1"].strip().lower() == "tacna" for r in rows)


def figures(metrics: dict) -> dict:
    """Every figure of metrics.json: without the source file, the date, and the row
    numbers and wording of quality issues (which name rows and headers as written)."""
    out = json.loads(json.dumps(metrics))
    out.pop("source")
    out.pop("generated_by")
    issues = out["quality"].pop("issues")
    out["quality"]["issues"] = sorted((i["code"], i["organization"]) for i in issues)
    return out


# --- suma ≥ maximo, suma ≥ cono_sur -----------------------------------------------------------------

@PROPERTY_SETTINGS
@given(rows=rows_of(), level=st.sampled_from(["admin1", "admin2"]), basis=st.sampled_from(["mensual", "nuevos"]))
def test_suma_is_an_upper_bound_of_maximo_and_cono_sur(rows, level, basis):
    assume(has_month(rows))
    with tempfile.TemporaryDirectory() as tmp:
        md = variant(load(Path(tmp), write_rows(Path(tmp), rows)), level=level, basis=basis)
        upper = compute(variant(md, method="suma"))["people_reached"]
        raw_upper = headline(variant(md, method="suma"), md.rows, basis).sum()
        for method in ("maximo", "cono_sur"):
            lower = compute(variant(md, method=method))["people_reached"]
            raw_lower = headline(variant(md, method=method), md.rows, basis).sum()
            # before rounding: the bound itself in total; per group, suma's people of that group plus its
            # unsplit people (por_grupo gives a sector's unsplit people its split: they may land in any group)
            assert raw_lower.sum() <= raw_upper.sum() + 1e-9, method
            unsplit = raw_upper.get(SIN_DESAGREGAR, 0.0)
            for group, value in raw_lower.items():
                assert value <= raw_upper.get(group, 0.0) + unsplit + 1e-9, (method, group)
            # published: maximo and cono_sur round each group once (up to half a person more each), suma
            # rounds its total once, the integer sum of the basis (docs/metodologia.md §10, as R4V sums),
            # which is at least Σ basis - 0.5: so the published bound holds up to half a person per group
            groups = len(lower["by_population"])
            assert lower["total"] <= upper["total"] + (groups + 1) // 2, method
            assert upper["total"] == half_up(raw_upper.sum())


# --- the headline and the subgroups -----------------------------------------------------------------

RULES = [(method, level, rule) for method in ("maximo", "suma", "cono_sur") for level in ("admin1", "admin2")
         for rule in ("por_grupo", "por_sector")]


@PROPERTY_SETTINGS
@given(rows=rows_of())
def test_headline_never_exceeds_the_subgroups_unrounded(rows):
    """Before rounding: in total, the de-duplicated headline ≤ the sum over subgroups; per group, ≤ the
    subgroups' people of that group plus their unsplit people (regla_maximo por_grupo gives each sector's
    unsplit people the split of its sector or unit, so they may land in any group), and the headline's
    unsplit people ≤ the subgroups' (docs/metodologia.md §2, regla 3)."""
    assume(has_month(rows))
    with tempfile.TemporaryDirectory() as tmp:
        md = load(Path(tmp), write_rows(Path(tmp), rows))
        counted = md.rows[md.rows["counted"]]
        for basis in ("mensual", "nuevos"):
            values = group_values(counted, basis, CATALOG)
            by_subgroup = subgroup_values(counted, values).sum()
            unsplit = by_subgroup.get(SIN_DESAGREGAR, 0.0)
            for method, level, rule in RULES:
                head = headline_values(counted, values, method, level, CATALOG, rule=rule)
                head = head.iloc[0] if len(head) else pd.Series(0.0, index=values.columns)
                assert head.sum() <= by_subgroup.sum() + 1e-9, (method, level, rule)
                for group in values.columns:
                    bound = by_subgroup.get(group, 0.0) + (unsplit if group != SIN_DESAGREGAR else 0.0)
                    assert head[group] <= bound + 1e-9, (method, level, rule, group)


@PROPERTY_SETTINGS
@given(rows=rows_of(whole=True), method=st.sampled_from(["maximo", "suma", "cono_sur"]),
       level=st.sampled_from(["admin1", "admin2"]))
def test_published_headline_never_exceeds_the_published_subgroups(rows, method, level):
    """With whole-number values, the published headline ≤ Σ published subgroups in total; per group,
    ≤ the subgroups' people of that group plus their unsplit people (regla_maximo por_grupo: see
    test_headline_never_exceeds_the_subgroups_unrounded; those bounds are whole numbers, so rounding
    the headline once never crosses them); and `suma` equals it exactly."""
    assume(has_month(rows))
    with tempfile.TemporaryDirectory() as tmp:
        m = compute(variant(load(Path(tmp), write_rows(Path(tmp), rows)), method=method, level=level))
    head, subgroups = m["people_reached"], m["subgroups"].values()
    assert head["total"] <= sum(s["total"] for s in subgroups)
    unsplit = sum(s["by_population"].get(SIN_DESAGREGAR, 0) for s in subgroups)
    for group, value in head["by_population"].items():
        bound = sum(s["by_population"].get(group, 0) for s in subgroups)
        assert value <= bound + (unsplit if group != SIN_DESAGREGAR else 0)
    if method == "suma":
        assert head["total"] == sum(s["total"] for s in subgroups)


@pytest.mark.xfail(strict=True, reason=(
    "hypothesis found it: with apportioned fractions, rounding each published figure once can put "
    "the headline above the sum of the published subgroups (rule not decided)"))
def test_published_headline_never_exceeds_the_published_subgroups_with_fractions(metrics_of):
    """The smallest case hypothesis found, by hand (level admin2, method maximo):

    two rows of 1 person each, in two provinces and two subgroups (Shelter, Salud), split
    permanencia 2 / transito 2 / acogida 1 (sums to 5, not 1: Q01), so each row gives
    permanencia 0.4, transito 0.4, acogida 0.2.
    headline: permanencia 0.4 + 0.4 = 0.8 -> 1, transito 0.8 -> 1, acogida 0.4 -> 0: total 2;
    each subgroup: 0.4 -> 0, 0.4 -> 0, 0.2 -> 0: total 0. Published: 2 people reached, every
    subgroup 0.
    """
    rows = [
        {"sector": "Shelter", "admin2": "Tacna", "total_monthly": 1, "new_beneficiaries": 1,
         "permanencia": 2, "transito": 2, "acogida": 1, "activity_name": "a"},
        {"sector": "Salud", "admin2": "Tarata", "total_monthly": 1, "new_beneficiaries": 1,
         "permanencia": 2, "transito": 2, "acogida": 1, "activity_name": "b"},
    ]
    m = metrics_of(rows, deduplicacion={"metodo": "maximo", "nivel": "admin2"})
    assert m["people_reached"]["total"] <= sum(s["total"] for s in m["subgroups"].values())


# --- published parts add up ---------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(rows=rows_of(months=("2020-08", "2020-09")), method=st.sampled_from(["maximo", "suma", "cono_sur"]),
       level=st.sampled_from(["admin1", "admin2"]), basis=st.sampled_from(["mensual", "nuevos"]))
def test_published_parts_add_up_to_their_totals(rows, method, level, basis):
    assume(has_month(rows))
    with tempfile.TemporaryDirectory() as tmp:
        md = variant(load(Path(tmp), write_rows(Path(tmp), rows)), method=method, level=level, basis=basis)
        m = compute(md)
    people = m["people_reached"]
    assert people["total"] == sum(people["by_population"].values())
    assert set(CATALOG.main_populations) <= set(people["by_population"])
    for figure in m["subgroups"].values():
        assert figure["total"] == sum(figure["by_population"].values())
    ytd = m["ytd"]["people_reached"]
    assert ytd["total"] == sum(ytd["by_population"].values())
    if m["previous_month"] is not None:
        prev = m["previous_month"]["people_reached"]
        assert prev["total"] == sum(prev["by_population"].values()) == m["previous_month"]["people_reached_total"]
    counted = md.rows[md.rows["counted"]]
    people_col = "total_monthly" if basis == "mensual" else "new_beneficiaries"
    age_split = (counted[SEX_AGE].sum(axis=1) > 0) & (counted[people_col] > 0)
    if age_split.any():
        assert sum(m["by_sex_age"].values()) == people["total"]
    else:
        assert set(m["by_sex_age"].values()) == {0}
    assert m["rows"]["read"] == m["rows"]["counted"] + m["rows"]["excluded"]


# --- row order and header style -----------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(rows=rows_of(max_size=10), order=st.randoms(use_true_random=False),
       style=st.sampled_from(["en", "short"]), ext=st.sampled_from([".csv", ".xlsx"]),
       method=st.sampled_from(["maximo", "cono_sur"]), level=st.sampled_from(["admin1", "admin2"]))
def test_row_order_and_header_style_change_no_figure(rows, order, style, ext, method, level):
    assume(has_month(rows))
    shuffled = list(rows)
    order.shuffle(shuffled)
    dedup = {"deduplicacion": {"metodo": method, "nivel": level}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference = compute(load(folder, write_rows(folder, rows, "es.csv", "es"), **dedup))
        other = compute(load(folder, write_rows(folder, shuffled, "otro" + ext, style), **dedup))
    assert figures(other) == figures(reference)


# --- a two-month file = each month's own file -----------------------------------------------------------

@PROPERTY_SETTINGS
@given(rows=rows_of(months=("2020-08", "2020-09"), min_size=2, max_size=14),
       month=st.sampled_from(["2020-08", "2020-09"]),
       method=st.sampled_from(["maximo", "suma", "cono_sur"]), level=st.sampled_from(["admin1", "admin2"]))
def test_splitting_a_file_by_month_gives_the_same_figures(rows, month, method, level):
    assume(has_month(rows, "2020-08") and has_month(rows, "2020-09"))
    dedup = {"deduplicacion": {"metodo": method, "nivel": level}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        whole = write_rows(folder, rows, "dos_meses.csv")
        own = write_rows(folder, [r for r in rows if r["month"] == month], "un_mes.csv")
        from_whole = figures(compute(load(folder, whole, month, **dedup)))
        from_own = figures(compute(load(folder, own, month, **dedup)))
    if month == "2020-09":
        # the whole file also knows August (previous month, year to date); September's own does not
        for key in ("ytd", "previous_month"):
            from_whole.pop(key)
            from_own.pop(key)
    # Warnings look beyond the month on purpose (W03: the previous month; W06: key-figure patterns
    # against every month of the file), so they are compared apart from the figures.
    warnings_whole, warnings_own = from_whole.pop("warnings"), from_own.pop("warnings")
    # so does January's information line (W03 when the file has no earlier month: September's own file)
    from_whole.pop("notices")
    from_own.pop("notices")
    # W04 judges admin2 on the rows the report uses (January..month and the previous month): a file cut
    # to September alone may have no admin2 where the whole file has some in August. Then September is
    # computed at admin1 in one and at admin2 with every unit «(sin dato)» in the other: the same figures,
    # told with the level each file really allows.
    level_whole, level_own = from_whole.pop("dedup"), from_own.pop("dedup")
    if level_whole != level_own:
        assert (level_whole["level"], level_own["level"]) == ("admin2", "admin1")
        assert [w["code"] for w in warnings_own if w["code"] == "W04"] == ["W04"]
    if month == "2020-08":
        assert [w for w in warnings_whole if w["code"] != "W06"] == [w for w in warnings_own if w["code"] != "W06"]
    # August: January..August holds only August in both files, so every figure is the same
    assert from_whole == from_own
