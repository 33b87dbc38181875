"""Command line: ``flask --app workflow_app <command>`` (or the ``workflow-app`` script)."""

import json
import time

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from . import deployment
from .cases import service
from .errors import DomainError
from .extensions import db
from .org import people, roles
from .repository import definitions


def _fail(error: DomainError):
    detail = f"\n{json.dumps(error.errors, ensure_ascii=False, indent=2)}" if error.errors else ""
    raise click.ClickException(f"{error.message}{detail}")


def migrate_database() -> None:
    upgrade(directory=current_app.extensions["migrate"].directory)
    roles.ensure_builtin_roles()
    db.session.commit()


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Create or upgrade the database schema to the newest migration."""
    migrate_database()
    click.echo("database is at the newest schema")


@click.command("deploy")
@with_appcontext
@click.option("--dir", "processes_dir", default=None, help="processes folder (default: ./processes)")
@click.option("--forms", "forms_dir", default=None, help="forms folder (default: ./forms)")
def deploy_command(processes_dir, forms_dir):
    """Deploy every bundle under processes/ (identical bundles are left alone)."""
    try:
        results = deployment.deploy_directory(None, processes_dir, forms_dir)
    except DomainError as error:
        _fail(error)
    for source, result in results:
        where = source.locality or "platform"
        if isinstance(result, str):
            click.echo(f"{source.key} [{where}]: {result}")
        else:
            state = "unchanged" if result.unchanged else "deployed"
            click.echo(f"{source.key} [{where}]: v{result.version.version} {state} ({result.version.sha256[:12]})")
    from .indicators import versions as indicator_versions

    try:
        for where, outcome in indicator_versions.deploy_directory(processes_dir):
            click.echo(f"indicators [{'platform' if where == '*' else where}]: {outcome}")
    except DomainError as error:
        _fail(error)


@click.command("definitions")
@with_appcontext
def list_command():
    """List deployed processes and their newest versions."""
    for version in definitions.summaries():
        click.echo(f"{version.key:<28} {version.locality or '*':<14} v{version.version:<4} "
                   f"{version.status:<8} {version.name or ''}")


@click.command("start")
@with_appcontext
@click.argument("process_key")
@click.option("--org-unit", required=True, help="code of the case's org unit")
@click.option("--user", "username", required=True, help="who starts the case")
@click.option("--data", default="{}", help="initial data as JSON")
def start_command(process_key, org_unit, username, data):
    """Start a case."""
    try:
        instance = service.start(process_key, org_unit, json.loads(data), people.get(username))
    except DomainError as error:
        _fail(error)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"--data is not JSON: {error}") from error
    click.echo(f"started instance {instance.id} of {process_key} v{instance.version.version} ({instance.status})")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", "role_specs", multiple=True, required=True,
              help="ROLE@ORG_UNIT (repeatable), or ROLE with --org-unit")
@click.option("--org-unit", default=None, help="org unit for roles given without @unit")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default=None)
@click.option("--phone", default=None)
def create_user_command(username, role_specs, org_unit, password, name, phone):
    """Create (or update) a user holding one or more roles."""
    try:
        user = people.save_user(username=username, name=name, phone=phone, password=password)
        for spec in role_specs:
            role, _, unit = spec.partition("@")
            if not (unit or org_unit):
                raise click.ClickException(f"role {role} needs an org unit (ROLE@UNIT or --org-unit)")
            people.assign(user, role, unit or org_unit)
        db.session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"user {username}: " + ", ".join(f"{a.role_code}@{a.org_unit.code}" for a in user.assignments))


@click.command("import-org")
@with_appcontext
@click.argument("kind", type=click.Choice(["org_units", "users", "households"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(kind, path):
    """Import org units, users or households from a CSV or JSON file (all rows or none)."""
    from .org import exchange

    fmt = "json" if path.lower().endswith(".json") else "csv"
    with open(path, "rb") as handle:
        content = handle.read()
    try:
        report = exchange.run_import(kind, content, fmt, None)
    except DomainError as error:
        _fail(error)
    click.echo(f"{kind}: {report.rows} rows, {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged")


@click.command("scheduler")
@with_appcontext
@click.option("--interval", type=float, default=None, help="seconds between ticks (at least 1)")
@click.option("--once", is_flag=True, help="run one tick and exit")
def scheduler_command(interval, once):
    """Fire due timers, start scheduled cases and sweep SLA clocks (safe to run on several nodes)."""
    from .timers import scheduler

    app = current_app._get_current_object()
    if once:
        began = time.perf_counter()
        report = scheduler.tick(app, plan=True)
        click.echo(json.dumps({**report, "seconds": round(time.perf_counter() - began, 3)}))
        return
    click.echo(f"scheduler running every {max(1.0, interval or app.config['SCHEDULER_INTERVAL'])}s; Ctrl-C stops")
    scheduler.run_blocking(app, interval)


@click.command("import-catalogue")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--comment", default=None)
def import_catalogue_command(path, comment):
    """Import the event catalogue from CSV (a changed file becomes the next version)."""
    from .catalogue import conditions

    with open(path, "rb") as handle:
        content = handle.read()
    try:
        version, created = conditions.import_csv(content, None, comment)
    except DomainError as error:
        _fail(error)
    state = "imported as" if created else "unchanged:"
    click.echo(f"catalogue {state} v{version.version} ({len(version.conditions)} conditions)")


@click.command("demo")
@with_appcontext
@click.option("--cases/--no-cases", default=True, help="also start sample cases")
@click.option("--history", "history_months", type=click.IntRange(0, 36), default=0,
              help="also run N months of past cases through the case service (for the indicators)")
def demo_command(cases, history_months):
    """Migrate, then seed a demo county with users for every role and the sample processes."""
    from . import demo

    migrate_database()
    summary = demo.seed(with_cases=cases)
    click.echo(summary)
    if history_months:
        from .indicators import history

        days = history.days_to_generate(history_months)
        with click.progressbar(length=days, label=f"{history_months} months of cases", show_pos=True) as bar:
            done = history.generate(current_app._get_current_object(), history_months, progress=bar.update)
        click.echo(done if done.cases else "history: already there (nothing added)")


def init_app(app: Flask) -> None:
    from . import ops_cli

    ops_cli.init_app(app)  # serve, retention, backup, restore
    for command in (migrate_command, deploy_command, list_command, start_command, create_user_command,
                    import_command, import_catalogue_command, scheduler_command, demo_command):
        app.cli.add_command(command)


def main():
    from . import create_app

    FlaskGroup(create_app=create_app)(prog_name="workflow-app")
