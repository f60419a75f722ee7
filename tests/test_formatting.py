"""Spanish numbers, months and dates as the seed writes them (mdrm.formatting)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from mdrm import formatting as fmt


@pytest.mark.parametrize("value, text", [
    (2953, "2,953"), (86348, "86,348"), (1490, "1,490"), (0, "0"), (7, "7"), (999, "999"),
    (1000, "1,000"), (1234567, "1,234,567"), (-1234, "-1,234"),
    (2.5, "3"),  # half up, as the methodology rounds
    (86347.5, "86,348"),
])
def test_numbers_with_comma_thousands(value, text):
    assert fmt.number(value) == text


def test_numbers_with_decimals_and_numpy_and_missing():
    import numpy as np

    assert fmt.number(12.4, decimals=1) == "12.4"
    assert fmt.number(1234.5, decimals=1) == "1,234.5"
    assert fmt.number(np.int64(2953)) == "2,953"
    assert fmt.number(None) == fmt.MISSING == "—"
    assert fmt.number(float("nan")) == "—"
    assert fmt.number(pd.NA) == "—"


@pytest.mark.parametrize("value, text", [(67, "+67"), (-33, "-33"), (0, "0"), (11490, "+11,490"),
                                         (-1234, "-1,234"), (-0.2, "0"), (None, "—")])
def test_signed_changes(value, text):
    assert fmt.signed(value) == text


@pytest.mark.parametrize("fraction, text", [(0.744, "74.4%"), (0.0232, "2.3%"), (1, "100.0%"), (0, "0.0%"),
                                            (0.0005, "0.1%"), (12.5, "1,250.0%")])
def test_percentages(fraction, text):
    assert fmt.percent(fraction) == text


@pytest.mark.parametrize("fraction, text", [(0.0232, "+2.3%"), (-0.064, "-6.4%"), (-0.1, "-10.0%"),
                                            (0.0001, "0.0%"), (-0.0001, "0.0%"), (None, "—")])
def test_signed_percentages(fraction, text):
    assert fmt.signed_percent(fraction) == text


def test_change_and_relative_change():
    assert fmt.change(2953, 2886) == 67
    assert fmt.change(2953, None) is None
    assert fmt.relative_change(2953, 2886) == pytest.approx(67 / 2886)
    assert fmt.relative_change(5, 0) is None
    assert fmt.relative_change(None, 5) is None


MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre"]


@pytest.mark.parametrize("number, name", list(enumerate(MONTHS, start=1)))
def test_every_month_name_as_in_the_seed(number, name):
    assert fmt.month_name(number) == name
    assert fmt.month_name(f"2021-{number:02d}") == name
    assert fmt.month_label(f"2021-{number:02d}") == f"{name} de 2021"


def test_september_is_not_babel_peru_setiembre():
    assert fmt.month_label("2020-09") == "septiembre de 2020"
    assert "setiembre" not in fmt.month_label("2020-09")


def test_month_ranges_short_names_and_dates():
    assert fmt.month_range("2020-01", "2020-09") == "enero a septiembre de 2020"
    assert fmt.month_range("2020-01", "2020-01") == "enero de 2020"
    assert fmt.month_range("2019-12", "2020-02") == "diciembre de 2019 a febrero de 2020"
    assert fmt.month_short("2020-09") == "sept"
    assert fmt.month_short("2020-01", year=True) == "ene 2020"
    assert fmt.date_label("2026-11-26") == "26 de noviembre de 2026"
    assert fmt.date_label(dt.date(2020, 9, 1)) == "1 de septiembre de 2020"


@pytest.mark.parametrize("bad", ["2020-13", "2020-00", "202009", "sept"])
def test_bad_month_is_an_error(bad):
    with pytest.raises(ValueError):
        fmt.month_label(bad)


def test_people_and_usd():
    assert fmt.people(2953) == "2,953 personas"
    assert fmt.people(1) == "1 persona"
    assert fmt.usd(86348) == "86,348 USD"


def test_every_population_group_has_its_colour():
    from mdrm.catalog import SIN_DESAGREGAR, load_catalog

    for group in [*load_catalog().population_ids, SIN_DESAGREGAR]:
        assert fmt.POPULATION_COLORS[group].startswith("#")
    assert len(set(fmt.POPULATION_COLORS.values())) == len(fmt.POPULATION_COLORS)


def test_the_month_of_a_months_metrics_and_the_one_before():
    """The one home of the titles' month (html, tables and charts had their own `_month`: now
    `when_label`) and of the month before: January's is the December of the year before."""
    assert fmt.when_label({"month": "2020-09"}) == "septiembre de 2020"
    assert fmt.previous_month_of({"month": "2020-09"}) == "agosto de 2020"
    assert fmt.previous_month_of({"month": "2021-01"}) == "diciembre de 2020"
