"""The resident's status view of a case (FixMyStreet-style) and where their reports stand in 我上报的:
one mapping from the case's milestones and status to what the reporter reads (已收到, 处理中,
已办结, 未予受理), the same on the list and on the page.

What a resident sees of the data is the process's ``public_summary`` (a process property: data
keys in order): the keys the start form declares are what they reported (您上报的内容); the
others are what the staff answered (办理结果: a refusal's reason, the handling note, photos after)."""

from dataclasses import dataclass

from ..repository import instances as store
from . import formrender
from .i18n import N_, pick

STAGES = {"received": N_("已收到"), "handling": N_("处理中"), "closed": N_("已办结"), "refused": N_("未予受理"),
          "terminated": N_("已终止")}
HANDLED = ("accepted", "escalated", "reopened")


@dataclass
class Step:
    label: str
    done: bool
    at: object = None
    note: str | None = None


def _milestones(history) -> list[tuple[object, str]]:
    return [(e.at, (e.detail or {}).get("milestone")) for e in history if e.kind == "case_milestone"]


def stage(instance, milestones) -> str:
    """Where a case stands for its reporter: a key of ``STAGES``."""
    names = [name for _at, name in milestones]
    if "not_accepted" in names:
        return "refused"
    if instance.status == "completed":
        return "closed"
    if instance.status == "terminated":
        return "terminated"
    return "handling" if any(name in HANDLED for name in names) else "received"


def stages(instances, milestones: dict[int, list]) -> dict[int, str]:
    """The stage of each case, by id, from ``milestones`` ({case id: [(at, milestone)…]})."""
    return {i.id: stage(i, milestones.get(i.id, [])) for i in instances}


def progress(instance, history=()) -> list[Step]:
    """The case as its reporter follows it: received, being handled, done — or not accepted."""
    milestones = _milestones(history)
    handled_at = next((at for at, name in milestones if name in HANDLED), None)
    refused = next((at for at, name in milestones if name == "not_accepted"), None)
    finished = instance.status in ("completed", "terminated")
    steps = [Step(N_("已收到"), True, instance.started_at)]
    if refused is not None:
        steps.append(Step(N_("未予受理"), True, refused))
        return steps
    steps.append(Step(N_("处理中"), handled_at is not None or finished, handled_at))
    steps.append(Step(N_("已办结"), finished, instance.ended_at))
    return steps


def _start_form(version) -> dict:
    manifest = store.manifest(version)
    return (manifest.get("forms") or {}).get((manifest.get("start") or {}).get("form") or "") or {}


def title(instance, data: dict) -> str:
    """The case by its event (its title, else its filing condition), not by the process's name."""
    data = data or {}
    named = pick(data.get("title"), data.get("title_en"))
    if named:
        return named
    spec = dict(formrender.ordered(_start_form(instance.version))).get("condition_code")
    if spec and data.get("condition_code"):
        return str(formrender.display(spec, data["condition_code"]))
    return pick(instance.version.name or instance.process_key)


def view(detail, rows, rating) -> dict:
    """What case_status.html shows, from the public summary's rows and the rating's (``cases.data_rows``)."""
    instance = detail.instance
    mine = {name for name, _spec in formrender.ordered(_start_form(instance.version))}
    where = stage(instance, _milestones(detail.history))
    return {"detail": detail, "steps": progress(instance, detail.history), "refused": where == "refused",
            "rating": [] if where == "refused" else rating,
            "rows": [r for r in rows if not mine or r[0] in mine],
            "answers": [r for r in rows if mine and r[0] not in mine],
            "stage": STAGES[where], "stage_key": where, "title": title(instance, detail.data)}
