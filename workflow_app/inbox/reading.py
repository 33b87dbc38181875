"""Notifications read by going where they point: opening a case is reading what one was told about it."""

from sqlalchemy import update

from .. import clock, uow
from ..models import Notification, User


def case_opened(user: User, instance_id: int) -> int:
    """Mark ``user``'s unread notifications about case ``instance_id`` read (they are looking at
    it); returns how many were unread. Call it after the access check that let them in."""

    def action(work) -> int:
        result = work.session.execute(
            update(Notification).where(Notification.user_id == user.id, Notification.instance_id == instance_id,
                                       Notification.read_at.is_(None)).values(read_at=clock.now()))
        return result.rowcount or 0

    return uow.run(action)
