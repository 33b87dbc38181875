"""Deploy-time checks the parser does not make.

Every script, condition, multi-instance and timer expression must compile, and timer literals
must be quoted strings (a bare ``PT5M`` compiles as a variable name and fails only when the
timer is reached, possibly days into a case). Sandbox policy (no imports, no '_' names) is
enforced when scripts run, so a model that breaks it deploys but its instance stops in error.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)

from .timers import timer_definitions

_ISO_NAME = re.compile(r"^P(\d+[YMWD])*(T(\d+[HMS])+)?$", re.IGNORECASE)


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
        yield Expression(process_id, element, "timer", definition.expression, "eval", timer=type(definition))
    if event is not None and not timer_definitions(event):
        source = getattr(event, "expression", None)
        if isinstance(source, str) and source.strip():
            yield Expression(process_id, element, "event expression", source, "eval")


def check(expression: Expression) -> str | None:
    """None when the expression is fine, else the reason it is not."""
    try:
        tree = ast.parse(expression.source, mode=expression.mode)
    except SyntaxError as error:
        return f"{expression.what} does not compile: {error.msg} (line {error.lineno})"
    if expression.timer is not None:
        return _check_timer(expression, tree)
    return None


def _check_timer(expression: Expression, tree) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and len(node.id) > 1 and _ISO_NAME.match(node.id):
            return (
                f"timer expression {expression.source.strip()!r} is an unquoted ISO 8601 literal; "
                f'write it as a string: "{expression.source.strip()}"'
            )
    body = tree.body
    if isinstance(body, ast.Constant) and isinstance(body.value, str):
        return _check_timer_literal(expression.timer, body.value)
    return None


def _check_timer_literal(kind, literal: str) -> str | None:
    try:
        if kind is DurationTimerEventDefinition:
            TimerEventDefinition.parse_iso_duration(literal)
        elif kind is CycleTimerEventDefinition:
            TimerEventDefinition.parse_iso_recurring_interval(literal)
        else:
            TimerEventDefinition.parse_time_or_duration(literal)
    except Exception:
        return f"timer value {literal!r} is not a valid ISO 8601 {_KIND_NAMES.get(kind, 'time')}"
    return None


_KIND_NAMES = {DurationTimerEventDefinition: "duration", CycleTimerEventDefinition: "repeating interval"}


def dmn_cell_problem(cell: str) -> str | None:
    """DMN input cells are expressions or comparisons such as '< 1000' or '"town"'."""
    for candidate in (cell, f"v {cell}"):
        try:
            ast.parse(candidate, mode="eval")
            return None
        except SyntaxError:
            continue
    return f"DMN cell {cell!r} does not compile"


def dmn_cell_for_engine(cell: str) -> str:
    """The engine glues a comparison cell straight onto its input ('category' + 'not in [...]');
    a leading space keeps 'not in', 'in' and friends from fusing with the input's name."""
    if not cell or cell[0].isspace():
        return cell
    try:
        ast.parse(cell, mode="eval")
        return cell
    except SyntaxError:
        return " " + cell


def dmn_expression_problem(source: str) -> str | None:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError as error:
        return f"DMN expression {source!r} does not compile: {error.msg}"
    return None
