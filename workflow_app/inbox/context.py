"""What a task page needs beyond the task itself: what this person may do on it, its comments,
attachments and the people it could be delegated to.

The services still enforce every rule; these flags only decide which actions a page offers."""

from dataclasses import dataclass, field

from .. import taskforms
from ..errors import Forbidden
from ..models import HumanTask, TaskAttachment, TaskComment, User
from ..org import access, tree
from ..repository import instances as store
from ..sla import control
from . import actions


@dataclass
class TaskContext:
    task: HumanTask
    may: dict
    comments: list[TaskComment] = field(default_factory=list)
    attachments: list[TaskAttachment] = field(default_factory=list)
    eligible: list[User] = field(default_factory=list)
    choices: dict = field(default_factory=dict)  # for the form's reference fields

    @property
    def images(self) -> list[TaskAttachment]:
        return [a for a in self.attachments if a.shows_inline]


def approves_extensions(task: HumanTask) -> bool:
    """A task of a process that moves clocks (a node with the ``sla.extend`` effect): an extension
    approval, on which asking for an extension would make no sense."""
    nodes = store.manifest(task.instance.version).get("nodes") or {}
    return any((props or {}).get("effect") == "sla.extend" for props in nodes.values())


def permissions(user: User, task: HumanTask) -> dict:
    is_open = task.is_open
    can_act, leads = access.can_act(user, task), access.leads(user, task)
    supervises = control.may_supervise(user, task)
    paused = task.sla_state == control.PAUSED
    claimable = is_open and task.assignee_id is None and access.is_eligible(user, task)
    return {
        "claim": claimable,
        "release": is_open and task.assignee_id is not None and (task.assignee_id == user.id or leads),
        "delegate": is_open and (can_act or leads),
        "complete": is_open and (can_act or claimable),
        "attach": is_open and (can_act or leads),
        "extend": is_open and can_act and task.due_at is not None and not paused and not approves_extensions(task),
        "pause": is_open and supervises and task.due_at is not None and not paused,
        "resume": is_open and supervises and paused,
        "urge": is_open and control.may_urge(user, task),
    }


def task_context(task_id: int, user: User) -> TaskContext:
    task = actions.get_task(task_id)
    if not access.can_see_task(user, task):
        raise Forbidden(f"{user.username} may not see task {task_id}")
    may = permissions(user, task)
    context = TaskContext(task, may, actions.comments(task_id, user), actions.attachments(task_id, user))
    if may["complete"] and task.form:
        document = (store.manifest(task.instance.version).get("forms") or {}).get(task.form)
        context.choices = taskforms.reference_choices(document, tree.ref_by_id(task.instance.org_unit_id), user)
    if may["delegate"]:
        context.eligible = [u for u in actions.eligible_users(task_id, user) if u.id not in (task.assignee_id, user.id)]
    return context
