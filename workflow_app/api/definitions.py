"""Process definitions: deploy, list, download, retire; locality variants' status and rebase."""

import mimetypes

from flask import Response, current_app
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from .. import deployment, variants
from ..auth import current
from ..repository import definitions
from .schemas import Timestamp

PREFIX = "/definitions"
blp = Blueprint("definitions", __name__, description="流程定义 Process definitions")


class DeployForm(Schema):
    locality = fields.String(load_default=None, validate=validate.Length(max=64))
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))
    key = fields.String(load_default=None, validate=validate.Length(max=128))


class DeployFiles(Schema):
    files = fields.List(Upload(), required=True)


class DeployOut(Schema):
    key = fields.String()
    version = fields.Integer()
    locality = fields.String(allow_none=True)
    sha256 = fields.String()
    unchanged = fields.Boolean()
    warnings = fields.List(fields.Dict())


class VersionOut(Schema):
    key = fields.String()
    name = fields.String(allow_none=True)
    version = fields.Integer()
    locality = fields.Function(lambda v: v.locality or None)
    sha256 = fields.String()
    status = fields.String()
    comment = fields.String(allow_none=True)
    deployed_by = fields.String(allow_none=True)
    deployed_at = Timestamp()
    retired_at = Timestamp(allow_none=True)
    files = fields.Function(lambda v: [f.name for f in v.files])
    own_files = fields.Function(lambda v: [f.name for f in v.own_files] if v.base_id else [f.name for f in v.files])
    base = fields.Function(lambda v: {"locality": v.base.locality or None, "version": v.base.version}
                           if v.base_id and v.base is not None else None)


class LocalityQuery(Schema):
    locality = fields.String(load_default=None)


class VersionRef(Schema):
    locality = fields.String(allow_none=True)
    version = fields.Integer()
    sha256 = fields.String()


class FileChangeOut(Schema):
    name = fields.String()
    change = fields.String(metadata={"description": "added, removed or changed"})
    added = fields.List(fields.String(), metadata={"description": "element ids (BPMN flow elements, DMN rules)"})
    removed = fields.List(fields.String())
    changed = fields.List(fields.String())
    diff = fields.List(fields.String(), metadata={"description": "unified diff lines (bounded)"})


class VariantOut(Schema):
    key = fields.String()
    locality = fields.String()
    version = fields.Integer()
    status = fields.String()
    overlay = fields.Boolean(metadata={"description": "false: a full copy deployed before overlays (no base)"})
    base = fields.Nested(VersionRef, allow_none=True, metadata={"description": "the parent version it overlays"})
    parent = fields.Nested(VersionRef, allow_none=True, metadata={"description": "the parent's newest version"})
    behind = fields.Boolean(metadata={"description": "rebasing on the parent would change the variant"})
    own_files = fields.List(fields.String())
    inherited_files = fields.List(fields.String())
    changes = fields.List(fields.Nested(FileChangeOut), metadata={"description": "what a rebase changes"})


class RebaseArgs(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "only show what would change"})
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class RebaseOut(VariantOut):
    deployed = fields.Nested(DeployOut, allow_none=True)


def _out(result: deployment.DeployResult) -> dict:
    version = result.version
    return {"key": version.key, "version": version.version, "locality": version.locality or None,
            "sha256": version.sha256, "unchanged": result.unchanged, "warnings": result.warnings}


@blp.post("")
@blp.arguments(DeployForm, location="form")
@blp.arguments(DeployFiles, location="files")
@blp.response(201, DeployOut)
@blp.alt_response(200, schema=DeployOut, description="identical bundle: nothing deployed")
@blp.alt_response(422, description="bundle refused: errors is a list of {file, line, element, code, message, "
                                   "message_en, message_zh}")
def deploy(form, upload):
    """Deploy a bundle of BPMN, DMN and form files as a new version (or nothing, if unchanged)."""
    actor = current.require_user()
    files = [(f.filename or "", f.read()) for f in upload["files"]]
    result = deployment.deploy(files, actor=actor, locality=form.get("locality") or None,
                               comment=form.get("comment"), key=form.get("key") or None)
    return _out(result), (200 if result.unchanged else 201)


@blp.get("")
@blp.response(200, VersionOut(many=True))
def list_definitions():
    """The newest version of every process, per locality."""
    current.require_user()
    return definitions.summaries()


@blp.get("/<key>/versions")
@blp.arguments(LocalityQuery, location="query")
@blp.response(200, VersionOut(many=True))
def list_versions(query, key):
    """All versions of a process (optionally for one locality; '' or omitted = all)."""
    current.require_user()
    locality = query.get("locality")
    return definitions.versions(key, locality if locality is not None else None)


@blp.get("/<key>/versions/<int:number>/files/<name>")
@blp.arguments(LocalityQuery, location="query")
def download(query, key, number, name):
    """One file of a version, as deployed."""
    current.require_user()
    version = definitions.get(key, number, query.get("locality") or definitions.DEFAULT)
    stored = definitions.file(version, name)
    mimetype = {"bpmn": "application/xml", "dmn": "application/xml", "form": "application/json"}.get(
        stored.kind, mimetypes.guess_type(name)[0] or "application/octet-stream")
    return Response(stored.content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.post("/<key>/versions/<int:number>/retire")
@blp.arguments(LocalityQuery, location="query")
@blp.response(200, VersionOut)
def retire(query, key, number):
    """Retire a version: running cases keep it, new cases take the newest active one."""
    actor = current.require_user()
    current_app.logger.info("retire %s v%s by %s", key, number, actor.username)
    return deployment.retire(key, number, query.get("locality") or None, actor)


@blp.get("/<key>/variants/<locality>")
@blp.response(200, VariantOut)
def variant(key, locality):
    """A locality variant against its parent: its base, its own and inherited files, whether it is
    behind (rebasing would change it) and what a rebase would change."""
    current.require_user()
    return variants.status(key, locality).as_dict()


@blp.post("/<key>/variants/<locality>/rebase")
@blp.arguments(RebaseArgs, location="json")
@blp.response(200, RebaseOut)
@blp.alt_response(422, description="the rebased bundle was refused (errors as for a deploy)")
def rebase(args, key, locality):
    """Rebase a variant on its parent's newest version, keeping its own files: the answer lists
    what changes, and the version deployed (none with dry_run, or when nothing changes)."""
    actor = current.require_user()
    result = deployment.rebase(key, locality, actor, apply=not args["dry_run"], comment=args.get("comment"))
    return {**result.status.as_dict(), "deployed": _out(result.deployed) if result.deployed else None}
