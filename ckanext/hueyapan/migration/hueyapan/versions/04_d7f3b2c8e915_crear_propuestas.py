"""Proposals to calls (hueyapan_propuesta): who proposed what, for which community, its review
and its reports. Contact data are stored here and never published.

Revision ID: d7f3b2c8e915
Revises: c5e2a9d41f07
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "d7f3b2c8e915"
down_revision = "c5e2a9d41f07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hueyapan_propuesta",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("convocatoria_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("usuario_id", sa.Text, sa.ForeignKey("user.id"), nullable=False, index=True),
        sa.Column("titulo", sa.Text, nullable=False),
        sa.Column("comunidad", sa.Text, sa.ForeignKey("hueyapan_comunidad.id"), nullable=False),
        sa.Column("problema", sa.Text, nullable=False),
        sa.Column("descripcion", sa.Text, nullable=False),
        sa.Column("beneficiarios_mujeres", sa.Integer, nullable=True),
        sa.Column("beneficiarios_hombres", sa.Integer, nullable=True),
        sa.Column("beneficiarios_indigenas", sa.Integer, nullable=True),
        sa.Column("costo_estimado", sa.Numeric(14, 2), nullable=True),
        sa.Column("acta", sa.Text, nullable=True),
        sa.Column("contacto_nombre", sa.Text, nullable=True),
        sa.Column("contacto_telefono", sa.Text, nullable=True),
        sa.Column("contacto_correo", sa.Text, nullable=True),
        sa.Column("estado", sa.Text, nullable=False, server_default="recibida"),
        sa.Column("motivo", sa.Text, nullable=True),
        sa.Column("dataset_id", sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("informe_preliminar", sa.Text, nullable=True),
        sa.Column("informe_preliminar_limite", sa.Date, nullable=True),
        sa.Column("informe_preliminar_entregado", sa.DateTime(timezone=True), nullable=True),
        sa.Column("informe_final", sa.Text, nullable=True),
        sa.Column("informe_final_limite", sa.Date, nullable=True),
        sa.Column("informe_final_entregado", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creado", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modificado", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hueyapan_propuesta")
