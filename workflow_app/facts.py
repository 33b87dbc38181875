"""Facts the indicators count, recorded in the transaction of the change they describe."""

from . import clock
from .extensions import db
from .models import CaseFact, HumanTask, ProcessInstance
from .org import tree


def record(kind: str, *, task: HumanTask | None = None, instance: ProcessInstance | None = None, actor=None,
           detail: dict | None = None, stage: str | None = None, unit_code: str | None = None) -> CaseFact:
    """Record a fact about ``task`` (at its scope) or ``instance`` (at the case's unit, or at the
    unit ``unit_code`` names: a late report-in is counted against the department)."""
    instance = instance or (task.instance if task is not None else None)
    stage = stage or (task.stage or task.name if task is not None else None)
    named = tree.ref_by_code(unit_code) if isinstance(unit_code, str) else None
    if named is not None:
        unit_id, path = named.id, named.path
    elif task is not None:
        unit_id, path = task.scope_unit_id, task.scope_path
    else:
        unit_id = instance.org_unit_id if instance is not None else None
        path = tree.ref_by_id(unit_id).path if unit_id is not None else None
    fact = CaseFact(at=clock.now(), kind=kind, instance=instance, task=task,
                    process_key=getattr(instance, "process_key", None),
                    stage=stage, unit_id=unit_id, unit_path=path, actor_id=getattr(actor, "id", None), detail=detail)
    db.session.add(fact)
    return fact
