"""The rollup mechanism: incremental batches of any size give the same rollups, a second run adds
nothing, the scheduler freezes ended months after the grace period, a fact that arrives after its
month was frozen becomes an adjustment by the platform, a change of the ledger rules rebuilds the
rollups (frozen months keep their snapshots), and ids still in flight on PostgreSQL are read later."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    row,
    shipped,
    table,
    tick,
    two_towns,
)
from workflow_app.extensions import db
from workflow_app.indicators import ledger, stream
from workflow_app.indicators.tables import Adjustment, CaseEntry, Cursor, Period, Rollup, StockDelta, TaskOverdue
from workflow_app.models import CaseFact, ProcessInstance


def _rollups(app) -> list[tuple]:
    with app.app_context():
        flows = db.session.execute(select(Rollup.day, Rollup.unit_id, Rollup.actor_id, Rollup.atom, Rollup.n)
                                   .order_by(Rollup.day, Rollup.unit_id, Rollup.actor_id, Rollup.atom)).all()
        stocks = db.session.execute(select(StockDelta.day, StockDelta.unit_id, StockDelta.actor_id, StockDelta.atom,
                                           StockDelta.n).where(StockDelta.n != 0)
                                    .order_by(StockDelta.day, StockDelta.unit_id, StockDelta.actor_id,
                                              StockDelta.atom)).all()
        db.session.remove()
    return [tuple(r) for r in flows] + [("stock", *r) for r in stocks]


def _forget(app) -> None:
    with app.app_context():
        for model in (Rollup, StockDelta, TaskOverdue, CaseEntry, Cursor):
            db.session.execute(delete(model))
        db.session.commit()
        db.session.remove()


def _catch_up(app, limit: int) -> stream.Progress:
    with app.app_context():
        done = stream.catch_up(limit=limit)
        db.session.remove()
    return done


def test_batches_of_any_size_give_the_same_rollups_and_a_rerun_adds_nothing(events, clock):
    two_towns(events, clock, 3)
    clock.move_to(at(20, 9))
    one_by_one = _catch_up(events.app, 1)
    assert one_by_one.facts > 10
    first = _rollups(events.app)
    assert _catch_up(events.app, 1).facts == 0 and _rollups(events.app) == first
    _forget(events.app)
    _catch_up(events.app, 5000)
    assert _rollups(events.app) == first


def test_the_scheduler_freezes_a_month_after_the_grace_period(events, clock):
    two_towns(events, clock, 3)
    clock.move_to(at(1, 0, 30, month=4))
    assert tick(events)["indicators"]["frozen"] == 0  # within the hour's grace
    assert table(events, org_unit="dc", period="2026-03")["frozen"] is False
    clock.move_to(at(1, 1, 30, month=4))
    assert tick(events)["indicators"]["frozen"] == 1
    assert tick(events)["indicators"]["frozen"] == 0  # once
    frozen = table(events, org_unit="dc", period="2026-03")
    assert frozen["frozen"] is True and frozen["closed"] is True


def _late_rework(app, case_id: int) -> None:
    """A fact dated in March that a transaction still in flight commits after March was frozen."""
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        unit = instance.org_unit
        db.session.add(CaseFact(at=at(31, 20), kind="rework", instance_id=case_id, process_key="event_handling",
                                stage="返工", unit_id=unit.id, unit_path=unit.path))
        db.session.commit()
        db.session.remove()


def test_a_fact_arriving_after_the_freeze_is_an_adjustment_by_the_platform(events, clock):
    cases = two_towns(events, clock, 3)
    clock.move_to(at(1, 3, month=4))
    tick(events)
    before = row(table(events, org_unit="dc-dm", period="2026-03", level="grid"), "dc-dm-01")
    _late_rework(events.app, cases["dc-dm-01:late"])
    after = row(table(events, org_unit="dc-dm", period="2026-03", level="grid"), "dc-dm-01")
    assert (before["counts"]["返工"], after["counts"]["返工"]) == (0, 1)
    assert after["rates"]["返工率"] == 0.5
    made = [a for a in after["adjustments"] if a["author"] == "system"]
    assert made and all(a["reason"].startswith("冻结后到达的数据") and a["atom"].startswith("f") for a in made)
    as_frozen = row(table(events, org_unit="dc-dm", period="2026-03", level="grid", adjusted="false"), "dc-dm-01")
    assert as_frozen["counts"] == before["counts"]
    with events.app.app_context():  # the live rollups have it too
        assert db.session.scalar(select(func.count()).select_from(Rollup).where(Rollup.atom.like("f|rework%"))) == 1


def test_new_ledger_rules_rebuild_the_rollups_but_not_the_frozen_months(events, clock):
    two_towns(events, clock, 3)
    clock.move_to(at(1, 3, month=4))
    tick(events)
    two_towns(events, clock, 4)
    clock.move_to(at(20, 9, month=4))
    march, april = (table(events, org_unit="qingxi", period=key, level="town") for key in ("2026-03", "2026-04"))
    assert row(april, "dc")["counts"]["按期结案"] == 1
    other = shipped()
    other["ledger"] = {**other["ledger"], "processes": ["minor_event"]}  # the ledger counts another process's cases
    assert events.post("/indicators/definitions", "designer", json={"document": other}).status_code == 201
    rebuilt = row(table(events, org_unit="qingxi", period="2026-04", level="town"), "dc")
    before = row(april, "dc")["counts"]
    assert rebuilt["counts"]["应结案"] == 0 and before["按时核查"] > 0
    assert rebuilt["counts"]["按时核查"] == before["按时核查"]  # facts still count (distinct ones need a ledger case)
    assert table(events, org_unit="qingxi", period="2026-03", level="town")["rows"] == march["rows"]
    with events.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Adjustment)) == 0  # a rebuild is quiet
        assert db.session.scalar(select(func.count()).select_from(Period)) == 1
        cursor = db.session.get(Cursor, stream.NAME)
        assert cursor.rules is not None and (cursor.gaps or {}).get("quiet_until")
        db.session.remove()


def _fact(fact_id: int) -> ledger.FactRow:
    return ledger.FactRow(fact_id, at(2, 9), "filed", None, None, None, None, None, None, None, None, None)


def test_ids_still_in_flight_are_kept_and_read_later_on_postgresql(events, monkeypatch):
    monkeypatch.setattr(stream, "_postgres", lambda: True)
    now = at(2, 9)
    last, gaps = stream._advance(10, [_fact(11), _fact(14)], {}, now)
    assert last == 14 and set(gaps) == {"12", "13"}
    last, gaps = stream._advance(last, [_fact(13)], gaps, now + timedelta(seconds=5))
    assert last == 14 and set(gaps) == {"12"}  # 13 arrived; 12 is still missing
    last, gaps = stream._advance(last, [], gaps, now + timedelta(seconds=stream.GAP_SECONDS + 1))
    assert gaps == {}  # a rolled-back insert never arrives: given up after GAP_SECONDS


def test_the_bulletin_lists_late_data_once_per_unit_and_count_in_words(events, clock):
    cases = two_towns(events, clock, 3)
    clock.move_to(at(1, 3, month=4))
    tick(events)
    _late_rework(events.app, cases["dc-dm-01:late"])
    _late_rework(events.app, cases["dc-dm-01:late"])
    answer = events.get("/bulletins/qingxi/2026-03", "supervisor")
    assert answer.status_code == 200, answer.get_json()
    late = [a for a in answer.get_json()["adjustments"] if a["indicator"] is None]
    assert late, "the late facts are listed"
    keys = [(a["subject"], a["what"]) for a in late]
    assert len(keys) == len(set(keys))  # one line per unit and count, however many days and batches
    rework = [a for a in late if a["what"].startswith("返工")]
    counted = [a for a in rework if "每案一次" not in a["what"]]  # the distinct count moved once
    assert counted and all(a["delta"] == 2 and a["reason"].startswith("冻结后到达的数据") for a in counted)
    assert all(a["what"] and "|" not in a["what"] and a["author_name"] != "system" for a in late)
