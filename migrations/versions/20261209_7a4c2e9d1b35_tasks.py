"""Background tasks: register checks and imports, wave re-scoring, on the job queue

Revision ID: 7a4c2e9d1b35
Revises: 5d1e7f3a9c42
Create Date: 2026-12-09 08:00:00

Register files were checked and imported, and waves re-scored, inside the request. They
are jobs now (survey/jobs), and their state is a row here with the life of an export
job's (survey/jobs/tracked.py).
"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "7a4c2e9d1b35"
down_revision = "5d1e7f3a9c42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "register.check",
                "register.import",
                "wave.rescore",
                name="taskkind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("queued", "running", "done", "failed", name="jobstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("heartbeat_at", survey.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", survey.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["staff_users.id"], name=op.f("fk_tasks_requested_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks") as batch:
        batch.create_index(batch.f("ix_tasks_requested_by_id"), ["requested_by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index(batch.f("ix_tasks_requested_by_id"))
    op.drop_table("tasks")
