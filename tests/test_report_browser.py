"""The shared HTML reports in Debian's Chromium with the network off.

Each page is opened from a file:// URL in a headless Chromium whose context is
offline and whose every non-file request is aborted and recorded. The page
must load with no failed or blocked request, no console error, no script
error, every image decoded; a full-page screenshot is saved to
reports/screenshots/ and must not be blank. On the report made from hostile
data (`<script>alert(1)</script>` as an organization, `<img onerror>` in a
highlight) no dialog may open.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from report_runs import hostile_report, sample_report

SCREENSHOTS = ROOT / "reports" / "screenshots"
PAGES = ("situacion.html", "destacados.html")


def open_offline(browser, path: Path, screenshot: Path | None = None) -> dict:
    """Load `path` offline; returns what happened (requests, errors, dialogs, images)."""
    context = browser.new_context(offline=True, java_script_enabled=True, viewport={"width": 1280, "height": 900})
    seen = {"blocked": [], "failed": [], "console": [], "errors": [], "dialogs": []}
    try:
        page = context.new_page()

        def route(request_route):
            url = request_route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                request_route.continue_()
            else:
                seen["blocked"].append(url)
                request_route.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda request: seen["failed"].append(f"{request.url} {request.failure}"))
        page.on("console", lambda msg: seen["console"].append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))

        def dialog(d):
            seen["dialogs"].append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=60_000)
        page.wait_for_timeout(300)  # let any late script or image error surface
        seen["images"] = page.evaluate(
            "Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.src.slice(0, 40)])")
        seen["text"] = page.evaluate("document.body.innerText")
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        context.close()
    return seen


def distinct_colours(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours) if colours is not None else 1 << 20


@pytest.mark.parametrize("name", PAGES)
def test_report_renders_fully_offline(browser, name):
    month = sample_report()
    shot = SCREENSHOTS / name.replace(".html", ".png")
    shot.unlink(missing_ok=True)
    seen = open_offline(browser, month / name, shot)
    assert seen["blocked"] == [], f"requests to the network: {seen['blocked']}"
    assert seen["failed"] == [], f"failed requests: {seen['failed']}"
    assert seen["console"] == [] and seen["errors"] == [], (seen["console"], seen["errors"])
    assert seen["dialogs"] == []
    assert all(ok for ok, _ in seen["images"]), f"images not decoded: {seen['images']}"
    assert "septiembre" in seen["text"]
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert distinct_colours(shot) >= 64, "the screenshot is (nearly) blank"


def test_situacion_shows_its_charts():
    month = sample_report()
    from report_runs import elements

    images = [a for t, a in elements((month / "situacion.html").read_text(encoding="utf-8")) if t == "img"]
    assert len(images) >= 3, "the charts are embedded images"
    assert all((a.get("src") or "").startswith("data:image/") for a in images)


@pytest.mark.parametrize("name", PAGES)
def test_no_script_from_data_runs(browser, name):
    month = hostile_report()
    seen = open_offline(browser, month / name)
    assert seen["dialogs"] == [], f"a dialog opened: {seen['dialogs']}"
    assert seen["blocked"] == [] and seen["failed"] == [], seen  # <img src=x> as markup would request x
    assert seen["errors"] == []
    if name == "situacion.html":
        assert "<script>alert(1)</script>" in seen["text"]
    else:
        assert "<b>negrita</b>" in seen["text"]


def test_region_index_renders_offline_and_links_the_month(browser):
    month = sample_report()
    index = month.parent / "index.html"
    seen = open_offline(browser, index)
    assert seen["blocked"] == [] and seen["failed"] == [] and seen["console"] == [] and seen["errors"] == []
    assert "septiembre de 2020" in seen["text"] and "2,953" in seen["text"]
    from report_runs import elements

    links = [a["href"] for t, a in elements(index.read_text(encoding="utf-8")) if t == "a"]
    assert "2020-09/situacion.html" in links and "2020-09/destacados.html" in links
    assert all((index.parent / link).is_file() for link in links), links
