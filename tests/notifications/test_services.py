from __future__ import annotations

from collegium.notifications.models import Notification
from collegium.notifications.selectors import unread_count
from collegium.notifications.services import notifications_mark_read, notify
from collegium.notifications.tasks import send_notification_emails


def test_notices_are_created_and_emailed_once(
    small_federation, mailoutbox, django_capture_on_commit_callbacks
):
    f = small_federation
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(members=[f.worker, f.outsider], kind="test", title="Vote now", url="/x/")
    assert created == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([f.worker.email, f.outsider.email])
    assert "http://127.0.0.1:8000/x/" in mailoutbox[0].body
    # Idempotent: running the task again sends nothing new.
    ids = list(Notification.objects.values_list("id", flat=True))
    assert send_notification_emails.call(ids) == 0
    assert len(mailoutbox) == 2


def test_unread_and_mark_read(small_federation):
    f = small_federation
    notify(members=[f.worker], kind="a", title="one", email=False)
    notify(members=[f.worker], kind="b", title="two", email=False)
    assert unread_count(f.worker) == 2
    first = Notification.objects.filter(member=f.worker).last()
    assert notifications_mark_read(member=f.worker, ids=[first.pk]) == 1
    assert unread_count(f.worker) == 1
    assert notifications_mark_read(member=f.worker) == 1
    assert unread_count(f.worker) == 0


def test_a_notice_carries_the_time_of_its_event(small_federation):
    import datetime as dt

    from django.utils import timezone

    f = small_federation
    then = timezone.now() - dt.timedelta(days=40)
    notify(members=[f.worker], kind="t", title="old news", email=False, now=then)
    assert Notification.objects.get(title="old news").created_at == then
