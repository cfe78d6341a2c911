"""URLs under /api/: the JSON API (with /api/docs and /api/openapi.json) and the token
management pages."""

from __future__ import annotations

from django.urls import path, re_path

from collegium.api import views
from collegium.api.main import api

urlpatterns = [
    path("tokens/", views.token_list, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="api-token-revoke"),
    path("", api.urls),
    # Anything else under /api/ answers in JSON too, not with an HTML page.
    re_path(r"^(?!tokens).*$", views.not_found),
]
