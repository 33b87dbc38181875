"""What the person who reported a case hears about it: a milestone (accepted, escalated, closed,
reopened, not accepted) that the model marks on a node (``notify_initiator``) is recorded on the
case's timeline and sent to the reporter through the notification channels (in-app, and any
channel plugged into ``sla.notify``) unless the reporter took that step themselves. The reporter's
unread count is the badge on 通知."""

from sqlalchemy import func, select

from .. import audit
from ..cases.effects import MILESTONE
from ..extensions import db
from ..models import Notification, User
from ..sla import notify

MILESTONES = {
    "accepted": ("您上报的事件已受理，正在处置", "Your report was accepted and is being handled"),
    "escalated": ("您上报的事件已上报上级协调处置", "Your report was passed up for handling"),
    "closed": ("您上报的事件已办结", "Your report was resolved and closed"),
    "reopened": ("您上报的事件已重新办理", "Your report was reopened"),
    "not_accepted": ("您上报的事件未予受理", "Your report was not accepted"),
}


def milestone(work, instance, data: dict, actor) -> None:
    """The ``initiator.milestone`` mechanism: timeline entry plus a notification to the reporter."""
    name = str(data.get("milestone") or "")
    zh, _en = MILESTONES.get(name, ("您上报的事件有新进展", "Your report has news"))
    audit.record("case_milestone", instance=instance, detail={"milestone": name})
    if instance.started_by_id is None or getattr(actor, "id", None) == instance.started_by_id:
        return  # nobody to tell, or the reporter did it themselves (a grid worker filing, self-handling)
    reporter = db.session.get(User, instance.started_by_id)
    if reporter is None:
        return
    title = f"{zh}（#{instance.id}）" if instance.id else zh
    notify.send([reporter], notify.Message(kind=f"case_{name}"[:40], title=title, instance_id=instance.id))


def register(registry) -> None:
    registry.register(MILESTONE, milestone)


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()
