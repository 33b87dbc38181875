"""Lists of records on the generic task page: the rating task's 评分 is a group of the item's fields
per unit to rate (its titles, integers with their bounds), prefilled from the task data, posted back
as the list, with each error naming its row ("住房和城乡建设局 · 沟通：此项必填"); the honours review
and approval show their candidates under the form's titles (scores to one decimal, names, never the
data's keys or codes) and offer the candidates to withhold by name."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.browser.test_evaluation_pages import WORKER, whistled
from tests.support import ROOT, bundle, ok, only
from tests.test_web_pages import login, post, text
from workflow_app.web import formrender, structured


@pytest.fixture(name="rated")
def rated_fixture(api):
    return whistled(api)


def _form(page: str) -> str:
    return page.split('id="task-form"', 1)[1].split("</form>", 1)[0]


def test_the_rating_list_is_a_group_of_fields_per_unit_posted_back_as_the_list(rated):
    task = only(rated.tasks(WORKER, process_key="case_rating"))
    browser = login(rated.app, WORKER)
    form = _form(text(ok(browser.get(f"/tasks/{task['id']}"))))
    assert "<legend>住房和城乡建设局</legend>" in form and "<legend>城市管理局</legend>" in form
    assert '<input type="hidden" name="ratings.0.subject" value="dept-zj">' in form
    assert re.search(r'<input id="f-ratings-1-communicate" type="number" name="ratings\.1\.communicate" value=""'
                     r' min="1" max="5"', form)
    assert ">接单</label>" in form and ">意见</label>" in form and '<textarea id="f-ratings"' not in form

    partial = {"ratings.0.subject": "dept-zj", "ratings.0.accept": "5", "ratings.0.handle": "4",
               "ratings.1.subject": "dept-cg", "ratings.1.accept": "3", "ratings.1.communicate": "9",
               "ratings.1.handle": "3", "ratings.1.comment": "还行"}
    refused = post(browser, f"/tasks/{task['id']}/complete", partial)
    assert refused.status_code == 422
    shown = _form(text(refused))
    assert "住房和城乡建设局 · 沟通：此项必填" in shown and "城市管理局 · 沟通：不能大于 5" in shown
    assert 'name="ratings.1.comment" value="还行"' in shown and 'name="ratings.0.accept" value="5"' in shown
    assert "ratings.0" not in re.sub(r'(name|id|data-field)="[^"]*"', "", shown)  # no key where people read

    done = post(browser, f"/tasks/{task['id']}/complete", {**partial, "ratings.0.communicate": "5",
                                                          "ratings.1.communicate": "4"})
    assert done.status_code == 302
    assert rated.tasks(WORKER, process_key="case_rating") == []
    assert rated.instance(task["instance_id"])["data"]["ratings"] == [
        {"subject": "dept-zj", "accept": 5, "communicate": 5, "handle": 4},
        {"subject": "dept-cg", "accept": 3, "communicate": 4, "handle": 3, "comment": "还行"}]


DOCUMENT = {"type": "object", "required": ["people"], "properties": {"people": {
    "type": "array", "title": "人员", "items": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "title": "姓名"},
        "role": {"type": "string", "title": "角色", "enum": ["a", "b"],
                 "x-enum-labels": {"a": {"zh": "组长"}, "b": {"zh": "组员"}}},
        "age": {"type": "integer", "title": "年龄", "minimum": 18, "maximum": 70}}}}}}


def test_a_list_of_records_without_a_source_shows_its_rows_and_one_more(app):
    with app.test_request_context("/"):
        [people], _general = formrender.fields(DOCUMENT, {"people": [{"name": "张三", "role": "a", "age": 30}]})
        assert people.widget == "rows" and [r.label for r in people.rows] == ["第 1 项", "第 2 项"]
        first = {f.name: f for f in people.rows[0].fields}
        assert first["people.0.name"].value == "张三" and first["people.0.age"].value == "30"
        assert first["people.0.role"].widget == "radio" and first["people.0.role"].options == [("a", "组长"),
                                                                                                ("b", "组员")]
        assert first["people.0.age"].attrs["min"] == 18 and first["people.0.age"].attrs["max"] == 70
        posted = MultiDict({"people.0.name": "", "people.1.name": "李四", "people.1.age": "40",
                            "people.1.role": "b"})  # the first row left blank: not sent
        assert formrender.parse(DOCUMENT, posted) == {"people": [{"name": "李四", "role": "b", "age": 40}]}
        assert formrender.parse(DOCUMENT, MultiDict()) == {}  # nothing sent: 'required' says so
        [people], _general = formrender.fields(DOCUMENT, {}, posted, {"people.0.age": ["this field is required"]})
        errors = {f.name: f.errors for f in people.rows[1].fields}
        assert errors["people.1.age"] == ["第 2 项 · 年龄：此项必填"] and people.invalid  # the second row shown


def test_numbers_show_with_the_forms_decimals_else_at_most_two(app):
    spec = {"properties": {"score": {"type": "number", "x-decimals": 1}}}
    with app.test_request_context("/"):
        assert structured.scalar(100, "score", spec) == "100.0" and structured.scalar(93.333, "score", spec) == "93.3"
        assert structured.scalar(0.953333, "x") == "0.95" and structured.scalar(2.0, "x") == "2"


def _honours(api):
    from tests.test_evaluation_honours import thresholds

    thresholds(api, {"composite": 0, "满意率": None})
    ok(api.deploy(bundle(ROOT / "processes" / "honour_nomination")), 201)
    period = ok(api.get("/honours", "supervisor", query_string={"org_unit": "qingxi"})).get_json()["period"]
    ok(api.post("/honours/nominations", "supervisor", json={"org_unit": "qingxi", "period": period}), 201)
    return only(api.tasks("leader-dc", process_key="honour_nomination"), "推荐荣誉候选")


HEADERS = re.compile(r'<th scope="col"[^>]*>([^<]+)</th>')


def test_the_honours_candidates_read_by_the_forms_titles_and_are_withheld_by_name(rated):
    task = _honours(rated)
    town = login(rated.app, "leader-dc")
    form = _form(text(ok(town.get(f"/tasks/{task['id']}"))))
    assert HEADERS.findall(form) == ["荣誉", "对象", "所在单位", "综合得分", "达标指标"]
    assert "composite" not in form and "candidates" not in form.replace('data-field="town_withheld"', "")
    assert '<td data-label="综合得分" class="num">100.0</td>' in form and "综合得分：100.0" in form
    assert "对象编号" not in form and "编码" not in form and ">dc-dm-01<" not in form
    assert '<input type="checkbox" name="town_withheld" value="dc-dm-01" >东门社区第1网格 · 优秀网格</label>' in form
    refused = post(town, f"/tasks/{task['id']}/complete", {"town_withheld": "dc-dm-01"})
    assert refused.status_code == 422 and "town_withheld" in _form(text(refused))  # (only as the input's name)
    ok(rated.complete(task["id"], "leader-dc", {}))
    for other in ("xs", "nh"):
        for left in rated.tasks(f"leader-{other}", process_key="honour_nomination"):
            ok(rated.complete(left["id"], f"leader-{other}", {}))
    approve = only(rated.tasks("supervisor", process_key="honour_nomination"), "审定荣誉")
    county = login(rated.app, "supervisor")
    page = _form(text(ok(county.get(f"/tasks/{approve['id']}"))))
    assert HEADERS.findall(page) == ["荣誉", "对象", "所在单位", "综合得分", "达标指标"] and "100.0" in page
    assert 'name="withheld" value="dc-dm-01" >东门社区第1网格 · 优秀网格' in page
    done = post(county, f"/tasks/{approve['id']}/complete", {"withheld": "dc-dm-01", "withheld_reason": "待核实"})
    assert done.status_code == 302
    case = re.sub(r"<[^>]+>", " ", text(ok(county.get(f"/cases/{approve['instance_id']}"))).split("<main", 1)[1])
    assert "composite" not in case and "candidates" not in case and ">town_leader<" not in case
