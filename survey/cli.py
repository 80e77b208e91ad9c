"""Command-line interface: ``flask --app survey <command>``.

Every command reports what it did and exits non-zero with a clear message on bad
input. Commands are thin: they parse and call a service, each command one unit of work
(``work.command``: it commits at the end and rolls back on any error).
"""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from survey import commandline, frameworks, work
from survey.auth import accounts
from survey.auth.passwords import generate_password
from survey.exports.cli import export_group
from survey.extensions import db
from survey.instruments import cli as instrument_commands
from survey.jobs.command import worker
from survey.models import FrameworkVersion, Role, StaffUser, Wave
from survey.modules import ModuleError
from survey.registry import demo, reference_data
from survey.reports import privacy
from survey.responses.scoring import recompute_wave
from survey.scoring import FrameworkError, InvalidAnswers, scorer_for
from survey.statistics import dimensions, report
from survey.statistics import rollup as rollups

DEMO_ADMIN_EMAIL = "demo.admin@example.org"


def register(app: Flask) -> None:
    for command in (
        init_db,
        seed_reference,
        create_user,
        seed_demo,
        framework_group,
        score,
        rollup,
        recompute_scores,
        backup,
        erase_contacts,
        worker,
    ):
        app.cli.add_command(command)
    app.cli.add_command(export_group)


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest migration."""
    import flask_migrate  # Alembic is ~10 MB that only this command and `flask db` need

    flask_migrate.upgrade()
    url = db.engine.url.render_as_string(hide_password=True)
    click.echo(f"Database {url} is at the newest schema.")


@click.command("seed-reference")
@click.option("--units", type=click.Path(dir_okay=False), help="CSV of administrative units.")
@click.option("--sectors", type=click.Path(dir_okay=False), help="CSV of VSIC sections.")
@with_appcontext
@work.command(writes=True)
def seed_reference(units: str | None, sectors: str | None) -> None:
    """Load units, sectors, reference figures and frameworks (safe to run again)."""
    from pathlib import Path

    try:
        results = {
            "administrative units": reference_data.load_units(db.session, *([Path(units)] if units else [])),
            "sectors": reference_data.load_sectors(db.session, *([Path(sectors)] if sectors else [])),
            "reference figures": reference_data.load_reference_figures(db.session),
            "framework versions": reference_data.record_frameworks(db.session),
            "module versions": reference_data.record_modules(db.session),
        }
    except (reference_data.ReferenceDataError, FrameworkError, ModuleError) as exc:
        _fail(str(exc))
    for name, result in results.items():
        click.echo(f"{name}: {result}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="The new account's role.")
@click.option(
    "--reset",
    is_flag=True,
    help="Give the existing account a new random password, printed once (a lost demo password).",
)
@with_appcontext
@work.command(writes=True)
def create_user(email: str, role: str | None, reset: bool) -> None:
    """Create a staff account; the password is read from a prompt (or stdin), never an argument.

    With --reset, the existing account EMAIL gets a new random password instead, printed
    once; it must be changed at the next log-in, and the account's sessions end.
    """
    if reset:
        if role is not None:
            _fail("--reset changes a password only; change a role on the staff page Accounts.")
        _reset_password(email)
        return
    if role is None:
        _fail("Missing option '--role' (or use --reset to give an existing account a new password).")
    interactive = sys.stdin.isatty()
    password = click.prompt("Password", hide_input=True, confirmation_prompt=interactive, prompt_suffix=": ")
    # The same service as the staff page; the command line speaks English, and has no
    # request to ask.
    with force_locale("en"):
        try:
            user, _password = accounts.create_account(db.session, email, Role(role), password)
        except accounts.AccountRuleError as exc:
            _fail(str(exc))
    click.echo(f"Created {role} account {user.email}.")


def _reset_password(email: str) -> None:
    """The staff page's reset (survey.auth.accounts), for whoever holds the server."""
    user = db.session.scalar(select(StaffUser).filter_by(email=accounts.normal_email(email)))
    if user is None:
        _fail(f"There is no account for {accounts.normal_email(email)}.")
    with force_locale("en"):
        password = accounts.reset_password(db.session, user)
    click.echo(f"New password for {user.email}: {password}")
    click.echo("It is shown only this once; choose your own at the next log-in.")
    if not user.active:
        click.echo("The account is deactivated: an administrator must reactivate it before it can log in.")


@click.command("seed-demo")
@click.option("--firms", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing if the demo wave already exists.")
@with_appcontext
@work.command(writes=True)
def seed_demo(firms: int, seed: int, if_empty: bool) -> None:
    """Create a synthetic register, an open demo wave with answers, and a demo admin."""
    if demo.demo_present(db.session):
        if if_empty:
            click.echo("Demo data already present; nothing changed.")
            return
        _fail("Demo data already present (the demo wave exists).")
    code = current_app.config["DEFAULT_FRAMEWORK"]
    version = db.session.scalars(
        select(FrameworkVersion).filter_by(code=code).order_by(FrameworkVersion.version.desc())
    ).first()
    if version is None:
        _fail(f"Framework {code} is not recorded: run seed-reference first.")
    try:
        result = demo.seed_demo(db.session, firms, seed, version)
    except ValueError as exc:
        _fail(str(exc))
    password = None
    if db.session.scalar(select(StaffUser).filter_by(email=DEMO_ADMIN_EMAIL)) is None:
        password = generate_password()
        accounts.create_account(db.session, DEMO_ADMIN_EMAIL, Role.ADMIN, password)
    click.echo(
        f"Demo register: {result.firms} firms; wave {result.wave.name!r} (id {result.wave.id}): "
        f"{result.responses} responses, {result.submitted} submitted."
    )
    if password:
        click.echo(f"Demo staff account: {DEMO_ADMIN_EMAIL}  password: {password}")


@click.group("framework")
def framework_group() -> None:
    """Inspect the assessment frameworks shipped with the application."""


@framework_group.command("list")
@with_appcontext
@work.command(writes=False)
def framework_list() -> None:
    for code, version, path in frameworks.files():
        click.echo(f"{code}\tv{version}\t{path.name}")


# `framework export` (JSON or an XLSForm workbook) and `framework import`.
instrument_commands.add_commands(framework_group)


def _score_one(item) -> dict:
    if not isinstance(item, dict) or not isinstance(item.get("answers"), dict):
        raise ValueError('expected {"framework", "version", "answers": {...}}')
    code, version = item.get("framework"), item.get("version")
    if not isinstance(code, str) or not (version is None or isinstance(version, int)):
        raise ValueError('"framework" must be a code and "version" a whole number')
    try:
        framework = frameworks.load(code, version)
    except FrameworkError as exc:
        raise ValueError(str(exc)) from None
    return scorer_for(framework).score(item["answers"]).to_dict()


@click.command("score")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@with_appcontext
@work.command(writes=False)
def score(file) -> None:
    """Score answers given as JSON (FILE or stdin); needs no database.

    An object gives one scorecard; an array gives an array, with {"error": …} in place
    of each invalid element (and a non-zero exit).
    """
    try:
        data = json.load(file)
    except (ValueError, UnicodeDecodeError) as exc:
        _fail(f"input is not valid JSON: {exc}")
    if isinstance(data, list):
        results, failed = [], False
        for item in data:
            try:
                results.append(_score_one(item))
            except (ValueError, InvalidAnswers) as exc:
                results.append({"error": str(exc)})
                failed = True
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        if failed:
            click.echo("error: some elements could not be scored", err=True)
            sys.exit(1)
        return
    try:
        click.echo(json.dumps(_score_one(data), ensure_ascii=False, indent=2))
    except (ValueError, InvalidAnswers) as exc:
        _fail(str(exc))


def _wave(identifier: str) -> Wave:
    return commandline.wave(identifier)


@click.command("rollup")
@click.option("--wave", "wave_id", required=True, help="Wave id or exact name.")
@click.option("--by", type=click.Choice(list(dimensions.DIMENSIONS)), help="Break down by.")
@click.option("--compare-to", help="An earlier wave: report the change in weighted shares.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
@with_appcontext
@work.command(writes=False)
def rollup(wave_id: str, by: str | None, compare_to: str | None, fmt: str) -> None:
    """The wave's tier shares, level distribution, pillar means and population estimate."""
    wave = _wave(wave_id)
    strata = current_app.config["ROLLUP_STRATA"]
    try:
        result = rollups.rollup(
            db.session,
            wave,
            by=by,
            strata=strata,
            model_rule=(privacy.min_group(), privacy.model_min_register()),
        )
    except dimensions.UnknownDimension as exc:
        _fail(f"ROLLUP_STRATA: {exc}")
    if compare_to:
        result["change"] = rollups.compare(db.session, _wave(compare_to), wave, strata, by=by)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(report.as_text(result))


@click.command("recompute-scores")
@click.option("--wave", "wave_id", required=True, help="Wave id or exact name.")
@with_appcontext
@work.command(writes=True)
def recompute_scores(wave_id: str) -> None:
    """Rescore a wave's submitted responses and report how many scorecards changed."""
    wave = _wave(wave_id)
    result = recompute_wave(db.session, wave)
    click.echo(f"Wave {wave_id}: {result.checked} scorecards checked, {result.changed} changed.")


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="New file.")
@with_appcontext
@work.command(writes=False)
def backup(output: str) -> None:
    """Copy the SQLite database consistently while the app runs (PostgreSQL: use pg_dump)."""
    from pathlib import Path

    from survey import maintenance

    try:
        pages = maintenance.backup_sqlite(db.engine, Path(output))
    except maintenance.BackupError as exc:
        _fail(str(exc))
    click.echo(f"Backed up the database to {output} ({pages} pages).")


@click.command("erase-contacts")
@click.option("--older-than-days", type=click.IntRange(min=0), default=None, help="Default: RETENTION_DAYS.")
@with_appcontext
@work.command(writes=True)
def erase_contacts(older_than_days: int | None) -> None:
    """Erase contact data of waves that closed longer ago than the retention period: in
    responses, in the register (firms with no wave since) and in export files."""
    from survey import maintenance
    from survey.exports import jobs

    days = current_app.config["RETENTION_DAYS"] if older_than_days is None else older_than_days
    try:
        erased = maintenance.erase_contacts(db.session, days, exports=jobs.folder())
    except OSError as exc:
        _fail(f"An export file could not be deleted, so nothing was erased: {exc}")
    click.echo(
        f"Erased the contact details of {erased.responses} responses in waves closed over {days} days ago "
        f"({len(erased.wave_ids)} waves)."
    )
    click.echo(f"Erased the register contacts of {erased.enterprises} firms with no wave since.")
    click.echo(f"Erased the personal IDs of {erased.personal_ids} household and individual businesses.")
    click.echo(f"Erased {erased.module_texts} free-text answers to the unscored modules.")
    click.echo(
        f"Deleted {erased.export_files} export files with their contact data "
        f"({erased.export_jobs} export jobs marked erased)."
    )
