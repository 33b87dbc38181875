"""Queries on drafts (the drafts service's repository)."""

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import ProcessDraft


def get(draft_id: int) -> ProcessDraft:
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound(f"no draft {draft_id}")
    return draft


def open_drafts(key: str | None = None) -> list[ProcessDraft]:
    query = select(ProcessDraft).where(ProcessDraft.status == "draft")
    if key is not None:
        query = query.where(ProcessDraft.key == key)
    return list(db.session.execute(query.order_by(ProcessDraft.updated_at.desc())).scalars())
