"""Deploy-time checks of the Python in a spec, which the parser does not make.

Every script, condition, multi-instance and timer expression must compile. Timer literals must
be quoted strings (a bare ``PT5M`` compiles as a variable name and fails only when the timer is
reached, possibly days into a case), valid ISO 8601, and bounded: a duration of at most
``MAX_TIMER_YEARS``, a date before the year 10000, a cycle at most ``MAX_CYCLES`` times and not
more often than once a minute (the engine computes a duration month by month, so an unbounded
one would hang the request). JUEL (``${amount > 100}``) and FEEL conditions are refused with the
Python to write. Sandbox policy (no imports, no '_' names) is enforced when scripts run.
"""

import ast
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)

from .timers import timer_definitions

MAX_TIMER_YEARS = 100
MAX_CYCLES = 10_000
MIN_CYCLE_SECONDS = 60
MAX_LITERAL = 100
_ISO_NAME = re.compile(r"^P(\d+[YMWD])*(T(\d+[HMS])+)?$", re.IGNORECASE)
_JUEL = re.compile(r"[$#]\{|&&|\|\||^\s*=[^=]|(?<![=!<>])=(?!=)| (eq|ne|gt|ge|lt|le) ")
_JUEL_SCRIPT = re.compile(r"[$#]\{")
_DAYS = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
         "seconds": 1 / 86400}
WHAT = {"script": ("The script", "脚本"), "pre-script": ("The pre-script", "前置脚本"),
        "post-script": ("The post-script", "后置脚本"), "condition": ("The condition", "条件"),
        "multi-instance cardinality": ("The multi-instance cardinality", "多实例个数"),
        "multi-instance condition": ("The multi-instance completion condition", "多实例完成条件"),
        "timer": ("The timer expression", "定时器表达式"), "event expression": ("The event expression", "事件表达式")}


@dataclass(frozen=True)
class Expression:
    """One piece of Python found in a spec, with where it came from."""

    process_id: str
    element_id: str
    what: str
    source: str
    mode: str  # exec or eval
    timer: type | None = None
    target: str | None = None  # for gateway conditions: the flow's target element


def expressions(spec) -> Iterator[Expression]:
    for task_spec in spec.task_specs.values():
        yield from _task_expressions(spec.name, task_spec)


def _task_expressions(process_id: str, ts) -> Iterator[Expression]:
    element = getattr(ts, "bpmn_id", None) or ts.name
    for attr, what in (("script", "script"), ("prescript", "pre-script"), ("postscript", "post-script")):
        source = getattr(ts, attr, None)
        if isinstance(source, str) and source.strip():
            yield Expression(process_id, element, what, source, "exec")
    for condition, target in getattr(ts, "cond_task_specs", None) or []:
        args = getattr(condition, "args", None)
        if args and isinstance(args[0], str):
            yield Expression(process_id, element, "condition", args[0], "eval", target=target)
    for attr in ("cardinality", "condition"):
        source = getattr(ts, attr, None)
        if isinstance(source, str) and source.strip():
            yield Expression(process_id, element, f"multi-instance {attr}", source, "eval")
    event = getattr(ts, "event_definition", None)
    for definition in timer_definitions(event):
        if isinstance(definition.expression, str):
            yield Expression(process_id, element, "timer", definition.expression, "eval", timer=type(definition))
    if event is not None and not timer_definitions(event):
        source = getattr(event, "expression", None)
        if isinstance(source, str) and source.strip():
            yield Expression(process_id, element, "event expression", source, "eval")


def check(expression: Expression) -> tuple[str, dict] | None:
    """None when the expression is fine, else (catalogue code, params)."""
    what_en, what_zh = WHAT.get(expression.what, (expression.what, expression.what))
    named = {"what_en": what_en, "what_zh": what_zh}
    try:
        tree = ast.parse(expression.source.strip() if expression.mode == "eval" else expression.source,
                         mode=expression.mode)
    except SyntaxError as error:
        juel = _JUEL if expression.mode == "eval" else _JUEL_SCRIPT
        if juel.search(expression.source):
            return "expr.juel", {**named, "source": expression.source.strip(), "hint": python_for(expression.source)}
        return "expr.syntax", {**named, "detail": error.msg, "at": error.lineno}
    if expression.timer is not None:
        return _check_timer(expression, tree)
    return None


def python_for(source: str) -> str:
    """The Python a JUEL/FEEL condition most likely means, as advice."""
    text = source.strip()
    text = re.sub(r"^[$#]\{(.*)\}$", r"\1", text, flags=re.DOTALL).strip()
    text = re.sub(r"^=\s*", "", text)
    for pattern, python in ((r"&&", " and "), (r"\|\|", " or "), (r"!(?!=)", " not "), (r"\beq\b", "=="),
                            (r"\bne\b", "!="), (r"\bgt\b", ">"), (r"\bge\b", ">="), (r"\blt\b", "<"),
                            (r"\ble\b", "<="), (r"(?<![=!<>])=(?!=)", "=="), (r"\bnull\b", "None"),
                            (r"\btrue\b", "True"), (r"\bfalse\b", "False")):
        text = re.sub(pattern, python, text)
    return " ".join(text.split())


def _check_timer(expression: Expression, tree) -> tuple[str, dict] | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and len(node.id) > 1 and _ISO_NAME.match(node.id):
            return "timer.unquoted", {"source": expression.source.strip()}
    body = tree.body
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        return check_timer_literal(expression.timer, body.value)
    return None


_KIND_NAMES = {DurationTimerEventDefinition: ("duration", "时长"), CycleTimerEventDefinition: ("repeating interval",
               "重复周期")}


def check_timer_literal(kind, literal: str) -> tuple[str, dict] | None:
    """A quoted timer value: valid, and bounded so that the engine's arithmetic stays small."""
    kind_en, kind_zh = _KIND_NAMES.get(kind, ("date or duration", "日期或时长"))
    invalid = "timer.invalid", {"value": literal, "kind_en": kind_en, "kind_zh": kind_zh}
    text = literal.strip()
    if not text or len(text) > MAX_LITERAL:
        return invalid
    try:
        if kind is CycleTimerEventDefinition:
            return _check_cycle(text) or _engine_accepts(TimerEventDefinition.parse_iso_recurring_interval, text)
        if kind is DurationTimerEventDefinition or text.upper().startswith("P"):
            return _check_duration(text)
        return _check_date(text) or _engine_accepts(TimerEventDefinition.parse_time_or_duration, text)
    except _Invalid:
        return invalid


class _Invalid(Exception):
    pass


def _engine_accepts(parse, text: str) -> None:
    try:
        parse(text)
    except Exception as error:
        raise _Invalid from error
    return None


def _check_duration(text: str, minimum_seconds: float = 0) -> tuple[str, dict] | None:
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text)
    except Exception as error:
        raise _Invalid from error
    if not parsed:
        raise _Invalid
    days = sum(float(value) * _DAYS[unit] for unit, value in parsed.items() if unit in _DAYS)
    if not math.isfinite(days) or days > MAX_TIMER_YEARS * 366:
        return "timer.too_long", {"value": text, "limit_years": MAX_TIMER_YEARS}
    if days * 86400 < minimum_seconds:
        return "timer.too_often", {"value": text}
    return None


def _check_date(text: str) -> tuple[str, dict] | None:
    if re.match(r"^[+-]?\d{5,}", text):
        return "timer.year", {"value": text}
    try:
        TimerEventDefinition.parse_time_or_duration(text)
    except OverflowError:
        return "timer.year", {"value": text}
    except Exception as error:
        raise _Invalid from error
    return None


def _check_cycle(text: str) -> tuple[str, dict] | None:
    parts = text.upper().replace("--", "/").split("/")
    if len(parts) not in (2, 3) or not parts[0].startswith("R"):
        raise _Invalid
    count = parts[0][1:]
    if count and (not count.isdigit() or len(count) > 9):
        raise _Invalid
    if count and int(count) > MAX_CYCLES:
        return "timer.too_many", {"value": text, "limit": MAX_CYCLES}
    for part in parts[1:]:
        found = (_check_duration(part, MIN_CYCLE_SECONDS) if part.startswith("P") else _check_date(part))
        if found:
            code, params = found
            return code, {**params, "value": text}
    return None


# --- the data a piece of Python reads and sets (for deploy's data-flow check) ----------------------
def _parsed(source: str, mode: str):
    try:
        return ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError):
        return None


def _bound(tree) -> set[str]:
    """Every name the code binds anywhere: assignment targets, loop and comprehension variables,
    function and lambda arguments, imports, ``except … as``, ``match`` captures."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
    return bound


def names_set(source: str) -> set[str]:
    """The data names a script may set (every name it binds: conservative)."""
    tree = _parsed(source, "exec")
    return _bound(tree) if tree is not None else set()


def names_read(source: str, mode: str) -> set[str]:
    """The data names an expression (``eval``) or script (``exec``) reads that it does not bind
    itself; a name only ever called (``now()``) is a function, not data. Unparsable code reads
    nothing here (the syntax check reports it)."""
    tree = _parsed(source, mode)
    if tree is None:
        return set()
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    loaded = {node.id for node in ast.walk(tree)
              if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in called}
    return loaded - _bound(tree)
