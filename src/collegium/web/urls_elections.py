"""Pages of elections, recall, delegates and mandates (included from collegium.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
