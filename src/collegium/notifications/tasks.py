"""Background work: e-mailing notices, and the periodic sweep of deadlines.

Both are idempotent: running them twice sends nothing twice and counts nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django_tasks import task

from collegium.notifications.models import Notification


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    notices = list(
        Notification.objects.filter(id__in=notification_ids, emailed=False)
        .exclude(member__email="")
        .select_related("member")
    )
    base = settings.COLLEGIUM_BASE_URL.rstrip("/")
    messages = [
        (
            n.title,
            f"Hello {n.member.given_name},\n\n{n.title}\n\n"
            + (f"{base}{n.url}\n\n" if n.url else "")
            + f"— {settings.COLLEGIUM_FEDERATION_NAME}",
            None,
            [n.member.email],
        )
        for n in notices
    ]
    if messages:
        send_mass_mail(messages, fail_silently=False)
    Notification.objects.filter(id__in=[n.pk for n in notices]).update(emailed=True)
    return len(messages)


@task()
def sweep() -> dict[str, Any]:
    """Everything that falls due with time: counts of closed elections and recall
    ballots, lapsed petitions, and a daily checkpoint of the record."""
    from collegium.notifications.sweep import run_sweep

    return run_sweep()
