"""responses entered by staff for a firm: who, when and how

Revision ID: 4e7a1c9b2f60
Revises: 8c3d2a6f5e91
Create Date: 2026-12-06 08:00:00

After a phone, paper or in-person interview, staff enter a firm's answers on the
respondent's pages; the response keeps who entered it, when and how. ``entry_method``
is the marker the responses list filters on (``entry=staff|self``).
"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "4e7a1c9b2f60"
down_revision = "8c3d2a6f5e91"
branch_labels = None
depends_on = None

_METHODS = sa.Enum("phone", "paper", "in_person", name="entrymethod", native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("entered_at", survey.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("entry_method", _METHODS, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_responses_entered_by_id_staff_users"), "staff_users", ["entered_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_responses_entered_by_id_staff_users"), type_="foreignkey")
        batch_op.drop_column("entry_method")
        batch_op.drop_column("entered_at")
        batch_op.drop_column("entered_by_id")
