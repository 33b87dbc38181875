"""What people do with tasks besides completing them: claim, release, delegate, comment, attach.

Each action checks the actor's right to it, records an audit event and commits. Two people
racing for one task are told apart by the task row's version: one wins, the other gets 409.
"""

import re

from sqlalchemy import select

from .. import audit, clock, transactions
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, TaskAttachment, TaskComment, User
from ..org import access, people


def get_task(task_id: int) -> HumanTask:
    found = db.session.get(HumanTask, task_id)
    if found is None:
        raise NotFound(f"no task {task_id}")
    return found


def _open(task: HumanTask) -> None:
    if not task.is_open:
        raise Conflict(f"task {task.id} is not open (it is {task.state})")


def _visible(task: HumanTask, actor: User) -> None:
    if not access.can_see_task(actor, task):
        raise Forbidden(f"{actor.username} may not see task {task.id}")


def claim(task_id: int, actor: User) -> HumanTask:
    def action():
        task = get_task(task_id)
        if not access.is_eligible(actor, task) and task.assignee_id != actor.id:
            raise Forbidden(f"{actor.username} may not claim task {task_id} ({task.name})")
        _open(task)
        if task.assignee_id == actor.id:
            return task
        if task.assignee_id is not None:
            raise Conflict(f"task {task_id} is already claimed by {task.assignee.username}")
        task.assignee, task.claimed_at = actor, clock.now()
        audit.record("task_claimed", actor=actor, task=task)
        db.session.commit()
        return task

    return transactions.run(action)


def release(task_id: int, actor: User) -> HumanTask:
    def action():
        task = get_task(task_id)
        if task.assignee_id != actor.id and not access.leads(actor, task):
            raise Forbidden(f"only the assignee or their leader may release task {task_id}")
        _open(task)
        if task.assignee_id is None:
            return task
        previous = task.assignee.username
        task.assignee, task.claimed_at = None, None
        audit.record("task_released", actor=actor, task=task, detail={"from": previous})
        db.session.commit()
        return task

    return transactions.run(action)


def delegate(task_id: int, actor: User, username: str, note: str | None = None) -> HumanTask:
    """Hand a task to a named user, who must be eligible for it."""
    def action():
        task = get_task(task_id)
        if not (access.can_act(actor, task) or access.leads(actor, task)):
            raise Forbidden(f"{actor.username} may not delegate task {task_id}")
        _open(task)
        target = people.by_username(username)
        if target is None or not access.is_eligible(target, task):
            raise InvalidInput(f"{username} is not eligible for task {task_id}",
                               {"username": [f"{username} does not hold {task.role} for {_scope_code(task)}"]})
        previous = task.assignee.username if task.assignee else None
        task.assignee, task.claimed_at = target, clock.now()
        audit.record("task_delegated", actor=actor, task=task,
                     detail={"from": previous, "to": target.username, "note": note})
        db.session.commit()
        return task

    return transactions.run(action)


def _scope_code(task: HumanTask) -> str | None:
    return task.scope_unit.code if task.scope_unit else None


def eligible_users(task_id: int, actor: User) -> list[User]:
    """Active users who hold the task's role at its scope unit or above (delegation targets)."""
    task = get_task(task_id)
    _visible(task, actor)
    if task.role is None or task.scope_path is None:
        return [task.instance.started_by] if getattr(task.instance, "started_by", None) else []
    return people.holders(task.role, task.scope_path)


def add_comment(task_id: int, actor: User, text: str) -> TaskComment:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("a comment needs text", {"text": ["must not be empty"]})
    task = get_task(task_id)
    _visible(task, actor)
    note = TaskComment(task_id=task.id, instance_id=task.instance_id, author_id=actor.id, at=clock.now(),
                       text=text[:5000])
    db.session.add(note)
    audit.record("task_commented", actor=actor, task=task, detail={"text": text[:200]})
    db.session.commit()
    return note


def comments(task_id: int, actor: User) -> list[TaskComment]:
    task = get_task(task_id)
    _visible(task, actor)
    return list(db.session.execute(
        select(TaskComment).where(TaskComment.task_id == task_id).order_by(TaskComment.id)
    ).scalars())


_REFERENCE = re.compile(r"^(https?://[^\s]+|[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-][A-Za-z0-9_.\-]*)*)$")


def _check_reference(name: str, reference: str) -> dict:
    errors = {}
    if not name or "/" in name or "\\" in name or name.startswith("."):
        errors["name"] = ["a plain file name, without folders"]
    if not reference or ".." in reference or not _REFERENCE.match(reference):
        errors["reference"] = ["an http(s) URL or a storage key (letters, digits, '-', '_', '.', '/')"]
    return errors


def attach(task_id: int, actor: User, *, name: str, reference: str, content_type: str | None = None,
           size: int | None = None) -> TaskAttachment:
    errors = _check_reference(name, reference)
    if errors:
        raise InvalidInput("the attachment was refused", errors)
    task = get_task(task_id)
    if not (access.can_act(actor, task) or access.leads(actor, task)):
        raise Forbidden(f"{actor.username} may not attach files to task {task_id}")
    item = TaskAttachment(task_id=task.id, instance_id=task.instance_id, name=name, reference=reference,
                          content_type=content_type, size=size, uploaded_by_id=actor.id, at=clock.now())
    db.session.add(item)
    audit.record("task_attachment_added", actor=actor, task=task, detail={"name": name, "reference": reference})
    db.session.commit()
    return item


def attachments(task_id: int, actor: User) -> list[TaskAttachment]:
    task = get_task(task_id)
    _visible(task, actor)
    return list(db.session.execute(
        select(TaskAttachment).where(TaskAttachment.task_id == task_id).order_by(TaskAttachment.id)
    ).scalars())


