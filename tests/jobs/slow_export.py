"""Loaded into a test worker (SURVEY_JOBS_MODULES): its exports stop after their first
progress write, for SLOW_EXPORT_SECONDS, so a test can kill the worker mid-job."""

from __future__ import annotations

import os
import time

from survey.exports import jobs as export_jobs

_progress = export_jobs._progress


def _slow_progress(job_id: int, **counts: int) -> None:
    _progress(job_id, **counts)
    time.sleep(float(os.environ.get("SLOW_EXPORT_SECONDS", "60")))


export_jobs._progress = _slow_progress
