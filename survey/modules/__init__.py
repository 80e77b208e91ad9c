"""The unscored modules shipped with the package: ``<code>.v<version>.yaml`` (see definition)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from survey.modules.definition import Module, ModuleError, from_dict, load_file

if TYPE_CHECKING:
    from survey.models import ModuleVersion, Wave

__all__ = ["Carried", "Module", "ModuleError", "carried", "files", "load", "load_file", "module_of"]

FOLDER = Path(__file__).resolve().parent
_NAME = re.compile(r"^(?P<code>[a-z0-9-]+)\.v(?P<version>[0-9]+)\.yaml$")


def files() -> list[tuple[str, int, Path]]:
    """(code, version, path) of every module file, oldest version first."""
    found = []
    for path in FOLDER.glob("*.yaml"):
        match = _NAME.match(path.name)
        if match:
            found.append((match["code"], int(match["version"]), path))
    return sorted(found)


@cache
def load(code: str, version: int | None = None) -> Module:
    """The packaged module ``code`` at ``version`` (default: its newest)."""
    candidates = [(v, p) for c, v, p in files() if c == code and (version is None or v == version)]
    if not candidates:
        raise ModuleError(f"no module file for {code}" + ("" if version is None else f" version {version}"))
    wanted, path = max(candidates)
    module, _ = load_file(path)
    if (module.code, module.version) != (code, wanted):
        raise ModuleError(f"{path}: declares {module.label}, its name says {code} v{wanted}")
    return module


_recorded: dict[str, Module] = {}


def recorded(content_hash: str) -> Module | None:
    """The definition with this content hash if this process has already built it (so a
    caller that has only the hash need not read the stored definition)."""
    return _recorded.get(content_hash)


def module_of(version: ModuleVersion) -> Module:
    """The module exactly as recorded for this version (cached by content hash)."""
    module = _recorded.get(version.content_hash)
    if module is None:
        module = from_dict(version.definition, version.label)
        _recorded[version.content_hash] = module
    return module


@dataclass(frozen=True)
class Carried:
    """A module a wave carries: the recorded version and its definition."""

    version: ModuleVersion
    module: Module


def carried(wave: Wave) -> list[Carried]:
    """The modules of ``wave`` in journey order. Here, beside module_of, because the
    journey, the statistics and the exports all need it and none should import another."""
    return [Carried(m.module_version, module_of(m.module_version)) for m in wave.modules]
