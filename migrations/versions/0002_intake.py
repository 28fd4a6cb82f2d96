"""Intake: updates and events stored before they are confirmed; chats that are gone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 02:15:00

Existing chats become "active"; existing databases hold no intake yet.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("chats") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
        )
    op.create_table(
        "intake",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("bot", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("chat_external_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake")),
        sa.UniqueConstraint(
            "platform", "bot", "event_id", name=op.f("uq_intake_platform_bot_event_id")
        ),
    )
    op.create_index(
        "ix_intake_platform_bot_status_id",
        "intake",
        ["platform", "bot", "status", "id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_intake_platform_bot_status_id", table_name="intake")
    op.drop_table("intake")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("status")
