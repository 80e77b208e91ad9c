"""The support catalogue: admins keep the programmes the result page and the dashboard match to firms."""

from __future__ import annotations
