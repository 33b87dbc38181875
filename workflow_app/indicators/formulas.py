"""Formulas run in the engine's sandbox (worker processes), never in the platform process.

One call evaluates a formula for every row of a table: the expression becomes a lambda over the
names it reads, applied to each row's values. A row whose values make the formula fail (a value
missing, a division by zero) is evaluated alone and gets no value."""

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
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def evaluate(expression: str, rows: list[dict]) -> list:
    """The formula's value for each row of values (``None`` where it has none)."""
    names = sorted(doc.formula_names(expression) - set(doc.FORMULA_FUNCTIONS))
    results: list = []
    for start in range(0, len(rows), MAX_ROWS_PER_CALL):
        chunk = rows[start:start + MAX_ROWS_PER_CALL]
        values = [[row.get(name) for name in names] for row in chunk]
        batch = f"[(lambda {', '.join(names)}: ({expression}))(*r) for r in rows]" if names else \
            f"[({expression}) for r in rows]"
        try:
            found = store.engine().evaluate(batch, {"rows": values}, FUNCTIONS)
        except Exception:  # a designer's formula failing on some row; each row alone then
            found = [_one(expression, dict(zip(names, v, strict=True))) for v in values]
        results += [_number(v) for v in found]
    return results


def _one(expression: str, values: dict):
    try:
        return store.engine().evaluate(expression, values, FUNCTIONS)
    except Exception:  # the engine refuses or the formula fails: no value
        return None
