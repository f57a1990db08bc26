"""Communities: whether the community is indigenous, and its peoples (recorded by staff).

Revision ID: c5e2a9d41f07
Revises: b81d4c7e9a12
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "c5e2a9d41f07"
down_revision = "b81d4c7e9a12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: not recorded. INEGI's 2020 census file shipped here carries no indigenous-language
    # figures for these localities, so nothing is presumed: staff record it.
    op.add_column("hueyapan_comunidad", sa.Column("indigena", sa.Boolean, nullable=True))
    op.add_column("hueyapan_comunidad", sa.Column("pueblos_indigenas", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("hueyapan_comunidad", "pueblos_indigenas")
    op.drop_column("hueyapan_comunidad", "indigena")
