"""Saved inbox filters (保存的筛选): a person names the inbox query they use often and gets it back
as a chip. Only the inbox's own parameters are kept; at most MAX per person."""

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from .. import clock, uow
from ..errors import Conflict, InvalidInput, NotFound
from ..extensions import db
from ..models import SavedFilter, User

KEYS = ("state", "process", "overdue", "org_unit", "q", "sort")
MAX = 20


def clean_query(pairs) -> str:
    """The inbox parameters of a query (no paging, nothing else), as a query string."""
    kept = [(k, str(v)[:200]) for k, v in pairs if k in KEYS and str(v).strip()]
    return urlencode(kept)


def listing(user: User) -> list[SavedFilter]:
    return list(db.session.execute(
        select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name)).scalars())


def save(user: User, name: str, query: str) -> SavedFilter:
    name = (name or "").strip()[:60]
    if not name:
        raise InvalidInput("the filter needs a name", {"name": ["this field is required"]})
    text = clean_query(parse_qsl(query or ""))

    def action(work):
        mine = listing(user)
        same = next((f for f in mine if f.name == name), None)
        if same is not None:
            same.query = text
            return same
        if len(mine) >= MAX:
            raise Conflict(f"at most {MAX} saved filters")
        saved = SavedFilter(user_id=user.id, name=name, query=text, created_at=clock.now())
        work.add(saved)
        return saved

    return uow.run(action)


def delete(user: User, filter_id: int) -> None:
    def action(work):
        found = db.session.get(SavedFilter, filter_id)
        if found is None or found.user_id != user.id:
            raise NotFound(f"no saved filter {filter_id}")
        db.session.delete(found)

    uow.run(action)
