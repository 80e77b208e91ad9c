"""Register uploads waiting to be checked and confirmed, in UPLOAD_DIR.

The folder is one every app server and worker reaches (the worker checks the file the
web server received). Files are named by a random token, never by the user; they hold
firms' contacts, so the folder is the app user's alone and a file is deleted once
imported, refused, or a day old.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path

from flask import current_app

from survey import files

_NAME = re.compile(r"^[0-9a-f]{32}$")
#: Unconfirmed uploads (and their error reports) older than this are deleted.
KEEP_SECONDS = 24 * 3600


def folder() -> Path:
    return files.private_folder(current_app.config["UPLOAD_DIR"])


def new_name() -> str:
    return secrets.token_hex(16)


def path_of(name: str) -> Path | None:
    """The upload's file, or None for a name we did not make (no path through the URL)."""
    if not _NAME.match(name or ""):
        return None
    return folder() / f"{name}.xlsx"


def error_report_of(name: str) -> Path | None:
    """Where the check writes the upload's rows with errors (beside the upload)."""
    path = path_of(name)
    return None if path is None else path.with_name(f"{name}-errors.xlsx")


def discard(name: str) -> None:
    """Delete the upload and its error report."""
    for path in (path_of(name), error_report_of(name)):
        if path is not None:
            path.unlink(missing_ok=True)


def forget_old(max_age: float = KEEP_SECONDS) -> None:
    """Previews never confirmed are not kept for ever (they hold personal data); this also
    sweeps the file of an upload whose check was killed midway."""
    cutoff = time.time() - max_age
    for path in folder().glob("*.xlsx"):
        with contextlib.suppress(FileNotFoundError):  # another server swept it first
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
