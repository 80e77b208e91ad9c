"""Files that hold personal data: created readable by the app's own user only.

The database, its backups, register uploads and export workbooks all hold firms' contact
data. Relying on the process umask would leave them 0644 under a default one, readable by
every account on the machine, so each is created with an explicit mode instead, and the
folders that hold them are 0700.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: Create, never open what is there: no overwrite, and no symlink followed to elsewhere.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def create_private(path: str | os.PathLike) -> BinaryIO:
    """Open a new file for writing with mode 0600; FileExistsError if anything (a dangling
    symlink included) is already at ``path``."""
    fd = os.open(path, _NEW_FILE, FILE_MODE)
    return os.fdopen(fd, "wb")


def private_folder(path: str | os.PathLike) -> Path:
    """Make ``path`` (and missing parents) a folder, and make it 0700 if it was looser."""
    folder = Path(path)
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    tighten(folder, FOLDER_MODE)
    return folder


def tighten(path: str | os.PathLike, mode: int = FILE_MODE) -> None:
    """Take away group and other permissions from an existing file or folder we own.

    A missing path, or one owned by someone else (chmod refused), is left alone: this
    repairs files made before modes were set, it does not decide who owns them.
    """
    try:
        current = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(current.st_mode) or not stat.S_IMODE(current.st_mode) & 0o077:
        return
    with contextlib.suppress(PermissionError):
        os.chmod(path, stat.S_IMODE(current.st_mode) & mode)
