"""Stages (环节), steps and processes in the page's language, from the models' own properties.

A model names a task's stage with the node property ``stage`` and gives its English beside it
(``stage_en``), as it gives a step's English name (``name_en``) and the process's
(``name_en`` on the process); a task without ``stage`` is its own stage (its name, ``name_en``).
Where a page holds only a stage's Chinese text (the counts per stage on the supervision board, a
case's ``stage_notes``, the facts behind a figure) the English comes from the models: the case's
own version first, else the active versions (a locality's variant included) that name that stage.
No English in the model: the Chinese is shown."""

from flask import g

from ..repository import definitions
from .i18n import lang, pick


def english_stages(manifest: dict | None) -> dict[str, str]:
    """{stage: English} of one version: its nodes' ``stage``/``stage_en``, then ``name``/``name_en``
    of the nodes that are their own stage."""
    nodes = list(((manifest or {}).get("nodes") or {}).values())
    found = {n["stage"]: n["stage_en"] for n in nodes if n.get("stage") and n.get("stage_en")}
    for node in nodes:
        if not node.get("stage") and node.get("name") and node.get("name_en"):
            found.setdefault(node["name"], node["name_en"])
    return found


def english_names(manifest: dict | None) -> dict[str, str]:
    """{step name: English name} of one version's nodes (``name_en``)."""
    nodes = ((manifest or {}).get("nodes") or {}).values()
    return {n["name"]: n["name_en"] for n in nodes if n.get("name") and n.get("name_en")}


def _active() -> tuple[dict[str, str], dict[str, str]]:
    """({stage: English}, {process key: English name}) of every active version, read once a page."""
    if "stages_en" not in g:
        stages, processes = {}, {}
        for manifest in definitions.active_manifests():
            for stage, english in english_stages(manifest).items():
                stages.setdefault(stage, english)
            name_en = ((manifest or {}).get("process_properties") or {}).get("name_en")
            if name_en and manifest.get("key"):
                processes.setdefault(manifest["key"], name_en)
        g.stages_en = (stages, processes)
    return g.stages_en


def stage_label(stage: str | None, manifest: dict | None = None) -> str:
    """A stage as the page's language names it (``manifest``: the case's version, looked at first)."""
    if not stage or lang() != "en":
        return stage or ""
    return english_stages(manifest).get(stage) or _active()[0].get(stage) or stage


def task_stage(task) -> str:
    """A task's stage: its node's ``stage_en`` (or ``name_en`` where the task is its own stage)."""
    props = getattr(task, "properties", None) or {}
    if props.get("stage") and props["stage"] == task.stage:
        return pick(task.stage, props.get("stage_en"))
    if task.stage == task.name and props.get("name_en"):
        return pick(task.stage, props["name_en"])
    return stage_label(task.stage)


def step_label(name: str | None, manifest: dict | None) -> str:
    """A step's name (a task's, a timeline entry's) in the page's language, by its version's ``name_en``."""
    if not name or lang() != "en":
        return name or ""
    return english_names(manifest).get(name) or name


def process_label(key: str, name: str | None) -> str:
    """A process by its name in the page's language (the process's ``name_en``)."""
    if lang() != "en":
        return name or key
    return _active()[1].get(key) or name or key
