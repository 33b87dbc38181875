"""``admission_refused`` facts: every refusal is counted against the pushing department.

A refused task of a running case is recorded in the transaction that blocks the case. A refused
start leaves nothing behind (its transaction rolls back), so its fact is kept aside and written
once that transaction has ended, committed or rolled back, on a connection of its own."""

from dataclasses import asdict, dataclass, field

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from .. import clock, facts, uow
from ..extensions import db
from ..models import CaseFact
from ..org import tree

KIND = "admission_refused"
_STASH = "workflow_app.admission_refusals"


@dataclass
class Refusal:
    """Why work under an item may not reach a unit, and who pushed it."""

    problem: str  # unknown, withdrawn, expired, not_yet, not_for_unit, other_department, missing, undeclared
    item_code: str | None
    process_key: str
    units: list[str] = field(default_factory=list)
    department: str | None = None
    bpmn_id: str | None = None
    message: str = ""

    def detail(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "message"} | {"at_start": self.bpmn_id is None}


def _row(refusal: Refusal, actor) -> dict:
    unit = tree.ref_by_code(refusal.department) if refusal.department else None
    if unit is None and refusal.units:
        unit = tree.ref_by_code(refusal.units[0])
    return {"at": clock.now(), "kind": KIND, "instance_id": None, "human_task_id": None,
            "process_key": refusal.process_key, "stage": None, "unit_id": unit.id if unit else None,
            "unit_path": unit.path if unit else None, "actor_id": getattr(actor, "id", None),
            "detail": {**refusal.detail(), "at_start": True}}


def record_start(refusal: Refusal, actor) -> None:
    """A refused start: written after its transaction ends (or now, outside a unit of work)."""
    row = _row(refusal, actor)
    if uow.current() is None:
        _write([row])
        return
    db.session.info.setdefault(_STASH, []).append(row)


def record_task(refusal: Refusal, instance, actor=None) -> None:
    """A task held in a running case: in the case's own transaction, once per hold."""
    if _recorded_since_blocked(refusal, instance):
        return
    facts.record(KIND, instance=instance, actor=actor, stage=refusal.bpmn_id, detail=refusal.detail(),
                 unit_code=refusal.department or (refusal.units[0] if refusal.units else None))


def _recorded_since_blocked(refusal: Refusal, instance) -> bool:
    """The case is still blocked by this hold (a re-check while it waits counts nothing new)."""
    if instance.id is None or instance.status != "blocked" or not instance.error:
        return False
    since = instance.error.get("at")
    rows = db.session.execute(select(CaseFact.at, CaseFact.detail).where(
        CaseFact.instance_id == instance.id, CaseFact.kind == KIND)).all()
    key = (refusal.bpmn_id, tuple(refusal.units), refusal.item_code)
    return any(since and r.at.isoformat() >= since and
               (r.detail.get("bpmn_id"), tuple(r.detail.get("units") or ()), r.detail.get("item_code")) == key
               for r in rows if r.detail)


def _write(rows: list[dict]) -> None:
    with db.engine.begin() as connection:
        connection.execute(insert(CaseFact.__table__), rows)


def _flush_stash(session, *_args) -> None:
    rows = session.info.pop(_STASH, None)
    if rows:
        _write(rows)


def install() -> None:
    """Write kept-aside refusals when a session's transaction ends (called once by the guard)."""
    for name in ("after_commit", "after_soft_rollback"):
        if not event.contains(Session, name, _flush_stash):
            event.listen(Session, name, _flush_stash)
