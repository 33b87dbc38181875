"""Demo history: months of event cases run through the real case service, so the indicator
pages show real trends (``flask --app workflow_app demo --history 12``).

Every working day of every month, grid workers and residents report events in random grids;
each case is then worked by the users whose tasks it reaches, in time order across all cases,
with the clock moved to each moment (time-machine moves the platform's and the engine's clocks
together) and the scheduler ticking as time passes, so escalations, late report-ins and overdue
clocks happen as they would. How promptly each town works, how often verification fails and how
residents judge the result vary by town and drift month by month (one town improving, one
slipping). Ended months are frozen as the scheduler would freeze them."""

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import time_machine
from sqlalchemy import delete, func, select

from .. import clock, uow
from ..cases import service
from ..errors import DomainError
from ..extensions import db
from ..models import HumanTask, OrgUnit, ProcessInstance
from ..models.task import OPEN
from ..org import people
from ..sla import control, extension
from ..timers import scheduler
from . import closing, freezing, periods, stream, versions
from .tables import Adjustment, Period, Snapshot

PROCESS = "event_handling"
# (condition code, weight, what people say): minor ones the grid handles, general ones the community,
# serious ones the town
CODES = (("E0101-01", 22, ("路边有零星垃圾", "巷口烟头纸屑较多", "绿化带里有塑料袋")),
         ("B0301-02", 8, ("垃圾桶倒地", "分类垃圾桶被推到路中间")),
         ("E0102-01", 6, ("楼道口堆放杂物", "单元门口堆着旧家具")),
         ("B0301-01", 18, ("小区门口垃圾桶满溢", "菜场旁垃圾桶两天没清运")),
         ("B0102-03", 10, ("路灯晚上不亮", "一盏路灯忽明忽暗")),
         ("E0101-02", 8, ("空地上堆积生活垃圾", "河边有成堆垃圾")),
         ("E0302-01", 5, ("渣土车沿路撒漏", "路面有工程车掉落的泥土")),
         ("E0304-01", 5, ("工地扬尘很大", "工地裸土没有覆盖")),
         ("B0202-01", 5, ("人行道砖松动", "盲道砖破损")),
         ("B0201-01", 6, ("路面出现坑槽", "路口坑洼积水")),
         ("B0102-02", 4, ("一整段路灯不亮", "整条巷子路灯全灭")),
         ("E0301-02", 2, ("有人违规搭建棚子", "楼顶在加盖房间")),
         ("E0403-02", 1, ("下穿通道积水", "路段积水过膝")))
TICK_EVERY = timedelta(minutes=30)
# One exemplary grid whose worker reports a lot, handles the small things at once and whose
# residents are pleased: the demo's honours then have someone who genuinely meets the thresholds.
MODEL_GRID, MODEL_CODES = "dc-dm-01", ("E0101-01", "B0301-02")
DEPARTMENTS_FALLBACK = ["dept-cg"]


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    case_id: int = field(compare=False)


@dataclass
class Habits:
    """How the people of one case's town work this month."""

    prompt: float  # chance a task is done in time
    rework: float  # chance a verification fails
    unhappy: float  # chance a resident is not satisfied
    grid: str
    community: str
    town: str
    reworked: bool = False
    exemplary: bool = False


@dataclass
class Summary:
    cases: int = 0
    steps: int = 0
    ticks: int = 0
    skipped: int = 0
    frozen: int = 0
    reopened: int = 0

    def __str__(self) -> str:
        again = f" ({self.reopened} frozen before the history was made, reopened first)" if self.reopened else ""
        return (f"history: {self.cases} cases, {self.steps} task completions, {self.ticks} scheduler ticks, "
                f"{self.frozen} months frozen{again}")


class Simulation:
    def __init__(self, app, months: int, per_day: tuple[int, int], seed: int):
        self.app, self.months, self.per_day = app, months, per_day
        self.random = random.Random(seed)
        self.queue: list[Step] = []
        self.habits: dict[int, Habits] = {}
        self.summary = Summary()
        self.seq = 0
        self.last_tick: datetime | None = None
        self.grids = list(db.session.execute(
            select(OrgUnit).where(OrgUnit.level == "grid", OrgUnit.kind == "area").order_by(OrgUnit.path)).scalars())
        self.towns = sorted({g.path.strip("/").split("/")[1] for g in self.grids})

    # --- how well each town works, month by month -------------------------------------------

    def _habits(self, grid: OrgUnit, month_index: int) -> Habits:
        town_index = self.towns.index(grid.path.strip("/").split("/")[1])
        progress = month_index / max(self.months - 1, 1)
        drift = (0.25 * progress, -0.2 * progress, 0.0)[town_index % 3]
        prompt = min(0.97, max(0.35, 0.72 + drift + self.random.uniform(-0.05, 0.05)))
        community = grid.parent
        if grid.code == MODEL_GRID:
            return Habits(prompt=0.995, rework=0.0, unhappy=0.0, grid=grid.code, community=community.code,
                          town=community.parent.code, exemplary=True)
        return Habits(prompt=prompt, rework=0.12 - drift / 3, unhappy=max(0.03, 0.15 - drift / 2),
                      grid=grid.code, community=community.code, town=community.parent.code)

    # --- the queue ---------------------------------------------------------------------------

    def _push(self, at: datetime, case_id: int) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Step(at, self.seq, case_id))

    def _open_tasks(self, case_id: int) -> list[HumanTask]:
        query = select(HumanTask).where(HumanTask.instance_id == case_id, HumanTask.state == OPEN)
        return list(db.session.execute(query.order_by(HumanTask.id)).scalars())

    def _next_time(self, now: datetime, habits: Habits, tasks: list[HumanTask]) -> datetime:
        due = min((t.due_at for t in tasks if t.due_at is not None), default=None)
        if habits.exemplary:  # the exemplary grid closes its small cases within the condition's hours
            return _working(now + timedelta(minutes=self.random.randint(5, 20)), self.random)
        if due is None or due <= now:
            return _working(now + timedelta(minutes=self.random.randint(20, 240)), self.random)
        if self.random.random() < habits.prompt:
            wanted = now + max(timedelta(minutes=5), (due - now) * self.random.uniform(0.1, 0.7))
            working = _working(wanted, self.random)
            return working if working < due else wanted
        return _working(due + timedelta(minutes=self.random.randint(30, 600)), self.random)

    def _tick(self, moment: datetime) -> None:
        if self.last_tick is not None and moment - self.last_tick < TICK_EVERY:
            return
        with time_machine.travel(moment, tick=False):
            scheduler.tick(self.app, plan=False)
        self.last_tick = moment
        self.summary.ticks += 1

    # --- one day -----------------------------------------------------------------------------

    def _report(self, at: datetime, month_index: int, grid: OrgUnit | None = None) -> None:
        model = grid is not None  # the exemplary grid: small things, its worker handles most itself
        grid = grid or self.random.choice(self.grids)
        habits = self._habits(grid, month_index)
        codes = [c for c in CODES if c[0] in MODEL_CODES] if model else CODES
        code, _weight, sayings = self.random.choices(codes, weights=[w for _, w, _s in codes])[0]
        resident = self.random.random() < (0.35 if model else 0.3)
        user = f"resident-{habits.community}" if resident else f"worker-{grid.code}"
        body = {"condition_code": code, "address": f"{grid.parent.name_zh}{self.random.randint(1, 120)}号附近",
                "description": self.random.choice(sayings)}
        if resident:
            body["contact_phone"] = f"139{self.random.randint(10_000_000, 99_999_999)}"
        try:
            with time_machine.travel(at, tick=False):
                instance = service.start(PROCESS, grid.code, body, people.get(user))
        except DomainError:
            db.session.rollback()
            self.summary.skipped += 1
            return
        self.summary.cases += 1
        self.habits[instance.id] = habits
        self._push(at + timedelta(minutes=self.random.randint(5, 10 if model else 60)), instance.id)

    def _suspend_or_extend(self, at: datetime, task: HumanTask, habits: Habits) -> None:
        """挂账 a while (waiting for parts), or 延期 by a working day with the head's approval."""
        head, staff = people.get(f"head-{habits.community}"), people.get(f"staff-{habits.community}")
        if self.random.random() < 0.5:
            if _control(at, lambda: control.pause(task.id, head, "等待配件或天气好转")):
                _control(at + timedelta(hours=2), lambda: control.resume(task.id, head))
            return
        asked: list = []
        if _control(at, lambda: asked.append(extension.request(task.id, staff, 1, "work_days", "需协调相关单位"))):
            approval = db.session.execute(select(HumanTask).where(
                HumanTask.instance_id == asked[0].id, HumanTask.state == OPEN)).scalars().first()
            if approval is not None:
                _control(at + timedelta(minutes=30), lambda: service.complete(
                    approval.id, {"approved": True, "approval_note": "同意延期"}, head))

    def day(self, day: date, month_index: int, last_month: bool) -> None:
        if day.weekday() < 5:
            for _ in range(self.random.randint(*self.per_day)):
                minute = self.random.randint(8 * 60 + 30, 17 * 60 + 30)
                self._report(_at(day, minute), month_index)
            for grid in [g for g in self.grids if g.code == MODEL_GRID] * self.random.randint(1, 3):
                self._report(_at(day, self.random.randint(8 * 60 + 30, 16 * 60)), month_index, grid)
        end = _at(day + timedelta(days=1), 8 * 60)
        while self.queue and self.queue[0].at < end:
            step = heapq.heappop(self.queue)
            self._tick(step.at)
            exemplary = getattr(self.habits.get(step.case_id), "exemplary", False)
            if last_month and not exemplary and self.random.random() < 0.02:
                continue  # a few cases are left where they are: open, some of them overdue
            self._advance(step)
        self._tick(_at(day, 18 * 60))

    def _advance(self, step: Step) -> None:
        habits = self.habits.get(step.case_id)
        tasks = self._open_tasks(step.case_id)
        if habits is None or not tasks:
            return
        for task in tasks:
            if task.name == "社区处置" and self.random.random() < 0.06:
                self._suspend_or_extend(step.at, task, habits)
            decided = decide(task, habits, self.random)
            if decided is None:
                continue
            username, data = decided
            try:
                with time_machine.travel(step.at, tick=False):
                    service.complete(task.id, data, people.get(username))
                self.summary.steps += 1
            except DomainError:
                db.session.rollback()
                self.summary.skipped += 1
        remaining = self._open_tasks(step.case_id)
        if remaining:
            self._push(self._next_time(step.at, habits, remaining), step.case_id)


def _control(at: datetime, action) -> bool:
    try:
        with time_machine.travel(at, tick=False):
            action()
        return True
    except DomainError:
        db.session.rollback()
        return False


def _working(moment: datetime, rng: random.Random) -> datetime:
    """The moment, or the next working morning when it falls in the evening, at night or at a weekend."""
    local = moment.astimezone(periods.zone())
    minute = local.hour * 60 + local.minute
    if local.weekday() < 5 and 8 * 60 + 30 <= minute <= 18 * 60:
        return moment
    day = local.date() + timedelta(days=1 if minute > 18 * 60 else 0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return _at(day, 8 * 60 + 30 + rng.randint(0, 90))


def _at(day: date, minute: int) -> datetime:
    local = datetime.combine(day, time(minute // 60, minute % 60), periods.zone())
    return clock.as_utc(local)


def _department_plan(task: HumanTask, rng: random.Random) -> dict:
    suggested = (task.instance.data or {}).get("suggested_departments") or DEPARTMENTS_FALLBACK
    chosen = suggested[: max(1, min(len(suggested), rng.choice((1, 1, 2))))]
    return {"departments": chosen, "lead_department": chosen[0], "dispatch_note": "请相关部门联合处置"}


def decide(task: HumanTask, habits: Habits, rng: random.Random) -> tuple[str, dict] | None:
    """Who completes ``task`` and with what, by the task's name (None: leave it)."""
    note = {"handling_note": "已处置完毕"}
    unit = task.scope_unit.code if task.scope_unit is not None else habits.community
    decisions = {
        "社区受理": (f"staff-{habits.community}", {"accepted": True}),
        "网格自行处置": (f"worker-{habits.grid}", {**note, "before_photos": ["demo/before.jpg"],
                                                  "after_photos": ["demo/after.jpg"]}),
        "社区处置": (f"staff-{habits.community}", {"community_result": "resolved" if rng.random() < 0.9
                                                   else "cannot_solve", **note}),
        "部门处置": (f"{unit}-staff", note),
        "镇街处置": (f"dispatcher-{habits.town}", note),
        "督办": ("supervisor", {"supervision_opinion": "责成相关单位限期整改"}),
    }
    if task.name in decisions:
        return decisions[task.name]
    if task.name == "镇街研判":
        if rng.random() < 0.5:
            return f"dispatcher-{habits.town}", {"decision": "self", "dispatch_note": "镇街自办"}
        return f"dispatcher-{habits.town}", {"decision": "whistle", **_department_plan(task, rng)}
    if task.name == "应急调度":
        return f"dispatcher-{habits.town}", _department_plan(task, rng)
    if task.name == "部门报到":
        if rng.random() < 0.08:
            return f"{unit}-staff", {"check_in_note": "已到现场", "action": "return", "return_reason": "不属本部门职责"}
        return f"{unit}-staff", {"check_in_note": "已到现场", "action": "handle"}
    if task.name == "核查":
        failed = not habits.reworked and rng.random() < habits.rework
        habits.reworked = habits.reworked or failed
        return f"worker-{habits.grid}", {"verified": not failed, **({"verify_note": "仍未处理到位"} if failed else {})}
    if task.name == "回访":
        verdict = "不满意" if rng.random() < habits.unhappy else rng.choice(("满意", "满意", "满意", "基本满意"))
        return f"staff-{habits.community}", {"satisfaction": verdict, "callback_note": "电话回访"}
    return None


def exists(start: date) -> bool:
    """Whether history was generated already (a case started before ``start``'s month ends)."""
    first = db.session.scalar(select(ProcessInstance.started_at).where(ProcessInstance.process_key == PROCESS)
                              .order_by(ProcessInstance.started_at).limit(1))
    return first is not None and periods.local_day(first) < periods.month(start.year, start.month).end


def generate(app, months: int = 12, per_day: tuple[int, int] = (2, 6), seed: int = 2026,
             progress=None) -> Summary:
    """``months`` months of cases ending with last month; ``progress(days)`` after each day."""
    versions.ensure_defaults()
    today = periods.local_day(clock.now())
    first = periods.current_month()
    for _ in range(months):
        first = first.previous()
    if exists(first.start):
        return Summary()
    simulation = Simulation(app, months, per_day, seed)
    simulation.summary.reopened = reopen(first.start)
    frozen_before = _frozen_months()
    day, index = first.start, 0
    while day < today:
        month = periods.month(day.year, day.month)
        index = (day.year - first.start.year) * 12 + day.month - first.start.month
        simulation.day(day, index, last_month=month.end >= today - timedelta(days=31))
        if progress is not None:
            progress(1)
        day += timedelta(days=1)
    stream.catch_up(max_seconds=600)
    closing.freeze_due()
    simulation.summary.frozen = _frozen_months() - frozen_before  # by the scheduler's ticks, and now
    return simulation.summary


def reopen(since: date) -> int:
    """The months from ``since`` on that the demo's own seeding froze before their history existed
    (its scheduler tick freezes what has ended): opened again, so the history's ticks freeze them
    as simulated time passes and their figures are not a pile of late-fact adjustments. Their
    rollups are complete (late facts roll up as well), so nothing is lost. Demo data only: a month
    with anybody's correction in it is left frozen, and so are the ones after it."""

    def action(work):
        months = list(db.session.execute(select(Period).where(Period.starts_on >= since)
                                         .order_by(Period.root_id, Period.starts_on)).scalars())
        corrected = {(a.root_id, a.period) for a in db.session.execute(select(Adjustment).where(
            Adjustment.period.in_([m.period for m in months]), Adjustment.author != freezing.SYSTEM)).scalars()}
        chosen, stopped = [], set()
        for month in months:
            stopped |= {month.root_id} if (month.root_id, month.period) in corrected else set()
            if month.root_id not in stopped:
                chosen.append(month)
        for month in chosen:
            db.session.execute(delete(Snapshot).where(Snapshot.period_id == month.id))
            db.session.execute(delete(Adjustment).where(Adjustment.root_id == month.root_id,
                                                        Adjustment.period == month.period,
                                                        Adjustment.author == freezing.SYSTEM))
            db.session.delete(month)
        return len(chosen)

    return uow.run(action)


def _frozen_months() -> int:
    return db.session.scalar(select(func.count()).select_from(Period)) or 0


def days_to_generate(months: int) -> int:
    first = periods.current_month()
    for _ in range(months):
        first = first.previous()
    return (periods.local_day(clock.now()) - first.start).days


def seed() -> str:
    """The demo's indicator definitions (those shipped in processes/, deployed like ``flask deploy``)."""
    results = versions.deploy_directory()
    return ", ".join(f"indicators@{where}: {what}" for where, what in results)
