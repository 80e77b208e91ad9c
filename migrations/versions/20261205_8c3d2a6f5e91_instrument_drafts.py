"""instrument drafts loaded from workbooks

Revision ID: 8c3d2a6f5e91
Revises: 6b2f9e4d1a70
Create Date: 2026-12-05 08:00:00

A framework or module that staff loaded from a workbook waits here, validated, until it
is published into framework_versions or module_versions.
"""
from alembic import op
import sqlalchemy as sa

import survey.models.base

revision = '8c3d2a6f5e91'
down_revision = '6b2f9e4d1a70'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('instrument_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title_vi', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', survey.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_instrument_drafts_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_drafts')),
    sa.UniqueConstraint('kind', 'code', 'version', name=op.f('uq_instrument_drafts_kind_code_version'))
    )


def downgrade():
    op.drop_table('instrument_drafts')
