"""The demo county's service days and paired visits, through the real services as the demo users.

- Households with special-group flags in every grid, most paired (a grid leader, a grid worker, a
  community worker), some not (the gaps); 东城街道 caps pairings at 3 and one worker is over it.
- The county's service day is the 1st of the month; 东城街道 overrides it with the first Wednesday.
- Each grid's previous service day is finished (planned by its town, visits made — one not at
  home, one refused, so coverage is below 100 % — two problems turned into events, one closed)
  and its latest one is in progress; the county set this month's theme.

The scheduler itself starts the cases: the clock is moved (time-machine) to each planning and
service day in turn. Seeding twice adds nothing."""

import json
import logging
from datetime import datetime, timedelta

import time_machine
from flask import current_app
from sqlalchemy import select

from .. import clock
from ..cases import service
from ..errors import DomainError
from ..extensions import db
from ..models import HumanTask, OrgUnit, ProcessInstance
from ..models.task import OPEN
from ..org import exchange, people, tree
from ..timers import scheduler, starts
from . import jobs, pairing, schedule, settings
from .records import ServiceDayCase, ServiceDaySetting

log = logging.getLogger(__name__)
COUNTY_RULE, TOWN, TOWN_RULE = {"day": 1}, "dc", {"weekday": "wed", "nth": 1}
THEMES = ("敬老助老 温暖同行", "冬季安全 平安到家", "邻里守望 互助共享")
PROJECTS = ("上门理发", "用电用气安全检查", "代购代办")
NAMES = ("王秀英", "李桂兰", "张建国", "刘玉珍", "陈福生", "杨淑芬", "赵德明", "黄秀兰", "周桂英", "吴长林")
GARBAGE, SAFETY = "E0101-01", "E0602-02"  # 暴露垃圾 (the grid handles it), 电动自行车飞线充电


def _households() -> list[dict]:
    rows, number = [], 0
    for grid in db.session.execute(select(OrgUnit).where(OrgUnit.level == "grid", OrgUnit.kind == "area")
                                   .order_by(OrgUnit.path)).scalars():
        first = grid.code.endswith("01")
        flags = ([("elderly_alone",), ("hardship",), ("disability",), (), ("elderly_alone", "disability")] if first
                 else [("hardship",), ("disability",), ("hardship",), ()])
        for index, marks in enumerate(flags, 1):
            number += 1
            rows.append({"code": f"{grid.code}-h{index}", "org_unit": grid.code,
                         "address": f"{grid.name_zh}{index}号楼{100 + index}室",
                         "head_name": NAMES[number % len(NAMES)],
                         "phone": f"1390000{number:04d}", "members": 1 if "elderly_alone" in marks else 3,
                         **{flag: "true" if flag in marks else "false"
                            for flag in ("elderly_alone", "hardship", "disability")}})
    return rows


def _pairings() -> list[tuple[str, str]]:
    found = []
    for grid in db.session.execute(select(OrgUnit).where(OrgUnit.level == "grid", OrgUnit.kind == "area")
                                   .order_by(OrgUnit.path)).scalars():
        community = grid.parent.code
        found += [(f"{grid.code}-h1", f"gridlead-{grid.code}"), (f"{grid.code}-h2", f"worker-{grid.code}")]
        if grid.code.endswith("01"):
            found.append((f"{grid.code}-h5", f"staff-{community}"))
    found += [("dc-dm-02-h3", "staff-dc-dm"), ("dc-dm-02-h4", "staff-dc-dm"), ("dc-dm-01-h4", "staff-dc-dm")]
    return found


def seed_households() -> None:
    admin = people.get("admin")
    content = json.dumps(_households(), ensure_ascii=False).encode()
    exchange.run_import("households", content, "json", admin)
    for code, username in _pairings():
        pairing.pair(admin, code, username)


def seed_settings() -> None:
    admin = people.get("admin")
    settings.save(tree.root_unit().code, {"rule": COUNTY_RULE}, admin)
    settings.save(TOWN, {"rule": TOWN_RULE, "pairing_cap": 3}, admin)


# --- the service days, moment by moment ---------------------------------------------------------

def _units(level: str) -> list[OrgUnit]:
    return list(db.session.execute(select(OrgUnit).where(OrgUnit.level == level, OrgUnit.kind == "area")
                                   .order_by(OrgUnit.path)).scalars())


def _moments(now: datetime) -> tuple[list[tuple[datetime, str, str, object]], dict[str, str]]:
    """(when, kind, unit code, ServiceDay) in time order: each grid's service days since the
    earliest grid's previous one, and its town's planning of them; and each grid's latest month."""
    days = {grid.code: schedule.latest_started(grid, now) for grid in _units("grid")}
    start = min((found[1] if len(found) > 1 else found[0]).starts_at for found in days.values() if found)
    moments, latest = [], {}
    for code, found in days.items():
        for day in found:
            if day.starts_at >= start:
                moments.append((min(day.starts_at + timedelta(hours=9), now - timedelta(minutes=30)), "day", code,
                                day))
        latest[code] = found[0].month if found else ""
        latest[f"{code}:previous"] = found[1].month if len(found) > 1 else ""
    for town in _units("town"):
        for day in schedule.latest_started(town, now):
            if day.starts_at >= start:
                moments.append((day.planning_at + timedelta(hours=9), "planning", town.code, day))
    return sorted(moments, key=lambda m: (m[0], m[1], m[2])), latest


def _open_task(instance_id: int, bpmn_id: str) -> HumanTask | None:
    return db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.bpmn_id == bpmn_id, HumanTask.state == OPEN)
                              .order_by(HumanTask.id)).scalars().first()


def _complete(task: HumanTask, data: dict, username: str | None = None) -> None:
    actor = people.get(username) if username else task.assignee or people.get(f"worker-{task.scope_unit.code}")
    service.complete(task.id, data, actor)


def _case(code: str, month: str, kind: str) -> int | None:
    unit = tree.require(code)
    return db.session.execute(select(ServiceDayCase.instance_id).where(
        ServiceDayCase.unit_id == unit.id, ServiceDayCase.month == month, ServiceDayCase.kind == kind)).scalar()


def _plan_town(code: str, day, latest: bool) -> None:
    case = _case(code, day.month, "planning")
    task = _open_task(case, "set_theme") if case else None
    if task is not None:
        theme = THEMES[2] if latest else THEMES[0]
        _complete(task, {"theme": theme, "projects": list(PROJECTS[:2])}, f"leader-{code}")


PROBLEMS = {"xs-sq-01-h1": (SAFETY, "楼道内电动自行车飞线充电"), "nh-hb-01-h1": (GARBAGE, "楼道口堆放杂物垃圾")}
MISSED = {"-01-h2": "not_home", "-02-h3": "refused"}  # households in hardship: no visit before the next day


def _visit_data(code: str, latest: bool, previous: bool) -> dict:
    problem = PROBLEMS.get(code) if previous else None
    if problem:
        return {"outcome": "met", "needs": "希望帮助处理门口问题", "help_given": "已记录并上报", "problem_found": True,
                "problem_code": problem[0], "problem_description": problem[1]}
    outcome = next((o for suffix, o in MISSED.items() if code.endswith(suffix)), "met")
    if outcome != "met":
        return {"outcome": outcome}
    return {"outcome": "met", "needs": "身体尚好，希望多来看看", "help_given": "测量血压，讲解冬季用电安全"}


def _household_code(task: HumanTask) -> str:
    from ..repository import instances as store

    entry = store.read_run(task.instance).task_data(task.engine_task_id).get("household")
    return entry.get("code", "") if isinstance(entry, dict) else ""


def _visits(case: int, limit: int, latest: bool, previous: bool) -> None:
    for _ in range(limit):
        task = _open_task(case, "visit")
        if task is None:
            return
        _complete(task, _visit_data(_household_code(task), latest, previous))


def _run_day(code: str, day, months: dict, now: datetime) -> None:
    latest, previous = day.month == months.get(code), day.month == months.get(f"{code}:previous")
    case = _case(code, day.month, "day")
    plan = _open_task(case, "confirm_plan") if case else None
    if plan is None:
        return
    data = db.session.get(ProcessInstance, case).data or {}
    _complete(plan, {"theme": data.get("theme") or THEMES[1], "projects": list(PROJECTS),
                     "members": list(data.get("team") or [])[:6]}, f"gridlead-{code}")
    later = min(day.starts_at + timedelta(days=1, hours=10), now - timedelta(minutes=20))
    with time_machine.travel(later, tick=False):
        _visits(case, 1 if latest else 5, latest, previous)
    if latest:
        return
    with time_machine.travel(min(day.starts_at + timedelta(days=2, hours=10), now - timedelta(minutes=10)),
                             tick=False):
        summary = _open_task(case, "summary")
        if summary is not None:
            _complete(summary, {"summary": "本月走访顺利，发现问题已转事件处置。", "follow_ups": "不在家的户下周补访"},
                      f"gridlead-{code}")


def _close_an_event() -> None:
    """The grid handles the rubbish the visit found itself: that event closes."""
    from ..models import Household
    from .records import HouseholdVisit

    visit = db.session.execute(select(HouseholdVisit).join(Household, Household.id == HouseholdVisit.household_id)
                               .where(HouseholdVisit.event_instance_id.is_not(None), Household.code == "nh-hb-01-h1")
                               .order_by(HouseholdVisit.visited_at.desc())).scalars().first()
    task = _open_task(visit.event_instance_id, "self_handle") if visit else None
    if task is not None:
        _complete(task, {"handling_note": "已清理楼道口杂物", "before_photos": ["demo/before.jpg"],
                         "after_photos": ["demo/after.jpg"]}, f"worker-{task.scope_unit.code}")


def _act(kind: str, code: str, day, now: datetime, latest: dict) -> None:
    if kind == "planning":
        _plan_town(code, day, day.month == _newest(latest))
    else:
        _run_day(code, day, latest, now)


def _newest(months: dict) -> str:
    return max(month for key, month in months.items() if ":" not in key)


def _cadence_visits() -> None:
    """The cadence visits that came due are made (the newest ones are left for the inboxes)."""
    for task in db.session.execute(select(HumanTask).where(HumanTask.process_key == "household_visit",
                                                           HumanTask.bpmn_id == "visit", HumanTask.state == OPEN)
                                   .order_by(HumanTask.id)).scalars().all():
        _complete(task, {"outcome": "met", "needs": "一切安好", "help_given": "聊天问候，检查门窗水电"})


def seed_days(now: datetime) -> None:
    moments, latest = _moments(now)
    settings.save_theme(tree.root_unit().code, _newest(latest), THEMES[1], list(PROJECTS), people.get("admin"))
    for when, kind, code, day in moments:
        with time_machine.travel(when, tick=False):
            starts.plan(when)
            starts.run_due(when)
            try:
                _cadence_visits()
                jobs.open_due_visits(when)
                _act(kind, code, day, now, latest)
            except DomainError as error:
                log.warning("demo service day %s %s not advanced: %s", code, day.month, error.message)
                db.session.rollback()
    with time_machine.travel(now - timedelta(minutes=5), tick=False):
        _close_an_event()
    scheduler.tick(current_app._get_current_object(), plan=True)  # open what is due now, colour the clocks


def seed(with_cases: bool = True) -> None:
    if db.session.execute(select(ServiceDaySetting.id).limit(1)).first() is not None:
        return  # seeded already
    seed_households()
    seed_settings()
    if with_cases:
        seed_days(clock.now())
