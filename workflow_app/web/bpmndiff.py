"""What changed between two BPMN files, element by element, for the designer's side-by-side view.

Flow elements (tasks, events, gateways, sequence flows, sub-processes, artifacts) are compared by
id: present only in the new file = added, only in the old = removed, in both with different
content = changed. Layout (the diagram interchange part) does not count; a sub-process is compared
without the elements inside it (those are compared on their own)."""

from dataclasses import dataclass, field

from lxml import etree

from ..engine import safexml

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
# Attributes at their BPMN default are the same as absent (the modeler drops them on export).
DEFAULTS = {"cancelActivity": "true", "isInterrupting": "true", "parallelMultiple": "false", "instantiate": "false",
            "isForCompensation": "false", "completionQuantity": "1", "startQuantity": "1",
            "gatewayDirection": "Unspecified",
            "{http://www.w3.org/2001/XMLSchema-instance}type": "bpmn:tFormalExpression"}
NOT_FLOW = {"laneSet", "documentation", "extensionElements", "ioSpecification", "property", "dataInputAssociation",
            "dataOutputAssociation"}


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _is_flow(element) -> bool:
    return (isinstance(element.tag, str) and etree.QName(element).namespace == MODEL and element.get("id")
            and _local(element) not in NOT_FLOW)


def _canonical(element, skip_flow: bool) -> tuple:
    """Namespace-qualified name, attributes, trimmed text and children: prefixes, attribute order
    and indentation (which the modeler rewrites) do not matter."""
    children = tuple(_canonical(child, False) for child in element
                     if isinstance(child.tag, str) and not (skip_flow and _is_flow(child)))
    attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if DEFAULTS.get(k) != v))
    return (element.tag, attributes, (element.text or "").strip(), children)


def _signature(element) -> bytes:
    return repr(_canonical(element, _local(element) in CONTAINERS)).encode()


def flow_elements(content: bytes) -> dict[str, bytes]:
    """Each flow element's id and a canonical form of its content."""
    tree = safexml.parse(content)
    found: dict[str, bytes] = {}
    for container in tree.iter(f"{{{MODEL}}}*"):
        if _local(container) not in CONTAINERS:
            continue
        for child in container:
            if _is_flow(child):
                found[child.get("id")] = _signature(child)
    return found


def compare(old: bytes, new: bytes) -> Diff:
    """Added, removed and changed flow elements from ``old`` to ``new`` (ids, sorted)."""
    before, after = flow_elements(old), flow_elements(new)
    return Diff(added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after)),
                changed=sorted(k for k in set(before) & set(after) if before[k] != after[k]))
