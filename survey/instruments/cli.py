"""``flask --app survey framework export|import``: instruments as XLSForm workbooks.

``export`` keeps its JSON (the scoring contract, as before) as the default format and adds
``--format xlsx``; ``import`` reads a workbook, checks it and prints the content hash of
the definition it holds, so a round trip of a packaged version prints that version's hash.
Registered on the ``framework`` group by ``add_commands`` (survey.cli).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey import frameworks, work
from survey.extensions import db
from survey.instruments import (
    FRAMEWORK,
    NotPackaged,
    WorkbookInvalid,
    drafts,
    packaged,
    read_workbook,
    workbook_bytes,
)
from survey.instruments.errors import ExportError
from survey.scoring import FrameworkError
from survey.scoring.definition import canonical_hash
from survey.scoring.export import framework_contract


def add_commands(group: click.Group) -> None:
    """Put ``export`` (replacing the JSON-only one) and ``import`` on the framework group."""
    group.add_command(framework_export)
    group.add_command(framework_import)


@click.command("export")
@click.argument("code")
@click.option("--version", "version", type=int, help="Default: the newest version.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xlsx"]),
    default="json",
    show_default=True,
    help="json: the scoring contract (a module: its definition); xlsx: an XLSForm workbook.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (needed for xlsx).")
@with_appcontext
@work.command(writes=False)
def framework_export(code: str, version: int | None, fmt: str, output: str | None) -> None:
    """Export a packaged framework or module: as JSON, or as an XLSForm workbook that
    `framework import` reads back to the identical definition."""
    try:
        kind, definition = packaged(code, version)
    except NotPackaged:
        # The framework loader's message, as the JSON export has always said it.
        kind, definition = FRAMEWORK, None
    if fmt == "xlsx":
        if output is None:
            raise click.UsageError("--format xlsx writes a file: give -o FILE.xlsx")
        if definition is None:
            raise click.ClickException(f"no framework or module file for {code}")
        try:
            data = workbook_bytes(kind, definition)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
        Path(output).write_bytes(data)
        label = f"{definition['code']} v{definition['version']}"
        click.echo(f"Wrote {kind} {label} to {output} (content hash {canonical_hash(definition)}).")
        return
    if kind == FRAMEWORK:
        try:
            payload = framework_contract(frameworks.load(code, version))
        except FrameworkError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        payload = definition
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
    else:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {output}.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
@work.command(writes=True)
def framework_import(path: str) -> None:
    """Check a framework or module workbook, print the content hash of its definition and
    store it as a draft, to preview, simulate and publish on the staff pages.

    Every problem is listed with its sheet, row and column, and the command exits non-zero
    with nothing stored. A workbook of a version already published (a round trip of a
    packaged version, say) is checked and its hash printed, and nothing is stored.
    """
    data = Path(path).read_bytes()
    try:
        imported = read_workbook(data)
    except WorkbookInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{path}: {len(exc.problems)} problem(s); nothing was stored.") from None
    click.echo(f"{imported.kind} {imported.label}: valid.")
    click.echo(f"content hash {imported.content_hash}")
    try:
        _kind, shipped = packaged(imported.definition["code"], imported.definition["version"])
    except NotPackaged:
        shipped = None
    if shipped is not None:
        same = canonical_hash(shipped) == imported.content_hash
        click.echo(
            "Identical to the packaged version."
            if same
            else "Differs from the packaged version of that number."
        )
    try:
        draft = drafts.import_workbook(db.session, data, Path(path).name)
    except drafts.DraftRefused as exc:
        click.echo(f"Not stored: {exc}")
        return
    click.echo(f"Stored as draft {draft.id}: check and publish it at /staff/instruments/drafts/{draft.id}")
