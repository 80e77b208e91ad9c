"""The API's routes, version 1. Thin: they check, call the figures' own code and answer.

Public (no token), cached by clients and proxies for ``PUBLIC_SUMMARY_CACHE_MIN_AGE``
seconds, with an ETag: the public summary as JSON and as CSV. With a token
(survey.api.auth): the frameworks and their versions, the waves, a wave's rollup and,
for the analyst scope, its responses. Token answers are never stored by a cache.
"""

from __future__ import annotations

import csv
import hashlib
import io

from flask import Response, current_app, request, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from survey import frameworks
from survey.api import responses as response_pages
from survey.api import summary as public
from survey.api.auth import token_required
from survey.api.blueprint import bp
from survey.api.figure_schemas import PublicSummarySchema, ResponsesPageSchema, RollupSchema
from survey.api.problems import KINDS, Problem
from survey.api.schemas import (
    FrameworkContractSchema,
    FrameworkListSchema,
    ProblemTypeSchema,
    ResponsesArgs,
    RollupArgs,
    WaveListSchema,
)
from survey.dashboard import figures
from survey.extensions import db, limiter
from survey.ids import MAX_ID
from survey.models import ApiScope, FrameworkVersion, Wave, WaveModule
from survey.models import Response as SurveyResponse
from survey.reports import filters as report_filters
from survey.reports import privacy
from survey.reports.counted import counted
from survey.responses.scoring import framework_of
from survey.scoring.export import framework_contract
from survey.spreadsheets import safe_cell
from survey.statistics import rollup as rollups

WAVE_ID = {
    "in": "path",
    "name": "wave_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
PUBLIC = {"security": []}


@bp.after_request
def _not_stored(response):
    # Token answers hold what only the token's client may read; the public ones say their own.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- public ------------------------------------------------------------------------------------


def _cached(body: bytes, mimetype: str, **headers: str) -> Response:
    """A public answer clients may keep a while, and ask again for with If-None-Match."""
    answer = current_app.response_class(body, mimetype=mimetype, headers=headers)
    answer.headers["Cache-Control"] = f"public, max-age={current_app.config['PUBLIC_SUMMARY_CACHE_MIN_AGE']}"
    answer.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return answer.make_conditional(request)


def _summary_data() -> dict:
    board = public.board(db.session)
    if board is None:
        raise Problem("no_summary", _("No wave has counted responses yet, or the summary is switched off."))
    return PublicSummarySchema().dump(public.as_json(board))


def _public(view):
    for status, name in ((429, "TOO_MANY_REQUESTS"), (404, "NOT_FOUND"), (400, "BAD_REQUEST")):
        view = bp.alt_response(status, name)(view)
    view = bp.alt_response(304, "NOT_MODIFIED")(view)
    return bp.doc(**PUBLIC)(view)


@bp.route("/summary", tags=["public"])
@bp.response(200, PublicSummarySchema)
@_public
@limiter.limit(lambda: current_app.config["RATELIMIT_SUMMARY"])
def summary():
    """The public summary as JSON

    The figures of /summary: the newest wave with counted responses, its framework version
    and how the figures were made (``method``), the headline estimates, pillars, levels,
    breakdowns (groups below ``method.min_group`` responses keep their n and lose every
    figure), technologies, reference figures and the unscored modules; every label in
    Vietnamese and English. Cached for a minute; send If-None-Match with the ETag.
    """
    body = current_app.json.dumps(_summary_data()).encode("utf-8")
    return _cached(body, "application/json")


@bp.route("/summary.csv", tags=["public"])
@bp.response(200, {"type": "string"}, content_type="text/csv", description="One row per figure.")
@_public
@limiter.limit(lambda: current_app.config["RATELIMIT_SUMMARY"])
def summary_csv():
    """The public summary as CSV

    The JSON summary's figures, one per row (tidy, for open-data portals): the wave, the
    framework and its version on every row, what the figure is (``measure``), its value and
    interval, its n and whether it is suppressed. UTF-8, comma-separated, one header row.
    """
    data = _summary_data()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(public.CSV_HEADER)
    for row in public.csv_rows(data):
        # Opened in a spreadsheet, a text starting with = would be a formula.
        writer.writerow([safe_cell(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    name = f"summary-wave-{data['wave']['id']}.csv"
    return _cached(
        out.getvalue().encode("utf-8"),
        "text/csv",
        **{"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route(
    "/problems/<code>",
    tags=["public"],
    parameters=[
        {"in": "path", "name": "code", "required": True, "schema": {"type": "string", "enum": list(KINDS)}}
    ],
)
@bp.response(200, ProblemTypeSchema)
@bp.alt_response(404, "NOT_FOUND")
@bp.alt_response(400, "BAD_REQUEST")
@bp.doc(**PUBLIC)
def problem_type(code: str):
    """A problem type: what a problem's ``type`` points at"""
    kind = KINDS.get(code)
    if kind is None:
        raise Problem("not_found")
    return {"code": kind.code, "status": kind.status, "title": str(kind.title)}


# --- with a token ------------------------------------------------------------------------------


def _wave(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id) if 0 < wave_id <= MAX_ID else None
    if wave is None:
        raise Problem("not_found", _("There is no wave %(id)s.", id=wave_id))
    return wave


def _filters(args: dict) -> dict[str, str]:
    """The filters among ``args``, checked against the database (survey.reports.filters)."""
    given = {name: args[name] for name in report_filters.FILTERS if args.get(name) is not None}
    try:
        return report_filters.parse(given, db.session, strict=True)
    except report_filters.BadFilter as exc:
        raise Problem("invalid_parameter", str(exc), errors={"query": {"filters": [str(exc)]}}) from None


@bp.route("/frameworks", tags=["frameworks"])
@bp.response(200, FrameworkListSchema)
@bp.alt_response(400, "BAD_REQUEST")
@token_required(ApiScope.VIEWER)
def framework_versions():
    """Frameworks and their versions

    Every version recorded (waves are pinned to one); each one's contract is at
    /frameworks/{code}/versions/{version}.
    """
    versions = db.session.scalars(
        select(FrameworkVersion).order_by(FrameworkVersion.code, FrameworkVersion.version)
    )
    return {
        "items": [
            {
                "code": v.code,
                "version": v.version,
                "content_hash": v.content_hash,
                "title": {"vi": v.title_vi, "en": v.title_en},
                "recorded_at": v.recorded_at,
                "offered": frameworks.offered(v.code, v.version),
            }
            for v in versions
        ]
    }


@bp.route(
    "/frameworks/<code>/versions/<int:version>",
    tags=["frameworks"],
    parameters=[
        {
            "in": "path",
            "name": "code",
            "required": True,
            "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,60}$"},
        },
        {
            "in": "path",
            "name": "version",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        },
    ],
)
@bp.response(200, FrameworkContractSchema)
@bp.alt_response(404, "NOT_FOUND")
@bp.alt_response(400, "BAD_REQUEST")
@token_required(ApiScope.VIEWER)
def framework_version(code: str, version: int):
    """One framework version (the framework export contract)

    Everything its scoring depends on, as ``flask framework export`` writes it: enough to
    re-implement the scoring.
    """
    found = None
    if 0 < version <= MAX_ID and len(code) <= 60:
        found = db.session.scalars(select(FrameworkVersion).filter_by(code=code, version=version)).first()
    if found is None:
        raise Problem("not_found", _("There is no such framework version."))
    return framework_contract(framework_of(found))


@bp.route("/waves", tags=["waves"])
@bp.response(200, WaveListSchema)
@bp.alt_response(400, "BAD_REQUEST")
@token_required(ApiScope.VIEWER)
def waves():
    """The waves, newest first

    Each with its framework version, the unscored modules it carries and how many of its
    responses count in the figures.
    """
    found = db.session.scalars(
        select(Wave)
        .options(
            selectinload(Wave.framework_version),
            selectinload(Wave.modules).selectinload(WaveModule.module_version),
        )
        .order_by(Wave.opens_at.desc(), Wave.id.desc())
    ).all()
    counts = dict(
        db.session.execute(
            select(SurveyResponse.wave_id, func.count()).where(counted()).group_by(SurveyResponse.wave_id)
        ).all()
    )
    return {
        "items": [
            {
                "id": w.id,
                "name": w.name,
                "year": w.year,
                "state": w.state.value,
                "opens_at": w.opens_at,
                "closes_at": w.closes_at,
                "kinds": [k.value for k in w.business_kinds],
                "framework": {"code": w.framework_version.code, "version": w.framework_version.version},
                "modules": [
                    {"code": m.module_version.code, "version": m.module_version.version} for m in w.modules
                ],
                "counted": counts.get(w.id, 0),
            }
            for w in found
        ]
    }


@bp.route("/waves/<int:wave_id>/rollup", tags=["waves"], parameters=[WAVE_ID])
@bp.response(200, RollupSchema)
@bp.alt_response(404, "NOT_FOUND")
@bp.alt_response(400, "BAD_REQUEST")
@token_required(ApiScope.VIEWER)
@bp.arguments(RollupArgs, location="query", as_kwargs=True)
def rollup(wave_id: int, by: str | None = None, compare_to: int | None = None, **args):
    """A wave's rollup, as flask rollup gives it

    The tier shares, levels, pillar means and the population estimate of the wave, under
    any filters; with ``by``, the groups of that breakdown, each with its respondents'
    shares (``tiers``) and its population estimate (``weighted``: post-stratified inside
    the group, with the firms it stands for); those below ``min_group`` responses keep
    their n and lose their shares, means and weighted figures, as on the dashboard. By
    unit, ``model_based`` lists the model-based estimates of the units below
    ``min_group`` with enough firms in the register: labelled, never a direct figure.
    With ``compare_to``, the change from an earlier comparable wave.
    """
    wave = _wave(wave_id)
    filters = _filters(args)
    strata = current_app.config["ROLLUP_STRATA"]
    min_group = privacy.min_group()
    result = rollups.rollup(
        db.session,
        wave,
        by=by,
        strata=strata,
        filters=filters,
        model_rule=(min_group, privacy.model_min_register()),
    )
    result["min_group"] = min_group
    if by:
        result["groups"] = figures._mark_small(result["groups"], min_group)
    if "model_based" in result:
        # Never beside a direct figure: a unit with enough respondents has its own.
        direct = {g["key"] for g in result["groups"] if not g["suppressed"]}
        result["model_based"] = [m for m in result["model_based"] if m["key"] not in direct]
    if compare_to is not None:
        result["change"] = _change(wave, compare_to, filters, strata)
    return result


def _change(wave: Wave, compare_to: int, filters: dict, strata) -> dict:
    if filters:
        raise Problem("not_comparable", _("compare_to compares whole waves: leave the filters out."))
    earlier = db.session.get(Wave, compare_to)
    if earlier is None:
        raise Problem(
            "invalid_parameter",
            _("There is no wave %(id)s.", id=compare_to),
            errors={"query": {"compare_to": [_("No such wave.")]}},
        )
    if earlier.id not in {w.id for w in figures.comparable_waves(db.session, wave)}:
        raise Problem(
            "not_comparable",
            _("The waves are scored by different framework versions or cover different kinds of business."),
        )
    return rollups.compare(db.session, earlier, wave, strata)


@bp.route("/waves/<int:wave_id>/responses", tags=["waves"], parameters=[WAVE_ID])
@bp.response(200, ResponsesPageSchema)
@bp.alt_response(404, "NOT_FOUND")
@bp.alt_response(400, "BAD_REQUEST")
@token_required(ApiScope.ANALYST)
@bp.arguments(ResponsesArgs, location="query", as_kwargs=True)
def wave_responses(wave_id: int, after: int = 0, limit: int = 100, **args):
    """A page of a wave's responses (analyst scope)

    The responses workbook's columns and rules (contacts included, personal IDs masked),
    every state, in id order, ``limit`` at a time: pass the page's ``next_after`` as
    ``after`` for the next page (null: the last page). Filters as for the rollup.
    """
    wave = _wave(wave_id)
    filters = _filters(args)
    chunks = response_pages.page(db.session, wave, filters, after, limit)
    return Response(stream_with_context(chunks), mimetype="application/json")
