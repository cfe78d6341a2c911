"""Input the database cannot store is refused with a clear message, not a server error."""

from __future__ import annotations

import pytest
from django.db import DataError
from django.test import RequestFactory

from collegium.web.middleware import UNSTORABLE, UnstorableInputMiddleware

pytestmark = pytest.mark.django_db


def test_data_errors_become_a_400_page_with_the_reason() -> None:
    middleware = UnstorableInputMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().post("/bodies/x/initiatives/")
    response = middleware.process_exception(request, DataError("NUL"))
    assert response is not None and response.status_code == 400
    assert UNSTORABLE.split(",")[0].encode() in response.content
    assert middleware.process_exception(request, ValueError("other")) is None


def test_the_api_says_422_for_nul(client, small_federation) -> None:
    from collegium.api.main import on_unstorable

    request = RequestFactory().get("/api/conditions/floors")
    response = on_unstorable(request, DataError("NUL"))
    assert response.status_code == 422 and b"NUL" in response.content
