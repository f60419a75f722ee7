"""What a report notebook works from: the month computed once (params, data, metrics, tables).

`mdrm report` computes the month in its own process (`month_view`), writes
`metrics.json` and `tablas.xlsx` from it, and hands the same object to the
notebooks as a file in its private staging folder (`save_month`, parameter
`mes`): the notebooks load it and only draw and display, so the HTML, the
workbook and `metrics.json` come from the same objects (README.md, «Uso»).
Run alone from JupyterLab, with only `parametros`, a notebook computes the
month itself, with the same function.
"""
from __future__ import annotations

import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .metrics import MonthData, compute, load_month
from .params import Params, load_params
from .scope import SAMPLE_FOLDER

if TYPE_CHECKING:
    import pandas as pd

@dataclass
class MonthView:
    params: Params
    data: MonthData
    metrics: dict
    tables: dict[str, pd.DataFrame] | None = None  # every report table, once computed
    _previous: tuple = field(default=(), repr=False)  # (the previous month's key figures,), once computed

    @property
    def is_sample(self) -> bool:
        """Data from the kit's sample folder (data/ejemplo/): reports carry a banner."""
        return self.params.data_path.parent.name == SAMPLE_FOLDER

    def report_tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the situation report (`mdrm.tables.report_tables`), computed once per month."""
        if self.tables is None:
            from .tables import report_tables

            self.tables = report_tables(self)
        return self.tables

    def table(self, name: str) -> pd.DataFrame:
        """One table of the report by its record's id ("population") or sheet name (`mdrm.tables.record`)."""
        from .tables import frame_of

        return frame_of(self.report_tables(), name)

    def previous_key_figures(self) -> dict[str, int] | None:
        """The previous month's key figures (`mdrm.tables.previous_key_figures`), computed once per month."""
        if not self._previous:
            from .tables import previous_key_figures

            self._previous = (previous_key_figures(self),)
        return self._previous[0]

    def compute_all(self) -> MonthView:
        """Everything the report shows, computed now (before the month is handed to the notebooks)."""
        self.report_tables()
        self.previous_key_figures()
        return self


@dataclass
class PeriodView(MonthView):
    """A quarter, half or year (`periodo:`, docs/metodologia.md §12) as its report shows it: the same
    attributes as a month's (`params`, `data`, `metrics`, `report_tables()`), the metrics of
    `metrics.compute_period`, and the period's own tables (`tables.period_records`)."""

    _previous_period: tuple = field(default=(), repr=False)  # (the same period a year before, or None,)

    def report_tables(self) -> dict[str, pd.DataFrame]:
        if self.tables is None:
            from .tables import period_records, report_tables

            self.tables = report_tables(self, period_records())
        return self.tables

    def previous_key_figures(self) -> None:
        return None  # a period compares with the same period of the previous year (`previous_period`)

    def previous_period(self) -> dict | None:
        """The metrics of the same period one year before, when the export has all its months; else None."""
        if not self._previous_period:
            self._previous_period = (_previous_period(self),)
        return self._previous_period[0]

    def compute_all(self) -> PeriodView:
        self.previous_period()
        self.report_tables()
        return self


def _previous_period(view: PeriodView) -> dict | None:
    from dataclasses import replace

    from .errors import InputError
    from .metrics import compute_period
    from .periods import period_months

    period = str(int(view.params.period[:4]) - 1) + view.params.period[4:]
    params = replace(view.params, period=period, month=period_months(period)[-1], targets=None)
    try:
        metrics = compute_period(load_month(params, view.data.fivew))
    except InputError:  # no row of the Mesa in that period
        return None
    return None if metrics["months_missing"] else metrics


def month_view(params: Params, data: MonthData | None = None) -> MonthView:
    """The month (or, with `periodo:`, the period) computed from its params (and its data, when loaded)."""
    data = data if data is not None else load_month(params)
    if params.period:
        from .metrics import compute_period

        return PeriodView(params, data, compute_period(data))
    return MonthView(params, data, compute(data))


def save_month(view: MonthView, path: str | Path) -> None:
    """The computed month, for the notebooks of the same run (a file only this run reads)."""
    from .iorw import write_atomic

    write_atomic(path, pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL))


def load_view(params_path: str | Path, metrics_path: str | Path | None = None,
              month_path: str | Path | None = None) -> MonthView:
    """The month a notebook shows.

    `month_path` (parameter `mes`): the month computed by `mdrm report`, loaded as it is. Otherwise the
    month is computed from `params_path`; with `metrics_path`, its figures are read from that
    metrics.json (a saved notebook re-run shows exactly the published figures).
    """
    if month_path:
        from .i18n import activate

        with open(month_path, "rb") as handle:
            view = pickle.load(handle)  # written by this run's parent in its private staging folder
        activate(view.params.language)  # the kernel shows the month in the language it was computed in
        return view
    params = load_params(params_path)
    if metrics_path:
        data = load_month(params)
        return (PeriodView if params.period else MonthView)(params, data, json.loads(Path(metrics_path).read_text(encoding="utf-8")))
    return month_view(params)
