"""事项准入 pages through the Flask test client: the list of a unit with its history, an item's
history, the department's forms with a refused start explained in Chinese, the applications'
status, blocked cases with their actions, and the burden report with its chart and CSV."""

from datetime import datetime

from tests.support import ok, only
from tests.test_admission_helpers import (  # noqa: F401 - the *_fixture names are fixtures
    BEIJING,
    MEETING,
    adm_fixture,
    admit,
    assign,
    clock_fixture,
    listed_fixture,
)
from tests.test_web_pages import login, post, text


def test_the_list_page_shows_a_units_items_and_history_in_chinese_then_english(listed):
    browser = login(listed.app, "resident-dc-dm")
    page = text(browser.get("/admission?org_unit=dc-dm"))
    assert "事项准入清单" in page and "协助开展门前三包巡查" in page and "城市管理局" in page
    assert "协助开展山洪灾害防御巡查" not in page  # 西山镇's
    assert "清单变更记录" in page and "纳入" in page
    withdrawn = text(browser.get("/admission?org_unit=dc-dm&status=withdrawn"))
    assert "协助清理小广告" in withdrawn and "已退出" in withdrawn
    english = text(browser.get("/admission?org_unit=dc-dm&lang=en"))
    assert "Admitted items" in english
    item = text(browser.get("/admission/items/QX-CG-01?lang=zh"))
    assert "版本与决定" in item and "《城市市容和环境卫生管理条例》第十条" in item
    assert "事项清单" in text(login(listed.app, "staff-dc-dm").get("/inbox"))  # in staff's navigation
    exported = browser.get("/admission/export.csv?org_unit=dc-dm")
    assert exported.status_code == 200 and "QX-CG-01" in exported.get_data(as_text=True)


def test_a_start_refused_for_admission_is_explained_on_the_form(listed):
    browser = login(listed.app, "dept-cg-staff")
    form = text(browser.get("/admission/assign"))
    assert "部门交办" in form and "东门社区" in form
    refused = post(browser, "/admission/assign", {
        "item_code": "QX-SL-01", "title": "巡查", "description": "请各社区巡查", "communities": ["dc-dm"],
        "due_date": "2026-05-29"})
    assert refused.status_code == 422
    page = text(refused)
    assert "未准入，不能派发" in page and "事项 QX-SL-01 未对 东门社区 准入" in page
    done = post(browser, "/admission/assign", {
        "item_code": "QX-CG-01", "title": "巡查", "description": "请各社区巡查", "communities": ["dc-dm"],
        "due_date": "2026-05-29"})
    assert done.status_code == 302 and "/cases/" in done.headers["Location"]
    assert only(listed.tasks("staff-dc-dm"), "社区办理")


def test_a_department_applies_and_follows_its_application(adm):
    browser = login(adm.app, "dept-cg-staff")
    assert "依法依据" in text(browser.get("/admission/apply"))
    response = post(browser, "/admission/apply", {
        "name": "协助开展门前三包巡查", "description": "社区协助巡查沿街商户",
        "basis": "《城市市容和环境卫生管理条例》",
        "item_list": "assist", "units": ["dc"], "levels": ["community"], "valid_from": "2026-06-01",
        "funding": "20000", "staff": "1"})
    assert response.status_code == 302, text(response)
    assert only(adm.tasks("leader-dc", process_key="item_admission"))["org_unit"] == "dc"  # the town of its targets
    page = text(browser.get("/admission/applications"))
    assert "协助开展门前三包巡查" in page and "镇街审查中" in page
    banned = post(browser, "/admission/apply", {
        "name": "招商引资任务分解", "description": "社区完成招商引资任务", "basis": "无依据", "item_list": "assist",
        "units": ["dc"], "valid_from": "2026-06-01"})
    assert banned.status_code == 302
    assert "筛查未通过" in text(browser.get("/admission/applications"))
    assert browser.get("/admission/apply").status_code == 200
    assert login(adm.app, "staff-dc-dm").get("/admission/apply").status_code == 403  # files for no department


def test_blocked_cases_are_shown_and_the_department_acts_on_them(listed, clock):
    case = ok(assign(listed), 201).get_json()["id"]
    task = only(listed.tasks("staff-dc-dm", process_key="department_assignment"))
    ok(listed.complete(task["id"], "staff-dc-dm", {"result": "done", "report": "已巡查"}))
    ok(listed.start("item_withdrawal", "qingxi", {"item_code": "QX-CG-01", "department": "dept-cg",
                                                  "reason": "职责调整"}, "admin"), 201)
    review = only(listed.tasks("dept-cg-staff", process_key="department_assignment"), "部门验收")
    ok(listed.complete(review["id"], "dept-cg-staff", {"review": "return", "review_note": "补充"}))
    supervisor = text(login(listed.app, "supervisor").get("/admission/blocked"))
    assert "已拦截" in supervisor and "事项 QX-CG-01 已退出准入清单" in supervisor
    browser = login(listed.app, "dept-cg-staff")
    assert "退回部门" in text(browser.get("/admission/blocked"))
    done = post(browser, f"/admission/blocked/{case}/terminate", {"reason": "撤销"})
    assert done.status_code == 302
    assert listed.instance(case)["status"] == "terminated"
    assert "没有被拦截的案件" in text(browser.get("/admission/blocked"))


def test_the_burden_page_has_a_chart_a_table_and_a_csv(listed, clock):
    clock.move_to(datetime(2026, 5, 6, 9, 0, tzinfo=BEIJING))
    ok(assign(listed), 201)
    task = only(listed.tasks("staff-dc-bg", process_key="department_assignment"))
    ok(listed.complete(task["id"], "staff-dc-bg", {"result": "refused", "reason": "经费未随事转"}))
    browser = login(listed.app, "leader-dc")
    page = text(browser.get("/admission/burden?org_unit=dc&month=2026-05"))
    assert "减负报告" in page and "<svg" in page and "北关社区" in page and "经费未随事转" in page
    csv = browser.get("/admission/burden?org_unit=dc&month=2026-05&format=csv")
    assert csv.status_code == 200 and "dc-bg" in csv.get_data(as_text=True)
    assert "月份" in text(browser.get("/admission/burden?month=bad"))  # a bad month falls back, no error page
