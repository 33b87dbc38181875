"""Drafts: draft → validate → test run → publish, for designers (the web designer's pages use the
same service). A draft is never live; publishing needs the designer role, a comment and a test
run of exactly its content that reached the end."""

from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from .. import drafts
from ..auth import current
from ..drafts import testrun
from .definitions import DeployOut, FileChangeOut, _out
from .schemas import Timestamp

PREFIX = "/drafts"
blp = Blueprint("drafts", __name__, description="流程草稿 Drafts (draft → validate → test run → publish)")


class NewDraftForm(Schema):
    locality = fields.String(load_default=None, validate=validate.Length(max=64))
    key = fields.String(load_default=None, validate=validate.Length(max=128))


class DraftFiles(Schema):
    files = fields.List(Upload(), required=True)


class FromVersion(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=128))
    version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    locality = fields.String(load_default="", validate=validate.Length(max=64))
    target = fields.String(load_default=None, validate=validate.Length(max=64),
                           metadata={"description": "where it would be published (default: the version's locality)"})


class FileContent(Schema):
    content = fields.String(required=True, validate=validate.Length(max=5_000_000))


class PublishArgs(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    uncovered_reason = fields.String(load_default=None, validate=validate.Length(max=2000), metadata={
        "description": "why to publish although the test runs did not exercise a change (409 otherwise)"})


class TestStart(Schema):
    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=64))
    data = fields.Dict(load_default=dict)


class TestTask(Schema):
    data = fields.Dict(load_default=dict)


class TestEvent(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["message", "signal"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    data = fields.Dict(load_default=dict)


class ValidationOut(Schema):
    ok = fields.Boolean()
    current = fields.Boolean(metadata={"description": "the result is of the draft's present content"})
    problems = fields.List(fields.Dict())
    warnings = fields.List(fields.Dict())


class TestRunOut(Schema):
    status = fields.String(metadata={"description": "running, completed or error"})
    unit = fields.String()
    path = fields.List(fields.String(), metadata={"description": "the flow nodes completed, in order"})
    ready = fields.List(fields.Dict(), metadata={"description": "tasks to play: id, bpmn_id, name, form, sample"})
    timers = fields.List(fields.Dict())
    waiting = fields.List(fields.Dict())
    effects = fields.List(fields.Dict(), metadata={"description": "platform effects a real case would apply"})
    failure = fields.Dict(allow_none=True)


class DraftOut(Schema):
    id = fields.Integer()
    key = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    locality = fields.Function(lambda d: d.locality or None)
    status = fields.String(metadata={"description": "draft, published or discarded"})
    base = fields.Function(lambda d: {"locality": d.base.locality or None, "version": d.base.version}
                           if d.base_id and d.base is not None else None)
    files = fields.Function(lambda d: [f.name for f in d.files])
    validation = fields.Function(lambda d: {**(d.validation or {}), "current": (d.validation or {}).get("sha256")
                                            == drafts.content_sha(drafts.files_of(d))})
    created_by = fields.String()
    updated_at = Timestamp()
    comment = fields.String(allow_none=True)


def _changes(draft) -> list[dict]:
    return [{"name": c.name, "change": c.change, "added": c.elements.added, "removed": c.elements.removed,
             "changed": c.elements.changed, "diff": c.lines} for c in drafts.changes(draft)]


@blp.post("")
@blp.arguments(NewDraftForm, location="form")
@blp.arguments(DraftFiles, location="files")
@blp.response(201, DraftOut)
def create(form, upload):
    """A draft of uploaded files (validated, not live). For a known process an upload may hold only
    the files it changes."""
    files = [(f.filename or "", f.read()) for f in upload["files"]]
    return drafts.from_upload(files, current.require_user(), form.get("locality") or None, form.get("key") or None)


@blp.post("/from-version")
@blp.arguments(FromVersion, location="json")
@blp.response(201, DraftOut)
def from_version(args):
    """A draft of a deployed version's files."""
    return drafts.from_version(args["key"], args["version"], args["locality"], current.require_user(),
                               target=args.get("target"))


@blp.get("/<int:draft_id>")
@blp.response(200, DraftOut)
def get(draft_id):
    return drafts.get(draft_id, current.require_user())


@blp.put("/<int:draft_id>/files/<name>")
@blp.arguments(FileContent, location="json")
@blp.response(200, DraftOut)
def save_file(args, draft_id, name):
    """Replace or add one file; the draft is validated again."""
    return drafts.save_file(draft_id, name, args["content"].encode("utf-8"), current.require_user())


@blp.delete("/<int:draft_id>/files/<name>")
@blp.response(200, DraftOut)
@blp.alt_response(404, description="the draft has no such file")
@blp.alt_response(409, description="the draft is not open, or the file cannot be removed (its only BPMN file; "
                                   "for a variant: a file it already takes from its parent)")
def remove_file(draft_id, name):
    """Remove one file; the draft is validated again. For a locality variant, removing a file it
    changes that its parent also has means using the parent's file again (the draft takes the
    parent's content back); the parent's files themselves cannot be removed."""
    return drafts.remove_file(draft_id, name, current.require_user())


@blp.post("/<int:draft_id>/validate")
@blp.response(200, DraftOut)
def validate_draft(draft_id):
    return drafts.validate(draft_id, current.require_user())


@blp.get("/<int:draft_id>/changes")
@blp.response(200, FileChangeOut(many=True))
def changes(draft_id):
    """What publishing would change against the live version (BPMN, DMN and forms)."""
    return _changes(drafts.get(draft_id, current.require_user()))


@blp.post("/<int:draft_id>/publish")
@blp.arguments(PublishArgs, location="json")
@blp.response(201, DeployOut)
@blp.alt_response(422, description="the draft does not validate, or no comment")
@blp.alt_response(409, description="no test run of exactly this content reached the end (请先试运行此版本并通过), "
                  "or the test runs did not exercise a change and no uncovered_reason was given")
def publish(args, draft_id):
    """Deploy the draft as the next version, with the designer's comment. Needs a test run of
    exactly the draft's content that reached the end (409 请先试运行此版本并通过 otherwise), unless the
    draft changes nothing that runs against the live version. No role may skip it."""
    return _out(drafts.publish(draft_id, current.require_user(), args["comment"], args["uncovered_reason"]))


@blp.post("/<int:draft_id>/discard")
@blp.response(200, DraftOut)
def discard(draft_id):
    return drafts.discard(draft_id, current.require_user())


@blp.post("/<int:draft_id>/test-run")
@blp.arguments(TestStart, location="json")
@blp.response(200, TestRunOut)
def test_start(args, draft_id):
    """Start a sandboxed test run (no case, task, fact or notification is made)."""
    return testrun.start(draft_id, current.require_user(), args["org_unit"], args["data"])


@blp.post("/<int:draft_id>/test-run/tasks/<task_id>")
@blp.arguments(TestTask, location="json")
@blp.response(200, TestRunOut)
def test_task(args, draft_id, task_id):
    """Play one ready task of the test run."""
    return testrun.complete(draft_id, current.require_user(), task_id, args["data"])


@blp.post("/<int:draft_id>/test-run/auto")
@blp.response(200, TestRunOut)
def test_auto(draft_id):
    """Play every ready task with its sample data until the run ends, fails or waits."""
    return testrun.auto(draft_id, current.require_user())


@blp.post("/<int:draft_id>/test-run/events")
@blp.arguments(TestEvent, location="json")
@blp.response(200, TestRunOut)
def test_event(args, draft_id):
    """Send the test run a message or signal it waits for."""
    return testrun.deliver(draft_id, current.require_user(), args["kind"], args["name"], args["data"])
