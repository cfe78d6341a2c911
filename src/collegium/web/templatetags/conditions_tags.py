"""Template helpers for condition reports, and the body page's panel:

{% load conditions_tags %}{% conditions_panel body user %}
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse

register = template.Library()

EVENTS = {
    "reported": "Reported",
    "photo_added": "Photos added",
    "confirmation": "Confirmed by a co-worker",
    "confirmed": "Confirmed: the board's deadline runs",
    "remedy_promised": "Remedy promised",
    "remedy_done": "Remedy marked done by the board",
    "fixed": "Confirmed fixed by the reporter",
    "not_fixed": "Not fixed, says the reporter: open again",
    "escalated_board": "Escalated by the board",
    "escalated_deadline": "Escalated: no remedy by the deadline",
    "escalated_reporter": "Remedy rejected by the reporter: escalated",
    "hidden": "Hidden by the moderation commission",
    "unhidden": "Shown again by the moderation commission",
}


@register.filter
def condition_event(kind: str) -> str:
    return EVENTS.get(kind, kind.replace("_", " ").capitalize())


@register.filter
def normalize(value: Any) -> str:
    """``12.500`` → ``12.5``; ``3.000`` → ``3``."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@register.inclusion_tag("web/conditions/_panel.html")
def conditions_panel(body: Any, user: Any) -> dict[str, Any]:
    """Counts of the body's condition reports the user may see, with links to the list."""
    from collegium.conditions.selectors import panel_counts
    from collegium.federation.permissions import belongs_to
    from collegium.web.queries import member_viewer

    viewer = member_viewer(user)
    return {
        "body": body,
        "visible": viewer is not None,
        "counts": panel_counts(body, viewer),
        "base": reverse("body_conditions", args=[body.code]),
        "new": reverse("condition_report_new", args=[body.code]),
        "may_report": viewer is not None and body.is_workplace and belongs_to(viewer, body),
    }
