"""The operator's import: upload, preview, confirm; bad files import nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from collegium.federation.models import Body, Member
from collegium.record.models import Entry

pytestmark = pytest.mark.django_db

BODIES = (
    "code,name,kind,parent_code\n"
    "congress,Congress of Producers,congress,\n"
    "metal,Metalworkers' Union,industrial_union,congress\n"
    "kolomna,Kolomna Works,enterprise,metal\n"
    "kolomna-boiler,Boiler shop,shop,kolomna\n"
)
MEMBERS = (
    "member_no,given_name,family_name,email,category,body_code\n"
    "5001,Maria,Volkova,maria@example.org,production_worker,sormovo-forge\n"
    "1001,Anna,Petrova-Ivanova,1001@example.org,production_worker,sormovo-forge\n"
)


def upload(client: Any, what: str, text: str | bytes, name: str = "file.csv") -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/import/", {"what": what, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_only_the_operator(client_for: Any) -> None:
    for who in (None, "worker", "board_member"):
        assert client_for(who).get("/import/").status_code == 403
        assert upload(client_for(who), "bodies", BODIES).status_code == 403
        assert client_for(who).post("/import/confirm/", {"sha256": "x"}).status_code == 403
    assert client_for("operator").get("/import/").status_code == 200


def test_bodies_preview_then_confirm(client_for: Any) -> None:
    client = client_for("operator")
    before = Body.objects.count()
    response = upload(client, "bodies", BODIES, "bodies.csv")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 to add, 0 to change, 2 unchanged" in html
    assert "kolomna-boiler" in html
    assert Body.objects.count() == before  # nothing yet
    sha = response.context["plan"].sha256
    entries = Entry.objects.count()
    response = client.post("/import/confirm/", {"sha256": sha}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    # The message says what was done, in the past tense.
    assert "Imported bodies.csv: 2 added, 0 changed, 2 already the same." in (
        response.content.decode()
    )
    assert Body.objects.filter(code="kolomna-boiler", parent__code="kolomna").exists()
    assert Entry.objects.count() == entries + 1
    # The waiting file is gone: a second confirm does nothing.
    response = client.post("/import/confirm/", {"sha256": sha}, follow=True)
    assert "no checked file waiting" in response.content.decode()
    assert Entry.objects.count() == entries + 1


def test_members_preview_shows_changes_and_confirm_invites(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("operator")
    response = upload(client, "members", MEMBERS, "members.csv")
    html = response.content.decode()
    assert "1 to add, 1 to change" in html and "Petrova-Ivanova" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/import/confirm/", {"sha256": response.context["plan"].sha256})
    assert response.status_code == 302
    assert Member.objects.get(member_no="5001").family_name == "Volkova"
    assert Member.objects.get(member_no="1001").family_name == "Petrova-Ivanova"
    assert len(mail.outbox) == 1 and "http://testserver/invitation/" in mail.outbox[0].body


def test_bad_file_shows_every_error_and_imports_nothing(client_for: Any) -> None:
    client = client_for("operator")
    bad = (
        "code,name,kind,parent_code\n"
        "kolomna,Kolomna Works,factory,metal\n"
        "kolomna-boiler,,shop,kolomna\n"
    )
    before = (Body.objects.count(), Entry.objects.count())
    response = upload(client, "bodies", bad, "bodies.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert "bodies.csv:2:kind: unknown kind &#x27;factory&#x27;" in html
    assert "bodies.csv:3:name: empty name" in html
    assert "<strong>Line 3</strong>, column <strong>name</strong>: empty name" in html
    assert "Import bodies now" not in html
    assert client.post("/import/confirm/", {"sha256": "anything"}).status_code == 302
    assert (Body.objects.count(), Entry.objects.count()) == before


def test_not_utf8_is_an_error_naming_the_line(client_for: Any) -> None:
    data = MEMBERS.replace("Volkova", "Volkova\xe9").encode("latin-1")
    response = upload(client_for("operator"), "members", data, "members.csv")
    assert response.status_code == 400
    assert "members.csv:2:" in response.content.decode() and "UTF-8" in response.content.decode()


def test_confirm_checks_the_file_again(client_for: Any, small_federation: Any) -> None:
    """What changed between preview and confirm is caught: the file is checked again."""
    client = client_for("operator")
    response = upload(client, "members", MEMBERS, "members.csv")
    assert response.status_code == 200
    Body.objects.filter(code="sormovo-forge").update(kind="commission")
    before = (Member.objects.count(), Entry.objects.count())
    response = client.post("/import/confirm/", {"sha256": response.context["plan"].sha256})
    assert response.status_code == 400
    html = response.content.decode()
    assert "no longer passes its checks" in html and "members.csv:2:body_code" in html
    assert (Member.objects.count(), Entry.objects.count()) == before


def test_too_large_file_is_refused(client_for: Any) -> None:
    big = "code,name,kind,parent_code\n" + "x" * (5 * 1024 * 1024 + 10)
    response = upload(client_for("operator"), "bodies", big)
    assert response.status_code == 200
    assert "larger than 5 MB" in response.content.decode()


def test_operator_sends_an_invitation_again(
    client_for: Any, small_federation: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("operator")
    entries = Entry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/import/invite/", {"member_no": "1001"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/invitation/" in mail.outbox[0].body
    assert Entry.objects.filter(kind="member.invited").count() == 1
    assert Entry.objects.count() == entries + 1
    response = client.post("/import/invite/", {"member_no": "9999"})
    assert response.status_code == 400 and "no member with the number" in response.content.decode()
    Member.objects.filter(member_no="1001").update(email="")
    response = client.post("/import/invite/", {"member_no": "1001"})
    assert response.status_code == 400 and "has no e-mail address" in response.content.decode()
    assert (
        client_for("board_member").post("/import/invite/", {"member_no": "1001"}).status_code == 403
    )
