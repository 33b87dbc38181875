"""The process designer (流程设计, for process designers and administrators): processes and their
versions per locality, diagrams of any version, upload or edit-and-deploy a new version with
validation errors in place (file and line), side-by-side comparison, retire, locality variants
as overlays (created only after asking where one exists, rebased after reading the diff)."""

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import deployment, variants
from ..errors import BundleInvalid, DomainError, NotFound
from ..org import access
from ..repository import definitions
from . import bp, bpmndiff
from .common import flash_error, flash_ok, login_required, user
from .i18n import pick


def _designer():
    access.require_designer(user())  # Forbidden (403 page) for everyone else
    return user()


def _locality() -> str:
    return (request.values.get("locality") or "").strip()


def _version(key: str, number: int, locality: str | None = None):
    return definitions.get(key, number, locality if locality is not None else _locality())


def _bpmn_names(version) -> list[str]:
    return [f.name for f in version.files if f.kind == "bpmn"]


def _deployed(result: deployment.DeployResult) -> None:
    version = result.version
    where = version.locality or _("全县通用")
    if result.unchanged:
        flash_ok(_("内容没有变化，仍是 v%(n)d（%(where)s）", n=version.version, where=where))
    else:
        flash_ok(_("已部署 %(key)s v%(n)d（%(where)s）", key=version.key, n=version.version, where=where))
    for warning in result.warnings:
        text = pick(warning.get("message_zh") or warning.get("message"), warning.get("message_en"))
        flash_ok(f"{warning.get('file')}: {text}" if warning.get("file") else text)


def _key_page(version):
    return redirect(url_for("web.designer_process", key=version.key))


@bp.get("/designer")
@login_required
def designer():
    _designer()
    return render_template("designer.html", summaries=definitions.summaries(), problems=None, form={})


@bp.post("/designer/upload")
@login_required
def designer_upload():
    actor = _designer()
    uploads = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f and f.filename]
    form = {k: (request.form.get(k) or "").strip() for k in ("locality", "comment", "key")}
    try:
        result = deployment.deploy(uploads, actor=actor, locality=form["locality"] or None,
                                   comment=form["comment"] or None, key=form["key"] or None)
    except BundleInvalid as refused:
        return render_template("designer.html", summaries=definitions.summaries(), problems=refused.errors,
                               form=form), 422
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.designer"))
    _deployed(result)
    return _key_page(result.version)


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
                           overlays=overlays)


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
    return Response(stored.content, mimetype=mimetype, headers={"Cache-Control": "private, no-store"})


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
    _deployed(result)
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
    _deployed(result.deployed)
    return redirect(url_for("web.designer_process", key=key))


def _editor(version, name: str, xml: str, problems=None, comment: str = "", target: str | None = None,
            status: int = 200):
    return render_template("designer_edit.html", version=version, name=name, xml=xml, problems=problems,
                           comment=comment, target=version.locality if target is None else target), status


@bp.get("/designer/<key>/versions/<int:number>/edit")
@login_required
def designer_edit(key: str, number: int):
    _designer()
    version = _version(key, number)
    name = request.args.get("file") or (_bpmn_names(version) or [""])[0]
    stored = definitions.file(version, name)
    return _editor(version, name, stored.content.decode("utf-8"))


@bp.post("/designer/<key>/versions/<int:number>/deploy")
@login_required
def designer_deploy(key: str, number: int):
    """Deploy the modeler's XML together with the base version's other files."""
    actor = _designer()
    version = _version(key, number)
    name, xml = request.form.get("file", ""), request.form.get("xml", "")
    comment, target = (request.form.get("comment") or "").strip(), (request.form.get("target") or "").strip()
    definitions.file(version, name)  # the edited file must belong to the base version
    files = [(f.name, f.content) for f in version.files if f.name != name] + [(name, xml.encode("utf-8"))]
    try:
        result = deployment.deploy(files, actor=actor, locality=target or None, comment=comment or None, key=key)
    except BundleInvalid as refused:
        return _editor(version, name, xml, refused.errors, comment, target, 422)
    except DomainError as error:
        flash_error(error)
        return _editor(version, name, xml, None, comment, target, error.status)
    _deployed(result)
    return _key_page(result.version)


def _pick(value: str | None):
    """'locality:number' ('' locality = platform-wide) as a version."""
    locality, _sep, number = (value or "").rpartition(":")
    if not number.isdigit():
        raise NotFound("choose two versions to compare")
    return locality, int(number)


@bp.get("/designer/<key>/compare")
@login_required
def designer_compare(key: str):
    _designer()
    (loc_a, n_a), (loc_b, n_b) = _pick(request.args.get("a")), _pick(request.args.get("b"))
    old, new = _version(key, n_a, loc_a), _version(key, n_b, loc_b)
    name_a, name_b = (_bpmn_names(old) or [""])[0], (_bpmn_names(new) or [""])[0]
    try:
        diff = bpmndiff.compare(definitions.file(old, name_a).content, definitions.file(new, name_b).content)
    except ValueError:  # an unreadable file: show the diagrams without marks
        diff = bpmndiff.Diff()
    return render_template("designer_compare.html", key=key, old=old, new=new, name_a=name_a, name_b=name_b,
                           diff=diff, versions=definitions.versions(key))
