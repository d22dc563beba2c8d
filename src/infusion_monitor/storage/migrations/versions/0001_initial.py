"""Initial schema: staff, patients, chairs, sessions, clinical records and the audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21 06:29:11.890385
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "app_info",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_info")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_entry_prev_hash")),
        sa.UniqueConstraint("row_hash", name=op.f("uq_audit_entry_row_hash")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entry_entity_entity_id"), ["entity", "entity_id"], unique=False
        )

    op.create_table(
        "chair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_chair_position")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chair")),
        sa.UniqueConstraint("name", name=op.f("uq_chair_name")),
    )
    op.create_table(
        "nurse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "role IN ('nurse', 'charge_nurse', 'administrator')", name=op.f("ck_nurse_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nurse")),
        sa.UniqueConstraint("staff_id", name=op.f("uq_nurse_staff_id")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("allergies", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patient_mrn")),
    )
    op.create_table(
        "infusion_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("nurse_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.String(length=100), nullable=False),
        sa.Column("protocol_version", sa.String(length=100), nullable=False),
        sa.Column("ruleset_name", sa.String(length=100), nullable=False),
        sa.Column("ruleset_version", sa.String(length=100), nullable=False),
        sa.Column("dose", sa.Double(), nullable=False),
        sa.Column("dose_unit", sa.String(length=20), nullable=False),
        sa.Column("rate", sa.Double(), nullable=True),
        sa.Column("rate_unit", sa.String(length=20), nullable=True),
        sa.Column("planned_duration_min", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=True),
        sa.Column("first_dose", sa.Boolean(), nullable=False),
        sa.Column("prior_reaction_to_drug", sa.Boolean(), nullable=False),
        sa.Column("spo2_scale", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('planned', 'running', 'paused', 'observation', 'completed', 'discontinued', 'closed')",
            name=op.f("ck_infusion_session_state"),
        ),
        sa.CheckConstraint("cycle IS NULL OR cycle >= 1", name=op.f("ck_infusion_session_cycle")),
        sa.CheckConstraint("dose > 0", name=op.f("ck_infusion_session_dose")),
        sa.CheckConstraint(
            "planned_duration_min > 0", name=op.f("ck_infusion_session_planned_duration_min")
        ),
        sa.CheckConstraint("rate IS NULL OR rate >= 0", name=op.f("ck_infusion_session_rate")),
        sa.CheckConstraint("spo2_scale IN (1, 2)", name=op.f("ck_infusion_session_spo2_scale")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_infusion_session_version")),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chair.id"], name=op.f("fk_infusion_session_chair_id_chair")
        ),
        sa.ForeignKeyConstraint(
            ["nurse_id"], ["nurse.id"], name=op.f("fk_infusion_session_nurse_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_infusion_session_patient_id_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infusion_session")),
    )
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_infusion_session_chair_id_state"), ["chair_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_infusion_session_patient_id_created_at"),
            ["patient_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("ruleset_name", sa.String(length=100), nullable=False),
        sa.Column("ruleset_version", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "priority IN ('none', 'low', 'medium', 'high')", name=op.f("ck_assessment_priority")
        ),
        sa.CheckConstraint("minute >= 0", name=op.f("ck_assessment_minute")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_assessment_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_session_id_at"), ["session_id", "at"], unique=False
        )

    op.create_table(
        "session_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "type IN ('start', 'pause', 'resume', 'rate_change', 'complete', 'discontinue', 'observation_start', 'close', 'note')",
            name=op.f("ck_session_event_type"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["nurse.id"], name=op.f("fk_session_event_author_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_session_event_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_event")),
    )
    with op.batch_alter_table("session_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_event_session_id_at"), ["session_id", "at"], unique=False
        )

    op.create_table(
        "symptom_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("onset_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(amends_id IS NULL) = (amend_reason IS NULL)",
            name=op.f("ck_symptom_record_amend_reason"),
        ),
        sa.CheckConstraint(
            "resolved_at IS NULL OR resolved_at >= onset_at",
            name=op.f("ck_symptom_record_resolved_at"),
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"],
            ["symptom_record.id"],
            name=op.f("fk_symptom_record_amends_id_symptom_record"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["nurse.id"], name=op.f("fk_symptom_record_recorded_by_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_symptom_record_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_symptom_record")),
    )
    with op.batch_alter_table("symptom_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_symptom_record_session_id_onset_at"),
            ["session_id", "onset_at"],
            unique=False,
        )

    op.create_table(
        "vital_signs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("heart_rate", sa.Integer(), nullable=True),
        sa.Column("systolic_bp", sa.Integer(), nullable=True),
        sa.Column("diastolic_bp", sa.Integer(), nullable=True),
        sa.Column("respiratory_rate", sa.Integer(), nullable=True),
        sa.Column("spo2", sa.Integer(), nullable=True),
        sa.Column("on_oxygen", sa.Boolean(), nullable=True),
        sa.Column("o2_flow_l_min", sa.Double(), nullable=True),
        sa.Column("temperature_c", sa.Double(), nullable=True),
        sa.Column("acvpu", sa.String(length=1), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=True),
        sa.Column("incomplete_reason", sa.Text(), nullable=True),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("acvpu IN ('A', 'C', 'V', 'P', 'U')", name=op.f("ck_vital_signs_acvpu")),
        sa.CheckConstraint("source IN ('typed', 'monitor')", name=op.f("ck_vital_signs_source")),
        sa.CheckConstraint(
            "(amends_id IS NULL) = (amend_reason IS NULL)", name=op.f("ck_vital_signs_amend_reason")
        ),
        sa.CheckConstraint(
            "diastolic_bp IS NULL OR diastolic_bp BETWEEN 0 AND 250",
            name=op.f("ck_vital_signs_diastolic_bp"),
        ),
        sa.CheckConstraint(
            "heart_rate IS NULL OR heart_rate BETWEEN 0 AND 300",
            name=op.f("ck_vital_signs_heart_rate"),
        ),
        sa.CheckConstraint(
            "o2_flow_l_min IS NULL OR o2_flow_l_min BETWEEN 0 AND 60",
            name=op.f("ck_vital_signs_o2_flow_l_min"),
        ),
        sa.CheckConstraint(
            "pain IS NULL OR pain BETWEEN 0 AND 10", name=op.f("ck_vital_signs_pain")
        ),
        sa.CheckConstraint(
            "respiratory_rate IS NULL OR respiratory_rate BETWEEN 0 AND 80",
            name=op.f("ck_vital_signs_respiratory_rate"),
        ),
        sa.CheckConstraint(
            "spo2 IS NULL OR spo2 BETWEEN 0 AND 100", name=op.f("ck_vital_signs_spo2")
        ),
        sa.CheckConstraint(
            "systolic_bp IS NULL OR systolic_bp BETWEEN 0 AND 300",
            name=op.f("ck_vital_signs_systolic_bp"),
        ),
        sa.CheckConstraint(
            "temperature_c IS NULL OR temperature_c BETWEEN 25 AND 45",
            name=op.f("ck_vital_signs_temperature_c"),
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"], ["vital_signs.id"], name=op.f("fk_vital_signs_amends_id_vital_signs")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["nurse.id"], name=op.f("fk_vital_signs_entered_by_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_vital_signs_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vital_signs")),
    )
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vital_signs_session_id_taken_at"),
            ["session_id", "taken_at"],
            unique=False,
        )

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("priority IN ('low', 'medium', 'high')", name=op.f("ck_alert_priority")),
        sa.CheckConstraint(
            "state IN ('active', 'acknowledged', 'resolved')", name=op.f("ck_alert_state")
        ),
        sa.CheckConstraint(
            "(acknowledged_at IS NULL) = (acknowledged_by_id IS NULL)",
            name=op.f("ck_alert_acknowledged"),
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["nurse.id"], name=op.f("fk_alert_acknowledged_by_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_alert_assessment_id_assessment")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_alert_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_session_id_raised_at"), ["session_id", "raised_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alert_state_priority"), ["state", "priority"], unique=False
        )

    op.create_table(
        "intervention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("declined_reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(amends_id IS NULL) = (amend_reason IS NULL)",
            name=op.f("ck_intervention_amend_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_intervention_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"], ["intervention.id"], name=op.f("fk_intervention_amends_id_intervention")
        ),
        sa.ForeignKeyConstraint(["by_id"], ["nurse.id"], name=op.f("fk_intervention_by_id_nurse")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_intervention_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention")),
    )
    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intervention_session_id_at"), ["session_id", "at"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table("intervention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intervention_session_id_at"))

    op.drop_table("intervention")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_state_priority"))
        batch_op.drop_index(batch_op.f("ix_alert_session_id_raised_at"))

    op.drop_table("alert")
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vital_signs_session_id_taken_at"))

    op.drop_table("vital_signs")
    with op.batch_alter_table("symptom_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_symptom_record_session_id_onset_at"))

    op.drop_table("symptom_record")
    with op.batch_alter_table("session_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_event_session_id_at"))

    op.drop_table("session_event")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_session_id_at"))

    op.drop_table("assessment")
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_infusion_session_patient_id_created_at"))
        batch_op.drop_index(batch_op.f("ix_infusion_session_chair_id_state"))

    op.drop_table("infusion_session")
    op.drop_table("patient")
    op.drop_table("nurse")
    op.drop_table("chair")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_entity_entity_id"))

    op.drop_table("audit_entry")
    op.drop_table("app_info")
