"""The summary workbook of a wave, built one way for the web's export job and the CLI.

The two used to assemble it each their own way and drifted apart: other breakdowns,
another privacy threshold, reference figures and tier names missing on one side. Both
now call :func:`write_summary`, so the same wave, filters, language and minimum group
give the same workbook, cell for cell (tests/reports/test_summary_parity.py).

It lives in the exports, not in survey.reports, because it runs the rollup: the report
definitions sit below the statistics, which use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import labels as catalogue
from survey.exports import workbooks
from survey.frameworks import framework_of
from survey.models import AdminUnit, ReferenceFigure, Sector, Wave
from survey.reports import breakdowns, privacy
from survey.statistics import modules as module_stats
from survey.statistics import rollup as rollups


@dataclass(frozen=True)
class Written:
    #: Counted responses of the wave under the filters.
    counted: int
    #: The breakdowns written, one sheet each.
    breakdowns: tuple[str, ...]


def reference_figures(session: Session) -> list[dict]:
    """The outside figures, with their labels in both languages."""
    return [
        {
            "code": f.code,
            "year": f.year,
            "value": f.value,
            "tier": f.tier,
            "label_vi": f.label_vi,
            "label_en": f.label_en,
            "source": f.source,
        }
        for f in session.scalars(select(ReferenceFigure).order_by(ReferenceFigure.code))
    ]


def filter_words(session: Session, filters: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """The filters in words in ``lang``: a unit and a sector by their names."""
    units = {}
    if "unit" in filters:
        units = {
            u.code: u.name_vi for u in session.scalars(select(AdminUnit).filter_by(code=filters["unit"]))
        }
    sectors = {}
    if "sector" in filters:
        sectors = {
            s.code: s.name_en if lang == "en" else s.name_vi
            for s in session.scalars(select(Sector).filter_by(code=filters["sector"]))
        }
    with force_locale(lang):
        return catalogue.filter_words(filters, units, sectors)


def write_summary(
    target: str | IO[bytes],
    session: Session,
    wave: Wave,
    filters: dict[str, str],
    *,
    lang: str,
    min_group: int,
    strata,
    labels: str = "codes",
) -> Written:
    """Write the summary workbook of ``wave`` under ``filters`` (checked already) to ``target``.

    Its breakdowns are the summary workbook's (survey.reports.breakdowns.SUMMARY_WORKBOOK);
    ``min_group`` is the minimum group size (survey.reports.privacy), ``strata`` the
    post-stratification cells (``ROLLUP_STRATA``). The modules the wave carries get a
    sheet each, by the same breakdowns, with the same minimum group. By unit, the units
    below ``min_group`` with at least ``MODEL_MIN_REGISTER`` firms get a model-based
    estimate, labelled as such. ``labels`` names the
    sheets and columns in words (``"labels"``) or by code (``"codes"``).
    """
    overall = rollups.rollup(session, wave, strata=strata, filters=filters)
    shown = breakdowns.SUMMARY_WORKBOOK.shown(filters, rollups.kinds_covered(wave, filters))
    # By unit, the units too small for a direct figure get their model-based estimates
    # where survey.statistics.small_area.shown allows (the same minimum group).
    model_rule = (min_group, privacy.model_min_register())
    by = {
        name: rollups.rollup(
            session,
            wave,
            by=name,
            strata=strata,
            filters=filters,
            model_rule=model_rule if name == "unit" else None,
        )
        for name in shown
    }
    workbooks.write_summary_workbook(
        target,
        by,
        overall,
        wave_info={"id": wave.id, "name": wave.name, "year": wave.year},
        filters=filters,
        reference=reference_figures(session),
        min_group=min_group,
        lang=lang,
        framework=framework_of(wave.framework_version),
        modules=module_stats.for_wave(
            session, wave, filters=filters, strata=strata, breakdowns=shown, min_group=min_group
        ),
        labels=labels,
        filter_words=filter_words(session, filters, lang) if labels == "labels" else None,
    )
    return Written(counted=overall["overall"]["n"], breakdowns=shown)
