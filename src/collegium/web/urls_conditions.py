"""Pages of the conditions app (included from collegium.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
