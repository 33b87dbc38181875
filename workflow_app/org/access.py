"""Who may see and do what: every task action and case read goes through here."""

from sqlalchemy import and_, or_

from ..errors import Forbidden
from ..models import HumanTask, OrgUnit, ProcessInstance, User
from ..models.task import OPEN_SQL
from . import roles, tree
from .roles import INITIATOR

# Authorisation by capability: which roles carry each is data (the role table, org/roles.py).
ADMINISTER, DESIGN, SUPERVISE, URGE, OVERSEE, PUBLIC = "administer", "design", "supervise", "urge", "oversee", "public"


def holds(user: User, role: str, unit: OrgUnit | None = None, path: str | None = None) -> bool:
    """True when ``user`` holds ``role`` at ``unit`` (or a unit above it)."""
    target = path if path is not None else (unit.path if unit is not None else None)
    for assignment in user.assignments:
        if assignment.role_code != role:
            continue
        if target is None or target.startswith(assignment.org_unit.path):
            return True
    return False


def holds_any(user: User, codes, unit: OrgUnit | None = None) -> bool:
    return any(holds(user, role, unit) for role in codes)


def capable(user: User, capability: str, unit: OrgUnit | None = None, path: str | None = None) -> bool:
    """True when ``user`` holds, at ``unit`` (or ``path``) or above, a role carrying ``capability``."""
    carriers = roles.with_capability(capability)
    return any(holds(user, code, unit, path) for code in carriers)


def units_with(user: User, capability: str) -> list[OrgUnit]:
    """The units where ``user`` holds a role carrying ``capability``."""
    carriers = roles.with_capability(capability)
    return [a.org_unit for a in user.assignments if a.role_code in carriers]


def is_public(role_code: str) -> bool:
    """A role held by the public (residents): not staff, never acting for a unit."""
    return role_code in roles.with_capability(PUBLIC)


def works_in(user: User, unit: OrgUnit) -> bool:
    """The user holds a staff (not public) role at ``unit`` or above it."""
    public = roles.with_capability(PUBLIC)
    return any(a.role_code not in public and unit.path.startswith(a.org_unit.path) for a in user.assignments)


def covers(user: User, unit: OrgUnit) -> bool:
    """The user holds some role at ``unit`` or above it."""
    return any(unit.path.startswith(a.org_unit.path) for a in user.assignments)


def can_act(user: User, task: HumanTask) -> bool:
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    if task.role is None or task.role == INITIATOR:
        return False
    return holds(user, task.role, path=task.scope_path)


def require_can_act(user: User, task: HumanTask) -> None:
    if not can_act(user, task):
        raise Forbidden(f"{user.username} may not act on task {task.id} ({task.name})")


def can_view_instance(user: User, instance: ProcessInstance, task_paths=()) -> bool:
    """Whether ``user`` sees that the case exists (its ``summary``), by the visibility policy."""
    from . import visibility

    return "summary" in visibility.case_classes(user, instance, task_paths)


def require_designer(user: User, unit: OrgUnit | None = None) -> None:
    if not capable(user, DESIGN, unit):
        where = f" for {unit.code}" if unit is not None else ""
        raise Forbidden(f"{user.username} may not manage process definitions{where}")


def require_admin(user: User, unit: OrgUnit | None = None) -> None:
    if not capable(user, ADMINISTER, unit):
        raise Forbidden(f"{user.username} is not an administrator here")


def leads(user: User, task: HumanTask) -> bool:
    """The user leads the people who do ``task``: its role's leader role there, or an administrator."""
    if capable(user, ADMINISTER, path=task.scope_path):
        return True
    if not task.role:
        return False
    leader = roles.role_index().get(task.role.lower())
    leader_role = leader.leader_role if leader is not None else None
    return bool(leader_role) and holds(user, leader_role, path=task.scope_path)


def task_classes(user: User, task: HumanTask) -> frozenset[str]:
    """The field classes of ``task``'s case that ``user`` sees on the task's page, its notes and
    files: all for whoever acts on it or leads them, else what they see of the case as staff. A
    case's reporter (a resident) sees none: they follow the case on its own page."""
    from . import visibility

    if can_act(user, task) or leads(user, task):
        return frozenset(visibility.CASE_CLASSES)
    return visibility.staff_classes(user, task.instance, [task.scope_path])


def can_see_task(user: User, task: HumanTask) -> bool:
    """Whether ``user`` may open ``task``'s page (and read its notes and files)."""
    return "summary" in task_classes(user, task)


def is_eligible(user: User, task: HumanTask) -> bool:
    """Could ``user`` do ``task`` if it were theirs (its role, held at or above its scope)?"""
    if not user.active:
        return False
    if task.role is None or task.role == INITIATOR:
        return task.instance.started_by_id == user.id
    return holds(user, task.role, path=task.scope_path)


def actionable_clause(user: User):
    """SQL for the open tasks ``user`` may act on: assigned to them, or unclaimed in the scopes of
    the (staff) roles they hold."""
    public = roles.with_capability(PUBLIC)
    clauses = [HumanTask.assignee_id == user.id]
    for assignment in user.assignments:
        if assignment.role_code in public:
            continue
        clauses.append(and_(
            HumanTask.state == OPEN_SQL,
            HumanTask.assignee_id.is_(None),
            HumanTask.role == assignment.role_code,
            tree.within(HumanTask.scope_path, assignment.org_unit.path),
        ))
    return or_(*clauses)
