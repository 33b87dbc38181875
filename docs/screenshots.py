"""Regenerate the screenshots of the key pages into docs/screenshots/.

    .venv/bin/python docs/screenshots.py

A temporary SQLite database is seeded with ``workflow_app.demo.seed()`` plus a few weeks of cases
moved through their stages (some on time, some late, one breached now), the app is served by
werkzeug on a free port, and Debian's Chromium (through Playwright, never a downloaded browser)
takes the pictures, each at 390×844 (``<page>-phone.png``) and 1366×900 (``<page>-desktop.png``):
login, inboxes (a grid worker's, staff sorted by urgency, a leader's 团队), the report form with the
location widget, 我上报的, a task form with a validation error, a case with its summary and diagram,
a resident's status view, notifications, the supervisors' board and the incidents page. The
designer's pages are ``docs/screenshots_designer.py``'s. Chinese text needs a CJK font on the
machine, e.g. ``apt-get install fonts-wqy-microhei``.
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
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
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
                      "UPLOAD_DIR": str(folder / "uploads"), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "MAP_TILE_URL": ""})  # no map tiles from the internet: plain coordinates
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


def field_cases(app) -> int:
    """A resident's report (closed, rated) and a grid worker's with a photo and a GPS position."""
    from workflow_app.inbox import files, reporting

    with app.app_context():
        photo = _png()
        report = {"condition_code": "B0301-01", "address": "东门小区3幢北侧", "description": "垃圾桶满溢，周边有异味",
                  "location": {"lat": 30.27412, "lng": 120.15515, "accuracy": 8}}
        upload = files.Upload(photo, "png", "现场.png")
        reporting.start_once("event_handling", "dc-dm-01", report, people.get("worker-dc-dm-01"),
                             uploads={"photos": [upload]})
        resident = reporting.start_once("event_handling", "dc-dm-01", {**report, "description": "楼下垃圾桶满了"},
                                        people.get("resident-dc-dm")).instance.id
        handled = {"community_result": "resolved", "handling_note": "已清运"}
        for name, who, data in (("社区受理", "staff-dc-dm", {"accepted": True}), ("社区处置", "staff-dc-dm", handled),
                                ("核查", "worker-dc-dm-01", {"verified": True}),
                                ("回访", "staff-dc-dm", {"satisfaction": "满意"})):
            task = next(t for t in case_views.instance_detail(resident, people.get("admin")).tasks if t.name == name)
            service.complete(task.id, data, people.get(who))
        db.session.remove()
        return resident


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    width = height = 48
    rows = b"".join(b"\0" + b"".join(bytes((90 + x * 3, 140, 60 + y * 3)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click(".login button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # staff land on 待办, residents on 我上报的


def shoot(browser, url: str, resident_case: int) -> None:
    """Every page at 390×844 (``-phone``) and 1366×900 (``-desktop``)."""
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        shoot_size(browser, url, resident_case, size, viewport)


def shoot_size(browser, url: str, resident_case: int, size: str, viewport: dict) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=2 if size == "phone" else 1,
                                  locale="zh-CN", base_url=url, service_workers="block",
                                  geolocation={"latitude": 30.27412, "longitude": 120.15515, "accuracy": 8},
                                  permissions=["geolocation"])
    page = context.new_page()

    def snap(name: str, full: bool = True) -> None:
        page.screenshot(path=OUT / f"{name}-{size}.png", full_page=full)

    page.goto("/login")
    snap("login", False)
    log_in(page, "worker-dc-dm-01")
    snap("inbox")
    page.goto("/report/event_handling")
    page.fill("input[data-filter-select='f-condition_code']", "垃圾桶")
    page.fill("#f-address", "东门小区3幢北侧")
    page.click("[data-locate]")
    page.wait_for_function("document.querySelector('[data-point]').textContent.includes('±')")
    snap("report")
    page.goto("/reports/mine")
    snap("my-reports")
    case_id = page.locator("[data-case-id]").first.get_attribute("data-case-id")
    log_in(page, "staff-dc-dm")
    page.locator("article.task", has_text="社区处置").first.locator("a.button").click()
    page.fill("#f-handling_note", "x")
    page.click("#task-form button[type=submit]")
    page.evaluate("document.querySelector('#task-form').scrollIntoView()")
    snap("task-form-error", False)
    page.goto("/inbox?sort=priority")
    snap("inbox-staff")
    log_in(page, "head-dc-dm")
    page.goto("/inbox?state=team")
    snap("inbox-team")
    log_in(page, "supervisor")
    page.goto(f"/cases/{case_id}")
    page.wait_for_selector(".diagram[data-ready='1']")
    snap("case")
    page.goto("/supervision")
    snap("supervision")
    log_in(page, "resident-dc-dm")
    page.goto(f"/cases/{resident_case}")
    snap("case-resident")
    page.goto("/notifications")
    snap("notifications")
    log_in(page, "admin")
    page.goto("/operations/incidents")
    snap("incidents")
    context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, time_machine.travel(NOW - timedelta(weeks=4), tick=True) as clock:
        app = build_app(Path(tmp))
        with app.app_context():
            print(demo.seed())
            db.session.remove()
        history(app, clock)
        resident_case = field_cases(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                shoot(browser, f"http://127.0.0.1:{server.server_port}", resident_case)
                browser.close()
        finally:
            server.shutdown()
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main()
