"""The designer's drafts (草稿): draft → validate → test run → publish. Every upload and every
edit in the modeler, the form editor or the decision-table editor is saved as a draft and
validated; a draft is never live. A test run plays the draft in a sandbox (no case, task, fact or
inbox entry is made) and shows the path on the diagram. Publishing needs the designer role and a
test run of exactly the draft's content that reached the end (请先试运行此版本并通过) and test runs
that exercised what changed (else a recorded reason: ``drafts.coverage``), shows the
diff against the live version (BPMN, DMN and forms, by meaning) and records the designer's comment."""

import json

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import drafts
from ..drafts import testrun
from ..drafts import versions as shown_versions
from ..errors import BundleInvalid, Conflict, DomainError, InvalidInput, NotFound
from ..org import access
from . import bp, bpmndiff, bpmnlayout
from .common import flash_error, flash_ok, login_required, user
from .i18n import lang, pick
from .messages import localise

KINDS = ((".bpmn20.xml", "bpmn"), (".bpmn", "bpmn"), (".dmn", "dmn"), (".json", "form"))


def kind_of(name: str) -> str | None:
    return next((kind for suffix, kind in KINDS if name.lower().endswith(suffix)), None)


def _designer():
    access.require_designer(user())
    return user()


def _page(draft_id: int):
    return redirect(url_for("web.designer_draft", draft_id=draft_id))


def _file(draft, name: str):
    found = next((f for f in draft.files if f.name == name), None)
    if found is None:
        raise NotFound(f"draft {draft.id} has no file {name!r}")
    return found


def target_error(code: str) -> str:
    """What the pickers say of a unit code no unit has (submitted by hand, or a unit since removed)."""
    return _("没有编码为 %(code)s 的单位：请从列表中选择发布到的单位", code=code)


def flash_deployed(result, published: bool = True) -> None:
    """Say what a publish (a draft) or a deploy (an upload) made live, and its warnings."""
    version = result.version
    where = shown_versions.locality_name(version.locality, lang()) or _("全县通用")
    if result.unchanged:
        flash_ok(_("内容没有变化，仍是 v%(n)d（%(where)s）", n=version.version, where=where))
    elif published:
        flash_ok(_("已发布 %(key)s v%(n)d（%(where)s）", key=version.key, n=version.version, where=where))
    else:
        flash_ok(_("已部署 %(key)s v%(n)d（%(where)s）", key=version.key, n=version.version, where=where))
    for warning in result.warnings:
        text = pick(warning.get("message_zh") or warning.get("message"), warning.get("message_en"))
        flash_ok(f"{warning.get('file')}: {text}" if warning.get("file") else text)


@bp.get("/designer/drafts/<int:draft_id>")
@login_required
def designer_draft(draft_id: int):
    return _draft_page(drafts.get(draft_id, _designer()))


def _draft_page(draft, errors: dict | None = None, target: str | None = None):
    """The draft's page; ``errors`` by field and the ``target`` typed, after a retarget refused."""
    names = [f.name for f in draft.files]
    shown = request.args.get("file") or next((n for n in names if kind_of(n) == "bpmn"), None)
    return render_template("designer_draft.html", draft=draft, names=names, shown=shown, kind_of=kind_of,
                           valid=drafts.is_valid(draft), changes=drafts.changes(draft),
                           live=drafts.live_version(draft), run=draft.test_run,
                           test_failed=drafts.test_failed(draft), test_needed=_test_needed(draft),
                           removal={n: drafts.removal(draft, n) for n in names} if draft.status == drafts.OPEN
                           else {}, errors=errors or {}, target=target,
                           gaps=[g.as_dict() for g in drafts.uncovered(draft)],
                           targets=shown_versions.locality_choices(lang(), target or draft.locality)
                           ), 422 if errors else 200


@bp.get("/designer/drafts/<int:draft_id>/files/<name>")
@login_required
def designer_draft_file(draft_id: int, name: str):
    stored = _file(drafts.get(draft_id, _designer()), name)
    mimetype = "application/json" if kind_of(name) == "form" else "application/xml"
    content = bpmnlayout.with_diagram(stored.content) if request.args.get("view") and kind_of(name) == "bpmn" \
        else stored.content  # the viewer draws a file without a layout; a download stays as stored
    return Response(content, mimetype=mimetype, headers={"Cache-Control": "private, no-store"})


@bp.get("/designer/drafts/<int:draft_id>/edit")
@login_required
def designer_draft_edit(draft_id: int):
    draft = drafts.get(draft_id, _designer())
    name = request.args.get("file") or ""
    stored = _file(draft, name).content
    laid_out = bpmnlayout.with_diagram(stored) if kind_of(name) == "bpmn" else stored
    content = laid_out.decode("utf-8", "replace")
    template = {"bpmn": "designer_edit.html", "dmn": "designer_dmn.html", "form": "designer_form.html"}
    return render_template(template.get(kind_of(name), "designer_form.html"), draft=draft, version=None,
                           name=name, xml=content, content=content, problems=None, comment="",
                           generated=laid_out != stored, target=draft.locality,
                           action=url_for("web.designer_draft_save", draft_id=draft.id))


@bp.post("/designer/drafts/<int:draft_id>/files")
@login_required
def designer_draft_save(draft_id: int):
    actor = _designer()
    name = (request.form.get("file") or "").strip()
    content = request.form.get("xml") if "xml" in request.form else request.form.get("content", "")
    try:
        draft = drafts.save_file(draft_id, name, (content or "").encode("utf-8"), actor)
    except DomainError as error:
        flash_error(error)
        return _page(draft_id)
    if drafts.is_valid(draft):
        flash_ok(_("草稿已保存并通过校验：%(name)s（尚未发布）", name=name))
    return _page(draft_id)


@bp.post("/designer/drafts/<int:draft_id>/files/<name>/remove")
@login_required
def designer_draft_remove(draft_id: int, name: str):
    actor = _designer()
    try:
        draft = drafts.remove_file(draft_id, name, actor)
    except Conflict as error:
        flash_error(DomainError(pick(error.message, ((error.errors or {}).get("file") or [error.message])[0])))
        return _page(draft_id)
    except DomainError as error:
        flash_error(error)
        return _page(draft_id)
    if any(f.name == name for f in draft.files):
        flash_ok(_("已改回沿用上级版本的文件：%(name)s（尚未发布）", name=name))
    else:
        flash_ok(_("已从草稿中删除文件：%(name)s（尚未发布）", name=name))
    return _page(draft_id)


@bp.post("/designer/drafts/<int:draft_id>/validate")
@login_required
def designer_draft_validate(draft_id: int):
    draft = drafts.validate(draft_id, _designer())
    if drafts.is_valid(draft):
        flash_ok(_("校验通过"))
    return _page(draft_id)


@bp.post("/designer/drafts/<int:draft_id>/target")
@login_required
def designer_draft_target(draft_id: int):
    actor = _designer()
    locality = (request.form.get("locality") or "").strip()
    try:
        drafts.retarget(draft_id, locality, actor)
    except InvalidInput as error:  # a unit no one has: said next to the picker
        if "locality" not in (error.errors or {}):
            raise
        return _draft_page(drafts.get(draft_id, actor), {"locality": [target_error(locality)]}, locality)
    except DomainError as error:
        flash_error(error)
    return _page(draft_id)


@bp.post("/designer/drafts/<int:draft_id>/discard")
@login_required
def designer_draft_discard(draft_id: int):
    draft = drafts.discard(draft_id, _designer())
    flash_ok(_("草稿已放弃"))
    return redirect(url_for("web.designer_process", key=draft.key) if draft.key else url_for("web.designer"))


# --- publishing ----------------------------------------------------------------------------------
def _test_needed(draft) -> str | None:
    """What the designer must do before publishing, in the page's language (None: nothing)."""
    if draft.status != drafts.OPEN:
        return None
    reason = drafts.test_needed(draft)
    return pick(*drafts.untested_message(reason)) if reason else None


def _publish_page(draft, comment: str = "", problems=None, status: int = 200, errors: dict | None = None,
                  reason: str = ""):
    return render_template("designer_publish.html", draft=draft, changes=drafts.changes(draft),
                           live=drafts.live_version(draft), valid=drafts.is_valid(draft), comment=comment,
                           problems=problems, test_failed=drafts.test_failed(draft),
                           test_needed=_test_needed(draft), gaps=[g.as_dict() for g in drafts.uncovered(draft)],
                           errors=errors or {}, reason=reason), status


@bp.get("/designer/drafts/<int:draft_id>/publish")
@login_required
def designer_draft_publish_preview(draft_id: int):
    return _publish_page(drafts.get(draft_id, _designer()))


@bp.post("/designer/drafts/<int:draft_id>/publish")
@login_required
def designer_draft_publish(draft_id: int):
    actor = _designer()
    comment = (request.form.get("comment") or "").strip()
    reason = (request.form.get("uncovered_reason") or "").strip()
    try:
        result = drafts.publish(draft_id, actor, comment, reason or None)
    except BundleInvalid as refused:
        return _publish_page(drafts.get(draft_id, actor), comment, refused.errors, 422, reason=reason)
    except InvalidInput as error:
        field = {"reason": "uncovered_reason"}.get(next(iter(error.errors or {}), ""), "comment")
        return _publish_page(drafts.get(draft_id, actor), comment, None, 422, {field: [localise(error.message)]},
                             reason)
    except Conflict as error:  # no passing test run, or one that missed the change: the page says so
        draft = drafts.get(draft_id, actor)
        if "coverage" in (error.errors or {}):
            return _publish_page(draft, comment, None, error.status, {"uncovered_reason": [_uncovered_reason()]},
                                 reason)
        if _test_needed(draft) is None:
            flash_error(error)
        return _publish_page(draft, comment, None, error.status, reason=reason)
    except DomainError as error:
        flash_error(error)
        return _publish_page(drafts.get(draft_id, actor), comment, None, error.status, reason=reason)
    flash_deployed(result)
    return redirect(url_for("web.designer_process", key=result.version.key))


def _uncovered_reason() -> str:
    return _("测试运行没有覆盖上面列出的改动：请再测试运行，或写明为什么仍要发布")


# --- test runs -----------------------------------------------------------------------------------
def _json_field(name: str) -> dict:
    raw = (request.form.get(name) or "").strip() or "{}"
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise InvalidInput(_("数据不是有效的 JSON：%(why)s", why=error), {name: ["invalid JSON"]}) from error
    if not isinstance(value, dict):
        raise InvalidInput(_("数据应为 JSON 对象"), {name: ["not an object"]})
    return value


@bp.get("/designer/drafts/<int:draft_id>/test")
@login_required
def designer_test_run(draft_id: int):
    return _test_page(drafts.get(draft_id, _designer()))


def _test_page(draft, errors: dict | None = None, typed: dict | None = None, status: int = 200):
    """The test-run page; ``errors`` by field and what was typed, after a start that was refused."""
    shown = next((f.name for f in draft.files if kind_of(f.name) == "bpmn"), None)
    run = draft.test_run
    passed = bpmndiff.passed_flows(_file(draft, shown).content, set((run or {}).get("path") or [])) if shown else []
    start_sample = testrun.start_sample(draft) if drafts.is_valid(draft) else {}
    units, default_unit = testrun.unit_choices(draft.locality, lang())
    sample = json.dumps((run or {}).get("start_data") or start_sample, ensure_ascii=False, indent=1)
    return render_template("designer_test_run.html", draft=draft, run=run, shown=shown, passed=passed,
                           gaps=[g.as_dict() for g in drafts.uncovered(draft)],
                           start_sample=(typed or {}).get("data", sample), units=units, errors=errors or {},
                           unit=typed["org_unit"] if typed is not None else (
                               (run or {}).get("unit") or request.args.get("unit") or default_unit),
                           stale=bool(run) and run.get("sha256") != drafts.content_sha(drafts.files_of(draft)),
                           dumps=lambda v: json.dumps(v, ensure_ascii=False, indent=1)), status


def _test_action(draft_id: int, action):
    try:
        action()
    except BundleInvalid as refused:
        flash_error(DomainError(_("草稿未通过校验，不能测试运行")))
        for problem in refused.errors[:5]:
            flash_error(DomainError(pick(problem.get("message_zh") or problem.get("message"),
                                         problem.get("message_en"))))
    except DomainError as error:
        flash_error(error)
    return redirect(url_for("web.designer_test_run", draft_id=draft_id))


@bp.post("/designer/drafts/<int:draft_id>/test/start")
@login_required
def designer_test_start(draft_id: int):
    actor = _designer()
    unit = (request.form.get("org_unit") or "").strip()
    typed = {"org_unit": unit, "data": request.form.get("data") or ""}
    errors = {} if unit else {"org_unit": [_("请选择在哪个单位运行")]}
    try:
        data = _json_field("data")
    except InvalidInput as error:
        errors["data"] = [error.message]
    if errors:  # said next to the fields, with what was typed kept
        return _test_page(drafts.get(draft_id, actor), errors, typed, 422)
    refused: dict = {}

    def start():
        try:
            testrun.start(draft_id, actor, unit, data)
        except InvalidInput as error:  # an unknown unit: next to the field
            if not set(error.errors or {}) & {"org_unit", "data"}:
                raise
            refused.update({k: [localise(error.message)] for k in error.errors if k in ("org_unit", "data")})

    answer = _test_action(draft_id, start)
    return _test_page(drafts.get(draft_id, actor), refused, typed, 422) if refused else answer


@bp.post("/designer/drafts/<int:draft_id>/test/tasks/<task_id>")
@login_required
def designer_test_task(draft_id: int, task_id: str):
    actor = _designer()
    return _test_action(draft_id, lambda: testrun.complete(draft_id, actor, task_id, _json_field("data")))


@bp.post("/designer/drafts/<int:draft_id>/test/auto")
@login_required
def designer_test_auto(draft_id: int):
    actor = _designer()
    return _test_action(draft_id, lambda: testrun.auto(draft_id, actor))


@bp.post("/designer/drafts/<int:draft_id>/test/timers")
@login_required
def designer_test_timers(draft_id: int):
    actor = _designer()
    return _test_action(draft_id, lambda: testrun.fire_timers(draft_id, actor))


@bp.post("/designer/drafts/<int:draft_id>/test/events")
@login_required
def designer_test_event(draft_id: int):
    actor = _designer()
    kind, name = request.form.get("kind", ""), request.form.get("name", "")
    return _test_action(draft_id, lambda: testrun.deliver(draft_id, actor, kind, name, _json_field("data")))


@bp.post("/designer/drafts/<int:draft_id>/test/clear")
@login_required
def designer_test_clear(draft_id: int):
    actor = _designer()
    return _test_action(draft_id, lambda: testrun.clear(draft_id, actor))
