"""``flask --app survey export responses|summary``: a wave to an Excel workbook.

Filter values are checked against the database and the enums before anything is
written, and the file appears only once it is complete (written beside it, then
renamed), so a failed export never leaves half a workbook under the asked-for name.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey import commandline, work
from survey.exports import module_columns, workbooks
from survey.exports import rows as export_rows
from survey.exports.cells import ERASED_ID
from survey.exports.summary import write_summary
from survey.extensions import db
from survey.models import Wave
from survey.models.base import utcnow
from survey.reports import filters as report_filters
from survey.reports import privacy
from survey.responses.scoring import framework_of
from survey.statistics import dimensions


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _wave(identifier: str) -> Wave:
    return commandline.wave(identifier)


def _filter_options(command):
    """The filter options of both commands, one per filter of the vocabulary (by its short
    name); values fixed in code are offered as choices, so ``--help`` lists them."""
    for f in reversed(report_filters.FILTERS.values()):
        kind = click.Choice([e.value for e in f.enum]) if f.enum is not None else None
        command = click.option(f"--{f.short}", f.short, type=kind, help=f.help)(command)
    return command


def _filters(given: dict) -> dict[str, str]:
    """Canonical filter → value for the options given, checked by the one parser."""
    try:
        return report_filters.parse(
            {name: value for name, value in given.items() if value is not None}, db.session, strict=True
        )
    except report_filters.BadFilter as exc:
        _fail(str(exc))


def _exported_by() -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown user"
    return f"command line ({user})"


def _write_atomically(path: Path, write) -> None:
    """Call ``write(file)`` on a file beside ``path``; rename it to ``path`` once complete."""
    if path.is_dir():
        _fail(f"{path} is a directory; give a file name.")
    if not path.parent.is_dir():
        _fail(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("wb") as target:
            write(target)
        os.replace(partial, path)
    except OSError as exc:
        _fail(f"Cannot write {path}: {exc.strerror or exc}")
    finally:
        partial.unlink(missing_ok=True)


@click.group("export")
def export_group() -> None:
    """Export a wave to Excel: every response, or the summary figures."""


@export_group.command("responses")
@click.option("--wave", "wave_id", required=True, help="Wave id or exact name.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--labels",
    type=click.Choice(["codes", "labels"]),
    default="codes",
    show_default=True,
    help="Answers as option codes or as option labels.",
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--no-contacts", is_flag=True, help="Leave out the contact name, e-mail and phone.")
@click.option(
    "--mask-personal-ids",
    is_flag=True,
    help="Mask household and individual businesses' personal IDs (031•••••••23), as for analysts.",
)
@_filter_options
@with_appcontext
@work.command(writes=False)
def export_responses(
    wave_id: str,
    output: Path,
    labels: str,
    lang: str,
    no_contacts: bool,
    mask_personal_ids: bool,
    **given: str | None,
) -> None:
    """Every response of a wave (drafts and rejected ones too, marked), one row each."""
    wave = _wave(wave_id)
    filters = _filters(given)
    framework = framework_of(wave.framework_version)
    include_contacts = not no_contacts
    written = 0

    def write(target) -> None:
        nonlocal written
        written = workbooks.write_responses_workbook(
            target,
            framework,
            export_rows.response_rows(
                db.session,
                wave,
                filters,
                contacts=include_contacts,
                personal_ids=not mask_personal_ids,
                erased=ERASED_ID[lang],
                modules=True,
            ),
            wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
            filters=filters,
            exported_by=_exported_by(),
            exported_at=utcnow(),
            labels=labels,
            lang=lang,
            include_contacts=include_contacts,
            include_personal_ids=not mask_personal_ids,
            modules=module_columns.pinned_modules(db.session, wave),
        )

    _write_atomically(output, write)
    contacts = "with" if include_contacts else "without"
    click.echo(f"Wrote {written} responses of wave {wave.name!r} ({contacts} contacts) to {output}.")


@export_group.command("summary")
@click.option("--wave", "wave_id", required=True, help="Wave id or exact name.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--labels",
    type=click.Choice(["codes", "labels"]),
    default="codes",
    show_default=True,
    help="Sheets, columns and groups named by code, or in words in the language (as on the dashboard).",
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option(
    "--min-group",
    type=click.IntRange(min=1),
    default=None,
    help="Groups with fewer counted responses show no shares. Default: the configured "
    "DASHBOARD_MIN_GROUP, as on the dashboard.",
)
@_filter_options
@with_appcontext
@work.command(writes=False)
def export_summary(
    wave_id: str, output: Path, labels: str, lang: str, min_group: int | None, **given: str | None
) -> None:
    """The wave's figures with charts: overall, by each dimension, levels, pillars, reference."""
    wave = _wave(wave_id)
    filters = _filters(given)
    written = None

    def write(target) -> None:
        nonlocal written
        written = write_summary(
            target,
            db.session,
            wave,
            filters,
            lang=lang,
            min_group=privacy.min_group() if min_group is None else min_group,
            strata=current_app.config["ROLLUP_STRATA"],
            labels=labels,
        )

    try:
        _write_atomically(output, write)
    except dimensions.UnknownDimension as exc:
        _fail(f"ROLLUP_STRATA: {exc}")
    click.echo(
        f"Wrote the summary of wave {wave.name!r} ({written.counted} counted responses, "
        f"{len(written.breakdowns)} breakdowns) to {output}."
    )
