"""Attachment files: uploads stored on disk under ``<instance>/uploads/`` and served back after an
access check.

A file is accepted when its content (not its name or declared type) is a JPEG, PNG or WebP image
or a PDF, and when it is no larger than UPLOAD_MAX_BYTES (10 MB by default). It is stored under a
random name the server chooses; the name the person gave is kept only as a label. The task's
record of it is made in the same unit of work, with the storage key bound to that attachment (one
task, one case): the key is unique, and keys cannot be attached through the API.

Serving: only a file bound at upload is served, with the type its bytes show now (sniffed again,
never a stored or client-given type). ``StoredFile.inline`` is true only for JPEG, PNG and WebP
checked that way; everything else (PDF, anything unrecognised) is a download.
"""

import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import uow
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import CaseFile, HumanTask, ProcessInstance, TaskAttachment, User
from ..org import access, visibility
from ..repository import instances as case_store
from . import actions

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PREFIX = "uploads"
TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}
INLINE = frozenset({"jpg", "png", "webp"})  # raster images a browser shows without running anything
KEY = re.compile(r"^uploads/([0-9a-f]{32})\.(jpg|png|webp|pdf)$")


@dataclass(frozen=True)
class StoredFile:
    attachment: TaskAttachment
    path: Path
    kind: str | None  # what the bytes on disk are now ('png'…), None if unrecognised

    @property
    def content_type(self) -> str:
        return TYPES.get(self.kind or "", "application/octet-stream")

    @property
    def inline(self) -> bool:
        return self.kind in INLINE

    is_image = inline


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def directory() -> Path:
    """Where files are kept: UPLOAD_DIR, by default ``<instance>/uploads``."""
    return Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / PREFIX)


def sniff(head: bytes) -> str | None:
    """The file kind ('jpg', 'png', 'webp', 'pdf') its first bytes show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def display_name(filename: str | None, kind: str) -> str:
    """A harmless label from the client's file name: no folders, no control characters, not hidden."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()[:120]
    return name or f"file.{kind}"


def _size(limit: int) -> str:
    return f"{limit / 1048576:g} MB" if limit >= 1048576 else f"{limit / 1024:g} KB"


def _read_limited(stream, limit: int) -> bytes:
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput("the attachment was refused",
                           {"file": [f"the file is larger than {_size(limit)}"]})
    if not content:
        raise InvalidInput("the attachment was refused", {"file": ["the file is empty"]})
    return content


@dataclass(frozen=True)
class Upload:
    """An uploaded file checked by its bytes, not yet written."""

    content: bytes
    kind: str
    name: str

    @property
    def content_type(self) -> str:
        return TYPES[self.kind]


def accept(stream, filename: str | None, field: str = "file") -> Upload:
    """Read and check one upload: at most UPLOAD_MAX_BYTES, a JPEG, PNG, WebP or PDF by its content
    (``InvalidInput`` naming ``field`` otherwise)."""
    if stream is None:
        raise InvalidInput("the attachment was refused", {field: ["choose a file"]})
    try:
        content = _read_limited(stream, max_bytes())
    except InvalidInput as error:
        raise InvalidInput(error.message, {field: error.errors["file"]}) from error
    kind = sniff(content[:16])
    if kind is None:
        raise InvalidInput("the attachment was refused",
                           {field: ["only JPEG, PNG, WebP images and PDF files are accepted"]})
    return Upload(content, kind, display_name(filename, kind))


def write(upload: Upload) -> str:
    """Write a checked upload under a random key the server chooses; the key."""
    key = f"{PREFIX}/{secrets.token_hex(16)}.{upload.kind}"
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(upload.content)
    os.replace(partial, path)
    return key


def discard(keys: list[str]) -> None:
    """Remove written files whose record was not made (the action failed)."""
    for key in keys:
        _path(key).unlink(missing_ok=True)


def store(task_id: int, actor: User, stream, filename: str | None) -> TaskAttachment:
    """Check, store and record one uploaded file for a task, bound to it (one unit of work)."""
    if stream is None:
        raise InvalidInput("the attachment was refused", {"file": ["choose a file"]})
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    if not (access.can_act(actor, task) or access.leads(actor, task)):
        raise Forbidden(f"{actor.username} may not attach files to task {task_id}")
    upload = accept(stream, filename)
    key = write(upload)
    try:
        return uow.run(lambda work: actions.record_attachment(
            work, task_id, actor, name=upload.name, reference=key, content_type=upload.content_type,
            size=len(upload.content), storage_key=key))
    except Exception:
        discard([key])
        raise


def _path(key: str) -> Path:
    """The file of a storage key; refuses anything that is not exactly a key this module made."""
    match = KEY.match(key or "")
    if not match:
        raise NotFound("no attachment with that key")
    base = directory().resolve()
    path = (base / f"{match.group(1)}.{match.group(2)}").resolve()
    if path.parent != base:
        raise NotFound("no attachment with that key")
    return path


def _served(attachment: TaskAttachment, actor: User, checked: bool = False) -> StoredFile:
    if not checked:
        actions.attachments(attachment.task_id, actor)  # the access check: may the actor see the task?
    if not attachment.storage_key or attachment.storage_key != attachment.reference:
        raise NotFound(f"attachment {attachment.id} is a reference, not a file stored here")
    path = _path(attachment.storage_key)
    if not path.is_file():
        raise NotFound(f"no attachment {attachment.id} on disk")
    with path.open("rb") as stream:
        kind = sniff(stream.read(16))
    return StoredFile(attachment, path, kind if kind == path.suffix[1:] else None)


def open_attachment(attachment_id: int, actor: User) -> StoredFile:
    """An attachment's file, if ``actor`` may see its task."""
    attachment = db.session.get(TaskAttachment, attachment_id)
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id}")
    return _served(attachment, actor)


def open_reference(reference: str, actor: User) -> StoredFile:
    """The file behind a storage key written into case data (a form's photos), if ``actor`` may see it."""
    _path(reference)
    attachment = db.session.execute(
        select(TaskAttachment).where(TaskAttachment.storage_key == reference)
    ).scalar_one_or_none()
    if attachment is None:
        return _case_file(reference, actor)
    return _served(attachment, actor, checked=_in_seen_data(attachment, actor))


def _in_seen_data(attachment: TaskAttachment, actor: User) -> bool:
    """A task's photo that a form wrote into the case's data (处置后照片) is that data: whoever sees
    the field sees the photo (a reporter on the case's status page), though not the task itself."""
    instance = db.session.get(ProcessInstance, attachment.instance_id)
    if instance is None:
        return False
    classes = visibility.case_classes(actor, instance, _task_paths(instance.id))
    seen = visibility.case_data(instance.data, classes, case_store.manifest(instance.version))
    return any(attachment.storage_key == v or (isinstance(v, list) and attachment.storage_key in v)
               for v in seen.values())


def _case_file(reference: str, actor: User) -> StoredFile:
    """A photo sent with the report that started a case: served to those who see the case's content."""
    found = db.session.execute(select(CaseFile).where(CaseFile.storage_key == reference)).scalar_one_or_none()
    if found is None:
        raise NotFound("no attachment with that key")
    instance = db.session.get(ProcessInstance, found.instance_id)
    if "content" not in visibility.case_classes(actor, instance, _task_paths(instance.id)):
        raise Forbidden(f"{actor.username} may not see the files of case {instance.id}")
    path = _path(found.storage_key)
    if not path.is_file():
        raise NotFound("no attachment with that key on disk")
    with path.open("rb") as stream:
        kind = sniff(stream.read(16))
    label = TaskAttachment(name=found.name, reference=found.storage_key, storage_key=found.storage_key,
                           content_type=found.content_type, size=found.size)
    return StoredFile(label, path, kind if kind == path.suffix[1:] else None)


def _task_paths(instance_id: int) -> list[str]:
    return list(db.session.execute(select(HumanTask.scope_path).where(HumanTask.instance_id == instance_id)).scalars())
