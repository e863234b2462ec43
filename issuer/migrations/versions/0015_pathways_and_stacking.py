"""Pathways: stages with electives and prerequisites, capstones, completions (issue #20)

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-05 12:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs on both engines: batch mode would copy pathways and
    # pathway_steps on SQLite and DROP the old tables, which foreign keys refuse.
    op.add_column('pathways', sa.Column('completion', sa.String(length=16),
                                        server_default='automatic', nullable=False))
    op.add_column('pathways', sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('pathways', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('pathway_steps', sa.Column('capstone', sa.Boolean(),
                                             server_default=sa.false(), nullable=False))
    op.create_table('pathway_stages',
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('choose', sa.Integer(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_stages_pathway_id_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pathway_id', 'position', name=op.f('pk_pathway_stages'))
    )
    op.create_table('pathway_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=True),
    sa.Column('credential_id', sa.String(length=36), nullable=True),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('flag_reason', sa.Text(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_pathway_completions_credential_id_issued_credentials'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_completions_pathway_id_pathways'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_pathway_completions_person_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_pathway_completions_submission_id_submissions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_completions')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_pathway_completions_credential_id')),
    sa.UniqueConstraint('pathway_id', 'person_id', name='uq_pathway_completions_pathway_person'),
    sa.UniqueConstraint('submission_id', name=op.f('uq_pathway_completions_submission_id'))
    )
    with op.batch_alter_table('pathway_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_completions_flagged_at'), ['flagged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_completions_pathway_id'), ['pathway_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_completions_person_id'), ['person_id'], unique=False)
    op.create_table('pathway_components',
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['pathway_completions.id'], name=op.f('fk_pathway_components_completion_id_pathway_completions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['credential_id'], ['issued_credentials.id'], name=op.f('fk_pathway_components_credential_id_issued_credentials'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('completion_id', 'credential_id', name=op.f('pk_pathway_components'))
    )
    with op.batch_alter_table('pathway_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_components_credential_id'), ['credential_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pathway_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_components_credential_id'))
    op.drop_table('pathway_components')
    with op.batch_alter_table('pathway_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_completions_person_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_completions_pathway_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_completions_flagged_at'))
    op.drop_table('pathway_completions')
    op.drop_table('pathway_stages')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops a plain column in place (see 0011).
        for table, column in (('pathway_steps', 'capstone'), ('pathways', 'archived_at'),
                              ('pathways', 'created_at'), ('pathways', 'completion')):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        return
    op.drop_column('pathway_steps', 'capstone')
    for column in ('archived_at', 'created_at', 'completion'):
        op.drop_column('pathways', column)
