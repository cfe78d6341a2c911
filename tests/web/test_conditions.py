"""Condition report pages: the body's list (filters, pinned queries), the new-report form
with photo uploads, the report page and each step's form, and the served photos."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collegium.conditions import services as s
from collegium.conditions.models import ConditionReport, Photo, Remedy
from tests.conditions.conftest import ConditionsWorld, image_bytes, jpeg_with_gps, make_world
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def world(small_federation: Any) -> ConditionsWorld:
    return make_world(small_federation)


def client(member: Any) -> Client:
    c = Client()
    if member is not None:
        c.force_login(member.user)
    return c


def submit(
    world: ConditionsWorld, title: str = "Fumes at hammer 2", **extra: Any
) -> ConditionReport:
    data: dict[str, Any] = {
        "user": world.fed.worker.user,
        "body": world.fed.shop,
        "location": "Hammer 2",
        "hazard": "foul_air",
        "severity": 3,
        "people_affected": 12,
        "title": title,
        "description": "The extractor is broken.",
        **extra,
    }
    return s.report_submit(**data)


def form(**extra: Any) -> dict[str, Any]:
    return {
        "place": "workplace",
        "title": "Cold in the hall",
        "location": "Main hall",
        "hazard": "cold",
        "severity": "2",
        "people_affected": "30",
        "description": "8 degrees in the morning.",
        **extra,
    }


def upload(data: bytes, name: str, content_type: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_member_reports_with_photos_and_gps_is_gone(world: ConditionsWorld) -> None:
    c = client(world.fed.worker)
    page = c.get("/bodies/sormovo-forge/conditions/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    photos = [
        upload(jpeg_with_gps(), "IMG_1.jpg", "image/jpeg"),
        upload(image_bytes("PNG"), "b.png", "image/png"),
    ]
    response = c.post("/bodies/sormovo-forge/conditions/new/", form(photos=photos))
    assert response.status_code == 302
    report = ConditionReport.objects.get()
    assert response["Location"] == f"/conditions/{report.public_id}/"
    shown = c.get(response["Location"]).content.decode()
    assert (
        "Cold in the hall" in shown and f"/conditions/{report.public_id}/photos/1/thumb/" in shown
    )
    served = c.get(f"/conditions/{report.public_id}/photos/1/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert served["Cache-Control"] == "private"
    assert served["Content-Disposition"] == f'inline; filename="condition-{report.public_id}-1.jpg"'
    body = b"".join(served.streaming_content)  # type: ignore[attr-defined]
    assert body[:2] == b"\xff\xd8" and b"PhoneMaker" not in body and b"Exif" not in body
    png = c.get(f"/conditions/{report.public_id}/photos/2/thumb/")
    assert png["Content-Type"] == "image/png"
    assert c.get(f"/conditions/{report.public_id}/photos/3/").status_code == 404
    # Those who may not see the report get no photo either.
    assert (
        client(world.fed.outsider).get(f"/conditions/{report.public_id}/photos/1/").status_code
        == 403
    )
    assert client(None).get(f"/conditions/{report.public_id}/photos/1/").status_code == 403


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (
            b"MZ\x90\x00 not an image at all",
            "fumes.jpg",
            "image/jpeg",
            "is not a JPEG, PNG or WebP image",
        ),
        (image_bytes("PNG"), "fumes.jpg", "image/jpeg", "is named as JPEG but its bytes are PNG"),
        (
            image_bytes("JPEG"),
            "fumes.jpg",
            "image/png",
            "is sent as &#x27;image/png&#x27; but its bytes are JPEG",
        ),
    ],
)
def test_a_bad_upload_is_refused_and_nothing_changes(
    world: ConditionsWorld, data: bytes, name: str, content_type: str, message: str
) -> None:
    c = client(world.fed.worker)
    response = c.post(
        "/bodies/sormovo-forge/conditions/new/", form(photos=[upload(data, name, content_type)])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="photos-error"' in html
    assert 'value="Cold in the hall"' in html  # what was typed stays
    assert not ConditionReport.objects.exists() and not Photo.objects.exists()


def test_too_large_an_upload_is_refused(world: ConditionsWorld, settings: Any) -> None:
    settings.COLLEGIUM_UPLOAD_MAX_BYTES = 2000
    c = client(world.fed.worker)
    big = upload(image_bytes("PNG", (400, 400)) + b"\0" * 3000, "big.png", "image/png")
    response = c.post("/bodies/sormovo-forge/conditions/new/", form(photos=[big]))
    assert response.status_code == 400
    assert "a photo may be at most 0.0 MB" in response.content.decode()
    assert not ConditionReport.objects.exists()


def test_bad_fields_are_marked(world: ConditionsWorld) -> None:
    c = client(world.fed.worker)
    response = c.post(
        "/bodies/sormovo-forge/conditions/new/",
        form(title="", hazard="ghosts", people_affected="0"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("title-error", "hazard-error", "people-error"):
        assert f'id="{field}"' in html
    assert "between 1 and 1,000,000" in html
    assert (
        client(world.fed.outsider).get("/bodies/sormovo-forge/conditions/new/").status_code == 403
    )


def test_the_steps_through_the_pages(world: ConditionsWorld) -> None:
    fed = world.fed
    report = submit(world)
    url = f"/conditions/{report.public_id}/"
    # The reporter cannot confirm their own report, the co-worker can, once.
    assert "I confirm this hazard" not in client(fed.worker).get(url).content.decode()
    co = client(world.co_worker)
    assert "I confirm this hazard" in co.get(url).content.decode()
    assert co.post(url + "confirm/").status_code == 302
    again = co.post(url + "confirm/")
    assert (
        again.status_code == 400
        and "You have already confirmed this report." in again.content.decode()
    )
    report.refresh_from_db()
    assert report.state == "open"
    remedy = {
        "work": "New extractor fan",
        "material_product": ["fan-axial-400", "duct-steel", "", "", ""],
        "material_quantity": ["1", "12.5", "", "", ""],
        "material_unit": ["piece", "m", "", "", ""],
        "labour_hours": "16",
        "cost": "2400",
        "due_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    }
    # A remedy by someone not on the responsible board: 403 with the reason, nothing changes.
    refused = client(world.co_worker).post(url + "remedy/", remedy)
    assert refused.status_code == 403
    assert (
        "Only the board of Sormovo Works, which must answer this report, promises a remedy."
        in refused.content.decode()
    )
    bad = client(fed.board_member).post(
        url + "remedy/", {**remedy, "material_quantity": ["1", "-3", "", "", ""]}
    )
    assert (
        bad.status_code == 400
        and "Line 2: the quantity must be above zero." in bad.content.decode()
    )
    assert 'value="duct-steel"' in bad.content.decode()
    assert not Remedy.objects.exists()
    board = client(fed.board_member)
    assert "Promise a remedy" in board.get(url).content.decode()
    assert board.post(url + "remedy/", remedy).status_code == 302
    page = client(fed.worker).get(url).content.decode()
    assert "fan-axial-400" in page and "12.5" in page and "Reject the remedy" in page
    assert board.post(url + "done/", {"note": "Installed"}).status_code == 302
    page = client(fed.worker).get(url).content.decode()
    assert "Is it fixed?" in page
    no_note = client(fed.worker).post(url + "fixed/", {"fixed": "no", "note": ""})
    assert no_note.status_code == 400 and "Say what is still wrong." in no_note.content.decode()
    assert client(fed.worker).post(url + "fixed/", {"fixed": "yes"}).status_code == 302
    report.refresh_from_db()
    assert report.state == "fixed"
    page = client(fed.worker).get(url).content.decode()
    assert "Confirmed fixed by the reporter" in page and "record #" in page


def test_moderation_on_the_page(world: ConditionsWorld) -> None:
    from collegium.federation.selectors import charter_as_dict

    report = submit(world)
    url = f"/conditions/{report.public_id}/"
    reason = charter_as_dict(world.fed.shop)["moderation_reasons"][0]
    assert client(world.fed.board_member).post(url + "hide/", {"reason": reason}).status_code == 403
    mod = client(world.moderator)
    assert "Hide the report" in mod.get(url).content.decode()
    assert mod.post(url + "hide/", {"reason": "Not on the list"}).status_code == 400
    assert mod.post(url + "hide/", {"reason": reason}).status_code == 302
    listing = client(world.fed.worker).get("/bodies/sormovo/conditions/").content.decode()
    assert "Hidden report" in listing and reason in listing.replace("&#x27;", "'")
    assert "Fumes at hammer 2" not in listing
    page = client(world.fed.worker).get(url).content.decode()
    assert "The extractor is broken" not in page and "withheld" in page
    assert "The extractor is broken" in mod.get(url).content.decode()


def test_who_sees_the_pages(world: ConditionsWorld) -> None:
    report = submit(world)
    url = f"/conditions/{report.public_id}/"
    assert client(world.fed.outsider).get(url).status_code == 403
    assert client(None).get(url).status_code == 403
    assert client(world.fed.congress_board_member).get(url).status_code == 200
    anonymous = client(None).get("/bodies/sormovo/conditions/").content.decode()
    assert "Sign in" in anonymous and "Fumes" not in anonymous
    assert client(None).get("/conditions/nope/").status_code == 404
    assert client(world.fed.worker).get("/bodies/nope/conditions/").status_code == 404


def test_filters_on_the_list(world: ConditionsWorld) -> None:
    submit(world)
    submit(world, "Cold in the hall", hazard="cold", severity=1, location="Hall", description="8 C")
    c = client(world.fed.board_member)
    html = c.get("/bodies/sormovo/conditions/?hazard=cold").content.decode()
    assert "Cold in the hall" in html and "Fumes at hammer 2" not in html
    html = c.get("/bodies/sormovo/conditions/?q=extractor").content.decode()
    assert "Fumes at hammer 2" in html and "Cold in the hall" not in html
    html = c.get("/bodies/sormovo/conditions/?severity=3&state=awaiting").content.decode()
    assert "Fumes at hammer 2" in html and "1 report matching" in html


def grow(world: ConditionsWorld, n: int) -> None:
    """More reports, each with a photo row and a confirmation, the way a busy body has them."""
    fed = world.fed
    reports = ConditionReport.objects.bulk_create(
        ConditionReport(
            body=fed.shop,
            location=f"Bay {i}",
            hazard="noise",
            severity=1 + i % 4,
            people_affected=3,
            title=f"Noise {i}",
            description="Loud",
            reporter=fed.worker,
            confirmations_needed=1,
            responsible=fed.enterprise,
            created_at=NOW - dt.timedelta(minutes=i),
            state="open" if i % 2 else "awaiting",
            escalations=i % 3,
            due_at=NOW - dt.timedelta(days=1),
        )
        for i in range(n)
    )
    Photo.objects.bulk_create(
        Photo(
            report=r,
            uploaded_by=fed.worker,
            number=1,
            stored_name=f"x{r.pk}-{i}",
            thumb_name=f"t{r.pk}-{i}",
            format="jpeg",
            width=1,
            height=1,
            size=1,
            sha256="0",
            created_at=NOW,
        )
        for i, r in enumerate(reports)
    )


@pytest.mark.parametrize("who", ["worker", "board_member", "congress_board_member"])
@pytest.mark.parametrize("query", ["", "?state=overdue&severity=2", "?q=Noise&place=workplace"])
def test_list_queries_are_pinned(world: ConditionsWorld, who: str, query: str) -> None:
    c = client(getattr(world.fed, who))
    url = "/bodies/sormovo/conditions/" + query
    c.get(url)
    grow(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    grow(world, 40)
    with CaptureQueriesContext(connection) as many:
        html = c.get(url).content.decode()
    assert len(many) == len(few) <= 18, "\n".join(q["sql"][:150] for q in many.captured_queries)
    assert html.count('<li class="report') >= 20


def test_the_panel_tag(world: ConditionsWorld) -> None:
    submit(world)
    template = Template("{% load conditions_tags %}{% conditions_panel body user %}")
    html = template.render(
        Context({"body": world.fed.enterprise, "user": world.fed.board_member.user})
    )
    assert '<span class="num">1</span> awaiting confirmation' in html
    assert 'href="/bodies/sormovo/conditions/?state=overdue"' in html
    assert "Report a hazard" in html  # a member of the enterprise may report there
    from django.contrib.auth.models import AnonymousUser

    html = template.render(Context({"body": world.fed.enterprise, "user": AnonymousUser()}))
    assert "awaiting confirmation" not in html


def test_a_big_workplace_lists_the_report_as_awaiting(world: ConditionsWorld) -> None:
    for i in range(10):
        make_member(f"77{i}", "Co", f"W{i}", world.fed.shop)
    report = submit(world)
    html = client(world.fed.worker).get("/bodies/sormovo-forge/conditions/").content.decode()
    assert "Awaiting confirmation" in html and "0 of 2 confirmations" in html
    assert re.search(rf'href="/conditions/{report.public_id}/"', html)


def test_a_dwelling_report_from_the_form(world: ConditionsWorld) -> None:
    from decimal import Decimal

    from collegium.housing.models import Dwelling

    fed = world.fed
    flat = Dwelling.objects.create(
        code="SRM-H-7",
        address="Lenin street 4, flat 7",
        body=fed.enterprise,
        area_m2=Decimal("38"),
        rooms=2,
        created_at=NOW,
        updated_at=NOW,
    )
    c = client(fed.worker)
    page = c.get("/bodies/sormovo/conditions/new/?dwelling=SRM-H-7").content.decode()
    assert 'value="SRM-H-7" selected' in page and 'id="place-dwelling"' in page
    wrong = c.post("/bodies/sormovo/conditions/new/", form(place="dwelling", dwelling="NOPE"))
    assert wrong.status_code == 400 and "Choose one of the dwellings" in wrong.content.decode()
    done = c.post(
        "/bodies/sormovo/conditions/new/",
        form(place="dwelling", dwelling="SRM-H-7", hazard="dampness", title="Mould in the flat"),
    )
    assert done.status_code == 302
    report = ConditionReport.objects.get(dwelling=flat)
    assert report.place == "dwelling" and report.body == fed.enterprise
    html = c.get(done["Location"]).content.decode()
    assert "Dwelling SRM-H-7, Lenin street 4, flat 7" in html


def test_escalate_and_reject_from_the_page(world: ConditionsWorld) -> None:
    fed = world.fed
    report = submit(world)
    url = f"/conditions/{report.public_id}/"
    client(world.co_worker).post(url + "confirm/")
    board = client(fed.board_member)
    assert "Escalate to the board of Congress of Producers" in board.get(url).content.decode()
    empty = board.post(url + "escalate/", {"reason": ""})
    assert empty.status_code == 400 and "Say why the parent body" in empty.content.decode()
    assert client(fed.worker).post(url + "escalate/", {"reason": "x"}).status_code == 403
    assert board.post(url + "escalate/", {"reason": "Beyond the works' fund"}).status_code == 302
    report.refresh_from_db()
    assert report.responsible == fed.congress and report.escalations == 1
    html = client(fed.worker).get(url).content.decode()
    assert "Escalated by the board" in html and "Beyond the works" in html
    assert "I have seen it too" in client(world.fed.congress_board_member).get(url).content.decode()
