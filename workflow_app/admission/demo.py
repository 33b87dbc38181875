"""The demo county's item-entry admission: its admitted-items list (processes/admission/
admitted_items.csv, about twenty items of the kind real counties list: 依法履职 and 协助办理 items
from the residents' committee law, social assistance, social insurance, emergency management…,
one of them withdrawn), a joint-meeting member, one application at each stage, a withdrawal
awaiting the joint meeting, and department assignments in progress, one of them refused.

Everything goes through the real services as the demo users. Seeding twice adds nothing."""

from datetime import timedelta
from pathlib import Path

import time_machine
from flask import current_app
from sqlalchemy import select

from .. import clock
from ..auth import passwords
from ..cases import service
from ..config import PROJECT_ROOT
from ..errors import DomainError
from ..extensions import db
from ..models import HumanTask, ProcessInstance
from ..models.task import OPEN
from ..org import people, tree
from . import exchange, items

PASSWORD = "demo123"
LIST_FILE = "processes/admission/admitted_items.csv"
DEPARTMENTS = (("dept-mz", "民政局", "Civil Affairs Bureau", "civil_affairs"),
               ("dept-rs", "人力资源和社会保障局", "Human Resources and Social Security Bureau", "social_security"),
               ("dept-wj", "卫生健康局", "Health Commission", "health"),
               ("dept-tj", "统计局", "Statistics Bureau", "statistics"))
MEETING = ("meeting", "县社区减负联席会议办公室", "joint_meeting")


def _users(county: str) -> None:
    hashed = passwords.hash_password(PASSWORD)
    root = tree.require(county)
    for code, zh, en, duty in DEPARTMENTS:
        tree.save_unit(code=code, name_zh=zh, name_en=en, level="county", parent=root, kind="department", duty=duty)
        for suffix, role, title in (("staff", "department_staff", "处置人员"), ("head", "department_head", "负责人")):
            user = people.save_user(username=f"{code}-{suffix}", name=f"{zh}{title}")
            user.password_hash = user.password_hash or hashed
            people.assign(user, role, code)
    user = people.save_user(username=MEETING[0], name=MEETING[1])
    user.password_hash = user.password_hash or hashed
    people.assign(user, MEETING[2], county)
    db.session.commit()


def _list(county: str) -> dict:
    path = Path(PROJECT_ROOT) / LIST_FILE
    actor = people.by_username("admin") or people.get(MEETING[0])
    return exchange.import_csv(path.read_bytes(), actor, county) if path.is_file() else {}


def _do(case: int, name: str, user: str, data: dict, unit: str | None = None) -> None:
    query = select(HumanTask).where(HumanTask.instance_id == case, HumanTask.name == name, HumanTask.state == OPEN)
    if unit is not None:
        query = query.where(HumanTask.scope_unit_id == tree.require(unit).id)
    task = db.session.execute(query.order_by(HumanTask.id)).scalars().first()
    service.complete(task.id, data, people.get(user))


def _application(name: str, department: str, units: list[str], days_ahead: int = 75, **extra) -> dict:
    start = (items.today() + timedelta(days=days_ahead)).isoformat()
    return {"name": name, "item_list": "assist", "department": department, "units": units, "levels": ["community"],
            "valid_from": start, "basis": extra.pop("basis", "《中华人民共和国城市居民委员会组织法》第四条"),
            "description": extra.pop("description", name), **extra}


def _apply(town: str, data: dict, user: str) -> int:
    return service.start("item_admission", town, data, people.get(user)).id


def _applications() -> None:
    _apply("dc", _application("招商引资任务分解到社区", "dept-cg", ["dc"],
                              description="请各社区完成年度招商引资线索任务"),
           "dept-cg-staff")  # screened out by the negative list
    _apply("xs", _application("协助开展农村饮水安全巡查", "dept-sl", ["xs"], item_code="QX-SL-02",
                              description="协助巡查村级供水设施，发现问题报告水利部门", funding=8000, staff=0),
           "dept-sl-staff")  # with the town
    meeting = _apply("nh", _application("协助开展电动自行车安全充电宣传", "dept-yj", ["nh"], item_code="QX-YJ-02",
                                        description="协助宣传电动自行车安全充电，排查楼道充电隐患", funding=6000),
                     "dept-yj-staff")
    _do(meeting, "镇街审查意见", "leader-nh", {"recommendation": "agree", "opinion": "同意，需配齐宣传物资"})
    approved = _apply("dc", _application("协助开展文明养犬宣传", "dept-ga", ["dc"], item_code="QX-GA-03",
                                         description="协助宣传文明养犬规定，登记犬只信息", funding=5000),
                      "dept-ga-staff")
    _do(approved, "镇街审查意见", "leader-dc", {"recommendation": "agree", "opinion": "同意"})
    _do(approved, "联席会议决定", MEETING[0], {"decision": "approve", "reason": "有法定依据，经费随事转"})
    refused = _apply("dc", _application("协助开展商户燃气安全检查", "dept-zj", ["dc"], item_code="QX-ZJ-02",
                                        description="社区工作人员入户检查商户燃气安全并督促整改", funding=0),
                     "dept-zj-staff")
    _do(refused, "镇街审查意见", "leader-dc", {"recommendation": "disagree", "opinion": "属于行业监管职责"})
    _do(refused, "联席会议决定", MEETING[0],
        {"decision": "refuse", "reason": "燃气安全检查属行业主管部门监管职责，不宜交社区承担"})


def _assignments() -> None:
    due = (items.today() + timedelta(days=20)).isoformat()
    started = service.start("department_assignment", "dept-cg", {
        "item_code": "QX-CG-02", "title": "垃圾分类投放点值守排班",
        "description": "请各社区安排本月投放点值守并回复排班表。",
        "communities": ["dc-dm", "dc-bg", "nh-hb"], "due_date": due, "department": "dept-cg"},
        people.get("dept-cg-staff")).id
    _do(started, "社区办理", "staff-dc-bg", {"result": "refused", "reason": "值守人员和经费未随事转，社区无力承担"},
        "dc-bg")
    _do(started, "社区办理", "staff-dc-dm", {"result": "done", "report": "已排班并张贴公示"}, "dc-dm")
    service.start("department_assignment", "dept-yj", {
        "item_code": "QX-YJ-01", "title": "汛前应急避险演练", "description": "请各社区组织一次应急避险演练并报送照片。",
        "communities": ["xs-sq", "xs-ly"], "due_date": due, "department": "dept-yj"}, people.get("dept-yj-staff"))
    service.start("item_withdrawal", "dept-zj", {"item_code": "QX-ZJ-01", "department": "dept-zj",
                                                 "reason": "老旧小区改造项目已完成，事项不再需要社区协助"},
                  people.get("dept-zj-staff"))


def seed(with_cases: bool = True, county: str = "qingxi") -> int:
    """Seed the demo's admission data; returns the items imported."""
    if tree.by_code(county) is None:
        return 0
    _users(county)
    imported = _list(county)
    if not with_cases or db.session.execute(select(ProcessInstance.id).where(
            ProcessInstance.process_key.in_(("item_admission", "department_assignment")))).first():
        return imported.get("rows", 0)
    for part, days_back in ((_applications, 17), (_assignments, 9)):  # the meeting's clock is yellow by now
        try:
            with time_machine.travel(clock.now() - timedelta(days=days_back), tick=False):
                part()
        except DomainError as error:
            current_app.logger.warning("demo admission cases not all started: %s", error.message)
            db.session.rollback()
    return imported.get("rows", 0)
