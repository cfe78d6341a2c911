"""The criticism API: the same services and permissions as the pages; anonymous authors
are never given out, except to the moderation commission, on the record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from collegium.criticism.models import Criticism
from collegium.record.models import Entry
from tests.api.conftest import client_for
from tests.conftest import SmallFederation
from tests.criticism.conftest import Crit, build_crit

pytestmark = pytest.mark.django_db
J = "application/json"
REASON = "Threatens or incites violence against a person"


@pytest.fixture
def crit(small_federation: SmallFederation) -> Crit:
    return build_crit(small_federation)


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type=J)


def publish(crit: Crit, **extra: Any) -> dict[str, Any]:
    data = {"title": "Broken fans", "text": "Since March.", **extra}
    response = post(client_for(crit.fed.worker.user), "/api/criticism/bodies/sormovo", data)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_lifecycle_through_the_api(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit)
    assert c["state"] == "open" and c["author"] == fed.worker.public_id
    base = f"/api/criticism/{c['public_id']}"
    board = client_for(fed.board_member.user)
    cosigner = client_for(crit.cosigner.user)
    assert post(cosigner, base + "/cosign").json()["cosignatures"] == 1
    again = post(cosigner, base + "/cosign")
    assert again.status_code == 422 and "already co-signed" in again.json()["detail"]
    me = post(client_for(fed.worker.user), base + "/cosign")
    assert me.status_code == 422 and "you wrote this criticism" in me.json()["detail"]
    edit = post(client_for(fed.worker.user), base + "/edit", {"title": "x", "text": "y"})
    assert edit.status_code == 422 and "only followed by additions" in edit.json()["detail"]
    added = post(client_for(fed.worker.user), base + "/additions", {"text": "Still."})
    assert added.json()["additions"][0]["text"] == "Still."
    wrong = post(cosigner, base + "/responses", {"text": "No."})
    assert wrong.status_code == 403 and "board of Sormovo Works" in wrong.json()["detail"]
    answered = post(board, base + "/responses", {"text": "Fans in May."})
    assert answered.json()["state"] == "answered"
    marked = post(client_for(fed.worker.user), base + "/marks", {"satisfied": False})
    body = marked.json()
    assert body["state"] == "escalated" and body["level_body"] == "metal"
    assert [lv["body"] for lv in body["levels"]] == ["sormovo", "metal"]
    assert body["levels"][0]["response"]["text"] == "Fans in May."
    listing = client_for(fed.worker.user).get("/api/criticism/bodies/sormovo?state=escalated")
    assert [i["public_id"] for i in listing.json()["items"]] == [c["public_id"]]
    assert client_for(None).get(base).status_code == 403
    assert client_for(None).get("/api/criticism/bodies/sormovo").json()["count"] == 0
    outsider = post(
        client_for(fed.outsider.user), "/api/criticism/bodies/sormovo", {"title": "t", "text": "x"}
    )
    assert outsider.status_code == 403 and "do not belong" in outsider.json()["detail"]
    empty = post(
        client_for(fed.worker.user), "/api/criticism/bodies/sormovo", {"title": " ", "text": "x"}
    )
    assert empty.status_code == 422 and "needs a title" in empty.json()["detail"]


def test_anonymity_and_moderation(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit, anonymous=True, publicity="public")
    base = f"/api/criticism/{c['public_id']}"
    for who in (None, fed.board_member.user, crit.moderator.user):
        got = client_for(who).get(base)
        assert got.status_code == 200 and got.json()["author"] is None
        assert fed.worker.public_id not in got.content.decode()
    mine = client_for(fed.worker.user).get("/api/criticism/mine").json()
    assert mine[0]["url"] == f"/criticism/{c['public_id']}/"
    denied = post(client_for(fed.board_member.user), base + "/author", {"reason": REASON})
    assert denied.status_code == 403
    bad = post(client_for(crit.moderator.user), base + "/hide", {"reason": "rude"})
    assert bad.status_code == 422 and "charter" in bad.json()["detail"]
    hidden = post(client_for(crit.moderator.user), base + "/hide", {"reason": REASON}).json()
    assert hidden["hidden"] and hidden["moderation"][0]["reason"] == REASON
    public = client_for(None).get(base).json()
    assert public["title"] is None and public["text"] is None
    assert public["hidden_reason"] == REASON
    looked = post(client_for(crit.moderator.user), base + "/author", {"reason": REASON})
    assert looked.json()["member"] == fed.worker.public_id
    entry = Entry.objects.get(index=looked.json()["record_index"])
    assert entry.kind == "criticism.author_looked_at"
    act = hidden["moderation"][0]["public_id"]
    signed = post(client_for(fed.worker.user), f"{base}/moderation/{act}/appeal")
    # 5 % of the 7 members of Sormovo Works: the author's own signature is enough.
    referendum = signed.json()["referendum"]
    assert signed.status_code == 200 and referendum is not None
    assert signed.json()["criticism"]["moderation"][0]["appeal"] == "referendum"
    assert signed.json()["criticism"]["moderation"][0]["referendum"] == referendum
    assert Criticism.objects.get().hidden
