"""Every message the evaluation's services and the period parser raise (and their per-field
messages) has a Chinese sentence on a Chinese page, and no page says a username or a unit code
where the message names a person or a unit: read off the source, so a new message without words
fails here."""

import ast
import re
from pathlib import Path

import pytest

from workflow_app.web import messages

ROOT = Path(__file__).resolve().parents[1] / "workflow_app"
SOURCES = [*sorted((ROOT / "evaluation").glob("*.py")), ROOT / "indicators" / "periods.py",
           ROOT / "web" / "evaluation.py"]
ERRORS = {"InvalidInput", "Forbidden", "NotFound", "Conflict", "DomainError"}
CJK = re.compile(r"[\u4e00-\u9fff]")
UNIT_CODE = re.compile(r"(?<![\w-])dc(?![\w-])")


TOKENS = (("code", "dc"), ("username", "worker-dc-dm-01"), ("period", "2026-03"), ("YEAR", "2000"),
          ("balance", "7"), ("points", "7"), ("round_id", "7"), ("MAX", "7"))


def _token(expression: str) -> str:
    return next((token for word, token in TOKENS if word in expression), "x")


def _sample(node) -> str:
    """A message as the service would say it, placeholders filled with a username-like token."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        else:
            token = _token(ast.unparse(value))
            parts.append(repr(token) if value.conversion == ord("r") else token)
    return "".join(parts)


def _texts(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.JoinedStr):
        yield _sample(node)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _texts(value)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _texts(item)
    elif isinstance(node, ast.ListComp):
        yield from _texts(node.elt)
    elif isinstance(node, ast.BinOp):  # "rate every unit: " + ", ".join(codes)
        yield _sample(node.left) + "dept-zj, dept-cg" if isinstance(node.left, ast.Constant) else ""


def raised_messages() -> list[str]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
                for argument in node.args[:2]:
                    if isinstance(argument, ast.Name | ast.Attribute):
                        continue  # a message passed on (appeals re-raise the period's)
                    found += [t for t in _texts(argument) if t]
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("append", "setdefault"):
                for argument in node.args:  # field messages collected before the raise
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str) \
                            and " " in argument.value:
                        found.append(argument.value)
                    if isinstance(argument, ast.BinOp):
                        found += list(_texts(argument))
    return sorted(set(found))


def test_the_sources_raise_the_messages_this_test_reads():
    found = raised_messages()
    assert "the year must be between 2000 and 2000" in found  # an f-string: filled in
    assert "worker-dc-dm-01 has 7 points, fewer than 7" in found
    assert "the ratings are not complete" in found and "a score from 1 to 5" in found
    assert len(found) > 40


@pytest.mark.parametrize("message", raised_messages())
def test_every_evaluation_and_period_message_has_chinese_words(demo_org, message):
    with demo_org.test_request_context("/"):
        shown = messages.localise(message)
    assert CJK.search(shown), f"no Chinese for {message!r}: {shown!r}"
    assert "worker-dc-dm-01" not in shown and "dept-zj" not in shown, shown  # names, not usernames or codes
    if UNIT_CODE.search(message) and "'dc'" not in message:  # a unit named by its code: said by its name
        assert "东城街道" in shown and not UNIT_CODE.search(shown), shown
