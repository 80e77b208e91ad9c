"""What every command-line group shares: the refusal and the wave an argument names.

Both command groups (survey/cli.py and survey/exports/cli.py) import this; neither
imports the other, so the command line has no import cycle.
"""

from __future__ import annotations

import click
from sqlalchemy import select

from survey.extensions import db
from survey.models import Wave


def fail(message: str):
    """Stop the command with ``message`` and a non-zero exit."""
    raise click.ClickException(message)


def wave(identifier: str) -> Wave:
    """The wave with this id or exact name, or a refusal naming what was given."""
    found = None
    if identifier.isdigit():
        found = db.session.get(Wave, int(identifier))
    if found is None:
        found = db.session.scalar(select(Wave).filter_by(name=identifier))
    if found is None:
        fail(f"No wave with id or name {identifier!r}.")
    return found
