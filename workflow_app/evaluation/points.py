"""Points (积分): a ledger per person, grid workers and residents alike.

Earning follows the locality's rules (``points.rules`` of the evaluation data, at the unit the
fact was recorded against): each rule turns facts of some kinds (and stages) into points for the
person who did it (``to: actor``) or who reported the case (``to: reporter``). The scheduler job
``points`` (and every read) follows the facts stream with a cursor held ``FOR UPDATE``; a window
behind the cursor is read again so that a fact whose transaction committed late still counts, and
a fact earns once per rule and person (a unique key).

Redemption (积分兑换日) records what the points were exchanged for. The balance changes only by a
conditional UPDATE (``balance >= n``), so two redemptions at once never overdraw it (a CHECK on the
column holds it too): the one that no longer fits is refused with 422."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from .. import audit, clock, uow
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..models import CaseFact, PointsAccount, PointsCursor, PointsEntry, ProcessInstance, User
from ..org import access, tree
from . import data as evaluation_data

BATCH = 500
WINDOW_IDS, WINDOW_AGE = 1000, timedelta(minutes=10)
MAX_POINTS = 1_000_000
HISTORY = 200


def _before_debit() -> None:
    """A seam for the race tests: runs inside the redemption's transaction, before the UPDATE."""


@dataclass
class _Rule:
    ident: str
    name: str
    points: int
    facts: frozenset
    stages: frozenset | None
    to: str


def rules_at(unit) -> list[_Rule]:
    found = []
    rules = evaluation_data.section(unit, "points").get("rules")
    for ident, rule in (rules if isinstance(rules, dict) else {}).items():
        if not isinstance(rule, dict):
            continue
        points, kinds = rule.get("points"), rule.get("facts")
        if isinstance(points, bool) or not isinstance(points, int) or points <= 0 or not isinstance(kinds, list):
            continue
        stages = rule.get("stage")
        found.append(_Rule(str(ident)[:40], str(rule.get("name") or ident)[:200], min(points, MAX_POINTS),
                           frozenset(k for k in kinds if isinstance(k, str)),
                           frozenset(v for v in stages if isinstance(v, str)) if isinstance(stages, list) else None,
                           "reporter" if rule.get("to") == "reporter" else "actor"))
    return found


def _account(user_id: int) -> None:
    if db.session.get(PointsAccount, user_id) is None:
        db.session.add(PointsAccount(user_id=user_id, balance=0, earned=0, redeemed=0))
        db.session.flush()


def _credit(user_id: int, points: int) -> int:
    _account(user_id)
    db.session.execute(update(PointsAccount).where(PointsAccount.user_id == user_id).values(
        balance=PointsAccount.balance + points, earned=PointsAccount.earned + points))
    return db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == user_id)
                             .execution_options(populate_existing=True))


def _facts(after_id: int, now) -> list[CaseFact]:
    fresh = list(db.session.execute(select(CaseFact).where(CaseFact.id > after_id).order_by(CaseFact.id)
                                    .limit(BATCH)).scalars())
    behind = list(db.session.execute(select(CaseFact).where(
        CaseFact.id <= after_id, CaseFact.id > after_id - WINDOW_IDS, CaseFact.at >= now - WINDOW_AGE)).scalars())
    return behind + fresh


def _award(facts: list[CaseFact], now) -> int:
    rules_by_unit: dict[int, list[_Rule]] = {}
    wanted = []
    for fact in facts:
        if fact.unit_id is None:
            continue
        if fact.unit_id not in rules_by_unit:
            rules_by_unit[fact.unit_id] = rules_at(tree.ref_by_id(fact.unit_id))
        for rule in rules_by_unit[fact.unit_id]:
            if fact.kind not in rule.facts or (rule.stages is not None and fact.stage not in rule.stages):
                continue
            person = fact.actor_id
            if rule.to == "reporter":
                person = db.session.scalar(select(ProcessInstance.started_by_id)
                                           .where(ProcessInstance.id == fact.instance_id)) if fact.instance_id else None
            if person:
                wanted.append((f"fact:{fact.id}:{rule.ident}"[:64], person, rule, fact))
    if not wanted:
        return 0
    done = set(db.session.execute(select(PointsEntry.source, PointsEntry.user_id).where(
        PointsEntry.source.in_({w[0] for w in wanted}))).all())
    count = 0
    for source, person, rule, fact in wanted:
        if (source, person) in done:
            continue
        done.add((source, person))
        balance = _credit(person, rule.points)
        db.session.add(PointsEntry(user_id=person, delta=rule.points, balance=balance, kind="earned", rule=rule.ident,
                                   item=rule.name, source=source, instance_id=fact.instance_id, at=now))
        count += 1
    return count


def catch_up(now=None) -> int:
    """Award the points of the facts recorded since the last run; returns the entries written."""
    now = now or clock.now()

    def action(work) -> int:
        cursor = db.session.execute(select(PointsCursor).where(PointsCursor.id == 1)
                                    .with_for_update(skip_locked=True)).scalar_one_or_none()
        if cursor is None:
            if db.session.get(PointsCursor, 1) is not None:
                return 0  # another node holds it
            cursor = PointsCursor(id=1, last_fact_id=0)
            work.add(cursor)
        facts = _facts(cursor.last_fact_id, now)
        written = _award(facts, now)
        cursor.last_fact_id = max([cursor.last_fact_id, *(f.id for f in facts)])
        cursor.updated_at = now
        return written

    total = 0
    for _ in range(20):  # at most 20 batches a call
        written = uow.run(action)
        total += written
        if not db.session.scalar(select(CaseFact.id).where(
                CaseFact.id > (db.session.scalar(select(PointsCursor.last_fact_id)) or 0)).limit(1)):
            break
    return total


def tick(now) -> dict:
    return {"points": catch_up(now)}


# --- reading and redeeming -----------------------------------------------------------------------

def _person(username: str | None, viewer: User) -> User:
    if not username or username == viewer.username:
        return viewer
    person = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if person is None:
        raise NotFound(f"no person {username!r}")
    return person


def may_manage(viewer: User, person: User) -> bool:
    """Supervisors, administrators and those who oversee a unit where the person works."""
    if viewer.id == person.id:
        return True
    units = [a.org_unit for a in person.assignments] or [tree.root_unit()]
    return any(access.capable(viewer, cap, unit) for unit in units
               for cap in (access.SUPERVISE, access.ADMINISTER, access.OVERSEE))


def ledger(viewer: User, username: str | None) -> dict:
    person = _person(username, viewer)
    if not may_manage(viewer, person):
        raise Forbidden(f"{viewer.username} may not see the points of {person.username}")
    catch_up()
    account = db.session.get(PointsAccount, person.id)
    rows = db.session.execute(select(PointsEntry).where(PointsEntry.user_id == person.id)
                              .order_by(PointsEntry.at.desc(), PointsEntry.id.desc()).limit(HISTORY)).scalars()
    return {"username": person.username, "name": person.name,
            "balance": account.balance if account else 0, "earned": account.earned if account else 0,
            "redeemed": account.redeemed if account else 0,
            "rules": [{"rule": r.ident, "name": r.name, "points": r.points}
                      for r in rules_at(person.assignments[0].org_unit if person.assignments else None)],
            "history": [{"id": e.id, "at": e.at, "kind": e.kind, "delta": e.delta, "balance": e.balance,
                         "rule": e.rule, "item": e.item, "instance_id": e.instance_id} for e in rows]}


def redeem(viewer: User, username: str | None, points: int, item: str) -> dict:
    person = _person(username, viewer)
    if not may_manage(viewer, person):
        raise Forbidden(f"{viewer.username} may not redeem the points of {person.username}")
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise InvalidInput("points must be a positive whole number", {"points": ["a positive whole number"]})
    item = (item or "").strip()[:200]
    if not item:
        raise InvalidInput("say what the points are exchanged for", {"item": ["required"]})
    catch_up()

    def action(work) -> PointsEntry:
        _account(person.id)
        _before_debit()
        debited = db.session.execute(update(PointsAccount).where(
            PointsAccount.user_id == person.id, PointsAccount.balance >= points).values(
            balance=PointsAccount.balance - points, redeemed=PointsAccount.redeemed + points))
        if debited.rowcount != 1:
            balance = db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == person.id)
                                        .execution_options(populate_existing=True)) or 0
            refused = InvalidInput(f"{person.username} has {balance} points, fewer than {points}",
                                   {"points": [f"more than the balance ({balance})"]})
            refused.reason = "insufficient_points"
            raise refused
        balance = db.session.scalar(select(PointsAccount.balance).where(PointsAccount.user_id == person.id)
                                    .execution_options(populate_existing=True))
        entry = PointsEntry(user_id=person.id, delta=-points, balance=balance, kind="redeemed", item=item,
                            at=clock.now(), by_id=viewer.id)
        work.add(entry)
        audit.record("points_redeemed", actor=viewer, subject=f"points:{person.username}",
                     detail={"points": points, "item": item, "balance": balance})
        return entry

    entry = uow.run(action)
    return {"id": entry.id, "username": person.username, "points": points, "item": item, "balance": entry.balance,
            "at": entry.at}
