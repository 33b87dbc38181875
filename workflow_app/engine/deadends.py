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

import contextlib
import re
from dataclasses import dataclass, field

from lxml import etree

from . import explain, lint, problems, safexml

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


# --- data flow: conditions and scripts that read what nothing sets ---------------------------------
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_HUMAN_TASKS = {"userTask", "manualTask", "task"}
_CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
_EXPRESSIONS = ("conditionExpression", "timeDate", "timeDuration", "timeCycle", "loopCardinality",
                "completionCondition", "formalExpression")
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def decision_outputs(files) -> dict[str, list[str]]:
    """Decision id -> the variables its table sets (each output's name, else label; of a dotted
    name the first part), for the DMN files among (name, content, kind) ``files``."""
    found = {}
    for _name, content, kind in files:
        if kind != "dmn":
            continue
        try:
            root = safexml.parse(content).getroot()
        except (ValueError, etree.LxmlError):
            continue
        for decision in root.iter("{*}decision"):
            outputs = [(o.get("name") or o.get("label") or "").split(".")[0].strip()
                       for o in decision.iterfind("{*}decisionTable/{*}output")]
            found[decision.get("id")] = [o for o in outputs if o]
    return found


@dataclass
class Reader:
    """A condition or script and the variables it reads."""

    file: str
    line: int | None
    node: str  # the flow node it belongs to (a condition: the gateway its flow leaves)
    what: str  # condition, script, pre-script, post-script
    tag: str
    names: set[str]


@dataclass
class _Model:
    nodes: dict = field(default_factory=dict)  # id -> element
    before: dict = field(default_factory=dict)  # id -> ids with a direct path into it
    settable: set = field(default_factory=set)
    mentioned: set = field(default_factory=set)
    open: set = field(default_factory=set)  # nodes through which any data may enter
    readers: list = field(default_factory=list)
    rules: dict = field(default_factory=dict)  # businessRuleTask id -> decision id


def _spiff(node, name: str) -> str | None:
    found = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}{name}")
    return (found.text or "").strip() or None if found is not None else None


def _edges(model: _Model, roots) -> None:
    """Which node leads to which: sequence flows, a task to its boundary events, a sub-process
    or call activity into its start events and out of its end events to what follows it."""
    after: dict[str, set[str]] = {}
    for root in roots:
        for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
            _link(after, flow.get("sourceRef"), flow.get("targetRef"))
        for event in root.iter(f"{{{BPMN}}}boundaryEvent"):
            _link(after, event.get("attachedToRef"), event.get("id"))
    processes = {p.get("id"): p for root in roots for p in root.iter(f"{{{BPMN}}}process")}
    for root in roots:
        for node in root.iter(f"{{{BPMN}}}*"):
            local = explain.local(node)
            inner = node if local in _CONTAINERS else (
                processes.get(node.get("calledElement")) if local == "callActivity" else None)
            if inner is not None:
                _nest(after, node.get("id"), inner)
    for source, targets in after.items():
        for target in targets:
            model.before.setdefault(target, set()).add(source)


def _link(after: dict, source: str | None, target: str | None) -> None:
    if source and target:
        after.setdefault(source, set()).add(target)


def _nest(after: dict, outer: str, inner) -> None:
    leaving = set(after.get(outer, ()))
    for child in inner:
        if explain.local(child) == "startEvent" or child.get("triggeredByEvent") == "true":
            _link(after, outer, child.get("id"))
        if explain.local(child) == "endEvent":
            for target in leaving:
                _link(after, child.get("id"), target)


def _upstream(model: _Model, node: str) -> set[str]:
    seen, queue = set(), [node]
    while queue:
        for previous in model.before.get(queue.pop(), ()):
            if previous not in seen:
                seen.add(previous)
                queue.append(previous)
    return seen


def _form_fields(document, found: set[str], depth: int = 0) -> None:
    if depth > 12:
        return
    if isinstance(document, dict):
        properties = document.get("properties")
        if isinstance(properties, dict):
            found.update(k for k in properties if isinstance(k, str))
        for value in document.values():
            _form_fields(value, found, depth + 1)
    elif isinstance(document, list):
        for value in document:
            _form_fields(value, found, depth + 1)


# Start properties of processes the platform starts with data of its own (scheduled, internal).
_PLATFORM_STARTS = {"internal", "schedule"}


def _platform_data(start, has_form: bool) -> bool:
    """Whether a top-level start may bring data no form lists: no start form, an event start
    (timer, message, signal), or a start the platform makes."""
    events = [c for c in start if explain.local(c).endswith("EventDefinition")]
    return not has_form or bool(events) or bool(_PLATFORM_STARTS & set(properties(start)))


def _node_data(model: _Model, node, top_level: set[str]) -> None:
    """What one flow node sets, reads, and whether any data may enter through it."""
    local, ident = explain.local(node), node.get("id")
    variable = _spiff(node, "variableName")
    model.settable.update(v for v in (variable,) if v)
    has_form = bool(_spiff(node, "formJsonSchemaFilename"))
    if local in _HUMAN_TASKS and not has_form and not variable:
        model.open.add(ident)
    if local == "startEvent" and node.getparent().get("id") in top_level and _platform_data(node, has_form):
        model.open.add(ident)
    for definition in node:
        if explain.local(definition) in ("messageEventDefinition", "signalEventDefinition"):
            message_variable = _spiff(definition, "messageVariable") or (
                definition.findtext(f"{{{SPIFF}}}messageVariable") or "").strip()
            model.settable.update(v for v in (message_variable,) if v)
            if not message_variable:
                model.open.add(ident)
    if local == "receiveTask" and not node.find(f"{{{BPMN}}}messageEventDefinition"):
        model.open.add(ident)
    if local == "businessRuleTask" and _spiff(node, "calledDecisionId"):
        model.rules[ident] = _spiff(node, "calledDecisionId")
    operator = node.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}serviceTaskOperator")
    if operator is not None:
        model.settable.add(operator.get("resultVariable") or f"spiff__{ident}_result")
    scripts = [("script", node.findtext(f"{{{BPMN}}}script"))] if local == "scriptTask" else []
    scripts += [("pre-script", _spiff(node, "preScript")), ("post-script", _spiff(node, "postScript"))]
    for what, source in scripts:
        if source and source.strip():
            model.settable.update(lint.names_set(source))
            model.readers.append(Reader("", node.sourceline, ident, what, explain.qualified(node),
                                        lint.names_read(source, "exec")))


def _data_names(model: _Model, root) -> None:
    """Data objects, multi-instance items and collections, properties and other named data."""
    for node in root.iter(f"{{{BPMN}}}*"):
        local = explain.local(node)
        if local in ("dataObject", "dataObjectReference", "dataStoreReference", "dataInput", "dataOutput",
                     "inputDataItem", "outputDataItem", "property"):
            model.settable.update(v for v in (node.get("id"), node.get("name")) if v)
        elif local in ("loopDataInputRef", "loopDataOutputRef"):
            model.settable.add((node.text or "").strip())
            model.mentioned.add((node.text or "").strip())
        if local in _EXPRESSIONS and (node.text or "").strip():
            model.mentioned |= lint.names_read(node.text, "eval")
    for node in root.iter(f"{{{SPIFF}}}*"):
        local = explain.local(node)
        if local in ("preScript", "postScript") or (local == "script" and node.text):
            model.mentioned |= lint.names_read(node.text or "", "exec")
        elif local in ("messagePayload", "instructionsForEndUser"):
            model.mentioned.update(_TOKEN.findall(node.text or ""))
        for attribute in ("value", "resultVariable"):
            model.mentioned.update(_TOKEN.findall(node.get(attribute) or ""))


def _conditions(model: _Model, file: str, root) -> None:
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN}}}conditionExpression")
        if condition is None or not (condition.text or "").strip():
            continue
        source = model.nodes.get(flow.get("sourceRef"))
        model.readers.append(Reader(file, condition.sourceline, flow.get("sourceRef"), "condition",
                                    explain.qualified(source) if source is not None else "bpmn:sequenceFlow",
                                    lint.names_read(condition.text, "eval")))


def _roots(files) -> dict:
    roots = {}
    for name, content, kind in files:
        if kind == "bpmn":
            with contextlib.suppress(ValueError, etree.LxmlError):
                roots[name] = safexml.parse(content).getroot()
    return roots


def _model(files, forms: dict, decisions: dict[str, list[str]]) -> _Model:
    model, roots = _Model(), _roots(files)
    called = {c.get("calledElement") for root in roots.values() for c in root.iter(f"{{{BPMN}}}callActivity")}
    top_level = {p.get("id") for root in roots.values() for p in root.iter(f"{{{BPMN}}}process")} - called
    for root in roots.values():
        for node in root.iter(f"{{{BPMN}}}*"):
            if node.get("id"):
                model.nodes.setdefault(node.get("id"), node)
    _edges(model, list(roots.values()))
    for name, root in roots.items():
        start = len(model.readers)
        for node in root.iter(f"{{{BPMN}}}*"):
            if node.get("id"):
                _node_data(model, node, top_level)
        for reader in model.readers[start:]:
            reader.file = name
        _data_names(model, root)
        _conditions(model, name, root)
    for outputs in decisions.values():
        model.settable.update(outputs)
    for document in forms.values():
        _form_fields(document, model.settable)
    model.mentioned |= model.settable - {o for outputs in decisions.values() for o in outputs}
    for reader in model.readers:
        model.mentioned |= reader.names
    return model


def _dmn_inputs(files) -> set[str]:
    """What the decision tables' input expressions read (one decision may read another's output)."""
    found: set[str] = set()
    for _name, content, kind in files:
        if kind != "dmn":
            continue
        with contextlib.suppress(ValueError, etree.LxmlError):
            for text in safexml.parse(content).getroot().iterfind(".//{*}inputExpression/{*}text"):
                found |= lint.names_read(text.text or "", "eval")
    return found


_READER = {"condition": ("The condition of {tag} {node}", "{tag} {node} 的条件"),
           "script": ("The script of {tag} {node}", "{tag} {node} 的脚本"),
           "pre-script": ("The pre-script of {tag} {node}", "{tag} {node} 的前置脚本"),
           "post-script": ("The post-script of {tag} {node}", "{tag} {node} 的后置脚本")}
_TAGS_ZH = {"exclusiveGateway": "网关", "inclusiveGateway": "网关", "complexGateway": "网关", "scriptTask": "脚本任务",
            "userTask": "用户任务", "businessRuleTask": "决策任务", "serviceTask": "服务任务"}


def _reader_words(reader: Reader) -> dict:
    en, zh = _READER[reader.what]
    local = reader.tag.split(":")[-1]
    return {"reader_en": en.format(tag=reader.tag, node=reader.node),
            "reader_zh": zh.format(tag=_TAGS_ZH.get(local, reader.tag), node=reader.node)}


def data_flow(files, forms: dict, known: set[str], previous: dict[str, list[str]] | None = None):
    """(errors, warnings) for the conditions and scripts of (name, content, kind) ``files`` that
    read a variable nothing can set. ``forms``: the referenced forms (name -> JSON schema);
    ``known``: the names every script sees (functions, builtins, platform keys); ``previous``:
    decision id -> outputs of the version this bundle replaces.

    A name is set by a decision's output, a form field, a script, a data object, a multi-instance
    item, a message variable or a service result. For a condition or script reading a name none
    of those set: where a decision upstream of it *had* that output in the replaced version, its
    output was renamed: an error. Where such a decision has an output nothing reads, it most
    likely was: an error, unless data may enter on the way (a task without a form, a start without
    a form or made by the platform, a message without a variable), then a warning. Otherwise,
    where no data may enter on the way, nothing can set the name: a warning."""
    decisions = decision_outputs(files)
    model = _model(files, forms, decisions)
    model.mentioned |= _dmn_inputs(files)
    errors, warnings = [], []
    for reader in model.readers:
        unknown = sorted(reader.names - model.settable - known)
        if not unknown:
            continue
        upstream = _upstream(model, reader.node)
        open_way = bool(upstream & model.open) or reader.node in model.open
        rules = [(_named(model, task), model.rules[task]) for task in sorted(upstream) if task in model.rules]
        for name in unknown:
            found, was = _renamed(reader, name, rules, decisions, previous or {}, model.mentioned)
            if found is not None:
                (warnings if open_way and not was else errors).append(found)
            elif not open_way:
                warnings.append(problems.issue("data.unset", reader.file, reader.line, reader.node, name=name,
                                               **_reader_words(reader)))
    return errors, warnings


def _named(model: _Model, node_id: str) -> str:
    """A task as designers see it: its name and id (分级研判 (grade))."""
    name = (model.nodes[node_id].get("name") or "").strip() if node_id in model.nodes else ""
    return f"{name} ({node_id})" if name and name != node_id else node_id


def _renamed(reader: Reader, name: str, rules, decisions, previous, mentioned):
    """(issue, whether the replaced version's decision had it) for a decision upstream of
    ``reader`` that had, or by all signs should have, output ``name``; (None, False) if none."""
    for task, decision in rules:
        outputs = decisions.get(decision)
        if outputs is None or name in outputs:
            continue
        unread = [o for o in outputs if o not in mentioned]
        was = name in (previous.get(decision) or ())
        if was or unread:
            now = ", ".join(f"'{o}'" for o in (unread or outputs)) or "-"
            return problems.issue("data.decision_output", reader.file, reader.line, reader.node, name=name,
                                  decision=decision, task=task, now=now, **_reader_words(reader)), was
    return None, False
