"""unscored modules and the support catalogue

Revision ID: 6b2f9e4d1a70
Revises: 3a8e5c17b2d4
Create Date: 2026-12-04 08:00:00

Module versions are recorded like framework versions; a wave lists the ones it carries;
a response is pinned to each version it answered, and its answers are one row per
question (per ticked option of a checklist). Existing waves carry no modules.
"""
from alembic import op
import sqlalchemy as sa

import survey.models.base

revision = '6b2f9e4d1a70'
down_revision = '3a8e5c17b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title_vi', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('recorded_at', survey.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_versions')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_module_versions_code_version'))
    )
    op.create_table('support_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('provider', sa.String(length=300), nullable=False),
    sa.Column('offers', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('pillars', sa.JSON(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('sizes', sa.JSON(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', survey.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', survey.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_programmes'))
    )
    op.create_table('wave_modules',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('module_version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'], name=op.f('fk_wave_modules_module_version_id_module_versions')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_modules_wave_id_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'module_version_id', name=op.f('pk_wave_modules')),
    sa.UniqueConstraint('wave_id', 'position', name=op.f('uq_wave_modules_wave_id_position'))
    )
    op.create_table('module_answers',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('module_version_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=40), nullable=False),
    sa.Column('option', sa.String(length=40), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'], name=op.f('fk_module_answers_module_version_id_module_versions')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_module_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'module_version_id', 'question', 'option', name=op.f('pk_module_answers'))
    )
    with op.batch_alter_table('module_answers', schema=None) as batch_op:
        batch_op.create_index('ix_module_answers_version_question', ['module_version_id', 'question'], unique=False)

    op.create_table('response_modules',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('module_version_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', survey.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['module_version_id'], ['module_versions.id'], name=op.f('fk_response_modules_module_version_id_module_versions')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_response_modules_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'module_version_id', name=op.f('pk_response_modules'))
    )


def downgrade():
    op.drop_table('response_modules')
    with op.batch_alter_table('module_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_module_answers_version_question')

    op.drop_table('module_answers')
    op.drop_table('wave_modules')
    op.drop_table('support_programmes')
    op.drop_table('module_versions')
