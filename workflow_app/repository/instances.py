"""The instance store: engine actions on cases, and the runs kept to read them.

Actions go to the engine (``engine.isolation.Engine``: worker processes by default), which
returns an ``Outcome``; after the commit the engine is told which worker holds the run of the new
revision, so the next action on the case sends a token instead of the stored state. Reads (a
case's diagram, a task's form values) restore a run here, in-process: restoring runs no
designer-authored code. The process version of a case is read once per node (versions never
change): ``spec``/``manifest`` take the case's ``version_id``, not its relationship.
"""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import undefer

from .. import clock
from ..engine import LoadedSpec, Outcome, ProcessRun
from ..engine.isolation import Engine, Request
from ..extensions import db
from ..models import ProcessInstance, ProcessVersion
from .caches import caches


def engine() -> Engine:
    return current_app.extensions["workflow_app.engine"]


def _version_row(version_id: int):
    def load():
        return db.session.execute(
            select(ProcessVersion).options(undefer(ProcessVersion.spec_json), undefer(ProcessVersion.manifest))
            .where(ProcessVersion.id == version_id)
        ).scalar_one()

    return load


def spec(target) -> LoadedSpec:
    """The loaded spec of a version, or of a case's version (by id: no query when cached)."""
    version_id = target.version_id if isinstance(target, ProcessInstance) else target.id
    return caches().spec_by_id(version_id, _version_row(version_id))


def manifest(target) -> dict:
    """A version's manifest (of a ProcessVersion, or of a case's version) from the spec cache."""
    return spec(target).manifest


def version_name(instance: ProcessInstance) -> str:
    return manifest(instance).get("name") or instance.process_key


def _state_of(instance: ProcessInstance):
    return lambda: instance.state


def perform(instance: ProcessInstance, kind: str, args: dict, functions: dict,
            now=None) -> tuple[Outcome, int | None]:
    """Run one engine action on a stored case at ``now`` (default: the clock's); no writes."""
    request = Request(spec(instance), kind, args, instance.id, instance.revision, _state_of(instance),
                      now or clock.now())
    return engine().perform(request, functions)


def start(version: ProcessVersion, data: dict, functions: dict, scheduled_at: str | None = None,
          message: dict | None = None):
    """Run a new case to its first wait (``message``: deliver it to the message start event)."""
    args = {"data": data, **({"scheduled_at": scheduled_at} if scheduled_at else {}),
            **({"message": message} if message else {})}
    return engine().perform(Request(spec(version), "start", args, now=clock.now()), functions)


def remember(work, instance: ProcessInstance, outcome: Outcome, worker: int | None) -> None:
    """Once ``work`` commits, let the engine keep the run of the case's new revision."""
    work.after_commit(lambda: engine().remember(instance.id, instance.revision, outcome, worker))


def read_run(instance: ProcessInstance) -> ProcessRun:
    """The case's run at its current revision, for reading (cached per revision)."""
    run = caches().take_run(instance.id, instance.revision)
    if run is None:
        run = ProcessRun.restore(spec(instance), instance.state)
    caches().keep_run(instance.id, instance.revision, run)
    return run
