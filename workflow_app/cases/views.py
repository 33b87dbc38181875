"""Read models of cases and tasks, shaped for the API and the web pages."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload, undefer

from .. import audit, taskforms
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..inbox.queries import eligible_clause
from ..models import HumanTask, ProcessInstance, User
from ..models.task import OPEN
from ..org import access
from ..repository import instances as store


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


def task_view(task: HumanTask, data: dict | None = None, with_form: bool = True) -> TaskView:
    form = None
    if with_form and task.form:
        manifest = store.manifest(task.instance.version)
        document = (manifest.get("forms") or {}).get(task.form)
        form = taskforms.present(task.form, document, data if data is not None else task.instance.data)
    return TaskView(
        id=task.id, name=task.name, lane=task.lane, role=task.role,
        org_unit=task.scope_unit.code if task.scope_unit else None,
        org_unit_name=task.scope_unit.name_zh if task.scope_unit else None, instance_id=task.instance_id,
        process_key=task.process_key, bpmn_id=task.bpmn_id, title=task.title, state=task.state,
        assignee=task.assignee.username if task.assignee else None, created_at=task.created_at,
        due_at=task.due_at, sla_state=task.sla_state, form=form,
    )


# What a task listing shows, loaded in a fixed number of queries whatever the page size.
LISTING = (
    joinedload(HumanTask.scope_unit),
    joinedload(HumanTask.assignee),
    selectinload(HumanTask.instance).options(undefer(ProcessInstance.data), joinedload(ProcessInstance.version)),
)


def open_tasks(user: User, instance_id: int | None = None, process_key: str | None = None) -> list[TaskView]:
    query = select(HumanTask).options(*LISTING).where(HumanTask.state == OPEN, eligible_clause(user))
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
    if not (access.can_act(user, task) or access.can_view_instance(user, task.instance, [task.scope_path])):
        raise Forbidden(f"{user.username} may not see task {task_id}")
    data = None
    if task.is_open and task.form:
        run = store.load_run(task.instance)
        data = dict(run.task_data(task.engine_task_id))
        store.keep(task.instance.id, task.instance.revision, run)
    return task_view(task, data)


@dataclass
class InstanceView:
    instance: ProcessInstance
    tasks: list[TaskView]
    history: list
    timers: list

    def __getattr__(self, name):
        return getattr(self.instance, name)


def instance_detail(instance_id: int, user: User) -> InstanceView:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    tasks = list(db.session.execute(
        select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)
    ).scalars())
    if not access.can_view_instance(user, instance, [t.scope_path for t in tasks]):
        raise Forbidden(f"{user.username} may not see instance {instance_id}")
    open_views = [task_view(t, with_form=False) for t in tasks if t.state == OPEN]
    return InstanceView(instance, open_views, audit.for_instance(instance_id), list(instance.timers))


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
    run = store.load_run(instance)
    states = run.element_states()
    store.keep(instance.id, instance.revision, run)
    version = instance.version
    bpmn = [f.name for f in version.files if f.kind == "bpmn"]
    return DiagramView(instance.id, instance.process_key, version.version, version.locality or None, bpmn,
                       states["completed"], states["active"], states["error"])
