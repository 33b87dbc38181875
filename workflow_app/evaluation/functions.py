"""Script functions of evaluation, for the models' scripts and decisions:

    evaluation_data(section)   -> the locality's evaluation data section at the case's unit
                                  (``rating``, ``sample``, ``points``, ``honours``, ``appeals``)
    period_published(period)   -> ISO time a month's figures were published (frozen), else its end

They run in the platform process on behalf of a sandboxed script: arguments are bounded."""

from ..errors import InvalidInput
from ..indicators import freezing, periods
from ..org import tree
from . import data

SECTIONS = data.SECTIONS


def section(ref, name) -> dict:
    if name not in SECTIONS:
        return {}
    return data.section(ref, name) if ref is not None else (data.effective(None).get(name) or {})


def published(ref, key) -> str | None:
    if not isinstance(key, str) or len(key) > 10:
        return None
    try:
        month = periods.month_of(key)
    except InvalidInput:
        return None
    root = tree.root_of(ref) if ref is not None else tree.root_unit()
    frozen = freezing.frozen(root.id).get(month.key) if root is not None else None
    return (frozen.frozen_at if frozen is not None else month.ends_at).isoformat()


def provide(registry) -> None:
    registry.provide("evaluation_data", lambda ref: lambda name: section(ref, name))
    registry.provide("period_published", lambda ref: lambda key: published(ref, key))
