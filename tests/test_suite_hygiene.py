"""The suite checks what it drives: an HTTP call whose response a test throws away (a setup step
that may have failed unseen) is refused here, so a test cannot pass because its setup broke."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLIENT_CALLS = {"get", "post", "put", "delete", "patch", "deploy", "start", "complete"}
RECEIVERS = {"api", "client", "other", "hostile", "events", "replies", "web", "browser_client", "restarted"}


def _discarded_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
            continue
        func = node.value.func
        if not isinstance(func, ast.Attribute) or func.attr not in CLIENT_CALLS:
            continue
        receiver = func.value
        name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", "")
        if name in RECEIVERS:
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.value)[:80]}")
    return found


def test_no_test_throws_away_an_http_response():
    discarded = [hit for path in sorted(TESTS.rglob("test_*.py")) for hit in _discarded_calls(path)]
    assert not discarded, "responses never checked:\n" + "\n".join(discarded)
