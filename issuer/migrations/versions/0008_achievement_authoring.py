"""achievement authoring: status, reviewer rules, versions, frameworks (issue #17)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written by hand, then checked against the models by tests/issuer/test_migrations.py.
    # Existing achievements are published (archived when they were inactive), listed,
    # need one reviewer and follow their district's mentor rule, as before.
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16),
                                      server_default='published', nullable=False))
        batch_op.add_column(sa.Column('catalogue_visible', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('reviewers_required', sa.Integer(),
                                      server_default='1', nullable=False))
        batch_op.add_column(sa.Column('mentor_conflict', sa.String(length=16),
                                      server_default='district', nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE achievements SET status = 'archived' WHERE active = false"))
    op.create_table(
        'achievement_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('achievement_id', sa.String(length=36), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'],
                                name=op.f('fk_achievement_versions_achievement_id_achievements'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_achievement_versions')),
        sa.UniqueConstraint('achievement_id', 'number',
                            name='uq_achievement_versions_achievement_number'),
    )
    with op.batch_alter_table('achievement_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_achievement_versions_achievement_id'),
                              ['achievement_id'], unique=False)
    op.create_table(
        'competency_frameworks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('creator', sa.String(length=300), nullable=False),
        sa.Column('uri', sa.String(length=1000), nullable=False),
        sa.Column('source', sa.String(length=1000), nullable=True),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_by', sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_competency_frameworks_organization_id_organizations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_competency_frameworks')),
        sa.UniqueConstraint('organization_id', 'identifier',
                            name='uq_competency_frameworks_org_identifier'),
    )
    with op.batch_alter_table('competency_frameworks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competency_frameworks_organization_id'),
                              ['organization_id'], unique=False)
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('achievement_version', sa.Integer(), nullable=True))
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('achievement_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('achievement_version')
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_column('achievement_version')
    with op.batch_alter_table('competency_frameworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competency_frameworks_organization_id'))
    op.drop_table('competency_frameworks')
    with op.batch_alter_table('achievement_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_achievement_versions_achievement_id'))
    op.drop_table('achievement_versions')
    with op.batch_alter_table('achievements', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('mentor_conflict')
        batch_op.drop_column('reviewers_required')
        batch_op.drop_column('catalogue_visible')
        batch_op.drop_column('status')
