"""responses: the invitation that opened them, and one-time recovery links

Revision ID: 7c2e4a91d0b3
Revises: 5b1d0e7a9c31
Create Date: 2026-12-02 07:50:00

"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "7c2e4a91d0b3"
down_revision = "5b1d0e7a9c31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recovery_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("recovery_expires_at", survey.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_responses_invitation_id_invitations"),
            "invitations",
            ["invitation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_responses_recovery_token_hash"), ["recovery_token_hash"]
        )


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_responses_recovery_token_hash"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_responses_invitation_id_invitations"), type_="foreignkey")
        batch_op.drop_column("recovery_expires_at")
        batch_op.drop_column("recovery_token_hash")
        batch_op.drop_column("invitation_id")
