"""Personal API tokens: made once from the session, used as Bearer, revoked for good."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.test import Client

from collegium.api.models import ApiToken
from tests.api.conftest import client_for
from tests.conftest import SmallFederation


def _make(client: Client, name: str = "my script") -> dict[str, Any]:
    response = client.post(
        "/api/me/tokens", data=json.dumps({"name": name}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_create_use_revoke_reuse(fed: SmallFederation, clients: dict[str, Client]) -> None:
    made = _make(clients["worker"])
    secret = made["token"]
    assert secret.startswith(f"clg_{made['prefix']}_")
    assert made["active"] is True

    # Stored hashed: the secret itself is nowhere in the row.
    row = ApiToken.objects.get(pk=made["id"])
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {row.prefix, row.digest, row.name}

    script = _bearer(secret)
    me = script.get("/api/me")
    assert me.status_code == 200
    assert me.json()["member"]["public_id"] == fed.worker.public_id
    # The token carries the owner's rights: the member list of their own enterprise.
    assert script.get("/api/bodies/sormovo/members").status_code == 200
    assert script.get("/api/bodies/putilov/members").status_code == 403
    assert ApiToken.objects.get(pk=made["id"]).last_used_at is not None

    # Listed without the secret.
    listed = clients["worker"].get("/api/me/tokens").json()
    assert [t["id"] for t in listed] == [made["id"]]
    assert "token" not in listed[0]

    revoked = script.delete(f"/api/me/tokens/{made['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False

    reuse = script.get("/api/me")
    assert reuse.status_code == 401
    assert "revoked" in reuse.json()["detail"]
    # Refused on public endpoints too: a script never silently runs as the public.
    assert script.get("/api/bodies").status_code == 401


def test_unknown_and_malformed_tokens_are_401(fed: SmallFederation) -> None:
    for token in ["clg_000000000000_nope", "not-a-token", "clg__x", ""]:
        response = _bearer(token).get("/api/me")
        assert response.status_code == 401, token
        assert response.json()["detail"]
    made = _make(client_for(fed.worker.user))
    tampered = made["token"][:-2] + ("aa" if not made["token"].endswith("aa") else "bb")
    assert _bearer(tampered).get("/api/me").status_code == 401


def test_token_of_inactive_user_is_401(fed: SmallFederation) -> None:
    made = _make(client_for(fed.worker.user))
    user = fed.worker.user
    assert user is not None
    user.is_active = False
    user.save()
    assert _bearer(made["token"]).get("/api/me").status_code == 401


def test_bearer_writes_need_no_csrf(fed: SmallFederation) -> None:
    made = _make(client_for(fed.board_member.user))
    script = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {made['token']}")
    response = script.patch(
        "/api/bodies/sormovo/charter",
        data=json.dumps({"changes": {"board_seats": 9}, "reason": "Grow."}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_tokens_are_made_from_a_session_only(fed: SmallFederation) -> None:
    made = _make(client_for(fed.worker.user))
    response = _bearer(made["token"]).post(
        "/api/me/tokens", data=json.dumps({"name": "more"}), content_type="application/json"
    )
    assert response.status_code == 401
    anonymous = Client().post(
        "/api/me/tokens", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert Client().get("/api/me/tokens").status_code == 401


def test_session_token_creation_needs_csrf(fed: SmallFederation) -> None:
    client = client_for(fed.worker.user, enforce_csrf=True)
    response = client.post(
        "/api/me/tokens", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_no_one_revokes_anothers_token(fed: SmallFederation) -> None:
    made = _make(client_for(fed.worker.user))
    other = client_for(fed.outsider.user)
    assert other.delete(f"/api/me/tokens/{made['id']}").status_code == 404
    assert ApiToken.objects.get(pk=made["id"]).revoked_at is None
    assert other.get("/api/me/tokens").json() == []


def test_token_name_is_checked(clients: dict[str, Client]) -> None:
    for name in ["", "x" * 101]:
        response = clients["worker"].post(
            "/api/me/tokens", data=json.dumps({"name": name}), content_type="application/json"
        )
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], str)
    blank = clients["worker"].post(
        "/api/me/tokens", data=json.dumps({"name": "   "}), content_type="application/json"
    )
    assert blank.status_code == 422
    assert "name" in blank.json()["detail"]


# -------------------------------------------------------------------------------- pages


def test_token_pages(fed: SmallFederation) -> None:
    anonymous = Client().get("/api/tokens/")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]

    client = client_for(fed.worker.user)
    page = client.get("/api/tokens/")
    assert page.status_code == 200
    assert b"You have no API tokens" in page.content

    created = client.post("/api/tokens/", {"name": "laptop"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    row = ApiToken.objects.get()
    text = created.content.decode()
    assert f"clg_{row.prefix}_" in text
    secret = text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert _bearer(secret).get("/api/me").status_code == 200

    # Shown once: the list page no longer has the secret.
    again = client.get("/api/tokens/").content.decode()
    assert secret not in again
    assert "laptop" in again

    revoked = client.post(f"/api/tokens/{row.pk}/revoke/")
    assert revoked.status_code == 302
    assert _bearer(secret).get("/api/me").status_code == 401
    assert "revoked" in client.get("/api/tokens/").content.decode()

    # Someone else's token: not found, nothing changes.
    mine = _make(client)
    other = client_for(fed.outsider.user)
    assert other.post(f"/api/tokens/{mine['id']}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=mine["id"]).revoked_at is None


def test_token_page_rejects_a_blank_name(fed: SmallFederation) -> None:
    client = client_for(fed.worker.user)
    response = client.post("/api/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert b"Give the token a name" in response.content
    assert not ApiToken.objects.exists()
