"""Script functions about the organisation, for the models.

case_unit() -> the case's own unit: {code, name, level, kind} (a grid, a community, a town…), so a
               model can route by where the case was reported (a grid worker's task needs a grid)."""

def provide(registry) -> None:
    registry.provide("case_unit", lambda ref: lambda: _unit(ref))


def _unit(ref) -> dict:
    """``ref``: the case's unit as a ``tree.UnitRef`` (None outside a case)."""
    if ref is None:
        return {}
    return {"code": ref.code, "name": ref.name_zh, "level": ref.level, "kind": ref.kind}
