"""Pages of proposals and decisions (included from collegium.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
