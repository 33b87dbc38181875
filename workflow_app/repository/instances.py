"""Loading and keeping the in-memory run of a process instance."""

from flask import current_app, has_app_context
from sqlalchemy import event

from ..engine import ProcessRun
from ..extensions import db
from ..models import ProcessInstance
from ..org import tree
from ..scripting import functions_for
from .caches import caches


def _limit() -> int:
    return current_app.config.get("SCRIPT_STEP_LIMIT", 1_000_000)


def loaded_spec(instance: ProcessInstance):
    return caches().spec(instance.version)


def manifest(version) -> dict:
    """A version's manifest from the spec cache (the column is deferred: not read per request)."""
    return caches().spec(version).manifest


def new_run(version, unit, data: dict) -> ProcessRun:
    return ProcessRun.start(caches().spec(version), data, functions_for(unit), _limit())


def load_run(instance: ProcessInstance) -> ProcessRun:
    """The instance's run at its current revision: from the cache, else restored from the row."""
    run = caches().take_run(instance.id, instance.revision)
    if run is None:
        unit = tree.ref_by_id(instance.org_unit_id)
        run = ProcessRun.restore(loaded_spec(instance), instance.state, functions_for(unit), _limit())
    return run


def keep(instance_id: int, revision: int, run: ProcessRun) -> None:
    """Cache a run after its revision was committed."""
    caches().keep_run(instance_id, revision, run)


_AFTER_COMMIT = "workflow_app.keep_runs"


def keep_after_commit(instance: ProcessInstance, run: ProcessRun) -> None:
    """Cache ``run`` once the current transaction commits (never for a revision that did not)."""
    db.session.flush()
    db.session.info.setdefault(_AFTER_COMMIT, []).append((instance.id, instance.revision, run))


def _kept(session) -> None:
    pending = session.info.pop(_AFTER_COMMIT, None)
    if pending and has_app_context():
        for instance_id, revision, run in pending:
            keep(instance_id, revision, run)


def _dropped(session, *_args) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def install(session_class) -> None:
    if not event.contains(session_class, "after_commit", _kept):
        event.listen(session_class, "after_commit", _kept)
        event.listen(session_class, "after_soft_rollback", _dropped)
