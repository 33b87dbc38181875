"""Upgrading a database whose locality variants are full copies (migration 0006): they keep working,
and those that share files with their parent become overlays that can show as behind."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import BASE_CONFIG, ON_POSTGRES
from tests.support import ApiClient, sample_bundle
from workflow_app import create_app, deployment, variants
from workflow_app.extensions import db

DMN, BPMN = "minor_event_grading.dmn", "minor_event.bpmn"
GRID_RULE = b'<outputEntry id="rule_minor_level"><text>"grid"</text></outputEntry>'
MINOR = {"category": "environment", "severity": "minor", "description": "井盖松动", "address": "东门路"}


@pytest.fixture
def empty_database(database_templates, tmp_path):
    if ON_POSTGRES:
        dbs = database_templates["pg"]
        name = f"{dbs.prefix}_m{uuid.uuid4().hex[:8]}"
        yield dbs.create(name)
        dbs.drop_later(name)
        return
    yield f"sqlite:///{tmp_path / 'old.db'}"


def _old_version(conn, key: str, locality: str, number: int, files: dict[str, bytes], at: datetime) -> int:
    """A version row as deployments before overlays wrote it: every file its own."""
    compiled, stored, _ = deployment._compile(variants.Plan(sorted(files.items()), set(files)), key,
                                              lambda name: None if "/" in name else _shared(name))
    digest = hashlib.sha256()
    for name, content, _kind in sorted(stored):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).hexdigest().encode() + b"\n")
    row = conn.execute(sa.text(
        "INSERT INTO process_version (key, locality, version, name, sha256, status, comment, deployed_by, "
        "deployed_at, spec_json, manifest) VALUES (:k, :l, :v, :n, :s, 'active', 'old', 'designer', :at, :spec, :m) "
        "RETURNING id"), {"k": key, "l": locality, "v": number, "n": compiled.name, "s": digest.hexdigest(),
                          "at": at.replace(tzinfo=None), "spec": compiled.spec_json,
                          "m": json.dumps(compiled.manifest, ensure_ascii=False)}).scalar_one()
    for name, content, kind in stored:
        conn.execute(sa.text("INSERT INTO process_file (version_id, name, kind, sha256, content) "
                             "VALUES (:v, :n, :k, :s, :c)"),
                     {"v": row, "n": name, "k": kind, "s": hashlib.sha256(content).hexdigest(), "c": content})
    return row


def _shared(name: str) -> bytes | None:
    from pathlib import Path

    path = Path(BASE_CONFIG["FORMS_DIR"]) / name
    return path.read_bytes() if path.is_file() else None


def _dc_dmn() -> bytes:
    return sample_bundle()[DMN].replace(GRID_RULE, GRID_RULE.replace(b'"grid"', b'"community"'))


def _seed_old_database(app) -> None:
    """At revision 0005: default v1, 东城街道's full copy made from it, default v2 after it, a 西山镇
    copy that changed the BPMN and DMN (its forms are the default's), and a 西山镇 variant of a
    process that has no default version at all."""
    files = sample_bundle()
    renamed = files[BPMN].replace('name="社区处置"'.encode(), 'name="社区处置（新）"'.encode())
    odd_bpmn = files[BPMN].replace('name="小事快办"'.encode(), 'name="小事快办（西山）"'.encode())
    odd_dmn = files[DMN].replace(b'name="', b'name="xs ', 1)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with app.app_context(), db.engine.begin() as conn:
        _old_version(conn, "minor_event", "", 1, files, start)
        _old_version(conn, "minor_event", "dc", 1, {**files, DMN: _dc_dmn()}, start + timedelta(days=1))
        _old_version(conn, "minor_event", "", 2, {**files, BPMN: renamed}, start + timedelta(days=2))
        _old_version(conn, "minor_event", "xs", 1, {BPMN: odd_bpmn, DMN: odd_dmn}, start + timedelta(days=3))
        _old_version(conn, "sla_extension", "xs", 1, sample_bundle("sla_extension"), start + timedelta(days=3))


def test_full_copy_variants_keep_working_after_the_upgrade(empty_database):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    try:
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory, revision="0005")
        _seed_old_database(app)
        with app.app_context():
            from workflow_app import demo
            from workflow_app.cli import migrate_database

            migrate_database()  # 0006 and whatever follows
            demo.seed_org()
            demo.seed_users()
            db.session.commit()
        api = ApiClient(app)
        _check_upgraded(api)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _check_upgraded(api) -> None:
    [dc] = api.get("/definitions/minor_event/versions?locality=dc", "designer").get_json()
    assert dc["base"] == {"locality": None, "version": 1} and dc["own_files"] == [DMN]
    status = api.get("/definitions/minor_event/variants/dc", "designer").get_json()
    assert status["overlay"] is True and status["behind"] is True and [c["name"] for c in status["changes"]] == [BPMN]

    [xs] = api.get("/definitions/minor_event/versions?locality=xs", "designer").get_json()
    assert xs["base"] == {"locality": None, "version": 2} and xs["own_files"] == [BPMN, DMN]  # forms inherited
    [alone] = api.get("/definitions/sla_extension/versions?locality=xs", "designer").get_json()
    assert alone["base"] is None and set(alone["own_files"]) == set(alone["files"])  # nothing to overlay: a copy
    assert api.get("/definitions/sla_extension/variants/xs", "designer").get_json()["overlay"] is False

    started = api.start("minor_event", "dc-dm-01", MINOR, "worker-dc-dm-01")
    assert started.status_code == 201, started.get_json()
    assert (started.get_json()["locality"], started.get_json()["version"]) == ("dc", 1)
    [task] = api.instance(started.get_json()["id"])["tasks"]
    assert (task["bpmn_id"], task["name"]) == ("community_handle", "社区处置")  # the variant as it was
    in_xs = api.start("minor_event", "xs-sq-01", MINOR, "worker-xs-sq-01")
    assert in_xs.status_code == 201 and in_xs.get_json()["locality"] == "xs"

    # The variant's directory now holds only its DMN: deploying it changes nothing.
    again = api.deploy({DMN: _dc_dmn()}, locality="dc")
    assert again.status_code == 200 and again.get_json()["unchanged"] is True
    rebased = api.post("/definitions/minor_event/variants/dc/rebase", "designer", json={})
    assert rebased.status_code == 200 and rebased.get_json()["deployed"]["version"] == 2
