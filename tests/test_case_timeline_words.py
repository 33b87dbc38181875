"""Every entry of a case's timeline says what happened, in Chinese and in English: each audit
kind the platform records on a case has words (the source is read for them, so a new kind
without words fails here), and an appeal's or an honours nomination's steps read as what was
decided (申诉采纳 · 更正「返工」-1), never a bare 「其他」."""

import ast
from pathlib import Path

from tests.support import ok, only
from tests.test_evaluation_appeals import APPEAL, HEAD, appeals_fixture, clock_fixture, events_fixture  # noqa: F401
from tests.test_web_pages import login, text
from workflow_app.web import timeline

SOURCE = Path(__file__).resolve().parent.parent / "workflow_app"
# kinds passed by name rather than written at the call: the case's opening, status and admin changes
BY_NAME = ("instance_started", "timer_fired", "instance_error", "instance_completed", "instance_blocked",
           "instance_suspended")


def _recorded_on_cases() -> set[str]:
    """Every kind some ``audit.record(...)`` call with an ``instance`` or a ``task`` writes; an
    f-string kind is its family with a stand-in for what varies."""
    found = set(BY_NAME)
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit" and node.args):
                continue
            if not {k.arg for k in node.keywords} & {"instance", "task"}:
                continue
            kind = node.args[0]
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                found.add(kind.value)
            elif isinstance(kind, ast.JoinedStr):
                found.add("".join(v.value if isinstance(v, ast.Constant) else "something" for v in kind.values))
    return found


def test_every_kind_recorded_on_a_case_has_words_in_both_languages(app):
    kinds = _recorded_on_cases()
    assert {"appeal_upheld", "honours_reviewed", "sla_something", "something_received"} <= kinds
    for lang in ("zh", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            unworded = [k for k in sorted(kinds) if timeline.heading(k) in timeline.UNWORDED]
            assert unworded == [], lang


def test_an_upheld_appeals_timeline_says_what_was_decided(appeals):
    started = ok(appeals.start("evaluation_appeal", "dc-dm", APPEAL, HEAD), 201).get_json()
    review = only(appeals.tasks("supervisor", process_key="evaluation_appeal"), "审核申诉")
    ok(appeals.complete(review["id"], "supervisor", {"decision": "uphold", "delta": -1,
                                                     "decision_reason": "照片证明已清运"}))
    supervisor = login(appeals.app, "supervisor")
    page = text(ok(supervisor.get(f"/cases/{started['id']}")))
    record = page.split("办理记录")[-1]
    assert "其他" not in record and "申诉采纳" in record and "更正「返工」-1" in record
    english = text(ok(supervisor.get(f"/cases/{started['id']}?lang=en")))
    assert "Appeal upheld" in english and "Reworked corrected by -1" in english
