"""The task page (办理): the form, claim/release/delegate, comments, attachments, and the clock
actions for those allowed: extension request (延期), pause/resume (挂账), urge (催办)."""

from flask import jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..cases import service
from ..cases import views as case_views
from ..errors import DomainError, Forbidden, InvalidInput
from ..inbox import actions, files
from ..inbox import context as task_pages
from ..org import access
from ..sla import control, extension
from . import bp, formconditions, formrender, formrounds, pages, refusals, structured
from .common import flash_error, flash_ok, login_required, user
from .messages import localise


def _render(task_id: int, typed=None, errors: dict | None = None, status: int = 200):
    view = case_views.task_detail(task_id, user())
    context = task_pages.task_context(task_id, user())
    form_fields, form_errors = _form_fields(view, context, typed, errors) if view.form else ([], [])
    if errors and not view.form:
        form_errors = [m for messages in errors.values() for m in messages]
    return render_template("task.html", view=view, ctx=context, fields=form_fields, form_errors=form_errors,
                           units=pages.time_units(),
                           show_when=formconditions.show_when(view.form["schema"]) if view.form else {}), status


def _form_fields(view, context, typed, errors) -> tuple[list, list]:
    """The task's form fields; a step come round again starts empty of its earlier answers, shown as hints."""
    form = view.form
    earlier = formrounds.earlier(context.task, form)
    shown, problems = formrender.fields(form["schema"], formrounds.without_earlier(form, earlier), typed, errors,
                                        context.choices, form.get("display_from"))
    return formrounds.hint(shown, form, earlier), problems


def _after(task_id: int, action, done: str, anchor: str = ""):
    """Run one service action; show its result on the task page."""
    try:
        action()
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(done)
    return redirect(url_for("web.task", task_id=task_id) + anchor)


@bp.get("/tasks/<int:task_id>")
@login_required
def task(task_id: int):
    try:
        return _render(task_id)
    except Forbidden:
        case = _followed_case(task_id)
        if case is None:
            raise
        return redirect(url_for("web.case", instance_id=case))


def _followed_case(task_id: int) -> int | None:
    """The case of a task the viewer may not open but whose case they follow (its reporter): its
    status page is where they read how it goes, never the internal task page."""
    found = actions.get_task(task_id)
    return found.instance_id if access.can_view_instance(user(), found.instance) else None


@bp.get("/tasks/<int:task_id>/complete")
@login_required
def task_complete_again(task_id: int):
    """The address a refused form (422) leaves in the bar: a reload or "back" goes to the task page,
    where the draft comes back, instead of "method not allowed"."""
    return redirect(url_for("web.task", task_id=task_id))


@bp.post("/tasks/<int:task_id>/complete")
@login_required
def task_complete(task_id: int):
    view = case_views.task_detail(task_id, user())
    data = formrender.parse(view.form["schema"], request.form) if view.form else {}
    try:
        completion = service.complete(task_id, data, user())
    except InvalidInput as error:
        return _render(task_id, typed=request.form, errors=error.errors or {"_form": [error.message]}, status=422)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.task", task_id=task_id))
    flash_ok(_("已提交：%(name)s", name=view.name))
    return redirect(url_for("web.case", instance_id=completion.instance.id)
                    if request.form.get("then") == "case" else url_for("web.inbox"))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def task_claim(task_id: int):
    return _after(task_id, lambda: actions.claim(task_id, user()), _("已认领，请及时办理"))


@bp.post("/tasks/<int:task_id>/release")
@login_required
def task_release(task_id: int):
    return _after(task_id, lambda: actions.release(task_id, user()), _("已释放，任务回到待认领"))


@bp.post("/tasks/<int:task_id>/delegate")
@login_required
def task_delegate(task_id: int):
    username = request.form.get("username", "")
    try:
        actions.delegate(task_id, user(), username, (request.form.get("note") or "").strip() or None)
    except DomainError as error:
        flash_error(error)
        return redirect(url_for("web.task", task_id=task_id))
    flash_ok(_("已转办给 %(name)s", name=structured.person_name(username)))
    return redirect(url_for("web.inbox"))


@bp.post("/tasks/<int:task_id>/comments")
@login_required
def task_comment(task_id: int):
    text = request.form.get("text", "")
    return _after(task_id, lambda: actions.add_comment(task_id, user(), text), _("意见已添加"), "#comments")


@bp.post("/tasks/<int:task_id>/attachments")
@login_required
def task_attach(task_id: int):
    upload = request.files.get("file")
    stream = upload.stream if upload and upload.filename else None
    name = upload.filename if upload else None
    if request.accept_mimetypes.best == "application/json":  # a photo taken in a form: attached without a reload
        try:
            stored = files.store(task_id, user(), stream, name)
        except DomainError as error:
            problems = [localise(str(m)) for ms in (error.errors or {}).values() for m in ms] \
                if isinstance(error.errors, dict) else []
            return jsonify(message="；".join(problems) or refusals.said(error)), error.status
        return jsonify(id=stored.id, reference=stored.reference, name=stored.name,
                       url=url_for("web.attachment", attachment_id=stored.id)), 201
    return _after(task_id, lambda: files.store(task_id, user(), stream, name), _("附件已上传"), "#attachments")


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    return _send(files.open_attachment(attachment_id, user()))


@bp.get("/files/<path:reference>")
@login_required
def attachment_by_reference(reference: str):
    return _send(files.open_reference(reference, user()))


def _send(stored: files.StoredFile):
    """A stored file: inline only for raster images checked by their bytes, else a download; never
    sniffed by the browser, sandboxed (no script runs whatever the bytes are)."""
    response = send_file(stored.path, mimetype=stored.content_type, download_name=stored.attachment.name,
                         as_attachment=not stored.inline, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                                   "sandbox")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/tasks/<int:task_id>/extension")
@login_required
def task_extension(task_id: int):
    form = request.form
    try:
        amount = float(form.get("amount", ""))
    except ValueError:
        amount = 0.0

    def ask():
        extension.request(task_id, user(), amount, form.get("unit", ""), form.get("reason", ""))

    return _after(task_id, ask, _("延期申请已提交，等待审批"), "#clock")


@bp.post("/tasks/<int:task_id>/pause")
@login_required
def task_pause(task_id: int):
    reason = request.form.get("reason", "")
    return _after(task_id, lambda: control.pause(task_id, user(), reason), _("已挂账，计时暂停"), "#clock")


@bp.post("/tasks/<int:task_id>/resume")
@login_required
def task_resume(task_id: int):
    return _after(task_id, lambda: control.resume(task_id, user()), _("已恢复计时"), "#clock")


@bp.post("/tasks/<int:task_id>/urge")
@login_required
def task_urge(task_id: int):
    message = request.form.get("message")
    return _after(task_id, lambda: control.urge(task_id, user(), message), _("已催办"), "#clock")
