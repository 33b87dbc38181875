"""Read models of cases and tasks, shaped for the API and the web pages."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload, undefer

from .. import audit, taskforms
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import HumanTask, ProcessInstance, User
from ..models.task import OPEN
from ..org import access, visibility
from ..repository import instances as store
from . import rounds


@dataclass
class TaskView:
    id: int
    name: str
    lane: str | None
    role: str | None
    org_unit: str | None
    org_unit_name: str | None
    instance_id: int
    process_key: str
    bpmn_id: str
    title: str | None
    state: str
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    sla_state: str | None
    form: dict | None
    title_en: str | None = None  # the title in English (``cases.sync.case_title_en``), where the model gives one


def task_view(task: HumanTask, data: dict | None = None, with_form: bool = True,
              classes: frozenset[str] | None = None) -> TaskView:
    """A task as shown; ``classes`` (for someone who does not act on it) limits the case data shown."""
    form = None
    manifest = store.manifest(task.instance.version) if (with_form and task.form) or classes is not None else None
    if classes is not None:
        data = visibility.case_data(data if data is not None else task.instance.data, classes, manifest)
    if with_form and task.form:
        document = (manifest.get("forms") or {}).get(task.form)
        form = taskforms.present(task.form, document, data if data is not None else task.instance.data)
    return TaskView(
        id=task.id, name=task.name, lane=task.lane, role=task.role,
        org_unit=task.scope_unit.code if task.scope_unit else None,
        org_unit_name=task.scope_unit.name_zh if task.scope_unit else None, instance_id=task.instance_id,
        process_key=task.process_key, bpmn_id=task.bpmn_id,
        title=task.title if classes is None or "content" in classes else None, state=task.state,
        assignee=task.assignee.username if task.assignee else None, created_at=task.created_at,
        due_at=task.due_at, sla_state=task.sla_state, form=form,
        title_en=task.title_en if classes is None or "content" in classes else None,
    )


# What a task listing shows, loaded in a fixed number of queries whatever the page size.
LISTING = (
    joinedload(HumanTask.scope_unit),
    joinedload(HumanTask.assignee),
    selectinload(HumanTask.instance).options(undefer(ProcessInstance.data), joinedload(ProcessInstance.version)),
)


def open_tasks(user: User, instance_id: int | None = None, process_key: str | None = None) -> list[TaskView]:
    query = select(HumanTask).options(*LISTING).where(HumanTask.state == OPEN, access.actionable_clause(user))
    if instance_id is not None:
        query = query.where(HumanTask.instance_id == instance_id)
    if process_key:
        query = query.where(HumanTask.process_key == process_key)
    query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id).limit(500)
    return [task_view(t) for t in db.session.execute(query).scalars()]


def task_detail(task_id: int, user: User) -> TaskView:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    acts = access.can_act(user, task) or access.leads(user, task)
    classes = None if acts else visibility.staff_classes(user, task.instance, [task.scope_path])
    if not may_open(user, task, acts, classes):
        raise Forbidden(f"{user.username} may not see task {task_id}")
    data = None
    if task.is_open and task.form:
        data = dict(store.read_run(task.instance).task_data(task.engine_task_id))
    elif task.form:
        data = rounds.completed_data(task)  # what it was done with, not the case's later data
    return task_view(task, data, classes=classes)


def may_open(user: User, task: HumanTask, acts: bool | None = None, classes=None) -> bool:
    """Whether ``user`` may open ``task``'s page (what a case page links to)."""
    if acts is None:
        acts = access.can_act(user, task) or access.leads(user, task)
    if acts:
        return True
    classes = classes if classes is not None else visibility.staff_classes(user, task.instance, [task.scope_path])
    return "summary" in classes  # as staff: a case's reporter follows it on the case page, not its tasks


# What a case in error says to everyone but its administrators and designers (they read the
# engine's own text on the incidents page).
FAULT = {"code": "engine_error", "message": "此事件处理遇到故障，已通知管理员处理",
         "message_en": "Something went wrong handling this case; the administrators have been told"}


@dataclass
class InstanceView:
    """A case as ``user`` may see it: ``data`` and ``history`` limited to the field classes they see;
    a failure in the engine's words only for who repairs cases (``technical``)."""

    instance: ProcessInstance
    tasks: list[TaskView]
    history: list
    timers: list
    data: dict
    classes: frozenset[str]
    reporter: str | None  # who started it, when the viewer may know
    error: dict | None = None
    technical: bool = False
    openable: frozenset[int] = frozenset()  # the open tasks the viewer may open

    def __getattr__(self, name):
        return getattr(self.instance, name)


def sees_failures(user: User, instance: ProcessInstance) -> bool:
    """Whether ``user`` may read what went wrong in the engine's own words (administrators and
    process designers of the case's unit)."""
    return access.capable(user, access.ADMINISTER, instance.org_unit) or \
        access.capable(user, access.DESIGN, instance.org_unit)


def error_shown(instance, user: User) -> dict | None:
    """What ``user`` reads of a case's failure (an ``InstanceView`` has it decided already)."""
    if isinstance(instance, InstanceView):
        return instance.error
    error = instance.error
    if error and instance.status != "blocked" and not sees_failures(user, instance):
        return dict(FAULT)
    return error


def _plain_failures(history: list) -> list:
    """The timeline with each engine failure told in a sentence people read, not the exception."""
    shown = []
    for event in history:
        if getattr(event, "kind", None) == "instance_error":
            fields = {name: getattr(event, name, None) for name in (
                "id", "at", "kind", "actor", "actor_id", "human_task_id", "task_name", "changed_keys", "instance_id")}
            event = SimpleNamespace(**{**fields, "detail": dict(FAULT)})
        shown.append(event)
    return shown


def instance_detail(instance_id: int, user: User) -> InstanceView:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    tasks = list(db.session.execute(
        select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)
    ).scalars())
    classes = visibility.case_classes(user, instance, [t.scope_path for t in tasks])
    if "summary" not in classes:
        raise Forbidden(f"{user.username} may not see instance {instance_id}")
    history = visibility.history(audit.for_instance(instance_id), classes, instance.started_by_id)
    if "summary" not in visibility.staff_classes(user, instance, [t.scope_path for t in tasks]):
        tasks = [t for t in tasks if access.can_act(user, t)]  # a reporter: their own steps only
        history = visibility.reporter_history(history, user.id)
    open_views = [task_view(t, with_form=False, classes=classes) for t in tasks if t.state == OPEN]
    data = visibility.case_data(instance.data, classes, store.manifest(instance.version))
    reporter = instance.started_by.name if instance.started_by and "contact" in classes else None
    technical = sees_failures(user, instance)
    error = instance.error
    if not technical:
        history = _plain_failures(history)
        if error and instance.status != "blocked":  # a hold says why in the platform's words; a failure not
            error = dict(FAULT)
    openable = frozenset(t.id for t in tasks if t.state == OPEN and may_open(user, t))
    return InstanceView(instance, open_views, history, list(instance.timers), data, classes, reporter, error,
                        technical, openable)


@dataclass
class DiagramView:
    """What the case page needs to draw the live diagram."""

    instance_id: int
    process_key: str
    version: int
    locality: str | None
    files: list[str]
    completed: list[str]
    active: list[str]
    error: list[str]


def diagram(instance_id: int, user: User) -> DiagramView:
    """The BPMN files of the case's version and which elements are done, active or failed."""
    detail = instance_detail(instance_id, user)  # access check
    instance = detail.instance
    states = store.read_run(instance).element_states()
    version = instance.version
    bpmn = [f.name for f in version.files if f.kind == "bpmn"]
    return DiagramView(instance.id, instance.process_key, version.version, version.locality or None, bpmn,
                       states["completed"], states["active"], states["error"])
