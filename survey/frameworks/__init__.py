"""The framework files shipped with the package: ``<code>.v<version>.yaml``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from survey.scoring import from_dict
from survey.scoring.definition import Framework, FrameworkError, load_file

if TYPE_CHECKING:
    from survey.models import FrameworkVersion

FOLDER = Path(__file__).resolve().parent
#: Versions kept for the waves pinned to them but no longer offered for new waves:
#: dbi-2021-sme v1 is in the project's own wording; v2 is the Decision's instrument.
WITHDRAWN = frozenset({("dbi-2021-sme", 1)})


def offered(code: str, version: int) -> bool:
    """Whether a new wave may use this framework version."""
    return (code, version) not in WITHDRAWN


_NAME = re.compile(r"^(?P<code>[a-z0-9-]+)\.v(?P<version>[0-9]+)\.yaml$")


def files() -> list[tuple[str, int, Path]]:
    """(code, version, path) of every framework file, oldest version first."""
    found = []
    for path in FOLDER.glob("*.yaml"):
        match = _NAME.match(path.name)
        if match:
            found.append((match["code"], int(match["version"]), path))
    return sorted(found)


@cache
def load(code: str, version: int | None = None) -> Framework:
    """The packaged framework ``code`` at ``version`` (default: its newest)."""
    candidates = [(v, p) for c, v, p in files() if c == code and (version is None or v == version)]
    if not candidates:
        which = code if version is None else f"{code} version {version}"
        raise FrameworkError(f"no framework file for {which}")
    wanted, path = max(candidates)
    framework, _ = load_file(path)
    if (framework.code, framework.version) != (code, wanted):
        raise FrameworkError(
            f"{path}: declares {framework.code} v{framework.version}, its name says {code} v{wanted}"
        )
    return framework


_recorded: dict[str, Framework] = {}


def recorded(content_hash: str) -> Framework | None:
    """The definition with this content hash if this process has already built it (so a
    caller that has only the hash need not read the stored definition)."""
    return _recorded.get(content_hash)


def framework_of(version: FrameworkVersion) -> Framework:
    """The framework exactly as recorded for this version (cached by content hash).

    Here, not beside the response services, because scoring, statistics and exports all
    need it and none of them should import the others for it.
    """
    framework = _recorded.get(version.content_hash)
    if framework is None:
        framework = from_dict(version.definition, version.label)
        _recorded[version.content_hash] = framework
    return framework
