"""business kinds: household and individual businesses with a personal ID; waves for a population

Revision ID: 3a8e5c17b2d4
Revises: 9d41f0c2b7e5
Create Date: 2026-12-03 08:00:00

Every row that exists was an enterprise (the start page took only tax codes), so the
register and the responses become ``enterprise``/``enterprises``, and the existing waves
are for the enterprise kinds. The 13-character codes are branches.
"""

import sqlalchemy as sa
from alembic import op

import survey.models.base

revision = "3a8e5c17b2d4"
down_revision = "9d41f0c2b7e5"
branch_labels = None
depends_on = None

ENTERPRISE_KINDS = '["enterprise", "branch", "cooperative"]'


def _profile_columns(batch_op, table: str):
    batch_op.add_column(sa.Column("kind", sa.String(length=20), server_default="enterprise", nullable=False))
    batch_op.add_column(sa.Column("population", sa.String(length=20), nullable=True))
    batch_op.create_index(batch_op.f(f"ix_{table}_population"), ["population"])


def upgrade():
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        _profile_columns(batch_op, "enterprises")
        batch_op.add_column(sa.Column("id_type", sa.String(length=20), server_default="mst10", nullable=False))
        batch_op.add_column(sa.Column("id_erased_at", survey.models.base.UTCDateTime(), nullable=True))
        batch_op.alter_column("tax_code", existing_type=sa.String(length=14), nullable=True)
        batch_op.drop_constraint("uq_enterprises_tax_code", type_="unique")
        batch_op.create_unique_constraint("uq_enterprises_tax_code_kind", ["tax_code", "kind"])
    op.create_index(
        "uq_enterprises_tax_code_registered",
        "enterprises",
        ["tax_code"],
        unique=True,
        sqlite_where=sa.text("id_type != 'cccd12'"),
        postgresql_where=sa.text("id_type != 'cccd12'"),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        _profile_columns(batch_op, "responses")
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kinds", sa.JSON(), nullable=True))
    op.execute("UPDATE enterprises SET id_type = 'mst13', kind = 'branch' WHERE length(tax_code) = 14")
    op.execute("UPDATE enterprises SET kind = 'cooperative' WHERE ownership = 'cooperative' AND kind = 'enterprise'")
    op.execute("UPDATE responses SET kind = (SELECT e.kind FROM enterprises e WHERE e.id = responses.enterprise_id)")
    for table in ("enterprises", "responses"):
        op.execute(f"UPDATE {table} SET population = 'enterprises'")
    op.execute(f"UPDATE waves SET kinds = '{ENTERPRISE_KINDS}'")
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.alter_column("kinds", existing_type=sa.JSON(), nullable=False)


def downgrade():
    op.execute("DELETE FROM responses WHERE kind IN ('household', 'individual')")
    op.execute("DELETE FROM enterprises WHERE id_type = 'cccd12' OR tax_code IS NULL")
    with op.batch_alter_table("waves", schema=None) as batch_op:
        batch_op.drop_column("kinds")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_responses_population"))
        batch_op.drop_column("population")
        batch_op.drop_column("kind")
    op.drop_index("uq_enterprises_tax_code_registered", table_name="enterprises")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_constraint("uq_enterprises_tax_code_kind", type_="unique")
        batch_op.create_unique_constraint("uq_enterprises_tax_code", ["tax_code"])
        batch_op.alter_column("tax_code", existing_type=sa.String(length=14), nullable=False)
        batch_op.drop_index(batch_op.f("ix_enterprises_population"))
        batch_op.drop_column("population")
        batch_op.drop_column("id_erased_at")
        batch_op.drop_column("id_type")
        batch_op.drop_column("kind")
