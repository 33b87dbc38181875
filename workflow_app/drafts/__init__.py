"""Designers' drafts: draft → validate → test run → publish. A draft is saved, never live.

A draft is a whole bundle (for a variant: the merged files, as its versions are stored) started
from a version or from an upload. Every save is validated with the checks deploy makes
(``deployment.check``); nothing is stored as a version until a designer publishes it, which needs
the designer role where it goes, a comment, a passing validation of what is published, and a
test run of that very content that reached the end (unless it changes nothing that runs; no role
may skip it) and, of what it changes, exercised every changed element and decision rule
(``coverage``; a designer may publish anyway with a recorded reason). Publishing shows the diff
against the live version (BPMN, DMN and forms, compared by meaning, not by bytes) and deploys
through ``deployment``: the version's comment is the designer's.
"""

import hashlib

from .. import audit, clock, deployment, uow, variants
from ..engine import modeldiff
from ..errors import BundleInvalid, Conflict, InvalidInput, NotFound
from ..models import ProcessDraft, ProcessDraftFile, User
from ..org import access, tree
from ..repository import definitions
from . import coverage, store

OPEN = "draft"
MAX_COMMENT = 2000


def content_sha(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def files_of(draft: ProcessDraft) -> list[tuple[str, bytes]]:
    return [(f.name, f.content) for f in draft.files]


def _unit(locality: str | None):
    return tree.require(locality, "locality") if locality else None


def _require(actor: User, locality: str | None) -> None:
    access.require_designer(actor, _unit(locality))


def get(draft_id: int, actor: User) -> ProcessDraft:
    draft = store.get(draft_id)
    _require(actor, draft.locality or None)
    return draft


def open_drafts(key: str | None = None) -> list[ProcessDraft]:
    return store.open_drafts(key)


# --- validation ----------------------------------------------------------------------------------
def _validation(draft: ProcessDraft) -> dict:
    """Check the draft as deploy would; the result is kept on the draft."""
    files = files_of(draft)
    result = {"sha256": content_sha(files), "at": clock.now().isoformat(), "ok": False, "problems": [],
              "warnings": []}
    try:
        checked = deployment.check(files, locality=draft.locality or None, key=draft.key, replace_overlay=True)
    except BundleInvalid as refused:
        result["problems"] = refused.errors
        return result
    except Conflict as conflict:  # e.g. no parent for a variant
        result["problems"] = [{"file": None, "line": None, "message": conflict.message}]
        return result
    draft.key, draft.name = checked.compiled.key, checked.compiled.name
    result.update(ok=True, warnings=checked.warnings, key=checked.compiled.key)
    return result


def _validate_in(work, draft: ProcessDraft) -> dict:
    with work.reading():
        result = _validation(draft)
    draft.validation = result
    draft.updated_at = clock.now()
    return result


def validate(draft_id: int, actor: User) -> ProcessDraft:
    def act(work):
        draft = get(draft_id, actor)
        _validate_in(work, draft)
        return draft
    return uow.run(act)


def is_valid(draft: ProcessDraft) -> bool:
    result = draft.validation or {}
    return bool(result.get("ok")) and result.get("sha256") == content_sha(files_of(draft))


# --- creating and editing ------------------------------------------------------------------------
def _new(work, actor: User, key: str | None, locality: str, base, files: list[tuple[str, bytes]]) -> ProcessDraft:
    now = clock.now()
    draft = ProcessDraft(key=key, locality=locality, base_id=base.id if base else None, status=OPEN,
                         created_by=actor.username, created_at=now, updated_at=now,
                         name=base.name if base else None)
    draft.files = [ProcessDraftFile(name=name, content=content.replace(b"\r\n", b"\n")) for name, content in files]
    work.add(draft)
    work.flush()
    _validate_in(work, draft)
    audit.record("draft_created", actor=actor, subject=f"draft:{draft.id}",
                 detail={"key": key, "locality": locality or None, "base": base.version if base else None,
                         "files": [n for n, _ in files]})
    return draft


def from_version(key: str, number: int, locality: str, actor: User,
                 changed: dict[str, bytes] | None = None, target: str | None = None) -> ProcessDraft:
    """A draft of ``key`` v``number`` (its files, with ``changed`` ones replaced), for ``target``
    (default: the version's own locality)."""
    version = definitions.get(key, number, locality)
    target = version.locality if target is None else target
    _require(actor, target or None)
    files = {f.name: f.content for f in version.files}
    for name in changed or {}:
        if name not in files:
            raise NotFound(f"v{number} of '{key}' has no file {name!r}")
    files.update(changed or {})
    return uow.run(lambda work: _new(work, actor, key, target or "", version, sorted(files.items())))


def from_upload(files: list[tuple[str, bytes]], actor: User, locality: str | None, key: str | None) -> ProcessDraft:
    """A draft of uploaded files. An upload for a known process (its key given, or, for a variant,
    found from the file names) may hold only what it changes: the draft takes the rest from the
    live version (for a variant: what the locality runs, or its parent), as deploy would."""
    unit = _unit(locality)
    access.require_designer(actor, unit)
    if not files:
        raise InvalidInput("choose the files to upload", {"files": ["required"]})
    names = [n for n, _ in files]
    if unit is not None and key is None:
        key = variants.key_for(unit, names)
    live = _live(key, unit.code if unit else "") if key else None
    merged = {**variants.contents(live), **dict(files)}
    return uow.run(lambda work: _new(work, actor, key, unit.code if unit else "", live, sorted(merged.items())))


def save_file(draft_id: int, name: str, content: bytes, actor: User) -> ProcessDraft:
    """Replace (or add) one file of an open draft and validate it again."""
    def act(work):
        draft = open_draft(draft_id, actor)
        found = next((f for f in draft.files if f.name == name), None)
        if found is None:
            draft.files.append(ProcessDraftFile(name=name, content=content))
        else:
            found.content = content
        work.flush()
        _validate_in(work, draft)
        return draft
    if not name or "/" in name or "\\" in name:
        raise InvalidInput("a file name is needed", {"file": ["invalid"]})
    return uow.run(act)


# Removing a file. A variant's draft holds the merged bundle, but the variant owns only the files
# it changes: removing one of those the parent also has means "use the parent's file again" (the
# draft takes the parent's content back, and publishing inherits it); the parent's own files stay.
LAST_BPMN = ("不能删除草稿中唯一的流程图（BPMN）文件：流程至少需要一个流程图",
             "the draft's only BPMN file cannot be removed: a process needs a diagram")
PARENT_FILE = ("这是上级版本的文件，本地变体已在沿用它，不能从变体中删除",
               "this is the parent's file, which the variant already uses; a variant cannot remove it")


def parent_files(draft: ProcessDraft) -> dict[str, bytes]:
    """What a variant's draft inherits for files it does not change: its base's files (for a
    variant not yet deployed: the parent's). Empty for a platform-wide draft."""
    if not draft.locality or not draft.key:
        return {}
    live = live_version(draft)
    if live is None:
        return {}
    if live.locality != draft.locality:  # no variant yet: the draft overlays this parent
        return variants.contents(live)
    if live.base_id is not None:
        return variants.contents(live.base)
    unit = tree.by_code(draft.locality)  # a full copy: what it would inherit today
    return variants.contents(variants.parent_of(draft.key, unit) if unit is not None else None)


def removal(draft: ProcessDraft, name: str) -> str:
    """What removing ``name`` from the draft does: 'remove', 'inherit' (a variant's own file goes
    back to the parent's) or 'parent' (the parent's file itself: refused)."""
    parent = parent_files(draft).get(name)
    if parent is None:
        return "remove"
    found = next((f for f in draft.files if f.name == name), None)
    return "parent" if found is not None and found.content == parent else "inherit"


def _bpmn(name: str) -> bool:
    return name.lower().endswith((".bpmn", ".bpmn20.xml"))


def remove_file(draft_id: int, name: str, actor: User) -> ProcessDraft:
    """Remove one file of an open draft (for a variant: use the parent's file again, if it has
    one) and validate it again. The draft's last BPMN file cannot be removed."""
    def act(work):
        draft = open_draft(draft_id, actor)
        found = next((f for f in draft.files if f.name == name), None)
        if found is None:
            raise NotFound(f"draft {draft_id} has no file {name!r}")
        how = removal(draft, name)
        if how == "parent":
            raise Conflict(PARENT_FILE[0], {"file": [PARENT_FILE[1]]})
        if how == "inherit":
            found.content = parent_files(draft)[name]
        else:
            if _bpmn(name) and not any(_bpmn(f.name) for f in draft.files if f is not found):
                raise Conflict(LAST_BPMN[0], {"file": [LAST_BPMN[1]]})
            draft.files.remove(found)
        work.flush()
        _validate_in(work, draft)
        audit.record("draft_file_removed", actor=actor, subject=f"draft:{draft.id}",
                     detail={"key": draft.key, "file": name, "inherited": how == "inherit"})
        return draft
    return uow.run(act)


def retarget(draft_id: int, locality: str, actor: User) -> ProcessDraft:
    """Where the draft would be published ('' = platform-wide)."""
    def act(work):
        draft = open_draft(draft_id, actor)
        _require(actor, locality or None)
        draft.locality = locality
        _validate_in(work, draft)
        return draft
    return uow.run(act)


def open_draft(draft_id: int, actor: User) -> ProcessDraft:
    draft = get(draft_id, actor)
    if draft.status != OPEN:
        raise Conflict(f"draft {draft_id} is {draft.status}; start a new draft")
    return draft


def discard(draft_id: int, actor: User) -> ProcessDraft:
    def act(work):
        draft = open_draft(draft_id, actor)
        draft.status, draft.updated_at, draft.test_run = "discarded", clock.now(), None
        audit.record("draft_discarded", actor=actor, subject=f"draft:{draft.id}", detail={"key": draft.key})
        return draft
    return uow.run(act)


# --- publishing ----------------------------------------------------------------------------------
def _live(key: str | None, locality: str):
    """What the draft would replace: the locality's newest version, else what it inherits."""
    if not key:
        return None
    found = variants.current(key, locality)
    if found is None and locality:
        unit = tree.by_code(locality)
        found = variants.parent_of(key, unit) if unit is not None else None
    if found is None and not locality:
        found = definitions.latest(key, definitions.DEFAULT)
    return found


def live_version(draft: ProcessDraft):
    return _live(draft.key, draft.locality)


def changes(draft: ProcessDraft) -> list:
    """Every file the draft adds, removes or changes against the live version (BPMN elements,
    DMN columns and rules, form lines)."""
    live = live_version(draft)
    return modeldiff.bundle_changes(variants.contents(live), dict(files_of(draft)))


def test_failed(draft: ProcessDraft) -> bool:
    run = draft.test_run or {}
    return run.get("sha256") == content_sha(files_of(draft)) and run.get("status") == "error"


# Why a draft may not be published yet, as the designer is told (what to do first).
NEEDS_TEST_RUN = "请先试运行此版本并通过"
_UNTESTED = {
    "missing": ("这个版本还没有测试运行", "this version has not been test-run"),
    "stale": ("草稿在上次测试运行后又有改动", "the draft changed after its last test run"),
    "error": ("最近一次测试运行出错，修改后需重新测试", "its last test run ended in an error; fix it and run again"),
    "running": ("测试运行还没有走完（把待办、定时器或消息走到结束）",
                "its test run has not reached the end (play its tasks, timers or messages to the end)"),
}


def untested(draft: ProcessDraft) -> str | None:
    """Why the draft's present content has no passing test run (None: it has one). A passing run
    is one that reached the end, of exactly this content."""
    run = draft.test_run or {}
    if not run.get("sha256"):
        return "missing"
    if run["sha256"] != content_sha(files_of(draft)):
        return "stale"
    if run.get("status") == "completed":
        return None
    return "error" if run.get("status") == "error" else "running"


def test_needed(draft: ProcessDraft) -> str | None:
    """Why publishing waits for a test run: None when this content passed one, or when it changes
    nothing that runs (no BPMN, DMN or form differs in meaning from the live version: publishing
    it cannot change how a case runs)."""
    reason = untested(draft)
    if reason is None or (live_version(draft) is not None and not changes(draft)):
        return None
    return reason


def untested_message(reason: str) -> tuple[str, str]:
    """(中文, English) for a draft that needs a passing test run first."""
    zh, en = _UNTESTED[reason]
    return f"{NEEDS_TEST_RUN}：{zh}。", f"Run a test run of this version to the end first: {en}."


def uncovered(draft: ProcessDraft) -> list[coverage.Gap]:
    """The changes (against the live version) that no completed test run of this very content
    exercised: changed decisions not evaluated, changed elements not reached (``coverage``)."""
    if draft.status != OPEN or untested(draft) is not None:
        return []
    return coverage.gaps(variants.contents(live_version(draft)), dict(files_of(draft)), draft.test_run,
                         content_sha(files_of(draft)))


def _check_comment(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("publishing needs a comment: what changed and why", {field: ["required"]})
    if len(text) > MAX_COMMENT:
        raise InvalidInput("the comment is too long", {field: [f"at most {MAX_COMMENT} characters"]})
    return text


def publish(draft_id: int, actor: User, comment: str, uncovered_reason: str | None = None
            ) -> deployment.DeployResult:
    """Deploy the draft as the next version. Refused (nothing stored) without a comment, when the
    draft does not validate, or without a test run of this very content that reached the end
    (``test_needed``). No role may skip the test run. When the test runs did not exercise a change
    (``uncovered``), publishing also needs ``uncovered_reason``: why it goes live untested, kept
    in the version's comment and the audit trail."""
    comment = _check_comment(comment, "comment")
    draft = open_draft(draft_id, actor)
    if not is_valid(draft):
        checked = validate(draft_id, actor)
        if not is_valid(checked):
            raise BundleInvalid(deployment.REFUSED, (checked.validation or {}).get("problems") or [])
        draft = open_draft(draft_id, actor)
    reason = test_needed(draft)
    if reason is not None:
        zh, en = untested_message(reason)
        raise Conflict(zh, {"test_run": [en]})
    gaps = uncovered(draft)
    if gaps and not (uncovered_reason or "").strip():
        zh, en = coverage.message(gaps)
        raise Conflict(zh, {"coverage": [en]})
    override = {"uncovered": [g.as_dict() for g in gaps], "reason": _check_comment(uncovered_reason, "reason")
                } if gaps else None
    shown = f"{comment}\n{UNCOVERED_NOTE}{override['reason']}" if override else comment
    tested = "unchanged" if untested(draft) else (draft.test_run or {}).get("started_at")
    try:
        result = deployment.deploy(files_of(draft), actor=actor, locality=draft.locality or None,
                                   comment=shown, key=draft.key, replace_overlay=True)
    except BundleInvalid:
        validate(draft_id, actor)  # keep what was wrong on the draft
        raise
    uow.run(lambda work: _published(work, draft_id, actor, comment, result, tested, override))
    return result


UNCOVERED_NOTE = "【未经测试覆盖发布】"  # what the version's comment says of an override, before its reason


def _published(work, draft_id: int, actor: User, comment: str, result: deployment.DeployResult,
               tested: str | None, override: dict | None = None) -> None:
    draft = store.get(draft_id)
    now = clock.now()
    draft.status, draft.comment, draft.updated_at = "published", comment, now
    draft.published_version_id, draft.published_by, draft.published_at = result.version.id, actor.username, now
    draft.test_run = None
    audit.record("draft_published", actor=actor, subject=f"draft:{draft.id}",
                 detail={"key": result.version.key, "locality": result.version.locality or None,
                         "version": result.version.version, "unchanged": result.unchanged, "comment": comment,
                         "test_run": tested, "uncovered": override})
