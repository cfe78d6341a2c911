from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/bodies/", "/bodies/sormovo/", "/bodies/sormovo/charter/", "/charter/",
                "/record/", "/record/0/", "/record/checkpoints/", "/accounts/login/"]


@pytest.mark.parametrize("who", [None, "worker", "board_member", "outsider", "operator"])
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_render(client_for: Any, who: str | None, url: str) -> None:
    response = client_for(who).get(url)
    if url == "/accounts/login/" and who is not None:
        assert response.status_code == 302
        return
    assert response.status_code == 200, response.content[:2000]
