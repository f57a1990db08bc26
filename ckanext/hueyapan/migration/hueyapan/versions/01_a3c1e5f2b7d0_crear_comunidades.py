"""Create the communities register (hueyapan_comunidad).

Revision ID: a3c1e5f2b7d0
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "a3c1e5f2b7d0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hueyapan_comunidad",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("cvegeo", sa.String(9), nullable=True, unique=True),
        sa.Column("nombre", sa.Text, nullable=False),
        sa.Column("ambito", sa.String(1), nullable=True),
        sa.Column("latitud", sa.Float, nullable=True),
        sa.Column("longitud", sa.Float, nullable=True),
        sa.Column("altitud_m", sa.Integer, nullable=True),
        sa.Column("geometria", JSONB, nullable=True),
        sa.Column("pob_total_2020", sa.Integer, nullable=True),
        sa.Column("pob_masculina_2020", sa.Integer, nullable=True),
        sa.Column("pob_femenina_2020", sa.Integer, nullable=True),
        sa.Column("viviendas_habitadas_2020", sa.Integer, nullable=True),
        sa.Column("fuente", sa.Text, nullable=True),
        sa.Column("estado", sa.Text, nullable=False, server_default="activa"),
        sa.Column("fusionada_en", sa.Text, sa.ForeignKey("hueyapan_comunidad.id"), nullable=True),
        sa.Column("creado", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("modificado", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.CheckConstraint("cvegeo ~ '^[0-9]{9}$'", name="hueyapan_comunidad_cvegeo_9_digitos"),
        sa.CheckConstraint(
            "estado IN ('activa', 'retirada', 'fusionada')", name="hueyapan_comunidad_estado"
        ),
    )


def downgrade() -> None:
    op.drop_table("hueyapan_comunidad")
