"""Functions that BPMN scripts, conditions and timer expressions may call.

Python supplies mechanisms here; the models decide when to use them. Each instance gets the
functions bound to its own org unit (so a locality's calendar applies once calendars land).
"""

from . import clock


def _now_iso() -> str:
    return clock.now().isoformat()


def functions_for(unit) -> dict:
    """The script functions for a case in ``unit``."""
    return {
        "now": _now_iso,
    }


def reserved_names() -> set[str]:
    from .engine import RESERVED_NAMES

    return set(RESERVED_NAMES) | set(functions_for(None))
