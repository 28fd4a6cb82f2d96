"""Raw updates remember their sender; per-user daily usage counters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:00:00

``/forget all`` erases the raw updates a user sent (found by ``intake.user_external_id``;
rows stored before this revision have none and age out with the intake's retention), and the
daily quotas count answers and pictures per user and day in ``usage``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("intake") as batch:
        batch.add_column(sa.Column("user_external_id", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_intake_platform_user_external_id",
        "intake",
        ["platform", "user_external_id"],
        unique=False,
    )
    op.create_table(
        "usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_usage_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_usage"),
        sa.UniqueConstraint("user_id", "day", "kind", name="uq_usage_user_id_day_kind"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("usage")
    op.drop_index("ix_intake_platform_user_external_id", table_name="intake")
    with op.batch_alter_table("intake") as batch:
        batch.drop_column("user_external_id")
