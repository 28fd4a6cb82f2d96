"""Messages are found by their asker and by their age without a full scan.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:50:00

``/forget all`` deletes a user row, and the database then looks for that user's messages
(``ON DELETE CASCADE``); ``/stats`` counts the answers of the last day and week, and pruning
looks for exchanges older than ``retention_days``. Both scanned the whole table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_messages_user_id", "messages", ["user_id"], unique=False)
    op.create_index("ix_messages_created_at", "messages", ["created_at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_messages_created_at", table_name="messages")
    op.drop_index("ix_messages_user_id", table_name="messages")
