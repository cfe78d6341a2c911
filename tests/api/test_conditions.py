"""The conditions API: report with photos (multipart), confirm, remedy, done, fixed,
escalate, reject, hide; floors; bad input and refusals as the pages have them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.conditions.models import ConditionReport
from tests.conditions.conftest import ConditionsWorld, image_bytes, jpeg_with_gps, make_world

J = "application/json"


@pytest.fixture
def world(small_federation: Any) -> ConditionsWorld:
    return make_world(small_federation)


def client(member: Any) -> Client:
    c = Client()
    if member is not None:
        c.force_login(member.user)
    return c


def post(c: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return c.post(url, data or {}, content_type=J)


def fields(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Fumes at hammer 2",
        "location": "Hammer 2",
        "hazard": "foul_air",
        "severity": "3",
        "people_affected": "12",
        "description": "The extractor is broken.",
        **extra,
    }


def photo(data: bytes, name: str, content_type: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.django_db
def test_a_report_through_the_api(world: ConditionsWorld) -> None:
    fed = world.fed
    worker = client(fed.worker)
    created = worker.post(
        "/api/conditions/bodies/sormovo-forge/reports",
        fields(photos=[photo(jpeg_with_gps(), "a.jpg", "image/jpeg")]),
    )
    assert created.status_code == 201, created.content
    doc = created.json()
    pid = doc["public_id"]
    assert doc["state"] == "awaiting" and doc["responsible"] == "sormovo"
    assert doc["photos"][0]["format"] == "jpeg" and doc["photos"][0]["url"].endswith("/photos/1/")
    base = f"/api/conditions/reports/{pid}"
    assert post(worker, base + "/confirmations").json()["detail"] == (
        "the reporter cannot confirm their own report"
    )
    confirmed = post(client(world.co_worker), base + "/confirmations")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "open"
    remedy = {
        "work": "New fan",
        "materials": [{"product": "fan-axial-400", "quantity": "1", "unit": "piece"}],
        "labour_hours": "16",
        "cost": "2400",
        "due_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    }
    refused = post(client(world.co_worker), base + "/remedy", remedy)
    assert (
        refused.status_code == 403 and "only the board of Sormovo Works" in refused.json()["detail"]
    )
    past = post(client(fed.board_member), base + "/remedy", {**remedy, "due_on": "2001-01-01"})
    assert past.status_code == 422 and past.json()["errors"] == {
        "due_on": "the date is in the past"
    }
    promised = post(client(fed.board_member), base + "/remedy", remedy)
    assert promised.status_code == 200 and promised.json()["state"] == "promised"
    floors = client(None).get("/api/conditions/floors?body=sormovo").json()
    assert floors == [{"product": "fan-axial-400", "floor": "1", "unit": "piece", "remedies": 1}]
    assert post(client(fed.board_member), base + "/done", {"note": "ok"}).json()["state"] == "done"
    again = post(client(fed.board_member), base + "/done", {"note": "ok"})
    assert again.status_code == 409 and "no remedy to mark done" in again.json()["detail"]
    no_note = post(worker, base + "/fixed", {"fixed": False})
    assert no_note.status_code == 422 and no_note.json()["errors"] == {
        "note": "say what is still wrong"
    }
    fixed = post(worker, base + "/fixed", {"fixed": True})
    assert fixed.json()["state"] == "fixed"
    assert [e["kind"] for e in fixed.json()["history"]] == [
        "reported",
        "confirmation",
        "confirmed",
        "remedy_promised",
        "remedy_done",
        "fixed",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("x.jpg", b"GIF89a not really", "image/jpeg"), "not a JPEG, PNG or WebP image"),
        (("x.png", image_bytes("JPEG"), "image/png"), "named as PNG but its bytes are JPEG"),
        (
            ("x.jpg", image_bytes("JPEG"), "image/webp"),
            "sent as 'image/webp' but its bytes are JPEG",
        ),
    ],
)
def test_bad_photos_are_refused(
    world: ConditionsWorld, upload: tuple[str, bytes, str], message: str
) -> None:
    name, data, content_type = upload
    response = client(world.fed.worker).post(
        "/api/conditions/bodies/sormovo-forge/reports",
        fields(photos=[photo(data, name, content_type)]),
    )
    assert response.status_code == 422
    assert message in response.json()["errors"]["photos"]
    assert not ConditionReport.objects.exists()


@pytest.mark.django_db
def test_too_large_a_photo_is_refused(world: ConditionsWorld, settings: Any) -> None:
    settings.COLLEGIUM_UPLOAD_MAX_BYTES = 500
    response = client(world.fed.worker).post(
        "/api/conditions/bodies/sormovo-forge/reports",
        fields(photos=[photo(image_bytes("PNG", (300, 300)) + b"\0" * 600, "x.png", "image/png")]),
    )
    assert (
        response.status_code == 422
        and "a photo may be at most" in response.json()["errors"]["photos"]
    )


@pytest.mark.django_db
def test_visibility_and_listing(world: ConditionsWorld) -> None:
    fed = world.fed
    worker = client(fed.worker)
    pid = worker.post("/api/conditions/bodies/sormovo-forge/reports", fields()).json()["public_id"]
    assert client(None).get(f"/api/conditions/reports/{pid}").status_code == 404
    assert client(fed.outsider).get(f"/api/conditions/reports/{pid}").status_code == 404
    assert (
        client(fed.congress_board_member).get(f"/api/conditions/reports/{pid}").status_code == 200
    )
    listing = client(fed.board_member).get("/api/conditions/bodies/sormovo?state=awaiting").json()
    assert listing["count"] == 1 and listing["reports"][0]["public_id"] == pid
    assert client(fed.outsider).get("/api/conditions/bodies/sormovo").json()["count"] == 0
    assert client(None).get("/api/conditions/bodies/nowhere").status_code == 404
    assert (
        client(fed.outsider)
        .post("/api/conditions/bodies/sormovo-forge/reports", fields())
        .status_code
        == 403
    )
    assert (
        client(None).post("/api/conditions/bodies/sormovo-forge/reports", fields()).status_code
        == 401
    )


@pytest.mark.django_db
def test_hide_escalate_reject(world: ConditionsWorld) -> None:
    from collegium.federation.selectors import charter_as_dict

    fed = world.fed
    pid = (
        client(fed.worker)
        .post("/api/conditions/bodies/sormovo-forge/reports", fields())
        .json()["public_id"]
    )
    base = f"/api/conditions/reports/{pid}"
    reason = charter_as_dict(fed.shop)["moderation_reasons"][1]
    assert post(client(fed.board_member), base + "/hidden", {"reason": reason}).status_code == 403
    bad = post(client(world.moderator), base + "/hidden", {"reason": "nope"})
    assert bad.status_code == 422 and "reason" in bad.json()["errors"]
    hidden = post(client(world.moderator), base + "/hidden", {"reason": reason}).json()
    assert hidden["hidden"] and hidden["hidden_reason"] == reason
    seen = client(fed.worker).get(base).json()
    assert seen["title"] is None and seen["description"] is None and seen["hidden_reason"] == reason
    listing = client(fed.worker).get("/api/conditions/bodies/sormovo-forge").json()
    assert listing["count"] == 1 and listing["reports"][0]["title"] is None
    assert (
        post(client(world.moderator), base + "/unhidden", {"reason": "ok"}).json()["hidden"]
        is False
    )
    post(client(world.co_worker), base + "/confirmations")
    escalated = post(client(fed.board_member), base + "/escalation", {"reason": "Beyond us"})
    assert escalated.json()["responsible"] == "congress" and escalated.json()["escalations"] == 1
