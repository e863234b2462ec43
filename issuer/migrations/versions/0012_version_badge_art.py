"""badge art pinned per achievement version

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written by hand, then checked against autogenerate (tests/issuer/test_migrations.py).
    # Versions recorded before this table say nothing about their art (no
    # "imageSha256" in their snapshot) and keep showing the current art.
    op.create_table(
        'achievement_version_images',
        sa.Column('achievement_id', sa.String(length=36), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('svg', sa.LargeBinary(), nullable=False),
        sa.Column('png', sa.LargeBinary(), nullable=False),
        sa.Column('alt', sa.String(length=300), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['achievement_id'], ['achievements.id'],
            name=op.f('fk_achievement_version_images_achievement_id_achievements'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('achievement_id', 'number',
                                name=op.f('pk_achievement_version_images')),
    )


def downgrade() -> None:
    op.drop_table('achievement_version_images')
