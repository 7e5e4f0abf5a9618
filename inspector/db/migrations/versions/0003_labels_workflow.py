"""Labels workflow: establishment coordinates, submission and opinion of label visits, decision details.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("establishments") as t:
        t.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        t.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    with op.batch_alter_table("visits") as t:
        t.add_column(sa.Column("submitted_at", sa.DateTime(), nullable=True))
        t.add_column(sa.Column("opinion", sa.Text(), nullable=False, server_default=""))
        t.add_column(sa.Column("sworn_statement_on", sa.Date(), nullable=True))
        t.add_column(sa.Column("sworn_statement_ref", sa.Text(), nullable=False, server_default=""))
        t.add_column(sa.Column("prerequisites", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("decisions") as t:
        t.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as t:
        t.drop_column("details")
    with op.batch_alter_table("visits") as t:
        for name in ("prerequisites", "sworn_statement_ref", "sworn_statement_on", "opinion", "submitted_at"):
            t.drop_column(name)
    with op.batch_alter_table("establishments") as t:
        t.drop_column("longitude")
        t.drop_column("latitude")
