"""What a department files from the pages: an application for admission (a case of
``item_admission`` in the town its targets lie in, or in the county when they span towns) and an
assignment to communities (a case of ``department_assignment`` at the department). Both start
through the case service, so the API's rules apply: the form, the start lane, the guard."""

from dataclasses import dataclass, field

from .. import taskforms
from ..cases import service
from ..errors import Forbidden, InvalidInput
from ..models import OrgUnit, ProcessInstance, User
from ..org import tree
from ..repository import definitions
from ..repository import instances as store
from . import coverage

APPLY, ASSIGN, WITHDRAW = "item_admission", "department_assignment", "item_withdrawal"
DEPARTMENT_ROLES = ("department_staff",)


@dataclass
class StartForm:
    key: str
    name: str
    document: dict
    department: OrgUnit
    choices: dict = field(default_factory=dict)


def department_of(actor: User) -> OrgUnit | None:
    """The department the actor files for (where they hold a department role)."""
    held = [a.org_unit for a in actor.assignments if a.role_code in DEPARTMENT_ROLES and a.org_unit.kind != "area"]
    return held[0] if held else None


def start_form(actor: User, key: str) -> StartForm:
    department = department_of(actor)
    if department is None:
        raise Forbidden(f"{actor.username} files for no department")
    version = definitions.resolve(key, department)
    manifest = store.manifest(version)
    document = (manifest.get("forms") or {}).get((manifest.get("start") or {}).get("form") or "") or {}
    return StartForm(key, version.name or key, document, department, _choices(document, department))


def _choices(document: dict, department: OrgUnit) -> dict:
    """The form's reference choices, narrowed to the levels a field lists in ``x-org-level``."""
    choices = taskforms.reference_choices(document, department)
    for name, spec in (document.get("properties") or {}).items():
        levels = spec.get("x-org-level") if isinstance(spec, dict) else None
        if isinstance(levels, list) and name in choices:
            choices[name] = [c for c in choices[name] if (ref := tree.ref_by_code(c[0])) and ref.level in levels]
    return choices


def _unit_for_application(data: dict, department: OrgUnit) -> str:
    towns = coverage.towns_of(data.get("units") if isinstance(data.get("units"), list) else [])
    if len(towns) == 1:
        return towns[0]
    return tree.root_of(tree.UnitRef.of(department)).code


def file(actor: User, key: str, data: dict) -> ProcessInstance:
    """Start ``key`` for the actor's department with ``data`` from its start form."""
    if key not in (APPLY, ASSIGN, WITHDRAW):
        raise InvalidInput(f"{key} is not filed here", {"process_key": ["not an admission process"]})
    department = department_of(actor)
    if department is None:
        raise Forbidden(f"{actor.username} files for no department")
    data = {**data, "department": department.code}
    unit = _unit_for_application(data, department) if key == APPLY else department.code
    return service.start(key, unit, data, actor)
