"""OpenID4VCI credential offers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 08:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One new, empty table (issue #19). Codes and tokens are stored as SHA-256 hex
    # digests only, found by their unique hash; offers go with their award.
    op.create_table('credential_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credential_pk', sa.String(length=36), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('configurations', sa.String(length=200), nullable=False),
    sa.Column('tx_code_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tx_code_failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('code_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('holder', sa.Text(), nullable=True),
    sa.Column('configuration', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['credential_pk'], ['issued_credentials.id'], name=op.f('fk_credential_offers_credential_pk_issued_credentials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_offers')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_credential_offers_code_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_credential_offers_token_hash'))
    )
    # A district (or school) may require a transaction code, sent by e-mail, on every
    # wallet claim; off for existing issuers.
    # A plain ADD COLUMN on both engines: batch mode would copy organizations on SQLite
    # and DROP the old table, which its foreign keys refuse once rows point at it.
    op.add_column('organizations', sa.Column('claim_tx_code', sa.Boolean(),
                                             server_default=sa.false(), nullable=False))
    with op.batch_alter_table('credential_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_offers_credential_pk'), ['credential_pk'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('credential_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_offers_credential_pk'))
    op.drop_table('credential_offers')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops a plain column in place. Batch mode would copy the table
        # and DROP the old one, which its foreign keys refuse while achievements,
        # people and awards point at an organization.
        op.execute("ALTER TABLE organizations DROP COLUMN claim_tx_code")
        return
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('claim_tx_code')
