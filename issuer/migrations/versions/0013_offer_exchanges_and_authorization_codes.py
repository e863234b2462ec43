"""VC-API exchanges and authorization codes on credential offers

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-05 12:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns and a counter (issue #19): existing offers keep working as pre-authorized
    # offers without an exchange. Plain ADD COLUMN on both engines (see 0011), and the
    # exchange id's hash is unique through a unique index, which SQLite can add in place.
    op.add_column('credential_offers', sa.Column('exchange_hash', sa.String(length=64),
                                                 nullable=True))
    op.add_column('credential_offers', sa.Column('exchange_failures', sa.Integer(),
                                                 server_default='0', nullable=False))
    op.add_column('credential_offers', sa.Column('client_id', sa.String(length=200),
                                                 nullable=True))
    op.add_column('credential_offers', sa.Column('redirect_uri', sa.Text(), nullable=True))
    op.add_column('credential_offers', sa.Column('code_challenge', sa.String(length=128),
                                                 nullable=True))
    op.add_column('credential_offers', sa.Column('by_details', sa.Boolean(),
                                                 server_default=sa.false(), nullable=False))
    op.create_index(op.f('ix_credential_offers_exchange_hash'), 'credential_offers',
                    ['exchange_hash'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_credential_offers_exchange_hash'), table_name='credential_offers')
    for column in ('by_details', 'code_challenge', 'redirect_uri', 'client_id',
                   'exchange_failures', 'exchange_hash'):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE credential_offers DROP COLUMN {column}")
        else:
            op.drop_column('credential_offers', column)
