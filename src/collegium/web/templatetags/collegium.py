"""Small template helpers for the pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def indent_class(depth: int) -> str:
    return f"depth-{min(int(depth), 8)}"


@register.filter
def is_member_id(actor_id: str) -> bool:
    return str(actor_id).startswith("m_")


@register.filter
def charter_label(name: str) -> str:
    from collegium.federation.charters import FIELD_BY_NAME

    field = FIELD_BY_NAME.get(name)
    return field.label if field else name


@register.filter
def charter_unit(name: str) -> str:
    from collegium.federation.charters import FIELD_BY_NAME

    field = FIELD_BY_NAME.get(name)
    return field.unit if field else ""
