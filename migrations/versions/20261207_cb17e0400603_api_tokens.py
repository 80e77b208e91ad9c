"""API tokens for the city's other systems

Revision ID: cb17e0400603
Revises: 4e7a1c9b2f60
Create Date: 2026-12-07 08:00:00

Admins give another system (the data warehouse, the open-data portal, the provincial
dashboards) a token for the JSON API under /api/v1: a named client, a scope (viewer or
analyst), an expiry, revocable, its uses counted. Only the token's SHA-256 digest is kept.
"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "cb17e0400603"
down_revision = "4e7a1c9b2f60"
branch_labels = None
depends_on = None

_SCOPES = sa.Enum("viewer", "analyst", name="apiscope", native_enum=False, length=20)


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=120), nullable=False),
        sa.Column("scope", _SCOPES, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", survey.models.base.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", survey.models.base.UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", survey.models.base.UTCDateTime(), nullable=True),
        sa.Column("use_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_users.id"], name=op.f("fk_api_tokens_created_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["staff_users.id"], name=op.f("fk_api_tokens_revoked_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )


def downgrade():
    op.drop_table("api_tokens")
