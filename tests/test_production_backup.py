"""Backups (issue 16): ``flask backup`` then a restore drill into a fresh database and file store."""

import json
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import BASE_CONFIG, ON_POSTGRES
from tests.support import ApiClient, ok, only, sample_bundle
from tests.test_web_files import PNG, upload
from tests.test_web_pages import REPORT, login
from workflow_app import create_app
from workflow_app.extensions import db
from workflow_app.ops import backup


def _fresh_database(database_templates, tmp_path) -> tuple[str, callable]:
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'restored' / 'restored.db'}", lambda: None
    dbs = database_templates["pg"]
    name = f"{dbs.prefix}_r{uuid.uuid4().hex[:8]}"
    url = dbs.create(name)
    return url, lambda: dbs.drop_later(name)


def test_backup_and_restore_drill(api, database_templates, tmp_path):
    app = api.app
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    ok(api.deploy(sample_bundle()), 201)
    case = ok(api.start("minor_event", "dc-dm-01", REPORT, "worker-dc-dm-01"), 201).get_json()
    task = only(api.tasks("staff-dc-dm"), "社区处置")
    assert upload(login(app, "staff-dc-dm"), task["id"], PNG, "现场.png").status_code == 302
    ok(api.complete(task["id"], "staff-dc-dm", {"handling_note": "已处置"}), 200)
    before = api.instance(case["id"])

    folder = tmp_path / "backup"
    made = app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert made.exit_code == 0, made.output
    manifest = backup.read(folder).manifest
    assert manifest["counts"]["process_instance"] == 1 and manifest["counts"]["audit_event"] >= 4
    assert len(manifest["files"]) == 1 and (folder / "files" / manifest["files"][0]["name"]).is_file()
    refused = app.test_cli_runner().invoke(args=["backup", str(folder)])
    assert refused.exit_code != 0 and "not empty" in refused.output

    url, drop = _fresh_database(database_templates, tmp_path)
    try:
        restored_files = tmp_path / "restored-files"
        restored_cli = app.test_cli_runner().invoke(args=["restore", str(folder), "--database-url", url,
                                                          "--files", str(restored_files)])
        assert restored_cli.exit_code == 0, restored_cli.output
        counts = json.loads(restored_cli.output.split("restored: ", 1)[1])
        assert counts == manifest["counts"]
        assert (restored_files / manifest["files"][0]["name"]).read_bytes() == PNG
        restored_app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(restored_files)})
        restored = ApiClient(restored_app)
        after = restored.instance(case["id"])
        assert after["status"] == before["status"] == "running"
        assert [t["name"] for t in after["tasks"]] == [t["name"] for t in before["tasks"]] == ["核查结案"]
        assert [e["kind"] for e in after["history"]] == [e["kind"] for e in before["history"]]
        assert after["data"] == before["data"]
        # The restored platform carries on: the case can be closed there.
        verify = only(restored.tasks("worker-dc-dm-01"), "核查结案")
        ok(restored.complete(verify["id"], "worker-dc-dm-01", {"verified": True}), 200)
        assert restored.instance(case["id"])["status"] == "completed"
        with restored_app.app_context():
            db.session.remove()
            db.engine.dispose()
        with pytest.raises(backup.Conflict):  # never over a database in use
            backup.restore(folder, url, tmp_path / "other-files")
    finally:
        engine = create_engine(make_url(url))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM process_instance")).scalar_one() == 1
        engine.dispose()
        drop()
