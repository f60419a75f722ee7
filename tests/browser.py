"""Debian's Chromium driven by Playwright, as the tests use it.

Only /usr/bin/chromium (installed by `make browser`): a test tool's own browser
download cannot work here. The flags keep Chromium from calling home, which
this machine's closed network would refuse.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true y falta /usr/bin/chromium (make browser lo instala)")
        pytest.skip("chromium no instalado (make browser)")
    return CHROMIUM


@contextmanager
def chromium(**launch):
    """A headless Chromium browser (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True, **launch)
        try:
            yield browser
        finally:
            browser.close()
