"""Definitions as data: what a deploy refuses (naming the indicator and the problem), formulas run by
the engine's sandbox, and a new indicator over new facts added by data alone (as the third-party
evaluation will add ratings)."""

import json

import pytest

from tests.support import ROOT
from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    row,
    self_handled,
    shipped,
    table,
)
from workflow_app import facts, uow
from workflow_app.extensions import db
from workflow_app.indicators import formulas
from workflow_app.indicators.figures import Calculator, Subject
from workflow_app.models import ProcessInstance
from workflow_app.org import people


def _with(*extra: dict, drop: str | None = None) -> dict:
    document = shipped()
    document["indicators"] = [i for i in document["indicators"] if i["id"] != drop] + list(extra)
    return document


def _refused(api, document: dict) -> dict:
    answer = api.post("/indicators/definitions", "designer", json={"document": document})
    assert answer.status_code == 422, answer.get_json()
    return answer.get_json()["errors"]


@pytest.mark.parametrize(("extra", "where", "says"), [
    ({"id": "坏比率", "kind": "rate", "numerator": "结案", "denominator": "没有这个"}, "坏比率", "no indicator"),
    ({"id": "坏公式", "kind": "count", "formula": "结案 +"}, "坏公式", "formula"),
    ({"id": "坏名字", "kind": "count", "formula": "结案 + 不存在"}, "坏名字", "no indicator '不存在'"),
    ({"id": "坏分档", "kind": "score", "of": "立案", "bands": [[1, 40], [30, 100]]}, "坏分档", "highest threshold"),
    ({"id": "坏综合", "kind": "composite", "subject": {"levels": ["galaxy"]},
      "terms": [{"indicator": "结案率", "weight": 50}]}, "坏综合", "subject"),
    ({"id": "_hidden", "kind": "count", "cases": "closed"}, "the new one", "id must be"),
    ({"id": "甲", "kind": "count", "sum": ["乙"]}, "甲", "no indicator"),
])
def test_a_deploy_refuses_bad_definitions_naming_the_indicator(events, extra, where, says):
    errors = _refused(events, _with(extra))
    where = f"indicators[{len(shipped()['indicators'])}]" if where == "the new one" else where
    assert where in errors and any(says in message for message in errors[where]), errors


def test_circular_definitions_and_a_formula_the_sandbox_refuses(events):
    errors = _refused(events, _with({"id": "甲", "kind": "count", "sum": ["乙"]},
                                    {"id": "乙", "kind": "count", "sum": ["甲"]}))
    assert any("circle" in m for m in errors.get("甲", []) + errors.get("乙", [])), errors
    sandboxed = _refused(events, _with({"id": "偷看", "kind": "count", "formula": "结案.__class__"}))
    assert "formula" in sandboxed or "偷看" in sandboxed
    assert events.get("/indicators/definitions", "designer").get_json()["version"] == 1  # nothing was deployed


RATINGS = [
    {"id": "评分合计", "kind": "count", "facts": "rating", "measure": "sum", "description": "第三方回访评分之和"},
    {"id": "评分次数", "kind": "count", "facts": "rating"},
    {"id": "好评", "kind": "count", "facts": "rating", "verdict": ["好", "较好"]},
    {"id": "平均评分", "kind": "count", "formula": "ratio(评分合计, 评分次数)"},
    {"id": "好评率", "kind": "rate", "numerator": "好评", "denominator": "评分次数"},
]


def test_a_new_indicator_over_new_facts_is_added_by_data_alone(events, clock):
    deployed = events.post("/indicators/definitions", "designer", json={"document": _with(*RATINGS)})
    assert deployed.status_code == 201 and deployed.get_json()["version"] == 2
    clock.move_to(at(3, 9))
    case = self_handled(events, "dc-dm-01")
    with events.app.app_context():
        evaluator = people.get("evaluator")

        def rate(work):
            instance = db.session.get(ProcessInstance, case)
            for score, verdict in ((5, "好"), (3, "一般"), (4, "较好")):
                facts.record("rating", instance=instance, actor=evaluator, detail={"score": score, "verdict": verdict})

        uow.run(rate)
        db.session.remove()
    clock.move_to(at(20, 9))
    grid = row(table(events, org_unit="dc-dm", period="2026-03", level="grid"), "dc-dm-01")
    assert (grid["counts"]["评分合计"], grid["counts"]["评分次数"], grid["counts"]["好评"]) == (12, 3, 2)
    assert grid["counts"]["平均评分"] == pytest.approx(4.0) and grid["rates"]["好评率"] == pytest.approx(2 / 3)
    explained = events.get("/indicators/explain", "supervisor", query_string={
        "org_unit": "dc-dm-01", "period": "2026-03", "indicator": "好评"}).get_json()
    assert sorted(f["verdict"] for f in explained["facts"]) == ["好", "较好"]


def test_periods_quarters_years_and_ranges(events, clock):
    clock.move_to(at(3, 9))
    self_handled(events, "dc-dm-01")
    clock.move_to(at(3, 9, month=5))
    self_handled(events, "dc-dm-01")
    clock.move_to(at(20, 9, month=5))
    filed = {key: row(table(events, org_unit="dc-dm", period=key, level="grid"), "dc-dm-01")["counts"]["立案"]
             for key in ("2026-03", "2026-Q1", "2026-Q2", "2026")}
    assert filed == {"2026-03": 1, "2026-Q1": 1, "2026-Q2": 1, "2026": 2}
    ranged = table(events, org_unit="dc-dm", level="grid", **{"from": "2026-03-03", "to": "2026-05-03"})
    assert row(ranged, "dc-dm-01")["counts"]["立案"] == 2 and ranged["kind"] == "range"
    for bad in ({"period": "2026-13"}, {"period": "next month"}, {"from": "2026-05-01"},
                {"from": "2026-05-01", "to": "2026-04-01"}, {"period": "1999"}):
        answer = events.get("/indicators", "supervisor", query_string={"org_unit": "dc-dm", **bad})
        assert answer.status_code == 422, (bad, answer.get_json())


def test_a_formula_runs_once_per_table_in_the_sandbox_and_a_row_without_values_has_none(api):
    rows = [{"a": 1, "b": 2}, {"a": None, "b": 2}, {"a": 3, "b": 0}]
    with api.app.app_context():
        assert formulas.evaluate("a * 20", rows) == [20, None, 60]  # plain arithmetic: no value, no call
        assert formulas.evaluate("ratio(a + b, 3 * b)", rows) == [pytest.approx(0.5), None, None]
        assert formulas.evaluate("ratio(a, b)", rows) == [pytest.approx(0.5), None, None]  # ratio in the sandbox
        assert formulas.evaluate("a / b", rows) == [pytest.approx(0.5), None, None]  # the failing rows alone
        assert formulas.evaluate("a or 5", rows) == [1, 5, 3]  # a formula that copes with a missing value


def test_a_rate_over_cases_counts_each_case_once_in_its_numerator():
    """A rate whose denominator counts cases (立案, 结案…) must not count repeated facts of one case
    above it (a case self-handled again after a rework would push 自行处置率 past 100 %)."""
    document = json.loads((ROOT / "processes" / "indicators" / "indicators.json").read_text(encoding="utf-8"))
    items = {i["id"]: i for i in document["indicators"]}

    def leaves(ref) -> list[dict]:
        refs = ref if isinstance(ref, list) else [ref]
        found = []
        for name in refs:
            item = items[name]
            found += leaves(item["sum"] + (item.get("minus") or [])) if "sum" in item else [item]
        return found

    wrong = [rate["id"] for rate in items.values() if rate["kind"] == "rate"
             and any("cases" in leaf for leaf in leaves(rate["denominator"]))
             and any("facts" in leaf and not leaf.get("distinct") for leaf in leaves(rate["numerator"]))]
    assert wrong == []
    assert "self_handled" in document["ledger"]["distinct"]  # the ledger keeps the first one per case


def test_a_rate_is_a_fraction_even_when_its_counts_come_from_different_cases():
    document = json.loads((ROOT / "processes" / "indicators" / "indicators.json").read_text(encoding="utf-8"))
    calculator = Calculator(document)
    # 34 cases self-handled this month, 28 filed: last month's cases were handled this month
    atoms = {"c|filed": [28, 0.0], "f1|self_handled||grid_worker|": [34, 0.0]}
    [figures] = calculator.compute([Subject("g", "grid", frozenset(), atoms)])
    assert figures.values["自行处置"] == 34 and figures.values["立案"] == 28  # the counts say what happened
    assert figures.values["自行处置率"] == 1.0
    assert all(v is None or 0 <= v <= 1 for k, v in figures.values.items() if figures.kinds.get(k) == "rate")
    assert figures.composite is None or figures.composite <= 100
