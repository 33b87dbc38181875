"""The engine adapter: the only package that imports SpiffWorkflow.

It parses and lints bundles, runs instances in the script sandbox, serialises state without the
spec, and reads timer due times. It knows nothing of Flask or the database.
"""

from .bundle import BundleRefused, compile_bundle
from .events import start_messages
from .runtime import ProcessRun, TaskNotReady
from .sandbox import RESERVED_NAMES, SandboxViolation, ScriptLimitExceeded, evaluate
from .serializer import LoadedSpec, load_spec
from .types import CompiledBundle, Outcome, PendingTimer, Problem, ReadyTask, StepEvent, TaskFailure, Waiting

__all__ = [
    "RESERVED_NAMES",
    "BundleRefused",
    "CompiledBundle",
    "LoadedSpec",
    "Outcome",
    "PendingTimer",
    "Problem",
    "ProcessRun",
    "ReadyTask",
    "SandboxViolation",
    "StepEvent",
    "ScriptLimitExceeded",
    "TaskFailure",
    "TaskNotReady",
    "Waiting",
    "compile_bundle",
    "evaluate",
    "start_messages",
    "load_spec",
]
