"""What changed between two BPMN files (the designer's side-by-side view): see ``engine.modeldiff``;
and what a model file *means*, for the modeler's round trip (``semantic``)."""

from ..engine import safexml
from ..engine.modeldiff import (
    CONTAINERS,
    DEFAULTS,
    MODEL,
    NOT_FLOW,
    Diff,
    _canonical,
    bundle_changes,
    compare,
    flow_elements,
)

__all__ = ["CONTAINERS", "DEFAULTS", "MODEL", "NOT_FLOW", "Diff", "bundle_changes", "compare", "flow_elements",
           "semantic"]

DI = "http://www.omg.org/spec/BPMN/20100524/DI"


def semantic(content: bytes) -> tuple:
    """A BPMN file as what it means: every element, attribute (BPMN defaults dropped), extension
    element and text, with namespace prefixes, attribute order and indentation not counting; of the
    diagram only which elements it draws (bpmn-js may re-lay labels). Two files with the same
    ``semantic`` run the same and show the same elements."""
    root = safexml.parse(content).getroot()
    model = tuple(_canonical(child, False) for child in root
                  if isinstance(child.tag, str) and not child.tag.startswith(f"{{{DI}}}"))
    drawn = sorted(element.get("bpmnElement") or "" for element in root.iter(f"{{{DI}}}*")
                   if element.get("bpmnElement"))
    return (root.tag, tuple(sorted(root.attrib.items())), model, tuple(drawn))


def passed_flows(content: bytes, nodes: set[str]) -> list[str]:
    """The sequence flows between nodes a run has passed (to mark its path on the diagram)."""
    try:
        root = safexml.parse(content).getroot()
    except ValueError:
        return []
    return sorted(flow.get("id") for flow in root.iter(f"{{{MODEL}}}sequenceFlow")
                  if flow.get("sourceRef") in nodes and flow.get("targetRef") in nodes and flow.get("id"))
