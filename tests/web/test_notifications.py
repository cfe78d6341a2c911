from __future__ import annotations

from collegium.notifications.models import Notification
from collegium.notifications.services import notify


def test_member_sees_and_marks_notices(client, small_federation):
    f = small_federation
    notify(
        members=[f.worker],
        kind="t",
        title="Voting is open: the boards of Sormovo",
        url="/x/",
        email=False,
    )
    client.force_login(f.worker.user)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "Voting is open" in page.content.decode()
    assert "Mark all 1 as read" in page.content.decode()
    response = client.post("/notifications/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_notices_need_a_member(client, small_federation):
    assert client.get("/notifications/").status_code == 302  # to the login page
    client.force_login(small_federation.operator)
    assert client.get("/notifications/").status_code == 404
    client.force_login(small_federation.outsider.user)
    notify(members=[small_federation.worker], kind="t", title="private", email=False)
    assert "private" not in client.get("/notifications/").content.decode()
