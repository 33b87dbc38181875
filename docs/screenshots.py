"""Regenerate the screenshots of the key pages into docs/screenshots/.

    .venv/bin/python docs/screenshots.py

A temporary SQLite database is seeded with ``workflow_app.demo.seed()`` plus a few weeks of cases
moved through their stages (some on time, some late, one breached now), the app is served by
werkzeug on a free port, and Debian's Chromium (through Playwright, never a downloaded browser)
takes the pictures: login, the inbox on a phone, a task form with a validation error, a case with
its diagram, the supervisors' board, and the designer (modeler and version comparison). Chinese
text needs a CJK font on the machine, e.g. ``apt-get install fonts-wqy-microhei``.
"""

import sys
import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workflow_app import create_app, demo  # noqa: E402
from workflow_app.cases import service  # noqa: E402
from workflow_app.cases import views as case_views  # noqa: E402
from workflow_app.errors import DomainError  # noqa: E402
from workflow_app.extensions import db  # noqa: E402
from workflow_app.org import people  # noqa: E402
from workflow_app.timers import scheduler  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage"]
BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 18, 11, 30, tzinfo=BEIJING)  # a Wednesday late morning
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
GRIDS = ("dc-dm-01", "dc-dm-02", "dc-bg-01", "xs-sq-01", "xs-ly-02", "nh-hb-01", "nh-yz-02")
REPORTS = (
    ("environment", "minor", "路边垃圾堆放"), ("facility", "general", "楼道灯损坏"),
    ("safety", "minor", "井盖松动"), ("dispute", "general", "邻里噪音纠纷"), ("facility", "minor", "健身器材松动"),
)
WORKERS = {"self_handle": ("worker-{grid}", {"handling_note": "已现场处置，拍照留存"}),
           "community_handle": ("staff-{community}", {"handling_note": "社区已协调物业处置完毕"}),
           "town_handle": ("dispatcher-{town}", {"handling_note": "镇街已派单处置"}),
           "verify": ("worker-{grid}", {"verified": True, "verify_note": "现场核查通过"})}


def build_app(folder: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": "screenshots",
                      "UPLOAD_DIR": str(folder / "uploads"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from workflow_app.cli import migrate_database

        migrate_database()
    return app


def start(grid: str, number: int) -> int | None:
    category, severity, text = REPORTS[number % len(REPORTS)]
    data = {"category": category, "severity": severity, "description": text, "address": f"{grid} 网格内"}
    try:
        return service.start("minor_event", grid, data, people.get(f"worker-{grid}")).id
    except DomainError as error:
        print("not started:", grid, error.message)
        return None


def advance(instance_id: int, grid: str, steps: int = 1) -> None:
    """Complete the case's open steps as the people who would, ``steps`` times."""
    admin = people.get("admin")
    names = {"grid": grid, "community": grid.rsplit("-", 1)[0], "town": grid.split("-")[0]}
    for _ in range(steps):
        for task in case_views.instance_detail(instance_id, admin).tasks:
            who, data = WORKERS.get(task.bpmn_id, (None, None))
            if who:
                service.complete(task.id, data, people.get(who.format(**names)))


def history(app, traveller) -> None:
    """Three past weeks of cases (most closed, some late) and the current week's open work."""
    with app.app_context():
        number = 0
        for weeks_back in (3, 2, 1):
            monday = (NOW - timedelta(days=NOW.weekday(), weeks=weeks_back)).replace(hour=9, minute=0)
            traveller.move_to(monday)
            started = [(start(grid, number + i), grid) for i, grid in enumerate(GRIDS)]
            number += len(GRIDS)
            traveller.move_to(monday + timedelta(hours=1, minutes=30 * weeks_back))
            for index, (instance_id, grid) in enumerate(started):
                if instance_id and index % 3 != 2:
                    advance(instance_id, grid, 2)
            traveller.move_to(monday + timedelta(days=2))
            scheduler.tick(app, plan=True)
            for instance_id, grid in started[2::3]:
                if instance_id:
                    advance(instance_id, grid, 2)
        traveller.move_to(NOW.replace(hour=9, minute=0))
        opened = [(start(grid, i), grid) for i, grid in enumerate(GRIDS)]
        for minutes, report in ((100, 4), (50, 0)):  # two more for the grid worker: at risk and on time
            traveller.move_to(NOW - timedelta(minutes=minutes))
            start("dc-dm-01", report)
        traveller.move_to(NOW)
        advance(*opened[3], 1)
        scheduler.tick(app, plan=True)
        db.session.remove()


def new_version(app) -> None:
    """A second version of minor_event (a renamed step), for the designer's comparison."""
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
    page.wait_for_url("**/inbox")


def shoot(browser, url: str) -> None:
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", base_url=url)
    page = phone.new_page()
    page.goto("/login")
    page.screenshot(path=OUT / "login.png")
    log_in(page, "worker-dc-dm-01")
    page.screenshot(path=OUT / "inbox-phone.png", full_page=True)
    page.goto("/inbox")
    page.context.clear_cookies()
    log_in(page, "staff-dc-dm")
    page.locator("article.task", has_text="社区处置").first.locator("a.button").click()
    page.fill("#f-handling_note", "x")
    page.click("#task-form button[type=submit]")
    page.locator("[data-field=handling_note]").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#task-form').scrollIntoView()")
    page.screenshot(path=OUT / "task-form-error.png")
    case_url = page.locator(".crumbs a").nth(1).get_attribute("href")
    phone.close()

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=url)
    page = desk.new_page()
    log_in(page, "supervisor")
    page.goto(case_url)
    page.wait_for_selector(".diagram[data-ready='1']")
    page.screenshot(path=OUT / "case-diagram.png", full_page=True)
    page.goto("/supervision")
    page.screenshot(path=OUT / "supervision.png", full_page=True)
    page.context.clear_cookies()
    log_in(page, "designer")
    page.goto("/designer/minor_event")
    page.click("article[data-version='2'] >> text=与上一版比较")
    page.wait_for_selector(".compare .diagram[data-ready='1'] >> nth=1")
    page.screenshot(path=OUT / "designer-compare.png", full_page=True)
    page.goto("/designer/minor_event/versions/2/edit")
    page.wait_for_selector("#modeler[data-ready='1']")
    page.screenshot(path=OUT / "designer-modeler.png")
    desk.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, time_machine.travel(NOW - timedelta(weeks=4), tick=True) as clock:
        app = build_app(Path(tmp))
        with app.app_context():
            print(demo.seed())
            db.session.remove()
        history(app, clock)
        new_version(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                shoot(browser, f"http://127.0.0.1:{server.server_port}")
                browser.close()
        finally:
            server.shutdown()
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main()
