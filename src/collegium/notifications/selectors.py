"""Reads of a member's notices."""

from __future__ import annotations

from django.db.models import QuerySet

from collegium.federation.models import Member
from collegium.notifications.models import Notification


def unread_count(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def notifications_for(member: Member) -> QuerySet[Notification]:
    return Notification.objects.filter(member=member)
