"""What changed between two BPMN files (the designer's side-by-side view): see ``engine.modeldiff``."""

from ..engine.modeldiff import CONTAINERS, DEFAULTS, MODEL, NOT_FLOW, Diff, compare, flow_elements

__all__ = ["CONTAINERS", "DEFAULTS", "MODEL", "NOT_FLOW", "Diff", "compare", "flow_elements"]
