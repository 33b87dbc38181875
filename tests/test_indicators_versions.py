"""Acceptance: definitions are versioned data. A locality's variant with other weights changes that
locality's composites and grades only; a closed month keeps the definitions in force at its end, so
last month's figures are reproduced exactly after the variant is deployed."""

import json

import pytest

from tests.support_indicators import (  # noqa: F401 - the *_fixture names are fixtures
    at,
    clock_fixture,
    events_fixture,
    row,
    shipped,
    table,
    two_towns,
)

# 东城街道 weighs only the on-time rate.
VARIANT = {"indicators": [{"id": "综合得分", "terms": [{"indicator": "按期结案率", "weight": 100}]}],
           "comment": "东城街道只看按期结案率"}


def _deploy(api, tmp_path, variant: dict | None) -> str:
    (tmp_path / "indicators").mkdir(exist_ok=True)
    (tmp_path / "indicators" / "indicators.json").write_text(json.dumps(shipped(), ensure_ascii=False))
    if variant is not None:
        folder = tmp_path / "localities" / "dc" / "indicators"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "indicators.json").write_text(json.dumps(variant, ensure_ascii=False))
    result = api.app.test_cli_runner().invoke(args=["deploy", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return result.output


def _composites(found: dict) -> dict:
    return {r["subject"]: (r["composite"], r["grade"]) for r in found["rows"]}


def test_a_variant_changes_only_its_localitys_composites_and_last_month_stays(events, clock, tmp_path):
    assert "indicators [platform]: v1 unchanged" in _deploy(events, tmp_path, None)  # the designer deployed v1
    two_towns(events, clock, 3)
    clock.move_to(at(1, 10, month=4))
    march = table(events, org_unit="qingxi", period="2026-03", level="community")
    before = _composites(march)
    # on time 1 of 2, closed 2 of 2: 50×.4 + 100×.2 + 100×.2, no verdicts (weights re-scaled to 80)
    assert before["dc-dm"] == (pytest.approx(75.0), "B") and before["xs-sq"] == before["dc-dm"]

    output = _deploy(events, tmp_path, VARIANT)
    assert "indicators [dc]: v1 deployed" in output and "indicators [platform]: v1 unchanged" in output
    assert _composites(table(events, org_unit="qingxi", period="2026-03", level="community")) == before

    two_towns(events, clock, 4)
    clock.move_to(at(20, 10, month=4))
    april = table(events, org_unit="qingxi", period="2026-04", level="community")
    now = _composites(april)
    assert now["dc-dm"] == (pytest.approx(50.0), "D")  # 东城: only the on-time rate, 50 %
    assert now["xs-sq"] == before["xs-sq"]  # elsewhere the county's weights, the same figures as in March
    assert row(april, "dc-dm")["rates"] == row(april, "xs-sq")["rates"]  # rates do not depend on weights
    assert [d["locality"] for d in row(april, "dc-dm")["definitions"]] == [None, "dc"]
    assert [d["locality"] for d in row(april, "xs-sq")["definitions"]] == [None]
    towns = _composites(table(events, org_unit="qingxi", period="2026-04", level="town"))
    assert towns["dc"][0] == pytest.approx(50.0) and towns["xs"][0] == pytest.approx(75.0)


def test_the_previous_version_reproduces_a_frozen_month(events, clock, tmp_path):
    two_towns(events, clock, 3)
    clock.move_to(at(1, 3, month=4))
    assert events.app.test_cli_runner().invoke(args=["scheduler", "--once"]).exit_code == 0  # freezes March
    march = table(events, org_unit="qingxi", period="2026-03", level="grid")
    assert march["frozen"] is True and march["definitions_version"] == 1
    changed = shipped()
    changed["indicators"] = [dict(i, terms=[{"indicator": "结案率", "weight": 100}]) if i["id"] == "综合得分" else i
                             for i in changed["indicators"]]
    deployed = events.post("/indicators/definitions", "designer", json={"document": changed})
    assert deployed.status_code == 201 and deployed.get_json()["version"] == 2
    again = table(events, org_unit="qingxi", period="2026-03", level="grid")
    assert again["definitions_version"] == 1 and again["rows"] == march["rows"]
    current = table(events, org_unit="qingxi", period="2026-04", level="grid")
    assert current["definitions_version"] == 2


def test_identical_definitions_are_not_a_new_version_and_others_may_not_deploy(events):
    same = events.post("/indicators/definitions", "designer", json={"document": shipped()})
    assert same.status_code == 200 and same.get_json() == {"locality": None, "version": 1,
                                                           "sha256": same.get_json()["sha256"], "unchanged": True}
    assert events.post("/indicators/definitions", "supervisor", json={"document": shipped()}).status_code == 403
    listed = events.get("/indicators/definitions", "worker-dc-dm-01").get_json()
    assert listed["version"] == 1 and listed["history"][0]["comment"] == "defaults"
    words = {i["id"]: i["words"] for i in listed["indicators"]}
    assert words["按期结案率"] == "按期结案率 = 按期结案 ÷ 应结案"
    assert words["应结案"] == "应结案 = 结案 ＋ 超期未结"
    assert words["已解决"] == "已解决 = 结案 − 督办结案"
    assert "按期结案率 × 40%" in words["综合得分"] and "（1 − 返工率） × 20%" in words["综合得分"]
    assert "≥30 得 100 分" in words["上报数分值"]
    variant = events.post("/indicators/definitions", "designer", json={"document": VARIANT, "locality": "dc"})
    assert variant.status_code == 201
    merged = events.get("/indicators/definitions", "designer", query_string={"locality": "dc"}).get_json()
    assert merged["locality"] == "dc" and merged["own"]["comment"] == VARIANT["comment"]
    assert [t["indicator"] for t in next(i for i in merged["indicators"] if i["id"] == "综合得分")["definition"]
            ["terms"]] == ["按期结案率"]


def test_a_full_copy_may_be_a_variant_but_a_locality_may_not_change_the_ledger(events):
    copy = shipped()
    copy["indicators"] = [dict(i, terms=[{"indicator": "结案率", "weight": 100}]) if i["id"] == "综合得分" else i
                          for i in copy["indicators"]]
    deployed = events.post("/indicators/definitions", "designer", json={"document": copy, "locality": "xs"})
    assert deployed.status_code == 201, deployed.get_json()
    own = events.get("/indicators/definitions", "designer", query_string={"locality": "xs"}).get_json()["own"]
    assert "ledger" not in own and "verdicts" not in own  # the same as the county's: not the variant's own
    copy["ledger"] = {**copy["ledger"], "due_from": "other_due"}
    refused = events.post("/indicators/definitions", "designer", json={"document": copy, "locality": "xs"})
    assert refused.status_code == 422 and "ledger" in refused.get_json()["errors"]
