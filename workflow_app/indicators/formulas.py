"""Formulas run in the engine's sandbox (worker processes), never in the platform process.

One call evaluates a formula for every row of a table: the expression becomes a lambda over the
names it reads, applied to each row's values. A row whose values make the formula fail (a value
missing, a division by zero) is evaluated alone and gets no value."""

import ast
import math

from ..repository import instances as store
from . import document as doc

MAX_ROWS_PER_CALL = 2000


def ratio(numerator, denominator):
    """Safe division for formulas: no value when either side has none or the denominator is 0."""
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


FUNCTIONS = {"ratio": ratio}


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


# ratio inside the sandbox, so a formula's rows never call back into the platform process
_RATIO = "(lambda n, d: None if n is None or d is None or d == 0 else n / d)"
_STRICT_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load, ast.operator,
                 ast.unaryop)


def evaluate(expression: str, rows: list[dict]) -> list:
    """The formula's value for each row of values (``None`` where it has none)."""
    names = sorted(doc.formula_names(expression) - set(doc.FORMULA_FUNCTIONS))
    strict = _strict_names(expression)
    results: list = [None] * len(rows)
    wanted = [n for n, row in enumerate(rows) if not any(row.get(name) is None for name in strict)]
    for start in range(0, len(wanted), MAX_ROWS_PER_CALL):
        chunk = wanted[start:start + MAX_ROWS_PER_CALL]
        values = [[rows[n].get(name) for name in names] for n in chunk]
        each = f"(lambda {', '.join(names)}: ({expression}))(*r)" if names else f"({expression})"
        batch = f"(lambda ratio: [{each} for r in rows])({_RATIO})"
        try:
            found = store.engine().evaluate(batch, {"rows": values}, {})
        except Exception:  # a designer's formula failing on some row; each row alone then
            found = [_one(expression, dict(zip(names, v, strict=True))) for v in values]
        for n, value in zip(chunk, found, strict=True):
            results[n] = _number(value)
    return results


def _strict_names(expression: str) -> set[str]:
    """The names a row's value cannot lack: when the formula is plain arithmetic over them (no
    conditions, comparisons or boolean operators), a missing value fails the formula whatever the
    others are, so such rows get no value without a trip to the sandbox. A name given straight to
    ratio() may be missing (ratio has no value then, and says so itself)."""
    tree = ast.parse(expression, mode="eval")
    if not all(isinstance(node, _STRICT_NODES) for node in ast.walk(tree)):
        return set()
    tolerant: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in doc.FORMULA_FUNCTIONS or node.keywords:
                return set()
            tolerant.add(id(node.func))
            if node.func.id == "ratio":
                tolerant |= {id(arg) for arg in node.args if isinstance(arg, ast.Name)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in tolerant}


def _one(expression: str, values: dict):
    try:
        return store.engine().evaluate(expression, values, FUNCTIONS)
    except Exception:  # the engine refuses or the formula fails: no value
        return None
