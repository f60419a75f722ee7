"""The report notebooks, shipped in the wheel as `mdrm.notebooks` (pyproject.toml maps this folder)."""
