"""Messages and signals a case waits for, and delivering them from outside.

A catching element (intermediate catch event, boundary event, receive task, event-based gateway
branch) waits in the engine's event manager. The platform indexes what each case waits for, with
the values of the data keys the element names in its ``correlation`` property (comma-separated;
SpiffWorkflow's own correlation properties count too), so that ``POST /messages`` finds the one
case a message is for.
"""

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition

from .types import Waiting


def _definitions(task) -> list:
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _kind(definition) -> str | None:
    if isinstance(definition, MessageEventDefinition):
        return "message"
    if isinstance(definition, SignalEventDefinition):
        return "signal"
    return None


def correlation_keys(task) -> list[str]:
    properties = (getattr(task.task_spec, "extensions", None) or {}).get("properties") or {}
    return [k.strip() for k in str(properties.get("correlation") or "").split(",") if k.strip()]


def correlation_of(task) -> dict:
    """The values this waiting task correlates by: its declared data keys, and the engine's own
    correlation properties (flattened to property: value)."""
    values = {key: task.data.get(key) for key in correlation_keys(task) if key in task.data}
    for props in (task.workflow.correlations or {}).values():
        if isinstance(props, dict):
            values.update({k: v for k, v in props.items() if k not in values})
    return values


def _waiting_tasks(workflow) -> list:
    return list(workflow.top_workflow.event_manager.tasks.values())


def waiting(workflow) -> list[Waiting]:
    found = []
    for task in _waiting_tasks(workflow):
        for definition in _definitions(task):
            kind = _kind(definition)
            if kind is not None:
                found.append(Waiting(kind, definition.name, task.task_spec.bpmn_id,
                                     correlation_of(task) if kind == "message" else {}))
    return found


def _matches(task, correlation: dict) -> bool:
    have = correlation_of(task)
    return all(have.get(key) == value for key, value in correlation.items())


def message_catchers(workflow, name: str, correlation: dict) -> list:
    return [(task, d) for task in _waiting_tasks(workflow) for d in _definitions(task)
            if _kind(d) == "message" and d.name == name and _matches(task, correlation or {})]


def signal_catchers(workflow, name: str) -> list:
    return [(task, d) for task in _waiting_tasks(workflow) for d in _definitions(task)
            if _kind(d) == "signal" and d.name == name]


def deliver(workflow, task, definition, payload: dict) -> None:
    """Hand the event to one waiting task: with the model's message variable the payload lands
    there; without one it is merged into the task's data (and so flows on)."""
    if getattr(definition, "message_var", None) is None and isinstance(payload, dict):
        task.data.update(payload)
    if isinstance(definition, MessageEventDefinition):
        correlations = definition.calculate_correlations(
            workflow.script_engine, definition.correlation_properties, payload) if payload else {}
        event = BpmnEvent(definition, payload=payload, correlations=correlations)
    else:
        event = BpmnEvent(definition, payload=payload)
    task.task_spec.catch(task, event)
    task.task_spec._update(task)


def start_messages(spec) -> set[str]:
    """Names of the messages that start a case of this process (its message start events)."""
    from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

    names = set()
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent):
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(definition, MessageEventDefinition):
                names.add(definition.name)
    return names
