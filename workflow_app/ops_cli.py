"""Operations commands: ``serve``, ``retention``, ``backup``, ``restore``, ``supervision-recount``
(registered by ``cli.init_app``)."""

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .errors import DomainError


def _fail(error: DomainError):
    raise click.ClickException(error.message)


@click.command("serve")
@click.option("--bind", default=None, help="address:port (default WORKFLOW_BIND or 127.0.0.1:5000)")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="gunicorn worker processes (default 2)")
@click.option("--threads", type=click.IntRange(1, 64), default=None, help="threads per worker (default 4)")
@click.option("--scheduler/--no-scheduler", default=True, help="run a scheduler process beside the app")
@click.option("--grace", type=float, default=25.0, help="seconds given to a graceful stop")
def serve_command(bind, workers, threads, scheduler, grace):
    """Run the production server (gunicorn) and a scheduler; Ctrl-C or SIGTERM stops both."""
    from .ops import serve

    click.echo(f"serving on {bind or 'WORKFLOW_BIND or 127.0.0.1:5000'} with gunicorn "
               f"({'with' if scheduler else 'without'} a scheduler); Ctrl-C stops", err=True)
    sys.exit(serve.run(serve.Options(bind=bind, workers=workers, threads=threads, scheduler=scheduler,
                                     grace=grace)))


@click.command("retention")
@with_appcontext
@click.option("--older-than", "older_than", default="180d", show_default=True,
              help="compact completed cases that ended longer ago than this (180d, 26w, 48h)")
@click.option("--dry-run", is_flag=True, help="only count the cases that would be compacted")
@click.option("--batch", type=click.IntRange(1, 10000), default=200, show_default=True)
def retention_command(older_than, dry_run, batch):
    """Compact the engine state of completed cases (audit, facts, files and the case page stay)."""
    from .ops import retention

    try:
        age = retention.parse_age(older_than)
    except DomainError as error:
        _fail(error)

    def progress(report):
        if report.dry_run:
            click.echo(f"{report.candidates} completed case(s) ended before {report.cutoff} (dry run: nothing changed)")
            return
        done = report.compacted + report.skipped
        saved = (report.bytes_before - report.bytes_after) / 1e6
        click.echo(f"{done}/{report.candidates} cases: {report.compacted} compacted, {saved:.1f} MB saved")

    report = retention.run(age, dry_run=dry_run, progress=progress, batch=batch)
    if not dry_run:
        click.echo(json.dumps(report.__dict__))


@click.command("backup")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False))
def backup_command(folder):
    """Back up the database (SQLite online backup / pg_dump) and the file store into FOLDER."""
    from .ops import backup

    try:
        made = backup.create(folder)
    except DomainError as error:
        _fail(error)
    click.echo(f"backup in {made.folder}: {made.manifest['dump']}, {len(made.manifest['files'])} file(s), "
               f"counts {json.dumps(made.manifest['counts'])}")


@click.command("restore")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--database-url", default=None, help="an empty database (default: this app's DATABASE_URL)")
@click.option("--files", "upload_dir", default=None, help="an empty folder for the files (default: UPLOAD_DIR)")
def restore_command(folder, database_url, upload_dir):
    """Restore a backup into an empty database and file store, and check its counts."""
    from .inbox import files
    from .ops import backup

    url = database_url or current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        restored = backup.restore(folder, url, upload_dir or files.directory())
    except DomainError as error:
        _fail(error)
    click.echo(f"restored: {json.dumps(restored)}")


@click.command("supervision-recount")
@with_appcontext
def supervision_recount_command():
    """Rebuild the supervisors' board's counts from the open tasks (sla.counts; docs/deploy.md)."""
    from .extensions import db
    from .sla import counts

    rows = counts.recount()
    db.session.commit()
    click.echo(f"supervision counts rebuilt: {rows} count row(s)")


def init_app(app: Flask) -> None:
    for command in (serve_command, retention_command, backup_command, restore_command, supervision_recount_command):
        app.cli.add_command(command)
