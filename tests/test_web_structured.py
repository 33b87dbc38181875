"""Structured task data on the generic task page (issue 15): lists of records as tables with the
form's or the platform's headers, units and people by name (never codes or usernames), records as
definition lists, booleans as 是/否, ISO times as local times; never a Python or JSON repr."""

import json

from tests.models import script_task, simple, user_task
from tests.support import ok, only
from tests.test_web_pages import login

FORM = {
    "type": "object", "title": "看看结构化数据",
    "properties": {
        "subjects": {"type": "array", "title": "评价对象", "readOnly": True},
        "town_opinions": {"type": "array", "title": "镇街意见", "readOnly": True, "items": {
            "type": "object", "properties": {
                "town": {"type": "string", "title": "镇街"},
                "recommendation": {"type": "string", "title": "审查意见", "x-enum-labels": {
                    "agree": {"zh": "同意准入", "en": "Agree"}}}}}},
        "call": {"type": "object", "title": "回访案件", "readOnly": True},
        "rater": {"type": "string", "title": "评价人", "readOnly": True},
        "note": {"type": "string", "title": "备注"},
    },
}
SCRIPT = "\n".join([
    'subjects = [{"code": "dc-dept-city", "name": "城管局", "kind": "department", "handler": "worker-dc-dm-01",'
    ' "handler_name": "东门网格员"}]',
    'town_opinions = [{"town": "dc-dm", "opinion": "可行", "recommendation": "agree"}]',
    'call = {"case_id": 7, "grid": "dc-dm-01", "closed_at": "2026-11-30T02:15:00+00:00", "reached": True,'
    ' "limit": {"amount": 2, "unit": "work_days"}}',
    'rater = "worker-dc-dm-01"'])


def _deploy(api):
    bpmn = simple("structured_view", script_task("prepare", SCRIPT.replace('"', "&quot;")),
                  user_task("look", "查看数据", form="structured_form.json"))
    ok(api.deploy({"structured_view.bpmn": bpmn,
                   "structured_form.json": json.dumps(FORM, ensure_ascii=False).encode()}), 201)


def test_records_and_lists_of_records_read_as_tables_and_names(api):
    _deploy(api)
    case = ok(api.start("structured_view", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(api.tasks("worker-dc-dm-01", instance_id=case))
    page = ok(login(api.app, "worker-dc-dm-01").get(f"/tasks/{task['id']}"), 200).data.decode()
    assert "{&#39;" not in page and "[{" not in page and '{"' not in page  # no repr
    assert "<table" in page and "<th scope=\"col\">名称</th>" in page and "<th scope=\"col\">处置人</th>" in page
    assert "城管局" in page and "东门网格员" in page and "部门" in page
    assert "worker-dc-dm-01" not in page.split("<main", 1)[-1].split("</main>")[0].replace(
        'value="worker-dc-dm-01"', "")  # the rater by name, no username shown
    assert "<th scope=\"col\">镇街</th>" in page and "同意准入" in page and ">agree<" not in page
    assert "dc-dm-01" not in page.split('id="task-form"', 1)[1].split("</form>")[0]
    assert "<dt>案件编号</dt>" in page and "2026-11-30 10:15" in page and "<dt>是否接通</dt><dd>是</dd>" in page
    assert "<dt>时限</dt>" in page
    assert "工作日" in page and "work_days" not in page



EN_TASK = ('<bpmn:userTask id="look_en" name="核对信息"><bpmn:extensionElements><spiffworkflow:properties>'
           '<spiffworkflow:property name="name_en" value="Check the details"/></spiffworkflow:properties>'
           '<spiffworkflow:formJsonSchemaFilename>structured_form.json</spiffworkflow:formJsonSchemaFilename>'
           '</bpmn:extensionElements></bpmn:userTask>')
VERDICT = {"type": "object", "title": "回访", "properties": {
    "satisfaction": {"type": "string", "title": "满意度", "x-title-en": "Satisfaction", "readOnly": True,
                     "enum": ["满意", "基本满意", "不满意"]},
    "subjects": {"type": "array", "title": "评价对象", "x-title-en": "To rate", "readOnly": True}}}


def test_english_uses_the_models_english_step_names_and_translates_platform_terms(api):
    script = ('satisfaction = "基本满意"\n'
              'subjects = [{"code": "dc-dept-city", "name": "城管局", "kind": "department",'
              ' "handler": "worker-dc-dm-01"}]')
    bpmn = simple("english_steps", script_task("prepare", script.replace('"', "&quot;")), EN_TASK,
                  user_task("plain", "没有英文名的环节"))
    ok(api.deploy({"english_steps.bpmn": bpmn,
                   "structured_form.json": json.dumps(VERDICT, ensure_ascii=False).encode()}), 201)
    case = ok(api.start("english_steps", "dc-dm-01", {}, "worker-dc-dm-01"), 201).get_json()["id"]
    task = only(api.tasks("worker-dc-dm-01", instance_id=case))
    worker = login(api.app, "worker-dc-dm-01")
    assert "核对信息" in worker.get("/inbox").data.decode()
    inbox = worker.get("/inbox?lang=en").data.decode()
    assert "Check the details" in inbox and "核对信息" not in inbox
    page = worker.get(f"/tasks/{task['id']}").data.decode()
    assert "<h1>Check the details</h1>" in page
    assert "Mostly satisfied" in page and "基本满意" not in page
    assert "<th scope=\"col\">Handled by</th>" in page and "Department" in page
    ok(api.complete(task["id"], "worker-dc-dm-01"), 200)
    nxt = only(api.tasks("worker-dc-dm-01", instance_id=case))
    assert "<h1>没有英文名的环节</h1>" in worker.get(f"/tasks/{nxt['id']}").data.decode()  # no English: Chinese


def test_indicator_names_in_english_come_from_the_definitions(api):
    from tests.test_web_pages import text

    supervisor = login(api.app, "supervisor")
    chinese = text(supervisor.get("/indicators?period=2026-03"))
    english = text(supervisor.get("/indicators?period=2026-03&lang=en"))
    assert "按期结案率" in chinese
    assert "On-time closure rate" in english or "Closed on time" in english
    assert ">按期结案<" not in english and ">结案率<" not in english
