"""Report months, written 'YYYY-MM': the one home of their shape and their arithmetic."""
from __future__ import annotations

import re

MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])\Z")  # ASCII digits: «٢٠٢٠-٠٩» is not a month
MONTH_FILE = re.compile(r"^([0-9]{4}-(0[1-9]|1[0-2]))\.ya?ml\Z")  # a month's params file, e.g. 2020-09.yml


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def months_to_date(month: str) -> list[str]:
    """January of the month's year up to the month itself."""
    year, mon = int(month[:4]), int(month[5:7])
    return [f"{year}-{m:02d}" for m in range(1, mon + 1)]
