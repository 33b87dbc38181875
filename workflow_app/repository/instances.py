"""Loading and keeping the in-memory run of a process instance."""

from flask import current_app

from ..engine import ProcessRun
from ..models import ProcessInstance
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
        run = ProcessRun.restore(loaded_spec(instance), instance.state, functions_for(instance.org_unit), _limit())
    return run


def keep(instance_id: int, revision: int, run: ProcessRun) -> None:
    """Cache a run after its revision was committed."""
    caches().keep_run(instance_id, revision, run)
