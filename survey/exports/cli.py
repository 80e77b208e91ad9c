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
from sqlalchemy import select

from survey import commandline, work
from survey.exports import rows as export_rows
from survey.exports import workbooks
from survey.extensions import db
from survey.models import AdminUnit, EconomicPillar, Ownership, ReferenceFigure, Sector, SizeClass, Wave
from survey.models.base import utcnow
from survey.responses.scoring import framework_of
from survey.statistics import dimensions
from survey.statistics import rollup as rollups

#: Command-line option → statistics dimension.
FILTER_OPTIONS = {
    "sector": "sector",
    "unit": "unit",
    "area": "former_area",
    "pillar": "economic_pillar",
    "size": "size_class",
    "ownership": "ownership",
}


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _wave(identifier: str) -> Wave:
    return commandline.wave(identifier)


def _filter_options(command):
    """The filter options shared by both commands (enum values checked by click)."""
    options = [
        click.option("--sector", help="VSIC section code, e.g. C."),
        click.option("--unit", help="Commune-level unit code, e.g. 11311."),
        click.option("--area", help="Former district name (before July 2025), exactly as stored."),
        click.option(
            "--pillar", type=click.Choice([p.value for p in EconomicPillar]), help="Economic pillar."
        ),
        click.option("--size", type=click.Choice([s.value for s in SizeClass]), help="Size class."),
        click.option("--ownership", type=click.Choice([o.value for o in Ownership]), help="Ownership."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(given: dict) -> dict[str, str]:
    """Dimension → value for the options given; values not in the database fail clearly."""
    filters = {FILTER_OPTIONS[name]: value for name, value in given.items() if value is not None}
    sector = filters.get("sector")
    if sector is not None and db.session.get(Sector, sector) is None:
        known = ", ".join(db.session.scalars(select(Sector.code).order_by(Sector.code)))
        _fail(f"Unknown sector {sector!r}; choose from {known}.")
    unit = filters.get("unit")
    if unit is not None and db.session.scalar(select(AdminUnit.id).filter_by(code=unit)) is None:
        _fail(f"Unknown unit code {unit!r} (see the administrative units loaded by seed-reference).")
    area = filters.get("former_area")
    if (
        area is not None
        and db.session.scalar(select(AdminUnit.id).filter_by(former_area=area).limit(1)) is None
    ):
        areas = db.session.scalars(select(AdminUnit.former_area).distinct().order_by(AdminUnit.former_area))
        _fail(f"Unknown former area {area!r}; choose from: {'; '.join(areas)}.")
    dimensions.check(list(filters))
    return filters


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
@_filter_options
@with_appcontext
@work.command(writes=False)
def export_responses(
    wave_id: str, output: Path, labels: str, lang: str, no_contacts: bool, **given: str | None
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
            export_rows.response_rows(db.session, wave, filters, contacts=include_contacts),
            wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
            filters=filters,
            exported_by=_exported_by(),
            exported_at=utcnow(),
            labels=labels,
            lang=lang,
            include_contacts=include_contacts,
        )

    _write_atomically(output, write)
    contacts = "with" if include_contacts else "without"
    click.echo(f"Wrote {written} responses of wave {wave.name!r} ({contacts} contacts) to {output}.")


@export_group.command("summary")
@click.option("--wave", "wave_id", required=True, help="Wave id or exact name.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option(
    "--min-group",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Groups with fewer counted responses show no shares.",
)
@_filter_options
@with_appcontext
@work.command(writes=False)
def export_summary(wave_id: str, output: Path, lang: str, min_group: int, **given: str | None) -> None:
    """The wave's figures with charts: overall, by each dimension, levels, pillars, reference."""
    wave = _wave(wave_id)
    filters = _filters(given)
    strata = current_app.config["ROLLUP_STRATA"]
    try:
        overall = rollups.rollup(db.session, wave, strata=strata, filters=filters)
        by = {
            name: rollups.rollup(db.session, wave, by=name, strata=strata, filters=filters)
            for name in dimensions.DIMENSIONS
            if name not in filters
        }
    except dimensions.UnknownDimension as exc:
        _fail(f"ROLLUP_STRATA: {exc}")
    reference = [
        {
            "code": f.code,
            "year": f.year,
            "value": f.value,
            "tier": f.tier,
            "label_vi": f.label_vi,
            "label_en": f.label_en,
            "source": f.source,
        }
        for f in db.session.scalars(select(ReferenceFigure).order_by(ReferenceFigure.code))
    ]

    def write(target) -> None:
        workbooks.write_summary_workbook(
            target,
            by,
            overall,
            wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
            filters=filters,
            reference=reference,
            min_group=min_group,
            lang=lang,
            framework=framework_of(wave.framework_version),
        )

    _write_atomically(output, write)
    click.echo(
        f"Wrote the summary of wave {wave.name!r} ({overall['overall']['n']} counted responses, "
        f"{len(by)} breakdowns) to {output}."
    )
