"""Reads for boards."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from collegium.elections.models import Seat
from collegium.federation.models import Body


def board_seats(body: Body) -> QuerySet[Seat]:
    today = timezone.localdate()
    return (
        Seat.objects.filter(
            body=body, vacated_on__isnull=True, term_start__lte=today, term_end__gte=today
        )
        .select_related("holder", "holder__category")
        .order_by("holder__family_name")
    )
