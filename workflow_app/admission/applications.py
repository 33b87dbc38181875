"""Applications for admission and where each stands, for the applying department and the county.

A department's staff see their department's applications; the county's joint meeting,
administrators and supervisors see all of the county's; a town's leaders those for their town."""

from sqlalchemy import select

from ..errors import InvalidInput
from ..extensions import db
from ..models import User
from ..org import access, roles, tree
from ..repository import instances as store
from .records import Application
from .settings import MEETING

STATUSES = {"screening": "筛查中", "town_review": "镇街审查中", "meeting": "待联席会议决定",
            "screened_out": "筛查未通过", "approved": "已准入", "approved_with_changes": "修改后准入",
            "refused": "不予准入"}
MAX_LISTED = 500


def _visible(actor: User, row: Application) -> bool:
    overseers = roles.with_capability(access.OVERSEE)
    for assignment in actor.assignments:
        unit = assignment.org_unit
        if row.department_id is not None and unit.id == row.department_id:
            return True
        if unit.id == row.county_id and (assignment.role_code == MEETING or assignment.role_code in overseers):
            return True
        if assignment.role_code == "town_leader" and any(
                (ref := tree.ref_by_code(code)) is not None and (ref.path.startswith(unit.path)
                                                                or unit.path.startswith(ref.path))
                for code in row.units or []):
            return True
    return False


def view(row: Application) -> dict:
    instance = row.instance
    return {"id": row.id, "instance_id": row.instance_id, "name": row.name, "item_code": row.item_code,
            "department": row.department.code if row.department else None,
            "department_name": row.department.name_zh if row.department else None, "status": row.status,
            "status_name": STATUSES.get(row.status, row.status), "reason": row.reason, "units": row.units or [],
            "valid_from": row.valid_from, "filed_at": row.filed_at, "updated_at": row.updated_at,
            "case_status": instance.status if instance else None,
            "process": store.version_name(instance) if instance else None}


def listing(actor: User, department: str | None = None, status: str | None = None) -> list[dict]:
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"unknown status {status!r}", {"status": [f"one of {', '.join(STATUSES)}"]})
    query = select(Application).order_by(Application.id.desc())
    if department:
        unit = tree.require(department, "department")
        query = query.where(Application.department_id == unit.id)
    if status:
        query = query.where(Application.status == status)
    rows = db.session.execute(query.limit(MAX_LISTED * 4)).scalars()
    return [view(row) for row in rows if _visible(actor, row)][:MAX_LISTED]
