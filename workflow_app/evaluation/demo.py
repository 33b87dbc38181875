"""The demo county's evaluation: a pothole in 东门社区第1网格 whistled to 住建 and 城管 and closed, so
that ``worker-dc-dm-01`` and ``staff-dc-dm`` each have a rating task (评价处置单位); one rating given by
the community; the evaluator's round for this month in 东城街道 (seed ``demo``) with its callbacks in
the evaluator's inbox; the points earned so far, and one redemption.

Everything goes through the real services as the demo users. Seeding twice adds nothing."""

from flask import current_app
from sqlalchemy import select

from ..cases import service
from ..errors import DomainError
from ..extensions import db
from ..indicators import periods
from ..models import EvaluationRound, HumanTask
from ..models.task import OPEN
from ..org import people
from . import points, rounds

POTHOLE = "B0201-01"


def _do(case: int, name: str, user: str, data: dict) -> None:
    task = db.session.execute(select(HumanTask).where(HumanTask.instance_id == case, HumanTask.name == name,
                                                      HumanTask.state == OPEN).order_by(HumanTask.id)).scalars().first()
    if task is None:
        return
    assignee = people.by_username(user)
    service.complete(task.id, data, assignee)


def _whistled_case() -> None:
    worker = people.by_username("worker-dc-dm-01")
    case = service.start("event_handling", "dc-dm-01", {
        "condition_code": POTHOLE, "address": "东门路 18 号", "description": "人行道路面坑槽，雨天积水"}, worker).id
    _do(case, "镇街研判", "dispatcher-dc", {"decision": "whistle", "departments": ["dept-zj", "dept-cg"],
                                        "lead_department": "dept-zj", "dispatch_note": "住建修补、城管设警示"})
    for dept in ("dept-zj", "dept-cg"):
        _do(case, "部门报到", f"{dept}-staff", {"check_in_note": "已到现场", "action": "handle"})
        _do(case, "部门处置", f"{dept}-staff", {"handling_note": "已处置"})
    _do(case, "核查", "worker-dc-dm-01", {"verified": True})
    rating = db.session.execute(select(HumanTask).where(
        HumanTask.process_key == "case_rating", HumanTask.state == OPEN, HumanTask.bpmn_id == "rate_community")
        .order_by(HumanTask.id.desc())).scalars().first()
    if rating is not None:
        service.complete(rating.id, {"department_ratings": [
            {"subject": "dept-zj", "accept": 5, "communicate": 4, "handle": 5, "comment": "响应快，修补及时"},
            {"subject": "dept-cg", "accept": 4, "communicate": 3, "handle": 4}]}, people.by_username("staff-dc-dm"))


def seed(with_cases: bool = True) -> int:
    """Seed the demo's evaluation data; returns the rounds opened."""
    if not with_cases or db.session.execute(select(EvaluationRound.id)).first():
        return 0
    evaluator = people.by_username("evaluator")
    try:
        _whistled_case()
        rounds.create(evaluator, "dc", periods.current_month().key, 0.5, 1, "demo")
        points.catch_up()
        worker = people.by_username("worker-dc-dm-01")
        if points.ledger(worker, None)["balance"] >= 2:
            points.redeem(people.by_username("head-dc-dm"), worker.username, 2, "积分兑换日：洗衣液一瓶")
    except DomainError as error:
        current_app.logger.warning("demo evaluation not all seeded: %s", error.message)
        db.session.rollback()
        return 0
    return 1
