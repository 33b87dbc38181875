"""Regenerate the designer's screenshots into docs/screenshots/, at 390×844 and 1366×900.

    .venv/bin/python docs/screenshots_designer.py

Like docs/screenshots.py: a temporary SQLite database seeded by
``demo.seed()`` with a second version of 小事快办, served by werkzeug, photographed by Debian's
Chromium through Playwright. Pages: the modeler with the properties panel, a draft, its publish
page with the diff, a test run with its path on the diagram, the form editor, the decision-table
editor and the version comparison. Each is written as ``designer-<page>-phone.png`` and
``designer-<page>-desktop.png``.
"""

import json
import os
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow_app import create_app, demo  # noqa: E402
from workflow_app.extensions import db  # noqa: E402
from workflow_app.org import people  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage"]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
REPORT = {"category": "environment", "severity": "minor", "address": "东门路12号", "description": "路边垃圾堆放"}


def build_app(folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": "screenshots",
                      "UPLOAD_DIR": str(folder / "uploads"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from workflow_app.cli import migrate_database

        migrate_database()
    return app


def new_version(app) -> None:
    """A second version of minor_event (a renamed step), for the comparison."""
    from workflow_app import deployment
    from workflow_app.repository import definitions

    with app.app_context():
        base = definitions.latest_active("minor_event", definitions.DEFAULT)
        files = [(f.name, f.content.replace("核查结案".encode(), "核查结案（复核）".encode()) if f.kind == "bpmn"
                  else f.content) for f in base.files]
        deployment.deploy(files, actor=people.get("designer"), comment="核查环节改名为“核查结案（复核）”",
                          key="minor_event")
        db.session.remove()


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click(".login button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # staff land on 待办, residents on 我上报的


def shoot(page, name: str, size: str, full: bool = True) -> None:
    page.screenshot(path=OUT / f"designer-{name}-{size}.png", full_page=full)


def pages(browser, url: str, size: str) -> None:
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=2 if size == "phone" else 1,
                                  locale="zh-CN", base_url=url)
    page = context.new_page()
    log_in(page, "designer")
    page.goto("/designer/minor_event/versions/2/edit")
    page.wait_for_selector("#modeler[data-ready='1']")
    page.click(".djs-element[data-element-id='community_handle']")
    page.wait_for_selector("#bio-properties-panel-platform-sla")
    shoot(page, "modeler", size, full=size == "phone")
    page.goto("/designer/minor_event")
    page.click("article[data-version='2'] >> text=新建草稿")
    page.wait_for_url("**/designer/drafts/*")
    draft = page.url.rsplit("/", 1)[1]
    page.goto(f"/designer/drafts/{draft}/edit?file=minor_event.bpmn")
    page.wait_for_selector("#modeler[data-ready='1']")
    page.evaluate("""() => {
        const m = window.workflowModeler;
        m.get('modeling').updateLabel(m.get('elementRegistry').get('self_handle'), '网格自行处置（拍照）');
    }""")
    page.click("#save-draft")
    page.wait_for_url("**/designer/drafts/*")
    page.wait_for_selector(".diagram[data-ready='1']")
    shoot(page, "draft", size)
    page.click("#publish")
    shoot(page, "publish", size)
    page.goto(f"/designer/drafts/{draft}/test")
    page.select_option("#test-unit", "dc-dm-01")
    page.fill("#test-data", json.dumps(REPORT, ensure_ascii=False))
    page.click("#test-start-button")
    page.wait_for_selector("#run-status[data-status='running']")
    page.wait_for_selector(".diagram[data-ready='1']")
    shoot(page, "test-run", size)
    page.goto(f"/designer/drafts/{draft}")
    page.locator("tr[data-file$='.json']").first.locator("text=编辑表单").click()
    page.wait_for_selector("#form-preview [data-field]")
    shoot(page, "form-editor", size)
    page.goto(f"/designer/drafts/{draft}/edit?file=minor_event_grading.dmn")
    page.wait_for_selector("#dmn-editor[data-ready='1']")
    shoot(page, "dmn-editor", size)
    page.goto("/designer/minor_event/compare?a=:1&b=:2")
    page.wait_for_selector(".compare .diagram[data-ready='1'] >> nth=1")
    shoot(page, "compare", size)
    context.close()


def processes_dir(tmp: Path) -> Path:
    """processes/ with its bundles (directories holding a model) and its data folders."""
    from workflow_app.repository.bundles import NOT_BUNDLES

    target = tmp / "processes"
    target.mkdir()
    for directory in sorted((ROOT / "processes").iterdir()):
        if directory.is_dir() and (directory.name in NOT_BUNDLES or directory.name == "localities"
                                   or any(directory.glob("*.bpmn"))):
            (target / directory.name).symlink_to(directory)
    return target


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PROCESSES_DIR"] = str(processes_dir(Path(tmp)))
        app = build_app(Path(tmp))
        with app.app_context():
            print(demo.seed())
            db.session.remove()
        new_version(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                for size in SIZES:
                    pages(browser, f"http://127.0.0.1:{server.server_port}", size)
                browser.close()
        finally:
            server.shutdown()
    print("designer screenshots written to", OUT)


if __name__ == "__main__":
    main()
