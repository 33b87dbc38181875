"""The supervisors' board reads counts the database keeps (migration 0017, sla/counts.py), not the
tasks (issue 16): whatever the tasks go through (opened, claimed, handed on, yellow, red, a
whistle to three departments and one of them returning it, escalated, completed), the kept counts
equal a count from scratch of the open tasks, at every unit, before and after the scheduler folds
the deltas and after ``flask supervision-recount``."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, event, select

from tests.support import ok, only, sample_bundle, with_event_handling
from tests.test_event_handling import MONDAY_9
from workflow_app.extensions import db
from workflow_app.models import HumanTask, OrgUnit, SupervisionDelta, User
from workflow_app.models.task import OPEN
from workflow_app.org import tree
from workflow_app.sla import counts, supervision
from workflow_app.timers import scheduler

GENERAL = {"category": "environment", "severity": "general", "description": "路灯不亮", "address": "东门路"}
POTHOLE = {"condition_code": "B0201-01", "address": "北门路", "description": "路面坑槽"}
SUMMONS = {"decision": "whistle", "departments": ["dept-zj", "dept-cg", "dept-jt"], "lead_department": "dept-zj"}


def _scratch(unit: OrgUnit) -> dict:
    """What the board should say, counted from the open tasks themselves."""
    rows = db.session.execute(select(HumanTask.instance_id, HumanTask.scope_path, HumanTask.stage,
                                     HumanTask.process_key, HumanTask.sla_state)
                              .where(HumanTask.state == OPEN, supervision.in_unit(unit))).all()
    found: dict = {name: {} for name in supervision.BREAKDOWNS}
    cases: dict = {name: {} for name in supervision.BREAKDOWNS}
    for case, path, stage, process, colour in rows:
        for by, key in (("child", path[:len(unit.path) + 9]), ("stage", stage), ("process_key", process),
                        ("total", "")):
            entry = found[by].setdefault(key, supervision._empty())
            entry["open"] += 1
            entry[colour or "none"] += 1
            cases[by].setdefault(key, set()).add(case)
    for by, keys in cases.items():
        for key, ids in keys.items():
            found[by][key]["cases"] = len(ids)
    return found


def _check(app) -> dict:
    """Kept counts == scratch counts at every unit, and the breach lists' totals; the county's totals."""
    with app.app_context():
        person = db.session.scalar(select(User).where(User.username == "supervisor"))
        for unit in db.session.execute(select(OrgUnit)).scalars():
            expected = _scratch(unit)
            assert supervision._counted(unit) == expected, unit.code
            everything = expected["total"].get("", supervision._empty())
            for colour, states in supervision.COLOURS.items():
                total = sum(everything[state] for state in states)
                assert supervision.breaches(person, unit.code, colour)[1] == total, (unit.code, colour)
        county = _scratch(tree.root_unit())["total"].get("", supervision._empty())
        db.session.remove()
        return county


def _fold_and_check(app) -> None:
    _check(app)
    with app.app_context():
        counts.fold()
        db.session.commit()
        assert db.session.scalar(select(SupervisionDelta.id).limit(1)) is None
        db.session.remove()
    _check(app)


def _do(api, user: str, case: int, name: str, data: dict) -> None:
    task = only(api.tasks(user, instance_id=case), name)
    ok(api.complete(task["id"], user, data), 200)


@pytest.fixture
def traveller():
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        yield clock


def test_kept_counts_equal_a_count_from_scratch_through_a_whole_day(api, traveller, monkeypatch):
    monkeypatch.setattr(counts, "FOLD_BATCH", 2)  # folds upsert in batches: several here
    ok(api.deploy(sample_bundle()), 201)
    with_event_handling(api)
    minor = ok(api.start("minor_event", "dc-dm-01", GENERAL, "worker-dc-dm-01"), 201).get_json()["id"]
    whistled = ok(api.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    other = ok(api.start("event_handling", "dc-dm-01", {**POTHOLE, "address": "南门路"}, "worker-dc-dm-01"),
               201).get_json()["id"]
    _check(api.app)

    task = only(api.tasks("staff-dc-dm", instance_id=minor), "社区处置")
    ok(api.post(f"/tasks/{task['id']}/claim", "staff-dc-dm"), 200)  # claimed: same counts
    eligible = [u["username"] for u in api.get(f"/tasks/{task['id']}/eligible-users", "staff-dc-dm").get_json()]
    others = [name for name in eligible if name != "staff-dc-dm"]
    if others:  # handed to another eligible person: same counts
        ok(api.post(f"/tasks/{task['id']}/delegate", "staff-dc-dm", json={"username": others[0]}), 200)
    _check(api.app)
    ok(api.post(f"/tasks/{task['id']}/pause", "head-dc-dm", json={"reason": "等待材料"}), 200)
    assert _check(api.app)["paused"] == 1
    ok(api.post(f"/tasks/{task['id']}/resume", "head-dc-dm"), 200)
    _check(api.app)

    _do(api, "dispatcher-dc", whistled, "镇街研判", SUMMONS)  # three departments report in at once
    with api.app.app_context():
        multi = counts.repeated_cases(db.session.get(OrgUnit, _unit_id(api.app, "dc")), 0)
        assert multi["total"][""] == 2  # one case, three open tasks: two repeats
    _check(api.app)

    traveller.shift(timedelta(hours=1))  # the 30-minute report-in is past: red; the tick folds the deltas
    scheduler.tick(api.app, plan=True)
    assert _check(api.app)["red"] >= 3  # the three report-ins at least
    _do(api, "dept-jt-staff", whistled, "部门报到", {"check_in_note": "已到现场", "action": "return",
                                                  "return_reason": "非交通设施，属住建职责"})
    _do(api, "dept-zj-staff", whistled, "部门报到", {"check_in_note": "已到现场", "action": "handle"})
    _fold_and_check(api.app)

    traveller.shift(timedelta(hours=4, minutes=30))  # 14:30: the community's limit (15:00) nears: yellow
    scheduler.tick(api.app, plan=True)
    assert _check(api.app)["yellow"] >= 1
    traveller.shift(timedelta(hours=1))  # then passes: red, and the case escalates to the town
    scheduler.tick(api.app, plan=True)
    scheduler.tick(api.app, plan=True)
    _check(api.app)
    _do(api, "dispatcher-dc", other, "镇街研判", {"decision": "self", "dispatch_note": "镇街自办"})
    _check(api.app)

    with api.app.app_context():  # a rebuild from scratch changes nothing
        before = {u.code: supervision._counted(u) for u in db.session.execute(select(OrgUnit)).scalars()}
        counts.recount()
        db.session.commit()
        assert {u.code: supervision._counted(u) for u in db.session.execute(select(OrgUnit)).scalars()} == before
        db.session.remove()


def _unit_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def test_a_town_counts_the_tasks_of_the_departments_on_its_own_cases(api, traveller):
    with_event_handling(api)
    case = ok(api.start("event_handling", "dc-dm-01", POTHOLE, "worker-dc-dm-01"), 201).get_json()["id"]
    _do(api, "dispatcher-dc", case, "镇街研判", SUMMONS)
    summary = ok(api.get("/supervision/summary", "leader-dc", query_string={"org_unit": "dc"}), 200).get_json()
    assert summary["totals"]["open"] == 3 and summary["totals"]["cases"] == 1
    assert [(p["process_key"], p["open"], p["cases"]) for p in summary["processes"]] == [("event_handling", 3, 1)]
    county = ok(api.get("/supervision/summary", "supervisor"), 200).get_json()
    departments = {c["code"]: (c["open"], c["cases"]) for c in county["children"] if c["code"].startswith("dept-")}
    assert departments["dept-zj"] == departments["dept-cg"] == departments["dept-jt"] == (1, 1)
    assert county["totals"]["open"] == 3 and county["totals"]["cases"] == 1


def test_the_board_reads_the_kept_counts_not_the_tasks(api, traveller):
    ok(api.deploy(sample_bundle()), 201)
    for _ in range(3):
        ok(api.start("minor_event", "dc-dm-01", GENERAL, "worker-dc-dm-01"), 201)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with api.app.app_context():
        person = db.session.scalar(select(User).where(User.username == "supervisor"))
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            summary = supervision.summary(person, None)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        db.session.remove()
    assert summary["totals"]["open"] == 3 and summary["totals"]["cases"] == 3
    task_reads = [s for s in statements if "human_task" in s and "supervision_multitask_case" not in s]
    assert task_reads == []  # only the (few) cases with several open tasks are read task by task


def test_the_recount_command_repairs_counts_that_went_wrong(api, traveller):
    ok(api.deploy(sample_bundle()), 201)
    for _ in range(2):
        ok(api.start("minor_event", "dc-dm-01", GENERAL, "worker-dc-dm-01"), 201)
    expected = _check(api.app)
    with api.app.app_context():  # as if the triggers had been off for a while
        db.session.execute(delete(SupervisionDelta))
        db.session.commit()
        assert supervision._counted(tree.root_unit())["total"] == {}
        db.session.remove()
    result = api.app.test_cli_runner().invoke(args=["supervision-recount"])
    assert result.exit_code == 0 and "rebuilt" in result.output, result.output
    assert _check(api.app) == expected and expected["open"] == 2
