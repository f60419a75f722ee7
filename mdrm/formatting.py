"""How the kit writes numbers, months and dates in the run's language (`mdrm.i18n`): the one place for it.

Spanish as the seed dashboard does: thousands with a comma and decimals with a point
("2,953", "86,348", "12.4"; babel's `es_PE` number symbols) and month names as
"septiembre" (babel's `es` names: `es_PE` would say "setiembre"), «septiembre de 2020».
English and Brazilian Portuguese by babel's `en` and `pt_BR` (docs/idiomas.md): "2,953" and «September 2020»,
"2.953", "74,4%" and «setembro de 2020». Never the system locale nor `strftime("%B")`: this machine
has no `es_*` locale and the output must not depend on where it runs.

Also the house colours of the population groups, shared by charts and HTML (read from the theme,
`mdrm.theme`).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from decimal import Decimal

import pandas as pd
from babel.dates import format_date, format_skeleton, get_month_names
from babel.numbers import format_decimal, format_percent

from . import i18n, theme
from .i18n import _, ngettext
from .rounding import half_up, round_half_up

# Spanish: numbers by es_PE, months by es (the seed's rule); the other languages by their own locale
SPANISH_NUMBER_LOCALE = "es_PE"
MISSING = "—"  # a figure that does not exist (no previous month, no data)


def _number_locale() -> str:
    return SPANISH_NUMBER_LOCALE if i18n.language() == "es" else i18n.locale()


@functools.cache
def _month_names(locale: str, width: str) -> dict[int, str]:
    return dict(get_month_names(width, locale=locale))


def _months(width: str = "wide") -> dict[int, str]:
    """Month number -> name in the active language ('septiembre', 'September', 'setembro')."""
    return _month_names(i18n.locale(), width)


class _PopulationColors(Mapping):
    """Population group id -> colour, one each in every chart and card: the theme's
    `--mdrm-population-<group>` properties (mdrm/templates/mdrm/theme.css), read at each use."""

    def __getitem__(self, group: str) -> str:
        return theme.population_colors()[group]

    def __iter__(self):
        return iter(theme.population_colors())

    def __len__(self) -> int:
        return len(theme.population_colors())


POPULATION_COLORS = _PopulationColors()
# TOTAL_COLOR (text, totals) and ACCENT_COLOR (headings, bars that are not population groups): the
# theme's colours too, looked up when used (module __getattr__ below) so that the theme has the last word.
_THEME_CONSTANTS = {"TOTAL_COLOR": "text", "ACCENT_COLOR": "accent"}


def __getattr__(name: str) -> str:
    if name in _THEME_CONSTANTS:
        return theme.color(_THEME_CONSTANTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_missing(value) -> bool:
    """None, NaN or pandas.NA: a figure that does not exist."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def number(value, decimals: int = 0) -> str:
    """2953 -> '2,953'; 86348.4 -> '86,348'; 12.4 with decimals=1 -> '12.4'; None -> '—'."""
    if is_missing(value):
        return MISSING
    if decimals == 0:
        value = value if isinstance(value, int) else half_up(value)  # the methodology's rounding
        return format_decimal(value, format="#,##0", locale=_number_locale())
    pattern = "#,##0." + "0" * decimals
    return format_decimal(Decimal(str(round_half_up(value, decimals))), format=pattern, locale=_number_locale())


def signed(value, decimals: int = 0) -> str:
    """A change: +67, -33, 0 ('—' when unknown)."""
    if is_missing(value):
        return MISSING
    text = number(value, decimals)
    if text.lstrip("-") == number(0, decimals):
        return number(0, decimals)  # never "+0" nor "-0"
    return f"+{text}" if float(value) > 0 else text


def percent(fraction, decimals: int = 1) -> str:
    """0.744 -> '74.4%', rounded half up ('—' when unknown)."""
    if is_missing(fraction):
        return MISSING
    points = Decimal(str(round_half_up(float(fraction) * 100, decimals)))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(points / 100, format=pattern, locale=_number_locale())


def signed_percent(fraction, decimals: int = 1) -> str:
    """A relative change: 0.0232 -> '+2.3%', -0.1 -> '-10.0%' ('—' when unknown)."""
    if is_missing(fraction):
        return MISSING
    text = percent(fraction, decimals)
    if text.lstrip("-") == percent(0, decimals):
        return percent(0, decimals)
    return f"+{text}" if float(fraction) > 0 else text


def change(current, previous) -> int | None:
    """current - previous, or None when either is unknown."""
    if is_missing(current) or is_missing(previous):
        return None
    return current - previous


def relative_change(current, previous) -> float | None:
    """(current - previous) / previous, or None when unknown or previous is 0."""
    if is_missing(current) or is_missing(previous) or previous == 0:
        return None
    return (current - previous) / previous


def _month_parts(month: str) -> tuple[int, int]:
    text = str(month)
    if len(text) < 7 or text[4] != "-" or not 1 <= int(text[5:7]) <= 12:
        raise ValueError(_("mes no válido (se espera AAAA-MM): {month!r}").format(month=month))
    return int(text[:4]), int(text[5:7])


def month_name(month: int | str) -> str:
    """9 or '2020-09' -> 'septiembre' (English 'September', Portuguese 'setembro')."""
    mon = _month_parts(month)[1] if isinstance(month, str) else int(month)
    return _months()[mon]


def month_label(month: str) -> str:
    """'2020-09' -> 'septiembre de 2020' (the seed's); 'September 2020', 'setembro de 2020' (babel's)."""
    year, mon = _month_parts(month)
    if i18n.language() == "es":
        return f"{_months()[mon]} de {year}"
    return format_skeleton("yMMMM", dt.date(year, mon, 1), locale=i18n.locale())


def previous_month_of(metrics: Mapping) -> str:
    """The month before it: 'agosto de 2020' (the variations' column and notes)."""
    from .months import previous_month

    return month_label(previous_month(metrics["month"]))


def month_short(month: str, year: bool = False) -> str:
    """'2020-09' -> 'sept' (chart axes; 'Sep', 'set.'); with year -> 'sept 2020'."""
    y, mon = _month_parts(month)
    short = _months("abbreviated")[mon]
    return f"{short} {y}" if year else short


def month_range(first: str, last: str) -> str:
    """'2020-01', '2020-09' -> 'enero a septiembre de 2020'; one month -> 'enero de 2020'."""
    y1, m1 = _month_parts(first)
    y2, m2 = _month_parts(last)
    if (y1, m1) == (y2, m2):
        return month_label(last)
    if y1 == y2:
        return _("{first} a {last} de {year}").format(first=_months()[m1], last=_months()[m2], year=y2)
    return _("{first} a {last}").format(first=month_label(first), last=month_label(last))


def date_label(value: str | dt.date) -> str:
    """'2026-11-26' -> '26 de noviembre de 2026' (English 'November 26, 2026', babel's long date)."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if i18n.language() == "es":
        return f"{day.day} de {_months()[day.month]} de {day.year}"
    return format_date(day, "long", locale=i18n.locale())


def people(value) -> str:
    """2953 -> '2,953 personas'; 1 -> '1 persona' (the catalog's plural forms)."""
    count = 0 if is_missing(value) else (value if isinstance(value, int) else half_up(value))
    return ngettext("{n} persona", "{n} personas", count).format(n=number(value))


def usd(value) -> str:
    """86348 -> '86,348 USD' (as the seed writes it)."""
    return f"{number(value)} USD"


def target_share(against: Mapping | None) -> str:
    """Reached against target as a share: {'percent': 50.0} -> '50.0%'; no target or a target of 0
    (`percent` None in metrics.json) -> '—', never 'inf %' nor a division by zero."""
    if not against or is_missing(against.get("percent")) or not against.get("target"):
        return MISSING
    return percent(against["percent"] / 100)


def reached_against_target(against: Mapping | None) -> str:
    """{'reached': 135, 'target': 270, 'percent': 50.0} -> '135 de 270 (50.0%)'; without a target, or a
    target of 0, '—' (the people reached are shown elsewhere; against nothing there is nothing to say)."""
    if not against or not against.get("target") or is_missing(against.get("percent")):
        return MISSING
    return _("{reached} de {target} ({share})").format(reached=number(against["reached"]),
                                                        target=number(against["target"]), share=target_share(against))


def when_label(metrics: Mapping) -> str:
    """What a report's figures cover: the month's name ('septiembre de 2020') or, for a period
    (`periodo:`), its title ('Primer trimestre de 2020 (enero–marzo)', `period_title`)."""
    if metrics.get("period"):
        return period_title(metrics["period"])
    return month_label(metrics["month"])


def period_title(period: str) -> str:
    """The period as a report's title says it: '2020-T1' -> 'Primer trimestre de 2020 (enero–marzo)';
    '2020' -> 'Año 2020 (enero–diciembre)' (the months named, so a reader never guesses the calendar)."""
    from .periods import period_label, period_months

    months = period_months(period)
    label = period_label(period)
    names = _months()
    return f"{label[0].upper()}{label[1:]} ({names[int(months[0][5:])]}–{names[int(months[-1][5:])]})"
