"""The supervisors' board's open-task counts, read from the tables the ``human_task`` triggers keep
(migration 0017, models/supervision.py) instead of from the tasks: the board reads a few thousand
count rows at a county of a million cases, not its hundred thousand open tasks.

- A count is ``supervision_count`` (as of the last fold) plus ``supervision_delta`` (the ±1 rows
  appended since); ``fold`` moves the deltas into the counts (the scheduler's SLA job).
- Distinct cases: a case with one open task is one case wherever that task counts; only cases
  with several open tasks (``supervision_multitask_case``, few) are read task by task, and each
  counts once per group however many of its tasks are there.
- ``recount`` rebuilds everything from the tasks (``flask supervision-recount``); nothing should
  need it, but it repairs counts whatever happened to them (a trigger dropped by hand…)."""

from collections import Counter, defaultdict

from sqlalchemy import and_, case, delete, func, or_, select, text, union_all
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import HumanTask, OrgUnit, ProcessInstance, SupervisionCount, SupervisionDelta, SupervisionMultitaskCase
from ..models.task import OPEN_SQL
from ..org import tree

KEY = ("scope_path", "scope_unit_id", "case_unit_id", "stage", "process_key", "colour")
SUMMONED_KINDS = ("department", "external")  # units a case's town summons; their tasks count on the town
FOLD_BATCH = 1000  # count rows per upsert (SQLite's limit on bound values)
FOLD_LOCK = 0x5C0C  # pg_try_advisory_xact_lock: one scheduler node folds at a time


def _both():
    """The counts now: folded rows and the deltas since, as one row set."""
    columns = lambda model: [getattr(model, name) for name in (*KEY, "tasks")]  # noqa: E731
    return union_all(select(*columns(SupervisionCount)), select(*columns(SupervisionDelta))).subquery("counted")


def _supervised(rows, unit: OrgUnit):
    """Rows ``unit`` supervises: scoped in its subtree, or a summoned unit's on one of its cases
    (a non-zero case unit: the triggers keep it for summoned units' tasks only)."""
    own_units = select(OrgUnit.id).where(tree.within(OrgUnit.path, unit.path))
    return or_(tree.within(rows.c.scope_path, unit.path),
               and_(rows.c.case_unit_id != 0, rows.c.case_unit_id.in_(own_units)))


def tallies(unit: OrgUnit, colours: tuple[str, ...] | None = None, stage: str | None = None):
    """(child path, stage, process, colour, tasks) over the open tasks ``unit`` supervises; stage
    and colour None where the task has none (child: the scope path cut at the child's depth)."""
    rows = _both()
    child = func.substr(rows.c.scope_path, 1, len(unit.path) + 9)
    query = select(child, rows.c.stage, rows.c.process_key, rows.c.colour, func.sum(rows.c.tasks)).where(
        _supervised(rows, unit))
    if colours is not None:
        query = query.where(rows.c.colour.in_(colours))
    if stage is not None:
        query = query.where(rows.c.stage == stage)
    found = db.session.execute(query.group_by(child, rows.c.stage, rows.c.process_key, rows.c.colour)).all()
    return [(path, stage or None, process, colour or None, int(n)) for path, stage, process, colour, n in found if n]


def total(unit: OrgUnit, colours: tuple[str, ...], stage: str | None = None) -> int:
    return sum(n for *_, n in tallies(unit, colours, stage))


def repeated_cases(unit: OrgUnit, child_length: int) -> dict[str, Counter]:
    """Per breakdown (child, stage, process_key, total) and key, how many tasks more than cases:
    for each case with several open tasks in the group, its tasks there less one."""
    case_unit = aliased(OrgUnit)
    summoned = select(OrgUnit.id).where(OrgUnit.kind.in_(SUMMONED_KINDS))
    rows = db.session.execute(
        select(HumanTask.instance_id, HumanTask.scope_path, HumanTask.stage, HumanTask.process_key)
        .select_from(SupervisionMultitaskCase)
        .join(HumanTask, and_(HumanTask.instance_id == SupervisionMultitaskCase.instance_id,
                              HumanTask.state == OPEN_SQL))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(case_unit, case_unit.id == ProcessInstance.org_unit_id, isouter=True)
        .where(or_(tree.within(HumanTask.scope_path, unit.path),
                   and_(HumanTask.scope_unit_id.in_(summoned), tree.within(case_unit.path, unit.path))))
    ).all()
    per_case: dict[str, Counter] = defaultdict(Counter)
    for instance_id, path, stage, process in rows:
        for by, value in (("child", (path or "")[:child_length]), ("stage", stage), ("process_key", process),
                          ("total", "")):
            per_case[by][(instance_id, value)] += 1
    extra: dict[str, Counter] = defaultdict(Counter)
    for by, counts in per_case.items():
        for (_case, value), n in counts.items():
            extra[by][value] += n - 1
    return extra


def fold() -> int:
    """Move the deltas into the counts (no commit); the number of deltas moved. Another node
    folding at the same moment: this one leaves it to them."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres and not db.session.scalar(select(func.pg_try_advisory_xact_lock(FOLD_LOCK))):
        return 0
    moved = db.session.execute(delete(SupervisionDelta).returning(
        *[getattr(SupervisionDelta, name) for name in KEY], SupervisionDelta.tasks)).all()
    sums: Counter = Counter()
    for *key, n in moved:
        sums[tuple(key)] += n
    changes = [{**dict(zip(KEY, key, strict=True)), "tasks": n} for key, n in sorted(sums.items()) if n]
    insert = _insert()
    for start in range(0, len(changes), FOLD_BATCH):
        statement = insert(SupervisionCount).values(changes[start:start + FOLD_BATCH])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=list(KEY), set_={"tasks": SupervisionCount.tasks + statement.excluded.tasks}))
    if changes:
        db.session.execute(delete(SupervisionCount).where(SupervisionCount.tasks == 0))
    return len(moved)


def _insert():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _case_unit_of():
    """The key's case unit, as the triggers compute it: the case's unit for summoned units' tasks."""
    scope_unit = aliased(OrgUnit)
    summoned = select(scope_unit.id).where(scope_unit.id == HumanTask.scope_unit_id,
                                           scope_unit.kind.in_(SUMMONED_KINDS)).exists()
    case_unit = select(ProcessInstance.org_unit_id).where(ProcessInstance.id == HumanTask.instance_id)
    return case((summoned, func.coalesce(case_unit.scalar_subquery(), 0)), else_=0)


def recount() -> int:
    """Rebuild the counts from the open tasks (no commit); the number of count rows. On
    PostgreSQL, task changes wait while it runs (the delta table is locked)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE supervision_delta IN EXCLUSIVE MODE"))
    for model in (SupervisionDelta, SupervisionCount, SupervisionMultitaskCase):
        db.session.execute(delete(model))
    keys = [func.coalesce(HumanTask.scope_path, ""), func.coalesce(HumanTask.scope_unit_id, 0), _case_unit_of(),
            func.coalesce(HumanTask.stage, ""), HumanTask.process_key, func.coalesce(HumanTask.sla_state, "")]
    open_keys = select(*[value.label(name) for value, name in zip(keys, KEY, strict=True)]).where(
        HumanTask.state == OPEN_SQL).subquery()
    grouped = select(*open_keys.c, func.count()).group_by(*open_keys.c)
    db.session.execute(SupervisionCount.__table__.insert().from_select([*KEY, "tasks"], grouped))
    several = select(HumanTask.instance_id).where(HumanTask.state == OPEN_SQL).group_by(
        HumanTask.instance_id).having(func.count() > 1)
    db.session.execute(SupervisionMultitaskCase.__table__.insert().from_select(["instance_id"], several))
    return db.session.scalar(select(func.count()).select_from(SupervisionCount)) or 0
