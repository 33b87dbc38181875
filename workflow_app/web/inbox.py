"""The inbox (待办): a person's open tasks with filters, counts and due colours."""

from flask import render_template, request

from ..errors import InvalidInput
from ..inbox import queries
from ..repository import definitions
from . import bp
from .common import login_required, user

PER_PAGE = 20


def _query() -> queries.InboxQuery:
    args = request.args
    state = args.get("state", "open")
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    return queries.InboxQuery(
        state=state if state in queries.STATES else "open",
        process_key=args.get("process") or None, overdue=overdue,
        org_unit=(args.get("org_unit") or "").strip() or None,
        text=(args.get("q") or "").strip()[:100] or None,
        page=max(1, args.get("page", 1, type=int) or 1), per_page=PER_PAGE,
    )


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
    names = {v.key: v.name or v.key for v in definitions.summaries()}
    return render_template(template, page=page, query=query, pages=pages, errors=errors, args=request.args,
                           process_names=names)
