"""Conflict resolution: who closed a conflict, when, how, with what data; the conflict a resolution became.

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = 's0002'
down_revision = 's0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('resolved_device', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('resolution_data', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('superseded_by', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_conflicts_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_conflicts_status')
        batch_op.drop_column('superseded_by')
        batch_op.drop_column('resolution_data')
        batch_op.drop_column('resolved_device')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolution')
