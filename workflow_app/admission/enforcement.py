"""Enforcement: work under an item reaches a community or grid only where the item is admitted.

A process declares the item its work belongs to with a process property: ``admission_item``
(a code) or ``admission_item_from`` (the data key holding the code); ``admission_units_from``
may name the data key listing the units the work goes to, so that a start can be checked for
every one of them at once. The county configures the levels that are enforced (default
community and grid) and the processes exempt (default the event-handling loop). Then:

- a start is refused (``ItemNotAdmitted``, 422 ``item_not_admitted``; nothing is created) when
  the item is unknown, withdrawn, expired or not yet in force, or not admitted for a named unit,
  or when a task the new case would hand out at once lies in an enforced unit the item does not
  cover;
- a running case about to hand a task to an enforced unit the item does not cover (withdrawn
  since, say) gets no task there: the guard's ``Hold`` blocks the case;
- a process that declares no item, started by a department role, is refused the same way when
  it would hand a task to an enforced unit.

Each refusal records an ``admission_refused`` fact against the pushing department. Nothing here
knows a process or an item by name: the models declare, the county's data decides."""

from ..cases.guards import Guard, Hold, StartCheck, TaskCheck
from ..errors import InvalidInput
from ..extensions import db
from ..models import User
from ..org import roles, tree
from . import items, refusals, settings
from .refusals import Refusal

ITEM, ITEM_FROM, UNITS_FROM = "admission_item", "admission_item_from", "admission_units_from"
CODE = "item_not_admitted"
MAX_UNITS = 500
MESSAGES = {
    "unknown": ("item {code} is not on the admitted-items list", "事项 {code} 不在准入事项清单中"),
    "withdrawn": ("item {code} has been withdrawn", "事项 {code} 已退出准入清单"),
    "expired": ("item {code} has expired", "事项 {code} 已过有效期"),
    "not_yet": ("item {code} is not in force yet", "事项 {code} 尚未到开始执行日期"),
    "not_for_unit": ("item {code} is not admitted for {units}", "事项 {code} 未对 {units} 准入"),
    "other_department": ("item {code} is held by another department: a department pushes work only under its own items",
                         "事项 {code} 属于其他部门，部门只能以本部门的准入事项派发工作"),
    "missing": ("this work names no admitted item (data key {key})", "未填写所属准入事项（{key}）"),
    "undeclared": ("process {process} declares no admitted item; a department may not push its tasks to {units}",
                   "流程 {process} 未声明所属准入事项，部门不得向 {units} 派发任务"),
}


class ItemNotAdmitted(InvalidInput):
    """A start refused because its work is not admitted where it would go (422)."""

    reason = CODE

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message, {"item_code": [refusal.message]})
        self.refusal = refusal

    @property
    def message_zh(self) -> str:
        return message(self.refusal, "zh")


def message(refusal: Refusal, lang: str = "en") -> str:
    en, zh = MESSAGES[refusal.problem]
    names = [tree.ref_by_code(u) for u in refusal.units]
    units = "、".join(u.name_zh for u in names if u) if lang == "zh" else ", ".join(refusal.units)
    return (zh if lang == "zh" else en).format(code=refusal.item_code or "—", units=units or "—",
                                              process=refusal.process_key, key=refusal.item_code or "item_code")


def declaration(manifest: dict) -> dict:
    props = manifest.get("process_properties") or {}
    return {k: str(props[k]).strip() for k in (ITEM, ITEM_FROM, UNITS_FROM) if str(props.get(k) or "").strip()}


def _declared(declared: dict) -> bool:
    return ITEM in declared or ITEM_FROM in declared


def item_code(declared: dict, *datas: dict) -> str | None:
    if ITEM in declared:
        return declared[ITEM]
    for data in datas:
        value = (data or {}).get(declared[ITEM_FROM])
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def pushing_department(data: dict, actor, case_unit) -> str | None:
    """The department pushing the work: the one the data names, else the starter's, else the case's."""
    named = tree.ref_by_code(data.get("department")) if isinstance(data.get("department"), str) else None
    if named is not None and named.kind != "area":
        return named.code
    for assignment in getattr(actor, "assignments", None) or []:
        if assignment.org_unit.kind != "area":
            return assignment.org_unit.code
    return case_unit.code if getattr(case_unit, "kind", "area") != "area" else None


def is_department_user(user: User | None) -> bool:
    if user is None:
        return False
    index = roles.role_index()
    for assignment in user.assignments:
        ref = index.get(assignment.role_code.lower())
        if assignment.org_unit.kind != "area" or (ref is not None and ref.scope_data_key == "department"):
            return True
    return False


def _started_by_department(task: TaskCheck) -> bool:
    """Whether a department role started the case: from the ``initiator`` the platform wrote into
    the case data (no query), else from the starter's assignments."""
    roles_held = ((task.data or {}).get("initiator") or {}).get("roles")
    if isinstance(roles_held, list):
        index = roles.role_index()
        return any(isinstance(code, str) and (ref := index.get(code.lower())) is not None
                   and ref.scope_data_key == "department" for code in roles_held)
    instance = task.instance
    return is_department_user(db.session.get(User, instance.started_by_id) if instance.started_by_id else None)


# --- starts -------------------------------------------------------------------------------------
def _named_units(declared: dict, data: dict) -> list[tree.UnitRef]:
    value = data.get(declared.get(UNITS_FROM, ""))
    codes = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    refs = [tree.ref_by_code(c) for c in codes[:MAX_UNITS] if isinstance(c, str) and len(c) <= 64]
    return [r for r in refs if r is not None and r.kind == "area"]


def _enforced_scopes(start: StartCheck, unit: tree.UnitRef, config) -> list[str]:
    """Units at enforced levels where the model's lanes would hand this case tasks (lanes whose
    unit comes from data are left to the task check)."""
    index, found = roles.role_index(), []
    for lane in start.manifest.get("lane_tasks") or []:
        for task in lane.get("tasks") or []:
            props = {**(lane.get("properties") or {}), **{k: v for k, v in (task.get("properties") or {}).items()
                                                          if k in ("role", "role_from", "scope_level", "scope_from")}}
            rule = roles.lane_rule(lane.get("name"), props, index)
            if rule.role is None or rule.for_initiator or rule.scope_data_key or rule.role_data_key:
                continue
            scope = roles.scope_unit(rule, unit, start.data)
            if scope.kind == "area" and config.enforces(scope.level):
                found.append(scope.code)
    return list(dict.fromkeys(found))


def _check_undeclared(start: StartCheck, unit: tree.UnitRef, config) -> None:
    if not is_department_user(start.actor):
        return
    scopes = _enforced_scopes(start, unit, config)
    if scopes:
        department = pushing_department(start.data, start.actor, unit)
        _refuse_start(Refusal("undeclared", None, start.process_key, scopes, department), start.actor)


def check_start(start: StartCheck) -> None:
    declared = declaration(start.manifest)
    unit = tree.UnitRef.of(start.unit)
    config = settings.for_unit(unit)
    if start.process_key in config.exempt:
        return
    if not _declared(declared):
        _check_undeclared(start, unit, config)  # and task by task, for lanes whose unit comes from data
        return
    code = item_code(declared, start.data)
    department = pushing_department(start.data, start.actor, unit)
    base = Refusal("missing", code, start.process_key, department=department)
    if code is None:
        _refuse_start(base, start.actor)
    county = items.county_of(unit)
    item, day = items.find(county, code), items.today(county)
    general = items.problem(item, None, day)
    targets = [u for u in _named_units(declared, start.data) + ([unit] if unit.kind == "area" else [])
               if config.enforces(u.level)]
    if general is not None:
        _refuse_start(Refusal(general, code, start.process_key, [u.code for u in targets], department), start.actor)
    uncovered = [u.code for u in dict.fromkeys(targets) if items.problem(item, u, day) is not None]
    if uncovered:
        _refuse_start(Refusal("not_for_unit", code, start.process_key, uncovered, department), start.actor)
    if not _pushes_its_own(item, start.actor):  # 权随责走: an item is pushed by the department that holds it
        _refuse_start(Refusal("other_department", code, start.process_key, [u.code for u in targets], department),
                      start.actor)


def _pushes_its_own(item, actor) -> bool:
    """A department's staff may push work only under the items of a department they work in
    (anyone else, an administrator or a county process, is not held to this)."""
    if item is None or item.department is None or not is_department_user(actor):
        return True
    theirs = {a.org_unit.code for a in actor.assignments if a.org_unit.kind != "area"}
    return item.department.code in theirs


def _refuse_start(refusal: Refusal, actor) -> None:
    refusal.message = message(refusal)
    refusals.record_start(refusal, actor)
    raise ItemNotAdmitted(refusal)


# --- tasks --------------------------------------------------------------------------------------
def check_task(task: TaskCheck) -> Hold | None:
    scope = task.scope
    if scope is None or scope.kind != "area":
        return None
    config = settings.for_unit(scope)
    instance = task.instance
    if not config.enforces(scope.level) or instance.process_key in config.exempt:
        return None
    declared = declaration(task.manifest)
    if not _declared(declared):
        if not _started_by_department(task):
            return None
        return _hold(task, Refusal("undeclared", None, instance.process_key, [scope.code], bpmn_id=task.bpmn_id))
    code = item_code(declared, task.data, instance.data if instance.id is not None else {})
    county = items.county_of(scope)
    problem = items.problem(items.find(county, code), scope, items.today(county)) if code else "missing"
    if problem is None:
        return None
    return _hold(task, Refusal(problem, code, instance.process_key, [scope.code], bpmn_id=task.bpmn_id))


def _hold(task: TaskCheck, refusal: Refusal) -> Hold:
    """Refuse the task: the start, when the case is being started (nothing is created); else hold it."""
    instance = task.instance
    starter = db.session.get(User, instance.started_by_id) if instance.started_by_id else None
    case_unit = tree.ref_by_id(instance.org_unit_id) if instance.org_unit_id else task.scope
    case_data = instance.data if instance.id is not None else {}
    refusal.department = pushing_department({**(case_data or {}), **(task.data or {})}, starter, case_unit)
    refusal.message = message(refusal)
    if instance.id is None:
        refusal.bpmn_id = None
        _refuse_start(refusal, starter)
    refusals.record_task(refusal, instance, starter)
    return Hold(CODE, refusal.message, {**refusal.detail(), "message_zh": message(refusal, "zh"),
                                        "task": task.name})


def guard() -> Guard:
    refusals.install()
    return Guard("admission", check_start=check_start, check_task=check_task)
