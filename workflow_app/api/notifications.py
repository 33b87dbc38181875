"""In-app notifications."""

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth import current
from ..errors import NotFound
from ..inbox import notices
from ..sla import notify
from .schemas import Timestamp

PREFIX = "/notifications"
blp = Blueprint("notifications", __name__, description="消息 Notifications")


class NotificationSchema(Schema):
    id = fields.Integer()
    at = Timestamp()
    kind = fields.String()
    title = fields.String()
    body = fields.String(allow_none=True)
    task_id = fields.Integer(attribute="human_task_id", allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    read_at = Timestamp(allow_none=True)
    # title and body are the stored Chinese; these are the same notification in English
    title_en = fields.Function(lambda note: notices.shown(note, "en")[0])
    body_en = fields.Function(lambda note: notices.shown(note, "en")[1], allow_none=True)


@blp.get("")
@blp.response(200, NotificationSchema(many=True))
def unread():
    """My unread notifications, newest first."""
    return notify.unread(current.require_user())


class MarkedSchema(Schema):
    marked = fields.Integer()


@blp.post("/read")
@blp.response(200, MarkedSchema)
def mark_all_read():
    """Mark all my unread notifications read (全部已读): how many were unread."""
    return {"marked": notify.mark_all_read(current.require_user())}


@blp.post("/<int:notification_id>/read")
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    note = notify.mark_read(current.require_user(), notification_id)
    if note is None:
        raise NotFound(f"no notification {notification_id}")
    return note
