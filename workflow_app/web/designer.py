"""The process designer (流程设计, for process designers and administrators): processes and their
versions per locality, diagrams of any version, upload or edit-and-deploy a new version with
validation errors in place (file and line), side-by-side comparison, retire, locality variants
as overlays (created only after asking where one exists, rebased after reading the diff)."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import deployment, drafts, variants
from ..drafts import versions as shown_versions
from ..errors import BundleInvalid, DomainError, InvalidInput, NotFound
from ..org import access
from ..repository import definitions
from . import bp, bpmndiff, bpmnlayout, designer_drafts
from .common import flash_error, flash_ok, login_required, user
from .i18n import lang


def _designer():
    access.require_designer(user())  # Forbidden (403 page) for everyone else
    return user()


def _locality() -> str:
    return (request.values.get("locality") or "").strip()


def _version(key: str, number: int, locality: str | None = None):
    return definitions.get(key, number, locality if locality is not None else _locality())


def _bpmn_names(version) -> list[str]:
    return [f.name for f in version.files if f.kind == "bpmn"]


@bp.app_template_filter("place")
def _place(code: str | None) -> str:
    """A locality code as its unit's name ('' for platform-wide): pages never show the code."""
    return shown_versions.locality_name(code, lang())


def _key_page(version):
    return redirect(url_for("web.designer_process", key=version.key))


@bp.get("/designer")
@login_required
def designer():
    _designer()
    return _home(form={})


def _home(form: dict, errors: dict | None = None):
    return render_template("designer.html", summaries=definitions.summaries(), problems=None, form=form,
                           drafts=drafts.open_drafts(), errors=errors or {},
                           targets=shown_versions.locality_choices(lang(), form.get("locality")))


@bp.post("/designer/upload")
@login_required
def designer_upload():
    """An upload becomes a draft (validated, never live): the draft page shows what is wrong."""
    actor = _designer()
    uploads = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f and f.filename]
    form = {k: (request.form.get(k) or "").strip() for k in ("locality", "comment", "key")}
    try:
        draft = drafts.from_upload(uploads, actor, form["locality"] or None, form["key"] or None)
    except InvalidInput as error:
        if "locality" not in (error.errors or {}):
            flash_error(error)
            return _home(form), error.status
        return _home(form, {"locality": [designer_drafts.target_error(form["locality"])]}), error.status
    except DomainError as error:
        flash_error(error)
        return _home(form), error.status
    if drafts.is_valid(draft):
        flash_ok(_("已保存为草稿并通过校验；测试运行后发布才会生效"))
    return redirect(url_for("web.designer_draft", draft_id=draft.id))


@bp.get("/designer/<key>")
@login_required
def designer_process(key: str):
    _designer()
    rows = definitions.versions(key)
    series: dict[str, list] = {}
    for version in rows:
        series.setdefault(version.locality, []).append(version)
    for versions in series.values():
        versions.reverse()  # newest first
    overlays = {status.locality: status for status in variants.statuses(key)}
    return render_template("designer_process.html", key=key, series=series, name=rows[-1].name or key,
                           overlays=overlays, drafts=drafts.open_drafts(key), states=shown_versions.states(rows),
                           deployer=shown_versions.deployer, is_setup=shown_versions.is_setup,
                           person=shown_versions.person, targets=shown_versions.locality_choices(lang()))


@bp.get("/designer/<key>/versions/<int:number>")
@login_required
def designer_version(key: str, number: int):
    _designer()
    version = _version(key, number)
    return render_template("designer_version.html", version=version, names=_bpmn_names(version),
                           shown=request.args.get("file") or (_bpmn_names(version) or [None])[0])


@bp.get("/designer/<key>/versions/<int:number>/files/<name>")
@login_required
def designer_file(key: str, number: int, name: str):
    _designer()
    stored = definitions.file(_version(key, number), name)
    mimetype = "application/json" if stored.kind == "form" else "application/xml"
    content = bpmnlayout.with_diagram(stored.content) if request.args.get("view") and stored.kind == "bpmn" \
        else stored.content  # the viewer draws a file without a layout; a download stays as stored
    return Response(content, mimetype=mimetype, headers={"Cache-Control": "private, no-store"})


@bp.post("/designer/<key>/versions/<int:number>/retire")
@login_required
def designer_retire(key: str, number: int):
    actor = _designer()
    try:
        version = deployment.retire(key, number, _locality() or None, actor)
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("已停用 %(key)s v%(n)d；在办案件继续按原版本运行", key=key, n=version.version))
    return redirect(url_for("web.designer_process", key=key))


@bp.post("/designer/<key>/variant")
@login_required
def designer_variant(key: str):
    """A locality variant holding nothing of its own yet: an overlay on its parent. Where the unit
    already has one, nothing is replaced until the designer has seen what would change and confirmed."""
    actor = _designer()
    unit = (request.form.get("org_unit") or "").strip()
    comment = (request.form.get("comment") or "").strip()
    try:
        confirmed = request.form.get("confirm") == "1"
        result = deployment.create_variant(key, unit, actor, comment or None, replace=confirmed)
    except deployment.VariantExists as exists:
        return render_template("designer_variant_confirm.html", key=key, unit=unit, comment=comment,
                               existing=exists.existing, parent=exists.parent, changes=exists.changes)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.designer_process", key=key))
    designer_drafts.flash_deployed(result, published=False)
    return redirect(url_for("web.designer_process", key=key))


@bp.get("/designer/<key>/variants/<locality>/rebase")
@login_required
def designer_rebase_preview(key: str, locality: str):
    """What rebasing the variant on its parent's newest version would change."""
    actor = _designer()
    result = deployment.rebase(key, locality, actor, apply=False)
    return render_template("designer_rebase.html", key=key, status=result.status, problems=None)


@bp.post("/designer/<key>/variants/<locality>/rebase")
@login_required
def designer_rebase(key: str, locality: str):
    actor = _designer()
    try:
        result = deployment.rebase(key, locality, actor, comment=(request.form.get("comment") or "").strip() or None)
    except BundleInvalid as refused:
        status = deployment.rebase(key, locality, actor, apply=False).status
        return render_template("designer_rebase.html", key=key, status=status, problems=refused.errors), 422
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.designer_process", key=key))
    designer_drafts.flash_deployed(result.deployed, published=False)
    return redirect(url_for("web.designer_process", key=key))


@bp.get("/designer/<key>/versions/<int:number>/edit")
@login_required
def designer_edit(key: str, number: int):
    """The modeler on a version's file; saving makes a draft of that version (nothing goes live)."""
    _designer()
    version = _version(key, number)
    name = request.args.get("file") or (_bpmn_names(version) or [""])[0]
    content = definitions.file(version, name).content
    laid_out = bpmnlayout.with_diagram(content)
    return _edit_page(version, name, laid_out.decode("utf-8"), version.locality, generated=laid_out != content)


def _edit_page(version, name: str, xml: str, target: str, errors: dict | None = None, generated: bool = False):
    """The modeler on a version's file; ``errors`` by field (a target no unit has), the XML kept."""
    return render_template("designer_edit.html", version=version, draft=None, name=name, generated=generated,
                           xml=xml, problems=None, comment="", target=target, errors=errors or {},
                           targets=shown_versions.locality_choices(lang(), target),
                           action=url_for("web.designer_draft_new", key=version.key, number=version.version,
                                          locality=version.locality)), 422 if errors else 200


@bp.post("/designer/<key>/versions/<int:number>/draft")
@login_required
def designer_draft_new(key: str, number: int):
    """A draft of the version, with the modeler's XML for the edited file (or none: a plain copy)."""
    actor = _designer()
    name, xml = request.form.get("file", ""), request.form.get("xml")
    target = (request.form.get("target") or "").strip() if "target" in request.form else None
    changed = {name: xml.encode("utf-8")} if name and xml is not None else {}
    try:
        draft = drafts.from_version(key, number, _locality(), actor, changed, target)
    except InvalidInput as error:
        if "locality" not in (error.errors or {}) or target is None:
            flash_error(error)
            return redirect(url_for("web.designer_process", key=key))
        refused = {"target": [designer_drafts.target_error(target)]}
        return _edit_page(_version(key, number), name, xml or "", target, refused)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.designer_process", key=key))
    if drafts.is_valid(draft):
        flash_ok(_("已保存为草稿并通过校验（尚未发布）"))
    return redirect(url_for("web.designer_draft", draft_id=draft.id))


def _pick(value: str | None):
    """'locality:number' ('' locality = platform-wide) as a version."""
    locality, _sep, number = (value or "").rpartition(":")
    if not number.isdigit():
        raise NotFound("choose two versions to compare")
    return locality, int(number)


@bp.get("/designer/<key>/compare")
@login_required
def designer_compare(key: str):
    """Two versions side by side: the diagrams with their changed elements marked, and every file
    of the bundles that differs (BPMN elements, DMN columns and rules, forms line by line)."""
    _designer()
    (loc_a, n_a), (loc_b, n_b) = _pick(request.args.get("a")), _pick(request.args.get("b"))
    old, new = _version(key, n_a, loc_a), _version(key, n_b, loc_b)
    shown = request.args.get("file")
    name_b = shown if shown in _bpmn_names(new) else (_bpmn_names(new) or [""])[0]
    name_a = name_b if name_b in _bpmn_names(old) else (_bpmn_names(old) or [""])[0]
    try:
        diff = bpmndiff.compare(definitions.file(old, name_a).content, definitions.file(new, name_b).content)
    except ValueError:  # an unreadable file: show the diagrams without marks
        diff = bpmndiff.Diff()
    changes = bpmndiff.bundle_changes(variants.contents(old), variants.contents(new))
    return render_template("designer_compare.html", key=key, old=old, new=new, name_a=name_a, name_b=name_b,
                           diff=diff, changes=changes, versions=definitions.versions(key),
                           bpmn_names=_bpmn_names(new))


