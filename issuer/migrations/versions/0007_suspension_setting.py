"""per-issuer suspension setting; status lists also as VC-JWT

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written by hand, then checked against autogenerate: one boolean column. The
    # server default is false, so existing issuers issue schema-valid credentials (one
    # revocation credentialStatus object, OB 3.0 JSON Schema) from now on; credentials
    # they already issued keep both entries and keep verifying.
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspension_enabled', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    # The VC-JWT form of each signed status list; null until the list is next signed
    # (a list without it is re-signed on its next read).
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_jwt', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('jwt_etag', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.drop_column('jwt_etag')
        batch_op.drop_column('signed_jwt')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('suspension_enabled')
