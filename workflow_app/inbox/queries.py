"""The inbox query: open tasks a user may act on, filtered, sorted by due time, paginated, counted.

A user sees tasks assigned to them, and unclaimed tasks whose role they hold at the task's scope
unit or above it. Each of their role assignments is one index range on (state, role, scope_path).
A leader's 团队 (``team``) view is the open tasks of the roles they lead, in the units where they
lead them (claimed or not): what ``access.leads`` allows them to follow up.

Sorting (``sort``): ``due`` (the nearest due time first, the default), ``received`` (newest first)
or ``priority`` (overdue first, then at risk, on time, paused, no limit; then by due time).
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from .. import clock
from ..extensions import db
from ..models import HumanTask, User
from ..models.task import COMPLETED, OPEN
from ..org import access, roles, tree

STATES = ("open", "unclaimed", "mine", "team", "done")
SORTS = ("due", "received", "priority")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000


@dataclass
class InboxQuery:
    state: str = "open"
    process_key: str | None = None
    overdue: bool | None = None
    org_unit: str | None = None  # a subtree
    text: str | None = None
    page: int = 1
    per_page: int = 20
    sort: str = "due"

    def __post_init__(self):  # any caller's page stays a page the database can reach (never an overflow)
        self.page = min(max(int(self.page or 1), 1), MAX_PAGE)
        self.per_page = min(max(int(self.per_page or 20), 1), MAX_PER_PAGE)


@dataclass
class InboxPage:
    items: list[HumanTask]
    total: int
    page: int
    per_page: int
    counts: dict = field(default_factory=dict)


def eligible_clause(user: User):
    """Open tasks ``user`` may act on (the access rule, as SQL)."""
    return access.actionable_clause(user)


def team_clause(user: User):
    """Open tasks of the roles ``user`` leads (a role's ``leader_role``), in the units where they lead."""
    led: dict[str, list[str]] = {}
    for ref in roles.role_index().values():
        if ref.leader_role:
            led.setdefault(ref.leader_role, []).append(ref.code)
    clauses = [and_(HumanTask.role.in_(led[a.role_code]), tree.within(HumanTask.scope_path, a.org_unit.path))
               for a in user.assignments if a.role_code in led]
    return or_(*clauses) if clauses else HumanTask.id.is_(None)


def _order(query: InboxQuery) -> list:
    if query.sort == "received":
        return [HumanTask.created_at.desc(), HumanTask.id.desc()]
    due = [HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id]
    if query.sort == "priority":
        urgency = case((HumanTask.sla_state == "red", 0), (HumanTask.sla_state == "yellow", 1),
                       (HumanTask.sla_state == "green", 2), (HumanTask.sla_state == "paused", 3), else_=4)
        return [urgency, *due]
    return due


def _scope_filters(query: InboxQuery) -> list:
    filters = []
    if query.org_unit:
        unit = tree.require(query.org_unit, "org_unit")
        filters.append(tree.within(HumanTask.scope_path, unit.path))
    if query.text:
        filters.append(or_(HumanTask.title.icontains(query.text, autoescape=True),
                           HumanTask.name.icontains(query.text, autoescape=True)))
    return filters


def _state_filters(query: InboxQuery, user: User, now) -> list:
    filters = []
    if query.state == "unclaimed":
        filters.append(HumanTask.assignee_id.is_(None))
    elif query.state == "mine":
        filters.append(HumanTask.assignee_id == user.id)
    if query.process_key:
        filters.append(HumanTask.process_key == query.process_key)
    if query.overdue is True:
        filters.append(HumanTask.due_at < now)
    elif query.overdue is False:
        filters.append(or_(HumanTask.due_at.is_(None), HumanTask.due_at >= now))
    return filters


def counts(user: User, query: InboxQuery) -> dict:
    """Open-task counts per state, overdue and process, within the query's org and text scope."""
    now = clock.now()
    team = db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == OPEN, team_clause(user), *_scope_filters(query)))
    overdue = case((HumanTask.due_at < now, 1), else_=0)
    claimed = case((HumanTask.assignee_id.is_(None), 0), else_=1)
    rows = db.session.execute(
        select(HumanTask.process_key, claimed, overdue, func.count())
        .where(HumanTask.state == OPEN, eligible_clause(user), *_scope_filters(query))
        .group_by(HumanTask.process_key, claimed, overdue)
    ).all()
    result = {"open": 0, "unclaimed": 0, "mine": 0, "overdue": 0, "team": team, "processes": {}}
    for process_key, is_claimed, is_overdue, count in rows:
        result["open"] += count
        result["mine" if is_claimed else "unclaimed"] += count
        result["overdue"] += count if is_overdue else 0
        result["processes"][process_key] = result["processes"].get(process_key, 0) + count
    return result


def _done(user: User, query: InboxQuery) -> InboxPage:
    base = select(HumanTask).where(HumanTask.state == COMPLETED, HumanTask.completed_by_id == user.id,
                                   *_scope_filters(query))
    if query.process_key:
        base = base.where(HumanTask.process_key == query.process_key)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    items = db.session.execute(
        base.options(joinedload(HumanTask.scope_unit)).order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .offset((query.page - 1) * query.per_page).limit(query.per_page)
    ).scalars().all()
    return InboxPage(list(items), total, query.page, query.per_page, counts(user, query))


def inbox(user: User, query: InboxQuery) -> InboxPage:
    query.per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    query.page = max(1, query.page)
    if query.state == "done":
        return _done(user, query)
    now = clock.now()
    tallies = counts(user, query)
    total = _total(tallies, query, user, now)
    who = team_clause(user) if query.state == "team" else eligible_clause(user)
    items = db.session.execute(
        select(HumanTask)
        .options(joinedload(HumanTask.scope_unit), joinedload(HumanTask.assignee))
        .where(HumanTask.state == OPEN, who, *_scope_filters(query), *_state_filters(query, user, now))
        .order_by(*_order(query))
        .offset((query.page - 1) * query.per_page).limit(query.per_page)
    ).scalars().all()
    return InboxPage(list(items), total, query.page, query.per_page, tallies)


def _total(tallies: dict, query: InboxQuery, user: User, now) -> int:
    """The filtered total, from the counts when the filters are the counted dimensions."""
    if query.overdue is None and not query.process_key:
        return tallies[query.state]
    who = team_clause(user) if query.state == "team" else eligible_clause(user)
    return db.session.scalar(
        select(func.count()).select_from(HumanTask)
        .where(HumanTask.state == OPEN, who, *_scope_filters(query), *_state_filters(query, user, now))
    )


def role_names() -> dict[str, tuple[str, str | None]]:
    """Role names by code (for the candidate role on each card)."""
    from ..models import Role

    return {r.code: (r.name_zh, r.name_en) for r in db.session.execute(select(Role)).scalars()}
