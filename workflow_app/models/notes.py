"""What people add to a task besides its form: comments and file references."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db


class TaskComment(db.Model):
    __tablename__ = "task_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)

    author = relationship("User", lazy="joined")


class TaskAttachment(db.Model):
    """A file attached to a task: a reference (storage key or URL), never a path on the server.

    ``storage_key`` is set only for a file uploaded to this server, when it is uploaded: it binds the
    stored file to this one task and case (unique: no other attachment can point at the same file)."""

    __tablename__ = "task_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    reference: Mapped[str] = mapped_column(String(1000))
    content_type: Mapped[str | None] = mapped_column(String(100))  # sniffed by the server; None for references
    storage_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    size: Mapped[int | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    uploaded_by = relationship("User", lazy="joined")

    @property
    def shows_inline(self) -> bool:
        """A raster image stored here (its type sniffed at upload): pages may show it as a picture."""
        return self.storage_key is not None and self.content_type in ("image/jpeg", "image/png", "image/webp")
