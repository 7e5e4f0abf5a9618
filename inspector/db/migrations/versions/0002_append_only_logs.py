"""Append-only observation and audit logs (triggers), and indexes for the visit lists.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("observations", "audit_log")


def upgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            # Only the sync marker may change (the laptop sets it to 0 once the server acknowledged the row).
            f"WHEN NEW.id IS NOT OLD.id OR NEW.visit_id IS NOT OLD.visit_id OR NEW.value IS NOT OLD.value "
            f"OR NEW.points IS NOT OLD.points OR NEW.comment IS NOT OLD.comment OR NEW.na_reason IS NOT OLD.na_reason "
            f"OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.criterion IS NOT OLD.criterion "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            if table == "observations"
            else f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    op.create_index("ix_visits_state_planned", "visits", ["state", "planned_on"])
    op.create_index("ix_observations_pending", "observations", ["pending_sync"])


def downgrade() -> None:
    op.drop_index("ix_observations_pending", "observations")
    op.drop_index("ix_visits_state_planned", "visits")
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER {table}_no_delete")
        op.execute(f"DROP TRIGGER {table}_no_update")
