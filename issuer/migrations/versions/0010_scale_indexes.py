"""indexes for district scale: the credentials list in issue order, per issuer

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-05 08:10:00.000000
"""

from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0007'  # the lead re-chains this after 0008/0009
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written by hand, then checked against autogenerate (tests/issuer/test_migrations.py).
    # The credentials list reads newest first within an admin's organizations, 50 rows at
    # a time, and pages by (issued_at, id) keys rather than OFFSET: with these the database
    # walks an index from the cursor instead of sorting every credential ever issued.
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.create_index('ix_issued_credentials_org_issued',
                              ['organization_id', 'issued_at', 'id'], unique=False)
        batch_op.create_index('ix_issued_credentials_issued',
                              ['issued_at', 'id'], unique=False)
        # a teacher's address finds their credentials (wallet claims, support look-ups)
        batch_op.create_index('ix_issued_credentials_recipient_email',
                              ['recipient_email'], unique=False)
        # the dashboard counts awards per achievement from this index alone
        batch_op.create_index('ix_issued_credentials_org_achievement',
                              ['organization_id', 'achievement_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_credentials_org_achievement')
        batch_op.drop_index('ix_issued_credentials_recipient_email')
        batch_op.drop_index('ix_issued_credentials_issued')
        batch_op.drop_index('ix_issued_credentials_org_issued')
