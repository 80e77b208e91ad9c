"""staff sessions: each log-in on the server, so log-out and idle time can end it

Revision ID: 9d41f0c2b7e5
Revises: 7c2e4a91d0b3
Create Date: 2026-12-02 08:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "9d41f0c2b7e5"
down_revision = "7c2e4a91d0b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("ended_at", survey.models.base.UTCDateTime(), nullable=True),
        sa.Column("client_address", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_user_id"))
    op.drop_table("staff_sessions")
