"""Per-app in-memory caches: restored specs per version, restored runs per instance revision.

Both are safe across app nodes by construction: a version's spec never changes, and a run is
only reused for the exact (instance, revision) it was saved as; any other node's write bumps the
revision, so a stale run is never found.
"""

import threading
import time
from collections import OrderedDict

from flask import current_app, has_app_context

from ..engine import LoadedSpec, ProcessRun, load_spec


class _LRU:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def pop(self, key):
        with self._lock:
            return self._items.pop(key, None)

    def put(self, key, value):
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


class TTLCache:
    """Small lookups that change rarely (roles, the org tree): kept ``ttl`` seconds per node and
    dropped at once on this node when it writes them; other nodes see a change within ``ttl``."""

    def __init__(self, ttl: float = 30.0):
        self.ttl = ttl
        self._items: dict = {}
        self._lock = threading.Lock()

    def get(self, key, load):
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        with self._lock:
            self._items[key] = (now + self.ttl, value)
        return value

    def clear(self):
        with self._lock:
            self._items.clear()


class Caches:
    def __init__(self, spec_size: int = 256, run_size: int = 512, org_ttl: float = 30.0):
        self.specs = _LRU(spec_size)
        self.runs = _LRU(run_size)  # size 0: every request restores its run
        self.org = TTLCache(org_ttl)

    def spec(self, version) -> LoadedSpec:
        loaded = self.specs.get(version.id)
        if loaded is None:
            loaded = load_spec(version.spec_json, version.manifest)
            self.specs.put(version.id, loaded)
        return loaded

    def spec_by_id(self, version_id: int, load) -> LoadedSpec:
        """The spec of version ``version_id``; ``load()`` fetches the version row on a miss only."""
        loaded = self.specs.get(version_id)
        if loaded is None:
            return self.spec(load())
        return loaded

    def take_run(self, instance_id: int, revision: int) -> ProcessRun | None:
        """Take ownership of a cached run (it will be mutated; put it back only after a commit)."""
        cached = self.runs.pop(instance_id)
        if cached is None:
            return None
        cached_revision, run = cached
        return run if cached_revision == revision else None

    def keep_run(self, instance_id: int, revision: int, run: ProcessRun) -> None:
        self.runs.put(instance_id, (revision, run))

    def clear(self) -> None:
        self.specs.clear()
        self.runs.clear()
        self.org.clear()


def caches() -> Caches:
    return current_app.extensions["workflow_app.caches"]


def org_cached(key, load):
    """``load()`` through the org TTL cache of the current app (uncached outside an app)."""
    if not has_app_context():
        return load()
    return caches().org.get(key, load)


def forget_org() -> None:
    if has_app_context():
        caches().org.clear()
