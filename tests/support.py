"""Helpers for driving the platform over HTTP as real users."""

import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo123"


class ApiClient:
    """Logs in as demo users (password demo123) and calls the API with their Bearer tokens."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self._tokens: dict[str, str] = {}

    def token(self, username: str, password: str = PASSWORD) -> str:
        if username not in self._tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self._tokens[username] = response.get_json()["token"]
        return self._tokens[username]

    def headers(self, username: str | None) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"} if username else {}

    def get(self, path: str, user: str | None = None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(user), **kwargs)

    def post(self, path: str, user: str | None = None, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", headers=self.headers(user), json=json, **kwargs)

    def deploy(self, files: dict[str, bytes], user: str = "designer", locality: str | None = None,
               comment: str | None = None, key: str | None = None):
        form = {"files": [(io.BytesIO(content), name) for name, content in files.items()]}
        if locality:
            form["locality"] = locality
        if comment:
            form["comment"] = comment
        if key:
            form["key"] = key
        return self.client.post("/api/v1/definitions", headers=self.headers(user), data=form,
                                content_type="multipart/form-data")

    def start(self, key: str, unit: str, data: dict, user: str):
        return self.post("/instances", user, json={"process_key": key, "org_unit": unit, "data": data})

    def tasks(self, user: str, **query) -> list[dict]:
        response = self.get("/tasks", user, query_string=query)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def complete(self, task_id: int, user: str, data: dict | None = None):
        return self.post(f"/tasks/{task_id}/complete", user, json={"data": data or {}})

    def instance(self, instance_id: int, user: str = "admin") -> dict:
        response = self.get(f"/instances/{instance_id}", user)
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def bundle(directory: str | Path) -> dict[str, bytes]:
    directory = Path(directory)
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def sample_bundle(key: str = "minor_event") -> dict[str, bytes]:
    files = bundle(ROOT / "processes" / key)
    return files


def only(tasks: list[dict], name: str | None = None) -> dict:
    found = [t for t in tasks if name is None or t["name"] == name or t["bpmn_id"] == name]
    assert len(found) == 1, f"expected one task {name!r}, got {[(t['name'], t['id']) for t in tasks]}"
    return found[0]


# A bound on a hang (a request that never returns), far above any normal answer on a loaded CI
# machine. Tests never time for speed: benchmarks in bench/ do.
HANG = 10.0


def ok(response, *statuses: int):
    """``response``, after checking its status (default: 200 or 201): setup steps fail loudly."""
    expected = statuses or (200, 201)
    assert response.status_code in expected, (response.status_code, response.get_json(silent=True))
    return response


def with_event_handling(api: ApiClient) -> ApiClient:
    """The demo's 立案条件 catalogue and the shipped 事件处置 process, deployed through the API."""
    from workflow_app import demo
    from workflow_app.extensions import db

    with api.app.app_context():
        demo.seed_catalogue()
        db.session.remove()
    ok(api.deploy(bundle(ROOT / "processes" / "event_handling")), 201)
    return api
