"""Script functions of evaluation, for the models' scripts and decisions:

    evaluation_data(section)   -> the locality's evaluation data section at the case's unit
                                  (``rating``, ``sample``, ``points``, ``honours``, ``appeals``)
    period_published(period)   -> ISO time a month's figures were published (frozen), else its end
    subject_name_of(subject)   -> the name of a unit (by code) or a person (by username), else the text
    month_label(period)        -> a month as people read it (2026年11月), else the text
    indicator_counts(indicator)-> [{code, name}] of the counts feeding an indicator (what an upheld
                                  appeal may adjust)

They run in the platform process on behalf of a sandboxed script: arguments are bounded."""

from ..errors import InvalidInput
from ..indicators import freezing, periods
from ..org import people, tree
from . import appeal_figures, data

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


def subject_name(key) -> str:
    if not isinstance(key, str) or not key or len(key) > 128:
        return str(key or "")
    unit = tree.by_code(key)
    if unit is not None:
        return unit.name_zh
    person = people.by_username(key)
    return person.name if person is not None and person.name else key


def month_label(key) -> str:
    if not isinstance(key, str) or len(key) > 10:
        return str(key or "")
    try:
        return periods.month_of(key).label()
    except InvalidInput:
        return key


def provide(registry) -> None:
    registry.provide("subject_name_of", lambda ref: subject_name)
    registry.provide("month_label", lambda ref: month_label)
    registry.provide("indicator_counts", lambda ref: appeal_figures.count_choices)
    registry.provide("evaluation_data", lambda ref: lambda name: section(ref, name))
    registry.provide("period_published", lambda ref: lambda key: published(ref, key))
