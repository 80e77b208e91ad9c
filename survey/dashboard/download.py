"""A dashboard chart as a file for a report: a standalone SVG, or that SVG drawn as a PNG.

The SVG is the page's own drawing (templates/dashboard/_macros.html, chart_bars_body)
with what a picture pasted into a report lacks written on it: its title, the wave and
the filters it is under, what the bars and lines mean, and where it comes from.

The PNG is the same SVG rendered on the server by CairoSVG (Kozea's, the makers of
WeasyPrint; it draws with libcairo2), at twice the size for print. No browser script
is needed, and a PNG is the same picture whichever browser asked for it. Without
libcairo2 on the server the PNG is refused with a 503 and the page offers the SVG
alone (``png_available``).
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from functools import cache

from flask import Response, abort, render_template
from flask_babel import format_date
from flask_babel import gettext as _

from survey.dashboard import chart_set
from survey.dashboard.chart_set import Chart
from survey.dashboard.figures import Dashboard
from survey.responses.scoring import framework_of
from survey.timezone import LOCAL

#: Characters per line at the file's type sizes, for the 720-unit-wide drawing.
TITLE_WRAP = 72
TEXT_WRAP = 105
#: A PNG is drawn at twice the SVG's size: sharp when printed at the width of a page.
PNG_SCALE = 2


@cache
def png_available() -> bool:
    """Whether CairoSVG and the libcairo2 it loads are there (asked once per process)."""
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def svg(chart: Chart, wave_name: str, filters: str) -> str:
    """``chart`` as a standalone SVG document."""
    under = _("Filters: %(filters)s", filters=filters) if filters else _("All firms of the wave, no filter")
    subtitle = textwrap.wrap(f"{wave_name} · {under}", TEXT_WRAP)
    notes = [
        *textwrap.wrap(chart.desc, TEXT_WRAP),
        _(
            "Source: %(who)s, digital readiness survey; drawn on %(date)s.",
            who=_("Hai Phong Department of Science and Technology"),
            date=format_date(datetime.now(LOCAL).date(), "dd/MM/yyyy"),
        ),
    ]
    return render_template(
        "dashboard/chart.svg",
        chart=chart,
        title=textwrap.wrap(chart.title, TITLE_WRAP),
        subtitle=subtitle,
        notes=notes,
    )


def png(document: str) -> bytes:
    """An SVG document (``svg``'s) drawn as a PNG. CairoSVG's default refuses to read
    files or URLs the document names; ours names none."""
    import cairosvg

    return cairosvg.svg2png(bytestring=document.encode("utf-8"), scale=PNG_SCALE)


def formats() -> tuple[str, ...]:
    """The files a chart can be downloaded as on this server."""
    return ("svg", "png") if png_available() else ("svg",)


def response(board: Dashboard, name: str, fmt: str, filters: str, sort: str = "key") -> Response:
    """The chart ``name`` of ``board`` as an SVG or PNG download, ``filters`` (in words)
    written on it. 404: no such chart, or nothing to draw under these filters; 503: a
    PNG asked of a server without libcairo2."""
    if board.empty:
        abort(404, description=_("No response matches these filters: there is no chart to draw."))
    chart = chart_set.charts(board, framework_of(board.wave.framework_version), sort).get(name)
    if chart is None:
        abort(404)
    document = svg(chart, board.wave.name, filters)
    if fmt == "png":
        if not png_available():
            abort(503, description=_("This server cannot draw PNG files; download the SVG instead."))
        body, mimetype = png(document), "image/png"
    else:
        body, mimetype = document.encode("utf-8"), "image/svg+xml"
    out = Response(body, mimetype=mimetype)
    # An ASCII name of codes and ids: no header escaping to get wrong.
    out.headers["Content-Disposition"] = f'attachment; filename="chart-{name}-wave-{board.wave.id}.{fmt}"'
    return out
