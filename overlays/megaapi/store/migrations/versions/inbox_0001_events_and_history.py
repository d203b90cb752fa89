"""inbox: events and message history

Revision ID: inbox_0001
Revises: (none: the first revision of the "inbox" branch)
Create Date: 2026-11-30 11:03:36.096955
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "inbox_0001"
down_revision = None
branch_labels = ("inbox",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_chat_reads",
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("read_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("chat", name=op.f("pk_inbox_chat_reads")),
    )
    op.create_table(
        "inbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message_type", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_events")),
        sa.UniqueConstraint("identity", name=op.f("uq_inbox_events_identity")),
    )
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_events_chat_state_id", ["chat", "state", "id"], unique=False)
        batch_op.create_index("ix_inbox_events_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_inbox_events_state_next_attempt_at", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "inbox_messages",
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("from_me", sa.Boolean(), nullable=False),
        sa.Column("chat", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=True),
        sa.Column("sender_name", sa.String(length=255), nullable=True),
        sa.Column("timestamp", sa.Float(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("message_type", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("status_at", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("echoed", sa.Boolean(), nullable=False),
        sa.Column("media_mimetype", sa.String(length=255), nullable=True),
        sa.Column("media_file_name", sa.Text(), nullable=True),
        sa.Column("media_length", sa.BigInteger(), nullable=True),
        sa.Column("media_sha256", sa.String(length=255), nullable=True),
        sa.Column("media_path", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", "from_me", name=op.f("pk_inbox_messages")),
    )
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_messages_chat_timestamp", ["chat", "timestamp"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_messages_chat_timestamp")

    op.drop_table("inbox_messages")
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_events_state_next_attempt_at")
        batch_op.drop_index("ix_inbox_events_received_at")
        batch_op.drop_index("ix_inbox_events_chat_state_id")

    op.drop_table("inbox_events")
    op.drop_table("inbox_chat_reads")
