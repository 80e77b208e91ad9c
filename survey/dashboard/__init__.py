"""The city's Industry 4.0 picture: figures assembled from the rollup, and their charts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from survey.dashboard.charts import bars
    from survey.responses.scoring import framework_of

    app.jinja_env.globals["chart_bars"] = bars
    app.jinja_env.globals["board_framework"] = lambda board: framework_of(board.wave.framework_version)
