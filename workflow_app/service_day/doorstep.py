"""The visit form at the door: the visit task with its household (as the visitor may see it) and its
last visits, and recording it in one go with a photo taken on the phone.

The photo is stored as the task's attachment (``inbox.files``: checked by its bytes, bound to the
task) and its reference goes into the form's ``photos``; then the task is completed as any task
is (``cases.service.complete``), so the model's rules, forms and effects apply unchanged."""

from dataclasses import dataclass, field

from ..cases import service
from ..cases import views as case_views
from ..extensions import db
from ..inbox import context as task_pages
from ..inbox import files
from ..models import Household, User
from ..org import households
from ..repository import instances as store
from . import visits

RECENT = 3


@dataclass
class DoorstepPage:
    view: object  # cases.views.TaskView
    context: object  # inbox.context.TaskContext
    household: object | None  # org.households.HouseholdView
    recent: list = field(default_factory=list)


def _household_of(task) -> Household | None:
    if not task.is_open:
        return None
    entry = store.read_run(task.instance).task_data(task.engine_task_id).get("household")
    ident = entry.get("household_id") if isinstance(entry, dict) else None
    return db.session.get(Household, ident) if isinstance(ident, int) and not isinstance(ident, bool) else None


def page(task_id: int, actor: User) -> DoorstepPage:
    view = case_views.task_detail(task_id, actor)  # Forbidden for those who may not see it
    context = task_pages.task_context(task_id, actor)
    household = _household_of(context.task)
    shown = households.view(actor, household) if household is not None else None
    recent = []
    if shown is not None:
        recent = visits.history(actor, str(household.id))["visits"][:RECENT]
    return DoorstepPage(view, context, shown, recent)


def record(task_id: int, actor: User, data: dict, photo=None, photo_name: str | None = None):
    """Store the photo (if one was taken) on the task, then complete the visit with it."""
    if photo is not None:
        attachment = files.store(task_id, actor, photo, photo_name)
        listed = data.get("photos") if isinstance(data.get("photos"), list) else []
        data = {**data, "photos": [*listed, attachment.reference]}
    if data.get("problem_found") is not True:
        data = {k: v for k, v in data.items() if k not in ("problem_code", "problem_description")}
    return service.complete(task_id, data, actor)
