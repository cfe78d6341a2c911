"""Charter pages: values with their source, the edit form for the board, history."""

from __future__ import annotations

from typing import Any

import pytest

from collegium.federation.models import Body, Charter, CharterChange
from collegium.federation.selectors import charter_as_dict
from collegium.record.models import Entry

pytestmark = pytest.mark.django_db

URL = "/bodies/sormovo/charter/"


def form(**values: Any) -> dict[str, Any]:
    data = {name: "" for name in charter_as_dict(None)}
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_form_only_for_the_board(client_for: Any) -> None:
    assert 'name="reason"' in client_for("board_member").get(URL).content.decode()
    for who in (None, "worker", "outsider", "operator", "congress_board_member"):
        html = client_for(who).get(URL).content.decode()
        assert 'name="reason"' not in html
        assert "Only members of the board of Sormovo Works" in html


def test_board_member_changes_the_charter(client_for: Any, small_federation: Any) -> None:
    client = client_for("board_member")
    before = Entry.objects.count()
    response = client.post(
        URL, form(board_seats=9, production_worker_quota_pct=70, reason="Two new shops joined.")
    )
    assert response.status_code == 302
    values = charter_as_dict(small_federation.enterprise)
    assert values["board_seats"] == 9 and values["production_worker_quota_pct"] == 70
    assert Entry.objects.count() == before + 1
    html = client.get(URL).content.decode()
    assert "on the public record" in html  # the success message
    assert "Two new shops joined." in html and "Ivan Sokolov" in html
    assert 'value="9"' in html
    # The shop below inherits it, and says where it comes from.
    html = client.get("/bodies/sormovo-forge/").content.decode()
    assert "9 seats" in html and "Sormovo Works" in html


def test_blank_means_inherit(client_for: Any, small_federation: Any) -> None:
    client = client_for("board_member")
    client.post(URL, form(board_seats=9, reason="more"))
    client.post(URL, form(reason="back to the default"))
    assert charter_as_dict(small_federation.enterprise)["board_seats"] == 7


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"production_worker_quota_pct": 101}, "production_worker_quota_pct", "out of range"),
        ({"board_seats": -3}, "board_seats", "out of range"),
        ({"board_seats": "seven"}, "board_seats", "whole number"),
    ],
)
def test_invalid_values_change_nothing(
    client_for: Any, small_federation: Any, values: dict[str, Any], field: str, message: str
) -> None:
    before = (Entry.objects.count(), CharterChange.objects.count(), Charter.objects.count())
    response = client_for("board_member").post(URL, form(reason="try", **values))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert (Entry.objects.count(), CharterChange.objects.count(), Charter.objects.count()) == before
    assert charter_as_dict(small_federation.enterprise) == charter_as_dict(None)


def test_reason_is_required(client_for: Any) -> None:
    before = Entry.objects.count()
    response = client_for("board_member").post(URL, form(board_seats=9))
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    assert Entry.objects.count() == before


def test_nothing_to_change_is_said(client_for: Any) -> None:
    response = client_for("board_member").post(URL, form(reason="nothing"))
    assert response.status_code == 400
    assert "Nothing differs from the charter as it is" in response.content.decode()


def test_others_are_refused(client_for: Any) -> None:
    before = Entry.objects.count()
    for who in (None, "worker", "outsider", "operator"):
        response = client_for(who).post(URL, form(board_seats=9, reason="mine"))
        assert response.status_code == 403
    assert Entry.objects.count() == before


def test_federation_default_by_the_congress_board(client_for: Any) -> None:
    assert client_for("board_member").post("/charter/", form(reason="x")).status_code == 403
    client = client_for("congress_board_member")
    data = {
        name: str(v) for name, v in charter_as_dict(None).items() if name != "moderation_reasons"
    }
    data.update(review_window_days="12", reason="Longer review.")
    assert client.post("/charter/", data).status_code == 302
    assert charter_as_dict(None)["review_window_days"] == 12
    data.update(term_months="", reason="empty")
    response = client.post("/charter/", data)
    assert response.status_code == 400
    assert "cannot be empty" in response.content.decode()


def test_the_moderation_reasons_are_the_charters(client_for: Any) -> None:
    from collegium.federation.charters import DEFAULT_MODERATION_REASONS
    from collegium.federation.selectors import moderation_reasons

    client = client_for("board_member")
    page = client.get("/bodies/sormovo/charter/").content.decode()
    assert DEFAULT_MODERATION_REASONS[1] in page and "Reasons for which posts may be hidden" in page
    data = {name: "" for name in charter_as_dict(None) if name != "moderation_reasons"}
    too_long = client.post(
        "/bodies/sormovo/charter/",
        {**data, "moderation_reasons": "Spam\n" + "x" * 201, "reason": "Shorter list."},
    )
    assert too_long.status_code == 400 and "at most 200" in too_long.content.decode()
    done = client.post(
        "/bodies/sormovo/charter/",
        {**data, "moderation_reasons": "Spam\n\nThreats of violence\n", "reason": "Ours."},
    )
    assert done.status_code == 302
    reasons, source = moderation_reasons(Body.objects.get(code="sormovo"))
    assert reasons == ["Spam", "Threats of violence"] and source == "this body"
    shop = Body.objects.get(code="sormovo-forge")
    assert moderation_reasons(shop) == (["Spam", "Threats of violence"], "Sormovo Works")
