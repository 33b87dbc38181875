"""Script functions about the organisation, for the models.

case_unit()      -> the case's own unit: {code, name, level, kind} (a grid, a community, a town…), so a
                    model can route by where the case was reported (a grid worker's task needs a grid).
unit_name(code)  -> a unit's name (住建局 for dept-zj), for the texts a model writes for people; the code
                    itself when no such unit exists.
acting_person()  -> who is acting in this step: {"username", "name"} of the person whose submission
                    runs it ({} when the platform runs it: a timer, a schedule)."""

from . import tree


def provide(registry) -> None:
    registry.provide("case_unit", lambda ref: lambda: _unit(ref))
    registry.provide("unit_name", lambda ref: _unit_name)
    registry.provide("acting_person", lambda ref: lambda: {})  # the case service binds the person of a step


def _unit(ref) -> dict:
    """``ref``: the case's unit as a ``tree.UnitRef`` (None outside a case)."""
    if ref is None:
        return {}
    return {"code": ref.code, "name": ref.name_zh, "level": ref.level, "kind": ref.kind}


def _unit_name(code) -> str:
    text = str(code)[:64]
    unit = tree.ref_by_code(text)
    return unit.name_zh if unit is not None else text


def acting(person) -> dict:
    """What ``acting_person()`` answers in a step ``person`` (a User) runs."""
    return {"username": person.username, "name": person.name or person.username} if person is not None else {}
