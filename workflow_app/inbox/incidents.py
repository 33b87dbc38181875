"""Incidents (故障案件) for administrators: the cases in error or blocked in the units they
administer, each with the element that failed and what went wrong; the actions on them are
``cases.admin``'s (retry with corrected data, suspend, resume, terminate)."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..models import OrgUnit, ProcessInstance, User
from ..org import access, roles, tree

STATUSES = ("error", "blocked")


@dataclass
class Incident:
    instance: ProcessInstance
    element: str | None  # the failed step's name (or id)
    message: str
    line: int | None
    code_line: str | None
    at: datetime | None


def _scopes(user: User) -> list[str]:
    admins = roles.with_capability(access.ADMINISTER)
    return [a.org_unit.path for a in user.assignments if a.role_code in admins]


def listing(user: User, limit: int = 200) -> list[Incident]:
    """Cases in error or blocked (or suspended while in error) where ``user`` administers."""
    paths = _scopes(user)
    if not paths:
        raise Forbidden(f"{user.username} may not see incidents")
    broken = or_(ProcessInstance.status.in_(STATUSES),
                 and_(ProcessInstance.status == "suspended", ProcessInstance.error.is_not(None)))
    rows = db.session.execute(
        select(ProcessInstance).join(OrgUnit, OrgUnit.id == ProcessInstance.org_unit_id)
        .options(joinedload(ProcessInstance.version), joinedload(ProcessInstance.org_unit))
        .where(broken, or_(*(tree.within(OrgUnit.path, p) for p in paths)))
        .order_by(ProcessInstance.updated_at.desc()).limit(limit)
    ).scalars()
    return [incident(i) for i in rows]


def incident(instance: ProcessInstance) -> Incident:
    error = instance.error or {}
    at = error.get("at")
    return Incident(instance, error.get("task_name") or error.get("bpmn_id"), str(error.get("message") or ""),
                    error.get("line"), error.get("error_line"), datetime.fromisoformat(at) if at else None)


def corrections(text: str | None) -> dict:
    """Corrected data typed by the administrator (a JSON object; empty: none)."""
    if not (text or "").strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as error:
        raise InvalidInput("the corrections are not valid JSON", {"data": [str(error)]}) from error
    if not isinstance(value, dict):
        raise InvalidInput("the corrections must be a JSON object", {"data": ["must be an object"]})
    return value
