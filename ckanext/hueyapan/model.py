"""Database model of the communities (comunidades) that every dataset is tied to.

A community is usually an INEGI locality (9-digit ``cvegeo``), but the municipality also counts
communities INEGI does not map, so ``cvegeo`` is optional. Communities are never deleted: a retired
or merged one keeps its row, so its history and its URL keep answering.
"""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ckan.model.base import BaseModel

__all__ = ["Comunidad", "ESTADO_ACTIVA", "ESTADO_FUSIONADA", "ESTADO_RETIRADA", "Propuesta",
           "PROPUESTA_ESTADOS", "Termino"]

ESTADO_ACTIVA = "activa"
ESTADO_RETIRADA = "retirada"
ESTADO_FUSIONADA = "fusionada"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Comunidad(BaseModel):  # type: ignore[valid-type, misc]
    __tablename__ = "hueyapan_comunidad"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=lambda: str(uuid.uuid4()))
    cvegeo: Mapped[str | None] = mapped_column(sa.String(9), unique=True, nullable=True)
    nombre: Mapped[str] = mapped_column(sa.Text, nullable=False)
    ambito: Mapped[str | None] = mapped_column(sa.String(1), nullable=True)
    latitud: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    longitud: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    altitud_m: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    geometria: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    pob_total_2020: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    pob_masculina_2020: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    pob_femenina_2020: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    viviendas_habitadas_2020: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    fuente: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    #: Indigenous community (True/False) as staff record it; None: not recorded
    indigena: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    #: Its indigenous peoples, as staff write them ("Popoluca", "Nahua")
    pueblos_indigenas: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    estado: Mapped[str] = mapped_column(sa.Text, nullable=False, default=ESTADO_ACTIVA)
    fusionada_en: Mapped[str | None] = mapped_column(
        sa.Text, sa.ForeignKey("hueyapan_comunidad.id"), nullable=True
    )
    creado: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    modificado: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now
    )

    def as_dict(self, with_geometry: bool = False) -> dict[str, Any]:
        """The community as the action API returns it."""
        data: dict[str, Any] = {
            "id": self.id,
            "cvegeo": self.cvegeo,
            "nombre": self.nombre,
            "ambito": self.ambito,
            "latitud": self.latitud,
            "longitud": self.longitud,
            "altitud_m": self.altitud_m,
            "pob_total_2020": self.pob_total_2020,
            "pob_masculina_2020": self.pob_masculina_2020,
            "pob_femenina_2020": self.pob_femenina_2020,
            "viviendas_habitadas_2020": self.viviendas_habitadas_2020,
            "fuente": self.fuente,
            "indigena": self.indigena,
            "pueblos_indigenas": self.pueblos_indigenas,
            "estado": self.estado,
            "fusionada_en": self.fusionada_en,
            "creado": self.creado.isoformat() if self.creado else None,
            "modificado": self.modificado.isoformat() if self.modificado else None,
        }
        if with_geometry:
            data["geometria"] = self.geometria
        return data


class Termino(BaseModel):  # type: ignore[valid-type, misc]
    """A term of a controlled vocabulary (rubros, fuentes, etapas, tipos, legal basis ...).

    Staff extend vocabularies without code changes; ``desde``/``hasta`` bound the dates (and so the
    fiscal years) in which a term may be chosen, e.g. a fund that exists from 2025 on.
    """

    __tablename__ = "hueyapan_termino"
    __table_args__ = (sa.UniqueConstraint("vocabulario", "clave"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    vocabulario: Mapped[str] = mapped_column(sa.Text, nullable=False, index=True)
    clave: Mapped[str] = mapped_column(sa.Text, nullable=False)
    etiqueta: Mapped[str] = mapped_column(sa.Text, nullable=False)
    etiqueta_en: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    desde: Mapped[datetime.date | None] = mapped_column(sa.Date, nullable=True)
    hasta: Mapped[datetime.date | None] = mapped_column(sa.Date, nullable=True)
    orden: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    def vigente_en(self, year: int) -> bool:
        """Whether the term may be used for fiscal year ``year``."""
        starts_before_year_ends = self.desde is None or self.desde <= datetime.date(year, 12, 31)
        ends_after_year_starts = self.hasta is None or self.hasta >= datetime.date(year, 1, 1)
        return starts_before_year_ends and ends_after_year_starts

    def as_dict(self) -> dict[str, Any]:
        return {
            "vocabulario": self.vocabulario,
            "clave": self.clave,
            "etiqueta": self.etiqueta,
            "etiqueta_en": self.etiqueta_en,
            "desde": self.desde.isoformat() if self.desde else None,
            "hasta": self.hasta.isoformat() if self.hasta else None,
            "orden": self.orden,
        }


#: The review of a proposal: recibida → en_revision → aprobada | rechazada; aprobada → convertida
PROPUESTA_ESTADOS = ("recibida", "en_revision", "aprobada", "rechazada", "convertida")


class Propuesta(BaseModel):  # type: ignore[valid-type, misc]
    """A proposal of a registered user (an agente municipal, a committee, an organisation) to a
    convocatoria. The contact fields are private: only the proponent and the convocante área
    read them."""

    __tablename__ = "hueyapan_propuesta"

    id: Mapped[str] = mapped_column(sa.Text, primary_key=True, default=lambda: str(uuid.uuid4()))
    convocatoria_id: Mapped[str] = mapped_column(sa.Text, sa.ForeignKey("package.id"),
                                                 nullable=False)
    usuario_id: Mapped[str] = mapped_column(sa.Text, sa.ForeignKey("user.id"), nullable=False)
    titulo: Mapped[str] = mapped_column(sa.Text, nullable=False)
    comunidad: Mapped[str] = mapped_column(sa.Text, sa.ForeignKey("hueyapan_comunidad.id"),
                                           nullable=False)
    problema: Mapped[str] = mapped_column(sa.Text, nullable=False)
    descripcion: Mapped[str] = mapped_column(sa.Text, nullable=False)
    beneficiarios_mujeres: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    beneficiarios_hombres: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    beneficiarios_indigenas: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    costo_estimado: Mapped[Any] = mapped_column(sa.Numeric(14, 2), nullable=True)
    acta: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    contacto_nombre: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    contacto_telefono: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    contacto_correo: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    estado: Mapped[str] = mapped_column(sa.Text, nullable=False, default="recibida")
    motivo: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    dataset_id: Mapped[str | None] = mapped_column(sa.Text, sa.ForeignKey("package.id"),
                                                   nullable=True)
    informe_preliminar: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    informe_preliminar_limite: Mapped[datetime.date | None] = mapped_column(sa.Date, nullable=True)
    informe_preliminar_entregado: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True), nullable=True)
    informe_final: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    informe_final_limite: Mapped[datetime.date | None] = mapped_column(sa.Date, nullable=True)
    informe_final_entregado: Mapped[datetime.datetime | None] = mapped_column(
        sa.DateTime(timezone=True), nullable=True)
    creado: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), default=_now)
    modificado: Mapped[datetime.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now)

    PRIVATE = ("contacto_nombre", "contacto_telefono", "contacto_correo")

    def as_dict(self, with_private: bool) -> dict[str, Any]:
        """The proposal as the API returns it; the contact fields only ``with_private``."""
        data: dict[str, Any] = {}
        for column in self.__table__.columns:
            value = getattr(self, column.name)
            if column.name in self.PRIVATE and not with_private:
                continue
            if isinstance(value, (datetime.date, datetime.datetime)):
                value = value.isoformat()
            elif value is not None and column.name == "costo_estimado":
                value = str(value)
            data[column.name] = value
        return data
