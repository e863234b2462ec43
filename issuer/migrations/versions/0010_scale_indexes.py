"""indexes for district scale: the credentials list in issue order, per issuer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 08:10:00.000000
"""

from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0009'
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


    # PostgreSQL: the list's text search ("%needle%" in a teacher's name or address or a
    # credential id) through a trigram index, when the pg_trgm extension can be had
    # (it ships with PostgreSQL; creating it needs the database owner's or a superuser's
    # rights). Without it the search still works, scanning the rows. Not in the models:
    # a dialect-specific expression index that autogenerate cannot compare.
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        savepoint = bind.begin_nested()
        try:
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        except Exception:  # noqa: BLE001 - no rights: the search scans instead
            savepoint.rollback()
        else:
            savepoint.commit()
            bind.exec_driver_sql(
                'CREATE INDEX IF NOT EXISTS ix_issued_credentials_search_trgm ON '
                'issued_credentials USING gin ((lower(recipient_name || \' \' || '
                'recipient_email || \' \' || credential_id)) gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.get_bind().exec_driver_sql('DROP INDEX IF EXISTS ix_issued_credentials_search_trgm')
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_credentials_org_achievement')
        batch_op.drop_index('ix_issued_credentials_recipient_email')
        batch_op.drop_index('ix_issued_credentials_issued')
        batch_op.drop_index('ix_issued_credentials_org_issued')
