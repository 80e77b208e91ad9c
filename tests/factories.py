"""Factories for the main models: each builds a valid object, adds it and flushes."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select
from stdnum.vn import mst

from survey.extensions import db
from survey.models import (
    AdminUnit,
    Enterprise,
    FrameworkVersion,
    Ownership,
    Response,
    ResponseState,
    Wave,
    WaveState,
)
from survey.models.base import utcnow
from survey.responses.scoring import score_response

_serial = itertools.count(1)


def tax_code() -> str:
    """A fresh valid tax code (prefix 03 keeps clear of the demo data's 02)."""
    while True:
        body = f"03{next(_serial):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1:
            return body + check


def personal_id(province: str = "031", century: str = "0", year: int = 80) -> str:
    """A fresh 12-digit personal ID of plausible structure: a Hải Phòng birth in 1980."""
    return f"{province}{century}{year:02d}{next(_serial) % 1_000_000:06d}"


def unit(code: str = "11311") -> AdminUnit:
    return db.session.scalars(select(AdminUnit).filter_by(code=code)).one()


def enterprise(**fields) -> Enterprise:
    defaults = {
        "tax_code": tax_code(),
        "name": "Công ty TNHH Thử Nghiệm",
        "unit_id": unit().id,
        "sector_code": "C",
        "ownership": Ownership.PRIVATE,
        "employees": 20,
        "revenue_vnd": 5_000_000_000,
        "capital_vnd": 2_000_000_000,
    }
    firm = Enterprise(**{**defaults, **fields})
    db.session.add(firm)
    db.session.flush()
    return firm


def household(**fields) -> Enterprise:
    """A household business in the register, identified by its representative's personal ID."""
    from survey.models import BusinessKind, IdType

    defaults = {
        "tax_code": personal_id(),
        "id_type": IdType.CCCD12,
        "kind": BusinessKind.HOUSEHOLD,
        "name": "Hộ kinh doanh Thử Nghiệm",
        "ownership": Ownership.HOUSEHOLD,
        "employees": 3,
        "revenue_vnd": 800_000_000,
        "capital_vnd": None,
    }
    return enterprise(**{**defaults, **fields})


def framework_version(version: int) -> FrameworkVersion:
    return db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=version)).one()


def record_framework(raw: dict) -> FrameworkVersion:
    """Record a framework definition (validated as the loader does) as a version row."""
    from survey.scoring import from_dict

    framework = from_dict(raw)
    version = FrameworkVersion(
        code=framework.code,
        version=framework.version,
        content_hash=framework.content_hash,
        title_vi=framework.title.vi,
        title_en=framework.title.en,
        definition=raw,
    )
    db.session.add(version)
    db.session.flush()
    return version


def wave(open_now: bool = True, **fields) -> Wave:
    now = utcnow()
    version = (
        fields.pop("framework_version", None)
        or db.session.scalars(select(FrameworkVersion).filter_by(code="dbi-2021-sme", version=1)).one()
    )
    defaults = {
        "name": f"Wave {next(_serial)}",
        "year": 2025,
        "framework_version": version,
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "state": WaveState.OPEN if open_now else WaveState.DRAFT,
    }
    w = Wave(**{**defaults, **fields})
    db.session.add(w)
    db.session.flush()
    return w


PROFILE = ("kind", "unit_id", "sector_code", "ownership", "employees", "revenue_vnd", "capital_vnd")


def response(
    wave: Wave, firm: Enterprise | None = None, answers: dict | None = None, submit: bool = True, **fields
) -> Response:
    """A response; with ``answers`` (and ``submit``) it is submitted and scored."""
    firm = firm or enterprise()
    r = Response(
        wave=wave,
        enterprise=firm,
        answers=answers or {},
        **{**{k: getattr(firm, k) for k in PROFILE}, **fields},
    )
    db.session.add(r)
    if answers is not None and submit:
        r.state = ResponseState.SUBMITTED
        r.submitted_at = utcnow()
        score_response(r)
    db.session.flush()
    return r


def answers_at(framework, fraction: float) -> dict:
    """Answers putting every criterion at about ``fraction`` of its maximum (figures: the
    reported share is ``fraction`` of a whole of 100)."""
    result = {}
    for _, criterion in framework.criteria():
        options = criterion.options
        if criterion.kind.value == "multi":
            paying = [o for o in options if o.points > 0]
            take = round(len(paying) * fraction)
            result[criterion.code] = [o.code for o in paying[:take]] or [
                o.code for o in options if o.points == 0
            ][:1]
        elif criterion.kind.value == "figure":
            part = str(round(fraction * 100))
            if criterion.base:
                result[criterion.base] = "100"
                result[criterion.code] = {"value": part}
            else:
                result[criterion.code] = {"value": part, "of": "100"}
        else:
            result[criterion.code] = options[round(fraction * (len(options) - 1))].code
    return result


def module_version(code: str, version: int = 1):
    from survey.models import ModuleVersion

    return db.session.scalars(select(ModuleVersion).filter_by(code=code, version=version)).one()


def with_modules(w: Wave, *codes: str) -> Wave:
    """Give wave ``w`` the packaged unscored modules ``codes`` (version 1), in this order."""
    from survey.models import WaveModule

    for code in codes:
        w.modules.append(WaveModule(module_version=module_version(code), position=len(w.modules)))
    db.session.flush()
    return w


def answer_module(r: Response, code: str, answers: dict) -> None:
    """Store ``answers`` to module ``code`` of the response's wave, as its page would."""
    from survey.responses import modules

    carried = next(c for c in modules.carried(r.wave) if c.version.code == code)
    modules.save(r, carried, answers)
    db.session.flush()
