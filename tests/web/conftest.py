"""Fixtures for the web pages: signed-in clients for each kind of visitor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def client_for(small_federation: Any) -> Any:
    def make(who: str | None) -> Client:
        client = Client()
        if who is None:
            return client
        if who == "operator":
            client.force_login(small_federation.operator)
        else:
            client.force_login(getattr(small_federation, who).user)
        return client

    return make
