"""网格服务日 pages in Chromium on a 390×844 phone, as the real roles: the visit recorded at the door with a
photo from the camera input, the service-day case with its plan and visit list, the pairing page's
cap warning, and the coverage report with its chart. Nothing scrolls sideways, the labels are
Chinese and no internal code (a snake_case value, a role or process key) shows. Skipped, saying
why, without Chromium."""

import re

import pytest
import time_machine

from tests.browser.conftest import log_in
from tests.service_day_support import (
    at,
    october_day,
    set_rule,
    task_named,
)
from tests.support import ok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
INTERNAL = re.compile(r"\b[a-z]+_[a-z_]+\b|\bNone\b|\bgrid_service_day\b")


@pytest.fixture
def day(api):
    return october_day(api, ["上门理发"])


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shown_text(page) -> str:
    return page.locator("main").inner_text() if page.locator("main").count() else page.locator("body").inner_text()


def check(page, path: str, *texts: str) -> str:
    page.goto(path)
    text = shown_text(page)
    for wanted in texts:
        assert wanted in text, (path, wanted, text[:1500])
    assert fits(page), path
    assert not INTERNAL.findall(text), (path, INTERNAL.findall(text))
    return text


def test_a_visit_is_recorded_at_the_door_with_a_photo(page, day, tmp_path):
    api = day
    photo = tmp_path / "门口.png"
    photo.write_bytes(PNG)
    [task] = task_named(api, "gridlead-dc-dm-01", "visit")
    log_in(page, "gridlead-dc-dm-01")
    check(page, "/service-day/visits", "我的走访", "户主W-1 · dc-dm-01小区-1号", "孤寡老人", "登记走访")
    page.click(f"a[href='/service-day/visits/{task['id']}'] >> text=登记走访")
    page.wait_for_url(f"**/service-day/visits/{task['id']}")
    check(page, page.url, "走访对象", "户主W-1", "拍照（可选）", "发现需处置的问题")
    camera = page.locator("input[type=file][name=photo]")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    page.fill("#f-needs", "想理发")
    page.click("form.door button[type=submit]")  # no outcome chosen: refused, nothing typed is lost
    page.locator("form.door .field-errors").first.wait_for()
    assert page.input_value("#f-needs") == "想理发" and fits(page)
    page.check("input[name=outcome][value=met]")
    page.fill("#f-help_given", "上门理发")
    camera.set_input_files(str(photo))
    page.click("form.door button[type=submit]")
    page.wait_for_url("**/service-day/visits")
    assert "走访已登记" in page.locator(".flash.ok").inner_text()
    [visited] = ok(api.get(f"/households/{api.ids['W-1']}/visits", "gridlead-dc-dm-01")).get_json()["visits"]
    assert visited["outcome"] == "met" and visited["needs"] == "想理发" and len(visited["photos"]) == 1
    check(page, f"/service-day/households/{api.ids['W-1']}", "走访记录", "已见面", "想理发", "服务日走访")


def test_the_service_day_case_page_shows_the_plan_and_the_visit_list(page, day):
    api = day
    [task] = task_named(api, "gridlead-dc-dm-01", "visit")
    log_in(page, "gridlead-dc-dm-01")
    text = check(page, f"/service-day/days/{task['instance_id']}", "敬老助老", "上门理发", "走访名单", "W-1", "W-2",
                 "应走访", "待走访", "网格员待认领")
    assert "2026-10-08" in text
    check(page, "/service-day?year=2026", "网格服务日", "每月1日", "来自 清溪县", "2026-10-08")


def test_the_pairing_page_warns_past_the_cap(page, day):
    api = day
    set_rule(api, "dc", {"day": 1}, user="leader-dc", pairing_cap=1)
    log_in(page, "gridlead-dc-dm-01")
    check(page, "/service-day/pairings?org_unit=dc-dm-01", "专人结对", "未结对的特殊群体户", "未结对")
    field = page.locator(f"#u-{api.ids['W-2']}")
    field.select_option("gridlead-dc-dm-01")  # picked by name
    with page.expect_navigation():
        field.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    assert "超过上限 1" in page.locator(".flash.error").inner_text()
    assert "已结对：户主W-2" in page.locator(".flash.ok").inner_text()
    assert page.locator("table .chip.red", has_text="超过上限").count() == 1
    assert fits(page)


def test_the_coverage_report_has_its_chart_on_a_phone(page, day):
    api = day
    with time_machine.travel(at(2026, 10, 8, 11), tick=False):
        [visit] = task_named(api, "worker-dc-dm-01", "visit")
        ok(api.complete(visit["id"], "worker-dc-dm-01", {"outcome": "not_home"}))
    log_in(page, "supervisor")
    check(page, "/service-day/coverage?org_unit=qingxi&month=2026-10", "走访覆盖率", "东城街道", "应走访户的走访结果",
          "导出 CSV", "人均走访")
    assert page.locator("figure.chart svg").count() == 1
    page.click("table >> text=东城街道")
    page.wait_for_url("**/service-day/coverage?org_unit=dc*")
    assert "东门社区" in shown_text(page) and fits(page)
    check(page, "/supervision?org_unit=qingxi", "网格服务日")
