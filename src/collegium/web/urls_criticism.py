"""Pages of the criticism app (included from collegium.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
