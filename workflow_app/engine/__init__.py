"""The engine adapter: the only package that imports SpiffWorkflow.

It parses and lints bundles, runs instances in the script sandbox, serialises state without the
spec, and reads timer due times. It knows nothing of Flask or the database.
"""

from .bundle import BundleRefused, compile_bundle
from .runtime import ProcessRun, StepEvent, TaskNotReady
from .sandbox import RESERVED_NAMES, SandboxViolation, ScriptLimitExceeded, evaluate
from .serializer import LoadedSpec, load_spec
from .types import CompiledBundle, PendingTimer, Problem, ReadyTask, TaskFailure

__all__ = [
    "RESERVED_NAMES",
    "BundleRefused",
    "CompiledBundle",
    "LoadedSpec",
    "PendingTimer",
    "Problem",
    "ProcessRun",
    "ReadyTask",
    "SandboxViolation",
    "StepEvent",
    "ScriptLimitExceeded",
    "TaskFailure",
    "TaskNotReady",
    "compile_bundle",
    "evaluate",
    "load_spec",
]
