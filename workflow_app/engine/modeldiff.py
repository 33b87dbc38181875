"""What changed between two versions of a model file, for the designer's comparisons and rebases.

BPMN flow elements (tasks, events, gateways, sequence flows, sub-processes, artifacts) are compared
by id: present only in the new file = added, only in the old = removed, in both with different
content = changed. Layout (the diagram interchange part) does not count; a sub-process is compared
without the elements inside it (those are compared on their own). DMN files are compared the same
way by their decision table's columns and rules; any other file by its lines. Whether a file
changed at all is decided on what it means (``canonical``), not on its bytes.
"""

import difflib
import json
from dataclasses import dataclass, field

from lxml import etree

from . import safexml

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
# Attributes at their BPMN default are the same as absent (the modeler drops them on export).
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
DEFAULTS = {"cancelActivity": "true", "isInterrupting": "true", "parallelMultiple": "false", "instantiate": "false",
            "isForCompensation": "false", "completionQuantity": "1", "startQuantity": "1",
            "gatewayDirection": "Unspecified", XSI_TYPE: "bpmn:tFormalExpression",
            # DMN: dmn-js drops the default hit policy and orientation on save
            "hitPolicy": "UNIQUE", "preferredOrientation": "Rule-as-Row"}
# Namespaces as the canonical form names them, whatever prefix a file gives them.
NS_LABELS = {MODEL: "bpmn", "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
             "http://www.omg.org/spec/DD/20100524/DC": "dc", "http://www.omg.org/spec/DD/20100524/DI": "di",
             "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow",
             "http://www.w3.org/2001/XMLSchema-instance": "xsi", "http://www.w3.org/XML/1998/namespace": "xml",
             "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "dmn",
             "http://www.omg.org/spec/DMN/20180521/MODEL/": "dmn",
             "https://www.omg.org/spec/DMN/20191111/MODEL/": "dmn"}
# Diagram interchange (layout) and what modelers stamp on a file: no part of what it means.
LAYOUT = {"{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram", "{http://www.omg.org/spec/DMN/20180521/DMNDI/}DMNDI",
          "{https://www.omg.org/spec/DMN/20191111/DMNDI/}DMNDI"}
STAMPS = {"exporter", "exporterVersion"}
NOT_FLOW = {"laneSet", "documentation", "extensionElements", "ioSpecification", "property", "dataInputAssociation",
            "dataOutputAssociation"}


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # id -> what people call it (name, label)

    def label(self, element_id: str) -> str:
        return self.labels.get(element_id) or element_id

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _is_flow(element) -> bool:
    return (isinstance(element.tag, str) and etree.QName(element).namespace == MODEL and element.get("id")
            and _local(element) not in NOT_FLOW)


def _attributes(element) -> tuple:
    """The attributes that mean something, sorted: those at their default dropped, an
    ``xsi:type`` written with whichever prefix the file binds to its namespace."""
    found = []
    for key, value in element.attrib.items():
        if key == XSI_TYPE and ":" in value:
            prefix, _sep, local = value.partition(":")
            uri = element.nsmap.get(prefix)
            value = f"{NS_LABELS.get(uri, prefix)}:{local}" if uri else value
        if DEFAULTS.get(key) != value:
            found.append((key, value))
    return tuple(sorted(found))


def _canonical(element, skip_flow: bool) -> tuple:
    """Namespace-qualified name, attributes, trimmed text and children: prefixes, attribute order
    and indentation (which the modeler rewrites) do not matter."""
    children = tuple(_canonical(child, False) for child in element
                     if isinstance(child.tag, str) and not (skip_flow and _is_flow(child)))
    return (element.tag, _attributes(element), (element.text or "").strip(), children)


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
    return _compare_by(flow_elements, old, new)


def _text(element, path: str) -> str:
    found = element.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""


def element_labels(content: bytes) -> dict[str, str]:
    """Each element's name as people read it: a BPMN element's ``name``; a decision table's column
    by its label (or name, or expression), a rule by its number and description."""
    try:
        root = safexml.parse(content).getroot()
    except ValueError:
        return {}
    labels = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.get("id"):
            continue
        kind = _local(element)
        if kind == "input":
            labels[element.get("id")] = element.get("label") or _text(element, "{*}inputExpression/{*}text")
        elif kind == "output":
            labels[element.get("id")] = element.get("label") or element.get("name") or ""
        elif kind == "rule":
            number = sum(1 for sibling in element.itersiblings(preceding=True) if _local(sibling) == "rule") + 1
            about = _text(element, "{*}description")
            labels[element.get("id")] = f"规则 {number}" + (f"（{about}）" if about else "")
        elif element.get("name"):
            labels[element.get("id")] = " ".join(element.get("name").split())
    return {k: v for k, v in labels.items() if v}


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
                changed=sorted(k for k in set(before) & set(after) if before[k] != after[k]),
                labels={**element_labels(old), **element_labels(new)})


@dataclass
class FileChange:
    """One file that differs between two bundles."""

    name: str
    change: str  # added, removed, changed
    elements: Diff = field(default_factory=Diff)
    lines: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"name": self.name, "change": self.change, "added": self.elements.added,
                "removed": self.elements.removed, "changed": self.elements.changed, "diff": self.lines,
                "labels": {k: self.elements.labels[k] for k in (*self.elements.added, *self.elements.removed,
                                                                  *self.elements.changed) if k in self.elements.labels}}


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


# --- what a file means, as lines (quoting, spacing, attribute order, prefixes not counting) -------
def _label(name: str) -> str:
    qname = etree.QName(name)
    if qname.namespace is None:
        return qname.localname
    label = NS_LABELS.get(qname.namespace)
    return f"{label}:{qname.localname}" if label else f"{{{qname.namespace}}}{qname.localname}"


def _xml_lines(element, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    attributes = [(k, v) for k, v in _attributes(element) if not (depth == 0 and k in STAMPS)]
    shown = " ".join(f'{_label(k)}="{v}"' for k, v in attributes)
    out.append(f"{pad}<{_label(element.tag)}{' ' + shown if shown else ''}>")
    text = (element.text or "").strip()
    out.extend(f"{pad}  | {line}" for line in text.splitlines() if text)
    for child in element:
        if isinstance(child.tag, str) and child.tag not in LAYOUT:
            _xml_lines(child, depth + 1, out)
        tail = (child.tail or "").strip()
        out.extend(f"{pad}  | {line}" for line in tail.splitlines() if tail)


def canonical(name: str, content: bytes) -> list[str] | None:
    """The file as lines of what it means: for BPMN and DMN every element with its attributes
    (sorted, defaults and modeler stamps dropped, namespaces by a fixed name) and trimmed text,
    without comments, the XML declaration or the diagram's layout; for a form its JSON re-indented
    (key order kept: it is the order of the fields). None when the file cannot be read."""
    lower = name.lower()
    try:
        if lower.endswith(".json"):
            return json.dumps(json.loads(content), ensure_ascii=False, indent=2).splitlines()
        if lower.endswith((".bpmn", ".bpmn20.xml", ".dmn")):
            out: list[str] = []
            _xml_lines(safexml.parse(content).getroot(), 0, out)
            return out
    except (ValueError, UnicodeDecodeError, etree.LxmlError):
        return None
    return None


def _canonical_lines(name: str, before: list[str], after: list[str]) -> list[str]:
    lines = list(difflib.unified_diff(before, after, fromfile=f"a/{name}", tofile=f"b/{name}", lineterm="", n=2))
    return lines[:MAX_DIFF_LINES] + ([f"… {len(lines) - MAX_DIFF_LINES} more lines"]
                                     if len(lines) > MAX_DIFF_LINES else [])


def bundle_changes(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileChange]:
    """Every file added, removed or changed in meaning from bundle ``old`` to bundle ``new``
    (name -> content): a file re-saved with other quoting, spacing, attribute order, namespace
    prefixes or XML declaration is not changed, and a changed one's lines are of what it means."""
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        change = "added" if before is None else ("removed" if after is None else "changed")
        if change == "changed":
            meant_before, meant_after = canonical(name, before), canonical(name, after)
            if meant_before is not None and meant_after is not None:
                if meant_before == meant_after:
                    continue
                changes.append(FileChange(name, change, _elements(name, before, after),
                                          _canonical_lines(name, meant_before, meant_after)))
                continue
        elements = _elements(name, before or b"", after or b"") if change == "changed" else Diff()
        changes.append(FileChange(name, change, elements, _lines(name, before or b"", after or b"")))
    return changes
