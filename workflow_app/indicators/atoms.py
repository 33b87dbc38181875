"""Atom keys: what the rollups count, as text.

- ``f|kind|stage|role|verdict``: facts of a kind (a task's stage and role, a rating's verdict);
- ``f1|kind|stage|role|verdict``: the first fact of that kind in a case (distinct counts);
- ``c|measure``: the case ledger's flows (filed, due, closed, closed_on_time, closed_late);
- stocks, summed from daily deltas: ``c|open``, ``c|overdue`` (cases), ``t|overdue|stage|role`` (tasks).
"""

from dataclasses import dataclass
from functools import lru_cache

CASE_FLOWS = ("filed", "due", "closed", "closed_on_time", "closed_late")
CASE_STOCKS = {"open": "c|open", "overdue_open": "c|overdue"}
MAX_PART = 40


def _part(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "/").strip()[:MAX_PART]


@lru_cache(maxsize=4096)
def fact(kind: str, stage=None, role=None, verdict=None, first: bool = False) -> str:
    return "|".join(("f1" if first else "f", _part(kind), _part(stage), _part(role), _part(verdict)))


def case(measure: str) -> str:
    return f"c|{measure}"


def task_overdue(stage=None, role=None) -> str:
    return "|".join(("t", "overdue", _part(stage), _part(role)))


@dataclass(frozen=True)
class Atom:
    source: str  # f, f1, c, t
    kind: str
    stage: str = ""
    role: str = ""
    verdict: str = ""

    @classmethod
    def parse(cls, key: str) -> "Atom":
        parts = key.split("|")
        if parts[0] in ("f", "f1"):
            parts += [""] * (5 - len(parts))
            return cls(parts[0], parts[1], parts[2], parts[3], parts[4])
        if parts[0] == "t":
            parts += [""] * (4 - len(parts))
            return cls("t", parts[1], parts[2], parts[3])
        return cls(parts[0], parts[1] if len(parts) > 1 else "")
