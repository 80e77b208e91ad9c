"""The minimum group size: below it a group shows its n and never a share.

A share of two firms is not a statistic, and it could expose them. The threshold is a
setting (``DASHBOARD_MIN_GROUP``, checked when the app is built) so that a city can be
stricter; every report reads it here, the command line included, so no report can fall
back to a number of its own.
"""

from __future__ import annotations

from flask import current_app


def min_group() -> int:
    """The configured minimum group size of the running app."""
    return int(current_app.config["DASHBOARD_MIN_GROUP"])


def model_min_register() -> int:
    """The register size a unit needs for a model-based estimate (``MODEL_MIN_REGISTER``)."""
    return int(current_app.config["MODEL_MIN_REGISTER"])
