"""Demo cases of the event-handling process in every stage, some of them overdue.

Each case is driven through the real services as the real demo users, so what the demo shows is
exactly what the platform does. Some are started days ago: time-machine moves every clock (the
platform's and the engine's) together while they are created."""

from datetime import timedelta

import time_machine
from flask import current_app
from sqlalchemy import select

from . import clock
from .cases import service
from .errors import DomainError
from .extensions import db
from .models import HumanTask
from .models.task import OPEN
from .org import people

BIN_FULL, POTHOLE, COLLAPSE, GARBAGE, LAMP = "B0301-01", "B0201-01", "E0401-01", "E0101-01", "B0102-03"


# Each community's streets, for addresses people would write (never a grid's code)
STREETS = {"dc-dm": ("东门路", "东门小区"), "dc-bg": ("北关街", "北关新村"), "xs-sq": ("山泉路", "山泉村委会"),
           "xs-ly": ("柳营大道", "柳营村文化广场"), "nh-hb": ("湖滨路", "湖滨花园"),
           "nh-yz": ("渔庄码头路", "渔庄村口")}


def address(grid: str) -> str:
    """A real-sounding place in the grid's community: its street and a house number."""
    community, _sep, number = grid.rpartition("-")
    street, place = STREETS.get(community, ("人民路", "中心广场"))
    return f"{street}{int(number or 1) * 12 + 6}号{place}附近" if number.isdigit() else f"{street}{place}附近"


def _report(grid: str, code: str, description: str, user: str | None = None, **data) -> int:
    body = {"condition_code": code, "address": data.pop("address", address(grid)), "description": description,
            **data}
    return service.start("event_handling", grid, body, people.get(user or f"worker-{grid}")).id


def _do(case: int, name: str, user: str, data: dict) -> None:
    task = db.session.execute(select(HumanTask).where(
        HumanTask.instance_id == case, HumanTask.name == name, HumanTask.state == OPEN)
        .order_by(HumanTask.id)).scalars().first()
    actor = people.get(user)
    service.complete(task.id, data, actor)


def _whistled(grid: str, town: str, code: str, text: str, departments: list[str]) -> int:
    case = _report(grid, code, text)
    _do(case, "镇街研判", f"dispatcher-{town}", {"decision": "whistle", "departments": departments,
                                               "lead_department": departments[0], "dispatch_note": "联合处置"})
    return case


def _stages() -> list[tuple[str, callable]]:
    return [
        ("受理", lambda: _report("dc-dm-01", BIN_FULL, "小区门口垃圾桶满溢三天", "resident-dc-dm",
                                 contact_phone="13900000001")),
        ("网格自行处置", lambda: _report("dc-bg-01", GARBAGE, "巷口有零星垃圾和烟头")),
        ("社区处置", lambda: _report("xs-sq-01", LAMP, "村口路灯不亮")),
        ("镇街研判", lambda: _report("nh-hb-01", POTHOLE, "湖滨路出现大坑，影响通行")),
        ("应急调度", lambda: _report("xs-ly-02", COLLAPSE, "柳营路段路面塌陷出现空洞")),
        ("部门报到", lambda: _whistled("dc-bg-02", "dc", POTHOLE, "北关路坑槽积水", ["dept-zj", "dept-cg"])),
    ]


def _advanced() -> list[tuple[str, callable]]:
    def in_handling():
        case = _whistled("nh-yz-01", "nh", POTHOLE, "渔庄路面坑槽", ["dept-zj"])
        _do(case, "部门报到", "dept-zj-staff", {"check_in_note": "已到现场", "action": "handle"})
        return case

    def to_verify():
        case = _report("dc-dm-02", BIN_FULL, "东门小区垃圾桶满溢")
        _do(case, "社区处置", "staff-dc-dm", {"community_result": "resolved", "handling_note": "已联系环卫清运"})
        return case

    def to_callback():
        case = _report("xs-sq-02", BIN_FULL, "山泉村垃圾收集点满溢", "resident-xs-sq")
        _do(case, "社区受理", "staff-xs-sq", {"accepted": True})
        _do(case, "社区处置", "staff-xs-sq", {"community_result": "resolved", "handling_note": "已清运"})
        _do(case, "核查", "worker-xs-sq-02", {"verified": True, "verify_note": "已清理干净"})
        return case

    def supervised():
        case = _report("nh-yz-02", BIN_FULL, "渔庄码头垃圾反复堆积", "resident-nh-yz")
        _do(case, "社区受理", "staff-nh-yz", {"accepted": True})
        for note in ("第一次清运", "第二次清运"):
            _do(case, "社区处置", "staff-nh-yz", {"community_result": "resolved", "handling_note": note})
            _do(case, "核查", "worker-nh-yz-02", {"verified": True})
            _do(case, "回访", "staff-nh-yz", {"satisfaction": "不满意", "callback_note": "反复出现，群众不满意"})
        return case

    def closed():
        case = _report("nh-hb-02", GARBAGE, "湖滨公园零星垃圾")
        _do(case, "网格自行处置", "worker-nh-hb-02", {"handling_note": "已清扫", "before_photos": ["demo/before.jpg"],
                                                     "after_photos": ["demo/after.jpg"]})
        return case

    return [("部门处置", in_handling), ("核查", to_verify), ("回访", to_callback), ("督办", supervised),
            ("结案", closed)]


def seed(days_back: int = 2) -> int:
    """Start the stage cases; the first few are started ``days_back`` days ago, so they are overdue."""
    started = 0
    for index, (stage, make) in enumerate(_stages() + _advanced()):
        shift = timedelta(days=-days_back) if index % 3 == 0 else timedelta(hours=-1)
        try:
            with time_machine.travel(clock.now() + shift, tick=False):
                make()
            started += 1
        except DomainError as error:
            current_app.logger.warning("demo case at %s not started: %s", stage, error.message)
            db.session.rollback()
    return started
