"""Notifications through pluggable channels. ``in_app`` stores them for the inbox bell; other
channels (SMS, WeChat work, e-mail) register a sender with ``register`` and are switched on with
NOTIFICATION_CHANNELS (a comma-separated list; default "in_app")."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from .. import clock, uow
from ..extensions import db
from ..models import HumanTask, Notification, User
from ..org import people, roles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str | None = None
    task: HumanTask | None = None
    instance_id: int | None = None  # the case it is about, when no task is
    params: dict | None = None  # message id and arguments (``sla.wording.params``): read in each reader's language


def _in_app(users: list[User], message: Message) -> None:
    now = clock.now()
    for user in users:
        db.session.add(Notification(
            user_id=user.id, at=now, kind=message.kind, title=message.title[:300], body=message.body,
            human_task_id=getattr(message.task, "id", None),
            instance_id=getattr(message.task, "instance_id", None) or message.instance_id, params=message.params))


def _log(users: list[User], message: Message) -> None:
    log.info("notify %s: %s (%s)", ",".join(u.username for u in users), message.title, message.kind)


CHANNELS: dict[str, Callable[[list[User], Message], None]] = {"in_app": _in_app, "log": _log}


def register(name: str, sender: Callable[[list[User], Message], None]) -> None:
    CHANNELS[name] = sender


def send(users: list[User], message: Message) -> None:
    users = [u for u in {u.id: u for u in users}.values() if u.active]
    if not users:
        return
    wanted = current_app.config.get("NOTIFICATION_CHANNELS", "in_app")
    for name in [c.strip() for c in wanted.split(",") if c.strip()]:
        sender = CHANNELS.get(name)
        if sender is None:
            log.warning("notification channel %r is not registered", name)
            continue
        sender(users, message)


def leaders_of(task: HumanTask) -> list[User]:
    """Who leads the people doing ``task``: its role's leader role, held at its scope or above."""
    ref = roles.role_index().get((task.role or "").lower())
    return people.holders(ref.leader_role if ref else None, task.scope_path)


def workers_of(task: HumanTask) -> list[User]:
    """Who is doing ``task``: its assignee, or everyone eligible while it is unclaimed."""
    if task.assignee is not None:
        return [task.assignee]
    return people.holders(task.role, task.scope_path)


def unread(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.execute(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(limit)
    ).scalars())


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read (全部已读); returns how many were unread."""
    def action(work):
        result = db.session.execute(
            update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=clock.now()))
        return result.rowcount or 0

    return uow.run(action)


def mark_read(user: User, notification_id: int) -> Notification | None:
    def action(work):
        note = db.session.get(Notification, notification_id)
        if note is None or note.user_id != user.id:
            return None
        if note.read_at is None:
            note.read_at = clock.now()
        return note

    return uow.run(action)
