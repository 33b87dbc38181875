"""Reading visits: a household's visit history with its next due date, a service-day case's plan
and visit list, and a person's open visit tasks.

Every household field is shown as the visibility policy allows (``org/visibility.json``, through
``org.households``): who does not serve a household sees that it was visited and how, never its
head's name, phone, or the needs and problems recorded at the door."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..cases import views as case_views
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import HumanTask, ProcessInstance, User
from ..models.task import OPEN
from ..org import access, households, visibility
from .records import OUTCOME_NAMES, HouseholdVisit, VisitDue

MAX_HISTORY = 200
VISIT_PROCESSES = ("grid_service_day", "household_visit")
VISIT_TASK = "visit"  # the id of the visit user task in both models


def find_household(reference: str):
    """A household by id (digits) or by code."""
    from ..models import Household

    found = None
    if reference.isascii() and reference.isdigit() and len(reference) < 10:
        found = db.session.get(Household, int(reference))
    if found is None:
        found = db.session.execute(select(Household).where(Household.code == reference)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no household {reference!r}")
    return found


def event_view(instance: ProcessInstance | None) -> dict | None:
    if instance is None:
        return None
    return {"id": instance.id, "status": instance.status, "closed": instance.status == "completed",
            "ended_at": instance.ended_at, "title": _title(instance)}


def _title(instance: ProcessInstance) -> str | None:
    data = instance.data or {}
    title = data.get("title")
    return title if isinstance(title, str) else None


def visit_view(visit: HouseholdVisit, personal: bool) -> dict:
    return {
        "id": visit.id, "visited_at": visit.visited_at, "month": visit.month, "kind": visit.kind,
        "outcome": visit.outcome, "outcome_name": OUTCOME_NAMES.get(visit.outcome, (visit.outcome,))[0],
        "visitor": {"username": visit.visitor.username, "name": visit.visitor.name} if visit.visitor else None,
        "needs": visit.needs if personal else None, "help_given": visit.help_given if personal else None,
        "photos": visit.photos or [] if personal else [],
        "problem_found": visit.problem_found,
        "problem_description": visit.problem_description if personal else None,
        "problem_code": visit.problem_code, "case_id": visit.instance_id,
        "event": event_view(visit.event_instance), "cadence_days": visit.cadence_days, "next_due": visit.next_due,
    }


def _visible(actor: User, household):
    shown = households.view(actor, household)
    if shown is None:
        raise Forbidden(f"{actor.username} may not see household {household.code}")
    return shown


def history(actor: User, reference: str) -> dict:
    """A household's visits, newest first, with its pairing and its next due date."""
    household = find_household(reference)
    shown = _visible(actor, household)
    personal = shown.personal_visible
    rows = db.session.execute(select(HouseholdVisit).where(HouseholdVisit.household_id == household.id)
                              .order_by(HouseholdVisit.visited_at.desc()).limit(MAX_HISTORY)).scalars()
    paired = household.paired_user
    return {"household": shown, "household_id": household.id, "code": household.code,
            "paired_with": {"username": paired.username, "name": paired.name} if paired else None,
            "next_due": household.next_visit_due, "last_visited_at": household.last_visited_at,
            "visits": [visit_view(v, personal) for v in rows]}


# --- a service-day case -------------------------------------------------------------------------

@dataclass
class VisitLine:
    due: VisitDue
    household: object  # HouseholdView or None (not visible)
    visit: dict | None
    task: HumanTask | None


@dataclass
class DayView:
    case: object  # cases.views.InstanceView
    plan: dict
    lines: list[VisitLine] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


PLAN_KEYS = ("title", "month", "service_date", "theme", "projects", "members", "plan_note", "deadline",
             "summary", "follow_ups")


def _open_visit_tasks(instance_id: int) -> dict[int, HumanTask]:
    """Open visit tasks of a case by household id (the task's data names the household)."""
    from ..repository import instances as store

    rows = db.session.execute(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.state == OPEN)).scalars().all()
    found = {}
    run = store.read_run(rows[0].instance) if rows else None
    for row in rows:
        entry = run.task_data(row.engine_task_id).get("household") if run else None
        if isinstance(entry, dict) and isinstance(entry.get("household_id"), int):
            found[entry["household_id"]] = row
    return found


def open_visit_tasks_of(household_ids) -> dict[int, list[HumanTask]]:
    """The households' visit tasks still open (on a service day or between them), by household id;
    each case's run is read once however many of its households are asked for."""
    wanted = sorted(set(household_ids))
    found: dict[int, list[HumanTask]] = {}
    for start in range(0, len(wanted), 500):
        dues = db.session.execute(select(VisitDue.instance_id, VisitDue.household_id).where(
            VisitDue.household_id.in_(wanted[start:start + 500]), VisitDue.visit_id.is_(None))).all()
        by_case: dict[int, set[int]] = {}
        for instance_id, household_id in dues:
            by_case.setdefault(instance_id, set()).add(household_id)
        for instance_id in sorted(by_case):
            tasks = _open_visit_tasks(instance_id)
            for household_id in sorted(by_case[instance_id]):
                if household_id in tasks:
                    found.setdefault(household_id, []).append(tasks[household_id])
    return found


def day(actor: User, instance_id: int) -> DayView:
    """A service-day (or cadence-visit) case: its plan and each household due, with its visit."""
    case = case_views.instance_detail(instance_id, actor)  # raises Forbidden for those who may not see it
    plan = {k: case.data.get(k) for k in PLAN_KEYS if k in case.data}
    dues = db.session.execute(select(VisitDue).where(VisitDue.instance_id == instance_id)
                              .order_by(VisitDue.id)).scalars().all()
    visits = {v.household_id: v for v in db.session.execute(
        select(HouseholdVisit).where(HouseholdVisit.instance_id == instance_id)).scalars()}
    tasks = _open_visit_tasks(instance_id)
    lines, counts = [], {"due": len(dues), "met": 0, "not_home": 0, "refused": 0, "open": 0}
    for due_row in dues:
        shown = households.view(actor, due_row.household)
        visit = visits.get(due_row.household_id)
        personal = shown is not None and shown.personal_visible
        lines.append(VisitLine(due_row, shown, visit_view(visit, personal) if visit else None,
                               tasks.get(due_row.household_id)))
        counts[visit.outcome if visit else "open"] += 1
    return DayView(case, plan, lines, counts)


def my_open_visits(actor: User) -> list[HumanTask]:
    """The actor's open visit tasks (assigned to them, or unclaimed where they may take them)."""
    return list(db.session.execute(
        select(HumanTask).where(HumanTask.state == OPEN, HumanTask.process_key.in_(VISIT_PROCESSES),
                                HumanTask.bpmn_id == VISIT_TASK, access.actionable_clause(actor))
        .order_by(HumanTask.due_at, HumanTask.id).limit(200)).scalars())


@dataclass
class OpenVisit:
    task: HumanTask
    label: str


def my_visit_list(actor: User) -> list[OpenVisit]:
    """``my_open_visits`` with each task's household, as its visit list names it."""
    from ..repository import instances as store

    found, runs = [], {}
    for task in my_open_visits(actor):
        run = runs.get(task.instance_id) or runs.setdefault(task.instance_id, store.read_run(task.instance))
        label = run.task_data(task.engine_task_id).get("household_label")
        found.append(OpenVisit(task, label if isinstance(label, str) else task.title or task.name))
    return found


def may_see_flags(actor: User, household) -> bool:
    return "special_groups" in visibility.household_classes(actor, household)
