"""Browser tests: Playwright (from PyPI) drives Debian's Chromium, headless, against the app served
by werkzeug in a background thread on a free port, on the test database of conftest's fixtures.

No browser is ever downloaded: Chromium is launched by its path (CHROMIUM, default
/usr/bin/chromium); without it these tests are skipped with the reason."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parent.parent.parent


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not (ROOT / "node_modules" / "bpmn-js" / "dist").is_dir():
        return "node_modules is missing: run `npm install --no-audit --no-fund` at the repository root"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


class LiveServer:
    """The app on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live(api, tmp_path):
    """The demo organisation's app, served live (uploads in a temporary folder)."""
    api.app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with LiveServer(api.app) as server:
        yield server


@pytest.fixture
def page(browser, live):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page, username: str, password: str = "demo123") -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click(".login button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # staff land on 待办, residents on 我上报的


SHOTS = os.environ.get("CASE_SHOTS")  # a folder to keep screenshots in, when set


def phone_as(browser, live, username):
    """A phone-sized (390×844) browser context logged in as ``username``, and its page."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, username)
    return context, page


def shot(page, name):
    """Keep a full-page screenshot in $CASE_SHOTS, when set."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def fits(page) -> bool:
    """Nothing on the page scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
