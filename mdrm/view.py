"""What a report notebook works from: the params, the month's data, its metrics.

The report command computes `metrics.json` once and passes its path to the
notebooks, so the HTML shows exactly the numbers of that file; run alone (no
path), a notebook computes them with the same code.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .metrics import MonthData, compute, load_month
from .params import Params, load_params
from .scope import SAMPLE_FOLDER


@dataclass
class MonthView:
    params: Params
    data: MonthData
    metrics: dict

    @property
    def is_sample(self) -> bool:
        """Data from the kit's sample folder (data/ejemplo/): reports carry a banner."""
        return self.params.data_path.parent.name == SAMPLE_FOLDER


def load_view(params_path: str | Path, metrics_path: str | Path | None = None) -> MonthView:
    params = load_params(params_path)
    data = load_month(params)
    if metrics_path:
        metrics = json.loads(Path(metrics_path).read_text(encoding="utf-8"))
    else:
        metrics = compute(data)
    return MonthView(params, data, metrics)
