"""The service-day pages, Chinese first and usable on a phone: the schedule and rule, my visits and
the visit form with the phone camera, a grid's pairings with the cap warning, the service-day case,
the coverage report with its chart and CSV, and the supervisors' board by process."""

import io

import pytest
import time_machine

from tests.service_day_support import (
    at,
    october_day,
    set_rule,
    task_named,
)
from tests.support import ok
from tests.test_web_pages import login, post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def day(api):
    return october_day(api, ["理发"])


def page(browser, path: str, status: int = 200) -> str:
    response = browser.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[-2000:]
    return response.get_data(as_text=True)


def test_the_visit_form_takes_a_photo_from_the_phone_camera_and_records_the_visit(day):
    api = day
    with time_machine.travel(at(2026, 10, 8, 10), tick=False):
        browser = login(api.app, "gridlead-dc-dm-01")
        listed = page(browser, "/service-day/visits")
        assert "户主W-1 · dc-dm-01小区-1号" in listed and "孤寡老人" in listed and "登记走访" in listed
        [task] = task_named(api, "gridlead-dc-dm-01", "visit")
        generic = page(browser, f"/tasks/{task['id']}")
        assert f"/service-day/visits/{task['id']}" in generic and "手机快速填写" in generic
        form = page(browser, f"/service-day/visits/{task['id']}")
        assert 'type="file" name="photo" accept="image/*" capture="environment"' in form
        assert 'enctype="multipart/form-data"' in form and "dc-dm-01小区-1号" in form and "户主W-1" in form
        refused = post(browser, f"/service-day/visits/{task['id']}", {"needs": "想理发"})
        assert refused.status_code == 422 and "想理发" in refused.get_data(as_text=True)
        done = post(browser, f"/service-day/visits/{task['id']}",
                    {"outcome": "met", "needs": "想理发", "problem_found": "false",
                     "photo": (io.BytesIO(PNG), "门口.png")}, content_type="multipart/form-data")
        assert done.status_code == 302 and done.headers["Location"].endswith("/service-day/visits")
        [visit] = ok(api.get(f"/households/{api.ids['W-1']}/visits", "gridlead-dc-dm-01")).get_json()["visits"]
        assert visit["needs"] == "想理发" and len(visit["photos"]) == 1
        assert browser.get(f"/files/{visit['photos'][0]}").status_code == 200
        history = page(browser, f"/service-day/households/{api.ids['W-1']}")
        assert "想理发" in history and "已见面" in history


def test_the_pairing_page_warns_past_the_cap(day):
    api = day
    set_rule(api, "dc", {"day": 1}, user="leader-dc", pairing_cap=1)
    browser = login(api.app, "gridlead-dc-dm-01")
    shown = page(browser, "/service-day/pairings?org_unit=dc-dm-01")
    assert "专人结对" in shown and "未结对" in shown and '<select id="u-' in shown
    response = post(browser, "/service-day/pairings",
                    {"household": str(api.ids["W-2"]), "username": "gridlead-dc-dm-01", "org_unit": "dc-dm-01"})
    assert response.status_code == 302
    shown = page(browser, "/service-day/pairings?org_unit=dc-dm-01")
    assert "超过上限 1" in shown and "超过上限" in shown
    town = login(api.app, "leader-dc")
    masked = page(town, "/service-day/pairings?org_unit=dc-dm-01")
    assert "dc-dm-01小区-1号" in masked and "户主W-1" not in masked and "保存" not in masked  # where, not who


def test_the_service_day_case_page_and_the_home_page(day):
    api = day
    [task] = task_named(api, "gridlead-dc-dm-01", "visit")
    leader = login(api.app, "gridlead-dc-dm-01")
    case = page(leader, f"/service-day/days/{task['instance_id']}")
    assert "敬老助老" in case and "走访名单" in case and "户主W-2 · dc-dm-01小区-2号" in case  # by head and address
    home = page(leader, "/service-day?year=2026")
    assert "2026-10-08" in home and "每月1日" in home and "设置本地服务日规则" not in home
    town = login(api.app, "leader-dc")
    assert "设置本地服务日规则" in page(town, "/service-day?org_unit=dc")
    saved = post(town, "/service-day/settings", {"locality": "dc", "kind": "weekday", "weekday": "fri", "nth": "1"})
    assert saved.status_code == 302
    assert "每月第一个星期五" in page(town, "/service-day?org_unit=dc&year=2026")
    english = page(town, "/service-day?org_unit=dc&lang=en")
    assert "Grid service day" in english and "the first Friday of every month" in english
    assert page(login(api.app, "resident-dc-dm"), "/service-day/visits").count("登记走访") == 0


def test_the_coverage_page_has_a_chart_and_a_csv_and_the_board_shows_the_service_day(day):
    api = day
    supervisor = login(api.app, "supervisor")
    report = page(supervisor, "/service-day/coverage?org_unit=qingxi&month=2026-10")
    assert "<svg" in report and "应走访户的走访结果" in report and "东城街道" in report
    csv = supervisor.get("/service-day/coverage?org_unit=qingxi&month=2026-10&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and "应走访户数" in csv.get_data(as_text=True)
    board = page(supervisor, "/supervision?org_unit=qingxi")
    assert "各项业务" in board and "网格服务日" in board
    page(login(api.app, "worker-dc-dm-01"), "/service-day/coverage?org_unit=qingxi", 403)


def test_the_county_sets_a_month_theme_on_the_page_and_the_towns_follow_it(day):
    api = day
    county = login(api.app, "supervisor")
    form = page(county, "/service-day?org_unit=qingxi&year=2026")
    assert "设置服务主题" in form and 'name="projects"' in form
    saved = post(county, "/service-day/themes", {"locality": "qingxi", "month": "2026-11", "theme": "冬季安全",
                                                 "projects": "用电检查\n燃气检查"})
    assert saved.status_code == 302 and "org_unit=qingxi" in saved.headers["Location"]
    months = {m["month"]: m for m in ok(api.get("/service-day/schedule?org_unit=xs-sq-01&year=2026",
                                                 "worker-xs-sq-01")).get_json()}
    assert months["2026-11"]["theme"] == "冬季安全" and months["2026-11"]["projects"] == ["用电检查", "燃气检查"]
    assert months["2026-11"]["theme_source"] == "qingxi"
    refused = post(county, "/service-day/themes", {"locality": "qingxi", "month": "2026-13", "theme": "x"})
    assert refused.status_code == 302 and "2026-13" not in {m["month"] for m in months.values()}
    grid = login(api.app, "worker-dc-dm-01")
    assert "设置服务主题" not in page(grid, "/service-day?org_unit=dc-dm-01")
    other = post(grid, "/service-day/themes", {"locality": "dc", "month": "2026-11", "theme": "别人的"})
    assert other.status_code == 302
    assert {m["month"]: m for m in ok(api.get("/service-day/schedule?org_unit=dc-dm-01&year=2026",
                                              "worker-dc-dm-01")).get_json()}["2026-11"]["theme"] == "冬季安全"
