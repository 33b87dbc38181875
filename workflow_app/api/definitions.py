"""Process definitions: deploy, list, download, retire."""

import mimetypes

from flask import Response, current_app
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from .. import deployment
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


class LocalityQuery(Schema):
    locality = fields.String(load_default=None)


def _out(result: deployment.DeployResult) -> dict:
    version = result.version
    return {"key": version.key, "version": version.version, "locality": version.locality or None,
            "sha256": version.sha256, "unchanged": result.unchanged, "warnings": result.warnings}


@blp.post("")
@blp.arguments(DeployForm, location="form")
@blp.arguments(DeployFiles, location="files")
@blp.response(201, DeployOut)
@blp.alt_response(200, schema=DeployOut, description="identical bundle: nothing deployed")
@blp.alt_response(422, description="bundle refused: errors is a list of {file, line, message}")
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
