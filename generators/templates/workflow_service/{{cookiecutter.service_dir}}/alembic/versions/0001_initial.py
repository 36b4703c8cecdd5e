"""The workflow service's tables: applications (versioned), history, scheduled actions, warnings,
disbursements, outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Time = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applicant", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("offer", sa.JSON(), nullable=True),
        sa.Column("loan", sa.JSON(), nullable=True),
        sa.Column("outstanding_cents", sa.BigInteger(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(64), nullable=True),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("monitoring", sa.JSON(), nullable=True),
        sa.Column("active_warnings", sa.JSON(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.Column("stage_entered_at", Time, nullable=False),
        sa.Column("due_at", Time, nullable=True),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_applications_state_due", "applications", ["state", "due_at"])
    op.create_table(
        "history",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(32), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("from_state", sa.String(64), nullable=True),
        sa.Column("to_state", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(64), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.UniqueConstraint("application_id", "seq", name="uq_history_seq"),
        sa.UniqueConstraint("application_id", "idempotency_key", name="uq_history_key"),
    )
    op.create_table(
        "scheduled_actions",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(32), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("action_index", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(64), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.UniqueConstraint("application_id", "episode", "action_index", name="uq_action_once"),
    )
    op.create_index("ix_scheduled_actions_due", "scheduled_actions", ["due_date"])
    op.create_table(
        "warnings",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(32), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", Time, nullable=False),
    )
    op.create_index("ix_warnings_application", "warnings", ["application_id"])
    op.create_table(
        "disbursements",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(32), sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("disbursement_id", sa.String(100), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("disbursement_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", Serial, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("published_at", Time, nullable=True),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])


def downgrade() -> None:
    for table in ("outbox", "disbursements", "warnings", "scheduled_actions", "history", "applications"):
        op.drop_table(table)
