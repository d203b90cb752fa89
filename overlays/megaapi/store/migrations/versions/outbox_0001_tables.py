"""The outbox: items, the shared pace, checked numbers, opt-outs and campaigns.

Revision ID: outbox0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from megaapi.store.outbox_tables import UtcDateTime

revision = "outbox0001"
down_revision = None
branch_labels = ("outbox",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("instance", sa.String(64), nullable=False),
        sa.Column("campaign", sa.String(255), nullable=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("jid", sa.String(64), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("media", sa.Text, nullable=True),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("not_before", UtcDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_by", sa.BigInteger, nullable=True),
        sa.Column("message_id", sa.String(128), nullable=True),
        sa.Column("ack", sa.Integer, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sending_at", UtcDateTime(), nullable=True),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("delivered_at", UtcDateTime(), nullable=True),
        sa.Column("read_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_items"),
        sa.UniqueConstraint("key", name="uq_outbox_items_key"),
    )
    op.create_index("ix_outbox_items_next", "outbox_items", ["instance", "status", "priority", "id"])
    op.create_index("ix_outbox_items_campaign", "outbox_items", ["campaign", "status"])
    op.create_index("ix_outbox_items_message_id", "outbox_items", ["message_id"])
    op.create_index("ix_outbox_items_jid", "outbox_items", ["jid", "status"])
    op.create_table(
        "outbox_pace",
        sa.Column("instance", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("next_at", UtcDateTime(), nullable=True),
        sa.Column("day", sa.Date, nullable=True),
        sa.Column("day_count", sa.Integer, nullable=False),
        sa.Column("first_day", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("instance", name="pk_outbox_pace"),
    )
    op.create_table(
        "outbox_numbers",
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("on_whatsapp", sa.Boolean, nullable=False),
        sa.Column("jid", sa.String(64), nullable=True),
        sa.Column("checked_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_outbox_numbers"),
    )
    op.create_table(
        "outbox_opt_outs",
        sa.Column("instance", sa.String(64), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("instance", "number", name="pk_outbox_opt_outs"),
    )
    op.create_table(
        "outbox_campaigns",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("instance", sa.String(64), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("media", sa.Text, nullable=True),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_outbox_campaigns"),
    )


def downgrade() -> None:
    for table in ("outbox_campaigns", "outbox_opt_outs", "outbox_numbers", "outbox_pace", "outbox_items"):
        op.drop_table(table)
