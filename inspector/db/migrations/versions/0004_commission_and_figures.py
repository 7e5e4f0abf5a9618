"""Commission sessions and their agenda (labels commission), and the intercommunality of establishments (figures).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _synced() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("pending_sync", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("establishments") as t:
        t.add_column(sa.Column("intercommunality", sa.String(150), nullable=False, server_default=""))
    op.create_table(
        "commission_sessions", *_synced(),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("chair", sa.String(200), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("minutes_path", sa.String(300), nullable=False),
        sa.Column("minutes_sha256", sa.String(64), nullable=False),
    )
    op.create_index("ix_commission_sessions_held_on", "commission_sessions", ["held_on"])
    op.create_index("ix_commission_sessions_pending_sync", "commission_sessions", ["pending_sync"])
    op.create_table(
        "commission_items", *_synced(),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("commission_sessions.id"), nullable=False),
        sa.Column("visit_id", sa.String(36), sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
    )
    op.create_index("ix_commission_items_session_id", "commission_items", ["session_id"])
    op.create_index("ix_commission_items_visit_id", "commission_items", ["visit_id"])
    op.create_index("ix_commission_items_pending_sync", "commission_items", ["pending_sync"])


def downgrade() -> None:
    op.drop_table("commission_items")
    op.drop_table("commission_sessions")
    with op.batch_alter_table("establishments") as t:
        t.drop_column("intercommunality")
