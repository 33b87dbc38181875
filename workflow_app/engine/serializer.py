"""Serialisation with the spec kept apart from instance state.

The stock serializer embeds the whole spec in every instance (about half its size) and re-reads
it on every restore. Here the spec is serialised once per process version, restored once per
process (and cached by the caller), and instance state is stored without it, as JSON text whose
key order is preserved (the engine's delta encoding depends on it: never a binary JSON column).
"""

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

    __slots__ = ("spec", "subprocess_specs", "manifest")

    def __init__(self, spec, subprocess_specs, manifest):
        self.spec = spec
        self.subprocess_specs = subprocess_specs
        self.manifest = manifest


def dump_spec(spec, subprocess_specs) -> str:
    return json.dumps({
        "spec": _SERIALIZER.to_dict(spec),
        "subprocess_specs": {name: _SERIALIZER.to_dict(s) for name, s in subprocess_specs.items()},
    })


def load_spec(spec_json: str, manifest: dict) -> LoadedSpec:
    dct = json.loads(spec_json)  # from_dict mutates its input: always a fresh dict
    spec = _SERIALIZER.from_dict(dct["spec"])
    subs = {name: _SERIALIZER.from_dict(s) for name, s in dct["subprocess_specs"].items()}
    return LoadedSpec(spec, subs, manifest)


def dump_workflow(workflow) -> str:
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls)


def load_workflow(state_json: str, loaded: LoadedSpec):
    dct = json.loads(state_json)
    dct["spec"] = loaded.spec
    dct["subprocess_specs"] = dict(loaded.subprocess_specs)
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.from_dict(dct)
