"""A short bench/cluster.py run on PostgreSQL (issue 16): two app nodes and two schedulers on one
database, one of each killed with SIGKILL midway and restarted; the database is then checked (no
task completed twice, no start doubled, no timer lost or fired twice, audit consistent with state).
The bench exits non-zero when any check fails or a client saw an error."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="the cluster shares one PostgreSQL database (SQLite is one "
                                "node's embedded file): run with DATABASE_URL=postgresql://…")


def test_two_nodes_survive_a_kill_with_nothing_lost_or_doubled(database_templates):
    dbs = database_templates["pg"]
    name = f"{dbs.prefix}_c{uuid.uuid4().hex[:8]}"
    url = dbs.create(name, template=database_templates["demo"])
    try:
        done = subprocess.run([sys.executable, "bench/cluster.py", "--database-url", url, "--seconds", "10",
                               "--clients", "6", "--workers", "1", "--threads", "2", "--down", "3",
                               "--no-baseline"], cwd=ROOT, capture_output=True, text=True, timeout=240,
                              env={**os.environ, "DATABASE_URL": url})
    finally:
        dbs.drop_later(name)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["two_nodes"]["errors"] == 0 and results["two_nodes"]["drained"]
    assert all(check["result"] == "ok" for check in results["checks"].values()), results["checks"]
    assert results["two_nodes"]["completions_per_s"] > 0
    assert "SIGKILL app node B" in done.stdout
