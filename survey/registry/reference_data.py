"""Loading reference data (units, sectors, reference figures, frameworks) into the database.

Each loader validates its whole input before writing anything and upserts by code, so
running it again is harmless and a corrected file updates what it names. Operations
flush; the caller commits.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import frameworks, modules
from survey.models import AdminUnit, FrameworkVersion, ModuleVersion, ReferenceFigure, Sector, UnitKind
from survey.models.reference import EconomicPillar
from survey.models.size_class import SizeGroup
from survey.scoring.definition import FrameworkError, load_file

DATA = Path(__file__).resolve().parent.parent / "data"


class ReferenceDataError(ValueError):
    """Input that cannot be loaded; the message names the file and line."""


@dataclass
class LoadResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    def __str__(self) -> str:
        text = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.deactivated} deactivated" if self.deactivated else "")


def _read_csv(path: Path, columns: list[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceDataError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ReferenceDataError(f"{path}: not UTF-8 text") from None
    if not rows:
        raise ReferenceDataError(f"{path}: no rows")
    return rows


def _check(path: Path, line: int, ok: bool, message: str) -> None:
    if not ok:
        raise ReferenceDataError(f"{path}, line {line}: {message}")


def _upsert(session: Session, model, key: str, rows: list[dict], result: LoadResult) -> dict:
    existing = {getattr(obj, key): obj for obj in session.scalars(select(model))}
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            session.add(model(**row))
            result.added += 1
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            result.updated += 1
        else:
            result.unchanged += 1
    return existing


def load_units(session: Session, path: Path = DATA / "admin_units.csv") -> LoadResult:
    """Load commune-level units; units missing from the file are deactivated, not deleted
    (responses keep pointing at them)."""
    rows = _read_csv(path, ["code", "name_vi", "kind", "former_area"])
    kinds = {k.value for k in UnitKind}
    seen: set[str] = set()
    clean = []
    for line, row in enumerate(rows, start=2):
        _check(path, line, row["code"].isdigit(), f"code {row['code']!r} is not a number")
        _check(path, line, row["code"] not in seen, f"code {row['code']} appears twice")
        _check(path, line, bool(row["name_vi"]), "name_vi is empty")
        _check(path, line, row["kind"] in kinds, f"kind {row['kind']!r} is not one of {sorted(kinds)}")
        seen.add(row["code"])
        clean.append(
            {
                "code": row["code"],
                "name_vi": row["name_vi"],
                "kind": UnitKind(row["kind"]),
                "former_area": row["former_area"],
                "active": True,
            }
        )
    result = LoadResult()
    existing = _upsert(session, AdminUnit, "code", clean, result)
    for code, unit in existing.items():
        if code not in seen and unit.active:
            unit.active = False
            result.deactivated += 1
    session.flush()
    return result


def load_sectors(session: Session, path: Path = DATA / "sectors.csv") -> LoadResult:
    rows = _read_csv(path, ["code", "name_vi", "name_en", "size_group", "economic_pillar"])
    groups = {g.value for g in SizeGroup}
    pillars = {p.value for p in EconomicPillar}
    clean = []
    for line, row in enumerate(rows, start=2):
        _check(path, line, len(row["code"]) == 1 and row["code"].isalpha(), "code must be one letter")
        _check(path, line, bool(row["name_vi"] and row["name_en"]), "names must not be empty")
        _check(path, line, row["size_group"] in groups, f"size_group must be one of {sorted(groups)}")
        _check(
            path,
            line,
            row["economic_pillar"] in pillars,
            f"economic_pillar must be one of {sorted(pillars)}",
        )
        clean.append(
            {
                "code": row["code"].upper(),
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "size_group": SizeGroup(row["size_group"]),
                "economic_pillar": EconomicPillar(row["economic_pillar"]),
            }
        )
    result = LoadResult()
    _upsert(session, Sector, "code", clean, result)
    session.flush()
    return result


def load_reference_figures(session: Session, path: Path = DATA / "reference_figures.json") -> LoadResult:
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceDataError(f"{path}: cannot be read as JSON ({exc})") from None
    fields = {"code", "year", "value", "tier", "label_vi", "label_en", "source"}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != fields:
            raise ReferenceDataError(f"{path}, item {index}: needs exactly {sorted(fields)}")
        if not 0 <= float(item["value"]) <= 1:
            raise ReferenceDataError(f"{path}, item {index}: value must be a share in [0, 1]")
    result = LoadResult()
    _upsert(session, ReferenceFigure, "code", items, result)
    session.flush()
    return result


def record_frameworks(session: Session) -> LoadResult:
    """Record every packaged framework version; a recorded version never changes.

    Editing a file whose version is already recorded would silently change how old
    responses read, so it is refused: a changed framework needs a new version number.
    """
    result = LoadResult()
    for code, version, path in frameworks.files():
        framework, definition = load_file(path)
        if framework.rescores is not None:
            # A re-scoring version must ask exactly what the version it re-scores asked.
            earlier = frameworks.load(code, framework.rescores)
            if earlier.question_signature() != framework.question_signature():
                raise FrameworkError(
                    f"{path}: declares it re-scores {code} v{framework.rescores} but asks other questions"
                )
        recorded = session.scalars(
            select(FrameworkVersion).filter_by(code=code, version=version)
        ).one_or_none()
        if recorded is None:
            session.add(
                FrameworkVersion(
                    code=code,
                    version=version,
                    content_hash=framework.content_hash,
                    title_vi=framework.title.vi,
                    title_en=framework.title.en,
                    definition=definition,
                )
            )
            result.added += 1
        elif recorded.content_hash != framework.content_hash:
            raise FrameworkError(
                f"{path}: {code} v{version} was recorded with different content "
                f"(hash {recorded.content_hash[:12]}…); give the changed framework a new version"
            )
        else:
            result.unchanged += 1
    session.flush()
    return result


def record_modules(session: Session) -> LoadResult:
    """Record every packaged unscored module version; like frameworks, a recorded version
    never changes (a changed module needs a new version number)."""
    result = LoadResult()
    for code, version, path in modules.files():
        module, definition = modules.load_file(path)
        if (module.code, module.version) != (code, version):
            raise modules.ModuleError(f"{path}: declares {module.label}, its name says {code} v{version}")
        recorded = session.scalars(select(ModuleVersion).filter_by(code=code, version=version)).one_or_none()
        if recorded is None:
            session.add(
                ModuleVersion(
                    code=code,
                    version=version,
                    content_hash=module.content_hash,
                    title_vi=module.title.vi,
                    title_en=module.title.en,
                    definition=definition,
                )
            )
            result.added += 1
        elif recorded.content_hash != module.content_hash:
            raise modules.ModuleError(
                f"{path}: {code} v{version} was recorded with different content "
                f"(hash {recorded.content_hash[:12]}…); give the changed module a new version"
            )
        else:
            result.unchanged += 1
    session.flush()
    return result
