"""``{% load criticism_tags %}{% criticism_panel body user %}``: the body page's panel of
open, overdue and escalated criticism, with links to the filtered list."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("web/criticism/_panel.html")
def criticism_panel(body: Any, user: Any) -> dict[str, Any]:
    from collegium.criticism import permissions as cperm
    from collegium.criticism.selectors import body_panel
    from collegium.federation.permissions import member_of

    viewer = member_of(user)
    return {
        "body": body,
        "panel": body_panel(body, viewer, timezone.now()),
        "may_publish": cperm.can_address(viewer, body),
    }
