"""Labels workflow: establishment coordinates, submission and opinion of label visits, decision details, and what
each observation replaces (evaluators recording the same visit on two laptops).

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
    op.add_column("observations", sa.Column("based_on", sa.JSON(), nullable=False, server_default="[]"))
    op.execute("DROP TRIGGER observations_no_update")
    op.execute(_NO_UPDATE.format(extra=" OR NEW.based_on IS NOT OLD.based_on"))


_NO_UPDATE = (
    "CREATE TRIGGER observations_no_update BEFORE UPDATE ON observations "
    # Only the sync marker may change (the laptop sets it to 0 once the server acknowledged the row).
    "WHEN NEW.id IS NOT OLD.id OR NEW.visit_id IS NOT OLD.visit_id OR NEW.value IS NOT OLD.value "
    "OR NEW.points IS NOT OLD.points OR NEW.comment IS NOT OLD.comment OR NEW.na_reason IS NOT OLD.na_reason "
    "OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.criterion IS NOT OLD.criterion{extra} "
    "BEGIN SELECT RAISE(ABORT, 'observations is append-only'); END"
)


def downgrade() -> None:
    op.execute("DROP TRIGGER observations_no_update")
    op.execute(_NO_UPDATE.format(extra=""))
    op.drop_column("observations", "based_on")
    with op.batch_alter_table("decisions") as t:
        t.drop_column("details")
    with op.batch_alter_table("visits") as t:
        for name in ("prerequisites", "sworn_statement_ref", "sworn_statement_on", "opinion", "submitted_at"):
            t.drop_column(name)
    with op.batch_alter_table("establishments") as t:
        t.drop_column("longitude")
        t.drop_column("latitude")
