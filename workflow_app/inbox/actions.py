"""What people do with tasks besides completing them: claim, release, delegate, comment, attach.

Each action checks the actor's right to it and records an audit event, as one unit of work
(``uow.run``). Two people racing for one task are told apart by the task row's version: one wins,
the other gets 409.

Attachments made here are references (an http(s) URL or an external storage key). Files stored on
this server are attached only by their upload (``files.store``), which binds the file to its task
and case; their keys cannot be attached anywhere else.
"""

import re

from sqlalchemy import select

from .. import audit, clock, uow
from ..errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import HumanTask, TaskAttachment, TaskComment, User
from ..org import access, people, visibility

SERVER_KEY_PREFIX = "uploads/"  # keys of files stored here: issued by the upload, never given by a client


def get_task(task_id: int) -> HumanTask:
    found = db.session.get(HumanTask, task_id)
    if found is None:
        raise NotFound(f"no task {task_id}")
    return found


def _open(task: HumanTask) -> None:
    if not task.is_open:
        raise Conflict(f"task {task.id} is not open (it is {task.state})")


def _visible(task: HumanTask, actor: User) -> None:
    """Comments, attachments and delegation targets are the case's ``content``: for those who act on
    the task or lead them, and for those the visibility policy shows a case's content."""
    if "content" not in access.task_classes(actor, task):
        raise Forbidden(f"{actor.username} may not see task {task.id}")


def claim(task_id: int, actor: User) -> HumanTask:
    return uow.run(lambda work: _claim(task_id, actor))


def _claim(task_id: int, actor: User) -> HumanTask:
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
    return task


def release(task_id: int, actor: User) -> HumanTask:
    return uow.run(lambda work: _release(task_id, actor))


def _release(task_id: int, actor: User) -> HumanTask:
    task = get_task(task_id)
    if task.assignee_id != actor.id and not access.leads(actor, task):
        raise Forbidden(f"only the assignee or their leader may release task {task_id}")
    _open(task)
    if task.assignee_id is None:
        return task
    previous = task.assignee.username
    task.assignee, task.claimed_at = None, None
    audit.record("task_released", actor=actor, task=task, detail={"from": previous})
    return task


def delegate(task_id: int, actor: User, username: str, note: str | None = None) -> HumanTask:
    """Hand a task to a named user, who must be eligible for it."""
    return uow.run(lambda work: _delegate(task_id, actor, username, note))


def _delegate(task_id: int, actor: User, username: str, note: str | None) -> HumanTask:
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
    return task


def _scope_code(task: HumanTask) -> str | None:
    return task.scope_unit.code if task.scope_unit else None


def eligible_users(task_id: int, actor: User) -> list[User]:
    """Active users who hold the task's role at its scope unit or above (delegation targets).

    People's phone numbers are shown only to whom the case's contact details are visible."""
    task = get_task(task_id)
    _visible(task, actor)
    if task.role is None or task.scope_path is None:
        found = [task.instance.started_by] if getattr(task.instance, "started_by", None) else []
    else:
        found = people.holders(task.role, task.scope_path)
    if "contact" not in access.task_classes(actor, task):
        return [visibility.without_phone(u) for u in found]
    return found


def add_comment(task_id: int, actor: User, text: str) -> TaskComment:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("a comment needs text", {"text": ["must not be empty"]})
    return uow.run(lambda work: _add_comment(work, task_id, actor, text[:5000]))


def _add_comment(work, task_id: int, actor: User, text: str) -> TaskComment:
    task = get_task(task_id)
    _visible(task, actor)
    note = TaskComment(task_id=task.id, instance_id=task.instance_id, author_id=actor.id, at=clock.now(), text=text)
    work.add(note)
    audit.record("task_commented", actor=actor, task=task, detail={"text": text[:200]})
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
    elif reference.lower().startswith(SERVER_KEY_PREFIX):
        errors["reference"] = ["files stored on this server are attached by uploading them, not by their key"]
    return errors


def attach(task_id: int, actor: User, *, name: str, reference: str, content_type: str | None = None,
           size: int | None = None) -> TaskAttachment:
    """Attach a reference (a URL or an external storage key) to a task. The server does not serve
    references, so it records no content type for them (``content_type`` is ignored)."""
    errors = _check_reference(name, reference)
    if errors:
        raise InvalidInput("the attachment was refused", errors)
    return uow.run(lambda work: record_attachment(work, task_id, actor, name=name, reference=reference, size=size))


def record_attachment(work, task_id: int, actor: User, *, name: str, reference: str, size: int | None = None,
                      content_type: str | None = None, storage_key: str | None = None) -> TaskAttachment:
    """The attachment row (inside ``work``); ``storage_key`` and ``content_type`` only from an upload."""
    task = get_task(task_id)
    if not (access.can_act(actor, task) or access.leads(actor, task)):
        raise Forbidden(f"{actor.username} may not attach files to task {task_id}")
    item = TaskAttachment(task_id=task.id, instance_id=task.instance_id, name=name, reference=reference,
                          content_type=content_type, size=size, storage_key=storage_key, uploaded_by_id=actor.id,
                          at=clock.now())
    work.add(item)
    audit.record("task_attachment_added", actor=actor, task=task, detail={"name": name, "reference": reference})
    return item


def attachments(task_id: int, actor: User) -> list[TaskAttachment]:
    task = get_task(task_id)
    _visible(task, actor)
    return list(db.session.execute(
        select(TaskAttachment).where(TaskAttachment.task_id == task_id).order_by(TaskAttachment.id)
    ).scalars())


def claim_many(task_ids: list[int], actor: User) -> tuple[list[HumanTask], dict[int, str]]:
    """Bulk claim (批量认领): each task claimed on its own (one unit of work each, as one by one would
    be); the ones that could not be claimed, with why."""
    claimed, refused = [], {}
    for task_id in dict.fromkeys(task_ids[:100]):
        try:
            claimed.append(claim(task_id, actor))
        except DomainError as error:
            refused[task_id] = error.message
    return claimed, refused
