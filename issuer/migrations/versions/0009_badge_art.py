"""uploaded badge art per achievement (SVG and PNG renditions)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written by hand, then checked against autogenerate (tests/issuer/test_migrations.py).
    # No row means "the generated default art", so existing achievements need nothing.
    op.create_table(
        'achievement_images',
        sa.Column('achievement_id', sa.String(length=36), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('svg', sa.LargeBinary(), nullable=False),
        sa.Column('png', sa.LargeBinary(), nullable=False),
        sa.Column('alt', sa.String(length=300), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('uploaded_by', sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'],
                                name=op.f('fk_achievement_images_achievement_id_achievements'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('achievement_id', name=op.f('pk_achievement_images')),
    )


def downgrade() -> None:
    op.drop_table('achievement_images')
