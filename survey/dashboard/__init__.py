"""The city's Industry 4.0 picture: figures assembled from the rollup, and their charts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from survey.dashboard.chart_set import charts, sorted_groups
    from survey.dashboard.download import formats
    from survey.dashboard.estimates import with_firms
    from survey.responses.scoring import framework_of

    app.jinja_env.globals.update(
        board_framework=lambda board: framework_of(board.wave.framework_version),
        dashboard_charts=charts,
        sorted_groups=sorted_groups,
        chart_formats=formats,
        # The one way a share is written beside the firms it stands for.
        with_firms=with_firms,
    )
