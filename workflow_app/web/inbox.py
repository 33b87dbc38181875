"""The inbox (待办): a person's open tasks with filters, counts, due colours and sorting; the
candidate role and unit on each card; a leader's 团队 view; saved filters; bulk claim."""

from urllib.parse import parse_qsl

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError, InvalidInput
from ..inbox import actions, filters, queries
from ..org import access, tree
from ..repository import definitions
from . import bp
from .common import flash_error, flash_ok, login_required, user
from .i18n import N_, pick
from .messages import localise

PER_PAGE = 20
MAX_UNITS = 300
SORT_LABELS = {"due": N_("按时限"), "received": N_("按接收时间"), "priority": N_("按紧急程度")}


def _query() -> queries.InboxQuery:
    args = request.args
    state = args.get("state", "open")
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    sort = args.get("sort", "due")
    return queries.InboxQuery(
        state=state if state in queries.STATES else "open",
        process_key=args.get("process") or None, overdue=overdue,
        org_unit=(args.get("org_unit") or "").strip() or None,
        text=(args.get("q") or "").strip()[:100] or None,
        page=max(1, args.get("page", 1, type=int) or 1), per_page=PER_PAGE,
        sort=sort if sort in queries.SORTS else "due",
    )


def unit_choices(person) -> list[tuple[str, str]]:
    """(code, name) of the units a person's inbox can be narrowed to: where they hold a staff role
    and the units under it, by name (indented by depth), never a code to type."""
    bases = [a.org_unit for a in person.assignments if not access.is_public(a.role_code)]
    seen, found = set(), []
    for base in bases:
        for unit in tree.units(county_of=base):
            if unit.path.startswith(base.path) and unit.code not in seen and len(found) < MAX_UNITS:
                seen.add(unit.code)
                depth = unit.path.count("/") - base.path.count("/")
                found.append((unit.code, "\u3000" * max(0, depth) + pick(unit.name_zh, unit.name_en)))
    return found


@bp.get("/inbox")
@login_required
def inbox():
    query = _query()
    errors = {}
    try:
        page = queries.inbox(user(), query)
    except InvalidInput as error:  # an unknown org unit code in the filter
        errors = error.errors or {}
        query.org_unit = None
        page = queries.inbox(user(), query)
    pages = max(1, -(-page.total // page.per_page))
    template = "inbox_results.html" if request.headers.get("HX-Request") else "inbox.html"
    names = {v.key: pick(v.name or v.key, ((v.manifest or {}).get("process_properties") or {}).get("name_en"))
             for v in definitions.summaries()}
    return render_template(template, page=page, query=query, pages=pages, errors=errors, args=request.args,
                           process_names=names, role_names=queries.role_names(), sorts=SORT_LABELS,
                           saved=filters.listing(user()), current_query=filters.clean_query(request.args.items()),
                           units=unit_choices(user()) if template == "inbox.html" else [])


@bp.post("/inbox/filters")
@login_required
def inbox_filter_save():
    query = request.form.get("query", "")
    try:
        filters.save(user(), request.form.get("name", ""), query)
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("筛选已保存"))
    return redirect(url_for("web.inbox", **dict(parse_qsl(filters.clean_query(parse_qsl(query))))))


@bp.post("/inbox/filters/<int:filter_id>/delete")
@login_required
def inbox_filter_delete(filter_id: int):
    try:
        filters.delete(user(), filter_id)
    except DomainError as error:
        flash_error(error)
    else:
        flash_ok(_("筛选已删除"))
    return redirect(url_for("web.inbox"))


@bp.post("/inbox/claim")
@login_required
def inbox_claim_many():
    """批量认领: the ticked cards, each claimed on its own; what could not be claimed is said."""
    ids = [int(v) for v in request.form.getlist("task_id") if v.isdigit()]
    claimed, refused = actions.claim_many(ids, user())
    if claimed:
        flash_ok(_("已认领 %(n)d 项", n=len(claimed)))
    for task_id, message in refused.items():
        flash_error(DomainError(f"#{task_id}: {localise(message)}"))
    if not ids:
        flash_error(DomainError(_("请先勾选要认领的任务")))
    back = request.form.get("back", "")
    return redirect(url_for("web.inbox", **dict(parse_qsl(filters.clean_query(parse_qsl(back))))))
