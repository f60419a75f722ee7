"""The exploration notebook in a real JupyterLab, driven by Debian's Chromium.

Starts `jupyter lab` (of the Python running the tests) on 127.0.0.1 (a free port, a random token,
`--no-browser`, root = the repo), opens `notebooks/explorar.ipynb`, runs every
cell from the menu (Run › Run All Cells), changes the «Organización» dropdown
and checks that the table shown changes to the figures of that organization
(the numbers come from `mdrm.explore`, computed here). It saves a screenshot
in `reports/screenshots/explorar.png` (the README's `docs/explorar.png` is a
copy of it).

Robustness: the server runs with its own settings, workspaces, config and
runtime folders in tmp (no user state, no stale workspace), announcements,
update checks and the extension manager off (no network needed: this machine
has none), every wait has a generous timeout (JupyterLab's first load can take
20–40 s), and the server and its kernel are always stopped, even when the test
fails (its log is then shown).
"""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT

JUPYTER = [sys.executable, "-m", "jupyterlab"]  # the Python running the tests
NOTEBOOK = "notebooks/explorar.ipynb"
SCREENSHOT = ROOT / "reports" / "screenshots" / "explorar.png"
ORGANIZATION = "Red Frontera Humanitaria"
# Timeouts, in seconds: generous, a slow machine only makes the test slower, never red.
SERVER_START = 90  # the server answering /api/status
LAB_LOAD = 90  # first load of JupyterLab (bundles, settings)
KERNEL_ASK = 20  # no kernel after this: ask for one from the Kernel menu
KERNEL_START = 90  # the notebook's kernel started and idle
RUN_ALL = 120  # from "Run All Cells" to the table on screen and the kernel idle
UPDATE = 60  # from the dropdown change to the new table and chart
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no HTTP(S)_PROXY for 127.0.0.1

# User settings of the test's own JupyterLab: no news or update check (network),
# no extension manager, every cell attached to the page (no virtual scrolling).
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # never write the executed notebook (outputs) back into notebooks/explorar.ipynb
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen, base: str, token: str) -> None:
    """Stop the server and its kernels: /api/shutdown, else SIGTERM, else kill its process group."""
    for ask in (_shutdown_request, lambda *_: process.send_signal(signal.SIGTERM)):
        if process.poll() is not None:
            break
        try:
            ask(base, token)
            process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
    try:  # the group this test created: the server and the kernels it started
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if process.poll() is None:
        process.wait(timeout=10)


def _shutdown_request(base: str, token: str) -> None:
    """Jupyter Server's own shutdown: it stops every kernel, then itself."""
    _open(f"{base}/api/shutdown", data=b"", headers={"Authorization": f"token {token}"}, method="POST").close()


@contextmanager
def no_leftover_checkpoint():
    """JupyterLab writes notebooks/.ipynb_checkpoints/ when it opens a notebook: remove what it adds."""
    folder = ROOT / "notebooks" / ".ipynb_checkpoints"
    before = set(folder.iterdir()) if folder.is_dir() else None
    try:
        yield
    finally:
        if folder.is_dir():
            for path in set(folder.iterdir()) - (before or set()):
                path.unlink()
            if before is None and not any(folder.iterdir()):
                folder.rmdir()


def _open(url: str, data: bytes | None = None, headers: dict | None = None, method: str = "GET"):
    """HTTP to the local server, never through a proxy from the environment."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    return LOCAL.open(request, timeout=10)


def _start(tmp: Path, settings: Path, env: dict) -> tuple[subprocess.Popen, str, str]:
    """Start the server on a free port and wait until it answers; one retry if the port was taken."""
    for attempt in range(3):
        port, token = _free_port(), secrets.token_hex(16)
        command = [
            *JUPYTER, "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")  # CI runs as root
        log = tmp / "jupyter.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START
        try:
            while process.poll() is None:
                try:
                    with _open(f"{base}/api/status?token={token}") as answer:
                        if answer.status == 200:
                            return process, base, token
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab no respondió en {SERVER_START} s:\n"
                                         f"{log.read_text(errors='replace')}")
                time.sleep(0.5)
        except BaseException:
            _stop(process, base, token)
            raise
        if "already in use" not in log.read_text(errors="replace") or attempt == 2:
            raise AssertionError(f"JupyterLab terminó al iniciar:\n{log.read_text(errors='replace')}")
    raise AssertionError("unreachable")


@contextmanager
def jupyter_lab(tmp: Path):
    """A JupyterLab server on a free port; yields (base url, token, log path); always stopped."""
    settings = tmp / "settings"
    for name, content in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content), encoding="utf-8")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "IPYTHONDIR": str(tmp / "ipython"), "JUPYTER_PLATFORM_DIRS": "1"}
    process, base, token = _start(tmp, settings, env)
    try:
        yield base, token, tmp / "jupyter.log"
    finally:
        _stop(process, base, token)


class Lab:
    """The page of JupyterLab and its REST API (the truth about the kernel, not the page's spinner)."""

    def __init__(self, page, base: str, token: str):
        self.page, self.base, self.token = page, base, token

    def api(self, path: str):
        with _open(f"{self.base}{path}?token={self.token}") as answer:
            return json.loads(answer.read())

    def kernel_state(self) -> str | None:
        """The notebook's kernel execution state ('idle', 'busy', 'starting') or None without a kernel."""
        sessions = [s for s in self.api("/api/sessions") if s["path"] == NOTEBOOK]
        return sessions[0]["kernel"]["execution_state"] if sessions and sessions[0].get("kernel") else None

    def accept_kernel_dialog(self) -> bool:
        """JupyterLab asks which kernel to start when the kernel list arrives late (cold start):
        accept its choice, python3."""
        dialog = self.page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count() and dialog.first.is_visible():
            dialog.first.locator(".jp-mod-accept").click()
            return True
        return False

    def wait(self, condition, seconds: float, what: str) -> None:
        """Poll `condition` (answering the kernel dialog meanwhile) for up to `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            self.accept_kernel_dialog()
            if condition():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} (tras {seconds} s)")
            self.page.wait_for_timeout(250)

    def start_kernel(self) -> None:
        """Wait for the notebook's kernel; if JupyterLab did not start one, ask for it (Kernel menu)."""
        started = time.monotonic()
        asked = False

        def ready() -> bool:
            nonlocal asked
            state = self.kernel_state()
            if state is None and not asked and time.monotonic() - started > KERNEL_ASK:
                self.menu("Kernel", "Change Kernel…")
                asked = True
            return state == "idle"

        self.wait(ready, KERNEL_START, "el kernel del cuaderno no quedó listo")

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel").get_by_text(menu, exact=True).click()
        self.page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).click()


def expected_total(organization: str) -> str:
    """The September total of one organization, as the notebook's table writes it."""
    from mdrm import explore
    from mdrm.formatting import number

    data = explore.load_exploration(ROOT / "params" / "tacna" / "2020-09.yml")
    key = dict(explore.options(data, "organization"))[organization]
    selection = explore.Selection(months=("2020-09", "2020-09"), organization=key)
    table = explore.over_time(data, selection)
    return number(table.iloc[-1][explore.total_header(data, selection)])


def test_explorar_in_jupyterlab(tmp_path, browser):
    if importlib.util.find_spec("jupyterlab") is None:
        pytest.fail("falta jupyterlab en el Python de las pruebas (make test lo instala en .venv/)")
    from playwright.sync_api import expect

    wanted = expected_total(ORGANIZATION)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with no_leftover_checkpoint(), jupyter_lab(tmp_path) as (base, token, log):
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        lab = Lab(page, base, token)
        try:
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?reset&token={token}", timeout=LAB_LOAD * 1000)
            notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
            expect(notebook.locator(".jp-Notebook")).to_be_visible(timeout=LAB_LOAD * 1000)
            lab.start_kernel()

            lab.menu("Run", "Run All Cells")
            table = notebook.locator(".mdrm-tabla-tiempo table")
            lab.wait(lambda: table.count() == 1 and table.is_visible(), RUN_ALL, "la tabla no apareció")
            lab.wait(lambda: lab.kernel_state() == "idle", RUN_ALL, "las celdas no terminaron")
            expect(table).to_contain_text("septiembre de 2020")
            expect(table).to_contain_text("2,953")  # the whole region: the report's headline
            before = table.inner_text()

            notebook.locator(".mdrm-organization select").select_option(label=ORGANIZATION)
            lab.wait(lambda: table.inner_text() != before, UPDATE, "la tabla no cambió con la organización")
            expect(table).to_contain_text(wanted)  # that organization's September total
            assert "2,953" not in table.inner_text()
            expect(notebook.locator(".mdrm-explorar")).to_contain_text(f"Organización: {ORGANIZATION}")
            lab.wait(lambda: lab.kernel_state() == "idle", UPDATE, "el gráfico no terminó")

            # For the README's picture: the organization's year so far (January to September)
            before = table.inner_text()
            notebook.locator(".mdrm-desde select").select_option(label="enero de 2020")
            lab.wait(lambda: table.inner_text() != before, UPDATE, "la tabla no cambió con el mes inicial")
            expect(table).to_contain_text("enero de 2020")
            lab.wait(lambda: lab.kernel_state() == "idle", UPDATE, "el gráfico no terminó")
            page.wait_for_timeout(500)  # let the new chart image paint
            notebook.locator(".mdrm-explorar").screenshot(path=str(SCREENSHOT))
        except Exception:
            page.screenshot(path=str(SCREENSHOT.with_name("explorar-fallo.png")))
            print(log.read_text(errors="replace")[-5000:])
            raise
    assert SCREENSHOT.stat().st_size > 10_000
