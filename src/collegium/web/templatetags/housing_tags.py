"""The housing panel of a body's page: ``{% load housing_tags %}{% housing_panel body user %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from collegium.federation.permissions import belongs_to, member_of
from collegium.housing import selectors as hsel
from collegium.housing.models import Allocation

register = template.Library()


@register.inclusion_tag("web/housing/_panel.html")
def housing_panel(body: Any, user: Any) -> dict[str, Any]:
    counts = hsel.dwelling_counts(body)
    waiting = hsel.waiting_count(body)
    member = member_of(user)
    place = None
    if member is not None and waiting and hsel.active_application(member, body) is not None:
        listing = hsel.waiting_list(body, timezone.now())
        place = listing.place_of_member(member.pk)
    return {
        "body": body,
        "counts": counts,
        "total": sum(counts.values()),
        "waiting": waiting,
        "pending": Allocation.objects.filter(body=body, state=Allocation.State.VOTING).count(),
        "place": place,
        "may_apply": belongs_to(member, body) and body.kind != "commission",
    }
