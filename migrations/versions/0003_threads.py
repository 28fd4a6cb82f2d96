"""Messages remember their conversation inside the chat (channel, thread, forum topic).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 02:45:00

The god's context ("and then?") is per conversation; existing messages belong to their chat
as a whole (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("thread_external_id", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_messages_chat_id_thread_external_id_id",
        "messages",
        ["chat_id", "thread_external_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_messages_chat_id_thread_external_id_id", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("thread_external_id")
