"""Validation schemas of the plugin's actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

__all__ = [
    "comunidad_list_schema",
    "comunidad_show_schema",
    "comunidad_create_schema",
    "comunidad_update_schema",
    "comunidad_merge_schema",
    "comunidad_retire_schema",
    "termino_list_schema",
    "termino_create_schema",
    "termino_update_schema",
]


@validator_args
def comunidad_list_schema(ignore_missing: Validator, boolean_validator: Validator) -> Schema:
    return {
        "incluir_retiradas": [ignore_missing, boolean_validator],
        "con_geometria": [ignore_missing, boolean_validator],
    }


@validator_args
def comunidad_show_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
    boolean_validator: Validator,
) -> Schema:
    return {
        "id": [not_empty, unicode_safe],
        "con_geometria": [ignore_missing, boolean_validator],
    }


@validator_args
def _comunidad_fields(
    ignore_missing: Validator, unicode_safe: Validator, int_validator: Validator,
    natural_number_validator: Validator, hueyapan_cvegeo: Validator,
    hueyapan_coordenada: Validator, hueyapan_geojson_objeto: Validator,
    hueyapan_ambito: Validator, boolean_validator: Validator,
) -> Schema:
    return {
        "cvegeo": [ignore_missing, unicode_safe, hueyapan_cvegeo],
        "ambito": [ignore_missing, hueyapan_ambito],
        "latitud": [ignore_missing, hueyapan_coordenada],
        "longitud": [ignore_missing, hueyapan_coordenada],
        "altitud_m": [ignore_missing, int_validator],
        "geometria": [ignore_missing, hueyapan_geojson_objeto],
        "pob_total_2020": [ignore_missing, natural_number_validator],
        "pob_masculina_2020": [ignore_missing, natural_number_validator],
        "pob_femenina_2020": [ignore_missing, natural_number_validator],
        "viviendas_habitadas_2020": [ignore_missing, natural_number_validator],
        "fuente": [ignore_missing, unicode_safe],
        "indigena": [ignore_missing, boolean_validator],
        "pueblos_indigenas": [ignore_missing, unicode_safe],
    }


@validator_args
def comunidad_create_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    schema = _comunidad_fields()
    schema["nombre"] = [not_empty, unicode_safe]
    return schema


@validator_args
def comunidad_update_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator
) -> Schema:
    schema = _comunidad_fields()
    schema["id"] = [not_empty, unicode_safe]
    schema["nombre"] = [ignore_missing, not_empty, unicode_safe]
    return schema


@validator_args
def comunidad_merge_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe], "destino": [not_empty, unicode_safe]}


@validator_args
def comunidad_retire_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def termino_list_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
    hueyapan_ejercicio: Validator,
) -> Schema:
    return {
        "vocabulario": [not_empty, unicode_safe],
        "ejercicio": [ignore_missing, hueyapan_ejercicio],
    }


@validator_args
def termino_create_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
    isodate: Validator, int_validator: Validator, name_validator: Validator,
) -> Schema:
    return {
        "vocabulario": [not_empty, unicode_safe, name_validator],
        "clave": [not_empty, unicode_safe],
        "etiqueta": [not_empty, unicode_safe],
        "etiqueta_en": [ignore_missing, unicode_safe],
        "desde": [ignore_missing, isodate],
        "hasta": [ignore_missing, isodate],
        "orden": [ignore_missing, int_validator],
    }


@validator_args
def termino_update_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator,
    isodate: Validator, int_validator: Validator,
) -> Schema:
    return {
        "vocabulario": [not_empty, unicode_safe],
        "clave": [not_empty, unicode_safe],
        "etiqueta": [ignore_missing, not_empty, unicode_safe],
        "etiqueta_en": [ignore_missing, unicode_safe],
        "desde": [ignore_missing, isodate],
        "hasta": [ignore_missing, isodate],
        "orden": [ignore_missing, int_validator],
    }
