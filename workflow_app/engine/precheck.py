"""Checks on schema-valid BPMN that SpiffWorkflow does not make, or makes with a crash.

They run before the engine's parser sees a file, on the XML itself, so each refusal has the
element's line and id: other engines' extensions that would be silently ignored (``camunda:``,
``zeebe:``), missing ids and dangling references, empty timers, multi-instance loop data that an
editor dropped, business rule tasks without a decision, scripts that are empty or not Python.
"""

from collections.abc import Iterator

from lxml import etree

from . import explain, problems
from .problems import Issue

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
FLOW_NODES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess", "startEvent",
              "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
              "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway", "sequenceFlow"}
_DEFINITIONS = {"messageEventDefinition": ("messageRef", "message"), "signalEventDefinition": ("signalRef", "signal"),
                "errorEventDefinition": ("errorRef", "error"),
                "escalationEventDefinition": ("escalationRef", "escalation")}
_PYTHON = {"", "python", "text/python", "text/x-python", "application/x-python", "py"}

# Other engines' extensions that would change what a task does, and what to use here instead.
_LANES = ("use lanes: put the task in a lane named after a role (网格员 or grid_worker, …); lane properties "
          "scope_from / role_from pick the unit or the role from case data.",
          "请使用泳道：把任务放进以角色命名的泳道（如 网格员 或 grid_worker），用泳道属性 scope_from / role_from "
          "从案件数据中取单位或角色。")
_FORMS = ("use spiffworkflow:formJsonSchemaFilename naming a JSON Schema form in the bundle or in forms/.",
          "请使用 spiffworkflow:formJsonSchemaFilename，指向流程包或 forms/ 中的 JSON Schema 表单。")
_CODE = ("use a script task (Python), or a property effect naming a platform mechanism.",
         "请改用脚本任务（Python），或用属性 effect 指定平台机制。")
_DATA = ("prepare data in a script task or in spiffworkflow:preScript / postScript.",
         "请在脚本任务或 spiffworkflow:preScript / postScript 中准备数据。")
_DECISION = ("use spiffworkflow:calledDecisionId naming the decision id of a DMN file in the bundle.",
             "请使用 spiffworkflow:calledDecisionId，填写流程包中 DMN 文件的决策编号。")
_DUE = ('use property sla ("4 work_hours") or an interrupting boundary timer.',
        '请使用属性 sla（如 "4 work_hours"）或中断型边界定时器。')
ADVICE = {
    "formKey": _FORMS, "formRef": _FORMS, "formData": _FORMS, "formDefinition": _FORMS, "formField": _FORMS,
    "assignee": _LANES, "candidateGroups": _LANES, "candidateUsers": _LANES, "assignmentDefinition": _LANES,
    "class": _CODE, "delegateExpression": _CODE, "expression": _CODE, "resultVariable": _CODE, "type": _CODE,
    "topic": _CODE, "connector": _CODE, "taskDefinition": _CODE, "field": _CODE,
    "inputOutput": _DATA, "ioMapping": _DATA, "in": _DATA, "out": _DATA,
    "executionListener": _DATA, "taskListener": _DATA,
    "decisionRef": _DECISION, "calledDecision": _DECISION, "mapDecisionResult": _DECISION,
    "dueDate": _DUE, "followUpDate": _DUE,
}
ENGINES = {"http://camunda.org/schema/1.0/bpmn": "Camunda 7 (camunda:)", "http://camunda.org/schema/zeebe/1.0":
           "Camunda 8 (zeebe:)", "http://activiti.org/bpmn": "Activiti", "http://flowable.org/bpmn": "Flowable"}


def foreign(tree, name: str) -> list[Issue]:
    """Other engines' extensions that would be silently ignored (the engine can still parse the
    file, so these are reported together with the rest)."""
    return list(_extensions(tree, name))


def check(tree, name: str, decisions: set[str]) -> list[Issue]:
    """What the engine would crash on in one schema-valid BPMN file (``decisions``: the bundle's DMN ids)."""
    found: list[Issue] = []
    for checker in (_ids, _references, _timers, _multi_instances, _scripts, _spiff_extensions):
        found.extend(checker(tree, name))
    found.extend(_business_rules(tree, name, decisions))
    return found


def _issue(code, name, node, **params) -> Issue:
    return problems.issue(code, name, node.sourceline, node.get("id"), tag=explain.qualified(node), **params)


def _extensions(tree, name) -> Iterator[Issue]:
    for node in tree.getroot().iter():
        if not isinstance(node.tag, str):
            continue
        owner = _owner(node)
        for attribute in node.attrib:
            qname = etree.QName(attribute)
            if qname.namespace in ENGINES and qname.localname in ADVICE:
                yield _foreign(name, owner, qname, f"{_prefix(qname)}:{qname.localname}=\"{node.get(attribute)}\"")
        qname, parent = etree.QName(node), node.getparent()
        inside = parent is not None and etree.QName(parent).namespace in ENGINES
        if qname.namespace in ENGINES and qname.localname in ADVICE and not inside:
            yield _foreign(name, owner, qname, f"<{_prefix(qname)}:{qname.localname}>", node.sourceline)


def _owner(node):
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _prefix(qname) -> str:
    return "camunda" if "1.0/bpmn" in qname.namespace else ("zeebe" if "zeebe" in qname.namespace else "ext")


def _foreign(name, owner, qname, what: str, line: int | None = None) -> Issue:
    en, zh = ADVICE[qname.localname]
    element = owner.get("id") if owner is not None else None
    return problems.issue("camunda.extension", name, line or (owner.sourceline if owner is not None else None),
                          element, what=f"{what} ({element})" if element else what, engine=ENGINES[qname.namespace],
                          advice_en=en, advice_zh=zh)


def _ids(tree, name) -> Iterator[Issue]:
    for node in tree.getroot().iter(f"{{{BPMN}}}*"):
        if explain.local(node) in FLOW_NODES | {"process", "lane"} and not node.get("id"):
            yield problems.issue("element.no_id", name, node.sourceline, None, tag=explain.qualified(node))
            return


def _references(tree, name) -> Iterator[Issue]:
    root = tree.getroot()
    ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        for attribute in ("sourceRef", "targetRef"):
            if flow.get(attribute) and flow.get(attribute) not in ids:
                yield _issue("ref.missing", name, flow, attribute=attribute, target=flow.get(attribute))
    for event in root.iter(f"{{{BPMN}}}boundaryEvent"):
        if event.get("attachedToRef") not in ids:
            yield _issue("ref.missing", name, event, attribute="attachedToRef", target=event.get("attachedToRef"))
    for node in root.iter(f"{{{BPMN}}}*"):
        if node.get("default") and node.get("default") not in ids:
            yield _issue("ref.missing", name, node, attribute="default", target=node.get("default"))
    yield from _definition_refs(root, name)


def _definition_refs(root, name) -> Iterator[Issue]:
    for local, (attribute, kind) in _DEFINITIONS.items():
        defined = {n.get("id") for n in root.iter(f"{{{BPMN}}}{kind}")}
        for definition in root.iter(f"{{{BPMN}}}{local}"):
            target = definition.get(attribute)
            if target and target not in defined:
                event = definition.getparent()
                yield problems.issue("ref.definition", name, definition.sourceline, event.get("id"),
                                     tag=explain.qualified(event), kind=kind, target=target)


def _timers(tree, name) -> Iterator[Issue]:
    for event in tree.getroot().iter(f"{{{BPMN}}}boundaryEvent"):
        if not any(explain.local(c).endswith("EventDefinition") for c in event):
            yield _issue("event.boundary_none", name, event)
    for definition in tree.getroot().iter(f"{{{BPMN}}}timerEventDefinition"):
        event = definition.getparent()
        parts = [c for c in definition if explain.local(c) in ("timeDate", "timeDuration", "timeCycle")]
        if not parts:
            yield problems.issue("timer.none", name, definition.sourceline, event.get("id"))
        for part in parts:
            if not (part.text or "").strip():
                yield problems.issue("timer.empty", name, part.sourceline, event.get("id"),
                                     kind=f"bpmn:{explain.local(part)}")


def _multi_instances(tree, name) -> Iterator[Issue]:
    for loop in tree.getroot().iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"):
        task = loop.getparent()
        issue = _multi_instance(loop, task, name)
        if issue is not None:
            yield issue


_MI_PARTS = ("loopCardinality", "loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem",
             "completionCondition")


def _multi_instance(loop, task, name) -> Issue | None:
    line, element = loop.sourceline, task.get("id")
    parts = {local: loop.find(f"bpmn:{local}", NS) for local in _MI_PARTS}
    for local in ("loopCardinality", "loopDataInputRef", "loopDataOutputRef", "completionCondition"):
        if parts[local] is not None and not (parts[local].text or "").strip():
            return problems.issue("mi.empty", name, parts[local].sourceline, element, part=f"bpmn:{local}")
    for local in ("inputDataItem", "outputDataItem"):
        if parts[local] is not None and not (parts[local].get("id") or parts[local].get("name")):
            return problems.issue("mi.item_unnamed", name, parts[local].sourceline, element, part=f"bpmn:{local}")
    return _loop_data(parts, loop, task, name, line, element)


def _loop_data(parts, loop, task, name, line, element) -> Issue | None:
    collection, item = parts["loopDataInputRef"], parts["inputDataItem"]
    output, output_item = parts["loopDataOutputRef"], parts["outputDataItem"]
    if parts["loopCardinality"] is None and collection is None:
        return problems.issue("mi.no_input", name, line, element)
    if collection is not None and item is None:
        return problems.issue("mi.input_no_item", name, line, element, target=collection.text.strip())
    if output_item is not None and output is None:
        return problems.issue("mi.output_lost", name, line, element, item=_item_name(output_item))
    if output is not None and output_item is None:
        return problems.issue("mi.output_no_item", name, line, element, target=output.text.strip())
    if item is not None and output is None:
        code = "mi.sequential_no_output" if loop.get("isSequential") == "true" else "mi.parallel_no_output"
        return problems.issue(code, name, line, element, item=_item_name(item))
    return None


def _item_name(item) -> str:
    return item.get("name") or item.get("id")


def _scripts(tree, name) -> Iterator[Issue]:
    for task in tree.getroot().iter(f"{{{BPMN}}}scriptTask"):
        language = (task.get("scriptFormat") or "").strip().lower()
        if language not in _PYTHON:
            yield _issue("script.language", name, task, language=task.get("scriptFormat"))
            continue
        script = task.find("bpmn:script", NS)
        if script is None or not (script.text or "").strip():
            yield _issue("script.missing", name, task)


# SpiffWorkflow extension elements and the attributes its parser reads without a default.
_SPIFF_REQUIRED = {"property": ("name", "value"), "taskMetadataValue": ("name",), "unitTest": ("id",),
                   "serviceTaskOperator": ("id",)}


def _spiff_extensions(tree, name) -> Iterator[Issue]:
    for node in tree.getroot().iter(f"{{{SPIFF}}}*"):
        local = explain.local(node)
        missing = [a for a in _SPIFF_REQUIRED.get(local, ()) if node.get(a) is None]
        if local == "parameter" and node.get("value") is not None:
            missing = [a for a in ("id", "type") if node.get(a) is None]
        if missing:
            owner = _owner(node)
            yield problems.issue("extension.incomplete", name, node.sourceline,
                                 owner.get("id") if owner is not None else None, tag=f"spiffworkflow:{local}",
                                 attribute=missing[0])


def _decision_ref(task) -> str | None:
    found = task.find(f"bpmn:extensionElements/{{{SPIFF}}}calledDecisionId", NS)
    return (found.text or "").strip() or None if found is not None else None


def _business_rules(tree, name, decisions: set[str]) -> Iterator[Issue]:
    available = sorted(decisions) or ["-"]
    for task in tree.getroot().iter(f"{{{BPMN}}}businessRuleTask"):
        ref = _decision_ref(task)
        if ref is None:
            yield _issue("decision.no_ref", name, task, found=available)
        elif ref not in decisions:
            yield _issue("decision.missing", name, task, target=ref, found=available)


def call_targets(tree, name, processes: set[str]) -> Iterator[Issue]:
    """Call activities whose process is missing from the bundle."""
    for call in tree.getroot().iter(f"{{{BPMN}}}callActivity"):
        target = (call.get("calledElement") or "").strip()
        if not target:
            yield _issue("call.no_target", name, call)
        elif target not in processes:
            yield _issue("call.missing", name, call, target=target, found=sorted(processes))
