"""Validation schemas of the plugin's actions."""
from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator

__all__ = ["comunidad_list_schema", "comunidad_show_schema"]


@validator_args
def comunidad_list_schema(
    ignore_missing: Validator, boolean_validator: Validator
) -> Schema:
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
