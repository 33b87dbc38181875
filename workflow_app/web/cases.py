"""The case page (案件): its data, timeline (the audit trail), open tasks, pending timers and the
live BPMN diagram (bpmn-js NavigatedViewer) with completed and active elements marked."""

from flask import Response, render_template

from ..cases import views as case_views
from ..errors import NotFound
from ..repository import definitions
from . import bp, formrender, pages
from .common import login_required, user
from .i18n import N_

EVENT_LABELS = {
    "instance_started": N_("发起上报"), "task_created": N_("生成任务"), "task_claimed": N_("认领"),
    "task_released": N_("释放"), "task_delegated": N_("转办"), "task_completed": N_("办结环节"),
    "task_cancelled": N_("环节取消"), "task_commented": N_("添加意见"), "task_attachment_added": N_("上传附件"),
    "task_urged": N_("催办"), "sla_paused": N_("挂账"), "sla_resumed": N_("恢复计时"),
    "sla_extended": N_("延期"), "timer_fired": N_("定时触发"), "instance_completed": N_("结案"),
    "instance_error": N_("运行出错"), "instance_suspended": N_("案件暂停"), "instance_resumed": N_("案件恢复"),
    "instance_terminated": N_("案件终止"), "instance_retried": N_("重新运行"),
}
STATUS_LABELS = {"running": N_("办理中"), "completed": N_("已结案"), "error": N_("出错"), "suspended": N_("已暂停"),
                 "terminated": N_("已终止"), "blocked": N_("受阻待处理")}


def field_specs(version) -> dict[str, dict]:
    """Every field the version's forms declare, by name (the first form to declare it wins)."""
    specs: dict[str, dict] = {}
    for document in ((version.manifest or {}).get("forms") or {}).values():
        for name, spec in formrender.ordered(document or {}):
            specs.setdefault(name, spec)
    return specs


PLATFORM_KEYS = {"initiator": ("上报人", "Reported by"), "handling_level": ("处置层级", "Handling level")}


def _shown(spec: dict, value) -> object:
    """Platform values people recognise: who reported, and limits such as {amount: 4, unit: work_hours}."""
    if isinstance(value, dict) and "username" in value:
        return value.get("name") or value["username"]
    if isinstance(value, dict) and {"amount", "unit"} <= set(value):
        zh, en = pages.UNIT_LABELS.get(value["unit"], (value["unit"], value["unit"]))
        return f"{value['amount']} {formrender.i18n.pick(zh, en)}"
    return formrender.display(spec, value)


def data_rows(version, data: dict) -> list[tuple[str, str, object, str]]:
    """(name, label, shown value, widget) for each item of case data, labelled by the forms."""
    specs = field_specs(version)
    rows = []
    for name, value in (data or {}).items():
        spec = specs.get(name, {})
        zh, en = PLATFORM_KEYS.get(name, (spec.get("title") or name, spec.get("x-title-en")))
        widget = formrender.widget_of(spec) if spec else ""
        rows.append((name, formrender.i18n.pick(zh, en), _shown(spec, value), widget))
    return rows


@bp.get("/cases/<int:instance_id>")
@login_required
def case(instance_id: int):
    detail = case_views.instance_detail(instance_id, user())
    drawing = case_views.diagram(instance_id, user())
    return render_template("case.html", detail=detail, diagram=drawing,
                           rows=data_rows(detail.instance.version, detail.data),
                           events=EVENT_LABELS, statuses=STATUS_LABELS)


@bp.get("/cases/<int:instance_id>/diagram/<name>")
@login_required
def case_diagram(instance_id: int, name: str):
    """The deployed BPMN file of the case's version, for the viewer (after the access check)."""
    detail = case_views.instance_detail(instance_id, user())
    stored = definitions.file(detail.instance.version, name)
    if stored.kind != "bpmn":
        raise NotFound(f"{name} is not a BPMN diagram")
    return Response(stored.content, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})
