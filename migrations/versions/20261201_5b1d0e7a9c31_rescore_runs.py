"""rescore runs: a wave moved to a corrected scoring version, before and after

Revision ID: 5b1d0e7a9c31
Revises: 1e33cf22b760
Create Date: 2026-12-01 22:10:00

"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "5b1d0e7a9c31"
down_revision = "1e33cf22b760"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rescore_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("ran_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_users.id"], name=op.f("fk_rescore_runs_actor_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_rescore_runs_from_version_id_framework_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["to_version_id"],
            ["framework_versions.id"],
            name=op.f("fk_rescore_runs_to_version_id_framework_versions"),
        ),
        sa.ForeignKeyConstraint(["wave_id"], ["waves.id"], name=op.f("fk_rescore_runs_wave_id_waves")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescore_runs")),
    )
    with op.batch_alter_table("rescore_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rescore_runs_wave_id"), ["wave_id"], unique=False)


def downgrade():
    with op.batch_alter_table("rescore_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rescore_runs_wave_id"))
    op.drop_table("rescore_runs")
