"""Clients for each role of the small federation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import SmallFederation


@pytest.fixture
def fed(small_federation: SmallFederation) -> SmallFederation:
    return small_federation


def client_for(user: Any | None, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def clients(fed: SmallFederation) -> dict[str, Client]:
    """anonymous, worker (shop of the enterprise), outsider (another enterprise),
    board (board of the enterprise), congress_board, operator."""
    return {
        "anonymous": client_for(None),
        "worker": client_for(fed.worker.user),
        "outsider": client_for(fed.outsider.user),
        "board": client_for(fed.board_member.user),
        "congress_board": client_for(fed.congress_board_member.user),
        "operator": client_for(fed.operator),
    }
