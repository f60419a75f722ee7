"""Shown text without bidirectional controls (README.md, «Límites y entradas dañadas»).

A right-to-left override (U+202E) in a highlight, a region or an organization name makes a
browser or a PDF reader show the rest of the text backwards («Tacna» as «anсaT»): a way to
make a report say what its data does not. Spanish text needs none of these controls, so every
text the reports show (`mdrm.templating`, the one-pager's `Writer`) goes through `shown`.
"""
from __future__ import annotations

import re

# embeddings and overrides (LRE RLE PDF LRO RLO), isolates (LRI RLI FSI PDI), marks (LRM RLM ALM)
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def shown(text: str) -> str:
    """`text` without bidirectional controls (other characters untouched)."""
    return BIDI_CONTROLS.sub("", text)
