"""Serialisation with the spec kept apart from instance state.

The stock serializer embeds the whole spec in every instance (about half its size) and re-reads
it on every restore. Here the spec is serialised once per process version, restored once per
process (and cached by the caller), and instance state is stored without it, as JSON text whose
key order is preserved (the engine's delta encoding depends on it: never a binary JSON column).
"""

import hashlib
import json
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG


class _SplitWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out on the way out; takes already-restored specs on the way in."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs", {})
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry():
    registry = BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, BpmnWorkflow: _SplitWorkflowConverter})
    return registry


_SERIALIZER = BpmnWorkflowSerializer(_registry())
VERSION = _SERIALIZER.VERSION


class LoadedSpec:
    """A process version's specs, restored once and shared by every run of that version."""

    __slots__ = ("spec", "subprocess_specs", "manifest", "key", "spec_json")

    def __init__(self, spec, subprocess_specs, manifest, key: str = "", spec_json: str = ""):
        self.spec = spec
        self.subprocess_specs = subprocess_specs
        self.manifest = manifest
        self.key = key  # the content hash of spec_json: what an engine worker caches it by
        self.spec_json = spec_json


def dump_spec(spec, subprocess_specs) -> str:
    return json.dumps({
        "spec": _SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: _SERIALIZER.to_dict(s) for name, s in subprocess_specs.items()},
    })


def load_spec(spec_json: str, manifest: dict) -> LoadedSpec:
    dct = json.loads(spec_json)  # from_dict mutates its input: always a fresh dict
    spec = _SERIALIZER.from_dict(dct["spec"])
    subs = {name: _SERIALIZER.from_dict(s) for name, s in dct["subprocess_specs"].items()}
    key = hashlib.sha256(spec_json.encode()).hexdigest()[:32]
    return LoadedSpec(spec, subs, manifest, key, spec_json)


_PLAIN = (str, int, float, bool, type(None))


def _plain(value, depth: int = 0) -> bool:
    """True when ``value`` is made of JSON's own types only (exact types, string keys, no
    ``typename`` key the serializer would read as an encoded object), so converting or restoring
    it would hand it back unchanged: a table of numbers for a formula, say."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if depth > 32:
        return False
    if kind is dict:
        return "typename" not in value and all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if kind is list:
        return all(_plain(v, depth + 1) for v in value)
    return False


def to_wire(value):
    """A value as plain JSON types (the serializer's own encoding of dates, decimals…)."""
    if _plain(value):
        return value
    return _SERIALIZER.registry.convert(value)


def from_wire(value):
    if _plain(value):
        return value
    return _SERIALIZER.registry.restore(value)


def dump_data(data) -> str:
    """Task data as the serializer would store it (raises for what cannot be stored)."""
    return json.dumps(_SERIALIZER.registry.convert(data), cls=_SERIALIZER._encoder_cls)


HISTORY_KEY = "platform_history"  # completed counts per BPMN element of tasks compacted away


def dump_workflow(workflow, history: dict | None = None) -> str:
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    if history:
        dct[HISTORY_KEY] = dict(history)
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls)


def load_workflow(state_json: str, loaded: LoadedSpec):
    """The workflow and the history of what compaction cut from it."""
    dct = json.loads(state_json)
    history = dct.pop(HISTORY_KEY, None) or {}
    dct["spec"] = loaded.spec
    dct["subprocess_specs"] = dict(loaded.subprocess_specs)
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.from_dict(dct), history
