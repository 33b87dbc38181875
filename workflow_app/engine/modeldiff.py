"""What changed between two versions of a model file, for the designer's comparisons and rebases.

BPMN flow elements (tasks, events, gateways, sequence flows, sub-processes, artifacts) are compared
by id: present only in the new file = added, only in the old = removed, in both with different
content = changed. Layout (the diagram interchange part) does not count; a sub-process is compared
without the elements inside it (those are compared on their own). DMN files are compared the same
way by their decision table's columns and rules; any other file by its lines.
"""

import difflib
from dataclasses import dataclass, field

from lxml import etree

from . import safexml

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


DMN_TABLE_PARTS = {"input", "output", "rule"}
MAX_DIFF_LINES = 200


def dmn_elements(content: bytes) -> dict[str, bytes]:
    """Each decision table column and rule by id, with a canonical form of its content."""
    tree = safexml.parse(content)
    found: dict[str, bytes] = {}
    for table in tree.iter("{*}decisionTable"):
        for child in table:
            if _local(child) in DMN_TABLE_PARTS and child.get("id"):
                found[child.get("id")] = repr(_canonical(child, False)).encode()
    return found


def _compare_by(reader, old: bytes, new: bytes) -> Diff:
    before, after = reader(old), reader(new)
    return Diff(added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after)),
                changed=sorted(k for k in set(before) & set(after) if before[k] != after[k]))


@dataclass
class FileChange:
    """One file that differs between two bundles."""

    name: str
    change: str  # added, removed, changed
    elements: Diff = field(default_factory=Diff)
    lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"name": self.name, "change": self.change, "added": self.elements.added,
                "removed": self.elements.removed, "changed": self.elements.changed, "diff": self.lines}


def _elements(name: str, old: bytes, new: bytes) -> Diff:
    lower = name.lower()
    reader = flow_elements if lower.endswith((".bpmn", ".bpmn20.xml")) else (
        dmn_elements if lower.endswith(".dmn") else None)
    if reader is None:
        return Diff()
    try:
        return _compare_by(reader, old, new)
    except (ValueError, etree.LxmlError):  # an unreadable file: its lines still show what changed
        return Diff()


def _lines(name: str, old: bytes, new: bytes) -> list[str]:
    text = difflib.unified_diff(old.decode("utf-8", "replace").splitlines(), new.decode("utf-8", "replace")
                                .splitlines(), fromfile=f"a/{name}", tofile=f"b/{name}", lineterm="", n=2)
    lines = list(text)
    return lines[:MAX_DIFF_LINES] + ([f"… {len(lines) - MAX_DIFF_LINES} more lines"]
                                     if len(lines) > MAX_DIFF_LINES else [])


def bundle_changes(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileChange]:
    """Every file added, removed or changed from bundle ``old`` to bundle ``new`` (name -> content)."""
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        change = "added" if before is None else ("removed" if after is None else "changed")
        elements = _elements(name, before or b"", after or b"") if change == "changed" else Diff()
        changes.append(FileChange(name, change, elements, _lines(name, before or b"", after or b"")))
    return changes
