"""Every page renders for the visitors who may see it, with the layout's guarantees."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

VISITORS = [None, "worker", "board_member", "outsider", "operator"]
PUBLIC_PAGES = [
    "/",
    "/bodies/",
    "/bodies/sormovo/",
    "/bodies/sormovo-forge/",
    "/bodies/sormovo/charter/",
    "/charter/",
    "/record/",
    "/record/0/",
    "/record/checkpoints/",
]


@pytest.mark.parametrize("who", VISITORS)
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_render_for_everyone(client_for: Any, who: str | None, url: str) -> None:
    response = client_for(who).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/static/web/collegium.css"' in html
    assert 'src="/static/web/vendor/htmx.min.js"' in html
    assert ' style="' not in html and "<style" not in html


def test_csp_header_has_a_nonce_and_no_unsafe_inline(client_for: Any) -> None:
    response = client_for(None).get("/bodies/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    match = re.search(r"'nonce-([^']+)'", policy)
    assert match, policy
    assert f'nonce="{match.group(1)}"' in response.content.decode()
    assert "style-src 'self'" in policy


def test_no_inline_scripts_anywhere(client_for: Any) -> None:
    for url in PUBLIC_PAGES:
        html = client_for("board_member").get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert " on" + "click=" not in html


def test_body_carries_csrf_token_for_htmx(client_for: Any) -> None:
    html = client_for("worker").get("/bodies/sormovo/").content.decode()
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'>", html)


def test_every_input_has_a_label(client_for: Any) -> None:
    pages = ["/bodies/sormovo/?q=", "/record/", "/accounts/login/"]
    client = client_for("board_member")
    pages.append("/bodies/sormovo/charter/")
    for url in pages:
        html = (client_for(None) if "login" in url else client).get(url).content.decode()
        labels = set(re.findall(r'<label for="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag or 'type="submit"' in tag:
                continue
            match = re.search(r'id="([^"]+)"', tag)
            assert match and match.group(1) in labels, (url, tag)


def test_home_shows_counts_and_the_members_place(client_for: Any, small_federation: Any) -> None:
    html = client_for(None).get("/").content.decode()
    assert "Sign in" in html
    html = client_for("board_member").get("/").content.decode()
    assert "Forge shop" in html and "Sormovo Works" in html
    assert 'Board of <a href="/bodies/sormovo/">Sormovo Works</a>' in html
    assert "/import/" not in html
    assert "/import/" in client_for("operator").get("/").content.decode()


def test_tree_lists_every_body_with_kind_and_members(client_for: Any) -> None:
    html = client_for(None).get("/bodies/").content.decode()
    for name in (
        "Congress of Producers",
        "Metalworkers&#x27;",
        "Sormovo Works",
        "Forge shop",
        "Putilov Works",
        "Rolling mill",
    ):
        assert name in html
    # The congress counts all four members; the forge shop three.
    assert re.search(
        r"Congress of Producers</a></th>\s*<td>Congress</td>\s*"
        r"<td class=\"num\">4</td>",
        html,
    )
    assert re.search(r"Forge shop</a></th>\s*<td>Shop</td>\s*<td class=\"num\">3</td>", html)
    assert 'class="depth-3"' in html


def test_body_page_shows_board_composition_charter_and_record(client_for: Any) -> None:
    html = client_for(None).get("/bodies/sormovo/").content.decode()
    assert "Metalworkers" in html and 'aria-current="page">Sormovo Works' in html  # breadcrumb
    assert "Ivan Sokolov" in html  # seat-holder, public
    assert "Forge shop" in html  # below it
    assert "66.7%" in html and "33.3%" in html  # 2 production workers, 1 specialist
    assert 'width="66.67"' in html
    assert "Board seats" in html and "federation default" in html
    assert "board.founded" in html


def test_unknown_body_is_404_in_the_layout(client_for: Any) -> None:
    response = client_for(None).get("/bodies/nowhere/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html and "collegium.css" in html and "nowhere" in html


def test_logout_is_by_post(client_for: Any) -> None:
    client = client_for("worker")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "Sign in" in client.get("/").content.decode()


def test_login_page_and_sign_in(client_for: Any, small_federation: Any) -> None:
    client = client_for(None)
    html = client.get("/accounts/login/").content.decode()
    assert 'autocomplete="current-password"' in html
    response = client.post("/accounts/login/", {"username": "1001", "password": "pw"})
    assert response.status_code == 302
    assert "Anna Petrova" in client.get("/").content.decode()
    bad = client_for(None).post("/accounts/login/", {"username": "1001", "password": "no"})
    assert bad.status_code == 200 and "errors" in bad.content.decode()


def test_invitation_sets_the_password(client_for: Any, small_federation: Any) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = small_federation.worker.user
    user.set_unusable_password()
    user.save()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client = client_for(None)
    response = client.get(f"/invitation/{uid}/{token}/")
    assert response.status_code == 302
    form_url = response["Location"]
    html = client.get(form_url).content.decode()
    assert "Set your password" in html and "1001" in html
    response = client.post(
        form_url, {"new_password1": "red banner 1921", "new_password2": "red banner 1921"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("red banner 1921")
    # The link works once.
    again = client_for(None).get(f"/invitation/{uid}/{token}/", follow=True)
    assert "does not work any more" in again.content.decode()


def test_password_change(client_for: Any, small_federation: Any) -> None:
    client = client_for("worker")
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw",
            "new_password1": "factory committee 7",
            "new_password2": "factory committee 7",
        },
    )
    assert response.status_code == 302
    small_federation.worker.user.refresh_from_db()
    assert small_federation.worker.user.check_password("factory committee 7")
    assert client_for(None).get("/accounts/password/").status_code == 302


def test_unknown_address_is_a_plain_404(client_for: Any) -> None:
    response = client_for(None).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is nothing at this address." in html and "Resolver404" not in html


def test_csrf_failure_page_is_in_our_words(small_federation: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(small_federation.board_member.user)
    response = client.post("/bodies/sormovo/charter/", {"reason": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "The form had expired" in html and "<style" not in html and ' style="' not in html


def test_delegates_on_body_and_member_pages(client_for: Any, small_federation: Any) -> None:
    import datetime as dt

    from collegium.elections.models import Seat

    fed = small_federation
    today = dt.date.today()
    Seat.objects.create(
        body=fed.enterprise,
        holder=fed.worker,
        role="delegate",
        term_start=today - dt.timedelta(days=1),
        term_end=today + dt.timedelta(days=100),
    )
    html = client_for(None).get("/bodies/sormovo/").content.decode()
    assert "Delegates to Metalworkers&#x27; Union" in html and "Anna Petrova" in html
    html = client_for("worker").get(f"/members/{fed.worker.public_id}/").content.decode()
    assert "Delegate of <a" in html and "Metalworkers&#x27; Union</a>" in html


def test_home_counts_commissions_apart(client_for: Any, small_federation: Any) -> None:
    from tests.conftest import make_body

    make_body("ctrl", "Control Commission", "commission", small_federation.congress)
    html = client_for(None).get("/").content.decode()
    assert '<span class="num">6</span> bodies' in html
    assert '<span class="num">1</span> commission<' in html
