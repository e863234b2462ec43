"""Partners and their endorsements

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-05 12:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two new, empty tables (issue #20): a district's partner organizations, and the
    # EndorsementCredentials they signed, each with its own revocation list entry.
    op.create_table('partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['organizations.id'], name=op.f('fk_partnerships_district_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['organizations.id'], name=op.f('fk_partnerships_partner_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerships')),
    sa.UniqueConstraint('partner_id', name=op.f('uq_partnerships_partner_id'))
    )
    op.create_index(op.f('ix_partnerships_district_id'), 'partnerships', ['district_id'], unique=False)
    op.create_table('endorsements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('achievement_id', sa.String(length=36), nullable=True),
    sa.Column('subject_id', sa.String(length=500), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('signing_key_id', sa.Integer(), nullable=False),
    sa.Column('status_list_id', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=320), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_endorsements_achievement_id_achievements'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['district_id'], ['organizations.id'], name=op.f('fk_endorsements_district_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['partner_id'], ['organizations.id'], name=op.f('fk_endorsements_partner_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signing_key_id'], ['signing_keys.id'], name=op.f('fk_endorsements_signing_key_id_signing_keys'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['status_list_id'], ['status_lists.id'], name=op.f('fk_endorsements_status_list_id_status_lists'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_endorsements')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_endorsements_credential_id')),
    sa.UniqueConstraint('status_list_id', 'status_index', name='uq_endorsements_list_index')
    )
    op.create_index(op.f('ix_endorsements_achievement_id'), 'endorsements', ['achievement_id'], unique=False)
    op.create_index(op.f('ix_endorsements_district_id'), 'endorsements', ['district_id'], unique=False)
    op.create_index(op.f('ix_endorsements_partner_id'), 'endorsements', ['partner_id'], unique=False)
    op.create_index(op.f('ix_endorsements_status_list_id'), 'endorsements', ['status_list_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_endorsements_status_list_id'), table_name='endorsements')
    op.drop_index(op.f('ix_endorsements_partner_id'), table_name='endorsements')
    op.drop_index(op.f('ix_endorsements_district_id'), table_name='endorsements')
    op.drop_index(op.f('ix_endorsements_achievement_id'), table_name='endorsements')
    op.drop_table('endorsements')
    op.drop_index(op.f('ix_partnerships_district_id'), table_name='partnerships')
    op.drop_table('partnerships')
