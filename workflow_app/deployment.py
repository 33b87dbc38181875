"""Deploying process bundles: validate everything, then store one immutable version, or nothing.

The content hash decides the version: an identical bundle is a no-op, a changed one becomes
version n+1 of its (key, locality) series.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError

from . import audit, clock, engine, taskforms
from .errors import BundleInvalid, Conflict
from .extensions import db
from .models import ProcessFile, ProcessVersion, User
from .org import access, tree
from .repository import bundles, definitions

_KINDS = ((".bpmn20.xml", "bpmn"), (".bpmn", "bpmn"), (".dmn", "dmn"), (".json", "form"))


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


def _check_names(files: list[tuple[str, bytes]]) -> list[engine.Problem]:
    problems, seen = [], set()
    limit = current_app.config["MAX_BUNDLE_FILE_BYTES"]
    for name, content in files:
        if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
            problems.append(engine.Problem(name, None, "file names may not contain paths"))
        elif _kind(name) is None:
            problems.append(engine.Problem(name, None, "unsupported file type (use .bpmn, .dmn or .json)"))
        elif name in seen:
            problems.append(engine.Problem(name, None, "the same file name appears twice"))
        elif len(content) > limit:
            problems.append(engine.Problem(name, None, f"file is larger than {limit} bytes"))
        elif not content.strip():
            problems.append(engine.Problem(name, None, "file is empty"))
        seen.add(name)
    if not files:
        problems.append(engine.Problem(None, None, "no files were uploaded"))
    return problems


def _resolve_forms(compiled, uploaded: dict[str, bytes], read_shared) -> tuple[dict, list, list]:
    """Forms the tasks reference: from the upload, else the shared forms folder."""
    forms, problems, contents = {}, [], {}
    for ref in compiled.manifest["form_refs"]:
        name = ref["form"]
        if name in contents:
            continue
        content = uploaded.get(name) or read_shared(name)
        if content is None:
            problems.append(engine.Problem(ref["file"], ref["line"],
                                           f"task {ref['task']} references form {name!r}, which is neither "
                                           "in the bundle nor in forms/"))
            continue
        try:
            document = taskforms.parse(content)
            reasons = taskforms.problems(document) if ref["kind"] == "schema" else []
        except (ValueError, UnicodeDecodeError) as error:
            document, reasons = None, [f"not valid JSON: {error}"]
        problems.extend(engine.Problem(name, None, reason) for reason in reasons)
        forms[name] = document
        contents[name] = _normalise(content)
    return forms, contents, problems


def _bundle_hash(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def _compile(files, key, read_shared):
    problems = _check_names(files)
    if problems:
        raise BundleInvalid("the bundle was refused", [p.as_dict() for p in problems])
    models = [(n, _normalise(c), _kind(n)) for n, c in files if _kind(n) in ("bpmn", "dmn")]
    try:
        compiled = engine.compile_bundle(models, key)
    except engine.BundleRefused as refused:
        raise BundleInvalid("the bundle was refused", [p.as_dict() for p in refused.problems]) from refused
    uploaded_forms = {n: c for n, c in files if _kind(n) == "form"}
    forms, form_contents, problems = _resolve_forms(compiled, uploaded_forms, read_shared)
    if problems:
        raise BundleInvalid("the bundle was refused", [p.as_dict() for p in problems])
    compiled.manifest["forms"] = forms
    stored = [(n, c, k) for n, c, k in models] + [(n, c, "form") for n, c in form_contents.items()]
    warnings = [{"file": n, "line": None, "message": "form is not referenced by any task; not stored"}
                for n in uploaded_forms if n not in form_contents]
    return compiled, stored, warnings


def deploy(files: list[tuple[str, bytes]], *, actor: User | None, locality: str | None = None,
           comment: str | None = None, key: str | None = None, forms_dir: str | None = None) -> DeployResult:
    """Deploy a bundle; commits. Raises ``BundleInvalid`` (422) with {file, line, message} items."""
    unit = tree.require(locality, "locality") if locality else None
    if actor is not None:
        access.require_designer(actor, unit)
    read_shared = bundles.form_reader(forms_dir or current_app.config["FORMS_DIR"])
    compiled, stored, warnings = _compile(files, key, read_shared)
    sha = _bundle_hash([(n, c) for n, c, _ in stored])
    for _attempt in range(5):
        try:
            return _store(compiled, stored, sha, unit.code if unit else definitions.DEFAULT, actor, comment, warnings)
        except IntegrityError:
            db.session.rollback()  # another node took this version number: look again
    raise Conflict("could not allocate a version number; try again")


def _store(compiled, stored, sha, locality, actor, comment, warnings) -> DeployResult:
    current = definitions.latest_active(compiled.key, locality)
    if current is not None and current.sha256 == sha:
        return DeployResult(current, True, warnings)
    version = ProcessVersion(
        key=compiled.key, locality=locality, version=definitions.next_number(compiled.key, locality),
        name=compiled.name, sha256=sha, status="active", comment=comment,
        deployed_by=getattr(actor, "username", None) or "system", deployed_at=clock.now(),
        spec_json=compiled.spec_json, manifest=compiled.manifest,
    )
    db.session.add(version)
    db.session.flush()
    for name, content, kind in stored:
        db.session.add(ProcessFile(version_id=version.id, name=name, kind=kind, content=content,
                                   sha256=hashlib.sha256(content).hexdigest()))
    audit.record("definition_deployed", actor=actor, subject=_subject(version),
                 detail={"sha256": sha, "comment": comment, "files": [n for n, _, _ in stored]})
    db.session.commit()
    if compiled.manifest.get("timer_starts"):
        from .timers import starts

        starts.plan()  # schedule its first start now, not at the next planning pass
    return DeployResult(version, False, warnings)


def _subject(version: ProcessVersion) -> str:
    return f"definition:{version.key}@{version.locality or '*'}:v{version.version}"


def deploy_directory(actor: User | None = None, processes_dir: str | None = None,
                     forms_dir: str | None = None) -> list[tuple[bundles.BundleSource, DeployResult | str]]:
    """Deploy every bundle under ``processes/`` (idempotent). Variants of unknown units are skipped."""
    results = []
    for source in bundles.discover(processes_dir or current_app.config["PROCESSES_DIR"]):
        if source.locality and tree.by_code(source.locality) is None:
            results.append((source, f"skipped: org unit {source.locality!r} does not exist"))
            continue
        result = deploy(source.files, actor=actor, locality=source.locality, key=source.key,
                        comment=f"deployed from {source.directory.name}", forms_dir=forms_dir)
        results.append((source, result))
    return results


def retire(key: str, number: int, locality: str | None, actor: User) -> ProcessVersion:
    unit = tree.require(locality, "locality") if locality else None
    access.require_designer(actor, unit)
    version = definitions.get(key, number, locality or definitions.DEFAULT)
    if version.status != "retired":
        version.status, version.retired_by, version.retired_at = "retired", actor.username, clock.now()
        audit.record("definition_retired", actor=actor, subject=_subject(version))
        db.session.commit()
    return version
