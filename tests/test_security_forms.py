"""Issue 10, finding 1 and 3 (forms): form schemas reach no file and no network, and their regexes
cannot hang a submission. References resolve at deploy time from the bundle and forms/ only."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests import models
from tests.support import HANG, ok

TASK = models.user_task("fill", "填写", form="f.json")
LANES = {"grid_worker": ["start", "fill", "end"]}


def bundle(form: dict, **extra) -> dict[str, bytes]:
    files = {"formcheck.bpmn": models.simple("formcheck", TASK, lanes=LANES), "f.json": json.dumps(form).encode()}
    files.update({name: content if isinstance(content, bytes) else json.dumps(content).encode()
                  for name, content in extra.items()})
    return files


def form(**properties) -> dict:
    return {"type": "object", "title": "表", "properties": properties}


def open_task(api, files) -> int:
    deployed = api.deploy(files)
    assert deployed.status_code == 201, deployed.get_json()
    started = api.start("formcheck", "dc-dm-01", {}, "worker-dc-dm-01")
    assert started.status_code == 201, started.get_json()
    return api.tasks("worker-dc-dm-01", instance_id=started.get_json()["id"])[0]["id"]


def refused(response) -> str:
    assert response.status_code == 422, (response.status_code, response.get_json())
    return json.dumps(response.get_json(), ensure_ascii=False)


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        body = json.dumps({"type": "string", "maxLength": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    """A server on another local port that counts what the platform fetches from it."""
    _Counter.hits = 0
    server = HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_ref_to_the_network_is_refused_at_deploy_and_never_fetched(api, local_server):
    for ref in (f"{local_server}/schema.json", f"{local_server}/schema.json#/x", "//127.0.0.1/x.json"):
        text = refused(api.deploy(bundle(form(name={"$ref": ref}))))
        assert "f.json" in text and "forms may reference only" in text
    with_id = form(name={"$ref": "other.json"})
    with_id["$id"] = f"{local_server}/base/"  # a base URI cannot turn a file name into a fetch either
    assert "cannot be resolved" in refused(api.deploy(bundle(with_id)))
    assert _Counter.hits == 0


def test_a_ref_to_a_server_file_is_refused_and_leaks_nothing(api, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "string", "const": "TOP-SECRET-CONTENT"}')
    for ref in (f"file://{secret}", "file:///etc/passwd", "/etc/passwd", "../../etc/passwd", "..%2Fsecret.json",
                str(secret)):
        text = refused(api.deploy(bundle(form(name={"$ref": ref}))))
        assert "TOP-SECRET" not in text and "root:" not in text


def test_an_unparseable_or_missing_ref_is_a_422_naming_the_file(api):
    cases = [({"$ref": "broken.json"}, {"broken.json": b"{not json"}, "broken.json is not a valid JSON form"),
             ({"$ref": "missing.json"}, {}, "missing.json is neither in the bundle nor in forms/"),
             ({"$ref": "#/$defs/nowhere"}, {}, "points at nothing"),
             ({"$ref": 42}, {}, "is not of type"),
             ({"$ref": "%zz::"}, {}, "f.json"),
             ({"$dynamicRef": "#meta"}, {}, "not supported"),
             ({"$ref": "#"}, {}, "recursive")]
    for node, extra, expected in cases:
        response = api.deploy(bundle(form(name=node), **extra))
        assert expected in refused(response), (node, response.get_json())
        assert any(e["file"] == "f.json" for e in response.get_json()["errors"])


def test_refs_inside_the_bundle_and_forms_are_resolved_at_deploy_and_stored(api):
    common = {"$defs": {"phone": {"type": "string", "pattern": "^[0-9]{11}$", "title": "电话号码"}}}
    files = bundle(form(phone={"$ref": "common.json#/$defs/phone", "title": "联系电话"},
                        level={"$ref": "#/$defs/level"}) | {"$defs": {"level": {"enum": ["a", "b"]}}},
                   **{"common.json": common})
    task_id = open_task(api, files)
    shown = api.get(f"/tasks/{task_id}", "worker-dc-dm-01").get_json()["form"]["schema"]
    assert "$ref" not in json.dumps(shown)
    assert shown["properties"]["phone"] == {"type": "string", "pattern": "^[0-9]{11}$", "title": "联系电话"}
    versions = api.get("/definitions/formcheck/versions", "designer").get_json()
    assert "common.json" in versions[0]["files"]  # what the form was resolved from is kept with the version
    bad = api.complete(task_id, "worker-dc-dm-01", {"phone": "12", "level": "c"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"phone", "level"}
    assert api.complete(task_id, "worker-dc-dm-01", {"phone": "13900000001", "level": "a"}).status_code == 200


def test_a_changed_shared_form_behind_a_ref_is_a_new_version(api, tmp_path):
    shared = tmp_path / "forms"
    shared.mkdir()
    (shared / "common.json").write_text(json.dumps({"$defs": {"n": {"type": "string", "maxLength": 3}}}))
    api.app.config["FORMS_DIR"] = str(shared)
    files = bundle(form(n={"$ref": "common.json#/$defs/n"}))
    assert ok(api.deploy(files), 201).get_json()["version"] == 1
    (shared / "common.json").write_text(json.dumps({"$defs": {"n": {"type": "string", "maxLength": 5}}}))
    again = ok(api.deploy(files), 201).get_json()
    assert again["version"] == 2 and not again["unchanged"]


def test_a_backtracking_pattern_cannot_hang_a_submission(api):
    task_id = open_task(api, bundle(form(name={"type": "string", "pattern": "^(a+)+$", "maxLength": 5000},
                                         code={"type": "string", "format": "regex"})))
    for payload in ("a" * 28 + "!", "a" * 4000 + "!", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x01"):
        began = time.perf_counter()
        response = api.complete(task_id, "worker-dc-dm-01", {"name": payload})
        assert time.perf_counter() - began < HANG
        assert response.status_code == 422 and "name" in response.get_json()["errors"]
    began = time.perf_counter()
    assert api.complete(task_id, "worker-dc-dm-01", {"code": "(a|aa)*(?=b)"}).status_code == 422
    assert api.get("/auth/whoami", "worker-dc-dm-01").status_code == 200
    assert time.perf_counter() - began < HANG
    assert api.complete(task_id, "worker-dc-dm-01", {"name": "aaaa", "code": "^[a-z]+$"}).status_code == 200


def test_patterns_re2_cannot_run_are_refused_at_deploy(api):
    for pattern in ("(?=a)b", "(a)\\1", "a{1000}{1000}", "(?<!x)y"):
        text = refused(api.deploy(bundle(form(name={"type": "string", "pattern": pattern}))))
        assert "RE2 cannot compile" in text and "f.json" in text
    text = refused(api.deploy(bundle({**form(), "patternProperties": {"(?=x)": {}}})))
    assert "patternProperties" in text


def test_chinese_forms_keep_their_ecma_unicode_escapes(api):
    task_id = open_task(api, bundle(form(name={"type": "string", "pattern": "^[\\u4e00-\\u9fa5]{2,4}$"})))
    assert api.complete(task_id, "worker-dc-dm-01", {"name": "abc"}).status_code == 422
    assert api.complete(task_id, "worker-dc-dm-01", {"name": "张三"}).status_code == 200


def test_a_ref_explosion_is_refused(api):
    defs = {f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}] * 4} for i in range(12)}
    defs["d12"] = {"type": "string"}
    text = refused(api.deploy(bundle({**form(name={"$ref": "#/$defs/d0"}), "$defs": defs})))
    assert "larger than" in text


def test_an_unknown_schema_dialect_is_refused(api, local_server):
    text = refused(api.deploy(bundle({**form(), "$schema": f"{local_server}/meta"})))
    assert "unknown $schema" in text and _Counter.hits == 0
