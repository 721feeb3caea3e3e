"""A real JupyterLab and a real headless Chromium for the browser test of the dashboards.

``lab`` starts JupyterLab on 127.0.0.1 (a free port, a random token, its own temporary
config, data, runtime and settings folders, so nothing of the user's setup leaks in or out)
serving a temporary copy of ``notebooks/`` (so the test never saves into the lessons), and
stops it, kernels included, at the end. ``browser_page`` opens Debian's ``chromium`` through
Playwright: ``MNISTNET_CHROMIUM`` names the executable, else ``chromium`` on the PATH. Without
one the test is skipped, except on CI (``CI=true``), where that is a failure.

``MNISTNET_BROWSER_NOTEBOOK`` may name another notebook to open (a path), e.g. a scratch one.

The lesson's kernel gets an empty data folder and no mirror, so ``load_mnist`` falls back
to the bundled sample (10,000 + 2,000 digits) as it does for an offline learner: the lesson's
own training cells then take seconds, not minutes, and the test stays near a minute. The
lesson itself is checked on the full data by nbval; ``MNISTNET_BROWSER_FULL_DATA=1`` keeps
the caller's ``MNISTNET_DATA_DIR`` here too.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04_training.ipynb"
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SERVER_START_SECONDS = 90


BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path():
    """The Chromium (or Chrome) executable to drive: MNISTNET_CHROMIUM, else the first on PATH."""
    found = (shutil.which(name) for name in BROWSER_NAMES)
    return os.environ.get("MNISTNET_CHROMIUM") or next((path for path in found if path), None)


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if not path or not Path(path).exists():
        where = (f"MNISTNET_CHROMIUM={path} does not exist" if os.environ.get("MNISTNET_CHROMIUM")
                 else f"none of {', '.join(BROWSER_NAMES)} is on PATH")
        message = (f"headless Chromium or Chrome is needed for the browser tests, and {where}: "
                   "install Debian's 'chromium', or set MNISTNET_CHROMIUM to the browser's path.")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def notebook_path():
    return Path(os.environ.get("MNISTNET_BROWSER_NOTEBOOK", NOTEBOOK))


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _quiet_lab_settings(settings_dir):
    """No news or update pop-ups over the notebook."""
    folder = settings_dir / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True)
    (folder / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture(scope="module")
def lab(tmp_path_factory, notebook_path):
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebook's folder."""
    if not notebook_path.exists():
        pytest.fail(f"the notebook to test is missing: {notebook_path}")
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(notebook_path.parent, root,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.npz"))
    for name in ("config", "data", "runtime", "settings", "workspaces"):
        (home / name).mkdir()
    _quiet_lab_settings(home / "settings")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1",
               MNISTNET_MIRRORS="http://127.0.0.1:9/no-network-in-tests/")
    if not os.environ.get("MNISTNET_BROWSER_FULL_DATA"):
        (home / "no-mnist-here").mkdir()
        env["MNISTNET_DATA_DIR"] = str(home / "no-mnist-here")   # -> the bundled sample
    port, token = free_port(), secrets.token_hex(16)
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--ServerApp.allow_root=True", "--ServerApp.terminals_enabled=False",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, url, token, home / "server.log")
        yield {"url": url, "token": token, "root": root, "log": home / "server.log"}
    finally:
        _stop(server)
        log.close()


def _wait_for_server(server, url, token, log_path):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not start in {SERVER_START_SECONDS} s:\n"
                f"{log_path.read_text()[-3000:]}")


def _stop(server):
    """Stop the server and its kernels (they share its process group)."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)     # Jupyter shuts its kernels down on SIGINT x2
        time.sleep(0.2)
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)   # anything left of this server's group
    except ProcessLookupError:
        pass
    server.wait(timeout=10)


# Module scope: Playwright's event loop must be gone before other test files run asyncio code.
@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
