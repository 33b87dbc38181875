"""Deploying process bundles: validate everything, then store one immutable version, or nothing.

The content hash decides the version: an identical bundle is a no-op, a changed one becomes
version n+1 of its (key, locality) series. A locality variant is an overlay on its parent
(``variants``): the files uploaded for it are merged onto its base and only those it changes are
its own. Refusals are catalogue sentences with file, line and element (``engine.problems``);
warnings (waits nothing sends) come back with the deploy. A lane whose tasks would reach nobody
is refused: deploy knows the role table, the engine only the model.
"""

import builtins
import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError

from . import audit, clock, engine, scripting, taskforms, uow, variants
from .cases import effects
from .engine import problems as catalogue
from .engine.bundle import executable_keys
from .engine.deadends import data_flow, decision_outputs
from .errors import BundleInvalid, Conflict
from .models import OrgUnit, ProcessFile, ProcessVersion, User
from .org import access, roles, tree
from .repository import bundles, definitions

_KINDS = ((".bpmn20.xml", "bpmn"), (".bpmn", "bpmn"), (".dmn", "dmn"), (".json", "form"))
REFUSED = "the bundle was refused"


@dataclass
class DeployResult:
    version: ProcessVersion
    unchanged: bool
    warnings: list[dict] = field(default_factory=list)


def _kind(name: str) -> str | None:
    lower = name.lower()
    return next((kind for suffix, kind in _KINDS if lower.endswith(suffix)), None)


def _normalise(content: bytes) -> bytes:
    return content.replace(b"\r\n", b"\n")


def _refuse(found) -> None:
    if found:
        raise BundleInvalid(REFUSED, catalogue.as_dicts(found))


def _name_problem(name: str, content: bytes, seen: set, limit: int) -> engine.Problem | None:
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return catalogue.issue("file.characters", repr(name), name=repr(name))
    if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
        return catalogue.issue("file.path", name, name=name)
    if _kind(name) is None:
        return catalogue.issue("file.type", name, name=name)
    if name in seen:
        return catalogue.issue("file.twice", name, name=name)
    if len(content) > limit:
        return catalogue.issue("file.large", name, name=name, limit=limit)
    if not content.strip():
        return catalogue.issue("file.empty", name, name=name)
    return None


def _check_names(files: list[tuple[str, bytes]]) -> list[engine.Problem]:
    found, seen = [], set()
    limit = current_app.config["MAX_BUNDLE_FILE_BYTES"]
    for name, content in files:
        problem = _name_problem(name, content, seen, limit)
        if problem is not None:
            found.append(problem)
        seen.add(name)
    if not files:
        found.append(catalogue.issue("bundle.no_files"))
    return found


def _resolve_forms(compiled, uploaded: dict[str, bytes], read_shared) -> tuple[dict, list, list]:
    """Forms the tasks reference: from the upload, else the shared forms folder. A schema's ``$ref``s
    are resolved now, from those two places only (nothing else is read or fetched), and inlined: the
    stored form needs nothing at submission. The forms it referenced are stored with the version."""
    forms, problems, contents = {}, [], {}

    def lookup(name: str) -> bytes | None:
        return uploaded[name] if name in uploaded else read_shared(name)

    for ref in compiled.manifest["form_refs"]:
        name = ref["form"]
        if name in forms:
            continue
        content = lookup(name)
        if content is None:
            problems.append(engine.Problem(ref["file"], ref["line"],
                                           f"task {ref['task']} references form {name!r}, which is neither "
                                           "in the bundle nor in forms/"))
            continue
        document, used, reasons = _form(name, content, lookup, ref["kind"] == "schema")
        problems.extend(engine.Problem(name, None, reason) for reason in reasons)
        forms[name] = document
        contents[name] = _normalise(content)
        for used_name in used:
            contents.setdefault(used_name, _normalise(lookup(used_name)))
    return forms, contents, problems


def _form(name: str, content: bytes, lookup, is_schema: bool) -> tuple[dict | None, list[str], list[str]]:
    """One form, resolved: (document, names of the forms it referenced, reasons it is refused)."""
    try:
        document = taskforms.parse(content)
    except (ValueError, UnicodeDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        return None, [], [f"not valid JSON{where}: {getattr(error, 'msg', None) or error}"]
    if not is_schema:
        return document, [], []
    reasons = taskforms.problems(document)
    if reasons:
        return document, [], reasons
    try:
        resolved, used = taskforms.resolve(name, document, lookup)
    except taskforms.FormRefused as refused:
        return document, [], [str(refused)]
    return resolved, sorted(used), taskforms.problems(resolved) if used or resolved != document else []


def _bundle_hash(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def _compile(plan: variants.Plan, key, read_shared):
    models = [(n, c, _kind(n)) for n, c in plan.files if _kind(n) in ("bpmn", "dmn")]
    try:
        compiled = engine.compile_bundle(models, key)
    except engine.BundleRefused as refused:
        raise BundleInvalid(REFUSED, catalogue.as_dicts(refused.problems)) from refused
    uploaded_forms = {n: c for n, c in plan.files if _kind(n) == "form"}
    forms, form_contents, found = _resolve_forms(compiled, uploaded_forms, read_shared)
    _refuse(found)
    compiled.manifest["forms"] = forms
    stored = [(n, c, k) for n, c, k in models] + [(n, c, "form") for n, c in form_contents.items()]
    warnings = [catalogue.normalise(engine.Problem(n, None, "form is not referenced by any task; not stored"))
                .as_dict() for n in uploaded_forms if n not in form_contents and n in plan.own]
    return compiled, stored, warnings


# --- dead ends ---------------------------------------------------------------------------------
def _lane_problems(manifest: dict) -> list[engine.Problem]:
    """Lanes whose human tasks resolve to no role anybody can hold."""
    index = roles.role_index()
    known = {ref.code for ref in index.values()}
    found = []
    for lane in manifest.get("lane_tasks") or []:
        for task in lane["tasks"]:
            properties = {**lane["properties"], **{k: v for k, v in task["properties"].items()
                                                    if k in ("role", "role_from", "scope_level", "scope_from")}}
            rule = roles.lane_rule(lane["name"], properties, index)
            if rule.role_data_key or rule.for_initiator or rule.role is None or rule.role in known:
                continue
            found.append(catalogue.issue("lane.no_role", lane["file"], lane["line"], lane["id"], name=lane["name"],
                                         roles=sorted(known)))
            break
    return found


def _effect_problems(manifest: dict, stored) -> list[engine.Problem]:
    """Nodes that name an effect the platform's registry does not have (they would do nothing)."""
    known = effects.registry().names()
    unknown = {node_id: props["effect"] for node_id, props in (manifest.get("nodes") or {}).items()
               if props.get("effect") and props["effect"] not in known}
    found = []
    for node_id, effect in sorted(unknown.items()):
        file, line = _where(node_id, stored)
        found.append(catalogue.issue("effect.unknown", file, line, node_id, effect=effect,
                                     effects=", ".join(sorted(known)) or "—"))
    return found


def _where(element_id: str, stored) -> tuple[str | None, int | None]:
    for name, content, kind in stored:
        if kind == "bpmn" and f'id="{element_id}"'.encode() in content:
            with contextlib.suppress(Exception):
                return name, engine.safexml.line_of_id(engine.safexml.parse(content), element_id)
            return name, None
    return None, None


def _wait_warnings(manifest: dict) -> list[dict]:
    """Catch events nothing can send: not thrown in the bundle or any deployed process, not
    marked external, and not a message start event (the messages API starts those)."""
    events = manifest.get("events") or {}
    thrown = {kind: set(names) for kind, names in (events.get("throws") or {}).items()}
    for other in definitions.active_manifests():
        for kind, names in ((other.get("events") or {}).get("throws") or {}).items():
            thrown.setdefault(kind, set()).update(names)
    found = []
    for catch in events.get("catches") or []:
        if catch["external"] or catch["name"] in thrown.get(catch["kind"], set()):
            continue
        if catch["start"] and catch["kind"] == "message":
            continue
        found.append(catalogue.issue("wait.unreachable", catch["file"], catch["line"], catch["id"], tag=catch["tag"],
                                     kind=catch["kind"], kind_zh="消息" if catch["kind"] == "message" else "信号",
                                     name=catch["name"]).as_dict())
    return found


def _data_problems(compiled, stored, locality: str, base) -> tuple[list, list[dict]]:
    """Conditions and scripts reading a variable nothing sets (``engine.deadends.data_flow``):
    a decision output renamed is refused, a name nothing sets at all is a warning. The outputs of
    the version this one replaces say what a decision used to set."""
    replaced = definitions.latest_active(compiled.key, locality) or base
    previous = [(n, c, k) for n, c in variants.contents(replaced).items() if (k := _kind(n)) == "dmn"]
    models = [(n, c, k) for n, c, k in stored if k in ("bpmn", "dmn")]
    errors, warnings = data_flow(models, compiled.manifest.get("forms") or {}, set(scripting.reserved_names())
                                 | set(dir(builtins)), decision_outputs(previous))
    return errors, [w.as_dict() for w in warnings]


# --- deploy ------------------------------------------------------------------------------------
def _plan(files, key, unit: OrgUnit | None, replace: bool) -> tuple[variants.Plan, str | None]:
    if unit is None:
        return variants.Plan(list(files), {n for n, _ in files}), key
    if key is None:
        keys = executable_keys([c for n, c in files if _kind(n) == "bpmn"])
        key = keys[0] if len(keys) == 1 else variants.key_for(unit, [n for n, _ in files])
        if key is None and not any(_kind(n) == "bpmn" for n, _ in files):
            _refuse([catalogue.issue("variant.key", files[0][0], locality=unit.code)])
    return variants.plan_deploy(key, unit, files, replace), key


def deploy(files: list[tuple[str, bytes]], *, actor: User | None, locality: str | None = None,
           comment: str | None = None, key: str | None = None, forms_dir: str | None = None,
           replace_overlay: bool = False) -> DeployResult:
    """Deploy a bundle (for a locality: the files that differ from its parent). Raises
    ``BundleInvalid`` (422) with {file, line, element, message, message_zh, message_en} items."""
    unit = tree.require(locality, "locality") if locality else None
    if actor is not None:
        access.require_designer(actor, unit)
    _refuse(_check_names(files))
    normalised = [(name, _normalise(content)) for name, content in files]
    plan, key = _plan(normalised, key, unit, replace_overlay)
    return deploy_plan(plan, actor=actor, unit=unit, key=key, comment=comment, forms_dir=forms_dir)


@dataclass
class Checked:
    """A bundle that passed every check deploy makes, compiled but not stored."""

    compiled: engine.CompiledBundle
    stored: list  # (name, content, kind) as they would be stored
    warnings: list
    sha: str


def check_plan(plan: variants.Plan, key: str | None, forms_dir: str | None = None,
               locality: str = definitions.DEFAULT) -> Checked:
    """Everything deploy checks, nothing stored (a draft's validation). Raises ``BundleInvalid``."""
    read_shared = bundles.form_reader(forms_dir or current_app.config["FORMS_DIR"])
    compiled, stored, warnings = _compile(plan, key, read_shared)
    unset, unset_warnings = _data_problems(compiled, stored, locality, plan.base)
    _refuse(_lane_problems(compiled.manifest) + _effect_problems(compiled.manifest, stored) + unset)
    _start_permission(compiled.manifest)
    warnings = warnings + _wait_warnings(compiled.manifest) + unset_warnings
    return Checked(compiled, stored, warnings, _bundle_hash([(n, c) for n, c, _ in stored]))


def check(files: list[tuple[str, bytes]], *, locality: str | None = None, key: str | None = None,
          replace_overlay: bool = False) -> Checked:
    """``check_plan`` for files as ``deploy`` takes them (a variant's merged onto what it has, or
    with ``replace_overlay`` onto its base alone)."""
    unit = tree.require(locality, "locality") if locality else None
    _refuse(_check_names(files))
    plan, key = _plan([(name, _normalise(content)) for name, content in files], key, unit,
                      replace_overlay)
    return check_plan(plan, key, locality=unit.code if unit else definitions.DEFAULT)


# Who may start a process comes from the model: its start event's lane. A start event in no lane
# (and without a ``role`` property) is startable by designers and administrators only, until its
# designer puts it in a lane.
START_WITHOUT_LANE = "process_designer"


def _start_permission(manifest: dict) -> None:
    start = manifest.get("start")
    if start and not start.get("lane"):
        start["lane"] = (start.get("properties") or {}).get("role") or START_WITHOUT_LANE
        start["lane_assumed"] = True


def deploy_plan(plan: variants.Plan, *, actor: User | None, unit: OrgUnit | None, key: str | None,
                comment: str | None, forms_dir: str | None = None) -> DeployResult:
    """Compile ``plan``'s merged files and store them as the next version (or nothing, if unchanged)."""
    checked = check_plan(plan, key, forms_dir, unit.code if unit else definitions.DEFAULT)
    compiled, stored, warnings, sha = checked.compiled, checked.stored, checked.warnings, checked.sha
    new = _NewVersion(compiled, stored, plan.inherited(stored), sha, unit.code if unit else definitions.DEFAULT,
                      plan.base, actor, comment, warnings)
    for _attempt in range(5):
        try:
            return uow.run(new.store)
        except IntegrityError:
            continue  # another node took this version number: look again
    raise Conflict("could not allocate a version number; try again")


@dataclass
class _NewVersion:
    compiled: engine.CompiledBundle
    stored: list
    inherited: set
    sha: str
    locality: str
    base: ProcessVersion | None
    actor: User | None
    comment: str | None
    warnings: list

    def store(self, work) -> DeployResult:
        compiled = self.compiled
        latest = definitions.latest_active(compiled.key, self.locality)
        if latest is not None and latest.sha256 == self.sha:
            return DeployResult(latest, True, self.warnings)
        version = ProcessVersion(
            key=compiled.key, locality=self.locality, version=definitions.next_number(compiled.key, self.locality),
            name=compiled.name, sha256=self.sha, status="active", comment=self.comment,
            deployed_by=getattr(self.actor, "username", None) or "system", deployed_at=clock.now(),
            spec_json=compiled.spec_json, manifest=compiled.manifest, base_id=self.base.id if self.base else None,
        )
        work.add(version)
        work.flush()
        for name, content, kind in self.stored:
            work.add(ProcessFile(version_id=version.id, name=name, kind=kind, content=content,
                                 sha256=hashlib.sha256(content).hexdigest(), inherited=name in self.inherited))
        audit.record("definition_deployed", actor=self.actor, subject=_subject(version),
                     detail={"sha256": self.sha, "comment": self.comment, "files": [n for n, _, _ in self.stored],
                             "base": _subject(self.base) if self.base else None,
                             "inherited": sorted(self.inherited)})
        if compiled.manifest.get("timer_starts"):
            work.after_commit(_plan_starts)
        return DeployResult(version, False, self.warnings)


def _plan_starts() -> None:
    from .timers import starts

    starts.plan()  # schedule its first start now, not at the next planning pass


def _subject(version: ProcessVersion) -> str:
    return f"definition:{version.key}@{version.locality or '*'}:v{version.version}"


def deploy_directory(actor: User | None = None, processes_dir: str | None = None,
                     forms_dir: str | None = None) -> list[tuple[bundles.BundleSource, DeployResult | str]]:
    """Deploy every bundle under ``processes/`` (idempotent): defaults first, then variants from
    the top of the tree down, each directory being the whole overlay on its parent. Variants of
    unknown units are skipped."""
    results, pending = [], []
    for source in bundles.discover(processes_dir or current_app.config["PROCESSES_DIR"]):
        unit = tree.by_code(source.locality) if source.locality else None
        if source.locality and unit is None:
            results.append((source, f"skipped: org unit {source.locality!r} does not exist"))
            continue
        pending.append((unit.depth if unit else -1, source))
    for _depth, source in sorted(pending, key=lambda item: item[0]):
        result = deploy(source.files, actor=actor, locality=source.locality, key=source.key,
                        comment=f"deployed from {source.directory.name}", forms_dir=forms_dir,
                        replace_overlay=source.locality is not None)
        results.append((source, result))
    return results


def retire(key: str, number: int, locality: str | None, actor: User) -> ProcessVersion:
    unit = tree.require(locality, "locality") if locality else None
    access.require_designer(actor, unit)
    return uow.run(lambda work: _retire(key, number, locality, actor))


def _retire(key: str, number: int, locality: str | None, actor: User) -> ProcessVersion:
    version = definitions.get(key, number, locality or definitions.DEFAULT)
    if version.status != "retired":
        version.status, version.retired_by, version.retired_at = "retired", actor.username, clock.now()
        audit.record("definition_retired", actor=actor, subject=_subject(version))
    return version


# --- variants ----------------------------------------------------------------------------------
@dataclass
class RebaseResult:
    status: variants.Status
    deployed: DeployResult | None


def _parent_required(status_or_parent, key: str, unit: OrgUnit) -> None:
    if status_or_parent is None:
        raise Conflict(catalogue.issue("variant.no_parent", key=key, locality=unit.code).message)


def rebase(key: str, locality: str, actor: User, apply: bool = True, comment: str | None = None) -> RebaseResult:
    """Move a variant onto its parent's newest version, keeping its own files; ``apply=False``
    only says what would change."""
    unit = tree.require(locality, "locality")
    access.require_designer(actor, unit)
    status = variants.status(key, unit.code)
    _parent_required(status.parent, key, unit)
    if not apply:
        return RebaseResult(status, None)
    parent = status.parent
    note = comment or f"rebased on {parent.locality or 'platform'} v{parent.version}"
    deployed = deploy_plan(status.plan, actor=actor, unit=unit, key=key, comment=note)
    return RebaseResult(status, deployed)


class VariantExists(Conflict):
    """A fresh variant would replace an existing one: say what would change and ask first."""

    def __init__(self, existing: ProcessVersion, parent: ProcessVersion, changes: list):
        super().__init__(f"{existing.locality} already has variant v{existing.version} of '{existing.key}'; "
                         "creating it again replaces its own files with the parent's",
                         [c.as_dict() for c in changes])
        self.existing, self.parent, self.changes = existing, parent, changes


def create_variant(key: str, locality: str, actor: User, comment: str | None = None,
                   replace: bool = False) -> DeployResult:
    """A variant for ``locality`` holding nothing of its own yet (its parent's files). Where one
    exists it is replaced only with ``replace``; otherwise ``VariantExists`` says what would change."""
    unit = tree.require(locality, "org_unit")
    access.require_designer(actor, unit)
    existing, parent, changes = variants.replacing(key, unit)
    _parent_required(parent, key, unit)
    if existing is not None and not replace:
        raise VariantExists(existing, parent, changes)
    plan = variants.Plan(sorted(variants.contents(parent).items()), set(), parent)
    note = comment or f"基于{parent.locality or '全县通用版'} v{parent.version} 创建的地方版本"
    return deploy_plan(plan, actor=actor, unit=unit, key=key, comment=note)
