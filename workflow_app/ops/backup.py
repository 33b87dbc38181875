"""Backups of the database and the file store, and restoring one (``flask backup`` / ``flask restore``).

A backup is a folder: ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the
platform runs) or ``database.dump`` (PostgreSQL: ``pg_dump --format=custom --no-owner
--no-privileges``, one consistent snapshot), ``files/`` (the uploads: ``inbox.files.directory()``),
and ``manifest.json`` (when, which schema revision, row counts of the main tables, the files and
their sizes). ``restore`` loads one into an *empty* database and file store, then checks the counts
against the manifest.
"""

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from .. import clock
from ..errors import Conflict, InvalidInput
from ..extensions import db
from ..inbox import files

COUNTED = ("process_instance", "human_task", "audit_event", "case_fact", "app_user", "org_unit", "process_version",
           "task_attachment")
MANIFEST = "manifest.json"


@dataclass
class Backup:
    folder: Path
    manifest: dict


def _libpq_url(url) -> str:
    """A SQLAlchemy URL as libpq takes it (no driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def counts(engine) -> dict[str, int]:
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED if t in present}


def _revision(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _copy_files(source: Path, target: Path) -> list[dict]:
    listed = []
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            relative = path.relative_to(source)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
            listed.append({"name": str(relative), "bytes": path.stat().st_size})
    return listed


def create(folder: str | Path) -> Backup:
    """Back up the current app's database and file store into ``folder`` (made; must be new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise Conflict(f"{folder} is not empty: a backup goes into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    manifest = {"created_at": clock.now().isoformat(), "database": engine.dialect.name,
                "revision": _revision(engine), "counts": counts(engine)}
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(engine.url.database)
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            with target:
                source.backup(target)  # online: pages copied while writers carry on (WAL)
        finally:
            target.close()
            source.close()
        manifest["dump"] = "database.sqlite3"
    else:
        dump = folder / "database.dump"
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}",
                        f"--dbname={_libpq_url(engine.url)}"], check=True, capture_output=True, timeout=24 * 3600)
        manifest["dump"] = dump.name
    manifest["files"] = _copy_files(files.directory(), folder / "files")
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return Backup(folder, manifest)


def read(folder: str | Path) -> Backup:
    folder = Path(folder)
    try:
        return Backup(folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"{folder} is not a backup: {error}") from error


def restore(folder: str | Path, database_url: str, upload_dir: str | Path) -> dict[str, int]:
    """Load the backup in ``folder`` into the empty database at ``database_url`` and the empty
    ``upload_dir``; returns the restored counts (equal to the manifest's, or it raises)."""
    backup = read(folder)
    url = make_url(database_url)
    kind = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    if kind != backup.manifest["database"]:
        raise InvalidInput(f"a {backup.manifest['database']} backup cannot be restored into {kind}")
    upload_dir = Path(upload_dir)
    if upload_dir.exists() and any(upload_dir.iterdir()):
        raise Conflict(f"{upload_dir} is not empty")
    if kind == "sqlite":
        target = Path(url.database)
        if target.exists() and target.stat().st_size:
            raise Conflict(f"{target} exists: restore into a new database")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(backup.folder / backup.manifest["dump"], target)
    else:
        engine = create_engine(url)
        try:
            if inspect(engine).get_table_names():
                raise Conflict("the target database is not empty: restore into a new one")
        finally:
            engine.dispose()
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                        f"--dbname={_libpq_url(url)}", str(backup.folder / backup.manifest["dump"])],
                       check=True, capture_output=True, timeout=24 * 3600)
    _copy_files(backup.folder / "files", upload_dir)
    engine = create_engine(url)
    try:
        restored = counts(engine)
    finally:
        engine.dispose()
    if restored != backup.manifest["counts"]:
        raise Conflict(f"restored counts differ from the backup's: {restored} != {backup.manifest['counts']}")
    return restored
