"""Telling members what needs them: in-app notices, and e-mail sent by a background task.

Notices are not decisions and change nothing in a body, so they are not record entries;
the events they point at are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from collegium.federation.models import Member
from collegium.notifications.models import Notification


def notify(
    *,
    members: QuerySet[Member] | Iterable[Member],
    kind: str,
    title: str,
    url: str = "",
    email: bool = True,
    now: dt.datetime | None = None,
) -> int:
    """Create one notice per member (in the caller's transaction) and e-mail them after
    the commit. Returns how many were created."""
    ids = (
        list(members.values_list("id", flat=True))
        if isinstance(members, QuerySet)
        else [m.pk for m in members]
    )
    created = Notification.objects.bulk_create(
        [
            Notification(
                member_id=i, kind=kind, title=title[:300], url=url, created_at=now or timezone.now()
            )
            for i in ids
        ],
        batch_size=1000,
    )
    if email and created and getattr(settings, "COLLEGIUM_EMAIL_NOTIFICATIONS", True):
        from collegium.notifications.tasks import send_notification_emails

        notice_ids = [n.pk for n in created if n.pk is not None]
        if not notice_ids:  # backends that return no ids from bulk_create
            notice_ids = list(
                Notification.objects.filter(
                    member_id__in=ids, kind=kind, title=title[:300], emailed=False
                ).values_list("id", flat=True)
            )
        transaction.on_commit(lambda: send_notification_emails.enqueue(notice_ids))
    return len(created)


def notifications_mark_read(*, member: Member, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(member=member, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    return unread.update(read_at=timezone.now())
