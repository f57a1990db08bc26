"""Create the controlled vocabularies (hueyapan_termino).

Revision ID: b81d4c7e9a12
Revises: a3c1e5f2b7d0
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "b81d4c7e9a12"
down_revision = "a3c1e5f2b7d0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hueyapan_termino",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("vocabulario", sa.Text, nullable=False, index=True),
        sa.Column("clave", sa.Text, nullable=False),
        sa.Column("etiqueta", sa.Text, nullable=False),
        sa.Column("etiqueta_en", sa.Text, nullable=True),
        sa.Column("desde", sa.Date, nullable=True),
        sa.Column("hasta", sa.Date, nullable=True),
        sa.Column("orden", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("vocabulario", "clave", name="hueyapan_termino_vocabulario_clave"),
    )


def downgrade() -> None:
    op.drop_table("hueyapan_termino")
