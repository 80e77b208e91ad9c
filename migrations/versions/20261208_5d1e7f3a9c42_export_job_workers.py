"""Export jobs run by queue workers: attempts, the claiming worker, its heartbeat

Revision ID: 5d1e7f3a9c42
Revises: cb17e0400603
Create Date: 2026-12-08 08:00:00

Exports moved from a thread in the web process to worker processes (survey/jobs). A
worker claims a job by one conditional UPDATE (queued -> running, attempts + 1, its name,
a heartbeat), writes a heartbeat while it works, and a job whose heartbeat stopped is
queued again or failed after JOBS_MAX_ATTEMPTS.
"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "5d1e7f3a9c42"
down_revision = "5d1e8a3c7f42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("export_jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("worker", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", survey.models.base.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("export_jobs") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("worker")
        batch.drop_column("attempts")
