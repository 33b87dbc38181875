"""What deploy needs to find dead ends: waits nothing can reach, and the lanes human tasks sit in.

From the XML of a bundle's BPMN files:

- ``events``: the messages and signals the bundle throws (throw and end events, send tasks), and
  every place that catches one (intermediate catch and boundary events, receive tasks, start
  events), with whether the model marks it as sent from outside the platform: a property
  ``external`` = true on the catching event, or on the ``bpmn:message`` / ``bpmn:signal``;
- ``lanes``: each lane with the human tasks (user, manual and plain tasks) and start events in
  it, with their properties (a task may name its own role), so that deploy can refuse a lane whose
  tasks would reach nobody.

The platform decides reachability and roles (it knows the other deployed processes and the role
table); the engine only reads the models.
"""

from lxml import etree

from . import explain

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}
HUMAN = {"userTask", "manualTask", "task", "startEvent"}
_KINDS = {"messageEventDefinition": ("message", "messageRef"), "signalEventDefinition": ("signal", "signalRef")}
_CATCHING = {"intermediateCatchEvent", "boundaryEvent", "receiveTask", "startEvent"}
_THROWING = {"intermediateThrowEvent", "endEvent", "sendTask"}
TRUE = {"true", "yes", "1", "是"}


def properties(element) -> dict:
    found = element.xpath(
        "./bpmn:extensionElements/*[local-name()='properties']/*[local-name()='property']", namespaces=NS)
    return {p.get("name"): p.get("value") for p in found if p.get("name")}


def _definitions(root, kind: str) -> dict[str, etree._Element]:
    return {n.get("id"): n for n in root.iter(f"{{{BPMN}}}{kind}") if n.get("id")}


def _event_refs(node, defined):
    """(kind, name, definition element or None) for each message/signal the node refers to."""
    refs = []
    if explain.local(node) in ("sendTask", "receiveTask") and node.get("messageRef"):
        target = defined["message"].get(node.get("messageRef"))
        refs.append(("message", _name(target, node), target))
    for child in node:
        local = explain.local(child)
        if local in _KINDS:
            kind, attribute = _KINDS[local]
            target = defined[kind].get(child.get(attribute) or "")
            refs.append((kind, _name(target, node), target))
    return refs


def _name(definition, node) -> str | None:
    if definition is not None:
        return definition.get("name") or definition.get("id")
    return node.get("name")  # the engine names an unreferenced event after its element


def events(sources) -> dict:
    """{'throws': {'message': [...], 'signal': [...]}, 'catches': [{…}]} for the bundle's BPMN files."""
    throws = {"message": set(), "signal": set()}
    catches = []
    for source in sources:
        root = source.tree.getroot()
        defined = {kind: _definitions(root, kind) for kind in ("message", "signal")}
        for node in root.iter(f"{{{BPMN}}}*"):
            local = explain.local(node)
            if local not in _CATCHING | _THROWING:
                continue
            for kind, name, definition in _event_refs(node, defined):
                if local in _THROWING:
                    throws[kind].add(name)
                else:
                    catches.append(_catch(source.name, node, kind, name, definition))
    return {"throws": {k: sorted(v, key=str) for k, v in throws.items()}, "catches": catches}


def _catch(file: str, node, kind: str, name: str | None, definition) -> dict:
    marked = [properties(node).get("external")]
    if definition is not None:
        marked.append(properties(definition).get("external"))
    return {"id": node.get("id"), "tag": explain.qualified(node), "kind": kind, "name": name, "file": file,
            "line": node.sourceline, "start": explain.local(node) == "startEvent",
            "external": any((m or "").strip().lower() in TRUE for m in marked)}


def lanes(sources) -> list[dict]:
    """Each lane with the human tasks and start events in it."""
    found = []
    for source in sources:
        root = source.tree.getroot()
        nodes = {n.get("id"): n for n in root.iter(f"{{{BPMN}}}*") if n.get("id")}
        for lane in root.iter(f"{{{BPMN}}}lane"):
            refs = [(r.text or "").strip() for r in lane.findall("bpmn:flowNodeRef", NS)]
            members = [nodes[r] for r in refs if r in nodes and explain.local(nodes[r]) in HUMAN]
            found.append({
                "id": lane.get("id"), "name": lane.get("name") or lane.get("id"), "file": source.name,
                "line": lane.sourceline, "properties": properties(lane),
                "tasks": [{"id": m.get("id"), "properties": properties(m)} for m in members],
            })
    return found
